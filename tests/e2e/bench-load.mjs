// Benchmark (not a test): loading a big customer export in the browser, from choosing the file to the
// first result on screen (read and type every column in the worker, k-distance, eps tuning, first
// run, drawing). The file comes from `cargo run --release -p segment-core --example write_export`.
// Run: `cd tests/e2e && node bench-load.mjs FILE` after `trunk build --release`.
import fs from 'node:fs';
import { openApp, settled, show } from './browser.mjs';

const file = process.argv[2];
if (!file) throw new Error('usage: node bench-load.mjs FILE');
console.log(`file: ${(fs.statSync(file).size / 1e6).toFixed(0)} MB`);
// The tab's renderer process (the page and its workers): resident memory now and at its peak (Linux
// VmRSS / VmHWM), the largest renderer's when Chromium runs more than one.
function rendererMemory() {
  let best = { rss: NaN, hwm: NaN };
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (key) => Number((status.match(new RegExp(`${key}:\\s+(\\d+)`)) || [])[1]) * 1024;
      const m = { rss: kb('VmRSS'), hwm: kb('VmHWM') };
      if (!(m.rss <= best.rss)) best = m;
    } catch {
      // a process that ended meanwhile
    }
  }
  return best;
}

const app = await openApp();
try {
  const { page } = app;
  // The page's own wasm memory: kept from its instantiation (the page reloaded with the hook in place).
  await page.context().addInitScript(() => {
    const keep = (result) => {
      const instance = result.instance || result;
      if (instance.exports && instance.exports.memory) globalThis.__pageWasm = instance.exports.memory;
      return result;
    };
    const streaming = WebAssembly.instantiateStreaming;
    WebAssembly.instantiateStreaming = (...args) => streaming(...args).then(keep);
    const plain = WebAssembly.instantiate;
    WebAssembly.instantiate = (...args) => plain(...args).then(keep);
  });
  await page.reload();
  await page.getByTestId('sample-button').waitFor();
  const pageWasm = () => page.evaluate(() => (globalThis.__pageWasm ? globalThis.__pageWasm.buffer.byteLength : NaN));
  const before = rendererMemory();
  const t0 = Date.now();
  await page.getByTestId('file-input').setInputFiles(file);
  // The page must stay responsive while the worker reads: sample the main thread's event loop.
  const lag = await page.evaluate(async () => {
    let worst = 0;
    let last = performance.now();
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const now = performance.now();
      worst = Math.max(worst, now - last - 50);
      last = now;
    }
    return worst;
  });
  // The segments are on screen as soon as the status leaves "working" (the silhouette and stability
  // follow in steps): the worker's memory is read then, between two of those steps.
  await page.waitForFunction(
    () => ['scoring', 'done', 'error'].includes(document.querySelector('[data-testid="app-status"]')?.dataset.state),
    null,
    { timeout: 900_000 },
  );
  const shownAt = Date.now() - t0;
  const atFirst = page.workers()[0]
    ? await page.workers()[0].evaluate(async () => (await wasm_bindgen()).memory.buffer.byteLength)
    : NaN;
  const state = await settled(page, 900_000);
  console.log(`load to first result: ${state}, ${shownAt} ms (silhouette in: ${Date.now() - t0} ms); rows used ${await page.getByTestId('rows-used').textContent()}; worst main-thread stall in the first 2 s: ${lag.toFixed(0)} ms`);
  // Memory: the worker's wasm memory (it only grows, so this is its peak) and the JS heaps, at the
  // first result, then once the deferred silhouette and the stability fits have run.
  const size = fs.statSync(file).size;
  const worker = page.workers()[0];
  const wasmBytes = async () =>
    worker ? await worker.evaluate(async () => (await wasm_bindgen()).memory.buffer.byteLength) : NaN;
  const mb = (b) => `${(b / 1e6).toFixed(0)} MB`;
  const first = atFirst;
  const workerHeap = worker ? await worker.evaluate(() => (self.performance && performance.memory ? performance.memory.usedJSHeapSize : NaN)) : NaN;
  const pageHeap = await page.evaluate(() => (performance.memory ? performance.memory.usedJSHeapSize : NaN));
  console.log(`memory at the first result: worker wasm ${mb(first)} (${(first / size).toFixed(1)}x the file), worker JS heap ${mb(workerHeap)}, page wasm ${mb(await pageWasm())}, page JS heap ${mb(pageHeap)}`);
  await show(page, 'analysis');
  await page
    .waitForFunction(() => {
      const el = document.querySelector('[data-testid="stability"]');
      return el && !el.textContent.includes('checking');
    }, null, { timeout: 300_000 })
    .catch(() => {});
  const after = await wasmBytes();
  console.log(`memory after the silhouette and stability: worker wasm ${mb(after)} (${(after / size).toFixed(1)}x the file)`);
  // The export of every row with its segment: the worker's memory after it, and its size.
  await show(page, 'segments');
  const exportStart = Date.now();
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 600_000 }),
    page.getByTestId('export-csv').click(),
  ]);
  const exportedBytes = fs.statSync(await download.path()).size;
  const afterExport = await wasmBytes();
  console.log(`export: ${mb(exportedBytes)} in ${Date.now() - exportStart} ms; worker wasm after it ${mb(afterExport)} (${(afterExport / size).toFixed(1)}x the file)`);
  // The whole tab: its renderer process grew from its resident size with the page open, before the
  // file, to its peak (everything the page and its workers held at once, the app's code included).
  const tab = rendererMemory();
  console.log(`the tab's renderer process: ${mb(before.rss)} resident before the file, peak ${mb(tab.hwm)}: grew by ${mb(tab.hwm - before.rss)} (${((tab.hwm - before.rss) / size).toFixed(1)}x the file)`);
  // Redrawing the PCA map (every point): show its screen, switch the shown components and read the
  // draw time.
  await show(page, 'pca');
  const map = page.getByTestId('pca-scatter');
  const draws = [];
  for (const axes of ['13', '12', '23', '12']) {
    if (!(await page.getByTestId('pca-axes').count())) break;
    await page.getByTestId('pca-axes').selectOption(axes);
    await page.waitForTimeout(300);
    draws.push(Number(await map.getAttribute('data-draw-ms')));
  }
  console.log(`PCA map redraw of ${await map.getAttribute('data-points')} points: ${draws.join(', ')} ms`);
} finally {
  await app.close();
}
