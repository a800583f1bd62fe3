import { openApp, settled } from './browser.mjs';
const app = await openApp(); const { page } = app;
await page.evaluate(() => {
  window.__lt = []; window.__t0 = performance.now();
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lt.push([Math.round(e.startTime - window.__t0), Math.round(e.duration)]); }).observe({ entryTypes: ['longtask'] });
  window.__log = [];
  new MutationObserver(() => {
    const s = document.querySelector('[data-testid="progress-step"]');
    const st = document.querySelector('[data-testid="app-status"]')?.dataset.state;
    const v = `${st} ${s ? s.textContent : ''}`;
    if (window.__log.at(-1)?.[1] !== v) window.__log.push([Math.round(performance.now() - window.__t0), v]);
  }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
});
await page.getByTestId('file-input').setInputFiles(process.argv[2]);
await settled(page, 600000);
console.log(JSON.stringify(await page.evaluate(() => window.__lt)));
console.log(JSON.stringify(await page.evaluate(() => window.__log)));
await app.close();
