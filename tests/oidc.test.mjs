// Latchkey as an OpenID provider, judged by clients no one here wrote: npm openid-client
// (panva) discovers the issuer, builds the authorization request, and after the user signs
// in on the hosted page in Chromium, trades the code (PKCE), reads userinfo and refreshes;
// npm jose verifies the ID token against the JWKS. Then the refusals a provider owes:
// an unregistered redirect URI, a replayed code, a wrong verifier, a confidential client
// without its secret, prompt=none without a session. Screenshots: tests/.artifacts/oidc-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import * as oauth from 'oauth4webapi';
import { createRemoteJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';
import { BASE, call, newOrg, email, registered } from './lib.mjs';
import { visit, launchBrowser, screenshots } from './browser.mjs';

const shot = screenshots('oidc');
const PASSWORD = 'a long enough test password';
const CALLBACK = 'https://rp.example/callback';
const SCOPE = 'openid email profile offline_access';
// Our issuer under `wrangler dev` is plain http on loopback; ES256 is what we sign with.
const INSECURE = { execute: [oidc.allowInsecureRequests] };
const METADATA = { id_token_signed_response_alg: 'ES256' };

let browser;
let org;
let app;
let user;
before(async () => {
  browser = await launchBrowser();
  org = await newOrg();
  const res = await org.api('POST', '/api/v1/applications', { name: 'Relying party', redirect_uris: [CALLBACK] });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  app = res.body;
  const created = await org.api('POST', '/api/v1/users', { email: email('oidc'), password: PASSWORD, name: 'Olive Idc' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  user = await registered(org, app, created.body);
});
after(async () => { await browser?.close(); });

const publicClient = () => oidc.discovery(new URL(BASE), app.client_id, METADATA, oidc.None(), INSECURE);

/** A fresh authorization request's URL and the values the client keeps. */
async function authorizationRequest(config, extra = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const kept = { verifier, state: oidc.randomState(), nonce: oidc.randomNonce() };
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: SCOPE,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state: kept.state,
    nonce: kept.nonce,
    ...extra,
  });
  return { url, ...kept };
}

/**
 * Opens `url` in `page` (the relying party's callback is answered by the test, never
 * fetched), signs in on the hosted page unless `signIn` is false, and resolves with the URL
 * the browser came back to.
 */
async function roundTrip(page, url, { signIn = true, name } = {}) {
  await page.unroute(`${CALLBACK}**`);
  const back = new Promise((resolve) => {
    page.route(`${CALLBACK}**`, (route) => {
      resolve(route.request().url());
      route.fulfill({ status: 200, contentType: 'text/plain', body: 'back at the relying party' });
    });
  });
  if (!signIn) {
    // No form: the page may send the browser back before its own load event.
    await page.goto(url.href, { waitUntil: 'commit' }).catch((e) => {
      if (!/interrupted by another navigation/.test(e.message)) throw e;
    });
  } else {
    await visit(page, url.href);
    const widget = page.locator('latchkey-login');
    await widget.getByLabel('Email or username').fill(user.email);
    await widget.getByLabel('Password', { exact: true }).fill(PASSWORD);
    if (name) {
      // The application takes no sign-ups, so the form offers none.
      assert.equal(await widget.getByRole('button', { name: 'Create one', exact: true }).isVisible(), false);
      await shot(page, name);
    }
    await widget.getByRole('button', { name: 'Sign in', exact: true }).click();
  }
  return new URL(await back);
}

test('openid-client signs in through the hosted page: code with PKCE, ID token, userinfo, refresh', async () => {
  const config = await publicClient();
  const meta = config.serverMetadata();
  assert.equal(meta.issuer, BASE);
  assert.equal(meta.token_endpoint, `${BASE}/oauth2/token`);
  assert.ok(!meta.grant_types_supported.includes('password'));
  const req = await authorizationRequest(config);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const back = await roundTrip(page, req.url, { name: 'hosted-page' });
  assert.equal(back.searchParams.get('iss'), BASE);
  const tokens = await oidc.authorizationCodeGrant(config, back, {
    pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true,
  });
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  assert.match(tokens.refresh_token, /^lko_/);
  const claims = tokens.claims();
  assert.equal(claims.sub, user.id);
  assert.equal(claims.email, user.email);
  assert.equal(claims.name, 'Olive Idc');
  assert.deepEqual(claims.amr, ['pwd']);
  assert.ok(claims.sid && claims.auth_time && claims.at_hash);
  // jose checks the signature against the published keys.
  assert.equal(decodeProtectedHeader(tokens.id_token).alg, 'ES256');
  const jwks = createRemoteJWKSet(new URL(`${BASE}/.well-known/jwks.json`));
  const { payload } = await jwtVerify(tokens.id_token, jwks, { issuer: BASE, audience: app.client_id });
  assert.equal(payload.nonce, req.nonce);
  const info = await oidc.fetchUserInfo(config, tokens.access_token, user.id);
  assert.equal(info.email, user.email);
  assert.equal(info.email_verified, false);
  const renewed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
  assert.notEqual(renewed.refresh_token, tokens.refresh_token);
  assert.equal(renewed.claims().sid, claims.sid);
  // The sign-in on the hosted page is on the record, with its application.
  const records = await org.api('GET', `/api/v1/login-records?user_id=${user.id}`);
  assert.equal(records.status, 200, JSON.stringify(records.body));
  assert.ok(records.body.records.some((r) => r.outcome === 'success' && r.application_id === app.id), JSON.stringify(records.body));
  // The same browser, asked again with prompt=none, comes back with a code and no form.
  const again = await authorizationRequest(config, { prompt: 'none' });
  const silent = await roundTrip(page, again.url, { signIn: false });
  const second = await oidc.authorizationCodeGrant(config, silent, {
    pkceCodeVerifier: again.verifier, expectedState: again.state, expectedNonce: again.nonce,
  });
  // Each code starts the client's own session, from the same sign-in.
  assert.notEqual(second.claims().sid, claims.sid);
  assert.equal(second.claims().auth_time, claims.auth_time);
  // The client's tokens are for its own APIs and userinfo, never for Latchkey's routes.
  const me = await call('GET', '/api/v1/auth/me', { headers: { authorization: `Bearer ${tokens.access_token}` } });
  assert.equal(me.status, 401);
  const grant = await call('POST', '/api/v1/oauth2/grant', {
    body: { query: again.url.search }, headers: { authorization: `Bearer ${tokens.access_token}` },
  });
  assert.equal(grant.status, 401);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('prompt=none without a session answers login_required at the client', async () => {
  const config = await publicClient();
  const req = await authorizationRequest(config, { prompt: 'none' });
  const ctx = await browser.newContext();
  const back = await roundTrip(await ctx.newPage(), req.url, { signIn: false });
  await assert.rejects(
    oidc.authorizationCodeGrant(config, back, { pkceCodeVerifier: req.verifier, expectedState: req.state }),
    (e) => e.error === 'login_required',
  );
  assert.equal(back.searchParams.get('state'), req.state);
  await ctx.close();
});

test('login_hint starts the hosted page with the identifier filled in', async () => {
  const config = await publicClient();
  const req = await authorizationRequest(config, { login_hint: user.email });
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await visit(page, req.url.href);
  const field = page.locator('latchkey-login').getByLabel('Email or username');
  await page.waitForFunction((hint) => document.querySelector('latchkey-login')?.shadowRoot?.getElementById('login')?.value === hint, user.email);
  assert.equal(await field.inputValue(), user.email);
  await ctx.close();
});

test('a code is spent once, and only with its verifier', async () => {
  const config = await publicClient();
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const req = await authorizationRequest(config);
  const back = await roundTrip(page, req.url);
  const code = back.searchParams.get('code');
  const exchange = (verifier) => call('POST', '/oauth2/token', {
    raw: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, client_id: app.client_id, code_verifier: verifier }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const wrong = await exchange(oidc.randomPKCECodeVerifier());
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.error, 'invalid_grant');
  assert.equal(wrong.headers.get('cache-control'), 'no-store');
  // Tried once with the wrong verifier, the code is gone for the right one too.
  const late = await exchange(req.verifier);
  assert.equal(late.body.error, 'invalid_grant');
  // Redeemed, then presented again: refused, and the tokens it gave stop working.
  const once = await authorizationRequest(config, { prompt: 'none' });
  const code1 = (await roundTrip(page, once.url, { signIn: false })).searchParams.get('code');
  const form1 = { grant_type: 'authorization_code', code: code1, redirect_uri: CALLBACK, client_id: app.client_id, code_verifier: once.verifier };
  const redeem = () => call('POST', '/oauth2/token', {
    raw: new URLSearchParams(form1).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const won = await redeem();
  assert.equal(won.status, 200, JSON.stringify(won.body));
  const info = () => call('GET', '/oauth2/userinfo', { headers: { authorization: `Bearer ${won.body.access_token}` } });
  assert.equal((await info()).status, 200);
  assert.equal((await redeem()).body.error, 'invalid_grant');
  const ended = await info();
  assert.equal(ended.status, 401);
  assert.equal(ended.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
  // No credentials at all: a bare challenge, without an error code (RFC 6750 §3.1).
  const bare = await call('GET', '/oauth2/userinfo');
  assert.equal(bare.status, 401);
  assert.equal(bare.headers.get('www-authenticate'), 'Bearer realm="latchkey"');
  // Racing exchanges of one fresh code: exactly one wins.
  const fresh = await authorizationRequest(config, { prompt: 'none' });
  const code2 = (await roundTrip(page, fresh.url, { signIn: false })).searchParams.get('code');
  const race = await Promise.all([1, 2, 3, 4].map(() => call('POST', '/oauth2/token', {
    raw: new URLSearchParams({ grant_type: 'authorization_code', code: code2, redirect_uri: CALLBACK, client_id: app.client_id, code_verifier: fresh.verifier }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })));
  assert.deepEqual(race.map((r) => r.status).sort(), [200, 400, 400, 400]);
  await ctx.close();
});

test('an unregistered redirect URI is refused on the page, never followed', async () => {
  const res = await call('GET', `/oauth2/authorize?${new URLSearchParams({
    client_id: app.client_id, redirect_uri: 'https://evil.example/callback', response_type: 'code', scope: 'openid',
  })}`);
  assert.equal(res.status, 400);
  assert.equal(res.headers.get('location'), null);
  assert.match(res.body, /redirect URIs/);
  // Once the redirect URI is trusted, errors go back to it, with state and iss.
  const bad = await fetch(`${BASE}/oauth2/authorize?${new URLSearchParams({
    client_id: app.client_id, redirect_uri: CALLBACK, response_type: 'token', scope: 'openid', state: 's1',
  })}`, { redirect: 'manual' });
  assert.equal(bad.status, 302);
  const to = new URL(bad.headers.get('location'));
  assert.equal(`${to.origin}${to.pathname}`, CALLBACK);
  assert.equal(to.searchParams.get('error'), 'unsupported_response_type');
  assert.equal(to.searchParams.get('state'), 's1');
  assert.equal(to.searchParams.get('iss'), BASE);
  // The hosted page's file, opened directly, does nothing.
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await visit(page, `${BASE}/hosted/authorize?client_id=${app.client_id}&redirect_uri=${encodeURIComponent('https://evil.example/')}&prompt=none`);
  await page.waitForSelector('body[data-state="error"]');
  assert.equal(new URL(page.url()).host, new URL(BASE).host);
  await ctx.close();
});

test('a confidential client must authenticate with its secret, which is shown once', async () => {
  const made = await org.api('POST', `/api/v1/applications/${app.id}/client-secret`);
  assert.equal(made.status, 201, JSON.stringify(made.body));
  assert.match(made.body.client_secret, /^lks_[0-9a-f]{64}$/);
  const view = await org.api('GET', `/api/v1/applications/${app.id}`);
  assert.equal(view.body.confidential, true);
  assert.ok(!JSON.stringify(view.body).includes(made.body.client_secret));
  // Another organization cannot give this application a secret.
  const other = await newOrg();
  assert.equal((await other.api('POST', `/api/v1/applications/${app.id}/client-secret`)).status, 404);
  const issuer = new URL(BASE);
  const confidential = await oidc.discovery(issuer, app.client_id, METADATA, oidc.ClientSecretBasic(made.body.client_secret), INSECURE);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const req = await authorizationRequest(confidential);
  const back = await roundTrip(page, req.url);
  const tokens = await oidc.authorizationCodeGrant(confidential, back, {
    pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce,
  });
  assert.equal(tokens.claims().sub, user.id);
  // Without the secret, the same kind of exchange is refused as invalid_client (401).
  const again = await authorizationRequest(confidential, { prompt: 'none' });
  const code = (await roundTrip(page, again.url, { signIn: false })).searchParams.get('code');
  const refused = await call('POST', '/oauth2/token', {
    raw: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, client_id: app.client_id, code_verifier: again.verifier }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(refused.status, 401);
  assert.equal(refused.body.error, 'invalid_client');
  assert.match(refused.headers.get('www-authenticate'), /^Basic/);
  // The provider's refresh token is not taken by the native refresh route.
  const native = await call('POST', '/api/v1/auth/refresh', { body: { refresh_token: tokens.refresh_token } });
  assert.equal(native.status, 401);
  secret = made.body.client_secret;
  await ctx.close();
});

let secret;
test('oauth4webapi: client credentials, and introspection of the client\'s own tokens', async () => {
  const insecure = { [oauth.allowInsecureRequests]: true };
  const issuer = new URL(BASE);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  const client = { client_id: app.client_id };
  const auth = oauth.ClientSecretBasic(secret);
  const granted = await oauth.processClientCredentialsResponse(as, client,
    await oauth.clientCredentialsGrantRequest(as, client, auth, new URLSearchParams(), insecure));
  assert.equal(granted.token_type, 'bearer');
  assert.equal(granted.refresh_token, undefined);
  const ask = async (token, how = auth) => oauth.processIntrospectionResponse(as, client,
    await oauth.introspectionRequest(as, client, how, token, insecure));
  const mine = await ask(granted.access_token);
  assert.equal(mine.active, true);
  assert.equal(mine.client_id, app.client_id);
  assert.equal((await ask('not-a-token')).active, false);
  // The client's token for itself is no user's token.
  const me = await call('GET', '/api/v1/auth/me', { headers: { authorization: `Bearer ${granted.access_token}` } });
  assert.equal(me.status, 401);
  // A wrong secret is refused outright.
  await assert.rejects(ask(granted.access_token, oauth.ClientSecretBasic('lks_wrong')),
    (e) => e instanceof oauth.WWWAuthenticateChallengeError && e.status === 401);
});

test('revocation and RP-initiated logout end the session, whose tokens stop working', async () => {
  const config = await oidc.discovery(new URL(BASE), app.client_id, METADATA, oidc.ClientSecretPost(secret), INSECURE);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const signIn = async (opts) => {
    const req = await authorizationRequest(config, opts);
    const back = await roundTrip(page, req.url, { signIn: !opts });
    return oidc.authorizationCodeGrant(config, back, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
  };
  const first = await signIn();
  await oidc.tokenRevocation(config, first.refresh_token);
  await assert.rejects(oidc.fetchUserInfo(config, first.access_token, user.id));
  await assert.rejects(oidc.refreshTokenGrant(config, first.refresh_token), (e) => e.error === 'invalid_grant');
  // Revocation ended the client's session only: the person is still signed in at the
  // provider, so a silent request gets a new code. Then the relying party logs out: the
  // browser comes back to it with its state.
  const second = await signIn({ prompt: 'none' });
  assert.notEqual(second.claims().sid, first.claims().sid);
  // (A redirect the server answers is read from its Location: the browser's route handler
  // sees only a navigation's first request.)
  const bye = oidc.buildEndSessionUrl(config, { id_token_hint: second.id_token, post_logout_redirect_uri: CALLBACK, state: 'bye' });
  const out = await fetch(bye, { redirect: 'manual' });
  assert.equal(out.status, 302);
  // Every redirect carries its own empty fragment, so a browser keeps none of the request's.
  assert.equal(out.headers.get('location'), `${CALLBACK}?state=bye#`);
  await assert.rejects(oidc.fetchUserInfo(config, second.access_token, user.id));
  // That logout ended the provider's session too: silence now answers login_required, and
  // the form is back. An unregistered return address is refused on the page, and ends nothing.
  const silent = await authorizationRequest(config, { prompt: 'none' });
  const refused = await roundTrip(page, silent.url, { signIn: false });
  assert.equal(refused.searchParams.get('error'), 'login_required');
  const third = await signIn();
  const evil = oidc.buildEndSessionUrl(config, { id_token_hint: third.id_token, post_logout_redirect_uri: 'https://evil.example/' });
  const res = await fetch(evil, { redirect: 'manual' });
  assert.equal(res.status, 400);
  assert.equal((await oidc.fetchUserInfo(config, third.access_token, user.id)).sub, user.id);
  // The same logout, its parameters posted as a form (OpenID Connect RP-Initiated Logout §2).
  const posted = await fetch(`${BASE}/oauth2/logout`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ id_token_hint: third.id_token, post_logout_redirect_uri: CALLBACK, state: 'posted' }).toString(),
  });
  assert.equal(posted.status, 302);
  assert.equal(posted.headers.get('location'), `${CALLBACK}?state=posted#`);
  await assert.rejects(oidc.fetchUserInfo(config, third.access_token, user.id));
  await ctx.close();
});
