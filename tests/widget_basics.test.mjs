// <latchkey-login>'s form basics and theming in Chromium against wrangler dev: the page's logo
// and the application's name head the form; the identifier
// is never auto-capitalised, the password can be shown, a wrong password is selected so the
// next keystrokes replace it; both themes' default colours are measured (4.5:1 for every text,
// 3:1 for input borders) and every target is at least 24 px; a page's custom properties reach
// the inputs; and when the application's settings cannot be fetched the form says so and
// offers to try again. axe-core finds no serious accessibility violation in either theme. A
// required password change is made in the form (and the SDK's error
// carries its one-time id), then signs in with the new password. Screenshots go to tests/.artifacts/widget-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, assertError, call, newOrg, email, registered } from './lib.mjs';
import { visit, openDemo, launchBrowser, screenshots, measure, assertReadable, axeViolations } from './browser.mjs';

const shot = screenshots('widget');

const PASSWORD = 'widget basics password';

let browser;
let org;
let app;
let addr;
before(async () => {
  browser = await launchBrowser();
  org = await newOrg();
  app = (await org.api('POST', '/api/v1/applications', {
    name: 'Widget basics', login_methods: ['password', 'magic_code', 'magic_link'],
  })).body;
  addr = email('basics');
  const created = await org.api('POST', '/api/v1/users', { email: addr, password: PASSWORD });
  assert.equal(created.status, 201);
  await registered(org, app, created.body);
});
after(async () => { await browser?.close(); });

test('the identifier is typed as is, the password can be shown, and a wrong one is selected', async () => {
  const ctx = await browser.newContext();
  const { page, widget, errors } = await openDemo(ctx, app.client_id);
  // The page's logo above the title, the application's name below it.
  assert.equal(await widget.locator('#app-name').textContent(), 'to continue to Widget basics');
  const logo = page.locator('latchkey-login img[slot="logo"]');
  assert.ok(await logo.isVisible());
  await logo.evaluate((img) => img.decode());
  assert.ok(await logo.evaluate((img) => img.naturalWidth > 0), 'the demo logo loads');
  const login = widget.getByLabel('Email or username');
  assert.equal(await login.getAttribute('autocapitalize'), 'none');
  assert.equal(await login.getAttribute('spellcheck'), 'false');
  const password = widget.getByLabel('Password', { exact: true });
  await password.fill('visible for a moment');
  await widget.getByRole('button', { name: 'Show password' }).click();
  assert.equal(await password.getAttribute('type'), 'text');
  assert.equal(await widget.getByRole('button', { name: 'Hide password' }).getAttribute('aria-controls'), 'password');
  await shot(page, 'password-shown');
  await widget.getByRole('button', { name: 'Hide password' }).click();
  assert.equal(await password.getAttribute('type'), 'password');

  // Left shown: signing in hides it again.
  await widget.getByRole('button', { name: 'Show password' }).click();
  await login.fill(addr);
  await password.fill('not the password');
  await widget.getByRole('button', { name: 'Sign in', exact: true }).click();
  await widget.locator('#error').filter({ hasText: 'not right' }).waitFor();
  const field = await page.evaluate(() => {
    const active = document.querySelector('latchkey-login').shadowRoot.activeElement;
    return { id: active?.id, start: active?.selectionStart, end: active?.selectionEnd, length: active?.value.length };
  });
  assert.deepEqual(field, { id: 'password', start: 0, end: 'not the password'.length, length: 'not the password'.length });
  assert.equal(await password.getAttribute('aria-invalid'), 'true');
  await shot(page, 'wrong-password');
  // Typing replaces the wrong password, as its selection promised.
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForSelector('body[data-auth="signed-in"]');
  assert.equal(await password.getAttribute('type'), 'password');
  assert.equal(await widget.locator('#app-name').isVisible(), false, 'no "to continue to" once signed in');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('both themes reach 4.5:1 for every text and 24 px for every target, pass axe-core, and take the page\'s properties', async () => {
  // The page's Content-Security-Policy would refuse axe-core's injected script.
  const ctx = await browser.newContext({ bypassCSP: true });
  const { page, widget } = await openDemo(ctx, app.client_id);
  // The widget's own defaults: the demo page's accent (a light-page green) is set aside.
  await page.evaluate(() => document.querySelector('latchkey-login').style.setProperty('--latchkey-accent', 'initial'));
  // An error on screen too: its colour is measured with the rest.
  await widget.getByRole('button', { name: 'Sign in', exact: true }).click();
  await widget.locator('#error').filter({ hasText: /./ }).waitFor();
  const light = await page.evaluate(measure, 'latchkey-login');
  assertReadable(light, 'light', 8);
  await shot(page, 'light');

  assert.deepEqual(await axeViolations(page, 'latchkey-login'), [], 'light');

  await page.evaluate(() => document.querySelector('latchkey-login').setAttribute('theme', 'dark'));
  const dark = await page.evaluate(measure, 'latchkey-login');
  assertReadable(dark, 'dark', 8);
  assert.deepEqual(await axeViolations(page, 'latchkey-login'), [], 'dark');
  assert.notEqual(dark.surface, light.surface, 'the dark theme has its own background');
  await shot(page, 'dark');

  // "auto" follows the system.
  await page.emulateMedia({ colorScheme: 'light' });
  await page.evaluate(() => document.querySelector('latchkey-login').setAttribute('theme', 'auto'));
  assert.equal((await page.evaluate(measure, 'latchkey-login')).surface, light.surface);
  await page.emulateMedia({ colorScheme: 'dark' });
  assert.equal((await page.evaluate(measure, 'latchkey-login')).surface, dark.surface);

  // A page's own colours reach the inputs and the accent button's text.
  await page.evaluate(() => {
    const el = document.querySelector('latchkey-login');
    el.style.setProperty('--latchkey-input-bg', 'rgb(1, 2, 3)');
    el.style.setProperty('--latchkey-input-fg', 'rgb(250, 251, 252)');
    el.style.setProperty('--latchkey-accent-fg', 'rgb(4, 5, 6)');
  });
  const colours = await page.evaluate(() => {
    const root = document.querySelector('latchkey-login').shadowRoot;
    const input = getComputedStyle(root.getElementById('login'));
    return { bg: input.backgroundColor, fg: input.color, button: getComputedStyle(root.getElementById('submit')).color };
  });
  assert.deepEqual(colours, { bg: 'rgb(1, 2, 3)', fg: 'rgb(250, 251, 252)', button: 'rgb(4, 5, 6)' });
  await ctx.close();
});

test('when the application cannot be reached the form is busy, then says so and tries again', async () => {
  const ctx = await browser.newContext();
  let release;
  const held = new Promise((r) => { release = r; });
  let fail = true;
  await ctx.route('**/api/v1/config/client/**', async (route) => {
    if (fail) {
      await held;
      return route.abort('internetdisconnected');
    }
    return route.continue();
  });
  const page = await ctx.newPage();
  await visit(page, `${BASE}/?client_id=${app.client_id}`);
  await page.waitForSelector('body[data-sdk="ready"]');
  const widget = page.locator('latchkey-login');
  // While the application's settings are on their way, the form says it is busy.
  await page.waitForFunction(() => document.querySelector('latchkey-login').shadowRoot.getElementById('form').hasAttribute('aria-busy'));
  release();
  const retry = widget.getByRole('button', { name: 'Try again' });
  await retry.waitFor({ state: 'visible' });
  assert.match(await widget.locator('#error').textContent(), /Could not reach the sign-in service/);
  assert.equal(await page.evaluate(() => document.querySelector('latchkey-login').shadowRoot.getElementById('form').hasAttribute('aria-busy')), false);
  await shot(page, 'unreachable');
  fail = false;
  await retry.click();
  await widget.getByRole('button', { name: 'Email me a sign-in code' }).waitFor({ state: 'visible' });
  assert.equal(await widget.locator('#error').textContent(), '');
  assert.equal(await retry.isVisible(), false);
  await widget.getByLabel('Email or username').fill(addr);
  await widget.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await widget.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForSelector('body[data-auth="signed-in"]');
  await ctx.close();
});

test('a required password change is made in the form, then signs in with the new password', async () => {
  const who = email('change');
  const created = await org.api('POST', '/api/v1/users', { email: who, password: PASSWORD });
  await registered(org, app, created.body);
  assert.equal((await org.api('PUT', `/api/v1/users/${created.body.id}`, { password_change_required: true })).status, 200);
  const ctx = await browser.newContext();
  const { page, widget, errors } = await openDemo(ctx, app.client_id);
  // The SDK's error carries the one-time id (each login answers a new one).
  const thrown = await page.evaluate(async ([id, user, password]) => {
    const { LatchkeyClient } = await import('/pkg/latchkey_sdk.js');
    const client = new LatchkeyClient({ baseUrl: location.origin, clientId: id });
    try { await client.loginWithPassword(user, password); return null; } catch (e) { return { code: e.code, id: e.changePasswordId }; }
  }, [app.client_id, who, PASSWORD]);
  assert.equal(thrown.code, 'PASSWORD_CHANGE_REQUIRED');
  assert.match(thrown.id, /^[0-9a-f]{64}$/);

  await widget.getByLabel('Email or username').fill(who);
  await widget.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await widget.getByRole('button', { name: 'Sign in', exact: true }).click();
  const fresh = widget.getByLabel('New password', { exact: true });
  await fresh.waitFor({ state: 'visible' });
  assert.equal(await widget.locator('#title').textContent(), 'Choose a new password');
  assert.equal(await page.evaluate(() => document.querySelector('latchkey-login').shadowRoot.activeElement?.id), 'new-password');
  assert.equal(await widget.getByLabel('Password', { exact: true }).isVisible(), false);
  // Too short: said in the form, before anything is sent.
  await fresh.fill('short');
  await widget.getByRole('button', { name: 'Change password and sign in' }).click();
  assert.equal(await widget.locator('#error').textContent(), 'Use at least 8 characters for your password.');
  assert.equal(await fresh.getAttribute('aria-invalid'), 'true');
  await shot(page, 'change-password');
  await fresh.fill('a chosen new password');
  await widget.getByRole('button', { name: 'Change password and sign in' }).click();
  await page.waitForSelector('body[data-auth="signed-in"]');
  assert.equal(await page.locator('#signed-in').textContent(), who);
  await shot(page, 'changed-signed-in');
  // The old password is gone, the new one works, and the SDK's earlier id is void.
  const login = (password) => call('POST', '/api/v1/auth/login', { body: { client_id: app.client_id, login_id: who, password } });
  assert.equal((await login(PASSWORD)).status, 401);
  assert.equal((await login('a chosen new password')).status, 200);
  const again = await call('POST', '/api/v1/auth/change-password', { body: { change_password_id: thrown.id, password: 'yet another password' } });
  assertError(again, 400, 'INVALID_CHANGE_PASSWORD_ID');
  assert.deepEqual(errors, []);
  await ctx.close();
});
