// Hostile files and settings in the page: each ends in a clear message naming the problem (or a right
// result), in seconds, and the worker keeps working: the sample loads afterwards. The files are
// tests/fixtures/hostile (written by `cargo run -p segment-core --example write_fixtures`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { settled, int, withApp, FIXTURES } from './browser.mjs';

const HOSTILE = path.join(FIXTURES, 'hostile');

test('crafted files end in a message, and the page keeps working', async () => {
  await withApp(async ({ page }) => {
    for (const [file, pattern] of [
      ['far_cell.xlsx', /columns: a cell in column 16384/],
      ['string_bomb.xlsx', /decompressed: more than 512 MB/],
      ['repeated.ods', /repeated rows and cells/],
      ['ten_thousand_columns.csv', /columns: 10000, beyond the limit of 2000 columns/],
      ['swallowed.csv', /unbalanced quote/],
    ]) {
      const t0 = Date.now();
      await page.getByTestId('file-input').setInputFiles(path.join(HOSTILE, file));
      assert.equal(await settled(page), 'error', file);
      assert.match(await page.getByTestId('error-message').textContent(), pattern, file);
      console.log(`${file}: refused in ${Date.now() - t0} ms`);
    }
    // The worker is alive: the sample gives its figures.
    await page.getByTestId('sample-button').click();
    assert.equal(await settled(page), 'done');
    assert.equal(await int(page, 'noise-count'), 2711);
  });
});

test('odd but readable files give right results', async () => {
  await withApp(async ({ page }) => {
    // Numbers beyond computing are reported as unreadable, and the rest segments.
    await page.getByTestId('file-input').setInputFiles(path.join(HOSTILE, 'extreme_numbers.csv'));
    assert.equal(await settled(page), 'done');
    assert.equal(await int(page, 'rows-used'), 57);
    assert.match(await page.getByTestId('cleaning-report').textContent(), /spend: 3/);
    // One stray byte in a UTF-8 file: the euro amounts stay numbers.
    await page.getByTestId('file-input').setInputFiles(path.join(HOSTILE, 'stray_byte.csv'));
    assert.equal(await settled(page), 'done');
    assert.match(await page.getByTestId('source').textContent(), /UTF-8, 1 byte sequence/);
    assert.equal(await int(page, 'rows-used'), 61);
    // A file without a header keeps every row.
    await page.getByTestId('file-input').setInputFiles(path.join(HOSTILE, 'headerless.csv'));
    assert.equal(await settled(page), 'done');
    assert.equal(await int(page, 'rows-used') + await int(page, 'rows-dropped'), 60);
    assert.match(await page.getByTestId('source').textContent(), /no header row/);
    // Ragged rows: the added columns stay under their header in the export.
    await page.getByTestId('file-input').setInputFiles(path.join(HOSTILE, 'ragged.csv'));
    assert.equal(await settled(page), 'done');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const lines = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
    assert.equal(lines[0], 'id,a,b,segment,segment_name');
    const long = lines.find((l) => l.startsWith('x1,'));
    assert.match(long, /^x1,0\.1,0\.2,\d+,.*,surplus,more$/);
  });
});

test('a share link with settings out of range is refused, never run', async () => {
  await withApp(async ({ page, server }) => {
    // min_samples 1 and a tiny eps would make a segment of every customer.
    const settings = {
      version: 1, features: ['n_visitas'], cleaning: { drop_missing: 'features', drop_negative: null, drop_zero: null },
      scaler: 'min_max', method: 'dbscan', dbscan: { eps: 1e-9, min_samples: 1 }, kmeans: { k: 3, n_init: 10 },
      seed: 42, silhouette_max_exact: 10000, silhouette_sample_size: 10000,
    };
    await page.goto(`${server.url}#spec=${encodeURIComponent(JSON.stringify(settings))}`);
    await page.getByTestId('sample-button').waitFor();
    assert.match(await page.getByTestId('notice').textContent(), /not applied: .*min_samples must be between 2/);
    // The sample then runs with its own settings.
    await page.getByTestId('sample-button').click();
    assert.equal(await settled(page), 'done');
    assert.equal(await int(page, 'noise-count'), 2711);
  });
});
