// Redirect-based applications (authorization code + PKCE) and browser mode (refresh token
// in an HttpOnly cookie, double-submit CSRF).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { BASE, call, assertError, newOrg, email, bearer, registered } from './lib.mjs';

let org;
let app;
let user;
const PASSWORD = 'browser mode password';
const REDIRECT = 'https://app.example.com/callback';
const ORIGIN = 'https://app.example.com';

before(async () => {
  org = await newOrg();
  app = (await org.api('POST', '/api/v1/applications', { name: 'spa', redirect_uris: [REDIRECT], allowed_origins: [ORIGIN] })).body;
  user = await registered(org, app, (await org.api('POST', '/api/v1/users', { email: email('spa'), password: PASSWORD })).body);
});

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

test('test_pkce_authorize_then_token', async () => {
  const { verifier, challenge } = pkce();
  const authorize = (extra = {}) => call('POST', '/api/v1/auth/authorize', { body: {
    client_id: app.client_id, redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256',
    state: 'st 1', login_id: user.email, password: PASSWORD, ...extra,
  } });
  assertError(await authorize({ redirect_uri: 'https://evil.example.com/callback' }), 400, 'INVALID_REDIRECT_URI');
  assertError(await authorize({ code_challenge_method: 'plain' }), 400, 'INVALID_CODE_CHALLENGE_METHOD');
  assertError(await authorize({ password: 'wrong password' }), 401, 'INVALID_CREDENTIALS');
  const res = await authorize();
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.redirect_to, `${REDIRECT}?code=${res.body.code}&state=st%201`);
  const token = (extra = {}) => call('POST', '/api/v1/auth/token', { body: {
    grant_type: 'authorization_code', code: res.body.code, code_verifier: verifier, client_id: app.client_id, redirect_uri: REDIRECT, ...extra,
  } });
  const t = await token();
  assert.equal(t.status, 200, JSON.stringify(t.body));
  assert.equal((await call('GET', '/api/v1/auth/me', { headers: bearer(t.body.access_token) })).body.id, user.id);
  assertError(await token(), 400, 'INVALID_GRANT');

  // A wrong verifier spends the code: it cannot be retried with the right one.
  const again = await authorize();
  assertError(await call('POST', '/api/v1/auth/token', { body: {
    grant_type: 'authorization_code', code: again.body.code, code_verifier: pkce().verifier, client_id: app.client_id, redirect_uri: REDIRECT,
  } }), 400, 'INVALID_GRANT');
  assertError(await call('POST', '/api/v1/auth/token', { body: {
    grant_type: 'authorization_code', code: again.body.code, code_verifier: verifier, client_id: app.client_id, redirect_uri: REDIRECT,
  } }), 400, 'INVALID_GRANT');
  assertError(await token({ grant_type: 'password' }), 400, 'UNSUPPORTED_GRANT_TYPE');
});

test('test_browser_mode_refresh_cookie_and_csrf', async () => {
  const res = await call('POST', '/api/v1/auth/login', {
    body: { client_id: app.client_id, login_id: user.email, password: PASSWORD, cookie: true },
    headers: { origin: ORIGIN },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.refresh_token, undefined, 'no refresh token in the body');
  assert.match(res.body.csrf_token, /^[0-9a-f]{64}$/);
  const set = res.headers.getSetCookie();
  const refresh = set.find((c) => c.startsWith('lk_refresh='));
  const csrf = set.find((c) => c.startsWith('lk_csrf='));
  assert.match(refresh, /HttpOnly/);
  assert.match(refresh, /SameSite=Strict/);
  assert.match(refresh, /Path=\/;/, 'Path=/, as the __Host- prefix used on HTTPS requires');
  assert.doesNotMatch(csrf, /HttpOnly/);
  const jar = set.map((c) => c.split(';')[0]).join('; ');

  const refreshWith = (headers) => call('POST', '/api/v1/auth/refresh', { raw: '', headers: { cookie: jar, origin: ORIGIN, ...headers } });
  assertError(await refreshWith({}), 403, 'FORBIDDEN');
  assertError(await refreshWith({ 'x-csrf-token': 'forged' }), 403, 'FORBIDDEN');
  const ok = await refreshWith({ 'x-csrf-token': res.body.csrf_token });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.ok(ok.body.access_token);
  assert.ok(ok.headers.getSetCookie().some((c) => c.startsWith('lk_refresh=')), 'the cookie rotates too');
  // The old cookie's token is spent: presenting it again ends the session.
  assertError(await refreshWith({ 'x-csrf-token': res.body.csrf_token }), 401, 'INVALID_REFRESH_TOKEN');

  const evil = await call('POST', '/api/v1/auth/login', {
    body: { client_id: app.client_id, login_id: user.email, password: PASSWORD, cookie: true },
    headers: { origin: 'https://evil.example.com' },
  });
  assertError(evil, 403, 'ORIGIN_NOT_ALLOWED');
  assert.match(evil.body.error_msg, /https:\/\/evil\.example\.com: add it to the application's allowed_origins/);
  // This server's own pages (the demo, the account page) are always allowed.
  const own = await call('POST', '/api/v1/auth/login', {
    body: { client_id: app.client_id, login_id: user.email, password: PASSWORD, cookie: true },
    headers: { origin: new URL(BASE).origin },
  });
  assert.equal(own.status, 200, JSON.stringify(own.body));
  assert.ok(own.headers.getSetCookie().some((c) => c.startsWith('lk_refresh=')));
});

test('test_cors_for_allowed_origins_on_sdk_routes_only', async () => {
  const preflight = (path, origin) => call('OPTIONS', path, {
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-csrf-token' },
  });
  const ok = await preflight('/api/v1/auth/refresh', ORIGIN);
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get('access-control-allow-origin'), ORIGIN);
  assert.equal(ok.headers.get('access-control-allow-credentials'), 'true');
  assert.match(ok.headers.get('access-control-allow-headers'), /x-csrf-token/);
  assert.match(ok.headers.get('vary'), /Origin/);

  const evil = await preflight('/api/v1/auth/refresh', 'https://evil.example.com');
  assert.equal(evil.headers.get('access-control-allow-origin'), null);
  assert.notEqual(evil.status, 204);
  const admin = await preflight('/api/v1/users', ORIGIN);
  assert.equal(admin.headers.get('access-control-allow-origin'), null, 'administrative routes stay same-origin');

  const login = await call('POST', '/api/v1/auth/login', {
    body: { client_id: app.client_id, login_id: user.email, password: PASSWORD }, headers: { origin: ORIGIN },
  });
  assert.equal(login.status, 200);
  assert.equal(login.headers.get('access-control-allow-origin'), ORIGIN);
  const denied = await call('POST', '/api/v1/auth/login', {
    body: { client_id: app.client_id, login_id: user.email, password: 'wrong' }, headers: { origin: 'https://evil.example.com' },
  });
  assert.equal(denied.headers.get('access-control-allow-origin'), null);
});
