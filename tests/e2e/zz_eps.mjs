import { settled, withApp } from './browser.mjs';
await withApp(async ({ page }) => {
  await page.getByTestId('sample-button').click();
  console.log(await settled(page, 180_000));
  await page.waitForTimeout(3000);
  for (const [eps, k] of [['0.05', null], ['0.045', null], ['0.04', null]]) {
    await page.getByTestId('eps-input').fill(eps);
    await page.getByTestId('eps-input').dispatchEvent('change');
    const t0 = Date.now();
    await page.getByTestId('run-button').click();
    await settled(page, 60_000);
    console.log(`eps ${eps}: click to done ${Date.now() - t0} ms`);
    await page.waitForTimeout(2500);
  }
  await page.getByTestId('method-select').selectOption('kmeans');
  for (const k of ['3', '4', '5']) {
    await page.getByTestId('k-input').fill(k);
    await page.getByTestId('k-input').dispatchEvent('change');
    const t0 = Date.now();
    await page.getByTestId('run-button').click();
    await settled(page, 60_000);
    console.log(`k ${k}: click to done ${Date.now() - t0} ms`);
    await page.waitForTimeout(2500);
  }
});
