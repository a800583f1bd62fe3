// Benchmark (not a test): DBSCAN on 1,000,000 seed-like customers in the browser, from the Run click to
// the result on screen (clustering, PCA, scores, the reply). The file is generated here with the
// benchmark's groups (see crates/segment-core/src/synth.rs): visits / purchases / discounts in three
// Gaussian groups plus 5% scatter; eps = 0.04 x (55,000 / N)^(1/3), min_samples 50.
// Run: `cd tests/e2e && node bench-dbscan.mjs [ROWS]` after `trunk build --release`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openApp, settled, setInput } from './browser.mjs';

const rows = Number(process.argv[2] || 1_000_000);
const groups = [
  [[66.7, 13], [3219, 631], [80, 16], 0.35],
  [[88.8, 25], [646, 180], [146, 41], 0.35],
  [[126.6, 27], [1382, 302], [1122, 236], 0.25],
];
let seed = 42n;
const next = () => {
  seed = (seed + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
  let z = seed;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
  return Number((z ^ (z >> 31n)) >> 11n) / 2 ** 53;
};
const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
const lines = ['visits,purchases,discounts'];
for (let i = 0; i < rows; i++) {
  const u = next();
  let acc = 0;
  const g = groups.find((g) => (acc += g[3]) > u);
  const v = g ? g.slice(0, 3).map(([m, s]) => Math.max(0, m + s * normal())) : [250 * next(), 6000 * next(), 2000 * next()];
  lines.push(`${v[0].toFixed(1)},${v[1].toFixed(2)},${v[2].toFixed(2)}`);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'segment-bench-'));
const file = path.join(tmp, 'seed-like.csv');
fs.writeFileSync(file, lines.join('\n') + '\n');
const eps = (0.04 * Math.cbrt(55_000 / rows)).toFixed(4);
console.log(`file: ${rows} rows, ${(fs.statSync(file).size / 1e6).toFixed(0)} MB; eps ${eps}, min_samples 50`);

const app = await openApp();
try {
  const { page } = app;
  let t0 = Date.now();
  await page.getByTestId('file-input').setInputFiles(file);
  await settled(page, 600_000);
  console.log(`load + first run with the suggested settings: ${Date.now() - t0} ms`);
  // The automatic choice may have picked another method: DBSCAN with the reference's settings, run
  // only by the click timed below.
  await page.getByTestId('rerun-on-change').uncheck();
  await page.getByTestId('method-select').selectOption('dbscan');
  await setInput(page, 'eps-input', eps);
  await setInput(page, 'min-samples-input', '50');
  t0 = Date.now();
  await page.getByTestId('run-button').click();
  const state = await settled(page, 600_000);
  const segments = await page.getByTestId('segment-count').textContent();
  const noise = await page.getByTestId('noise-count').textContent();
  console.log(`DBSCAN run in the browser: ${state}, ${segments} segments, ${noise} noise; ${Date.now() - t0} ms from Run to the result (page clock ${await page.getByTestId('elapsed-ms').textContent()} ms)`);
} finally {
  await app.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
