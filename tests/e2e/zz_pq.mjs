import { settled, withApp, show } from './browser.mjs';
const files = process.argv.slice(2);
await withApp(async ({ page }) => {
  for (const f of files) {
    const t0 = Date.now();
    await page.getByTestId('file-input').setInputFiles(f);
    const state = await settled(page, 180_000);
    const name = f.split('/').pop();
    console.log(name, state, Date.now() - t0, 'ms');
    if (state === 'error') console.log(await page.getByTestId('error-message').textContent());
    await page.screenshot({ path: `/work/scratch/pqshots/${name}-segments.png`, fullPage: false });
    await show(page, 'data');
    await page.screenshot({ path: `/work/scratch/pqshots/${name}-data.png`, fullPage: false });
    await show(page, 'segments');
  }
});
