import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, VERSION } from './lib.mjs';
import { launchBrowser } from './browser.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('test_www_demo_page_loads_sdk_wasm_and_reports_version', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${BASE}/`);
  await page.waitForSelector('body[data-sdk="ready"]', { timeout: 15_000 });
  assert.equal(await page.textContent('#sdk-version'), VERSION);
  await page.waitForFunction(() => document.getElementById('service-health').textContent !== '–');
  assert.equal(await page.textContent('#service-health'), `ok (d1 ok, kv ok, version ${VERSION})`);
  assert.deepEqual(errors, []);
  await page.close();
});
