// Multi-factor authentication against wrangler dev, with codes computed by an independent
// TOTP implementation (npm `otpauth`) from the otpauth:// URI the server hands out, and the
// server's clock moved with the development override (x-latchkey-dev-now): enrolment, the
// native second step, replay, five tries, expiry, backup codes, races, trusted devices,
// the required policy, seed 003's 242 → 421 → 200, removal, and other organizations.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import * as OTPAuth from 'otpauth';
import { BASE, call, newOrg, email, registered, sqlDirect } from './lib.mjs';

const PASSWORD = 'mfa test password';
const STEP = 30_000;

let org;
let app;
before(async () => {
  org = await newOrg();
  app = (await org.api('POST', '/api/v1/applications', { name: 'MFA demo' })).body;
  assert.deepEqual(app.mfa, { policy: 'optional', trust_days: 30, passkey_satisfies: true });
});

/** A clock for the server: each `next()` moves it a whole TOTP step on. */
function clock(start = Date.now()) {
  let t = start;
  return {
    get now() { return t; },
    next(steps = 1) { t += steps * STEP; return t; },
    headers(extra = {}) { return { 'x-latchkey-dev-now': String(t), ...extra }; },
  };
}

const post = (path, body, c, extra) => call('POST', path, { body, headers: c.headers(extra) });
const bearer = (token) => ({ authorization: `Bearer ${token}` });

async function newUser(tag, a = app, o = org) {
  const created = await o.api('POST', '/api/v1/users', { email: email(tag), password: PASSWORD });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return registered(o, a, created.body);
}

const login = (user, c, extra = {}, a = app) =>
  post('/api/v1/auth/login', { client_id: a.client_id, login_id: user.email, password: PASSWORD, ...extra }, c);

function mfaRequired(res, code = 'MFA_REQUIRED') {
  assert.equal(res.status, 403, JSON.stringify(res.body));
  assert.equal(res.body.error_code, code);
  assert.match(res.body.mfa_token, /^[0-9a-f]{64}$/);
  assert.equal(res.body.mfa_expires_in, 300);
  return res.body;
}

/** Signs in, enrols an authenticator app and confirms it: the otpauth TOTP and backup codes. */
async function enrol(user, c) {
  const signedIn = await login(user, c);
  assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
  const token = signedIn.body.access_token;
  const started = await post('/api/v1/mfa/totp', undefined, c, bearer(token));
  assert.equal(started.status, 201, JSON.stringify(started.body));
  const totp = OTPAuth.URI.parse(started.body.otpauth_uri);
  assert.ok(totp instanceof OTPAuth.TOTP);
  assert.equal(totp.secret.base32, started.body.secret);
  const confirmed = await post(`/api/v1/mfa/totp/${started.body.id}/confirm`, { code: totp.generate({ timestamp: c.now }) }, c, bearer(token));
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
  return { totp, backupCodes: confirmed.body.backup_codes, token, id: started.body.id };
}

const jwtClaims = (t) => JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString());

test('test_mfa_enrol_with_otpauth_then_password_and_code', async () => {
  const c = clock();
  const user = await newUser('enrol');
  const signedIn = await login(user, c);
  assert.equal(signedIn.status, 200, 'no factor yet: the password alone');
  const token = signedIn.body.access_token;

  const started = await post('/api/v1/mfa/totp', undefined, c, bearer(token));
  assert.equal(started.status, 201, JSON.stringify(started.body));
  const { id, secret, otpauth_uri: uri, qr_svg: svg } = started.body;
  assert.equal(secret.length, 32, '160 bits, base32');
  const totp = OTPAuth.URI.parse(uri);
  assert.equal(totp.issuer, org.org.name);
  assert.equal(totp.label, user.email);
  assert.equal(totp.algorithm, 'SHA1');
  assert.equal(totp.digits, 6);
  assert.equal(totp.period, 30);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);

  // The QR code image of the pending authenticator: an SVG, never cached.
  const qr = await call('GET', `/api/v1/mfa/totp/${id}/qr`, { headers: c.headers(bearer(token)) });
  assert.equal(qr.status, 200);
  assert.equal(qr.headers.get('content-type'), 'image/svg+xml');
  assert.equal(qr.headers.get('cache-control'), 'no-store');
  assert.equal(qr.body, svg);

  // The secret is stored sealed.
  const [row] = await sqlDirect(`SELECT secret FROM mfa_factors WHERE id = '${id}'`);
  assert.match(row.secret, /^v1\.[0-9a-f]{8}\./);
  assert.ok(!row.secret.includes(secret));

  const wrong = (Number(totp.generate({ timestamp: c.now })) + 1) % 1e6;
  const bad = await post(`/api/v1/mfa/totp/${id}/confirm`, { code: String(wrong).padStart(6, '0') }, c, bearer(token));
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error_code, 'INVALID_MFA_CODE');
  const ok = await post(`/api/v1/mfa/totp/${id}/confirm`, { code: totp.generate({ timestamp: c.now }) }, c, bearer(token));
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.authenticator.confirmed, true);
  assert.equal(ok.body.backup_codes.length, 10);
  assert.equal(new Set(ok.body.backup_codes).size, 10);
  for (const b of ok.body.backup_codes) assert.match(b, /^[0-9a-z]{5}-[0-9a-z]{5}$/);
  // Confirmed: its QR code is gone for good.
  assert.equal((await call('GET', `/api/v1/mfa/totp/${id}/qr`, { headers: c.headers(bearer(token)) })).status, 404);

  const list = await call('GET', '/api/v1/mfa/authenticators', { headers: c.headers(bearer(token)) });
  assert.equal(list.status, 200);
  assert.equal(list.body.mfa_enabled, true);
  assert.equal(list.body.backup_codes_left, 10);
  assert.deepEqual(list.body.authenticators.map((a) => [a.type, a.confirmed]), [['totp', true]]);
  assert.ok(!JSON.stringify(list.body).includes(secret));

  // Now a password is not enough.
  c.next();
  const pending = mfaRequired(await login(user, c));
  assert.deepEqual(pending.mfa_methods, ['totp', 'backup_code']);
  assert.equal(pending.access_token, undefined);
  const challenge = await post('/api/v1/auth/mfa/challenge', { mfa_token: pending.mfa_token }, c);
  assert.equal(challenge.status, 200);
  assert.deepEqual(challenge.body, { methods: ['totp', 'backup_code'], enrollment_required: false, expires_in: 300 });

  const wrongCode = await post('/api/v1/auth/mfa/verify', { mfa_token: pending.mfa_token, code: '000000', client_id: app.client_id }, c);
  assert.equal(wrongCode.status, 401);
  assert.equal(wrongCode.body.error_code, 'INVALID_MFA_CODE');
  const done = await post('/api/v1/auth/mfa/verify', { mfa_token: pending.mfa_token, code: totp.generate({ timestamp: c.now }), client_id: app.client_id }, c);
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.user.id, user.id);
  assert.deepEqual(jwtClaims(done.body.access_token).amr, ['pwd', 'otp', 'mfa']);
  const sessions = await call('GET', '/api/v1/auth/sessions', { headers: c.headers(bearer(done.body.access_token)) });
  const mine = sessions.body.sessions.find((s) => s.id === done.body.session_id);
  assert.deepEqual(mine.methods, ['password', 'totp']);
  // Refreshed tokens keep both factors.
  const refreshed = await post('/api/v1/auth/refresh', { refresh_token: done.body.refresh_token, client_id: app.client_id }, c);
  assert.equal(refreshed.status, 200);
  assert.deepEqual(jwtClaims(refreshed.body.access_token).amr, ['pwd', 'otp', 'mfa']);

  // The same code again, at a new login in the same step: a replay.
  const again = mfaRequired(await login(user, c));
  const replay = await post('/api/v1/auth/mfa/verify', { mfa_token: again.mfa_token, code: totp.generate({ timestamp: c.now }) }, c);
  assert.equal(replay.body.error_code, 'INVALID_MFA_CODE');
  // The spent token is gone.
  const spent = await post('/api/v1/auth/mfa/verify', { mfa_token: pending.mfa_token, code: totp.generate({ timestamp: c.next() }) }, c);
  assert.equal(spent.status, 401);
  assert.equal(spent.body.error_code, 'MFA_TOKEN_INVALID');

  const records = await sqlDirect(`SELECT method, outcome, failure_reason FROM login_records WHERE user_id = '${user.id}' ORDER BY id`);
  const seen = records.map((r) => `${r.method}:${r.outcome}:${r.failure_reason ?? ''}`);
  for (const expected of ['password:failure:mfa_required', 'totp:failure:invalid_mfa_code', 'totp:success:']) {
    assert.ok(seen.includes(expected), `${expected} in ${seen}`);
  }
});

test('test_mfa_five_tries_per_token_then_void_and_expiry', async () => {
  const c = clock();
  const user = await newUser('tries');
  const { totp } = await enrol(user, c);
  c.next();
  const p = mfaRequired(await login(user, c));
  for (let i = 0; i < 5; i++) {
    const r = await post('/api/v1/auth/mfa/verify', { mfa_token: p.mfa_token, code: '000000' }, c);
    assert.equal(r.body.error_code, 'INVALID_MFA_CODE', `try ${i + 1}`);
  }
  const sixth = await post('/api/v1/auth/mfa/verify', { mfa_token: p.mfa_token, code: totp.generate({ timestamp: c.now }) }, c);
  assert.equal(sixth.status, 401);
  assert.equal(sixth.body.error_code, 'MFA_TOKEN_INVALID');
  const [last] = await sqlDirect(`SELECT failure_reason FROM login_records WHERE user_id = '${user.id}' ORDER BY id DESC LIMIT 1`);
  assert.equal(last.failure_reason, 'mfa_token_expired');

  // Five minutes later a token is void, even with the right code.
  c.next(2);
  const q = mfaRequired(await login(user, c));
  c.next(10);
  const late = await post('/api/v1/auth/mfa/verify', { mfa_token: q.mfa_token, code: totp.generate({ timestamp: c.now }) }, c);
  assert.equal(late.body.error_code, 'MFA_TOKEN_INVALID');
  assert.equal((await post('/api/v1/auth/mfa/challenge', { mfa_token: q.mfa_token }, c)).body.error_code, 'MFA_TOKEN_INVALID');
});

test('test_mfa_racing_second_factors_exactly_one_wins', async () => {
  const c = clock();
  const user = await newUser('race');
  const { totp, backupCodes } = await enrol(user, c);
  // One backup code, three logins, sent at once.
  c.next();
  const tokens = [];
  for (let i = 0; i < 3; i++) tokens.push(mfaRequired(await login(user, c)).mfa_token);
  const byBackup = await Promise.all(tokens.map((t) => post('/api/v1/auth/mfa/verify', { mfa_token: t, backup_code: backupCodes[0] }, c)));
  assert.deepEqual(byBackup.map((r) => r.status).sort(), [200, 401, 401]);
  // One TOTP code, three logins, sent at once.
  c.next();
  const more = [];
  for (let i = 0; i < 3; i++) more.push(mfaRequired(await login(user, c)).mfa_token);
  const code = totp.generate({ timestamp: c.now });
  const byCode = await Promise.all(more.map((t) => post('/api/v1/auth/mfa/verify', { mfa_token: t, code }, c)));
  assert.deepEqual(byCode.map((r) => r.status).sort(), [200, 401, 401]);
  // One token, three different right answers at once: one session.
  c.next();
  const one = mfaRequired(await login(user, c)).mfa_token;
  const answers = [{ backup_code: backupCodes[1] }, { backup_code: backupCodes[2] }, { code: totp.generate({ timestamp: c.now }) }];
  const byToken = await Promise.all(answers.map((a) => post('/api/v1/auth/mfa/verify', { mfa_token: one, ...a }, c)));
  assert.equal(byToken.filter((r) => r.status === 200).length, 1, JSON.stringify(byToken.map((r) => r.body)));
});

test('test_mfa_backup_code_once_typed_loosely_and_regenerated', async () => {
  const c = clock();
  const user = await newUser('backup');
  const { backupCodes, token } = await enrol(user, c);
  const p = mfaRequired(await login(user, c));
  const typed = backupCodes[0].toUpperCase().replace('-', ' ');
  const ok = await post('/api/v1/auth/mfa/verify', { mfa_token: p.mfa_token, backup_code: typed }, c);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.deepEqual(jwtClaims(ok.body.access_token).amr, ['pwd', 'otp', 'mfa']);
  const q = mfaRequired(await login(user, c));
  const reused = await post('/api/v1/auth/mfa/verify', { mfa_token: q.mfa_token, backup_code: backupCodes[0] }, c);
  assert.equal(reused.body.error_code, 'INVALID_MFA_CODE');
  const both = await post('/api/v1/auth/mfa/verify', { mfa_token: q.mfa_token, backup_code: backupCodes[1], code: '123456' }, c);
  assert.equal(both.status, 400, 'exactly one of code and backup_code');
  // New codes need the password; the old ones stop working.
  const noPassword = await post('/api/v1/mfa/backup-codes', {}, c, bearer(token));
  assert.equal(noPassword.body.error_code, 'REAUTHENTICATION_REQUIRED');
  const wrongPassword = await post('/api/v1/mfa/backup-codes', { password: 'nope' }, c, bearer(token));
  assert.equal(wrongPassword.body.error_code, 'REAUTHENTICATION_REQUIRED');
  const fresh = await post('/api/v1/mfa/backup-codes', { password: PASSWORD }, c, bearer(token));
  assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
  assert.equal(fresh.body.backup_codes.length, 10);
  const old = await post('/api/v1/auth/mfa/verify', { mfa_token: q.mfa_token, backup_code: backupCodes[2] }, c);
  assert.equal(old.body.error_code, 'INVALID_MFA_CODE');
  const renewed = await post('/api/v1/auth/mfa/verify', { mfa_token: q.mfa_token, backup_code: fresh.body.backup_codes[0] }, c);
  assert.equal(renewed.status, 200);
});

test('test_mfa_trusted_device_skips_the_code', async () => {
  const c = clock();
  const user = await newUser('trust');
  const { totp } = await enrol(user, c);
  c.next();
  const p = mfaRequired(await login(user, c));
  const done = await post('/api/v1/auth/mfa/verify', { mfa_token: p.mfa_token, code: totp.generate({ timestamp: c.now }), trust_device: true }, c);
  assert.equal(done.status, 200);
  assert.match(done.body.trust_token, /^[0-9a-f]{64}$/);
  const trusted = await login(user, c, { trust_token: done.body.trust_token });
  assert.equal(trusted.status, 200, JSON.stringify(trusted.body));
  assert.deepEqual(jwtClaims(trusted.body.access_token).amr, ['pwd']);
  // Another user of the organization cannot borrow it.
  const other = await newUser('trust-other');
  await enrol(other, c);
  mfaRequired(await login(other, c, { trust_token: done.body.trust_token }));
  // Thirty-one days later it has lapsed.
  const later = clock(c.now + 31 * 24 * 3600 * 1000);
  mfaRequired(await login(user, later, { trust_token: done.body.trust_token }));
});

test('test_mfa_required_policy_enrols_at_login', async () => {
  const c = clock();
  const strict = (await org.api('POST', '/api/v1/applications', { name: 'Strict', mfa: { policy: 'required', trust_days: 0, passkey_satisfies: true } })).body;
  assert.equal(strict.mfa.policy, 'required');
  const bad = await org.api('PUT', `/api/v1/applications/${strict.id}`, { mfa: { policy: 'required', trust_days: 400 } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error_code, 'INVALID_MFA_SETTINGS');
  const user = await newUser('required', strict);
  const p = mfaRequired(await login(user, c, {}, strict), 'MFA_ENROLLMENT_REQUIRED');
  assert.deepEqual(p.mfa_methods, ['totp']);
  const started = await post('/api/v1/auth/mfa/enroll', { mfa_token: p.mfa_token }, c);
  assert.equal(started.status, 201, JSON.stringify(started.body));
  const totp = OTPAuth.URI.parse(started.body.otpauth_uri);
  const done = await post('/api/v1/auth/mfa/verify', { mfa_token: p.mfa_token, code: totp.generate({ timestamp: c.now }), client_id: strict.client_id, trust_device: true }, c);
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.backup_codes.length, 10);
  assert.equal(done.body.trust_token, undefined, 'trust_days 0: no trusted devices');
  // From then on, the code as for anyone; enrolling again with a token is refused.
  c.next();
  const q = mfaRequired(await login(user, c, {}, strict));
  const again = await post('/api/v1/auth/mfa/enroll', { mfa_token: q.mfa_token }, c);
  assert.equal(again.body.error_code, 'MFA_ALREADY_ENROLLED');
  // A token of this application's login is not completed in another's name.
  const foreign = await post('/api/v1/auth/mfa/verify', { mfa_token: q.mfa_token, code: totp.generate({ timestamp: c.now }), client_id: app.client_id }, c);
  assert.equal(foreign.body.error_code, 'MFA_TOKEN_INVALID');
});

test('test_mfa_removal_needs_a_fresh_first_factor_or_an_administrator', async () => {
  const c = clock();
  const user = await newUser('remove');
  const { id, token } = await enrol(user, c);
  const noPassword = await call('DELETE', `/api/v1/mfa/authenticators/${id}`, { headers: c.headers(bearer(token)) });
  assert.equal(noPassword.body.error_code, 'REAUTHENTICATION_REQUIRED');
  // Another organization's administrator sees nothing of it.
  const other = await newOrg();
  assert.equal((await other.api('GET', `/api/v1/users/${user.id}/mfa`)).status, 404);
  assert.equal((await other.api('DELETE', `/api/v1/users/${user.id}/mfa/${id}`)).status, 404);
  const listed = await org.api('GET', `/api/v1/users/${user.id}/mfa`);
  assert.equal(listed.body.authenticators[0].id, id);
  const removed = await call('DELETE', `/api/v1/mfa/authenticators/${id}`, { body: { password: PASSWORD }, headers: c.headers(bearer(token)) });
  assert.equal(removed.status, 204, JSON.stringify(removed.body));
  const list = await call('GET', '/api/v1/mfa/authenticators', { headers: c.headers(bearer(token)) });
  assert.deepEqual(list.body, { authenticators: [], mfa_enabled: false, backup_codes_left: 0 });
  assert.equal((await login(user, c)).status, 200, 'no factor left: the password alone again');
  // An administrator resets a user who lost their phone.
  const second = await enrol(user, c);
  assert.equal((await org.api('DELETE', `/api/v1/users/${user.id}/mfa/${second.id}`)).status, 204);
  assert.equal((await login(user, c)).status, 200);
  const events = await org.api('GET', '/api/v1/security-events?kind=mfa.removed');
  assert.ok(events.body.events.some((e) => e.user_id === user.id));
});

/**
 * A POST with node:http rather than fetch: the Fetch standard has clients resend a request
 * answered 421 (Misdirected Request) on a new connection, and seed 003 uses 421 for a wrong
 * code, so a fetch would send each wrong code twice and hide the answer.
 */
function postRaw(path, body, headers) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(BASE + path, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) for (const one of [v].flat()) h.append(k, one);
        resolve({ status: res.statusCode, headers: h, body: text && (res.headers['content-type'] ?? '').includes('json') ? JSON.parse(text) : text });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

test('test_login_api_two_factor_242_421_200_and_trust', async () => {
  const c = clock();
  const user = await newUser('seed3');
  // Verified, so a success is the seed's 200 (212 says the email is not verified yet).
  assert.equal((await org.api('POST', `/api/v1/users/${user.id}/verify-email`, { email_verified: true })).status, 200);
  const { totp } = await enrol(user, c);
  const api003 = (path, body, extra = {}) => postRaw(path, body, c.headers({ authorization: org.key, ...extra }));
  c.next();
  const first = await api003('/api/login', { loginId: user.email, password: PASSWORD, applicationId: app.id });
  assert.equal(first.status, 242, JSON.stringify(first.body));
  assert.match(first.body.twoFactorId, /^[0-9a-f]{64}$/);
  assert.deepEqual(first.body.methods, [{ method: 'authenticator' }]);
  assert.equal(first.body.token, undefined);

  const wrong = await api003('/api/two-factor/login', { twoFactorId: first.body.twoFactorId, code: '000000' });
  assert.equal(wrong.status, 421);
  assert.equal(wrong.body, '');
  const done = await api003('/api/two-factor/login', { twoFactorId: first.body.twoFactorId, code: totp.generate({ timestamp: c.now }), trustComputer: true, ipAddress: '192.168.1.42' });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.user.id, user.id);
  assert.equal(done.body.user.twoFactorEnabled, true);
  assert.ok(done.body.token && done.body.refreshToken);
  assert.match(done.body.twoFactorTrustId, /^[0-9a-f]{64}$/);
  const cookies = done.headers.getSetCookie();
  assert.ok(cookies.some((k) => k.startsWith('fusionauth.trust=') && /HttpOnly/i.test(k)), cookies.join('\n'));
  assert.ok(cookies.some((k) => k.startsWith('access_token=')));
  const used = await api003('/api/two-factor/login', { twoFactorId: first.body.twoFactorId, code: totp.generate({ timestamp: c.next() }) });
  assert.equal(used.status, 404);
  const unknown = await api003('/api/two-factor/login', { twoFactorId: 'nope', code: '123456' });
  assert.equal(unknown.status, 404);
  const missing = await api003('/api/two-factor/login', { code: '123456' });
  assert.equal(missing.status, 400);
  assert.equal(missing.body.fieldErrors.twoFactorId[0].code, '[blank]twoFactorId');

  // The trust id skips the second factor.
  const trusted = await api003('/api/login', { loginId: user.email, password: PASSWORD, applicationId: app.id, twoFactorTrustId: done.body.twoFactorTrustId });
  assert.equal(trusted.status, 200, JSON.stringify(trusted.body));
  // Another organization's key cannot complete this organization's login.
  const other = await newOrg();
  const second = await api003('/api/login', { loginId: user.email, password: PASSWORD, applicationId: app.id });
  assert.equal(second.status, 242);
  const stolen = await postRaw('/api/two-factor/login', { twoFactorId: second.body.twoFactorId, code: totp.generate({ timestamp: c.next() }) }, c.headers({ authorization: other.key }));
  assert.equal(stolen.status, 404);
  // A backup code is accepted as the code.
  const third = await api003('/api/login', { loginId: user.email, password: PASSWORD, applicationId: app.id });
  const list = await sqlDirect(`SELECT COUNT(*) AS n FROM mfa_backup_codes WHERE user_id = '${user.id}'`);
  assert.equal(list[0].n, 10);
  assert.equal(third.status, 242);
});

test('test_mfa_routes_are_in_openapi', async () => {
  const doc = (await call('GET', '/openapi.json')).body;
  const ops = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
  for (const op of ['initiateMfa', 'validateMfaToken', 'mfaEnrollTotpAtLogin', 'listAuthenticators', 'mfaEnrollTotp', 'confirmTotpEnrollment', 'qrCodeImage', 'removeAuthenticator', 'getBackupCodes', 'listUserAuthenticators', 'deleteUserAuthenticator']) {
    assert.ok(ops.includes(op), op);
  }
  assert.ok(doc.paths['/api/two-factor/login'].post.responses['421']);
  assert.ok(doc.paths['/api/login'].post.responses['242']);
  assert.ok(doc.paths['/api/v1/mfa/totp/{authenticator_id}/qr'].get.responses['200'].content['image/svg+xml']);
});
