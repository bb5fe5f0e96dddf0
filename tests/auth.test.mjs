import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { BASE, call, assertError, newOrg, email, bearer, registered } from './lib.mjs';

let org;
let app;

const b64url = (s) => Buffer.from(s, 'base64url');
const login = (loginId, password, extra = {}) =>
  call('POST', '/api/v1/auth/login', { body: { client_id: app.client_id, login_id: loginId, password, ...extra } });
const asUser = (token) => (method, path, body) => call(method, path, { body, headers: bearer(token) });

async function newUser(password = 'correct horse battery', extra = {}) {
  const addr = email('auth');
  const res = await org.api('POST', '/api/v1/users', { email: addr, password, ...extra });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  await registered(org, app, res.body);
  return { ...res.body, password };
}

before(async () => {
  org = await newOrg();
  app = (await org.api('POST', '/api/v1/applications', { name: 'web', self_signup: true })).body;
});

test('test_auth_login_issues_tokens_verifiable_from_jwks_alone', async () => {
  const u = await newUser();
  const res = await login(u.email.toUpperCase(), u.password, { device: { name: 'Laptop', type: 'LAPTOP' } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.token_type, 'Bearer');
  assert.equal(res.body.expires_in, 600);
  assert.match(res.body.refresh_token, /^lkr_[0-9a-f]{64}$/);
  assert.equal(res.body.user.id, u.id);

  const [h, p, sig] = res.body.access_token.split('.');
  const header = JSON.parse(b64url(h));
  const claims = JSON.parse(b64url(p));
  assert.equal(header.alg, 'ES256');
  const jwks = (await call('GET', '/.well-known/jwks.json')).body;
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  assert.ok(jwk, 'kid published in the JWKS');
  assert.equal(jwk.d, undefined, 'no private part');
  const key = await webcrypto.subtle.importKey('jwk', { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  const valid = await webcrypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, b64url(sig), Buffer.from(`${h}.${p}`));
  assert.ok(valid, 'signature verifies with the published key');
  assert.equal(claims.iss, BASE);
  assert.equal(claims.aud, app.client_id);
  assert.equal(claims.sub, u.id);
  assert.equal(claims.sid, res.body.session_id);
  assert.equal(claims.org, org.org.id);
  assert.equal(claims.exp - claims.iat, 600);

  const oidc = (await call('GET', '/.well-known/openid-configuration')).body;
  assert.equal(oidc.issuer, BASE);
  assert.equal(oidc.jwks_uri, `${BASE}/.well-known/jwks.json`);
  assert.deepEqual(oidc.id_token_signing_alg_values_supported, ['ES256']);

  const me = await asUser(res.body.access_token)('GET', '/api/v1/auth/me');
  assert.equal(me.status, 200);
  assert.equal(me.body.email, u.email);
  const status = await asUser(res.body.access_token)('GET', '/api/v1/auth/status');
  assert.equal(status.body.authenticated, true);
  assert.equal(status.body.session_id, res.body.session_id);
});

test('test_auth_bad_credentials_read_the_same', async () => {
  const u = await newUser();
  const wrong = await login(u.email, 'wrong password!');
  const unknown = await login(email('nobody'), 'wrong password!');
  assertError(wrong, 401, 'INVALID_CREDENTIALS');
  assertError(unknown, 401, 'INVALID_CREDENTIALS');
  assert.equal(wrong.body.error_msg, unknown.body.error_msg);
  assertError(await call('POST', '/api/v1/auth/login', { body: { client_id: 'nope', login_id: u.email, password: 'x' } }), 400, 'INVALID_CLIENT_ID');
  assertError(await login('', 'x'), 400, 'INVALID_LOGIN_ID');
  assertError(await call('POST', '/api/v1/auth/login', { raw: '{"client_id":', headers: { 'content-type': 'application/json' } }), 400, 'INVALID_REQUEST');
  // The fields as an array, in order, are not a body: a body is an object.
  const asArray = await call('POST', '/api/v1/auth/login', { raw: JSON.stringify([app.client_id, u.email, 'wrong password!']), headers: { 'content-type': 'application/json' } });
  assertError(asArray, 400, 'INVALID_REQUEST');
  assert.match(asArray.body.error_msg, /unexpected JSON content/);
});

// The login's application and the account's reads are one round trip, the account found
// through the client id's organization: another organization's account, with its right
// password, is unknown here, answered as a wrong password is, and its own application
// still signs it in.
test('test_auth_login_finds_accounts_only_in_the_client_ids_organization', async () => {
  const other = await newOrg();
  const theirApp = (await other.api('POST', '/api/v1/applications', { name: 'theirs' })).body;
  const theirs = await registered(other, theirApp, (await other.api('POST', '/api/v1/users', { email: email('theirs'), password: 'their own password' })).body);
  const here = await login(theirs.email, 'their own password');
  assertError(here, 401, 'INVALID_CREDENTIALS');
  const wrong = await login((await newUser()).email, 'not the password');
  const bare = ({ request_id: _, ...rest }) => rest;
  assert.deepEqual(bare(here.body), bare(wrong.body), 'an unknown account reads as a wrong password');
  const there = await call('POST', '/api/v1/auth/login', { body: { client_id: theirApp.client_id, login_id: theirs.email, password: 'their own password' } });
  assert.equal(there.status, 200, JSON.stringify(there.body));
  assert.equal(there.body.user.id, theirs.id);
  assertError(await call('POST', '/api/v1/auth/login', { body: { client_id: 'no-such-client', login_id: theirs.email, password: 'their own password' } }), 400, 'INVALID_CLIENT_ID');
});

test('test_auth_disabled_user_told_only_with_right_password', async () => {
  const u = await newUser();
  await org.api('PUT', `/api/v1/users/${u.id}`, { status: 'disabled' });
  assertError(await login(u.email, 'wrong password!'), 401, 'INVALID_CREDENTIALS');
  assertError(await login(u.email, u.password), 403, 'ACCOUNT_DISABLED');
});

test('test_auth_tampered_or_foreign_tokens_rejected', async () => {
  const u = await newUser();
  const t = (await login(u.email, u.password)).body.access_token;
  const [h, p, s] = t.split('.');
  const claims = JSON.parse(b64url(p));
  claims.sub = 'someone-else';
  const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
  assertError(await asUser(forged)('GET', '/api/v1/auth/me'), 401, 'UNAUTHORIZED');
  const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: JSON.parse(b64url(h)).kid })).toString('base64url')}.${p}.`;
  assertError(await asUser(none)('GET', '/api/v1/auth/me'), 401, 'UNAUTHORIZED');
  assertError(await asUser('a.b.c')('GET', '/api/v1/auth/me'), 401, 'UNAUTHORIZED');
  // An API key is not a user.
  assertError(await org.api('GET', '/api/v1/auth/me'), 403, 'FORBIDDEN');
});

test('test_auth_a_token_seen_before_is_still_checked_in_full', async () => {
  // The worker remembers the signatures it found good, so a token presented again is not
  // verified again; everything else still is, and only those exact bytes match.
  const u = await newUser();
  const t = (await login(u.email, u.password)).body.access_token;
  for (let i = 0; i < 3; i++) assert.equal((await asUser(t)('GET', '/api/v1/auth/me')).status, 200);
  const [h, p, s] = t.split('.');
  const claims = JSON.parse(b64url(p));
  const withClaims = (c) => `${h}.${Buffer.from(JSON.stringify(c)).toString('base64url')}.${s}`;
  // Its good signature under other claims: another user, another organization, a later expiry.
  for (const change of [{ sub: 'someone-else' }, { org: 'another-org' }, { exp: claims.exp + 86400 }]) {
    assertError(await asUser(withClaims({ ...claims, ...change }))('GET', '/api/v1/auth/me'), 401, 'UNAUTHORIZED', JSON.stringify(change));
  }
  // The same claims under another signature (a character in its middle changed).
  const flipped = s.slice(0, 20) + (s[20] === 'A' ? 'B' : 'A') + s.slice(21);
  assertError(await asUser(`${h}.${p}.${flipped}`)('GET', '/api/v1/auth/me'), 401, 'UNAUTHORIZED');
  assert.equal((await asUser(t)('GET', '/api/v1/auth/me')).status, 200, 'the genuine token still works');
  // Its session ended: the remembered signature lets nothing through.
  assert.deepEqual((await asUser(t)('POST', '/api/v1/auth/logout', {})).body, { revoked: 1 });
  assertError(await asUser(t)('GET', '/api/v1/auth/me'), 401, 'UNAUTHORIZED');
});

test('test_auth_refresh_rotates_and_reuse_revokes_everything', async () => {
  const u = await newUser();
  const first = (await login(u.email, u.password)).body;
  const r1 = await call('POST', '/api/v1/auth/refresh', { body: { refresh_token: first.refresh_token } });
  assert.equal(r1.status, 200, JSON.stringify(r1.body));
  assert.notEqual(r1.body.refresh_token, first.refresh_token);
  assert.equal(r1.body.session_id, first.session_id);
  assert.equal((await asUser(r1.body.access_token)('GET', '/api/v1/auth/me')).status, 200);
  // The spent token again: reuse. The session dies, with every token it had.
  assertError(await call('POST', '/api/v1/auth/refresh', { body: { refresh_token: first.refresh_token } }), 401, 'INVALID_REFRESH_TOKEN');
  assertError(await call('POST', '/api/v1/auth/refresh', { body: { refresh_token: r1.body.refresh_token } }), 401, 'INVALID_REFRESH_TOKEN');
  assertError(await asUser(r1.body.access_token)('GET', '/api/v1/auth/me'), 401, 'UNAUTHORIZED');
  assertError(await call('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'lkr_' + '0'.repeat(64) } }), 401, 'INVALID_REFRESH_TOKEN');
  assertError(await call('POST', '/api/v1/auth/refresh', { body: {} }), 400, 'INVALID_REFRESH_TOKEN');
});

test('test_auth_concurrent_refreshes_with_one_token_only_one_wins', async () => {
  const u = await newUser();
  const t = (await login(u.email, u.password)).body.refresh_token;
  const results = await Promise.all(Array.from({ length: 8 }, () =>
    call('POST', '/api/v1/auth/refresh', { body: { refresh_token: t } })));
  assert.equal(results.filter((r) => r.status === 200).length, 1, results.map((r) => r.status).join(','));
  for (const r of results.filter((x) => x.status !== 200)) assertError(r, 401, 'INVALID_REFRESH_TOKEN');
});

test('test_auth_logout_this_session_and_everywhere', async () => {
  const u = await newUser();
  const a = (await login(u.email, u.password)).body;
  const b = (await login(u.email, u.password)).body;
  const c = (await login(u.email, u.password)).body;
  const out = await asUser(a.access_token)('POST', '/api/v1/auth/logout', {});
  assert.deepEqual(out.body, { revoked: 1 });
  assertError(await asUser(a.access_token)('GET', '/api/v1/auth/me'), 401, 'UNAUTHORIZED');
  assertError(await call('POST', '/api/v1/auth/refresh', { body: { refresh_token: a.refresh_token } }), 401, 'INVALID_REFRESH_TOKEN');
  assert.equal((await asUser(b.access_token)('GET', '/api/v1/auth/me')).status, 200);
  const all = await asUser(b.access_token)('POST', '/api/v1/auth/logout', { everywhere: true });
  assert.deepEqual(all.body, { revoked: 2 });
  assertError(await asUser(c.access_token)('GET', '/api/v1/auth/me'), 401, 'UNAUTHORIZED');
});

test('test_auth_sessions_listed_and_revoked_by_user_and_admin', async () => {
  const u = await newUser();
  const a = (await login(u.email, u.password, { device: { name: 'Phone', type: 'MOBILE' } })).body;
  const b = (await login(u.email, u.password)).body;
  const mine = await asUser(a.access_token)('GET', '/api/v1/auth/sessions');
  assert.equal(mine.status, 200);
  assert.deepEqual(mine.body.sessions.map((s) => s.id).sort(), [a.session_id, b.session_id].sort());
  const cur = mine.body.sessions.find((s) => s.current);
  assert.equal(cur.id, a.session_id);
  assert.equal(cur.device_name, 'Phone');
  assert.equal(cur.device_type, 'MOBILE');
  assert.deepEqual(cur.methods, ['password']);
  assert.ok(cur.ip, 'ip recorded');
  assert.equal(cur.user_agent, 'node');

  assert.equal((await asUser(a.access_token)('DELETE', `/api/v1/auth/sessions/${b.session_id}`)).status, 204);
  assertError(await asUser(b.access_token)('GET', '/api/v1/auth/me'), 401, 'UNAUTHORIZED');

  const other = await newUser();
  const o = (await login(other.email, other.password)).body;
  assertError(await asUser(a.access_token)('DELETE', `/api/v1/auth/sessions/${o.session_id}`), 404, 'NOT_FOUND');

  const admin = await org.api('GET', `/api/v1/users/${u.id}/sessions`);
  assert.deepEqual(admin.body.sessions.map((s) => s.id), [a.session_id]);
  assert.equal((await org.api('DELETE', `/api/v1/users/${u.id}/sessions/${a.session_id}`)).status, 204);
  assertError(await asUser(a.access_token)('GET', '/api/v1/auth/me'), 401, 'UNAUTHORIZED');
});

test('test_auth_sign_out_other_devices_keeps_this_one_and_other_users', async () => {
  const u = await newUser();
  const here = (await login(u.email, u.password)).body;
  const phone = (await login(u.email, u.password)).body;
  const laptop = (await login(u.email, u.password)).body;
  const other = await newUser();
  const theirs = (await login(other.email, other.password)).body;
  // An API key names no session of its own: refused, nothing revoked.
  assertError(await org.api('DELETE', '/api/v1/auth/sessions'), 403, 'FORBIDDEN');
  assert.equal((await asUser(phone.access_token)('GET', '/api/v1/auth/me')).status, 200);

  const out = await asUser(here.access_token)('DELETE', '/api/v1/auth/sessions');
  assert.equal(out.status, 200, JSON.stringify(out.body));
  assert.deepEqual(out.body, { revoked: 2 });
  for (const gone of [phone, laptop]) {
    assertError(await asUser(gone.access_token)('GET', '/api/v1/auth/me'), 401, 'UNAUTHORIZED');
    assertError(await call('POST', '/api/v1/auth/refresh', { body: { refresh_token: gone.refresh_token } }), 401, 'INVALID_REFRESH_TOKEN');
  }
  const left = await asUser(here.access_token)('GET', '/api/v1/auth/sessions');
  assert.deepEqual(left.body.sessions.map((s) => s.id), [here.session_id]);
  assert.equal((await asUser(theirs.access_token)('GET', '/api/v1/auth/me')).status, 200);
  assert.deepEqual((await asUser(here.access_token)('DELETE', '/api/v1/auth/sessions')).body, { revoked: 0 });
});

test('test_auth_signup_then_duplicate', async () => {
  const addr = email('signup');
  const res = await call('POST', '/api/v1/auth/signup', { body: { client_id: app.client_id, email: addr, password: 'a fine password' } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.user.email, addr);
  assert.equal((await asUser(res.body.access_token)('GET', '/api/v1/auth/me')).body.id, res.body.user.id);
  assertError(await call('POST', '/api/v1/auth/signup', { body: { client_id: app.client_id, email: addr.toUpperCase(), password: 'a fine password' } }), 409, 'EMAIL_TAKEN');
  assertError(await call('POST', '/api/v1/auth/signup', { body: { client_id: app.client_id, email: email(), password: 'short' } }), 400, 'INVALID_PASSWORD');
});

test('test_auth_access_token_roles_grant_admin_permissions', async () => {
  const read = (await org.api('POST', '/api/v1/permissions', { name: 'users:read' })).body;
  const role = (await org.api('POST', '/api/v1/roles', { name: `auditor-${Date.now()}`, permission_ids: [read.id] })).body;
  // Only tokens issued for Latchkey's own API (an `admin_api` application) carry them.
  const consoleApp = (await org.api('POST', '/api/v1/applications', { name: 'console', admin_api: true })).body;
  const consoleLogin = (u) => call('POST', '/api/v1/auth/login', { body: { client_id: consoleApp.client_id, login_id: u.email, password: u.password } });
  const admin = await newUser();
  const plain = await newUser();
  for (const u of [admin, plain]) await registered(org, consoleApp, u);
  await org.api('PUT', `/api/v1/users/${admin.id}/roles`, { role_ids: [role.id] });
  const at = (await consoleLogin(admin)).body.access_token;
  const pt = (await consoleLogin(plain)).body.access_token;
  assert.deepEqual(JSON.parse(b64url(at.split('.')[1])).roles, [role.name]);
  assert.equal((await asUser(at)('GET', '/api/v1/users')).status, 200);
  assertError(await asUser(at)('POST', '/api/v1/users', { email: email() }), 403, 'FORBIDDEN');
  assertError(await asUser(pt)('GET', '/api/v1/users'), 403, 'FORBIDDEN');
  // Taking the role away takes effect on the next request, not at token expiry.
  await org.api('PUT', `/api/v1/users/${admin.id}/roles`, { role_ids: [] });
  assertError(await asUser(at)('GET', '/api/v1/users'), 403, 'FORBIDDEN');
});

test('test_auth_required_password_change_and_expiry', async () => {
  const u = await newUser();
  await org.api('PUT', `/api/v1/users/${u.id}`, { password_change_required: true });
  const res = await login(u.email, u.password);
  assert.equal(res.status, 403);
  assert.equal(res.body.error_code, 'PASSWORD_CHANGE_REQUIRED');
  assert.match(res.body.change_password_id, /^[0-9a-f]{64}$/);
  assertError(await login(u.email, 'wrong password!'), 401, 'INVALID_CREDENTIALS');
  const change = (id, password) => call('POST', '/api/v1/auth/change-password', { body: { change_password_id: id, password } });
  assertError(await change(res.body.change_password_id, 'short'), 400, 'INVALID_PASSWORD');
  assert.equal((await change(res.body.change_password_id, 'a brand new password')).status, 204);
  assertError(await change(res.body.change_password_id, 'another new password'), 400, 'INVALID_CHANGE_PASSWORD_ID');
  assertError(await login(u.email, u.password), 401, 'INVALID_CREDENTIALS');
  assert.equal((await login(u.email, 'a brand new password')).status, 200);

  await org.api('PUT', `/api/v1/users/${u.id}`, { expires_at: '2020-01-01T00:00:00Z' });
  assertError(await login(u.email, 'a brand new password'), 403, 'ACCOUNT_EXPIRED');
});
