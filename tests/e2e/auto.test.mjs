// The default on files the page has no preset for: a 29-column campaign export and a file of purchase
// lines each end, with no setting touched, in a usable segmentation (2 to 10 segments, none over 85% of
// the customers, noise at most 20%) with the choice explained; the figures on screen describe the
// chosen result; every candidate is one click away. The original project's file keeps its preset, with
// the automatic choice shown beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { settled, int, screenshot, withApp, FIXTURES, ints } from './browser.mjs';

async function usable(page, customers) {
  const count = await int(page, 'segment-count');
  assert.ok(count >= 2 && count <= 10, `segments ${count}`);
  const used = await int(page, 'rows-used');
  const sizes = await ints(page, 'cluster-size');
  assert.equal(sizes.length, count);
  assert.ok(Math.max(...sizes) <= 0.85 * used, `sizes ${sizes} of ${used}`);
  assert.ok(await int(page, 'noise-count') <= 0.2 * used);
  assert.equal(used + await int(page, 'rows-dropped'), customers);
  const names = await page.getByTestId('segment-name').evaluateAll((els) => els.map((e) => e.value));
  assert.equal(new Set(names).size, count, `names ${names}`);
  return { count, sizes };
}

test('a campaign export with 29 columns: advised columns, a usable default and why', async () => {
  await withApp(async ({ page }) => {
    const t0 = Date.now();
    await page.getByTestId('file-input').setInputFiles(path.join(FIXTURES, 'marketing_campaign.csv'));
    assert.equal(await settled(page), 'done');
    console.log(`marketing_campaign.csv (2,240 x 29): file to chosen segments ${Date.now() - t0} ms`);
    await usable(page, 2240);
    const explanation = await page.getByTestId('auto-explanation').textContent();
    assert.match(explanation, /with \d+ segments: .* of the \d+ segmentations tried/);
    // The explanation quotes no figure of the search sample (the scores beside it are the result's).
    assert.doesNotMatch(explanation, /silhouette 0\.\d/);
    // The Columns table says why each column is in or out: the id, the constants and the rare
    // complaints are out, the skewed spend columns get log.
    const why = Object.fromEntries(await page.locator('[data-testid="schema-table"] tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [tr.dataset.column, tr.querySelector('[data-testid="column-advice"]').textContent])));
    assert.match(why.ID, /identifier/);
    assert.match(why.Z_CostContact, /constant/);
    assert.match(why.Complain, /99\.\d% of rows hold the same value/);
    assert.match(why.Education, /category/);
    assert.match(why.MntWines, /log by default: skewed/);
    assert.match(why.Dt_Customer, /days before/);
    // Segmented on none of the columns an analyst leaves out.
    const features = await page.locator('[data-testid="feature-checkbox"]:checked').evaluateAll((els) => els.map((e) => e.dataset.column));
    for (const out of ['ID', 'Z_CostContact', 'Z_Revenue', 'Complain', 'Education']) assert.ok(!features.includes(out), `${out} in ${features}`);
    // The rule is written out, and the other candidates are one click away.
    assert.match(await page.getByTestId('auto-rule').textContent(), /none under 2% or over 85%/);
    const rows = await page.locator('[data-testid="auto-candidates"] [data-testid="candidate-row"]').count();
    assert.ok(rows >= 20, `candidates ${rows}`);
    await page.getByTestId('auto-choice').locator('details.candidates > summary').click();
    const alternatives = page.locator('[data-testid="auto-alternatives"] [data-testid="candidate-row"]');
    assert.match(await alternatives.first().textContent(), /chosen/);
    await screenshot(page, 'auto-marketing');
    const second = alternatives.nth(1);
    const method = await second.getAttribute('data-method');
    await second.getByTestId('use-candidate').click();
    assert.equal(await settled(page), 'done');
    assert.equal(await page.getByTestId('method-select').inputValue(), method);
    // Not the automatic choice any more: it is offered back.
    await page.getByTestId('auto-alternative').waitFor();
    await page.getByTestId('use-auto').click();
    assert.equal(await settled(page), 'done');
    await page.getByTestId('auto-explanation').waitFor();
  });
});

test('a file of purchase lines: customers by default, their kinds found, RFM segments one click away', async () => {
  await withApp(async ({ page }) => {
    await page.getByTestId('file-input').setInputFiles(path.join(FIXTURES, 'purchases.csv'));
    assert.equal(await settled(page), 'done');
    assert.match(await page.getByTestId('rfm-report').textContent(), /became 500 customers/);
    const { count } = await usable(page, 500);
    assert.equal(count, 3, 'the three kinds of customer');
    assert.match(await page.getByTestId('auto-explanation').textContent(), /3 segments/);
    await screenshot(page, 'auto-purchases');
    // The classic RFM segments, picked by hand.
    await page.getByTestId('use-rfm').click();
    assert.equal(await settled(page), 'done');
    assert.equal(await page.getByTestId('method-select').inputValue(), 'rfm');
    const names = await page.getByTestId('segment-name').evaluateAll((els) => els.map((e) => e.value));
    assert.ok(names.includes('Champions') && names.some((n) => /Lost|Hibernating|At risk/.test(n)), `RFM names ${names}`);
    assert.equal(await int(page, 'noise-count'), 0);
  });
});

test('no clear groups: said in plain words, with tiers as the answer', async () => {
  // One cloud of customers in every column: no natural groups.
  let state = 7;
  const rand = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const normal = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const lines = ['customer,visits,spend,tenure,pages,calls'];
  for (let i = 0; i < 1500; i++) {
    lines.push(`K${i},${(50 + 10 * normal()).toFixed(1)},${(300 + 60 * normal()).toFixed(2)},${(400 + 80 * normal()).toFixed(0)},${(30 + 5 * normal()).toFixed(1)},${(8 + 2 * normal()).toFixed(2)}`);
  }
  await withApp(async ({ page }) => {
    await page.getByTestId('file-input').setInputFiles({ name: 'cloud.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
    assert.equal(await settled(page), 'done');
    assert.match(await page.getByTestId('auto-explanation').textContent(), /^No clear natural groups/);
    await page.getByTestId('no-clear-groups').waitFor();
    const names = await page.getByTestId('segment-name').evaluateAll((els) => els.map((e) => e.value));
    assert.ok(names.every((n) => /tier/i.test(n)), `tier names ${names}`);
  });
});

test('the original project\'s file keeps its preset; the automatic choice is shown beside it', async () => {
  await withApp(async ({ page }) => {
    await page.getByTestId('sample-button').click();
    assert.equal(await settled(page), 'done');
    assert.equal(await int(page, 'noise-count'), 2711);
    assert.equal(await page.getByTestId('method-select').inputValue(), 'dbscan');
    await page.getByTestId('auto-alternative').waitFor({ timeout: 60_000 });
    assert.match(await page.getByTestId('auto-alternative').textContent(), /For comparison, the automatic choice: .* segments/);
    assert.equal(await page.getByTestId('auto-explanation').count(), 0);
    assert.equal(await int(page, 'noise-count'), 2711, 'not forced on the preset');
  });
});

test('the search on a big file reports progress, says it samples, and can be cancelled', async () => {
  let state = 99;
  const rand = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lines = ['id,visits,spend,orders,tenure'];
  for (let i = 0; i < 150_000; i++) {
    const g = i % 3;
    lines.push(`${i},${(20 + 40 * g + 10 * rand()).toFixed(1)},${(100 + 500 * g * rand()).toFixed(2)},${Math.floor(1 + 5 * g + 3 * rand())},${Math.floor(900 * rand())}`);
  }
  const buffer = Buffer.from(lines.join('\n'));
  await withApp(async ({ page }) => {
    await page.getByTestId('file-input').setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer });
    await page.waitForFunction(() => document.querySelector('[data-testid="progress-step"]')?.textContent === 'Trying segmentations', null, { timeout: 60_000 });
    await page.getByTestId('cancel-button').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="app-status"]').dataset.state === 'idle');
    assert.match(await page.getByTestId('notice').textContent(), /Cancelled/);
    // Loaded again, it runs to the end and says the candidates were compared on a sample.
    await page.getByTestId('file-input').setInputFiles({ name: 'big2.csv', mimeType: 'text/csv', buffer });
    assert.equal(await settled(page, 120_000), 'done');
    assert.match(await page.getByTestId('auto-explanation').textContent(), /compared on a random sample of 5000 of the 150000 customers/);
    await usable(page, 150_000);
  });
});
