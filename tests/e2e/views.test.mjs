// The dashboard's views: every navigation control reaches its view, every chart draws, and the numbers
// the views show equal those computed here from the page's own labeled export (counts, pie shares,
// ratios, segment means, effect sizes). Screenshots of each view go to tests/e2e/screenshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES, screenshot, settled, show, withApp } from './browser.mjs';

const VIEWS = ['segments', 'overview', 'analysis', 'compare', 'pca', 'segment', 'explore', 'data', 'models'];
/** The charts each screen draws once shown. */
const CHARTS = {
  segments: ['overview-map', 'silhouette-plot'],
  overview: ['pie-chart', 'variable-chart'],
  analysis: ['analysis-scatter', 'analysis-histogram'],
  compare: ['compare-chart'],
  pca: ['pca-scatter', 'scree-chart'],
  explore: ['explore-histogram', 'explore-box', 'correlation-heatmap', 'explore-scatter'],
};

/** The labeled export as rows of objects (simple CSV: the fixtures here have no quoted commas). */
async function exportedRows(page) {
  await show(page, 'segments');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const lines = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  return lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])));
}

/** Per segment (0-based), the rows of the export in it. */
function bySegment(rows) {
  const groups = [];
  for (const r of rows) {
    if (r.segment === '') continue;
    const s = Number(r.segment) - 1;
    (groups[s] ||= []).push(r);
  }
  return groups;
}

const sum = (rows, col) => rows.reduce((a, r) => a + Number(r[col]), 0);
const mean = (rows, col) => sum(rows, col) / rows.length;
const sd = (rows, col) => {
  const m = mean(rows, col);
  return Math.sqrt(rows.reduce((a, r) => a + (Number(r[col]) - m) ** 2, 0) / (rows.length - 1));
};
const close = (a, b, rel = 1e-9) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));

/** Every screen through the navigation: shown alone, marked current, its charts drawn, a screenshot. */
async function visitEveryView(page, name) {
  for (const view of VIEWS) {
    await show(page, view);
    const shown = await page.locator('section.view').evaluateAll((els) => els.filter((e) => !e.hidden).map((e) => e.id));
    assert.deepEqual(shown, [view]);
    assert.equal(await page.getByTestId(`view-${view}`).getAttribute('aria-current'), 'page');
    // (A chart the result has no data for is not there, or hidden with a note saying why.)
    await page.waitForFunction((ids) => ids.every((id) => {
      const chart = document.querySelector(`[data-testid="${id}"]`);
      return !chart || chart.closest('[hidden]') !== null || chart.dataset.drawn === 'true';
    }), CHARTS[view] ?? []);
    await page.screenshot({ path: path.join(path.dirname(new URL(import.meta.url).pathname), 'screenshots', `${name}-${view}.png`) });
  }
}

test('every view of the sample, with numbers equal to the labeled export', { timeout: 180_000 }, async () => {
  await withApp(async ({ page }) => {
    await page.getByTestId('sample-button').click();
    assert.equal(await settled(page), 'done');
    fs.mkdirSync(path.join(path.dirname(new URL(import.meta.url).pathname), 'screenshots'), { recursive: true });
    await visitEveryView(page, 'sample');

    const everyRow = await exportedRows(page);
    const rows = everyRow.filter((r) => r.segment_name !== 'dropped by cleaning');

    // Data: the preview pages through the file as it was, each row with the segment the export gives it.
    await show(page, 'data');
    const range = () => page.getByTestId('preview-range').textContent();
    // The page is asked for while the Data screen is shown.
    await page.waitForFunction(() => document.querySelector('[data-testid="preview-range"]')?.textContent.startsWith('rows 1–50'));
    assert.equal(await range(), `rows 1–50 of ${everyRow.length.toLocaleString('en-US')}`);
    await page.getByTestId('preview-next').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="preview-range"]').textContent.startsWith('rows 51–100'));
    const previewInput = page.getByTestId('preview-row');
    await previewInput.fill('54999');
    await previewInput.dispatchEvent('change');
    await page.waitForFunction(() => document.querySelector('[data-testid="preview-range"]').textContent.startsWith('rows 54,999–'));
    const shownSegments = await page.getByTestId('preview-segment').allTextContents();
    shownSegments.forEach((text, i) => {
      const want = everyRow[54998 + i].segment_name;
      assert.equal(text.trim(), want === 'noise' ? 'Noise' : want, `preview row ${54999 + i}`);
    });
    await page.getByTestId('preview-last').click();
    await page.waitForFunction((n) => document.querySelector('[data-testid="preview-range"]').textContent.endsWith(`of ${n}`) && document.querySelectorAll('[data-testid="preview-row-data"]').length === ((n.replace(/,/g, '') - 1) % 50) + 1, everyRow.length.toLocaleString('en-US'));
    const segments = bySegment(rows);
    const n = segments.length;
    assert.equal(n, 3);

    // Overview: the count cards.
    await show(page, 'overview');
    const card = (s) => page.locator(`[data-testid="overview-card"][data-segment="${s}"] .value`).textContent();
    assert.equal(Number((await card('all')).replace(/\D/g, '')), rows.length);
    for (let s = 0; s < n; s++) assert.equal(Number((await card(s)).replace(/\D/g, '')), segments[s].length);

    // The pie: each segment's share of the chosen variable's total (purchases by default).
    await page.getByTestId('pie-variable').selectOption({ label: 'monto_compras' });
    const total = segments.reduce((a, g) => a + sum(g, 'monto_compras'), 0);
    for (let s = 0; s < n; s++) {
      const share = Number(await page.locator(`[data-testid="pie-share"][data-segment="${s}"]`).getAttribute('data-share'));
      assert.ok(close(share, sum(segments[s], 'monto_compras') / total), `pie share ${s}: ${share}`);
    }

    // The ratio card: purchases per visit, per segment and overall.
    await page.getByTestId('ratio-numerator').selectOption({ label: 'monto_compras' });
    await page.getByTestId('ratio-denominator').selectOption({ label: 'n_visitas' });
    for (let s = 0; s < n; s++) {
      const r = Number(await page.locator(`[data-testid="ratio-value"][data-segment="${s}"]`).getAttribute('data-ratio'));
      assert.ok(close(r, sum(segments[s], 'monto_compras') / sum(segments[s], 'n_visitas')), `ratio ${s}: ${r}`);
    }

    // Every chart type of the variable chart draws.
    for (const kind of ['histogram', 'box', 'means']) {
      await page.getByTestId('chart-type').selectOption(kind);
      await page.waitForFunction(() => document.querySelector('[data-testid="variable-chart"]').dataset.drawn === 'true');
    }

    // Segment analysis: the second segment's cards hold its means.
    await show(page, 'analysis');
    await page.getByTestId('analysis-segment').selectOption('1');
    const visits = Number(await page.locator('[data-testid="analysis-card"][data-card="n_visitas"]').getAttribute('data-mean'));
    assert.ok(close(visits, mean(segments[1], 'n_visitas'), 1e-9), `analysis mean ${visits}`);

    // Compare: the first two segments; d of segment 1 against segment 0 for visits.
    await show(page, 'compare');
    const diff = page.locator('[data-testid="compare-difference"][data-variable="n_visitas"]').first();
    const d = Number(await diff.getAttribute('data-effect'));
    const [a, b] = [segments[1], segments[0]];
    const pooled = Math.sqrt(((a.length - 1) * sd(a, 'n_visitas') ** 2 + (b.length - 1) * sd(b, 'n_visitas') ** 2) / (a.length + b.length - 2));
    assert.ok(close(d, (mean(a, 'n_visitas') - mean(b, 'n_visitas')) / pooled, 1e-9), `effect size ${d}`);
    assert.match(await diff.textContent(), /n_visitas: .* average .*(more|less) than .*difference \(d = /);
    // A third segment adds its comparisons.
    const before = await page.getByTestId('compare-difference').count();
    await page.locator('[data-testid="compare-segment"][data-segment="2"]').check();
    assert.equal(await page.getByTestId('compare-difference').count(), 2 * before);

    // Explore: the summary of a variable equals the export's (rows used).
    await show(page, 'explore');
    await page.getByTestId('explore-variable').selectOption({ label: 'n_visitas' });
    const exploreMean = Number((await page.getByTestId('explore-mean').textContent()).replace(/[^0-9.-]/g, ''));
    assert.ok(Math.abs(exploreMean - mean(rows, 'n_visitas')) < 0.006, `explore mean ${exploreMean}`);

    // The profiles as CSV: one row per segment with its size and means, then noise.
    await show(page, 'segments');
    const [prof] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-profiles').click()]);
    assert.equal(prof.suggestedFilename(), 'dataset_ecommerce-profiles.csv');
    const profLines = fs.readFileSync(await prof.path(), 'utf8').trim().split('\n');
    assert.match(profLines[0], /^segment,segment_name,customers,share,mean_n_visitas,ratio_to_average_n_visitas,/);
    assert.match(profLines[0], /,profile,rule,rule_catches,rule_wrongly_includes\r?$/);
    for (let s = 0; s < n; s++) {
      const [id, , customers, , meanVisits] = profLines[s + 1].split(',');
      assert.equal(Number(id), s + 1);
      assert.equal(Number(customers), segments[s].length);
      assert.ok(close(Number(meanVisits), mean(segments[s], 'n_visitas'), 1e-9), `profile mean ${meanVisits}`);
    }
    assert.match(profLines[n + 1], /^,noise,2711,/);

    // Segment: the eps slider moves the current eps (and the settings follow).
    await show(page, 'segment');
    await page.getByTestId('eps-slider').fill('0.05');
    await page.waitForFunction(() => document.querySelector('[data-testid="eps-slider-value"]').textContent === '0.0500');
    assert.equal(Number(await page.getByTestId('eps-input').inputValue()), 0.05);

    // Any chart as PNG.
    await show(page, 'overview');
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('png-pie-chart').click()]);
    assert.equal(png.suggestedFilename(), 'pie-chart.png');
    assert.deepEqual([...fs.readFileSync(await png.path()).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);

    // The guidance and result charts save as PNG too.
    for (const [screen, chart] of [['segment', 'k-distance-chart'], ['segments', 'silhouette-plot'], ['pca', 'pca-scatter'], ['pca', 'scree-chart']]) {
      await show(page, screen);
      const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`png-${chart}`).click()]);
      assert.equal(file.suggestedFilename(), `${chart}.png`);
    }

    // The theme switch.
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    const first = await theme();
    await page.getByTestId('theme-toggle').click();
    assert.notEqual(await theme(), first);
    await screenshot(page, 'sample-theme-switched');
  });
});

test('every view of another file (a US export with currency and percentages)', { timeout: 180_000 }, async () => {
  await withApp(async ({ page }) => {
    await page.getByTestId('file-input').setInputFiles(path.join(FIXTURES, 'nasty', 'us_export.csv'));
    assert.equal(await settled(page), 'done');
    await visitEveryView(page, 'us-export');
    const used = Number((await page.getByTestId('rows-used').textContent()).replace(/\D/g, ''));
    const cards = await page.locator('[data-testid="overview-card"]:not([data-segment="all"]) .value').allTextContents();
    const noise = Number((await page.getByTestId('noise-count').textContent()).replace(/\D/g, ''));
    assert.equal(cards.map((c) => Number(c.replace(/\D/g, ''))).reduce((a, b) => a + b, 0) + noise, used);
    const shares = await page.getByTestId('pie-share').evaluateAll((els) => els.map((e) => Number(e.dataset.share)));
    if (shares.length) assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  });
});

test('the PCA map: legend toggles, zoom and pan, hover names the point, scree and biplot', { timeout: 120_000 }, async () => {
  await withApp(async ({ page }) => {
    await page.getByTestId('sample-button').click();
    assert.equal(await settled(page), 'done');
    await show(page, 'pca');
    const map = page.getByTestId('pca-scatter');
    await page.waitForFunction(() => document.querySelector('[data-testid="scree-chart"]')?.dataset.drawn === 'true');
    const shown = async () => Number(await map.getAttribute('data-shown'));
    const all = await shown();
    assert.equal(all, 55002);
    // Hiding the largest segment removes exactly its customers from the map; showing it brings them back.
    const largest = Number((await page.getByTestId('cluster-size').first().textContent()).replace(/\D/g, ''));
    await page.locator('[data-testid="legend-toggle"][data-segment="0"]').click();
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="pca-scatter"]').dataset.shown) === n, all - largest);
    assert.equal(await page.locator('[data-testid="legend-toggle"][data-segment="0"]').getAttribute('aria-pressed'), 'false');
    await page.locator('[data-testid="legend-toggle"][data-segment="0"]').click();
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="pca-scatter"]').dataset.shown) === n, all);
    // Wheel zooms, the buttons zoom (keyboard users), double click shows everything again.
    const box = await map.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -300);
    await page.waitForFunction(() => document.querySelector('[data-testid="pca-scatter"]').dataset.zoomed === 'true');
    await map.dblclick();
    await page.waitForFunction(() => document.querySelector('[data-testid="pca-scatter"]').dataset.zoomed === 'false');
    await page.getByTestId('zoom-in').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="pca-scatter"]').dataset.zoomed === 'true');
    await page.getByTestId('zoom-reset').click();
    // Pointing at the map names a customer and its segment (positions taken after any scrolling).
    await page.waitForFunction(() => document.querySelector('[data-testid="pca-scatter"]').dataset.zoomed === 'false');
    await map.scrollIntoViewIfNeeded();
    const area = await map.boundingBox();
    let tip = null;
    for (let j = 2; j < 9 && !tip; j++) {
      for (let i = 2; i < 30 && !tip; i++) {
        await page.mouse.move(area.x + (area.width * i) / 30, area.y + (area.height * j) / 10);
        await page.waitForTimeout(20);
        if (await page.getByTestId('scatter-tooltip').count()) tip = await page.getByTestId('scatter-tooltip').textContent();
      }
    }
    assert.match(tip ?? '', /(Balanced Users|High Spenders|Active Savers|Noise) · customer [\d,]+ of 55,002 used · PC1/);
    // ...and, from the worker, the customer's row as it is in the file.
    await page.getByTestId('scatter-tooltip-row').waitFor({ timeout: 10_000 });
    assert.match(await page.getByTestId('scatter-tooltip-row').textContent(), /^row [\d,]+ of the file: ID \S+ · n_clicks /);
    await page.getByTestId('biplot-toggle').uncheck();
    await page.getByTestId('biplot-toggle').check();
    await screenshot(page, 'sample-pca-map');
  });
});
