// Files of the generated corpus (tests/fixtures/corpus, written by examples/write_fixtures.rs with
// the planted groups' sizes beside each): a CRM export whose newsletter flag is independent of the
// customers' behaviour, order lines whose customer is a company name, and a whitespace-aligned purchase
// log with YYYYMMDD dates. With no setting touched, each ends with the planted segments (the sizes,
// each within 2% of the customers), explained, never segmented on the flag, and purchase logs per
// customer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { settled, int, screenshot, show, withApp, FIXTURES, ints } from './browser.mjs';

const CORPUS = path.join(FIXTURES, 'corpus');

async function planted(page, file, name) {
  await page.getByTestId('file-input').setInputFiles(path.join(CORPUS, file));
  assert.equal(await settled(page), 'done');
  const truth = JSON.parse(fs.readFileSync(path.join(CORPUS, `${name}.truth.json`), 'utf8')).sizes;
  const customers = truth.reduce((a, b) => a + b, 0);
  assert.equal(await int(page, 'segment-count'), truth.length);
  const sizes = await ints(page, 'cluster-size');
  assert.equal(await int(page, 'rows-used'), customers);
  sizes.forEach((s, i) => assert.ok(Math.abs(s - truth[i]) <= 0.02 * customers, `sizes ${sizes}, planted ${truth}`));
  const explanation = await page.getByTestId('auto-explanation').textContent();
  assert.match(explanation, new RegExp(`with ${truth.length} segments: `));
  await screenshot(page, `corpus-${name}`);
  return explanation;
}

test('a CRM export: the planted groups, the newsletter flag describing rather than defining them', async () => {
  await withApp(async ({ page }) => {
    await planted(page, 'crm.csv', 'crm');
    const features = await page.locator('[data-testid="feature-checkbox"]:checked').evaluateAll((els) => els.map((e) => e.dataset.column));
    for (const never of ['customer_id', 'newsletter', 'country']) assert.ok(!features.includes(never), `${never} in ${features}`);
    await show(page, 'data');
    const roles = Object.fromEntries(await page.locator('[data-testid="schema-table"] tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [tr.dataset.column, tr.querySelector('[data-testid="column-role"]').textContent])));
    assert.equal(roles.newsletter, 'yes/no flag');
    assert.equal(roles.customer_id, 'identifier');
    assert.equal(roles.revenue, 'measure');
    assert.equal(roles.last_order_date, 'date');
  });
});

test('order lines whose customer is a company name: customers, not lines', async () => {
  await withApp(async ({ page }) => {
    await planted(page, 'log_company.csv', 'log_company');
    assert.match(await page.getByTestId('rfm-report').textContent(), /lines/);
  });
});

test('a whitespace-aligned purchase log with YYYYMMDD dates is read and segmented per customer', async () => {
  await withApp(async ({ page }) => {
    await planted(page, 'log_aligned.txt', 'log_aligned');
    assert.match(await page.getByTestId('rfm-report').textContent(), /lines/);
    // The Columns table says how the file the person gave was read, not the customers' table.
    await show(page, 'data');
    assert.match(await page.getByTestId('source').textContent(), /^Read as UTF-8, space separated, [\d,]+ purchase lines, 200 customers\./);
  });
});

test('a table whose customer the values leave in doubt is asked about, not guessed: rows kept, one click aggregates', async () => {
  // A number on every row once, a city that repeats on many signup days: customers, or a log of
  // purchases by city? Generated here with a fixed seed.
  let seed = 41;
  const next = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return Math.floor((seed / 2147483648) * n); };
  const lines = ['nr,stad,aangemeld,bezoeken,besteed'];
  for (let c = 0; c < 3000; c++) {
    const day = next(600);
    lines.push(`${100000 + c},Stad${String(next(300)).padStart(3, '0')},${2024 + Math.floor(day / 365)}-${String(1 + Math.floor((day % 365) / 31)).padStart(2, '0')}-${String(1 + (day % 28)).padStart(2, '0')},${3 + next(30)},${(50 + next(90000) / 100).toFixed(2)}`);
  }
  const cities = new Set(lines.slice(1).map((l) => l.split(',')[1])).size;
  await withApp(async ({ page }) => {
    await page.getByTestId('file-input').setInputFiles({ name: 'klanten.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });
    assert.equal(await settled(page), 'done');
    assert.equal(await int(page, 'rows-used') + await int(page, 'rows-dropped'), 3000, 'one row per customer, as it is');
    await show(page, 'data');
    assert.match(await page.getByTestId('rfm-doubt').textContent(), /"nr" names every row once/);
    const mapped = await page.getByTestId('rfm-map').evaluateAll((els) => els.map((e) => [e.dataset.role, e.value]));
    assert.deepEqual(mapped.slice(0, 3), [['customer', 'stad'], ['invoice', ''], ['date', 'aangemeld']]);
    await screenshot(page, 'corpus-doubt');
    // The guess is one click away.
    await page.getByTestId('rfm-button').click();
    assert.equal(await settled(page), 'done');
    assert.match(await page.getByTestId('rfm-report').textContent(), new RegExp(`became ${cities} customers`));
  });
});
