// The corpus of nasty files (tests/fixtures/nasty) uploaded through the page: the schema table shows
// each column's type as expected.json states it, the files with known groups give those groups with
// the suggested settings, and a column's role can be changed in the schema table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { settled, withApp, screenshot, int, FIXTURES, show, ints } from './browser.mjs';

const NASTY = path.join(FIXTURES, 'nasty');
const expected = JSON.parse(fs.readFileSync(path.join(NASTY, 'expected.json'), 'utf8'));

test('nasty files: schema, rows and segments as expected', async () => {
  await withApp(async ({ page }) => {
    for (const [file, want] of Object.entries(expected)) {
      await page.getByTestId('file-input').setInputFiles(path.join(NASTY, file));
      assert.equal(await settled(page), 'done', file);
      const rows = await page.locator('[data-testid="schema-table"] tbody tr').evaluateAll((trs) =>
        trs.map((tr) => [tr.dataset.column, tr.querySelector('[data-testid="column-type"]').textContent]));
      assert.deepEqual(rows, want.columns, file);
      const used = Number((await page.getByTestId('rows-used').textContent()).replace(/,/g, ''));
      const dropped = Number((await page.getByTestId('rows-dropped').textContent()).replace(/,/g, ''));
      assert.equal(used + dropped, want.rows, file);
      if (want.segments) {
        const sizes = await ints(page, 'cluster-size');
        assert.deepEqual(sizes, want.segments, file);
      }
    }
    await screenshot(page, 'nasty-last');
  });
});

test('a column left out in the schema table is no longer a feature', async () => {
  await withApp(async ({ page }) => {
    await page.getByTestId('file-input').setInputFiles(path.join(NASTY, 'us_export.csv'));
    assert.equal(await settled(page), 'done');
    const checked = () => page.locator('[data-testid="feature-checkbox"]:checked').evaluateAll((els) => els.map((e) => e.dataset.column));
    assert.deepEqual(await checked(), ['revenue', 'refunds', 'margin']);
    await show(page, 'data');
    await page.locator('[data-testid="role-select"][data-column="margin"]').selectOption('ignored');
    assert.deepEqual(await checked(), ['revenue', 'refunds']);
    // A yes/no column can be a feature.
    await page.locator('[data-testid="role-select"][data-column="active"]').selectOption('feature');
    assert.deepEqual(await checked(), ['revenue', 'refunds', 'active']);
    await page.getByTestId('run-button').click();
    assert.equal(await settled(page), 'done');
    assert.match(await page.getByTestId('segment-table').textContent(), /mean active/);
    await screenshot(page, 'schema-roles');
    // A date column becomes a feature as days before the file's latest date: the latest order is 0 days.
    await page.locator('[data-testid="role-select"][data-column="first_order"]').selectOption('feature');
    assert.deepEqual(await checked(), ['revenue', 'refunds', 'first_order', 'active']);
    await page.getByTestId('date-feature-tag').first().waitFor();
    await page.getByTestId('run-button').click();
    assert.equal(await settled(page), 'done');
    assert.match(await page.getByTestId('segment-table').textContent(), /mean first_order/);
    await show(page, 'explore');
    await page.getByTestId('explore-variable').selectOption({ label: 'first_order' });
    await show(page, 'data');
    const min = await page.locator('[data-testid="explore-summary"] td').nth(4).textContent();
    assert.equal(Number(min), 0);
    // A category can be a feature too, by how common its value is, with the caveat beside it.
    await page.locator('[data-testid="role-select"][data-column="region"]').selectOption('feature');
    await page.getByTestId('category-feature-tag').waitFor();
    assert.match(await page.getByTestId('category-feature-tag').getAttribute('title'), /two values as common look the same/);
    await page.getByTestId('run-button').click();
    assert.equal(await settled(page), 'done');
    assert.match(await page.getByTestId('segment-table').textContent(), /mean region/);
  });
});

test('filling missing values, duplicates and outliers: each rule counted in the report', async () => {
  await withApp(async ({ page }) => {
    await page.getByTestId('file-input').setInputFiles(path.join(FIXTURES, 'messy_export.csv'));
    assert.equal(await settled(page), 'done');
    const dropped = async () => Number((await page.getByTestId('rows-dropped').textContent()).replace(/,/g, ''));
    const before = await dropped();
    assert.ok(before > 0, 'the messy export has bad feature cells');
    await page.getByTestId('impute-select').selectOption('median');
    await page.getByTestId('rule-duplicate-rows').check();
    await page.getByTestId('outliers-select').selectOption('iqr');
    await page.getByTestId('run-button').click();
    assert.equal(await settled(page), 'done');
    const rules = await page.getByTestId('cleaning-step').allTextContents();
    assert.ok(rules.some((r) => r.includes('filled with the feature\'s median')), rules.join('\n'));
    assert.ok(rules.some((r) => r.includes('duplicate row')), rules.join('\n'));
    assert.ok(rules.some((r) => r.includes('outlier')), rules.join('\n'));
    const counts = (await page.getByTestId('cleaning-dropped').allTextContents()).map((t) => Number(t.replace(/,/g, '')));
    assert.equal(await dropped(), counts.reduce((a, b) => a + b, 0));
    await screenshot(page, 'cleaning-rules');
    // A feature's own choice: visits filled with its median while spend keeps the general "drop".
    await page.getByTestId('impute-select').selectOption('drop');
    await page.locator('[data-testid="impute-column"][data-column="visits"]').selectOption('median');
    await page.getByTestId('run-button').click();
    assert.equal(await settled(page), 'done');
    const steps = await page.getByTestId('cleaning-step').allTextContents();
    const fill = steps.find((r) => r.includes('filled with the feature'));
    assert.ok(fill && fill.includes('visits (filled with') && !fill.includes('spend (filled'), steps.join('\n'));
    assert.ok(steps.some((r) => r.includes('missing') && r.includes('spend')), steps.join('\n'));
  });
});

test('a transaction file is segmented per customer by default (RFM, as pandas computes it), or line by line on request', async () => {
  const want = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'transactions.expected.json'), 'utf8'));
  await withApp(async ({ page }) => {
    await page.getByTestId('file-input').setInputFiles(path.join(FIXTURES, 'transactions.csv'));
    assert.equal(await settled(page), 'done');
    // Customers, not lines: the note says what was aggregated and left out.
    const report = await page.getByTestId('rfm-report').textContent();
    assert.match(report, new RegExp(`became ${want.customers} customers`));
    assert.match(report, new RegExp(`${want.without_customer} lines without a customer id, ${want.cancellations} cancellations`));
    assert.match(report, new RegExp(want.latest_date));
    assert.equal(await int(page, 'rows-used') + await int(page, 'rows-dropped'), want.customers);
    assert.equal(await page.getByTestId('rfm-panel').count(), 0, 'the customer table is not offered again');
    assert.match(await page.getByTestId('auto-explanation').textContent(), /segments/);
    const checked = () => page.locator('[data-testid="feature-checkbox"]:checked').evaluateAll((els) => els.map((e) => e.dataset.column));
    assert.deepEqual(await checked(), ['recency_days', 'frequency', 'monetary', 'average_order_value']);
    assert.ok(Number(await page.getByTestId('segment-count').textContent()) >= 2);
    // The downloads are named after the customers.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    assert.equal(download.suggestedFilename(), 'transactions-customers-segments.csv');
    const exported = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
    assert.equal(exported.length, want.customers + 1);
    assert.match(exported[0], /^customer_id,recency_days,frequency,monetary,average_order_value,segment,segment_name$/);

    // One click segments the purchase lines as they are; the aggregation is then offered, and gives
    // the customers back.
    await show(page, 'data');
    // The columns read are said, and changed in the same short form: without the order column, each
    // purchase day is an order; the customers stay the same.
    assert.equal(await page.getByTestId('rfm-columns').textContent(),
      'Read as: customer = CustomerID, order = InvoiceNo, date = InvoiceDate, amount = Quantity x UnitPrice.');
    await page.locator('[data-testid="rfm-change"] summary').click();
    await page.locator('[data-testid="rfm-change"] [data-testid="rfm-map"][data-role="invoice"]').selectOption('');
    await page.getByTestId('rfm-button').click();
    assert.equal(await settled(page), 'done');
    assert.match(await page.getByTestId('rfm-columns').textContent(), /order = each purchase day, date = InvoiceDate/);
    assert.match(await page.getByTestId('rfm-report').textContent(), new RegExp(`became ${want.customers} customers`));
    await show(page, 'data');
    await page.getByTestId('rfm-as-is').click();
    assert.equal(await settled(page), 'done');
    await page.getByTestId('rfm-panel').waitFor();
    assert.equal(await int(page, 'rows-used') + await int(page, 'rows-dropped'), want.rows_in);
    const mapped = await page.getByTestId('rfm-map').evaluateAll((els) => els.map((e) => [e.dataset.role, e.value]));
    assert.deepEqual(mapped, [['customer', 'CustomerID'], ['invoice', 'InvoiceNo'], ['date', 'InvoiceDate'], ['quantity', 'Quantity'], ['price', 'UnitPrice'], ['amount', '']]);
    await page.getByTestId('rfm-button').click();
    assert.equal(await settled(page), 'done');
    assert.match(await page.getByTestId('rfm-report').textContent(), new RegExp(`became ${want.customers} customers`));

    // Skewed money: segment on log(1 + monetary) or not; the table shows means in the file's units.
    const log = page.locator('[data-testid="log-checkbox"][data-column="monetary"]');
    if (await log.isChecked()) await log.uncheck(); else await log.check();
    await page.getByTestId('run-button').click();
    assert.equal(await settled(page), 'done');
    const headers = await page.locator('[data-testid="segment-table"] thead th').allTextContents();
    const m = headers.indexOf('mean monetary');
    const means = await page.locator('[data-testid="segment-table"] tbody tr:not(.noise-row):not(.rule-row)').evaluateAll((rows, m) => rows.map((r) => Number(r.children[m].textContent.replace(/,/g, ''))), m);
    assert.ok(means.every((v) => v > 20), `monetary means in the file's units: ${means}`);
    assert.match(await page.getByTestId('share-link').inputValue(), /#spec=/);
    await screenshot(page, 'rfm');
  });
});

test('categories describe segments: a value over-represented in a segment is said of it, in a customer table and in purchase lines', async () => {
  // Seeded: two groups of customers apart in visits and spend; Spain is 60% of the first group and
  // 10% of the second (30% overall); the plan is independent of the groups.
  let seed = 7;
  const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  const table = ['id,country,plan,visits,spend'];
  for (let i = 0; i < 1200; i++) {
    const big = rnd() < 0.4;
    const country = rnd() < (big ? 0.6 : 0.1) ? 'Spain' : (rnd() < 0.5 ? 'France' : 'Germany');
    const plan = rnd() < 0.5 ? 'basic' : 'plus';
    const visits = Math.round((big ? 30 : 5) * (0.8 + 0.4 * rnd()));
    const spend = ((big ? 900 : 120) * (0.8 + 0.4 * rnd())).toFixed(2);
    table.push(`C${10000 + i},${country},${plan},${visits},${spend}`);
  }
  // Purchase lines: each customer's segment (a customer attribute) on every line, the product varying.
  const lines = ['order,date,customer,segment,product,sales'];
  for (let c = 0; c < 400; c++) {
    const big = rnd() < 0.4;
    const segment = rnd() < (big ? 0.7 : 0.15) ? 'Corporate' : 'Consumer';
    const orders = big ? 8 + Math.floor(4 * rnd()) : 1 + Math.floor(2 * rnd());
    for (let o = 0; o < orders; o++) {
      const day = 1 + Math.floor(rnd() * (big ? 60 : 360));
      const date = new Date(Date.UTC(2024, 0, day)).toISOString().slice(0, 10);
      const sales = ((big ? 300 : 40) * (0.7 + 0.6 * rnd())).toFixed(2);
      lines.push(`O${c}-${o},${date},K${c},${segment},P${Math.floor(rnd() * 6)},${sales}`);
    }
  }
  await withApp(async ({ page }) => {
    const load = async (name, rows) => {
      await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n') + '\n') });
      assert.equal(await settled(page), 'done');
      return (await page.getByTestId('segment-traits').allTextContents()).join('\n');
    };
    const traits = await load('countries.csv', table);
    assert.match(traits, /country Spain for (5|6|7)\d% \((2|3)\d% overall\)/);
    assert.doesNotMatch(traits, /plan/);
    const features = await page.locator('[data-testid="feature-checkbox"]:checked').evaluateAll((els) => els.map((e) => e.dataset.column));
    assert.deepEqual(features.sort(), ['spend', 'visits']);
    const carried = await load('lines.csv', lines);
    assert.match(await page.getByTestId('rfm-columns').textContent(), /customer = customer, order = order, date = date, amount = sales/);
    assert.match(carried, /segment Corporate for \d+% \(\d+% overall\)/);
    assert.doesNotMatch(carried, /product/);
  });
});
