import { settled, withApp } from './browser.mjs';
import fs from 'node:fs';
const file = process.argv[2];
await withApp(async ({ page }) => {
  if (file) {
    await page.getByTestId('file-input').setInputFiles(file);
  } else {
    await page.getByTestId('sample-button').click();
  }
  console.log(await settled(page, 180_000));
  await page.getByTestId('method-select').selectOption('hdbscan');
  if (!file) {
    await page.getByTestId('min-cluster-size-input').fill('500');
    await page.getByTestId('min-cluster-size-input').dispatchEvent('change');
    await page.getByTestId('hdbscan-min-samples-input').fill('50');
    await page.getByTestId('hdbscan-min-samples-input').dispatchEvent('change');
  }
  const t0 = Date.now();
  await page.getByTestId('run-button').click();
  console.log(await settled(page, 180_000), Date.now() - t0, 'ms');
  await page.getByTestId('segment-table').screenshot({ path: '/work/scratch/hdb_table.png' });
  const tree = page.getByTestId('density-tree');
  if (await tree.count()) await tree.screenshot({ path: '/work/scratch/hdb_tree.png' });
  await page.getByTestId('k-sweep-button').click();
  console.log(await settled(page, 180_000));
  await page.getByTestId('k-sweep-panel').screenshot({ path: '/work/scratch/hdb_sweep.png' });
  const w = await page.getByTestId('result-warning').count();
  if (w) console.log('warning:', await page.getByTestId('result-warning').textContent());
});
