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

test('test_www_sdk_signs_in_lists_sessions_and_history_and_signs_out', async () => {
  const { newOrg, email } = await import('./lib.mjs');
  const org = await newOrg();
  const app = (await org.api('POST', '/api/v1/applications', { name: 'demo' })).body;
  const addr = email('sdk');
  await org.api('POST', '/api/v1/users', { email: addr, password: 'sdk demo password' });
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${BASE}/?client_id=${app.client_id}`);
  await page.waitForSelector('body[data-sdk="ready"]');

  await page.fill('#login-id', addr);
  await page.fill('#password', 'not the password');
  await page.click('button[type="submit"]');
  await page.waitForSelector('body[data-auth="error"]');
  assert.match(await page.textContent('#login-error'), /^INVALID_CREDENTIALS: /);

  await page.fill('#password', 'sdk demo password');
  await page.click('button[type="submit"]');
  await page.waitForSelector('body[data-auth="signed-in"]');
  assert.equal(await page.textContent('#signed-in'), addr);
  const sessions = await page.$$eval('#sessions li', (els) => els.map((e) => e.textContent));
  assert.equal(sessions.length, 1);
  assert.match(sessions[0], /^\(this device\) Headless Chrome on Linux/, "headless Chromium, parsed as such");
  const history = await page.$$eval('#history li', (els) => els.map((e) => e.textContent));
  assert.deepEqual(history.map((h) => h.split(' ')[1]), ['auth.login.success', 'auth.login.failure']);
  // The refresh token never reaches script: only the CSRF cookie is readable.
  const cookieNames = await page.evaluate(() => document.cookie.split(';').map((c) => c.trim().split('=')[0]));
  assert.deepEqual(cookieNames, ['lk_csrf']);
  // Forced refresh through the HttpOnly cookie still yields a token.
  const fresh = await page.evaluate(async (clientId) => {
    const { LatchkeyClient } = await import('/pkg/latchkey_sdk.js');
    const c = new LatchkeyClient({ baseUrl: location.origin, clientId });
    return c.getAccessToken();
  }, app.client_id);
  assert.match(fresh, /^[\w-]+\.[\w-]+\.[\w-]+$/);

  await page.click('#logout');
  await page.waitForSelector('body[data-auth="signed-out"]');
  assert.deepEqual(errors, []);
  await page.close();
});
