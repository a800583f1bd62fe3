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
  });
});
