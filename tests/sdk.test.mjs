// The browser SDK and <latchkey-login> in Chromium against wrangler dev: the demo page, the
// widget (fill, submit, errors, events, sign-up, inside a shadow root), the account page, and
// one refresh across several tabs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, VERSION, newOrg, email, registered, outboxMessage } from './lib.mjs';
import { visit, launchBrowser } from './browser.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const PASSWORD = 'sdk demo password';

/** An organization, an application and a user with a password. */
async function fixture(tag = 'sdk') {
  const org = await newOrg();
  const app = (await org.api('POST', '/api/v1/applications', { name: 'demo', self_signup: true })).body;
  const addr = email(tag);
  const created = await org.api('POST', '/api/v1/users', { email: addr, password: PASSWORD });
  assert.equal(created.status, 201);
  await registered(org, app, created.body);
  return { org, app, addr, user: created.body };
}

/** A page that records uncaught errors, and the refresh requests its context makes. */
async function context() {
  const ctx = await browser.newContext();
  const seen = { refreshes: 0, errors: [] };
  ctx.on('request', (r) => { if (r.url().endsWith('/api/v1/auth/refresh')) seen.refreshes++; });
  const open = async (path) => {
    const page = await ctx.newPage();
    page.on('pageerror', (e) => seen.errors.push(String(e)));
    // A page the Content-Security-Policy breaks says so on the console.
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) seen.errors.push(m.text()); });
    await visit(page, `${BASE}${path}`);
    return page;
  };
  return { ctx, seen, open };
}

/** Loads the SDK in the page and makes `window.client` for the application. */
function withClient(page, clientId) {
  return page.evaluate(async (id) => {
    const { default: init, LatchkeyClient } = await import('/pkg/latchkey_sdk.js');
    await init();
    window.client = new LatchkeyClient({ baseUrl: location.origin, clientId: id });
  }, clientId);
}

/** Fires-and-records the widget's events on the page, for assertions. */
async function recordEvents(page) {
  await page.evaluate(() => {
    window.events = [];
    for (const name of ['latchkey:login', 'latchkey:error', 'latchkey:logout']) {
      document.addEventListener(name, (e) => window.events.push({ name, detail: e.detail }));
    }
  });
}

test('test_www_demo_page_loads_sdk_wasm_and_reports_version', async () => {
  const { ctx, seen, open } = await context();
  const page = await open('/');
  await page.waitForSelector('body[data-sdk="ready"]', { timeout: 15_000 });
  assert.equal(await page.textContent('#sdk-version'), VERSION);
  await page.waitForFunction(() => document.getElementById('service-health').textContent !== '–');
  assert.equal(await page.textContent('#service-health'), `ok (d1 ok, kv ok, version ${VERSION})`);
  // The element is defined once the module is initialised.
  assert.equal(await page.evaluate(() => typeof customElements.get('latchkey-login')), 'function');
  assert.deepEqual(seen.errors, []);
  await ctx.close();
});

test('test_sdk_widget_shows_errors_signs_in_and_fires_events', async () => {
  const { app, addr } = await fixture('widget');
  const { ctx, seen, open } = await context();
  const page = await open(`/?client_id=${app.client_id}`);
  await page.waitForSelector('body[data-sdk="ready"]');
  await recordEvents(page);
  const widget = page.locator('latchkey-login');
  // Labelled fields, reachable by their labels through the shadow root.
  const login = widget.getByLabel('Email or username');
  const password = widget.getByLabel('Password', { exact: true });
  const submit = widget.getByRole('button', { name: 'Sign in' });
  await submit.waitFor();
  await page.waitForFunction(() => !document.querySelector('latchkey-login').shadowRoot.getElementById('submit').disabled);

  // Empty form: checked before anything is sent, the field marked and focused.
  await submit.click();
  assert.equal(await widget.locator('[part="error"]').textContent(), 'Enter your email or username.');
  assert.equal(await login.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.querySelector('latchkey-login').shadowRoot.activeElement?.id), 'login');

  // Wrong password, submitted from the keyboard.
  await login.fill(addr);
  await password.fill('not the password');
  await password.press('Enter');
  await page.waitForSelector('body[data-auth="error"]');
  assert.equal(await widget.locator('[part="error"]').textContent(), 'That email or password is not right.');
  assert.equal(await widget.locator('[part="error"]').getAttribute('aria-live'), 'assertive');
  assert.equal(await password.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.textContent('#last-error'), 'Last error: INVALID_CREDENTIALS');
  let events = await page.evaluate(() => window.events);
  assert.equal(events.length, 1);
  assert.equal(events[0].name, 'latchkey:error');
  assert.equal(events[0].detail.code, 'INVALID_CREDENTIALS');
  assert.equal(events[0].detail.status, 401);

  await password.fill(PASSWORD);
  await submit.click();
  await page.waitForSelector('body[data-auth="signed-in"]');
  assert.equal(await page.textContent('#signed-in'), addr);
  events = await page.evaluate(() => window.events);
  assert.equal(events.at(-1).name, 'latchkey:login');
  assert.equal(events.at(-1).detail.user.email, addr);
  assert.equal(events.at(-1).detail.mode, 'login');
  assert.equal(await widget.locator('#done-who').textContent(), `Signed in as ${addr}.`);
  assert.equal(await password.inputValue(), '', 'the password is not left in the form');
  // The refresh token never reaches script: only the CSRF cookie is readable.
  const cookieNames = await page.evaluate(() => document.cookie.split(';').map((c) => c.trim().split('=')[0]));
  assert.deepEqual(cookieNames, ['lk_csrf']);
  // Themable: the page's custom property reaches inside the shadow root.
  const accent = await widget.locator('#submit').evaluate((b) => getComputedStyle(b).backgroundColor);
  assert.equal(accent, 'rgb(11, 122, 92)');
  assert.deepEqual(seen.errors, []);
  await ctx.close();
});

test('test_sdk_widget_signs_up_inside_a_shadow_root', async () => {
  const { org, app, addr: taken } = await fixture('taken');
  const { ctx, seen, open } = await context();
  const page = await open('/');
  await page.waitForSelector('body[data-sdk="ready"]');
  await recordEvents(page);
  // An application component that renders the widget inside its own shadow root.
  await page.evaluate((clientId) => {
    const host = document.createElement('app-shell');
    document.body.append(host);
    const inner = host.attachShadow({ mode: 'open' });
    inner.innerHTML = `<latchkey-login mode="signup" client-id="${clientId}"></latchkey-login>`;
  }, app.client_id);
  const widget = page.locator('app-shell latchkey-login');
  assert.equal(await widget.locator('[part="title"]').textContent(), 'Create an account');
  const submit = widget.getByRole('button', { name: 'Create account' });
  await page.waitForFunction(() => !document.querySelector('app-shell').shadowRoot
    .querySelector('latchkey-login').shadowRoot.getElementById('submit').disabled);

  await widget.getByLabel('Name', { exact: true }).fill('Ann Example');
  await widget.getByLabel('Email').fill(taken);
  await widget.getByLabel('Password', { exact: true }).fill('short');
  await submit.click();
  assert.equal(await widget.locator('[part="error"]').textContent(), 'Use at least 8 characters for your password.');

  await widget.getByLabel('Password', { exact: true }).fill('a long enough password');
  await submit.click();
  await page.waitForFunction(() => window.events.length > 0);
  assert.equal((await page.evaluate(() => window.events))[0].detail.code, 'EMAIL_TAKEN');

  const addr = email('signup');
  await widget.getByLabel('Email').fill(addr);
  await submit.click();
  await page.waitForFunction(() => window.events.some((e) => e.name === 'latchkey:login'));
  const done = (await page.evaluate(() => window.events)).at(-1);
  assert.equal(done.detail.mode, 'signup');
  assert.equal(done.detail.user.email, addr);
  assert.equal(done.detail.user.name, 'Ann Example');
  // The account exists on the server, registered for the application.
  const users = await org.api('GET', `/api/v1/users?email=${encodeURIComponent(addr)}`);
  assert.equal(users.status, 200);
  assert.equal(users.body.users.length, 1);
  // Signed in: who, and "Sign out", which brings the form back; its switch goes to signing in.
  assert.equal(await widget.locator('#done-who').textContent(), `Signed in as ${addr}.`);
  await widget.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForFunction(() => window.events.some((e) => e.name === 'latchkey:logout'));
  await widget.getByRole('button', { name: 'Sign in' }).click();
  assert.equal(await widget.locator('[part="title"]').textContent(), 'Sign in');
  assert.equal(await widget.getByLabel('Name', { exact: true }).isVisible(), false);
  assert.deepEqual(seen.errors, []);
  await ctx.close();
});

test('test_sdk_account_page_in_a_new_tab_takes_the_token_from_its_peer', async () => {
  const { app, addr } = await fixture('account');
  const { ctx, seen, open } = await context();
  const demo = await open(`/?client_id=${app.client_id}`);
  await demo.waitForSelector('body[data-sdk="ready"]');
  const widget = demo.locator('latchkey-login');
  await widget.getByLabel('Email or username').fill(addr);
  await widget.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await widget.getByRole('button', { name: 'Sign in' }).click();
  await demo.waitForSelector('body[data-auth="signed-in"]');

  const account = await open(`/account?client_id=${app.client_id}`);
  await account.waitForSelector('body[data-auth="signed-in"]');
  assert.equal(seen.refreshes, 0, 'the new tab asked its peer instead of refreshing');
  assert.equal(await account.textContent('#email'), addr);
  // <latchkey-profile> read them with a client of its own, which took the token from a peer too.
  await account.locator('latchkey-profile #history tr').first().waitFor();
  const sessions = await account.locator('latchkey-profile #sessions li').allInnerTexts();
  assert.equal(sessions.length, 1);
  assert.match(sessions[0], /^Headless Chrome on Linux This device/);
  const actions = await account.locator('latchkey-profile #history .outcome').allTextContents();
  assert.deepEqual(actions, ['Signed in with password']);
  assert.equal(seen.refreshes, 0, 'no tab refreshed');

  await account.click('#logout');
  await account.waitForSelector('body[data-auth="signed-out"]');
  // Signed out in every tab: no tab holds tokens any more (the widget's client in the demo tab
  // dropped its holder lock), and a fresh client finds no session to refresh.
  await demo.waitForFunction(async () => (await navigator.locks.query()).held
    .every((l) => !l.name.includes(':holder:')));
  const token = await demo.evaluate(async (clientId) => {
    const { LatchkeyClient } = await import('/pkg/latchkey_sdk.js');
    return new LatchkeyClient({ baseUrl: location.origin, clientId }).getAccessToken();
  }, app.client_id);
  assert.equal(token, null);
  assert.deepEqual(seen.errors, []);
  await ctx.close();
});

test('test_sdk_sign_up_and_auth_state_events_across_tabs', async () => {
  const { app } = await fixture('events');
  const { ctx, seen, open } = await context();
  const setup = async (page) => {
    await withClient(page, app.client_id);
    await page.evaluate(() => {
      window.seen = [];
      window.unsubscribe = window.client.onAuthStateChange((event, user) => window.seen.push([event, user?.email ?? null]));
    });
  };
  const a = await open('/');
  const b = await open('/');
  await setup(a);
  await setup(b);
  const addr = email('events');
  const user = await a.evaluate(([e, p]) => window.client.signUp({ email: e, password: p }), [addr, PASSWORD]);
  assert.equal(user.email, addr);
  await b.waitForFunction(() => window.seen.length === 1);
  assert.deepEqual(await a.evaluate(() => window.seen), [['SIGNED_IN', addr]]);
  assert.deepEqual(await b.evaluate(() => window.seen), [['SIGNED_IN', addr]], 'the other tab hears of it');
  assert.equal(await b.evaluate(() => window.client.user?.email), addr);
  // A typed error with the server's code.
  const err = await a.evaluate(async (e) => {
    try { await window.client.signUp({ email: e, password: 'another long password' }); } catch (x) {
      return { name: x.name, code: x.code, status: x.status, isError: x instanceof Error };
    }
    return null;
  }, addr);
  assert.deepEqual(err, { name: 'LatchkeyError', code: 'EMAIL_TAKEN', status: 409, isError: true });

  await b.evaluate(() => window.client.logout({}));
  await a.waitForFunction(() => window.seen.length === 2);
  assert.deepEqual((await a.evaluate(() => window.seen))[1], ['SIGNED_OUT', null]);
  assert.equal(await a.evaluate(() => window.client.getAccessToken()), null);
  // Unsubscribed listeners hear nothing more.
  await a.evaluate(() => window.unsubscribe());
  await a.evaluate(([e, p]) => window.client.loginWithPassword(e, p), [addr, PASSWORD]);
  assert.equal((await a.evaluate(() => window.seen)).length, 2);
  assert.equal(seen.refreshes, 0);
  assert.deepEqual(seen.errors, []);
  await ctx.close();
});

test('test_sdk_tabs_refresh_once_when_the_token_expires_everywhere', async () => {
  const { app, addr } = await fixture('tabs');
  const { ctx, seen, open } = await context();
  const TABS = 5;
  const pages = [];
  for (let i = 0; i < TABS; i++) pages.push(await open('/'));
  const setup = (page) => withClient(page, app.client_id);
  await setup(pages[0]);
  await pages[0].evaluate(([e, p]) => window.client.loginWithPassword(e, p), [addr, PASSWORD]);
  for (const p of pages.slice(1)) {
    await setup(p);
    assert.ok(await p.evaluate(() => window.client.getAccessToken()));
  }
  assert.equal(seen.refreshes, 0, 'tabs opened later take the token from a peer');

  // Eleven minutes later in every tab: every access token (10 minutes) has expired.
  await ctx.clock.setFixedTime(Date.now() + 11 * 60_000);
  // Every tab at once, and twice at once within each tab.
  const tokens = (await Promise.all(pages.map((p) => p.evaluate(
    () => Promise.all([window.client.getAccessToken(), window.client.getAccessToken()]),
  )))).flat();
  assert.equal(seen.refreshes, 1, 'exactly one refresh request reached the server');
  assert.equal(tokens.length, 2 * TABS);
  assert.ok(tokens[0], 'a token');
  assert.deepEqual(new Set(tokens).size, 1, 'every tab holds the one new token');
  // Nobody was logged out: the session is alive and every tab can call the API.
  for (const p of pages) {
    const me = await p.evaluate(() => window.client.currentUser().then((u) => u.email));
    assert.equal(me, addr);
  }
  const sessions = await pages[TABS - 1].evaluate(() => window.client.listSessions());
  assert.equal(sessions.length, 1);
  assert.deepEqual(seen.errors, []);
  await ctx.close();
});

test('test_sdk_confirms_an_address_and_resets_a_password_with_the_links_tokens', async () => {
  const org = await newOrg();
  const app = (await org.api('POST', '/api/v1/applications', { name: 'links', login_methods: ['password', 'magic_link'] })).body;
  const addr = email('sdk-links');
  const created = await org.api('POST', '/api/v1/users', { email: addr, password: PASSWORD });
  await registered(org, app, created.body);
  const { ctx, seen, open } = await context();
  const page = await open('/');
  await withClient(page, app.client_id);
  // Confirm the address: the link's token, as a page that handles links itself reads it.
  const sent = await page.evaluate((a) => window.client.sendVerificationEmail(a), addr);
  assert.deepEqual(sent, { expires_in: 86400, resend_after: 30 });
  const confirm = await outboxMessage(addr);
  const confirmToken = confirm.text.match(/\/verify-email#([0-9a-f]{64})/)[1];
  assert.deepEqual(await page.evaluate((t) => window.client.verifyEmail(t), confirmToken), { email: addr, email_verified: true });
  // Spent: the SDK's error says so.
  const again = await page.evaluate((t) => window.client.verifyEmail(t).then(() => null, (e) => e.code), confirmToken);
  assert.equal(again, 'CODE_USED');
  // A reset link's token sets a new password, once; the old one stops working.
  const resetAt = Date.now() + 40_000;
  const asked = await fetch(`${BASE}/api/v1/auth/password-reset`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-latchkey-dev-now': String(resetAt) },
    body: JSON.stringify({ client_id: app.client_id, email: addr }),
  });
  assert.equal(asked.status, 200);
  const reset = await outboxMessage(addr, { after: confirm.id });
  const resetToken = reset.text.match(/\/reset-password#([0-9a-f]{64})/)[1];
  const fresh = 'an sdk reset password 9';
  assert.equal(await page.evaluate(([t, p]) => window.client.resetPassword(t, p).then(() => 'ok'), [resetToken, fresh]), 'ok');
  const reused = await page.evaluate(([t, p]) => window.client.resetPassword(t, p).then(() => null, (e) => e.code), [resetToken, 'yet another password 1']);
  assert.equal(reused, 'CODE_USED');
  const signedIn = await page.evaluate(([a, p]) => window.client.loginWithPassword(a, p).then((u) => u.email), [addr, fresh]);
  assert.equal(signedIn, addr);
  const old = await page.evaluate(([a, p]) => window.client.loginWithPassword(a, p).then(() => null, (e) => e.code), [addr, PASSWORD]);
  assert.equal(old, 'INVALID_CREDENTIALS');
  assert.deepEqual(seen.errors, []);
  await ctx.close();
});
