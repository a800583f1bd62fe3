// Saved models in the page: fit on the sample, save the model, load it back, apply it to a changed copy
// and read drift and who moved; the page's labeled export equals the command line's streaming `apply` of
// the same model on the same file. A renamed column is mapped by hand; a damaged model is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { settled, int, ints, screenshot, withApp, DIST, SCREENSHOTS, show } from './browser.mjs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'segment-model-'));
const SAMPLE = fs.readFileSync(path.join(DIST, 'dataset_ecommerce.csv'), 'utf8');
// Built by `cargo test --workspace`, which scripts/test.sh runs before these tests.
const CLI = path.resolve(path.dirname(DIST), 'target/debug/segment');

/** Next month: purchases tripled on every 7th row, the last 20 customers gone, 10 new ones. */
function nextMonth() {
  const lines = SAMPLE.trim().split('\n');
  const changed = lines.map((line, i) => {
    if (i === 0 || i % 7 !== 0) return line;
    const f = line.split(',');
    f[3] = String(Number(f[3]) * 3);
    return f.join(',');
  });
  const kept = changed.slice(0, changed.length - 20);
  for (let i = 0; i < 10; i++) kept.push(lines[1].replace(/^[^,]+/, `NEW${i}`));
  return kept.join('\n') + '\n';
}

async function fitAndSaveModel(page) {
  await page.getByTestId('sample-button').click();
  assert.equal(await settled(page), 'done');
  await show(page, 'models');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('model-download').click()]);
  assert.equal(download.suggestedFilename(), 'dataset_ecommerce-model.json');
  const modelPath = path.join(tmp, 'model.json');
  await download.saveAs(modelPath);
  const model = JSON.parse(fs.readFileSync(modelPath, 'utf8'));
  assert.equal(model.format, 'client-segmentation-model');
  assert.equal(model.version, 1);
  assert.deepEqual(model.segments.map((s) => s.name), ['Balanced Users', 'High Spenders', 'Active Savers']);
  await page.getByTestId('model-input').setInputFiles(modelPath);
  assert.equal(await settled(page), 'done');
  assert.match(await page.getByTestId('model-info').textContent(), /Model fitted on dataset_ecommerce\.csv/);
  return modelPath;
}

const cells = (page, testid) => page.getByTestId(testid).locator('td').allTextContents();
const num = (t) => Number(t.replace(/[^\d.-]/g, ''));

/** matched, moved, new and gone customers, as the movement summary states them. */
async function movementFigures(page) {
  const summary = page.getByTestId('movement-summary');
  return Promise.all(['matched', 'moved', 'new', 'gone'].map(async (k) => Number(await summary.getAttribute(`data-${k}`))));
}

test('fit, save the model, apply it to next month and read who moved', async () => {
  await withApp(async ({ page }) => {
    const modelPath = await fitAndSaveModel(page);
    const file = nextMonth();
    const t0 = Date.now();
    await page.getByTestId('apply-input').setInputFiles({ name: 'next-month.csv', mimeType: 'text/csv', buffer: Buffer.from(file) });
    assert.equal(await settled(page), 'done');
    console.log(`apply to 55k rows: ${Date.now() - t0} ms`);
    assert.equal(await page.getByTestId('file-name').textContent(), 'Loaded: next-month.csv');
    // The same dashboard for the new file, in the model's segments and names.
    assert.equal(await int(page, 'segment-count'), 3);
    const names = await page.getByTestId('segment-name').evaluateAll((els) => els.map((e) => e.value));
    assert.deepEqual(names, ['Balanced Users', 'High Spenders', 'Active Savers']);

    const [matched, moved, fresh, gone] = await movementFigures(page);
    const stayed = matched - moved;
    assert.equal(matched, 55_056 - 20);
    assert.equal(fresh, 10);
    assert.equal(gone, 20);
    assert.ok(moved > 1000, `moved ${moved}`);
    const table = (await cells(page, 'movement-table')).map(num);
    assert.equal(table.reduce((a, b) => a + b, 0), matched);
    const diagonal = (await page.locator('[data-testid="movement-table"] td.diagonal').allTextContents()).map(num);
    assert.equal(diagonal.reduce((a, b) => a + b, 0), stayed);

    // The model's rules measured on next month's file, beside their figure on the training file.
    assert.match(
      await page.getByTestId('apply-rule-fidelity').textContent(),
      /^The model's rules put \d+% of these customers in their segment \(100% on the training file\)\.$/,
    );
    const warnings = await page.getByTestId('drift-warning').allTextContents();
    assert.ok(warnings.some((w) => w.startsWith('monto_compras:')), warnings.join('\n'));
    assert.equal(await page.getByTestId('drift-ok').count(), 0);
    await screenshot(page, 'model-applied');
    await page.getByTestId('model-panel').screenshot({ path: path.join(SCREENSHOTS, 'model-panel.png') });

    const [movers] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-movers').click()]);
    assert.equal(movers.suggestedFilename(), 'next-month-movers.csv');
    assert.equal(fs.readFileSync(await movers.path(), 'utf8').trim().split('\n').length, moved + 1);

    // The page's export of the applied file equals the command line's streaming apply.
    await show(page, 'segments');
    const [labeled] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const inPage = fs.readFileSync(await labeled.path(), 'utf8');
    assert.ok(fs.existsSync(CLI), `${CLI} is built by cargo test --workspace`);
    const dataPath = path.join(tmp, 'next-month.csv');
    fs.writeFileSync(dataPath, file);
    const fromCli = execFileSync(CLI, ['apply', modelPath, dataPath, '-o', '-'], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    assert.equal(inPage, fromCli);
  });
});

test('a renamed column is mapped by hand, and a damaged model is refused', async () => {
  await withApp(async ({ page }) => {
    const modelPath = await fitAndSaveModel(page);
    const renamed = SAMPLE.replace('monto_compras', 'purchases');
    await page.getByTestId('apply-input').setInputFiles({ name: 'renamed.csv', mimeType: 'text/csv', buffer: Buffer.from(renamed) });
    assert.equal(await settled(page), 'error');
    assert.match(await page.getByTestId('error-message').textContent(), /monto_compras/);
    await page.locator('[data-testid="column-map"][data-column="monto_compras"]').selectOption('purchases');
    await page.getByTestId('apply-mapped').click();
    assert.equal(await settled(page), 'done');
    assert.match(await page.getByTestId('column-matches').textContent(), /monto_compras read from "purchases" \(as you mapped it\)/);
    // The training file itself: only border points between two segments may move.
    const [matched, moved] = await movementFigures(page);
    assert.equal(matched, 55_056);
    assert.ok(moved < 20, `moved ${moved}`);
    assert.equal(await page.getByTestId('drift-ok').count(), 1);

    const damaged = path.join(tmp, 'damaged.json');
    const json = fs.readFileSync(modelPath, 'utf8');
    fs.writeFileSync(damaged, json.slice(0, json.length / 2));
    await page.getByTestId('model-input').setInputFiles(damaged);
    assert.equal(await settled(page), 'error');
    assert.match(await page.getByTestId('error-message').textContent(), /model file could not be used/);
    // The app keeps working: the result on screen is still there and a run goes through.
    await page.getByTestId('run-button').click();
    assert.equal(await settled(page), 'done');
  });
});

test('the model as SQL from the page: DuckDB gives every row the segment the page gives it', { timeout: 180_000 }, async () => {
  await withApp(async ({ page }) => {
    await page.getByTestId('file-input').setInputFiles(path.join(path.dirname(DIST), 'tests/fixtures/customers_2k.csv'));
    assert.equal(await settled(page), 'done');
    await page.getByTestId('method-select').selectOption('kmeans');
    await page.getByTestId('run-button').click();
    assert.equal(await settled(page), 'done');
    await show(page, 'models');
    const [query] = await Promise.all([page.waitForEvent('download'), page.getByTestId('sql-download').click()]);
    assert.equal(query.suggestedFilename(), 'customers_2k-segments.sql');
    const queryPath = path.join(tmp, 'customers_2k-segments.sql');
    await query.saveAs(queryPath);
    const sql = fs.readFileSync(queryPath, 'utf8');
    assert.match(sql, /^-- Client Segmentation Dashboard: model format client-segmentation-model version [12], k-means/);
    await show(page, 'segments');
    const [labeled] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const inPage = fs.readFileSync(await labeled.path(), 'utf8').trim().split('\n').map((l) => l.split(',').slice(-2).join(','));
    const python = path.resolve(path.dirname(DIST), '.tools/py/bin/python');
    const data = path.resolve(path.dirname(DIST), 'tests/fixtures/customers_2k.csv');
    const fromSql = execFileSync(python, [path.resolve(path.dirname(DIST), 'tests/sql/run_query.py'), data, queryPath]).toString().trim().split('\n');
    assert.equal(fromSql.length, inPage.length);
    assert.deepEqual(fromSql.slice(1), inPage.slice(1));
  });
});


test('a purchase log\'s model as SQL from the page: DuckDB aggregates the lines and gives every customer the page\'s segment', { timeout: 180_000 }, async () => {
  await withApp(async ({ page }) => {
    const lines = path.resolve(path.dirname(DIST), 'tests/fixtures/transactions.csv');
    await page.getByTestId('file-input').setInputFiles(lines);
    assert.equal(await settled(page), 'done');
    await show(page, 'models');
    const [query] = await Promise.all([page.waitForEvent('download'), page.getByTestId('sql-download').click()]);
    const queryPath = path.join(tmp, 'transactions-segments.sql');
    await query.saveAs(queryPath);
    const sql = fs.readFileSync(queryPath, 'utf8');
    assert.match(sql, /customers_agg AS \(/);
    await show(page, 'segments');
    const [labeled] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const inPage = fs.readFileSync(await labeled.path(), 'utf8').trim().split('\n').map((l) => l.split(',').slice(-2).join(','));
    const python = path.resolve(path.dirname(DIST), '.tools/py/bin/python');
    const fromSql = execFileSync(python, [path.resolve(path.dirname(DIST), 'tests/sql/run_query.py'), lines, queryPath]).toString().trim().split('\n');
    assert.equal(fromSql.length, inPage.length);
    assert.ok(fromSql.length > 50, `${fromSql.length} customers`);
    assert.deepEqual(fromSql.slice(1), inPage.slice(1));
  });
});

test('the rules used as the segments: one click, the rules\' segments on screen, and who they place elsewhere', async () => {
  await withApp(async ({ page }) => {
    await page.getByTestId('file-input').setInputFiles(path.resolve(path.dirname(DIST), 'tests/fixtures/customers_2k.csv'));
    assert.equal(await settled(page), 'done');
    const fidelity = Number(await page.getByTestId('rules-fidelity').getAttribute('data-value'));
    const segments = await int(page, 'segment-count');
    const used = await int(page, 'rows-used');
    await page.getByTestId('use-rules').click();
    assert.equal(await settled(page), 'done');
    // The same customers, as many segments (or fewer, if a rule catches none), now by the rules.
    assert.equal(await int(page, 'rows-used'), used);
    assert.ok((await int(page, 'segment-count')) <= segments);
    const sizes = await ints(page, 'cluster-size');
    const noise = await int(page, 'noise-count');
    assert.equal(sizes.reduce((a, b) => a + b, 0) + noise, used);
    // Who the rules place elsewhere than the run: the customers the rules' fidelity leaves out.
    await show(page, 'models');
    const [matched, moved] = await movementFigures(page);
    assert.equal(matched, used);
    assert.ok(Math.abs(moved - Math.round((1 - fidelity) * used)) <= 1, `moved ${moved}, fidelity ${fidelity}`);
  });
});

test('the rules saved as a model segment the file by the rules, and say how well they hold', async () => {
  await withApp(async ({ page }) => {
    await fitAndSaveModel(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('rules-model-download').click()]);
    assert.equal(download.suggestedFilename(), 'dataset_ecommerce-rules-model.json');
    const rulesPath = path.join(tmp, 'rules-model.json');
    await download.saveAs(rulesPath);
    const model = JSON.parse(fs.readFileSync(rulesPath, 'utf8'));
    assert.equal(model.assignment.method, 'rules');
    await page.getByTestId('model-input').setInputFiles(rulesPath);
    assert.equal(await settled(page), 'done');
    assert.match(await page.getByTestId('model-info').textContent(), /Rules of DBSCAN/);
    // Applied to the training file: the rules' segments, in the model's names; the rules' fidelity on
    // the training file is the share of customers whose segment is the model's.
    await page.getByTestId('apply-input').setInputFiles({ name: 'same.csv', mimeType: 'text/csv', buffer: Buffer.from(SAMPLE) });
    assert.equal(await settled(page), 'done');
    assert.equal(await int(page, 'segment-count'), model.segments.length);
    assert.equal(await page.getByTestId('apply-rule-fidelity').count(), 0);
    // The page's export equals the command line's apply of the rule model.
    await show(page, 'segments');
    const [labeled] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const inPage = fs.readFileSync(await labeled.path(), 'utf8');
    const dataPath = path.join(tmp, 'same.csv');
    fs.writeFileSync(dataPath, SAMPLE);
    const fromCli = execFileSync(CLI, ['apply', rulesPath, dataPath, '-o', '-'], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    assert.equal(inPage, fromCli);
  });
});
