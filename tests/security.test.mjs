// Security: each test is an attack that must fail, or a protection at its edge.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { call, assertError, newOrg, email, bearer, sqlAsAttacker, sqlDirect } from './lib.mjs';

let org;
let app;
let adminApp;

const asKey = (key) => (method, path, body) => call(method, path, { body, headers: bearer(key) });
const login = (a, loginId, password) =>
  call('POST', '/api/v1/auth/login', { body: { client_id: a.client_id, login_id: loginId, password } });
const refresh = (token) => call('POST', '/api/v1/auth/refresh', { body: { refresh_token: token } });

/** A user of `o`, registered for `a`, with a password. */
async function newUser(o = org, a = app, password = 'correct horse battery') {
  const u = (await o.api('POST', '/api/v1/users', { email: email('sec'), password })).body;
  assert.ok(u.id, JSON.stringify(u));
  const reg = await o.api('PUT', `/api/v1/users/${u.id}/registrations/${a.id}`);
  assert.equal(reg.status, 204, JSON.stringify(reg.body));
  return { ...u, password };
}

/** A key of `o` restricted to `permissions`, made with the organization's unrestricted key. */
async function restrictedKey(o, permissions) {
  const res = await o.api('POST', '/api/v1/api-keys', { name: `k-${Date.now()}`, permissions });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

before(async () => {
  org = await newOrg();
  app = (await org.api('POST', '/api/v1/applications', { name: 'web', self_signup: true })).body;
  adminApp = (await org.api('POST', '/api/v1/applications', { name: 'console', admin_api: true })).body;
  assert.equal(app.self_signup, true);
  assert.equal(adminApp.admin_api, true);
});

test('test_security_roles_escalation_sequence_fails', async () => {
  // A key restricted to roles:read + roles:write...
  const rk = await restrictedKey(org, ['roles:read', 'roles:write']);
  const roles = asKey(rk.key);
  // ...creates permissions named after Latchkey's own: refused, each of them.
  for (const name of ['api_keys:write', 'api_keys:read', 'users:write']) {
    assertError(await roles('POST', '/api/v1/permissions', { name }), 403, 'FORBIDDEN', name);
  }
  // Nor by renaming a harmless one into a reserved name.
  const harmless = (await roles('POST', '/api/v1/permissions', { name: `reports:view-${Date.now()}` })).body;
  assertError(await roles('PUT', `/api/v1/permissions/${harmless.id}`, { name: 'users:write' }), 403, 'FORBIDDEN');
  // Where the real permissions exist (made by an unrestricted key), it cannot put them in a
  // role, or add them to one.
  const real = {};
  for (const name of ['api_keys:write', 'api_keys:read', 'users:write']) {
    real[name] = (await org.api('POST', '/api/v1/permissions', { name })).body.id;
  }
  const ids = Object.values(real);
  assertError(await roles('POST', '/api/v1/roles', { name: 'escalate', permission_ids: ids }), 403, 'FORBIDDEN');
  const mine = (await roles('POST', '/api/v1/roles', { name: `mine-${Date.now()}`, permission_ids: [harmless.id] })).body;
  assertError(await roles('PUT', `/api/v1/roles/${mine.id}`, { permission_ids: [harmless.id, ...ids] }), 403, 'FORBIDDEN');
  // A user signs up through the public sign-up route.
  const addr = email('climber');
  const signup = await call('POST', '/api/v1/auth/signup', { body: { client_id: app.client_id, email: addr, password: 'climber password 1' } });
  assert.equal(signup.status, 201, JSON.stringify(signup.body));
  const userId = signup.body.user.id;
  // The key cannot assign a role that carries the reserved permissions...
  const strong = (await org.api('POST', '/api/v1/roles', { name: `strong-${Date.now()}`, permission_ids: ids })).body;
  assertError(await roles('PUT', `/api/v1/users/${userId}/roles`, { role_ids: [strong.id] }), 403, 'FORBIDDEN');
  assert.deepEqual((await org.api('GET', `/api/v1/users/${userId}/roles`)).body.roles, []);
  // ...so the user's access token mints no key.
  const at = (await login(app, addr, 'climber password 1')).body.access_token;
  const want = { name: 'stolen', permissions: ['users:write', 'api_keys:read', 'api_keys:write'] };
  assertError(await asKey(at)('POST', '/api/v1/api-keys', want), 403, 'FORBIDDEN');
  // Its own roles (no reserved permission) it may still assign.
  assert.equal((await roles('PUT', `/api/v1/users/${userId}/roles`, { role_ids: [mine.id] })).status, 200);
});

test('test_security_signup_is_opt_in_per_application', async () => {
  const closed = (await org.api('POST', '/api/v1/applications', { name: 'closed' })).body;
  assert.equal(closed.self_signup, false, 'off by default');
  const addr = email('walk-in');
  const body = { client_id: closed.client_id, email: addr, password: 'walk-in password' };
  assertError(await call('POST', '/api/v1/auth/signup', { body }), 400, 'SIGNUP_DISABLED');
  assert.equal((await org.api('GET', `/api/v1/users/by-email?email=${encodeURIComponent(addr)}`)).status, 404, 'nothing created');
  assert.equal((await org.api('PUT', `/api/v1/applications/${closed.id}`, { self_signup: true })).body.self_signup, true);
  assert.equal((await call('POST', '/api/v1/auth/signup', { body })).status, 201);
});

test('test_security_native_login_needs_a_registration', async () => {
  const other = (await org.api('POST', '/api/v1/applications', { name: 'other' })).body;
  const u = await newUser();
  // A wrong password answers as for an unknown account; the right one names the problem.
  assertError(await login(other, u.email, 'not the password'), 401, 'INVALID_CREDENTIALS');
  assertError(await login(other, 'nobody@example.com', 'not the password'), 401, 'INVALID_CREDENTIALS');
  assertError(await login(other, u.email, u.password), 403, 'NOT_REGISTERED');
  await org.api('PUT', `/api/v1/users/${u.id}/registrations/${other.id}`);
  assert.equal((await login(other, u.email, u.password)).status, 200);
});

test('test_security_admin_api_needs_a_token_issued_for_it', async () => {
  const made = await org.api('POST', '/api/v1/permissions', { name: 'users:read' });
  const read = made.status === 201
    ? made.body
    : (await org.api('GET', '/api/v1/permissions')).body.permissions.find((p) => p.name === 'users:read');
  const role = (await org.api('POST', '/api/v1/roles', { name: `auditor-${Date.now()}`, permission_ids: [read.id] })).body;
  const u = await newUser();
  await org.api('PUT', `/api/v1/users/${u.id}/registrations/${adminApp.id}`);
  await org.api('PUT', `/api/v1/users/${u.id}/roles`, { role_ids: [role.id] });
  // The relying party's token (audience: its client id) carries no administrative power...
  const rp = (await login(app, u.email, u.password)).body.access_token;
  assertError(await asKey(rp)('GET', '/api/v1/users'), 403, 'FORBIDDEN');
  // ...though it still reads the user's own data.
  assert.equal((await asKey(rp)('GET', '/api/v1/auth/me')).body.id, u.id);
  // A token issued for Latchkey's own API does.
  const console = (await login(adminApp, u.email, u.password)).body.access_token;
  const claims = JSON.parse(Buffer.from(console.split('.')[1], 'base64url'));
  assert.match(claims.aud, /\/api$/);
  assert.equal((await asKey(console)('GET', '/api/v1/users')).status, 200);
  assertError(await asKey(console)('POST', '/api/v1/users', { email: email() }), 403, 'FORBIDDEN');
});

test('test_security_user_changes_end_sessions_at_once', async () => {
  const cases = [
    ['disabled', { status: 'disabled' }],
    ['expired', { expires_at: '2020-01-01T00:00:00Z' }],
    ['new password', { password: 'a completely new password' }],
  ];
  for (const [what, change] of cases) {
    const u = await newUser();
    const t = (await login(app, u.email, u.password)).body;
    assert.equal((await org.api('PUT', `/api/v1/users/${u.id}`, change)).status, 200, what);
    assertError(await asKey(t.access_token)('GET', '/api/v1/auth/me'), 401, 'UNAUTHORIZED', what);
    assertError(await refresh(t.refresh_token), 401, 'INVALID_REFRESH_TOKEN', what);
    assert.deepEqual((await org.api('GET', `/api/v1/users/${u.id}/sessions`)).body.sessions, [], what);
  }
  // Deleted: the sessions go with the user.
  const gone = await newUser();
  const t = (await login(app, gone.email, gone.password)).body;
  assert.equal((await org.api('DELETE', `/api/v1/users/${gone.id}`)).status, 204);
  assertError(await refresh(t.refresh_token), 401, 'INVALID_REFRESH_TOKEN');
  assertError(await asKey(t.access_token)('GET', '/api/v1/auth/me'), 401, 'UNAUTHORIZED');
});

test('test_security_admin_revokes_every_session_of_a_user', async () => {
  const u = await newUser();
  const a = (await login(app, u.email, u.password)).body;
  const b = (await login(app, u.email, u.password)).body;
  const other = await newOrg();
  assertError(await other.api('DELETE', `/api/v1/users/${u.id}/sessions`), 404, 'NOT_FOUND');
  const ro = await restrictedKey(org, ['users:read']);
  assertError(await asKey(ro.key)('DELETE', `/api/v1/users/${u.id}/sessions`), 403, 'FORBIDDEN');
  const res = await org.api('DELETE', `/api/v1/users/${u.id}/sessions`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.revoked, 2);
  for (const t of [a, b]) assertError(await refresh(t.refresh_token), 401, 'INVALID_REFRESH_TOKEN');
});

test('test_security_a_signed_out_sessions_token_reads_and_changes_nothing', async () => {
  // The session check rides with a request's first read: whatever the route does first (a
  // read, a write, nothing at all), a token of a session that is over gets 401 and no effect.
  const u = await newUser();
  const gone = (await login(app, u.email, u.password)).body;
  const kept = (await login(app, u.email, u.password)).body;
  const me = (t) => ({ headers: bearer(t.access_token) });
  assert.equal((await call('GET', '/api/v1/auth/me', me(gone))).status, 200);
  const mine = await call('GET', '/api/v1/auth/sessions', me(kept));
  const keptId = mine.body.sessions.find((x) => x.current).id;
  assert.equal((await call('POST', '/api/v1/auth/logout', me(gone))).status, 200);
  for (const [method, path] of [
    ['GET', '/api/v1/auth/me'],
    ['GET', '/api/v1/auth/status'],
    ['GET', '/api/v1/auth/sessions'],
    ['GET', '/api/v1/auth/login-history'],
    ['DELETE', `/api/v1/auth/sessions/${keptId}`],
    ['DELETE', '/api/v1/auth/sessions'],
    ['POST', '/api/v1/auth/logout'],
  ]) {
    assertError(await call(method, path, me(gone)), 401, 'UNAUTHORIZED', `${method} ${path}`);
  }
  // Nothing the refused requests asked for happened: the other session lives.
  const still = await call('GET', '/api/v1/auth/sessions', me(kept));
  assert.equal(still.status, 200, JSON.stringify(still.body));
  assert.ok(still.body.sessions.some((x) => x.id === keptId));
  assert.equal((await refresh(kept.refresh_token)).status, 200);
});

test('test_security_api_keys_revoke_only_weaker_never_the_last_unrestricted', async () => {
  const o = await newOrg();
  const keys = await restrictedKey(o, ['api_keys:read', 'api_keys:write']);
  assert.equal(keys.created_by, `api_key:${o.apiKey.id}`);
  const listed = (await o.api('GET', '/api/v1/api-keys')).body.api_keys;
  assert.equal(listed.find((k) => k.id === o.apiKey.id).created_by, 'platform');
  // A key holding api_keys:write cannot revoke a stronger one.
  assertError(await asKey(keys.key)('DELETE', `/api/v1/api-keys/${o.apiKey.id}`), 403, 'FORBIDDEN');
  const weaker = await restrictedKey(o, ['api_keys:read']);
  assert.equal((await asKey(keys.key)('DELETE', `/api/v1/api-keys/${weaker.id}`)).status, 204);
  // The last unrestricted key stays.
  assertError(await o.api('DELETE', `/api/v1/api-keys/${o.apiKey.id}`), 409, 'LAST_UNRESTRICTED_KEY');
  // Two unrestricted keys revoking each other at once: exactly one wins.
  const second = (await o.api('POST', '/api/v1/api-keys', { name: 'second' })).body;
  const results = await Promise.all([
    asKey(o.key)('DELETE', `/api/v1/api-keys/${second.id}`),
    asKey(second.key)('DELETE', `/api/v1/api-keys/${o.apiKey.id}`),
  ]);
  assert.equal(results.filter((r) => r.status === 204).length, 1, JSON.stringify(results.map((r) => r.body)));
  const active = (await call('GET', '/api/v1/api-keys', { headers: bearer(results[0].status === 204 ? o.key : second.key) }))
    .body.api_keys.filter((k) => k.permissions === null && k.revoked_at === null);
  assert.equal(active.length, 1);
});

test('test_security_a_revoked_key_in_use_neither_reads_nor_writes', async () => {
  // The worker remembers a key it has seen and checks its revocation with the request's
  // first read: a key revoked while in use must still be refused before anything is read
  // or written, the first time and after, and a remembered prefix must not stand for its
  // secret.
  const o = await newOrg();
  const made = await o.api('POST', '/api/v1/users', { email: email('inuse'), password: 'correct horse battery' });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const path = `/api/v1/users/${made.body.id}`;
  const address = email('after-revoke');
  const attempts = [
    ['GET', path],
    ['POST', '/api/v1/users', { email: address, password: 'correct horse battery' }],
    ['PUT', path, { name: 'Mallory' }],
    ['DELETE', path],
  ];
  for (const [method, target, body] of attempts) {
    const k = await restrictedKey(o, ['users:read', 'users:write']);
    assert.equal((await asKey(k.key)('GET', path)).status, 200);
    const wrongSecret = k.key.slice(0, -8) + (k.key.endsWith('00000000') ? '11111111' : '00000000');
    assertError(await asKey(wrongSecret)('GET', path), 401, 'UNAUTHORIZED');
    assert.equal((await o.api('DELETE', `/api/v1/api-keys/${k.id}`)).status, 204);
    for (let i = 0; i < 2; i++) assertError(await asKey(k.key)(method, target, body), 401, 'UNAUTHORIZED');
  }
  const users = (await o.api('GET', '/api/v1/users?limit=100')).body.users;
  assert.deepEqual(users.filter((u) => u.email === address), []);
  const still = await o.api('GET', path);
  assert.equal(still.status, 200, 'the user was not deleted');
  assert.notEqual(still.body.name, 'Mallory');
});

test('test_security_api_keys_expire', async () => {
  const o = await newOrg();
  assertError(await o.api('POST', '/api/v1/api-keys', { name: 'old', expires_at: '2020-01-01T00:00:00Z' }), 400, 'INVALID_EXPIRES_AT');
  const soon = new Date(Date.now() + 2000).toISOString();
  const k = (await o.api('POST', '/api/v1/api-keys', { name: 'brief', permissions: ['users:read'], expires_at: soon })).body;
  assert.equal(k.expires_at, soon);
  assert.equal((await asKey(k.key)('GET', '/api/v1/users')).status, 200);
  await new Promise((r) => setTimeout(r, 2100));
  assertError(await asKey(k.key)('GET', '/api/v1/users'), 401, 'UNAUTHORIZED');
});

test('test_security_cors_and_csrf_belong_to_the_application_and_session', async () => {
  const A = 'https://a.example.com';
  const B = 'https://b.example.com';
  const orgA = await newOrg();
  await orgA.api('POST', '/api/v1/applications', { name: 'a', allowed_origins: [A] });
  const appB = (await org.api('POST', '/api/v1/applications', { name: 'b', allowed_origins: [B] })).body;
  const u = await newUser(org, appB);
  const loginFrom = (origin, cookie = false) => call('POST', '/api/v1/auth/login', {
    body: { client_id: appB.client_id, login_id: u.email, password: u.password, cookie }, headers: { origin },
  });
  // Another organization's allowed origin reads nothing of this application's answers.
  const fromA = await loginFrom(A);
  assert.equal(fromA.status, 200);
  assert.equal(fromA.headers.get('access-control-allow-origin'), null);
  const fromB = await loginFrom(B);
  assert.equal(fromB.headers.get('access-control-allow-origin'), B);
  const me = (origin) => call('GET', '/api/v1/auth/me', { headers: { ...bearer(fromB.body.access_token), origin } });
  assert.equal((await me(A)).headers.get('access-control-allow-origin'), null);
  assert.equal((await me(B)).headers.get('access-control-allow-origin'), B);
  // A preflight carries no credentials: any application's origin may ask.
  const pre = await call('OPTIONS', '/api/v1/auth/refresh', { headers: { origin: A, 'access-control-request-method': 'POST' } });
  assert.equal(pre.status, 204);

  // Browser mode: the CSRF value belongs to its session.
  const jarOf = (res) => res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const one = await loginFrom(B, true);
  const two = await loginFrom(B, true);
  assert.notEqual(one.body.csrf_token, two.body.csrf_token);
  const refreshOne = (origin, csrf) => call('POST', '/api/v1/auth/refresh', {
    raw: '', headers: { cookie: jarOf(one), origin, 'x-csrf-token': csrf },
  });
  assertError(await refreshOne(B, two.body.csrf_token), 403, 'FORBIDDEN', "another session's CSRF value");
  // A refused origin is refused before the token turns: the rightful refresh still works,
  // and is not taken for reuse.
  const refused = await refreshOne(A, one.body.csrf_token);
  assertError(refused, 403, 'ORIGIN_NOT_ALLOWED', 'another application\'s origin');
  // Unreadable there: whether this browser has a session is not that origin's to learn.
  assert.equal(refused.headers.get('access-control-allow-origin'), null);
  const ok = await refreshOne(B, one.body.csrf_token);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.headers.get('access-control-allow-origin'), B);
  assert.equal(ok.body.csrf_token, one.body.csrf_token, 'the same session keeps its CSRF value');
});

test('test_security_sessions_end_after_the_idle_timeout', async () => {
  const day = 86_400_000;
  const short = (await org.api('POST', '/api/v1/applications', { name: 'idle', idle_timeout_secs: 3600 })).body;
  assert.equal(short.idle_timeout_secs, 3600);
  assert.equal(app.idle_timeout_secs, 3 * 24 * 3600, 'three days by default');
  assertError(await org.api('PUT', `/api/v1/applications/${short.id}`, { idle_timeout_secs: 5 }), 400, 'INVALID_IDLE_TIMEOUT_SECS');
  const u = await newUser(org, short);
  const at = (ms) => ({ 'x-latchkey-dev-now': String(ms) });
  const t0 = Date.now();
  const first = (await call('POST', '/api/v1/auth/login', {
    body: { client_id: short.client_id, login_id: u.email, password: u.password }, headers: at(t0),
  })).body;
  const again = (token, ms) => call('POST', '/api/v1/auth/refresh', { body: { refresh_token: token }, headers: at(ms) });
  // Active within the hour: the session lives on, and the hour starts again.
  const second = await again(first.refresh_token, t0 + 50 * 60_000);
  assert.equal(second.status, 200, JSON.stringify(second.body));
  const third = await again(second.body.refresh_token, t0 + 100 * 60_000);
  assert.equal(third.status, 200, JSON.stringify(third.body));
  // Idle for more than the hour: over, though the refresh token itself is still valid.
  assertError(await again(third.body.refresh_token, t0 + 161 * 60_000), 401, 'INVALID_REFRESH_TOKEN');
  assert.ok(t0 + 161 * 60_000 < t0 + day);
});

test('test_security_refresh_in_one_round_trip_keeps_every_check', async () => {
  // A refresh by body turns in one batch whose SQL makes the checks: the client id, the
  // user, the token's lifetime from its application. Each refusal leaves the token unspent
  // (or, for reuse by its own client, ends the session), exactly as the checks in Rust.
  const o = await newOrg();
  const brief = (await o.api('POST', '/api/v1/applications', { name: 'brief', refresh_token_ttl_secs: 86_400 })).body;
  const sibling = (await o.api('POST', '/api/v1/applications', { name: 'sibling' })).body;
  const u = await newUser(o, brief);
  const at = (ms) => ({ 'x-latchkey-dev-now': String(ms) });
  const t0 = Date.now();
  const first = (await call('POST', '/api/v1/auth/login', {
    body: { client_id: brief.client_id, login_id: u.email, password: u.password }, headers: at(t0),
  })).body;
  const turn = (token, ms, clientId) => call('POST', '/api/v1/auth/refresh', {
    body: { refresh_token: token, ...(clientId ? { client_id: clientId } : {}) }, headers: at(ms),
  });
  // Another application's client id, of this organization or another: refused, unspent.
  assertError(await turn(first.refresh_token, t0 + 1000, sibling.client_id), 401, 'INVALID_REFRESH_TOKEN');
  assertError(await turn(first.refresh_token, t0 + 1000, app.client_id), 401, 'INVALID_REFRESH_TOKEN');
  // The application's refresh lifetime as it is at the turn: ten minutes, in a day's session.
  const shorter = await o.api('PUT', `/api/v1/applications/${brief.id}`, { refresh_token_ttl_secs: 600 });
  assert.equal(shorter.status, 200, JSON.stringify(shorter.body));
  const second = await turn(first.refresh_token, t0 + 2000, brief.client_id);
  assert.equal(second.status, 200, JSON.stringify(second.body));
  assertError(await turn(second.body.refresh_token, t0 + 2000 + 600_001), 401, 'INVALID_REFRESH_TOKEN');
  const third = await turn(second.body.refresh_token, t0 + 2000 + 599_000);
  assert.equal(third.status, 200, JSON.stringify(third.body));
  // The spent first token from another client: refused without ending the session.
  assertError(await turn(first.refresh_token, t0 + 700_000, sibling.client_id), 401, 'INVALID_REFRESH_TOKEN');
  const fourth = await turn(third.body.refresh_token, t0 + 800_000);
  assert.equal(fourth.status, 200, JSON.stringify(fourth.body));
  // From its own client: reuse, which ends the session and every token it has.
  assertError(await turn(first.refresh_token, t0 + 801_000, brief.client_id), 401, 'INVALID_REFRESH_TOKEN');
  assertError(await turn(fourth.body.refresh_token, t0 + 802_000), 401, 'INVALID_REFRESH_TOKEN');
  const events = (await o.api('GET', '/api/v1/security-events?kind=refresh_token.reused')).body.events;
  assert.equal(events.length, 1, JSON.stringify(events));
  assert.equal(events[0].user_id, u.id);
  // A user whose account expires: refused once it has, and the session ends with it.
  const w = await newUser(o, brief);
  const tw = (await login(brief, w.email, w.password)).body;
  const ends = new Date(Date.now() + 60_000).toISOString();
  assert.equal((await o.api('PUT', `/api/v1/users/${w.id}`, { expires_at: ends })).status, 200);
  const before = await turn(tw.refresh_token, Date.now());
  assert.equal(before.status, 200, 'an expiry still ahead leaves the session as it is');
  assertError(await turn(before.body.refresh_token, Date.parse(ends) + 1000), 401, 'INVALID_REFRESH_TOKEN');
  assertError(await refresh(before.body.refresh_token), 401, 'INVALID_REFRESH_TOKEN');
  assert.deepEqual((await o.api('GET', `/api/v1/users/${w.id}/sessions`)).body.sessions, []);
});

test('test_security_record_chain_resists_rehashing_and_truncation', async () => {
  const o = await newOrg();
  const a = (await o.api('POST', '/api/v1/applications', { name: 'chain' })).body;
  const u = await newUser(o, a);
  const attempt = (pw) => login(a, u.email, pw);
  for (const pw of [u.password, 'wrong', u.password, 'wrong', u.password]) await attempt(pw);
  const verify = async () => (await o.api('GET', '/api/v1/login-records/verify')).body;
  assert.equal((await verify()).first_broken_link, null);
  const where = `organization_id = '${o.org.id}'`;
  // Edit a row and recompute its hash as anyone could (unkeyed SHA-256 of anything): the
  // chain is keyed, so the forged hash does not match.
  await sqlAsAttacker(`UPDATE login_records SET ip = '6.6.6.6', row_hash = '${'ab'.repeat(32)}' WHERE ${where} AND chain_seq = 2`);
  assert.deepEqual((await verify()).first_broken_link, { seq: 2, reason: 'row_edited' });

  const o2 = await newOrg();
  const a2 = (await o2.api('POST', '/api/v1/applications', { name: 'chain' })).body;
  const u2 = await newUser(o2, a2);
  for (let i = 0; i < 5; i++) await login(a2, u2.email, u2.password);
  const verify2 = async () => (await o2.api('GET', '/api/v1/login-records/verify')).body;
  // Delete the newest two rows: the counter remembers they were issued.
  await sqlAsAttacker(`DELETE FROM login_records WHERE organization_id = '${o2.org.id}' AND chain_seq >= 4`);
  let r = await verify2();
  assert.deepEqual([r.first_broken_link, r.verified_through], [{ seq: 4, reason: 'tail_missing' }, 3]);
  // The next login takes number 6, not a second 4: the gap stays visible.
  await login(a2, u2.email, u2.password);
  r = await verify2();
  assert.deepEqual(r.first_broken_link, { seq: 4, reason: 'row_missing' });
});

test('test_security_brute_force_locks_the_attacking_address_not_the_victim', async () => {
  const u = await newUser();
  const t0 = Date.now();
  const from = (ip, password, ms) => call('POST', '/api/v1/auth/login', {
    body: { client_id: app.client_id, login_id: u.email, password },
    headers: { 'cf-connecting-ip': ip, 'x-latchkey-dev-now': String(ms) },
  });
  const attacker = '198.51.100.66';
  // Ten failures, each after the wait the progressive delay asks (1, 1, ..., 2, 4, 8, 16 s).
  let t = t0;
  for (let n = 1; n <= 10; n++) {
    t += n > 6 ? 1000 * 2 ** (n - 6) : 1000;
    assertError(await from(attacker, 'not the password', t), 401, 'INVALID_CREDENTIALS', `attempt ${n}`);
  }
  // One past the threshold: refused before the password is checked, the right one too.
  const locked = await from(attacker, u.password, t + 60_000);
  assertError(locked, 429, 'TOO_MANY_ATTEMPTS');
  assert.equal(locked.headers.get('retry-after'), '900');
  // The rightful user, from their own address, is not locked out.
  assert.equal((await from('203.0.113.7', u.password, t + 60_000)).status, 200);
  // Too fast is refused with the wait to keep.
  const v = await newUser();
  const fast = (n) => call('POST', '/api/v1/auth/login', {
    body: { client_id: app.client_id, login_id: v.email, password: 'not the password' },
    headers: { 'cf-connecting-ip': attacker, 'x-latchkey-dev-now': String(t0 + n) },
  });
  for (let n = 1; n <= 5; n++) assert.equal((await fast(n)).status, 401);
  const wait = await fast(6);
  assertError(wait, 429, 'TOO_MANY_ATTEMPTS');
  assert.equal(wait.headers.get('retry-after'), '1');
  // An unknown identifier is throttled exactly alike: the lockout reveals nothing.
  const ghost = (n, ms) => call('POST', '/api/v1/auth/login', {
    body: { client_id: app.client_id, login_id: `ghost-${t0}@example.com`, password: 'x' },
    headers: { 'cf-connecting-ip': attacker, 'x-latchkey-dev-now': String(ms) },
  });
  for (let n = 1; n <= 5; n++) assert.equal((await ghost(n, t0 + n)).status, 401);
  assertError(await ghost(6, t0 + 6), 429, 'TOO_MANY_ATTEMPTS');
});

test('test_security_racing_attempts_charged_with_their_reads_are_counted_exactly', async () => {
  // Once a client id has been seen, a login's brute-force charge goes in the round trip of
  // its reads, with the policy that client's last login read; the decision is still the
  // organization's policy as this login reads it.
  const o = await newOrg();
  const policy = { ip_failures: 4, delay_after: 4, account_failures: 100, lock_minutes: 15, address_failures_per_hour: 100, breached_password_at_login: 'off' };
  assert.equal((await o.api('PUT', `/api/v1/organizations/${o.org.id}`, { attack_protection: policy })).status, 200);
  const a = (await o.api('POST', '/api/v1/applications', { name: 'raced' })).body;
  const u = await newUser(o, a);
  const at = Date.now();
  const attempt = (who, password, ip) => call('POST', '/api/v1/auth/login', {
    body: { client_id: a.client_id, login_id: who.email, password },
    headers: { 'cf-connecting-ip': ip, 'x-latchkey-dev-now': String(at) },
  });
  assert.equal((await attempt(u, u.password, '192.0.2.1')).status, 200);
  const raced = await Promise.all(Array.from({ length: 12 }, () => attempt(u, 'not the password', '192.0.2.2')));
  const statuses = raced.map((r) => r.status).sort();
  assert.deepEqual(statuses, [...Array(4).fill(401), ...Array(8).fill(429)], JSON.stringify(raced.map((r) => r.body)));
  assertError(await attempt(u, u.password, '192.0.2.2'), 429, 'TOO_MANY_ATTEMPTS');
  // A looser policy takes effect at the next attempt, though the charge went with the reads.
  const looser = { ...policy, ip_failures: 6, delay_after: 6 };
  assert.equal((await o.api('PUT', `/api/v1/organizations/${o.org.id}`, { attack_protection: looser })).status, 200);
  const v = await newUser(o, a);
  for (let n = 1; n <= 6; n++) assertError(await attempt(v, 'not the password', '192.0.2.3'), 401, 'INVALID_CREDENTIALS', `attempt ${n}`);
  assertError(await attempt(v, v.password, '192.0.2.3'), 429, 'TOO_MANY_ATTEMPTS');
});

test('test_security_an_address_is_throttled_across_accounts_and_its_writes_capped', async () => {
  const o = await newOrg();
  const a = (await o.api('POST', '/api/v1/applications', { name: 'throttle' })).body;
  const ip = '198.51.100.150';
  const from = (address, loginId, password) => call('POST', '/api/v1/auth/login', {
    body: { client_id: a.client_id, login_id: loginId, password }, headers: { 'cf-connecting-ip': address },
  });
  // A hundred failures from one address, one per account: no account's own limit is near.
  // Made ten at a time: a hundred password hashes queued at once on wrangler dev's one local
  // isolate can outwait its proxy, which then drops requests (workers-sdk#14641).
  const made = [];
  for (let i = 0; i < 100; i += 10) {
    made.push(...await Promise.all(Array.from({ length: 10 }, (_, j) => o.api('POST', '/api/v1/users', { email: `spray-${i + j}-${Date.now()}@example.com`, password: 'their own password' }))));
  }
  assert.ok(made.every((m) => m.status === 201), JSON.stringify(made.find((m) => m.status !== 201)?.body));
  for (const m of made) assertError(await from(ip, m.body.email, 'spring2026!'), 401, 'INVALID_CREDENTIALS');
  // The hundred-and-first is refused, whoever it names, and an unknown name writes nothing.
  const ghost = `ghost-${Date.now()}@example.com`;
  const refused = await from(ip, ghost, 'spring2026!');
  assertError(refused, 429, 'TOO_MANY_ATTEMPTS');
  assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  const [{ n }] = await sqlDirect(`SELECT COUNT(*) AS n FROM login_records WHERE organization_id = '${o.org.id}'`);
  assert.equal(n, 100, 'the refused unknown identifier left no record');
  // A real account behind the throttled address gets the same answer; from elsewhere it logs in.
  const u = await newUser(o, a);
  assertError(await from(ip, u.email, u.password), 429, 'TOO_MANY_ATTEMPTS');
  assert.equal((await from('203.0.113.150', u.email, u.password)).status, 200);
});

test('test_security_each_organization_sets_its_own_policy', async () => {
  const o = await newOrg();
  assert.deepEqual(o.org.attack_protection, { ip_failures: 10, delay_after: 5, account_failures: 100, lock_minutes: 15, address_failures_per_hour: 100, breached_password_at_login: 'flag' });
  const put = (policy) => o.api('PUT', `/api/v1/organizations/${o.org.id}`, { attack_protection: policy });
  assertError(await put({ account_failures: 101 }), 400, 'INVALID_ATTACK_PROTECTION', 'NIST allows at most 100');
  assertError(await put({ ip_failures: 3, delay_after: 4 }), 400, 'INVALID_ATTACK_PROTECTION');
  assertError(await put({ breached_password_at_login: 'sometimes' }), 400, 'INVALID_REQUEST');
  const set = await put({ ip_failures: 3, delay_after: 3, lock_minutes: 2, breached_password_at_login: 'require_change' });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.deepEqual(set.body.attack_protection, { ip_failures: 3, delay_after: 3, account_failures: 100, lock_minutes: 2, address_failures_per_hour: 100, breached_password_at_login: 'require_change' });
  assert.equal((await o.api('GET', `/api/v1/organizations/${o.org.id}`)).body.attack_protection.breached_password_at_login, 'require_change');
  const a = (await o.api('POST', '/api/v1/applications', { name: 'strict' })).body;
  const u = await newUser(o, a);
  const from = (password) => call('POST', '/api/v1/auth/login', {
    body: { client_id: a.client_id, login_id: u.email, password }, headers: { 'cf-connecting-ip': '198.51.100.33' },
  });
  for (let n = 0; n < 3; n++) assertError(await from('not the password'), 401, 'INVALID_CREDENTIALS');
  const locked = await from(u.password);
  assertError(locked, 429, 'TOO_MANY_ATTEMPTS');
  assert.equal(locked.headers.get('retry-after'), '120');
  // Seed 003's Login API answers its documented 409 with the prevent-login action.
  const seed = await call('POST', '/api/login', {
    body: { loginId: u.email, password: u.password, applicationId: a.id, ipAddress: '198.51.100.33' },
    headers: { authorization: o.key },
  });
  assert.equal(seed.status, 409);
  assert.equal(seed.body.actions[0].reasonCode, 'too_many_attempts');
  assert.ok(seed.body.actions[0].expiry > Date.now());
  assert.equal(seed.headers.get('retry-after'), '120');
  // Another organization keeps the defaults.
  assert.equal((await org.api('GET', `/api/v1/organizations/${org.org.id}`)).body.attack_protection.ip_failures, 10);
});

test('test_security_breached_passwords_are_refused_wherever_a_password_is_set', async () => {
  const breached = 'this password was breached'; // known to the harness's stand-in range API
  const appOpen = (await org.api('POST', '/api/v1/applications', { name: 'open', self_signup: true })).body;
  const signup = (password) => call('POST', '/api/v1/auth/signup', { body: { client_id: appOpen.client_id, email: email('pwned'), password } });
  assertError(await signup(breached), 400, 'PASSWORD_BREACHED');
  assertError(await signup('short'), 400, 'INVALID_PASSWORD', 'length is checked first');
  assert.equal((await signup('a phrase nobody has leaked')).status, 201);
  assertError(await org.api('POST', '/api/v1/users', { email: email('pwned'), password: breached }), 400, 'PASSWORD_BREACHED');
  const u = await newUser();
  assertError(await org.api('PUT', `/api/v1/users/${u.id}`, { password: breached }), 400, 'PASSWORD_BREACHED');
  // The required change refuses it too, and the one-time id survives the refusal.
  await org.api('PUT', `/api/v1/users/${u.id}`, { password_change_required: true });
  const id = (await login(app, u.email, u.password)).body.change_password_id;
  const change = (password) => call('POST', '/api/v1/auth/change-password', { body: { change_password_id: id, password } });
  assertError(await change(breached), 400, 'PASSWORD_BREACHED');
  assert.equal((await change('a new phrase nobody has leaked')).status, 204);
});

test('test_security_a_required_password_change_is_won_once_among_every_id_the_old_password_got', async () => {
  const u = await newUser();
  await org.api('PUT', `/api/v1/users/${u.id}`, { password_change_required: true });
  // The user and someone else who knows the temporary password each hold an id.
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await login(app, u.email, u.password)).body.change_password_id);
  assert.equal(new Set(ids).size, 3);
  const change = (id, password) => call('POST', '/api/v1/auth/change-password', { body: { change_password_id: id, password } });
  const raced = await Promise.all(ids.map((id, i) => change(id, `chosen new password ${i}`)));
  const won = raced.flatMap((r, i) => (r.status === 204 ? [i] : []));
  assert.equal(won.length, 1, JSON.stringify(raced.map((r) => r.status)));
  for (const r of raced) if (r.status !== 204) assertError(r, 400, 'INVALID_CHANGE_PASSWORD_ID');
  assert.equal((await login(app, u.email, `chosen new password ${won[0]}`)).status, 200);
  for (const [i, id] of ids.entries()) {
    if (i !== won[0]) assertError(await change(id, 'too late a password'), 400, 'INVALID_CHANGE_PASSWORD_ID');
  }
  // An id does not outlive its password: the administrator sets another temporary one (the
  // change still required), and the id the leaked first one got changes nothing.
  const temporary = 'first temporary password';
  await org.api('PUT', `/api/v1/users/${u.id}`, { password: temporary, password_change_required: true });
  const leaked = (await login(app, u.email, temporary)).body.change_password_id;
  await org.api('PUT', `/api/v1/users/${u.id}`, { password: 'second temporary password' });
  assertError(await change(leaked, 'the leaker wins'), 400, 'INVALID_CHANGE_PASSWORD_ID');
  assertError(await login(app, u.email, 'the leaker wins'), 401, 'INVALID_CREDENTIALS');
});

test('test_security_bot_protection_needs_a_turnstile_token_that_verifies_once', async () => {
  const guarded = (await org.api('POST', '/api/v1/applications', { name: 'guarded', self_signup: true, bot_protection: true })).body;
  assert.equal(guarded.bot_protection, true);
  const u = await newUser(org, guarded);
  const loginWith = (turnstile_token) => call('POST', '/api/v1/auth/login', {
    body: { client_id: guarded.client_id, login_id: u.email, password: u.password, turnstile_token },
  });
  assertError(await loginWith(undefined), 400, 'BOT_CHECK_FAILED', 'no token');
  assertError(await loginWith('forged'), 400, 'BOT_CHECK_FAILED', 'a token Turnstile refuses');
  const token = `pass-${Date.now()}`;
  assert.equal((await loginWith(token)).status, 200);
  assertError(await loginWith(token), 400, 'BOT_CHECK_FAILED', 'a spent token');
  const signup = (turnstile_token) => call('POST', '/api/v1/auth/signup', {
    body: { client_id: guarded.client_id, email: email('bot'), password: 'a phrase nobody has leaked', turnstile_token },
  });
  assertError(await signup(undefined), 400, 'BOT_CHECK_FAILED');
  assert.equal((await signup(`pass-signup-${Date.now()}`)).status, 201);
  // Applications that do not ask are unaffected.
  assert.equal((await login(app, (await newUser()).email, 'correct horse battery')).status, 200);
});
