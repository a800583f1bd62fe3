// The page, end to end: the sample with its defaults reproduces the original project's figures, a file
// uploaded through the file input is analysed, bad files give a clear message, and nothing leaves the
// page's own origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { openApp, settled, int, screenshot, setInput, withApp, FIXTURES, DIST, show, ints } from './browser.mjs';

test('the sample with its defaults gives the original project figures', async () => {
  await withApp(async ({ page }) => {
    assert.equal(await page.getByTestId('app-status').getAttribute('data-state'), 'idle');
    const t0 = Date.now();
    await page.getByTestId('sample-button').click();
    assert.equal(await settled(page), 'done');
    const ms = Date.now() - t0;
    await page.waitForSelector('[data-testid="overview-map"][data-drawn="true"]');
    console.log(`sample: click to drawn chart ${Date.now() - t0} ms (status done after ${ms} ms); page says ${await page.getByTestId('elapsed-ms').textContent()} ms`);

    assert.equal(await int(page, 'rows-used'), 55002);
    assert.equal(await int(page, 'rows-dropped'), 54);
    assert.equal(await int(page, 'segment-count'), 3);
    assert.equal(await int(page, 'noise-count'), 2711);
    const sizes = await ints(page, 'cluster-size');
    assert.deepEqual(sizes, [18330, 18273, 15688]);
    assert.equal(await page.getByTestId('davies-bouldin').textContent(), '0.4675');
    const sil = Number(await page.getByTestId('silhouette').textContent());
    assert.ok(Math.abs(sil - 0.6598) <= 0.01, `silhouette ${sil}`);
    assert.match(await page.getByTestId('silhouette-sampled').textContent(), /sample of 10,?0\d\d|sample of 99\d\d/);
    const ch = Number(await page.getByTestId('calinski-harabasz').textContent());
    assert.ok(Math.abs(ch - 142466.99) < 0.01, `calinski-harabasz ${ch}`);
    const after = await page.getByTestId('cleaning-after').allTextContents();
    assert.deepEqual(after.map((t) => Number(t.replace(/,/g, ''))), [55021, 55006, 55002]);
    assert.equal(await page.getByTestId('eps-input').inputValue(), '0.04');
    assert.equal(await page.getByTestId('min-samples-input').inputValue(), '50');
    await show(page, 'pca');
    await page.waitForSelector('[data-testid="pca-scatter"][data-drawn="true"]');
    assert.equal(await page.getByTestId('pca-scatter').getAttribute('data-points'), '55002');
    await show(page, 'segments');
    // Stability arrives after the result: 5 runs on 80 % subsamples, as the native test measures.
    await page.waitForFunction(() => /^[0-9.]+$/.test(document.querySelector('[data-testid="stability"]').textContent));
    const stability = Number(await page.getByTestId('stability').textContent());
    assert.ok(Math.abs(stability - 0.822) < 0.01, `stability ${stability}`);
    // Each segment as a rule in the file's units, with what it catches; the rules together.
    const rules = await page.getByTestId('segment-rule').allTextContents();
    assert.equal(rules.length, 3);
    for (const rule of rules) {
      // DBSCAN's rules may take in customers it left as noise: said apart ("23% others: 21% in no segment").
      const caught = Number((rule.match(/\((\d+)% caught, \d+% others(: \d+% in no segment)?\)$/) || [])[1]);
      assert.ok(caught >= 90, rule);
      assert.match(rule, /^Who: (n_visitas|monto_compras|monto_descuentos) (above|at most) [\d,.]+/);
    }
    assert.match(rules[1], /monto_compras above/);
    const fidelity = Number(((await page.getByTestId('rule-fidelity').textContent()).match(/put (\d+)% of customers/) || [])[1]);
    assert.ok(fidelity >= 90, `fidelity ${fidelity}`);
    assert.equal(await page.getByTestId('rules-fidelity').textContent(), `${fidelity}%`);
    // The price of explainability: the rules' segments against DBSCAN's, by within-segment sum of squares.
    assert.match(await page.getByTestId('rule-fidelity').textContent(), /price of explainability 1\.00: the rules' segments are as compact as the model's/);
    // Plain-language profiles and the original project's names, which the person can change.
    const names = await page.getByTestId('segment-name').evaluateAll((els) => els.map((e) => e.value));
    assert.deepEqual(names, ['Balanced Users', 'High Spenders', 'Active Savers']);
    assert.match(await page.getByTestId('segment-profile').nth(2).textContent(), /^monto_descuentos 2\.7x the average/);
    // The silhouette plot, the loadings and the third component.
    await page.waitForSelector('[data-testid="silhouette-plot"][data-drawn="true"]');
    await show(page, 'pca');
    assert.equal(await page.locator('[data-testid="pca-loadings"] tbody tr').count(), 3);
    const shares = (await page.locator('[data-testid="pca-loadings"] thead th').allTextContents()).slice(1).map((t) => Number(t.match(/\(([\d.]+)%\)/)[1]));
    assert.equal(shares.length, 3);
    assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 100) < 0.2, `explained variance ${shares}`);
    await page.getByTestId('pca-axes').selectOption('13');
    await page.waitForFunction(() => document.querySelector('[data-testid="pca-scatter"]').dataset.drawn === 'true');
    await show(page, 'segments');
    await screenshot(page, 'sample-done');
    await setInput(page, 'segment-name', 'Big spenders', 1);
    await page.waitForFunction(() => document.querySelector('[data-testid="scatter-legend"]').textContent.includes('Big spenders'));

    // The export: every row of the file, with its segment and the name given above.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    assert.equal(download.suggestedFilename(), 'dataset_ecommerce-segments.csv');
    const exported = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
    assert.equal(exported.length, 55_057);
    assert.equal(exported[0], 'ID,n_clicks,n_visitas,monto_compras,monto_descuentos,dias_primera_compra,info_perfil,segment,segment_name');
    const count = (suffix) => exported.filter((l) => l.endsWith(suffix)).length;
    assert.equal(count(',2,Big spenders'), 18273);
    assert.equal(count(',1,Balanced Users'), 18330);
    assert.equal(count(',,noise'), 2711);
    assert.equal(count(',,dropped by cleaning'), 54);

    // Changing a parameter and re-running updates the figures; the same settings give the same ids.
    await setInput(page, 'min-samples-input', '5000');
    await page.getByTestId('run-button').click();
    assert.equal(await settled(page), 'done');
    assert.equal(await int(page, 'segment-count'), 0);
    assert.equal(await int(page, 'noise-count'), 55002);
    await setInput(page, 'min-samples-input', '50');
    await page.getByTestId('run-button').click();
    assert.equal(await settled(page), 'done');
    assert.deepEqual(await ints(page, 'cluster-size'), [18330, 18273, 15688]);
  });
});

/** DBSCAN with scikit-learn's reference settings on customers_2k (min-max, eps 0.05, min_samples 10)
 * gives its figures. */
async function referenceDbscan(page) {
  await page.getByTestId('scaler-select').selectOption('minmax');
  await setInput(page, 'eps-input', '0.05');
  await setInput(page, 'min-samples-input', '10');
  await page.getByTestId('run-button').click();
  assert.equal(await settled(page), 'done');
  assert.deepEqual(await ints(page, 'cluster-size'), [703, 499, 384, 198]);
  assert.equal(await page.getByTestId('silhouette').textContent(), '0.8164');
}

test('a CSV uploaded through the file input is segmented by the automatic choice', async () => {
  await withApp(async ({ page }) => {
    await page.getByTestId('file-input').setInputFiles(path.join(FIXTURES, 'customers_2k.csv'));
    assert.equal(await settled(page), 'done');
    assert.equal(await int(page, 'rows-used'), 1900);
    assert.equal(await int(page, 'rows-dropped'), 0);
    // Defaults for a new file: the numeric columns that are not ids, and why in the Columns table.
    const features = await page.locator('[data-testid="feature-checkbox"]:checked').evaluateAll((els) => els.map((e) => e.dataset.column));
    assert.deepEqual(features, ['visits', 'purchases', 'discounts']);
    const why = await page.getByTestId('column-advice').allTextContents();
    assert.ok(why.some((w) => /identifier/.test(w)), why.join(' | '));
    // The choice, explained: 2 to 10 segments, none over 85% of the customers.
    assert.match(await page.getByTestId('auto-explanation').textContent(), /with \d+ segments: .* of the \d+ segmentations tried/);
    const count = await int(page, 'segment-count');
    assert.ok(count >= 2 && count <= 10, `segments ${count}`);
    const sizes = await ints(page, 'cluster-size');
    assert.ok(Math.max(...sizes) <= 0.85 * 1900, `sizes ${sizes}`);

    // DBSCAN with scikit-learn's reference settings gives its figures.
    await page.getByTestId('method-select').selectOption('dbscan');
    const suggestion = Number(await page.getByTestId('eps-suggestion').textContent());
    assert.ok(suggestion > 0 && suggestion < 1, `eps suggestion ${suggestion}`);
    await referenceDbscan(page);
    assert.equal(await int(page, 'noise-count'), 116);
    assert.equal(await page.getByTestId('davies-bouldin').textContent(), '0.2534');
    assert.equal(await page.getByTestId('silhouette-sampled').count(), 0);
    // The k-distance curve follows min_samples: now the distance to the 10th neighbour.
    await page.waitForFunction(() => document.querySelector('[data-testid="k-distance-panel"]').textContent.includes('10-th nearest'));
    await screenshot(page, 'customers-2k');
  });
});

test('a Parquet export is read like its CSV twin; a codec the page lacks or a cut file gets a message', async () => {
  await withApp(async ({ page }) => {
    const PARQUET = path.join(FIXTURES, 'parquet');
    const t0 = Date.now();
    await page.getByTestId('file-input').setInputFiles(path.join(PARQUET, 'customers_2k.parquet'));
    assert.equal(await settled(page), 'done');
    console.log(`customers_2k.parquet (DuckDB, snappy): read and segmented in ${Date.now() - t0} ms`);
    assert.equal(await int(page, 'rows-used'), 1900);
    const features = await page.locator('[data-testid="feature-checkbox"]:checked').evaluateAll((els) => els.map((e) => e.dataset.column));
    assert.deepEqual(features, ['visits', 'purchases', 'discounts']);
    await show(page, 'data');
    assert.match(await page.getByTestId('source').textContent(), /^Read from a Parquet file, 1,900 rows\./);
    await show(page, 'segments');
    // The CSV twin's figures (the test above), to the digit.
    await page.getByTestId('method-select').selectOption('dbscan');
    await referenceDbscan(page);

    await page.getByTestId('file-input').setInputFiles(path.join(PARQUET, 'customers_2k.zstd.parquet'));
    assert.equal(await settled(page), 'error');
    const zstd = await page.getByTestId('error-message').textContent();
    assert.match(zstd, /compressed with ZSTD/);
    assert.match(zstd, /segment apply/);
    const whole = fs.readFileSync(path.join(PARQUET, 'customers_2k.parquet'));
    for (const cut of [whole.subarray(0, 1000), Buffer.concat([whole.subarray(0, 30000), Buffer.alloc(5000, 7), whole.subarray(35000)])]) {
      await page.getByTestId('file-input').setInputFiles({ name: 'cut.parquet', mimeType: 'application/octet-stream', buffer: cut });
      assert.equal(await settled(page), 'error');
      assert.match(await page.getByTestId('error-message').textContent(), /The Parquet file could not be read/);
    }
    // The worker is alive.
    await page.getByTestId('sample-button').click();
    assert.equal(await settled(page), 'done');
    assert.equal(await int(page, 'noise-count'), 2711);
  });
});

test('a messy export: comments, a repeated header, semicolons, bad cells are reported, not lost', async () => {
  await withApp(async ({ page }) => {
    await page.getByTestId('file-input').setInputFiles(path.join(FIXTURES, 'messy_export.csv'));
    assert.equal(await settled(page), 'done');
    assert.equal(await int(page, 'rows-used'), 298);
    assert.equal(await int(page, 'rows-dropped'), 2);
    assert.match(await page.getByTestId('skipped-lines').textContent(), /2 comment line\(s\).*1 repeated header/);
    // The report names the columns and the first line in the file (after the two comment lines).
    const report = await page.getByTestId('cleaning-report').textContent();
    assert.match(report, /visits: 1, spend: 1 \(first at line 21\)/);
    assert.equal(await int(page, 'segment-count'), 3);
    // The removed rows, as they were, with why.
    await show(page, 'data');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-removed').click()]);
    assert.equal(download.suggestedFilename(), 'messy_export-removed-rows.csv');
    const removed = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
    assert.deepEqual(removed, [
      'customer_id,visits,spend,discounts,city,removed_because,columns',
      'K0017,n/a,1200.00,25.00,Paris,a missing or non-numeric value in a chosen feature,visits',
      'K0042,12.0,unknown,4.00,Lyon,a missing or non-numeric value in a chosen feature,spend',
    ]);
  });
});

for (const [file, pattern] of [
  ['empty.csv', /file is empty/i],
  ['header_only.csv', /no data rows/i],
  ['no_numeric.csv', /no numeric column/i],
  ['image.csv', /PNG image/i],
  ['too_few_rows.csv', /too few to find segments/i],
]) {
  test(`bad input ${file} gives a clear message and the app keeps working`, async () => {
    await withApp(async ({ page }) => {
      await page.getByTestId('file-input').setInputFiles(path.join(FIXTURES, 'bad', file));
      assert.equal(await settled(page), 'error');
      const message = await page.getByTestId('error-message').textContent();
      assert.match(message, pattern);
      assert.ok(await page.getByTestId('error-message').isVisible());
      if (file === 'no_numeric.csv') await screenshot(page, 'error-no-numeric');
      // Still usable: the sample loads after the error.
      await page.getByTestId('sample-button').click();
      assert.equal(await settled(page), 'done');
      assert.equal(await int(page, 'segment-count'), 3);
    });
  });
}

test('k-means, the k sweep and the comparison table on the sample', async () => {
  await withApp(async ({ page }) => {
    await page.getByTestId('sample-button').click();
    assert.equal(await settled(page), 'done');
    await show(page, 'segment');
    await page.waitForSelector('[data-testid="k-distance-chart"][data-drawn="true"]');
    assert.equal(await page.getByTestId('eps-suggestion').count(), 1);

    await page.getByTestId('method-select').selectOption('kmeans');
    assert.equal(await page.getByTestId('k-input').inputValue(), '3');
    await page.getByTestId('run-button').click();
    assert.equal(await settled(page), 'done');
    assert.equal(await int(page, 'segment-count'), 3);
    assert.equal(await int(page, 'noise-count'), 0);
    const sil = Number(await page.getByTestId('silhouette').textContent());
    assert.ok(Math.abs(sil - 0.6373) < 0.01, `k-means silhouette ${sil}`);
    const db = Number(await page.getByTestId('davies-bouldin').textContent());
    assert.ok(Math.abs(db - 0.5026) < 0.005, `k-means davies-bouldin ${db}`);

    await page.getByTestId('k-sweep-button').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="k-sweep-best"]')?.textContent.trim() !== '');
    assert.equal(await settled(page), 'done');
    assert.equal(await page.getByTestId('k-sweep-best').textContent(), '3');
    assert.equal(await page.locator('[data-testid="k-sweep-table"] tbody tr').count(), 9);
    await page.waitForSelector('[data-testid="k-sweep-chart"][data-drawn="true"]');
    await screenshot(page, 'k-sweep');

    const methods = await page.locator('[data-testid="comparison-table"] tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.method));
    assert.deepEqual(methods, ['dbscan', 'kmeans']);
    // Going back to the DBSCAN run restores its settings and figures.
    await page.locator('[data-testid="comparison-table"] tbody tr').first().getByRole('button').click();
    assert.equal(await settled(page), 'done');
    assert.equal(await int(page, 'noise-count'), 2711);
    assert.equal(await page.getByTestId('method-select').inputValue(), 'dbscan');
  });
});

test('a share link carries the settings, never the data, and restores them', async () => {
  const sample = path.resolve(DIST, 'dataset_ecommerce.csv');
  let link;
  await withApp(async ({ page }) => {
    await page.getByTestId('sample-button').click();
    assert.equal(await settled(page), 'done');
    await setInput(page, 'min-samples-input', '60');
    await page.getByTestId('run-button').click();
    assert.equal(await settled(page), 'done');
    assert.equal(await int(page, 'segment-count'), 3);
    await setInput(page, 'segment-name', 'Everyday shoppers', 0);
    link = await page.getByTestId('share-link').inputValue();
  });
  // No value of the file is in the link's settings (header names are settings, not data).
  assert.ok(link.includes('#spec='), link);
  const decoded = decodeURIComponent(link.slice(link.indexOf('#spec=') + 6));
  const [, ...rows] = fs.readFileSync(sample, 'utf8').trim().split('\n');
  const values = new Set(rows.flatMap((r) => r.split(',')));
  // Every text in the settings is a setting (column names, names given), never a cell of the file...
  const texts = [...decoded.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
  assert.deepEqual(texts.filter((t) => values.has(t)), [], 'data values in the share link');
  // ...and no cell of 5 characters or more (ids, amounts) appears anywhere in it. Shorter cells such as
  // "0.0" can coincide with a setting (eps 0.04) without coming from the file.
  assert.deepEqual([...values].filter((v) => v.length >= 5 && decoded.includes(v)), [], 'data values in the share link');
  assert.ok(decoded.includes('"min_samples":60') && decoded.includes('Everyday shoppers'), decoded);

  await withApp(async ({ page, server }) => {
    // The same link, on this test's server (a new port).
    await page.goto(server.url + link.slice(link.indexOf('#')));
    await page.getByTestId('sample-button').waitFor();
    assert.match(await page.getByTestId('notice').textContent(), /Load your CSV file to apply them/);
    // Read once, the settings leave the address: it names the screen, and the back button never reloads the link.
    assert.equal(await page.evaluate(() => location.hash), '#/segments');
    await page.getByTestId('file-input').setInputFiles(sample);
    assert.equal(await settled(page), 'done');
    assert.equal(await page.getByTestId('min-samples-input').inputValue(), '60');
    assert.equal(await page.getByTestId('segment-name').first().inputValue(), 'Everyday shoppers');
    assert.match(await page.getByTestId('notice').textContent(), /Applied the settings from the shared link/);
  });
});

/** A large CSV of random customers, made here: long enough to load that a cancel lands mid-way. */
function bigCsv(rows) {
  let state = 12345;
  const rand = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lines = ['id,visits,purchases,discounts,tenure'];
  for (let i = 0; i < rows; i++) {
    lines.push(`${i},${(rand() * 200).toFixed(1)},${(rand() * 5000).toFixed(2)},${(rand() * 900).toFixed(2)},${Math.floor(rand() * 700)}`);
  }
  return Buffer.from(lines.join('\n'));
}

test('a long load can be cancelled and the app keeps working', async () => {
  await withApp(async ({ page }) => {
    await page.getByTestId('file-input').setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: bigCsv(600_000) });
    await page.getByTestId('cancel-button').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="app-status"]').dataset.state === 'idle');
    assert.match(await page.getByTestId('notice').textContent(), /Cancelled/);
    assert.equal(await page.getByTestId('results').count(), 0);
    // The fresh worker serves the next request.
    await page.getByTestId('sample-button').click();
    assert.equal(await settled(page), 'done');
    assert.equal(await int(page, 'noise-count'), 2711);
  });
});
