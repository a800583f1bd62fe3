// The dashboard as an app: the landing, the answer first, one screen per address with the back button,
// many segments kept readable, axe-core's accessibility rules on every screen in both themes, and the
// page working offline after a first visit. Screenshots of every screen, desktop and phone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { SCREENSHOTS, settled, setInput, show, withApp } from './browser.mjs';

const SCREENS = ['segments', 'overview', 'analysis', 'compare', 'pca', 'segment', 'explore', 'data', 'models'];
const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations of WCAG 2.2 A/AA on what is on screen now. */
async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} ${n.failureSummary}`).join(' | ')}`);
  });
}

/** 300 tight, well separated groups of 8 customers on a 20 x 15 grid. */
function manyGroups() {
  const lines = ['customer,x,y'];
  let id = 0;
  for (let g = 0; g < 300; g++) {
    for (let i = 0; i < 8; i++) {
      const x = (g % 20) * 10 + ((i % 3) - 1) * 0.2;
      const y = Math.floor(g / 20) * 10 + ((Math.floor(i / 3) % 3) - 1) * 0.2;
      lines.push(`C${id++},${x.toFixed(2)},${y.toFixed(2)}`);
    }
  }
  return lines.join('\n') + '\n';
}

test('the landing says what the tool does, with nothing empty below', async () => {
  await withApp(async ({ page }) => {
    await page.setViewportSize(DESKTOP);
    const landing = page.getByTestId('landing');
    assert.ok(await landing.isVisible());
    assert.match(await landing.textContent(), /never uploaded/);
    for (const id of ['sample-button', 'file-input', 'drop-zone', 'landing-models']) {
      assert.equal(await page.getByTestId(id).count(), 1, id);
    }
    // No screen (and no empty section) before a file.
    assert.equal(await page.locator('section.view').count(), 0);
    const empty = await page.locator('main section').evaluateAll((els) =>
      els.filter((e) => e.offsetParent !== null && e.textContent.trim() === '').map((e) => e.className));
    assert.deepEqual(empty, []);
    assert.deepEqual(await axeViolations(page), [], 'landing, light theme');
    await page.getByTestId('theme-toggle').click();
    assert.deepEqual(await axeViolations(page), [], 'landing, dark theme');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'shell-landing-desktop.png') });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'shell-landing-phone.png'), fullPage: true });
  });
});

test('the answer first, a screen per address, the back button, axe on every screen', { timeout: 240_000 }, async () => {
  await withApp(async ({ page }) => {
    await page.setViewportSize(DESKTOP);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const t0 = Date.now();
    await page.getByTestId('sample-button').click();
    await page.waitForSelector('[data-testid="overview-map"][data-drawn="true"]');
    console.log(`sample: click to the first chart drawn ${Date.now() - t0} ms`);
    assert.equal(await settled(page), 'done');
    // The segments' names and sizes are on the first screen, unscrolled.
    assert.equal(await page.evaluate(() => window.scrollY), 0);
    for (const id of ['segment-name', 'cluster-size']) {
      const boxes = await page.getByTestId(id).evaluateAll((els) => els.map((e) => e.getBoundingClientRect().bottom));
      assert.equal(boxes.length, 3, id);
      for (const bottom of boxes) assert.ok(bottom > 0 && bottom <= DESKTOP.height, `${id} at ${bottom}px`);
    }
    assert.match(await page.getByTestId('scores-words').textContent(), /segments are clearly apart/);
    assert.equal(await page.getByTestId('view-segments').getAttribute('aria-current'), 'page');

    // Every screen: its address, its heading, axe-core in both themes, a screenshot at both sizes.
    for (const theme of ['light', 'dark']) {
      if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== theme) {
        await page.getByTestId('theme-toggle').click();
      }
      for (const screen of SCREENS) {
        await show(page, screen);
        await page.waitForTimeout(150); // the charts of the screen now shown are drawn after layout
        const problems = await axeViolations(page);
        assert.deepEqual(problems, [], `${screen} in the ${theme} theme`);
        if (theme === 'light') {
          await page.screenshot({ path: path.join(SCREENSHOTS, `shell-${screen}-desktop.png`) });
        }
      }
    }
    // A chart's text alternative carries the figures it shows.
    await show(page, 'overview');
    assert.match(await page.getByTestId('pie-chart').getAttribute('aria-label'), /monto_compras: Balanced Users [\d.]+%, High Spenders [\d.]+%, Active Savers [\d.]+%/);
    assert.match(await page.getByTestId('variable-chart').getAttribute('aria-label'), /Mean n_clicks by segment: Balanced Users 384\.69, High Spenders 253\.50, Active Savers 587\.10/);
    await show(page, 'compare');
    assert.match(await page.getByTestId('compare-chart').getAttribute('aria-label'), /Balanced Users: n_visitas 88\.\d\d, monto_compras [\d.]+, monto_descuentos [\d.]+; High Spenders: /);
    // The charts of a screen are drawn once it is shown.
    await show(page, 'explore');
    assert.match(await page.getByTestId('correlation-heatmap').getAttribute('aria-label'), /Strongest: \w+ and \w+ -?[\d.]+/);
    await page.waitForSelector('[data-testid="explore-scatter"][data-drawn="true"]');

    // Back and forward move between screens; an address opens its screen.
    await show(page, 'data');
    await show(page, 'compare');
    await page.goBack();
    await page.waitForFunction(() => location.hash === '#/data' && !document.getElementById('data').hidden);
    assert.equal(await page.getByTestId('view-data').getAttribute('aria-current'), 'page');
    await page.goBack();
    await page.waitForFunction(() => location.hash === '#/explore' && !document.getElementById('explore').hidden);
    await page.goForward();
    await page.waitForFunction(() => location.hash === '#/data' && !document.getElementById('data').hidden);
    // The keyboard reaches the navigation and follows a link.
    await page.getByTestId('view-pca').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash === '#/pca' && !document.getElementById('pca').hidden);

    // On a phone: the settings fold away, the screens stack, nothing scrolls sideways.
    await page.setViewportSize(PHONE);
    await page.getByTestId('theme-toggle').click();
    for (const screen of SCREENS) {
      await show(page, screen);
      await page.waitForTimeout(150);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= PHONE.width + 1, `${screen} is ${wide}px wide on a phone`);
      await page.screenshot({ path: path.join(SCREENSHOTS, `shell-${screen}-phone.png`) });
    }
  });
});

test('300 segments: the largest by name, the others folded, every screen under three screens tall', { timeout: 240_000 }, async () => {
  await withApp(async ({ page }) => {
    await page.setViewportSize(DESKTOP);
    await page.getByTestId('file-input').setInputFiles({ name: 'many-groups.csv', mimeType: 'text/csv', buffer: Buffer.from(manyGroups()) });
    assert.equal(await settled(page), 'done');
    await page.getByTestId('method-select').selectOption('dbscan');
    await setInput(page, 'eps-input', '0.02');
    await setInput(page, 'min-samples-input', '3');
    await page.getByTestId('run-button').click();
    assert.equal(await settled(page, 120_000), 'done');
    assert.equal(Number(await page.getByTestId('segment-count').textContent()), 300);
    // The table names the 7 largest and folds the other 293, with a way to see them all.
    assert.equal(await page.getByTestId('segment-name').count(), 7);
    assert.match(await page.getByTestId('others-row').textContent(), /Others: 293 smaller segments/);
    await show(page, 'overview');
    const cards = await page.locator('[data-testid="overview-card"]').evaluateAll((els) => els.map((e) => e.dataset.segment));
    assert.deepEqual(cards, ['all', '0', '1', '2', '3', '4', '5', '6', 'others']);
    const sizes = await page.locator('[data-testid="overview-card"] .value').allTextContents();
    assert.equal(sizes.slice(1).map((s) => Number(s.replace(/\D/g, ''))).reduce((a, b) => a + b, 0), 2400);
    for (const screen of SCREENS) {
      await show(page, screen);
      await page.waitForTimeout(150);
      const tall = await page.evaluate(() => document.documentElement.scrollHeight);
      assert.ok(tall <= 3 * DESKTOP.height, `${screen}: ${tall}px tall`);
      await page.screenshot({ path: path.join(SCREENSHOTS, `shell-300-${screen}.png`) });
    }
    await show(page, 'segments');
    await page.getByTestId('show-all-segments').click();
    assert.equal(await page.getByTestId('segment-name').count(), 300);
    const tall = await page.evaluate(() => document.documentElement.scrollHeight);
    assert.ok(tall <= 3 * DESKTOP.height, `every segment listed: ${tall}px tall`);
  });
});

test('after a first visit the page opens and segments the sample with the network off', { timeout: 120_000 }, async () => {
  await withApp(async ({ page }) => {
    // The service worker has kept the app's files once it is active.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    const cached = await page.evaluate(async () => {
      const keys = await caches.keys();
      const cache = await caches.open(keys.find((k) => k.startsWith('segments-')));
      return (await cache.keys()).map((r) => new URL(r.url).pathname.split('/').pop());
    });
    for (const file of ['', 'boot.js', 'worker.js', 'worker_bg.wasm', 'dataset_ecommerce.csv', 'manifest.webmanifest']) {
      assert.ok(cached.includes(file), `${file || 'index'} cached: ${cached}`);
    }
    const manifest = await page.evaluate(async () => (await fetch('manifest.webmanifest')).json());
    assert.equal(manifest.file_handlers[0].accept['text/csv'][0], '.csv');
    await page.context().setOffline(true);
    await page.reload();
    await page.getByTestId('sample-button').click();
    assert.equal(await settled(page), 'done');
    assert.equal(Number(await page.getByTestId('segment-count').textContent()), 3);
    await page.context().setOffline(false);
  });
});

test('a change of settings re-runs by itself after a short pause, unless that is switched off', { timeout: 120_000 }, async () => {
  await withApp(async ({ page }) => {
    await page.getByTestId('sample-button').click();
    assert.equal(await settled(page), 'done');
    const segments = () => page.evaluate(() => Number(document.querySelector('[data-testid="segment-count"]').textContent));
    assert.equal(await segments(), 3);
    // k-means with 4 segments, without touching "Run".
    await page.getByTestId('method-select').selectOption('kmeans');
    await setInput(page, 'k-input', '4');
    await page.waitForFunction(() => document.querySelector('[data-testid="segment-count"]')?.textContent === '4', null, { timeout: 60_000 });
    assert.equal(await settled(page), 'done');
    const runs = await page.locator('[data-testid="comparison-table"] tbody tr').count();
    // Switched off, a change waits for "Run".
    await page.getByTestId('rerun-on-change').uncheck();
    await setInput(page, 'k-input', '5');
    await page.waitForTimeout(1500);
    assert.equal(await segments(), 4);
    assert.equal(await page.locator('[data-testid="comparison-table"] tbody tr').count(), runs);
    await page.getByTestId('run-button').click();
    assert.equal(await settled(page), 'done');
    assert.equal(await segments(), 5);
  });
});

