// Seed 003's Login API, written from the seed's text: paths, camelCase bodies, headers,
// cookies and status codes exactly as documented.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { call, newOrg, email, bearer } from './lib.mjs';

let org;
let app;
let verified;
let unverified;
const PASSWORD = 'password for 003';

// FusionAuth-style clients send the API key bare in Authorization.
const api = (method, path, body, headers = {}) => call(method, path, { body, headers: { authorization: org.key, ...headers } });

function cookies(res) {
  return res.headers.getSetCookie();
}

before(async () => {
  org = await newOrg();
  app = (await org.api('POST', '/api/v1/applications', { name: 'seed-003' })).body;
  verified = (await org.api('POST', '/api/v1/users', { email: email('v'), password: PASSWORD, email_verified: true, name: 'Vera' })).body;
  unverified = (await org.api('POST', '/api/v1/users', { email: email('u'), password: PASSWORD })).body;
  for (const u of [verified, unverified]) {
    assert.equal((await org.api('PUT', `/api/v1/users/${u.id}/registrations/${app.id}`)).status, 204);
  }
});

test('test_login_api_200_with_user_tokens_and_cookies', async () => {
  const res = await api('POST', '/api/login', { loginId: verified.email, password: PASSWORD, applicationId: app.id, ipAddress: '192.168.1.42' });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.match(res.body.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.match(res.body.refreshToken, /^lkr_/);
  const u = res.body.user;
  assert.equal(u.id, verified.id);
  assert.equal(u.email, verified.email);
  assert.equal(u.active, true);
  assert.equal(u.verified, true);
  assert.equal(u.fullName, 'Vera');
  assert.equal(u.tenantId, org.org.id);
  assert.equal(typeof u.insertInstant, 'number');
  assert.equal(typeof u.lastLoginInstant, 'number');
  const claims = JSON.parse(Buffer.from(res.body.token.split('.')[1], 'base64url'));
  assert.equal(claims.aud, app.client_id);
  const set = cookies(res);
  const access = set.find((c) => c.startsWith('access_token='));
  const refresh = set.find((c) => c.startsWith('refresh_token='));
  assert.ok(access && access.includes('HttpOnly') && !access.includes('Max-Age'), 'access_token: HttpOnly session cookie');
  assert.ok(refresh && refresh.includes('HttpOnly') && /Max-Age=\d+/.test(refresh), 'refresh_token: HttpOnly persistent cookie');
  assert.ok(refresh.includes(res.body.refreshToken));
  // The ipAddress of the body is the one recorded.
  const sessions = (await org.api('GET', `/api/v1/users/${verified.id}/sessions`)).body.sessions;
  assert.ok(sessions.some((s) => s.ip === '192.168.1.42'));
});

test('test_login_api_212_when_email_not_verified', async () => {
  const res = await api('POST', '/api/login', { loginId: unverified.email, password: PASSWORD, applicationId: app.id });
  assert.equal(res.status, 212);
  assert.equal(res.body.user.verified, false);
  assert.ok(res.body.token);
});

test('test_login_api_404_empty_for_bad_credentials_alike', async () => {
  for (const body of [{ loginId: verified.email, password: 'wrong' }, { loginId: email('ghost'), password: PASSWORD }]) {
    const res = await api('POST', '/api/login', body);
    assert.equal(res.status, 404);
    assert.equal(res.body, '', 'empty body');
  }
});

test('test_login_api_401_empty_without_valid_key_or_for_another_tenant', async () => {
  const body = { loginId: verified.email, password: PASSWORD };
  for (const headers of [{}, { authorization: 'not-a-key' }]) {
    const res = await call('POST', '/api/login', { body, headers });
    assert.equal(res.status, 401);
    assert.equal(res.body, '');
  }
  const other = await api('POST', '/api/login', body, { 'X-FusionAuth-TenantId': '00000000-0000-7000-8000-000000000000' });
  assert.equal(other.status, 401);
  const own = await api('POST', '/api/login', body, { 'X-FusionAuth-TenantId': org.org.id });
  assert.equal(own.status, 200);
});

test('test_login_api_400_errors_object', async () => {
  const res = await api('POST', '/api/login', { applicationId: 'not-a-uuid', metaData: { device: { type: 'FRIDGE' } } });
  assert.equal(res.status, 400);
  assert.equal(res.body.fieldErrors.loginId[0].code, '[blank]loginId');
  assert.equal(res.body.fieldErrors.password[0].code, '[blank]password');
  assert.equal(res.body.fieldErrors.applicationId[0].code, '[invalid]applicationId');
  assert.equal(res.body.fieldErrors['metaData.device.type'][0].code, '[invalid]metaData.device.type');
  assert.ok(res.body.fieldErrors.loginId[0].message.length > 0);
  const unknownApp = await api('POST', '/api/login', { loginId: verified.email, password: PASSWORD, applicationId: '00000000-0000-7000-8000-000000000000' });
  assert.equal(unknownApp.status, 400);
  assert.equal(unknownApp.body.fieldErrors.applicationId[0].code, '[invalid]applicationId');
  const malformed = await call('POST', '/api/login', { raw: '{"loginId":', headers: { authorization: org.key, 'content-type': 'application/json' } });
  assert.equal(malformed.status, 400);
  assert.ok(malformed.body.generalErrors[0].message);
});

test('test_login_api_409_when_an_action_prevents_login', async () => {
  const u = (await org.api('POST', '/api/v1/users', { email: email('locked'), password: PASSWORD })).body;
  await org.api('PUT', `/api/v1/users/${u.id}`, { status: 'disabled' });
  const res = await api('POST', '/api/login', { loginId: u.email, password: PASSWORD });
  assert.equal(res.status, 409);
  assert.equal(res.body.actions[0].reasonCode, 'disabled');
  assert.equal((await api('POST', '/api/login', { loginId: u.email, password: 'wrong' })).status, 404, 'no status leak without the password');
});

test('test_login_api_nojwt_device_metadata_and_forwarded_for', async () => {
  const res = await api('POST', '/api/login', {
    loginId: verified.email, password: PASSWORD, noJWT: true,
    metaData: { device: { name: 'Kiosk 7', type: 'TABLET', description: 'Lobby kiosk' } },
  }, { 'X-Forwarded-For': '10.0.0.1, 203.0.113.50' }); // the rightmost hop counts
  assert.equal(res.status, 200);
  assert.equal(res.body.token, undefined);
  assert.equal(res.body.refreshToken, undefined);
  assert.deepEqual(cookies(res), []);
  const sessions = (await org.api('GET', `/api/v1/users/${verified.id}/sessions`)).body.sessions;
  const kiosk = sessions.find((s) => s.device_name === 'Kiosk 7');
  assert.ok(kiosk, 'device metadata kept');
  assert.equal(kiosk.device_type, 'TABLET');
  assert.equal(kiosk.ip, '203.0.113.50');
});

test('test_login_api_two_factor_login', async () => {
  const res = await api('POST', '/api/two-factor/login', { twoFactorId: 'YkQY5Gsyo4RlfmDciBGRmvfj3RmatUqrbjoIZ19fmw4', code: '123456' });
  assert.equal(res.status, 404, 'no two-factor login is pending');
  assert.equal(res.body, '');
  const bad = await api('POST', '/api/two-factor/login', { twoFactorId: 'x' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.fieldErrors.code[0].code, '[blank]code');
});

test('test_login_api_update_login_instant', async () => {
  const ok = await api('PUT', `/api/login/${verified.id}/${app.id}?ipAddress=10.1.2.3`);
  assert.equal(ok.status, 200);
  assert.equal(ok.body, '');
  assert.equal((await api('PUT', `/api/login/${verified.id}`)).status, 200);
  assert.equal((await api('PUT', `/api/login/00000000-0000-7000-8000-000000000000/${app.id}`)).status, 404);
  const badIp = await api('PUT', `/api/login/${verified.id}/${app.id}?ipAddress=nope`);
  assert.equal(badIp.status, 400);
  assert.equal(badIp.body.fieldErrors.ipAddress[0].code, '[invalid]ipAddress');
  assert.equal((await call('PUT', `/api/login/${verified.id}/${app.id}`)).status, 401);
  // Another organization's user is not found.
  const other = await newOrg();
  const res = await call('PUT', `/api/login/${verified.id}`, { headers: { authorization: other.key } });
  assert.equal(res.status, 404);
  // With a JWT: the token's user and application.
  const token = (await api('POST', '/api/login', { loginId: verified.email, password: PASSWORD, applicationId: app.id })).body.token;
  assert.equal((await call('PUT', '/api/login?ipAddress=10.9.9.9', { headers: bearer(token) })).status, 200);
});

test('test_login_api_logout_revokes_and_clears_cookies', async () => {
  const login = async () => (await api('POST', '/api/login', { loginId: verified.email, password: PASSWORD, applicationId: app.id })).body;
  const a = await login();
  const out = await call('POST', `/api/logout?refreshToken=${a.refreshToken}`);
  assert.equal(out.status, 200);
  assert.equal(out.body, '');
  const cleared = cookies(out);
  assert.ok(cleared.some((c) => c.startsWith('refresh_token=;') && c.includes('Max-Age=0')));
  assert.ok(cleared.some((c) => c.startsWith('access_token=;') && c.includes('Max-Age=0')));
  assert.equal((await call('POST', '/api/v1/auth/refresh', { body: { refresh_token: a.refreshToken } })).status, 401);

  // The refresh_token cookie works too; global=true ends every session of its user.
  const b = await login();
  const c = await login();
  const g = await call('POST', '/api/logout?global=true', { headers: { cookie: `refresh_token=${b.refreshToken}` } });
  assert.equal(g.status, 200);
  assert.equal((await call('GET', '/api/v1/auth/me', { headers: bearer(c.token) })).status, 401);
  // Nothing to revoke is still a 200.
  assert.equal((await call('POST', '/api/logout')).status, 200);
});

test('test_login_api_202_when_not_registered_for_the_application', async () => {
  const u = (await org.api('POST', '/api/v1/users', { email: email('unreg'), password: PASSWORD, email_verified: true })).body;
  const res = await api('POST', '/api/login', { loginId: u.email, password: PASSWORD, applicationId: app.id });
  assert.equal(res.status, 202);
  assert.equal(res.body.user.id, u.id);
  // Without an applicationId there is nothing to be registered for.
  assert.equal((await api('POST', '/api/login', { loginId: u.email, password: PASSWORD })).status, 200);
});

test('test_login_api_203_password_change_then_410_expired', async () => {
  const u = (await org.api('POST', '/api/v1/users', { email: email('chg'), password: PASSWORD, email_verified: true, password_change_required: true })).body;
  const res = await api('POST', '/api/login', { loginId: u.email, password: PASSWORD });
  assert.equal(res.status, 203);
  assert.match(res.body.changePasswordId, /^[0-9a-f]{64}$/);
  assert.deepEqual(Object.keys(res.body), ['changePasswordId']);
  const changed = await call('POST', '/api/v1/auth/change-password', { body: { change_password_id: res.body.changePasswordId, password: 'the new password' } });
  assert.equal(changed.status, 204);
  assert.equal((await api('POST', '/api/login', { loginId: u.email, password: 'the new password' })).status, 200);

  await org.api('PUT', `/api/v1/users/${u.id}`, { expires_at: '2020-01-01T00:00:00Z' });
  const expired = await api('POST', '/api/login', { loginId: u.email, password: 'the new password' });
  assert.equal(expired.status, 410);
  assert.equal(expired.body, '');
  assert.equal((await api('POST', '/api/login', { loginId: u.email, password: 'wrong' })).status, 404);
});
