// Debian's headless Chromium, driven by playwright-core (no browser download), with the page's network
// and console watched: every test fails on a request to another origin or a console error.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const DIST = process.env.DIST_DIR || path.resolve(here, '../../dist');
export const FIXTURES = path.resolve(here, '../fixtures');
export const SCREENSHOTS = path.resolve(here, 'screenshots');

export async function openApp() {
  const server = await serve(DIST);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  const foreign = [];
  const consoleErrors = [];
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(server.origin) && !url.startsWith('blob:') && !url.startsWith('data:')) foreign.push(url);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(String(err)));
  await page.goto(server.url);
  await page.getByTestId('sample-button').waitFor();
  return {
    page,
    server,
    foreign,
    consoleErrors,
    async close() {
      await browser.close();
      server.close();
    },
  };
}

/** Waits until the status is `done` or `error` and returns it. */
export async function settled(page, timeout = 60_000) {
  await page.waitForFunction(
    () => ['done', 'error'].includes(document.querySelector('[data-testid="app-status"]')?.dataset.state),
    null,
    { timeout },
  );
  return page.getByTestId('app-status').getAttribute('data-state');
}

export async function int(page, testid) {
  const text = await page.getByTestId(testid).first().textContent();
  return Number(text.replace(/[^0-9-]/g, ''));
}

/** Every `testid` element's number, written with thousands separators or not. */
export async function ints(page, testid) {
  return (await page.getByTestId(testid).allTextContents()).map((t) => Number(t.replace(/[^0-9-]/g, '')));
}

export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Types `value` into the `nth` element with `testid` and commits it, as a person leaving the field. */
export async function setInput(page, testid, value, nth = 0) {
  const input = page.getByTestId(testid).nth(nth);
  await input.fill(value);
  await input.dispatchEvent('change');
}

/** Opens the page, runs `fn`, then checks that nothing left the page's origin and nothing went wrong. */
export async function withApp(fn) {
  const app = await openApp();
  try {
    await fn(app);
    assert.deepEqual(app.foreign, [], 'requests outside the page origin');
    assert.deepEqual(app.consoleErrors, [], 'console errors');
    for (const url of app.server.requests) {
      assert.ok(url.startsWith('/segments/'), `request outside the app's sub-path: ${url}`);
      // The share link's fragment never reaches the server.
      assert.ok(!url.includes('spec'), `settings sent to the server: ${url}`);
    }
  } finally {
    await app.close();
  }
}

/** Goes to a screen through its navigation link, as a person would, and waits until it is shown. */
export async function show(page, screen) {
  await page.getByTestId(`view-${screen}`).click();
  await page.waitForFunction((id) => {
    const el = document.getElementById(id);
    return el && !el.hidden && location.hash === `#/${id}`;
  }, screen);
}
