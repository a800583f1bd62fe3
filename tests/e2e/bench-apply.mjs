// Benchmark (not a test): applying a saved model in the browser to a 1,000,000-row file. Fits on the
// sample, saves the model, builds next month's file by repeating the sample's rows under new ids, and
// times the apply from choosing the file to the result on screen (read, clean, scale, assign, scores,
// PCA, movement). Run: `cd tests/e2e && node bench-apply.mjs [ROWS]` after `trunk build --release`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openApp, settled, show, DIST } from './browser.mjs';

const rows = Number(process.argv[2] || 1_000_000);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'segment-bench-'));
const sample = fs.readFileSync(path.join(DIST, 'dataset_ecommerce.csv'), 'utf8').trim().split('\n');
const [header, ...body] = sample;
const out = [header];
for (let i = 0; i < rows; i++) {
  const line = body[i % body.length];
  out.push(i < body.length ? line : line.replace(/^[^,]+/, `R${i}`));
}
const dataPath = path.join(tmp, 'big.csv');
fs.writeFileSync(dataPath, out.join('\n') + '\n');
console.log(`file: ${rows} rows, ${(fs.statSync(dataPath).size / 1e6).toFixed(0)} MB`);

const app = await openApp();
try {
  const { page } = app;
  await page.getByTestId('sample-button').click();
  await settled(page);
  await show(page, 'models');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('model-download').click()]);
  const modelPath = path.join(tmp, 'model.json');
  await download.saveAs(modelPath);
  await page.getByTestId('model-input').setInputFiles(modelPath);
  await settled(page);
  const wasmNow = async () => {
    const worker = page.workers()[0];
    return worker ? await worker.evaluate(async () => (await wasm_bindgen()).memory.buffer.byteLength) : NaN;
  };
  console.log(`worker wasm memory before the apply (the sample's session): ${((await wasmNow()) / 1e6).toFixed(0)} MB`);
  const t0 = Date.now();
  await page.getByTestId('apply-input').setInputFiles(dataPath);
  const state = await settled(page, 600_000);
  const ms = Date.now() - t0;
  const used = await page.getByTestId('rows-used').textContent();
  console.log(`apply in the browser: ${state}, ${used} rows used, ${ms} ms from choosing the file to the result (${(rows / ms * 1000 / 1e6).toFixed(2)} M rows/s)`);
  const memory = await page.evaluate(() => performance.memory ? performance.memory.usedJSHeapSize : null);
  if (memory) console.log(`page JS heap: ${(memory / 1e6).toFixed(0)} MB`);
  // The worker's wasm memory (its high-water mark): the sample's session, then the applied file's.
  const wasm = await wasmNow();
  console.log(`worker wasm memory after the apply: ${(wasm / 1e6).toFixed(0)} MB (${(wasm / fs.statSync(dataPath).size).toFixed(1)}x the file)`);
} finally {
  await app.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
