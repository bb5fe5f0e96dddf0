// Passkeys in Chromium against wrangler dev, with the DevTools protocol's virtual
// authenticator (CTAP2, internal transport, resident keys, user verification): register,
// log in modal username-first and usernameless, conditional UI, a client that skips user
// verification, rename, delete and then fail, and the login records, sessions and tokens
// that result. The page is served on http://localhost:PORT: an IP address is no RP ID.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, call, assertError, newOrg, email, registered, sqlDirect } from './lib.mjs';
import { visit, launchBrowser, screenshots } from './browser.mjs';

const PASSWORD = 'passkey test password';
const ORIGIN = BASE.replace('127.0.0.1', 'localhost');

let browser;
let org;
let app;
let user;
before(async () => {
  browser = await launchBrowser();
  org = await newOrg();
  app = (await org.api('POST', '/api/v1/applications', {
    name: 'Passkey demo', allowed_origins: [ORIGIN], login_methods: ['password', 'passkey'],
  })).body;
  assert.equal(app.passkey_user_verification, 'required');
  const created = await org.api('POST', '/api/v1/users', { email: email('passkey'), password: PASSWORD });
  user = await registered(org, app, created.body);
});
after(async () => { await browser?.close(); });

// Tokens are issued for, and only accepted at, the origin they were asked from (the issuer
// is the request's origin when ISSUER is unset), so signed-in calls go through the page.
const wrap = (r) => ({ ...r, headers: new Headers(r.headers ?? {}) });
const pageCall = async (page, method, path, { body, token } = {}) =>
  wrap(await page.evaluate(({ method, path, body, token }) => api(method, path, body, token), { method, path, body, token }));

async function passwordToken(page, loginId = user.email) {
  const res = await pageCall(page, 'POST', '/api/v1/auth/login', { body: { client_id: app.client_id, login_id: loginId, password: PASSWORD } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.access_token;
}

/** A page on localhost with a virtual authenticator; `run(fn, arg)` evaluates with helpers. */
async function authenticatorPage() {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await visit(page, `${ORIGIN}/`);
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options: {
    protocol: 'ctap2', ctap2Version: 'ctap2_1', transport: 'internal', hasResidentKey: true,
    hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true,
  } });
  // WebAuthn JSON in and out with the browser's own converters (Chromium has them).
  await page.evaluate(() => {
    window.api = async (method, path, body, token) => {
      const res = await fetch(path, {
        method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null, headers: Object.fromEntries(res.headers) };
    };
    window.create = async (options) => {
      const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options);
      return (await navigator.credentials.create({ publicKey })).toJSON();
    };
    window.get = async (options, mediation) => {
      const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options);
      return (await navigator.credentials.get({ publicKey, ...(mediation ? { mediation } : {}) })).toJSON();
    };
  });
  return { ctx, page, cdp, authenticatorId, errors };
}

async function register(page, token, name) {
  return wrap(await page.evaluate(async ({ token, name }) => {
    const options = await api('POST', '/api/v1/passkeys/register/options', undefined, token);
    if (options.status !== 200) return options;
    const credential = await create(options.body.public_key);
    return api('POST', '/api/v1/passkeys/register', { name, credential }, token);
  }, { token, name }));
}

/** A passkey login: `loginId` for username-first; `tweak` edits the options first. */
async function login(page, { loginId, mediation, tweak } = {}) {
  return wrap(await page.evaluate(async ({ clientId, loginId, mediation, tweak }) => {
    const options = await api('POST', '/api/v1/auth/passkey/options', { client_id: clientId, ...(loginId ? { login_id: loginId } : {}) });
    if (options.status !== 200) return options;
    const o = options.body.public_key;
    if (tweak === 'skip-uv') o.userVerification = 'discouraged';
    if (mediation === 'conditional') {
      if (!(await PublicKeyCredential.isConditionalMediationAvailable())) return { status: 0, body: 'no conditional mediation' };
      const input = document.createElement('input');
      input.autocomplete = 'username webauthn';
      document.body.append(input);
      input.focus();
    }
    let credential;
    try {
      credential = await get(o, mediation);
    } catch (e) {
      return { status: 0, body: `${e.name}: ${e.message}`, allow: o.allowCredentials.length };
    }
    const res = await api('POST', '/api/v1/auth/passkey/login', { client_id: clientId, credential });
    return { ...res, allow: o.allowCredentials.length };
  }, { clientId: app.client_id, loginId, mediation, tweak }));
}

async function lastReason() {
  const rows = await sqlDirect(`SELECT method, outcome, failure_reason, user_id FROM login_records WHERE application_id = '${app.id}' ORDER BY id DESC LIMIT 1`);
  return rows[0];
}

test('test_passkeys_register_log_in_every_way_rename_delete_in_chromium', async () => {
  const { ctx, page, cdp, authenticatorId, errors } = await authenticatorPage();
  try {
    const token = await passwordToken(page);
    // No token, no registration; a passkey login needs the method enabled (it is here).
    assertError(await call('POST', '/api/v1/passkeys/register/options'), 401, 'UNAUTHORIZED');

    const reg = await register(page, token, 'Test laptop');
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    assert.equal(reg.body.name, 'Test laptop');
    assert.equal(reg.body.rp_id, 'localhost');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.equal(credentials.length, 1);
    assert.equal(credentials[0].isResidentCredential, true);

    // The same authenticator again: excluded by the options, so the browser refuses.
    const again = await register(page, token, 'Twice').catch((e) => ({ status: 0, body: String(e) }));
    assert.notEqual(again.status, 201, JSON.stringify(again));

    // Usernameless (modal), then username-first: each a session with method passkey.
    const usernameless = await login(page);
    assert.equal(usernameless.status, 200, JSON.stringify(usernameless.body));
    assert.equal(usernameless.allow, 0);
    assert.equal(usernameless.body.user.id, user.id);
    const claims = JSON.parse(Buffer.from(usernameless.body.access_token.split('.')[1], 'base64url'));
    assert.deepEqual(claims.amr, ['hwk', 'user']);
    const first = await login(page, { loginId: user.email });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.allow, 1);

    // Conditional UI (autofill): with a discoverable credential the virtual authenticator
    // answers at once.
    const conditional = await login(page, { mediation: 'conditional' });
    assert.equal(conditional.status, 200, JSON.stringify(conditional.body));

    const sessions = await pageCall(page, 'GET', '/api/v1/auth/sessions', { token: first.body.access_token });
    assert.equal(sessions.status, 200);
    const mine = sessions.body.sessions.find((s) => s.id === first.body.session_id);
    assert.deepEqual(mine.methods, ['passkey']);
    const history = await pageCall(page, 'GET', '/api/v1/auth/login-history', { token: first.body.access_token });
    assert.equal(history.status, 200);

    // A client that asks the authenticator not to verify the user: the server still requires it.
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
    const unverified = await login(page, { tweak: 'skip-uv' });
    assertError(unverified, 400, 'PASSKEY_REJECTED', JSON.stringify(unverified));
    assert.deepEqual(await lastReason(), { method: 'passkey', outcome: 'failure', failure_reason: 'user_not_verified', user_id: user.id });
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: true });

    // The user's list, rename, status; an administrator sees the same passkey.
    const list = await pageCall(page, 'GET', '/api/v1/passkeys', { token });
    assert.equal(list.body.passkeys.length, 1);
    const id = list.body.passkeys[0].id;
    assert.ok(list.body.passkeys[0].last_used_at);
    const renamed = await pageCall(page, 'PATCH', `/api/v1/passkeys/${id}`, { token, body: { name: 'Work laptop' } });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.equal(renamed.body.name, 'Work laptop');
    assertError(await pageCall(page, 'PATCH', `/api/v1/passkeys/${id}`, { token, body: { name: '  ' } }), 400, 'INVALID_NAME');
    const status = await pageCall(page, 'GET', '/api/v1/passkeys/status', { token });
    assert.deepEqual([status.body.enabled, status.body.count], [true, 1]);
    const admin = await org.api('GET', `/api/v1/users/${user.id}/passkeys`);
    assert.equal(admin.body.passkeys[0].name, 'Work laptop');

    // Deleted, the passkey signs nobody in, and the refusal is recorded.
    const del = await pageCall(page, 'DELETE', `/api/v1/passkeys/${id}`, { token });
    assert.equal(del.status, 204);
    const gone = await login(page);
    assertError(gone, 400, 'PASSKEY_REJECTED', JSON.stringify(gone));
    assert.deepEqual(await lastReason(), { method: 'passkey', outcome: 'failure', failure_reason: 'unknown_passkey', user_id: null });
    const events = (await org.api('GET', '/api/v1/security-events?kind=passkey.removed')).body.events;
    assert.equal(events.length, 1);
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

test('test_passkeys_attacks_replay_other_org_and_enumeration', async () => {
  const { ctx, page } = await authenticatorPage();
  try {
    const token = await passwordToken(page);
    const reg = await register(page, token, 'Key');
    assert.equal(reg.status, 201, JSON.stringify(reg.body));

    // One assertion, sent twice at once: exactly one wins; the other finds its challenge spent.
    const results = await page.evaluate(async (clientId) => {
      const options = await api('POST', '/api/v1/auth/passkey/options', { client_id: clientId });
      const credential = await get(options.body.public_key);
      const send = () => api('POST', '/api/v1/auth/passkey/login', { client_id: clientId, credential });
      return Promise.all([send(), send(), send()]);
    }, app.client_id);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 400, 400], JSON.stringify(results));

    // Another organization's administrator sees and deletes nothing of this user's.
    const other = await newOrg();
    assertError(await other.api('GET', `/api/v1/users/${user.id}/passkeys`), 404, 'NOT_FOUND');
    const id = reg.body.id;
    assertError(await other.api('DELETE', `/api/v1/users/${user.id}/passkeys/${id}`), 404, 'NOT_FOUND');
    // A second user of this organization cannot touch it either.
    const bobBody = (await org.api('POST', '/api/v1/users', { email: email('bob'), password: PASSWORD })).body;
    await registered(org, app, bobBody);
    const bob = await passwordToken(page, bobBody.email);
    assertError(await pageCall(page, 'DELETE', `/api/v1/passkeys/${id}`, { token: bob }), 404, 'NOT_FOUND');
    assertError(await pageCall(page, 'PATCH', `/api/v1/passkeys/${id}`, { token: bob, body: { name: 'x' } }), 404, 'NOT_FOUND');

    // Username-first options for an unknown login id look like a known one's without passkeys.
    const opts = async (login_id) => (await call('POST', '/api/v1/auth/passkey/options', { body: { client_id: app.client_id, login_id } })).body.public_key;
    const [known, unknown, unknownAgain] = [await opts(bobBody.email), await opts('nobody@example.com'), await opts('nobody@example.com')];
    assert.equal(known.allowCredentials.length, unknown.allowCredentials.length);
    assert.deepEqual(Object.keys(known).sort(), Object.keys(unknown).sort());
    assert.deepEqual(unknown.allowCredentials, unknownAgain.allowCredentials);

    // An application without passkeys refuses both steps.
    const plain = (await org.api('POST', '/api/v1/applications', { name: 'plain', allowed_origins: [ORIGIN] })).body;
    assertError(await call('POST', '/api/v1/auth/passkey/options', { body: { client_id: plain.client_id } }), 400, 'LOGIN_METHOD_DISABLED');
    // Malformed responses are a 400, never a 500.
    assertError(await call('POST', '/api/v1/auth/passkey/login', { body: { client_id: app.client_id, credential: { id: 'x', rawId: 'x', type: 'public-key', response: { clientDataJSON: '!!', authenticatorData: '', signature: '' } } } }), 400, 'PASSKEY_REJECTED');
    assertError(await call('POST', '/api/v1/auth/passkey/login', { body: { client_id: app.client_id } }), 400, 'INVALID_REQUEST');

    // Challenges nobody answered are deleted by the next cron run once they expire.
    const pending = `SELECT COUNT(*) AS n FROM one_time_codes WHERE purpose = 'passkey_login' AND organization_id = '${org.org.id}'`;
    assert.ok((await sqlDirect(pending))[0].n >= 3);
    await sqlDirect(`UPDATE one_time_codes SET expires_at = 0 WHERE purpose = 'passkey_login' AND organization_id = '${org.org.id}'`);
    assert.equal((await call('GET', '/__scheduled?cron=*+*+*+*+*')).status, 200);
    assert.equal((await sqlDirect(pending))[0].n, 0);
  } finally {
    await ctx.close();
  }
});

test('test_passkeys_through_the_sdk_register_list_rename_login_and_typed_errors', async () => {
  const { ctx, page, errors } = await authenticatorPage();
  const created = await org.api('POST', '/api/v1/users', { email: email('sdk-passkey'), password: PASSWORD });
  const sdkUser = await registered(org, app, created.body);
  try {
    const out = await page.evaluate(async ({ clientId, loginId, password }) => {
      const { default: init, LatchkeyClient } = await import('/pkg/latchkey_sdk.js');
      await init();
      const client = new LatchkeyClient({ baseUrl: location.origin, clientId });
      const code = (p) => p.then(() => 'resolved', (e) => `${e.name}:${e.code}`);
      const r = { supported: LatchkeyClient.passkeysSupported(), autofill: await LatchkeyClient.passkeyAutofillSupported() };
      r.signedOut = await code(client.registerPasskey());
      await client.loginWithPassword(loginId, password);
      const created = await client.registerPasskey({ name: 'SDK key' });
      r.created = created.name;
      // The same authenticator again: the browser refuses, as a typed error.
      r.twice = await code(client.registerPasskey({ name: 'again' }));
      const renamed = await client.renamePasskey(created.id, 'Renamed');
      r.renamed = renamed.name;
      r.listed = (await client.listPasskeys()).map((p) => p.name);
      await client.logout();
      r.modal = (await client.loginWithPasskey()).email;
      r.methods = (await client.listSessions()).find((s) => s.current)?.methods;
      await client.logout();
      r.usernameFirst = (await client.loginWithPasskey({ loginId })).email;
      await client.logout();
      const input = document.createElement('input');
      input.autocomplete = 'username webauthn';
      document.body.append(input);
      input.focus();
      r.conditional = (await client.loginWithPasskey({ conditional: true })).email;
      // Aborted before it starts: a cancelled ceremony.
      const abort = new AbortController();
      abort.abort();
      r.aborted = await code(client.loginWithPasskey({ conditional: true, signal: abort.signal }));
      await client.deletePasskey(created.id);
      r.afterDelete = (await client.listPasskeys()).length;
      await client.logout();
      r.deletedLogin = await code(client.loginWithPasskey());
      r.user = client.user;
      return r;
    }, { clientId: app.client_id, loginId: sdkUser.email, password: PASSWORD });
    assert.deepEqual(out, {
      supported: true,
      autofill: true,
      signedOut: 'LatchkeyError:UNAUTHORIZED',
      created: 'SDK key',
      twice: 'LatchkeyError:PASSKEY_INVALID_STATE',
      renamed: 'Renamed',
      listed: ['Renamed'],
      modal: sdkUser.email,
      methods: ['passkey'],
      usernameFirst: sdkUser.email,
      conditional: sdkUser.email,
      aborted: 'LatchkeyError:PASSKEY_CANCELLED',
      afterDelete: 0,
      deletedLogin: 'LatchkeyError:PASSKEY_REJECTED',
      user: null,
    });
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

// Screenshots of the widget and the account page, to look at (not compared).
const shot = screenshots('passkeys');

/** A tab of `ctx` on `path` with a virtual authenticator holding `credential` (if any). */
async function tab(ctx, path, credential) {
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options: {
    protocol: 'ctap2', ctap2Version: 'ctap2_1', transport: 'internal', hasResidentKey: true,
    hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true,
  } });
  if (credential) await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
  await visit(page, `${ORIGIN}${path}`);
  await page.waitForSelector('body[data-sdk="ready"], body[data-auth]');
  const credentials = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
  return { page, errors, credentials };
}

test('test_passkeys_in_the_widget_and_the_account_page', async () => {
  const addr = email('widget-passkey');
  const created = await org.api('POST', '/api/v1/users', { email: addr, password: PASSWORD });
  await registered(org, app, created.body);
  const ctx = await browser.newContext();
  try {
    // 1. Password sign-in, then the offer to create a passkey.
    const first = await tab(ctx, `/?client_id=${app.client_id}`);
    const widget = first.page.locator('latchkey-login');
    const passkeyButton = widget.getByRole('button', { name: 'Sign in with a passkey' });
    await passkeyButton.waitFor();
    assert.equal(await widget.getByLabel('Email or username').getAttribute('autocomplete'), 'username webauthn');
    await shot(first.page, '1-login-form');
    await widget.getByLabel('Email or username').fill(addr);
    await widget.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await widget.getByRole('button', { name: 'Sign in', exact: true }).click();
    await first.page.waitForSelector('body[data-auth="signed-in"]');
    const offer = widget.getByRole('button', { name: 'Create a passkey to sign in faster next time' });
    await offer.waitFor();
    await shot(first.page, '2-offer');
    await offer.click();
    await widget.getByText('Passkey created: next time, sign in with it.').waitFor();
    await shot(first.page, '3-created');
    const [credential] = await first.credentials();
    assert.ok(credential?.isResidentCredential);
    const listed = await org.api('GET', `/api/v1/users/${created.body.id}/passkeys`);
    assert.equal(listed.body.passkeys.length, 1);

    // 2. A new tab whose authenticator holds the key but offers it to nobody unasked (not
    // discoverable): autofill waits; the button, for the identifier typed, signs in.
    const ctx2 = await browser.newContext();
    const second = await tab(ctx2, `/?client_id=${app.client_id}`, { ...credential, isResidentCredential: false });
    const w2 = second.page.locator('latchkey-login');
    await second.page.evaluate(() => document.querySelector('latchkey-login').addEventListener('latchkey:login', (e) => { window.method = e.detail.method; }));
    await w2.getByLabel('Email or username').fill(addr);
    await w2.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await second.page.waitForSelector('body[data-auth="signed-in"]');
    assert.equal(await second.page.evaluate(() => window.method), 'passkey');
    assert.equal(await second.page.textContent('#signed-in'), addr);
    await shot(second.page, '4-signed-in-with-passkey');
    const [used] = await second.credentials();
    await ctx2.close();

    // 3. A fresh browser with the discoverable key: autofill signs in as the page loads
    // (the virtual authenticator picks at once where a person would pick from the list).
    const ctx3 = await browser.newContext();
    const third = await tab(ctx3, `/?client_id=${app.client_id}`, { ...used, isResidentCredential: true, userHandle: credential.userHandle });
    await third.page.waitForSelector('body[data-auth="signed-in"]');
    assert.equal(await third.page.textContent('#signed-in'), addr);
    assert.deepEqual([...first.errors, ...second.errors, ...third.errors], []);
    await ctx3.close();

    // 4. <latchkey-profile> on the account page lists, renames, deletes and adds passkeys.
    const account = await tab(ctx, `/account?client_id=${app.client_id}`);
    await account.page.waitForSelector('body[data-auth="signed-in"]');
    const profile = account.page.locator('latchkey-profile');
    const passkeys = () => org.api('GET', `/api/v1/users/${created.body.id}/passkeys`).then((r) => r.body.passkeys);
    const focused = () => account.page.evaluate(() => {
      const a = document.querySelector('latchkey-profile').shadowRoot.activeElement;
      return a && (a.id || a.getAttribute('aria-label') || a.textContent.trim());
    });
    const card = profile.locator('#passkeys li');
    await card.first().waitFor();
    assert.equal(await card.count(), 1);
    const text = await card.innerText();
    assert.match(text, /Added .*\d{4}/, text);
    assert.match(text, /Last used (now|\d+ (second|minute)s? ago)/, text);
    // <latchkey-profile>'s history, newest first.
    await profile.locator('#history tr').nth(2).waitFor();
    const what = await profile.locator('#history .outcome').allTextContents();
    assert.deepEqual(what, ['Signed in with a passkey', 'Signed in with a passkey', 'Signed in with password']);
    await shot(account.page, '5-account');

    // Rename, in the card: the field holds the name; Save sends it.
    const [before] = await passkeys();
    await card.getByRole('button', { name: `Rename ${before.name}` }).click();
    const field = card.getByLabel('Name', { exact: true });
    assert.equal(await field.inputValue(), before.name);
    assert.equal(await account.page.evaluate(() => document.querySelector('latchkey-profile').shadowRoot.activeElement?.hasAttribute('data-pk-name')), true);
    await field.fill('Renamed in the profile');
    await shot(account.page, '6-rename');
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByText('Renamed in the profile').waitFor();
    assert.equal((await passkeys())[0].name, 'Renamed in the profile');
    assert.equal(await focused(), 'Rename Renamed in the profile');
    assert.equal(await profile.locator('#p-note').textContent(), 'Renamed to Renamed in the profile.');

    // A hostile name is shown as text.
    const evil = '<img src=x onerror=alert(1)>';
    await card.getByRole('button', { name: /^Rename / }).click();
    await card.getByLabel('Name', { exact: true }).fill(evil);
    await card.getByLabel('Name', { exact: true }).press('Enter');
    await card.locator('.title', { hasText: evil }).waitFor();
    assert.equal(await profile.locator('#passkeys img').count(), 0);
    assert.equal((await passkeys())[0].name, evil);

    // Delete asks in the card; Cancel puts the focus back and deletes nothing.
    await card.getByRole('button', { name: `Delete ${evil}` }).click();
    assert.match(await card.innerText(), /Delete this passkey\?/);
    assert.equal(await focused(), 'Yes');
    await shot(account.page, '7-delete-confirm');
    await card.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await focused(), `Delete ${evil}`);
    assert.equal((await passkeys()).length, 1, 'nothing deleted yet');
    await card.getByRole('button', { name: `Delete ${evil}` }).click();
    await card.getByRole('button', { name: 'Yes' }).click();
    await profile.getByText('No passkeys yet.', { exact: false }).waitFor();
    assert.equal((await passkeys()).length, 0);
    assert.equal(await focused(), 'p-title');

    // Add a passkey: this tab's authenticator makes one, listed at once.
    await profile.getByRole('button', { name: 'Add a passkey' }).click();
    await card.first().waitFor();
    assert.equal((await passkeys()).length, 1);
    assert.equal((await account.credentials()).length, 1);
    assert.match(await profile.locator('#p-note').textContent(), /^Passkey added: /);
    assert.equal(await profile.getByText('No passkeys yet.', { exact: false }).isVisible(), false);
    await shot(account.page, '8-added');
    assert.deepEqual(account.errors, []);
  } finally {
    await ctx.close();
  }
});
