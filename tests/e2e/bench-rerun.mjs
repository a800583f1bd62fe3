// Benchmark (not a test): a change of eps or k on the 55k-row sample, from the click on Run to the
// answer screen's map drawn again (the worker's fit, the reply, the page's update and the canvas).
// Run: `cd tests/e2e && node bench-rerun.mjs` after `trunk build --release`.
import { openApp, settled, setInput } from './browser.mjs';

/** Clicks Run and returns the milliseconds until a new answer-screen map has been drawn. */
async function timedRun(page) {
  return page.evaluate(async () => {
    window.__messages = [];
    document.querySelector('[data-testid="overview-map"]')?.removeAttribute('data-draw-ms');
    const t0 = performance.now();
    document.querySelector('[data-testid="run-button"]').click();
    await new Promise((resolve) => {
      const drawn = () => {
        const map = document.querySelector('[data-testid="overview-map"]');
        const state = document.querySelector('[data-testid="app-status"]')?.dataset.state;
        return ['scoring', 'done'].includes(state) && map && map.hasAttribute('data-draw-ms');
      };
      const poll = () => (drawn() ? resolve() : requestAnimationFrame(poll));
      poll();
    });
    // The frame that shows it.
    await new Promise((r) => requestAnimationFrame(() => r()));
    const total = performance.now() - t0;
    // Where the time went: each message between page and worker, ms after the click.
    const steps = window.__messages.map(([t, what]) => `${what} ${(t - t0).toFixed(0)}`);
    return { total, steps };
  });
}

/** Records when each message crosses between the page and the worker (set before the app starts). */
function watchWorkerMessages() {
  const Original = window.Worker;
  window.__messages = [];
  window.Worker = class extends Original {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        try {
          const reply = JSON.parse(e.data.json);
          const size = reply.type === 'done' ? ` (${(e.data.json.length / 1e6).toFixed(1)} MB)` : '';
          window.__messages.push([performance.now(), `${reply.type}${reply.stage ? `:${reply.stage}` : ''}${size}`]);
        } catch {
          // not a reply of ours
        }
      });
    }
    postMessage(message, transfer) {
      window.__messages.push([performance.now(), 'sent']);
      super.postMessage(message, transfer);
    }
  };
}

const app = await openApp();
try {
  const { page } = app;
  await page.addInitScript(watchWorkerMessages);
  await page.reload();
  await page.getByTestId('sample-button').click();
  await settled(page);
  await page.getByTestId('rerun-on-change').uncheck();
  const report = async (what, values, testid) => {
    const times = [];
    const worker = [];
    for (const v of values) {
      await setInput(page, testid, String(v));
      const { total, steps } = await timedRun(page);
      times.push(total);
      if (process.env.STEPS) console.log(`  ${steps.join(', ')}, drawn ${total.toFixed(0)}`);
      await settled(page);
      worker.push(await page.getByTestId('elapsed-ms').textContent());
      // The next change once the worker is idle again (its silhouette and stability measured): a
      // change during them waits for the step under way (up to one subsample fit).
      await page.waitForFunction(() => !/checking/.test(document.querySelector('[data-testid="stability"]')?.textContent ?? ''), null, { timeout: 60_000 });
      // Then the work ahead (DBSCAN's index for any eps, k-means at k ± 1) runs, as while a person reads
      // the result before changing a setting; IDLE_MS=0 clicks at once instead.
      await page.waitForTimeout(Number(process.env.IDLE_MS ?? 3000));
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`${what}: click to drawn map ${times.map((t) => t.toFixed(0)).join(', ')} ms; median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms (request to reply ${worker.join(', ')} ms)`);
  };
  await page.getByTestId('method-select').selectOption('dbscan');
  await settled(page);
  await report('DBSCAN eps change', [0.036, 0.044, 0.04, 0.05, 0.038], 'eps-input');
  await page.getByTestId('method-select').selectOption('kmeans');
  await settled(page);
  // 4, 5, 6 and back to 4 are one step from a k fitted (kept, or fitted ahead); 9 is not.
  await report('k-means k change', [3, 4, 5, 6, 4, 9], 'k-input');
} finally {
  await app.close();
}
