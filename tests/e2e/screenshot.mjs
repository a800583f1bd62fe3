// The README's screenshot (docs/screenshot.png): the Segments screen on the sample dataset at 1366 x 900.
// Run: `cd tests/e2e && node screenshot.mjs` after `trunk build --release`.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openApp, settled } from './browser.mjs';

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshot.png');
const app = await openApp();
try {
  const { page } = app;
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.getByTestId('sample-button').click();
  if ((await settled(page)) !== 'done') throw new Error('the sample did not load');
  await page.waitForTimeout(500);
  await page.screenshot({ path: out });
  console.log(`written ${out}`);
} finally {
  await app.close();
}
