// Latchkey as a relying party of an organization's identity providers, judged by a provider
// no one here wrote: npm oidc-provider (panva) runs on a local port as the corporate IdP
// (RS256 keys, its development login page, claims from userinfo). In Chromium, the widget's
// "Continue with …" button and its email-domain route ("Sign in with SSO") sign a person in
// through it: a new account (just in time), then an existing one linked by its verified
// address. A provider written here with jose answers the attacks: another key's signature, a
// wrong nonce, an expired token, a forged state; and the hand-off code: one use, this
// page's verifier only, exactly one of racing exchanges. Screenshots: tests/.artifacts/sso-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { BASE, call, newOrg, email, assertError, registered } from './lib.mjs';
import { visit, launchBrowser, screenshots } from './browser.mjs';
import { freePort } from './harness.mjs';

const shot = screenshots('sso');
const CALLBACK = `${BASE}/api/v1/auth/sso/callback`;
const b64url = (b) => Buffer.from(b).toString('base64url');
const s256 = (v) => b64url(createHash('sha256').update(v).digest());

/** npm oidc-provider as the corporate identity provider: any login, claims by its id. */
async function corporateIdp() {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const client = (id) => ({
    client_id: id,
    client_secret: `${id}-secret`,
    redirect_uris: [CALLBACK],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  });
  const provider = new Provider(issuer, {
    clients: [client('latchkey-social'), client('latchkey-corp'), client('latchkey-it'), client('latchkey-ask')],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // The login typed on the development page is the account's address.
    findAccount: async (ctx, id) => ({
      accountId: id,
      claims: async () => ({ sub: `idp|${id}`, email: id, email_verified: true, name: 'Corp Person' }),
    }),
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
  });
  provider.proxy = false;
  const server = createServer(provider.callback());
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { issuer, close: () => server.close() };
}

/**
 * A provider written here, to attack with: its authorization endpoint sends the browser
 * straight back with a code; its token endpoint answers an ID token as `mode` says.
 */
async function attackIdp() {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const good = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(good.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const state = { mode: 'good', nonce: null, sub: 'attack|1', email: null };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, issuer);
    const json = (status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/authorize') {
      state.nonce = url.searchParams.get('nonce');
      const back = new URL(url.searchParams.get('redirect_uri'));
      back.searchParams.set('code', 'c0de');
      back.searchParams.set('state', url.searchParams.get('state'));
      return res.writeHead(302, { location: back.href }).end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const now = Math.floor(Date.now() / 1000);
      const claims = { email: state.email, email_verified: true, nonce: state.mode === 'nonce' ? 'another' : state.nonce };
      const exp = state.mode === 'expired' ? now - 600 : now + 300;
      const key = state.mode === 'other-key' ? other.privateKey : good.privateKey;
      const idToken = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(issuer).setAudience('attack-client').setSubject(state.sub)
        .setIssuedAt(now - 10).setExpirationTime(exp)
        .sign(key);
      return json(200, { id_token: idToken, access_token: 'at', token_type: 'Bearer' });
    }
    json(404, {});
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { issuer, state, close: () => server.close() };
}

let browser;
let corp;
let attacker;
let org;
let app;
let social;
let routed;
before(async () => {
  [browser, corp, attacker] = await Promise.all([launchBrowser(), corporateIdp(), attackIdp()]);
  org = await newOrg();
  const res = await org.api('POST', '/api/v1/applications', {
    name: 'SSO app', login_methods: ['password', 'sso'], self_signup: true,
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  app = res.body;
  const make = async (body) => {
    const r = await org.api('POST', '/api/v1/connections', body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };
  social = await make({ kind: 'oidc', name: 'Corporate IdP', issuer: corp.issuer, client_id: 'latchkey-social', client_secret: 'latchkey-social-secret' });
  routed = await make({ kind: 'oidc', name: 'Corp SSO', issuer: corp.issuer, client_id: 'latchkey-corp', client_secret: 'latchkey-corp-secret', domains: ['corp.test'] });
});
after(async () => {
  await browser?.close();
  corp?.close();
  attacker?.close();
});

test('a connection is shown without its secret, with the redirect URI to register, to its organization only', async () => {
  assert.equal(social.redirect_uri, CALLBACK);
  const got = await org.api('GET', `/api/v1/connections/${social.id}`);
  assert.equal(got.status, 200);
  assert.ok(!JSON.stringify(got.body).includes('latchkey-social-secret'), 'the secret is never shown');
  const list = await org.api('GET', '/api/v1/connections');
  assert.deepEqual(list.body.connections.map((c) => c.name), ['Corporate IdP', 'Corp SSO']);
  const stranger = await newOrg();
  assertError(await stranger.api('GET', `/api/v1/connections/${social.id}`), 404, 'NOT_FOUND');
  assertError(await stranger.api('PATCH', `/api/v1/connections/${social.id}`, { enabled: false }), 404, 'NOT_FOUND');
  assertError(await stranger.api('DELETE', `/api/v1/connections/${social.id}`), 404, 'NOT_FOUND');
  // Another organization's application cannot start a sign-in through this connection.
  const theirs = await stranger.api('POST', '/api/v1/applications', { name: 'x', login_methods: ['sso'] });
  const start = await call('POST', '/api/v1/auth/sso/start', {
    body: { client_id: theirs.body.client_id, connection_id: social.id, return_to: `${BASE}/`, code_challenge: s256('v'.repeat(43)) },
  });
  assertError(start, 400, 'UNKNOWN_CONNECTION');
  // The public configuration lists the social button, and says a domain routes.
  const config = await call('GET', `/api/v1/config/client/${app.client_id}`);
  assert.deepEqual(config.body.connections, [{ id: social.id, kind: 'oidc', name: 'Corporate IdP' }]);
  assert.equal(config.body.sso_domains, true);
});

/** Signs in on oidc-provider's development pages as `login`. */
async function atTheProvider(page, login) {
  await page.waitForURL(`${corp.issuer}/**`);
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('anything');
  await shot(page, 'provider-login');
  await page.locator('button[type=submit]').click();
  // The consent page, the first time.
  const consent = page.locator('button[type=submit]', { hasText: /continue/i });
  await Promise.race([
    consent.click({ timeout: 10_000 }).catch(() => {}),
    page.waitForURL(`${BASE}/**`, { timeout: 10_000 }).catch(() => {}),
  ]);
  await page.waitForURL(`${BASE}/**`);
}

async function demo(ctx) {
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await visit(page, `${BASE}/?client_id=${app.client_id}`);
  await page.waitForSelector('body[data-sdk="ready"]');
  const widget = page.locator('latchkey-login');
  return { page, widget, errors };
}

test('the widget signs a new person in through a social button (created just in time)', async () => {
  const ctx = await browser.newContext();
  const { page, widget, errors } = await demo(ctx);
  const button = widget.getByRole('button', { name: 'Continue with Corporate IdP' });
  await button.waitFor({ state: 'visible' });
  await shot(page, 'widget-buttons');
  await button.click();
  const who = email('jit');
  await atTheProvider(page, who);
  await widget.getByText(`Signed in as ${who}`).waitFor({ timeout: 20_000 });
  assert.ok(!page.url().includes('latchkey_sso'), `the fragment is gone: ${page.url()}`);
  await shot(page, 'signed-in');
  assert.deepEqual(errors, []);
  const found = await org.api('GET', `/api/v1/users/by-email?email=${encodeURIComponent(who)}`);
  assert.equal(found.status, 200, 'the account exists');
  const user = found.body;
  assert.equal(user.email_verified, true, 'the provider vouched for the address');
  const records = await org.api('GET', `/api/v1/login-records?user_id=${user.id}`);
  assert.equal(records.status, 200, JSON.stringify(records.body));
  const success = records.body.records.find((r) => r.outcome === 'success');
  assert.equal(success?.method, 'sso', JSON.stringify(records.body.records));
  assert.equal(success.connection_id, social.id, 'the record names the connection');
  const sessions = await org.api('GET', `/api/v1/users/${user.id}/sessions`);
  assert.equal(sessions.status, 200, JSON.stringify(sessions.body));
  assert.equal(sessions.body.sessions[0]?.connection_id, social.id, 'the session names the connection');
  await ctx.close();
});

test('an address at a routed domain goes to its provider and links to the verified account it has', async () => {
  const who = `bob-${Date.now()}@corp.test`;
  const created = await org.api('POST', '/api/v1/users', { email: who, password: 'a long enough test password', email_verified: true });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await registered(org, app, created.body);
  const ctx = await browser.newContext();
  const { page, widget } = await demo(ctx);
  await widget.getByLabel('Email or username').fill(who);
  await widget.getByRole('button', { name: 'Sign in with SSO' }).click();
  await atTheProvider(page, who);
  await widget.getByText(`Signed in as ${who}`).waitFor({ timeout: 20_000 });
  const records = await org.api('GET', `/api/v1/login-records?user_id=${created.body.id}`);
  assert.equal(records.body.records[0]?.method, 'sso', 'the existing account signed in');
  await ctx.close();
  // An address at a domain no connection routes is told so, on the form.
  const fresh = await browser.newContext();
  const other = await demo(fresh);
  await other.widget.getByLabel('Email or username').fill('someone@elsewhere.test');
  await other.widget.getByRole('button', { name: 'Sign in with SSO' }).click();
  await other.widget.getByText('Single sign-on is not set up for this address').waitFor();
  await shot(other.page, 'not-configured');
  await fresh.close();
});

test('with the ask policy, the person signs in to the account with the address once, which links the identity', async () => {
  const ask = await org.api('POST', '/api/v1/connections', {
    kind: 'oidc', name: 'Ask IdP', issuer: corp.issuer, client_id: 'latchkey-ask', client_secret: 'latchkey-ask-secret', link_policy: 'ask',
  });
  assert.equal(ask.status, 201, JSON.stringify(ask.body));
  const who = email('carol');
  const password = 'carol has a long password';
  const created = await org.api('POST', '/api/v1/users', { email: who, password });
  await registered(org, app, created.body);
  const ctx = await browser.newContext();
  const { page, widget, errors } = await demo(ctx);
  await widget.getByRole('button', { name: 'Continue with Ask IdP' }).click();
  await atTheProvider(page, who);
  await widget.getByText('An account already uses this address. Sign in to it once').waitFor({ timeout: 20_000 });
  await shot(page, 'link-prompt');
  await widget.getByLabel('Email or username').fill(who);
  await widget.getByLabel('Password', { exact: true }).fill(password);
  await widget.getByRole('button', { name: 'Sign in', exact: true }).click();
  await widget.getByText('Linked: next time, single sign-on signs you in.').waitFor();
  await shot(page, 'linked');
  assert.deepEqual(errors, []);
  await ctx.close();
  // Next time: the provider alone signs in to that account.
  const again = await browser.newContext();
  const next = await demo(again);
  await next.widget.getByRole('button', { name: 'Continue with Ask IdP' }).click();
  await atTheProvider(next.page, who);
  await next.widget.getByText(`Signed in as ${who}`).waitFor({ timeout: 20_000 });
  const records = await org.api('GET', `/api/v1/login-records?user_id=${created.body.id}&method=sso`);
  assert.equal(records.body.records[0]?.connection_id, ask.body.id);
  await again.close();
  await org.api('DELETE', `/api/v1/connections/${ask.body.id}`);
});

/** Starts a sign-in through the attack provider over HTTP: the landing's fragment. */
async function throughAttacker(connectionId, verifier, returnTo = `${BASE}/back`) {
  const start = await call('POST', '/api/v1/auth/sso/start', {
    body: { client_id: app.client_id, connection_id: connectionId, return_to: returnTo, code_challenge: s256(verifier) },
  });
  assert.equal(start.status, 200, JSON.stringify(start.body));
  const atIdp = await fetch(start.body.authorization_url, { redirect: 'manual' });
  const callback = atIdp.headers.get('location');
  assert.ok(callback.startsWith(CALLBACK), callback);
  const landing = await fetch(callback, { redirect: 'manual' });
  assert.equal(landing.status, 302);
  const to = new URL(landing.headers.get('location'));
  assert.equal(`${to.origin}${to.pathname}${to.search}`, returnTo);
  return { fragment: new URLSearchParams(to.hash.slice(1)), callback, landing: to.href };
}

test('the provider\'s answers that must be refused, and a forged or replayed state', async () => {
  const r = await org.api('POST', '/api/v1/connections', {
    kind: 'oidc', name: 'Attack', issuer: attacker.issuer, client_id: 'attack-client', client_secret: 's', domains: [],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  attacker.state.email = email('attack');
  for (const mode of ['other-key', 'nonce', 'expired']) {
    attacker.state.mode = mode;
    const { fragment } = await throughAttacker(r.body.id, 'v'.repeat(43));
    assert.equal(fragment.get('latchkey_sso_error'), 'SSO_REJECTED', mode);
    assert.equal(fragment.get('latchkey_sso'), null, mode);
  }
  const failures = await org.api('GET', '/api/v1/login-records?outcome=failure&method=sso');
  assert.ok(failures.body.records.filter((x) => x.reason === 'sso_rejected').length >= 3, JSON.stringify(failures.body));
  // A state no sign-in made, and one used already: a page, never a redirect.
  const forged = await fetch(`${CALLBACK}?state=forged&code=c0de`, { redirect: 'manual' });
  assert.equal(forged.status, 400);
  assert.equal(forged.headers.get('location'), null);
  attacker.state.mode = 'good';
  const { callback } = await throughAttacker(r.body.id, 'v'.repeat(43));
  const again = await fetch(callback, { redirect: 'manual' });
  assert.equal(again.status, 400, 'a state is single-use');
  // Returning to one of this server's pages that redirects elsewhere (here the OpenID
  // provider's error redirect to another organization's client): the redirect brings its
  // own empty fragment, so the browser does not carry the hand-off code along.
  const evil = await newOrg();
  const evilApp = (await evil.api('POST', '/api/v1/applications', { name: 'evil', redirect_uris: ['https://evil.example/cb'] })).body;
  const gadget = `${BASE}/oauth2/authorize?client_id=${evilApp.client_id}&redirect_uri=${encodeURIComponent('https://evil.example/cb')}&response_type=token`;
  const { landing } = await throughAttacker(r.body.id, 'v'.repeat(43), gadget);
  assert.match(landing, /#latchkey_sso=/);
  const bounced = await fetch(landing, { redirect: 'manual' });
  assert.equal(bounced.status, 302);
  const location = bounced.headers.get('location');
  assert.ok(location.startsWith('https://evil.example/cb?') && location.endsWith('#'), location);
  await org.api('DELETE', `/api/v1/connections/${r.body.id}`);
});

test('a provider that does not answer, or answers what it must not, is a 502 that names no address', async () => {
  // A port nothing listens on, then a provider with no discovery document at that issuer.
  const closed = `http://127.0.0.1:${await freePort()}`;
  for (const issuer of [closed, `${attacker.issuer}/elsewhere`]) {
    const r = await org.api('POST', '/api/v1/connections', {
      kind: 'oidc', name: 'Down', issuer, client_id: 'down-client', client_secret: 's', domains: [],
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const start = await call('POST', '/api/v1/auth/sso/start', {
      body: { client_id: app.client_id, connection_id: r.body.id, return_to: `${BASE}/back`, code_challenge: s256('w'.repeat(43)) },
    });
    assertError(start, 502, 'SSO_PROVIDER_FAILED');
    assert.ok(!JSON.stringify(start.body).includes('127.0.0.1'), JSON.stringify(start.body));
    await org.api('DELETE', `/api/v1/connections/${r.body.id}`);
  }
});

test('the hand-off code: this page\'s verifier only, one use, one winner of racing exchanges', async () => {
  const r = await org.api('POST', '/api/v1/connections', {
    kind: 'oidc', name: 'Attack 2', issuer: attacker.issuer, client_id: 'attack-client', client_secret: 's',
  });
  attacker.state.mode = 'good';
  attacker.state.sub = `attack|${Date.now()}`;
  attacker.state.email = email('handoff');
  const verifier = b64url(randomBytes(32));
  const exchange = (code, v) => call('POST', '/api/v1/auth/sso/exchange', {
    body: { client_id: app.client_id, code, code_verifier: v },
  });
  // Someone else's browser (no verifier, or another): refused, and the code is spent.
  let { fragment } = await throughAttacker(r.body.id, verifier);
  assertError(await exchange(fragment.get('latchkey_sso'), b64url(randomBytes(32))), 401, 'CODE_EXPIRED');
  assertError(await exchange(fragment.get('latchkey_sso'), verifier), 401, 'CODE_EXPIRED');
  // Racing exchanges of one code: exactly one session.
  ({ fragment } = await throughAttacker(r.body.id, verifier));
  const code = fragment.get('latchkey_sso');
  const answers = await Promise.all([1, 2, 3, 4].map(() => exchange(code, verifier)));
  const won = answers.filter((a) => a.status === 200);
  assert.equal(won.length, 1, answers.map((a) => a.status).join(','));
  assert.ok(won[0].body.access_token && won[0].body.user.email === attacker.state.email);
  await org.api('DELETE', `/api/v1/connections/${r.body.id}`);
});

test('an IT administrator connects their provider through a single-use set-up link, for the domains it names', async () => {
  const weak = await org.api('POST', '/api/v1/api-keys', { name: 'reader', permissions: ['organizations:read'] });
  assert.equal(weak.status, 201, JSON.stringify(weak.body));
  const refused = await call('POST', '/api/v1/connections/setup-links', { body: { domains: ['initech.test'] }, headers: { authorization: `Bearer ${weak.body.key}` } });
  assertError(refused, 403, 'FORBIDDEN');
  const made = await org.api('POST', '/api/v1/connections/setup-links', { domains: ['initech.test'], expires_in_hours: 24 });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  assert.ok(made.body.url.startsWith(`${BASE}/sso-setup#`), made.body.url);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await visit(page, made.body.url);
  await page.getByText('initech.test').first().waitFor();
  assert.ok(!page.url().includes('#'), 'the token is taken off the address');
  await page.getByLabel('Name people will see').fill('Initech');
  await page.getByLabel('Issuer URL').fill('https://unreachable.invalid');
  await page.getByLabel('Client ID').fill('latchkey-it');
  await page.getByLabel('Client secret').fill('latchkey-it-secret');
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.getByText('could not be read').waitFor();
  await shot(page, 'setup-error');
  await page.getByLabel('Issuer URL').fill(corp.issuer);
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.getByText('Your identity provider is connected').waitFor();
  await shot(page, 'setup-done');
  const list = await org.api('GET', '/api/v1/connections');
  const it = list.body.connections.find((c) => c.name === 'Initech');
  assert.deepEqual(it?.domains, ['initech.test']);
  // Spent: the same link again.
  const again = await call('POST', '/api/v1/sso-setup', {
    body: { token: made.body.url.split('#')[1], name: 'Again', issuer: corp.issuer, client_id: 'x', client_secret: 'y' },
  });
  assertError(again, 401, 'CODE_EXPIRED');
  // A holder cannot choose the domains.
  const other = await org.api('POST', '/api/v1/connections/setup-links', { domains: ['umbrella.test'] });
  const widened = await call('POST', '/api/v1/sso-setup', {
    body: { token: other.body.url.split('#')[1], name: 'x', issuer: corp.issuer, client_id: 'x', client_secret: 'y', domains: ['corp.test'] },
  });
  assertError(widened, 400, 'INVALID_REQUEST');
  await ctx.close();
});
