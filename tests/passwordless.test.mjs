// Passwordless sign-in against wrangler dev: codes and links by email as delivered (the
// send_email binding's local simulation, the development outbox, and a stand-in playing
// Resend), single use under races, expiry with the development clock, the same answer for
// unknown addresses, cooldowns, and other organizations.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { call, newOrg, email, registered, assertError, outboxMessage, lastId } from './lib.mjs';
import { RESEND_KEY, TWILIO } from './harness.mjs';

const METHODS = ['password', 'magic_code', 'magic_link'];
let org;
let app;
before(async () => {
  org = await newOrg();
  const res = await org.api('POST', '/api/v1/applications', { name: 'Passwordless demo', login_methods: METHODS });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  app = res.body;
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const post = (path, body, headers = {}) => call('POST', path, { body, headers });
const at = (ms) => ({ 'x-latchkey-dev-now': String(ms) });

async function newUser(tag, a = app, o = org) {
  const created = await o.api('POST', '/api/v1/users', { email: email(tag) });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return registered(o, a, created.body);
}

const codeOf = (m) => m.subject.match(/^(\d{6}) is your /)[1];
const tokenOf = (m) => m.text.match(/\/magic-link#([0-9a-f]{64})/)[1];

test('an emailed code signs in once, through the send_email binding as wrangler simulates it', async () => {
  const user = await newUser('code');
  const sent = await post('/api/v1/auth/email-code', { client_id: app.client_id, email: user.email });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  assert.deepEqual(sent.body, { expires_in: 600, resend_after: 30 });
  const m = await outboxMessage(user.email);
  assert.ok(m, 'delivered');
  assert.equal(m.provider, 'send_email');
  assert.match(m.subject, /^\d{6} is your Passwordless demo code$/);
  const code = codeOf(m);
  assert.ok(m.html.includes(code) && m.text.includes(code));
  // The binding's local simulation wrote the text body to a file and logged where.
  const log = readFileSync(process.env.LATCHKEY_WORKER_LOG, 'utf8');
  const block = log.split('send_email binding called with MessageBuilder:').find((b) => b.includes(`To: ${user.email}`));
  assert.ok(block, 'the binding was called for this address');
  assert.match(block, /From: no-reply@latchkey\.localhost/);
  const textFile = block.match(/Text: (\S+\.txt)/)[1];
  assert.ok(readFileSync(textFile, 'utf8').includes(`sign-in code is ${code}`));

  const wrong = await post('/api/v1/auth/email-code/verify', { client_id: app.client_id, email: user.email, code: code === '000000' ? '111111' : '000000' });
  assertError(wrong, 401, 'INVALID_CODE');
  const ok = await post('/api/v1/auth/email-code/verify', { client_id: app.client_id, email: user.email.toUpperCase(), code });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.headers.get('cache-control'), 'no-store');
  assert.ok(ok.body.access_token && ok.body.refresh_token);
  assert.equal(ok.body.user.email_verified, true);
  const again = await post('/api/v1/auth/email-code/verify', { client_id: app.client_id, email: user.email, code });
  assertError(again, 401, 'CODE_USED');
  // The history says how: the failures and the success, by method.
  const history = await call('GET', '/api/v1/auth/login-history?limit=10', { headers: { authorization: `Bearer ${ok.body.access_token}` } });
  assert.equal(history.status, 200, JSON.stringify(history.body));
  const text = JSON.stringify(history.body);
  assert.match(text, /magic_code/);
  const reasons = history.body.data.history.map((r) => r.metadata?.reason).filter(Boolean);
  assert.ok(reasons.includes('invalid_code'), JSON.stringify(reasons));
  assert.ok(reasons.includes('code_used'), JSON.stringify(reasons));
});

test('an address without an account is answered exactly like one with', async () => {
  const user = await newUser('known');
  const unknown = email('unknown');
  const a = await post('/api/v1/auth/email-code', { client_id: app.client_id, email: user.email });
  const b = await post('/api/v1/auth/email-code', { client_id: app.client_id, email: unknown });
  assert.equal(a.status, b.status);
  assert.deepEqual(a.body, b.body);
  assert.deepEqual([...a.headers.keys()].filter((k) => k !== 'x-request-id' && k !== 'date').sort(),
    [...b.headers.keys()].filter((k) => k !== 'x-request-id' && k !== 'date').sort());
  // (One message per address per 30 s, whatever its kind: links go to two more addresses.)
  const linked = await newUser('known-link');
  const la = await post('/api/v1/auth/magic-link', { client_id: app.client_id, email: linked.email });
  const lb = await post('/api/v1/auth/magic-link', { client_id: app.client_id, email: email('unknown-link') });
  assert.equal(la.status, 200, JSON.stringify(la.body));
  assert.equal(la.status, lb.status);
  assert.deepEqual(Object.keys(la.body).sort(), Object.keys(lb.body).sort());
  assert.match(lb.body.pending_id, /^[0-9a-f]{64}$/);
  // Both polls wait alike.
  const pa = await post('/api/v1/auth/magic-link/status', { client_id: app.client_id, pending_id: la.body.pending_id });
  const pb = await post('/api/v1/auth/magic-link/status', { client_id: app.client_id, pending_id: lb.body.pending_id });
  assert.equal(pa.status, 202);
  assert.equal(pb.status, 202);
  // Wrong codes read the same.
  const wa = await post('/api/v1/auth/email-code/verify', { client_id: app.client_id, email: user.email, code: '123456' });
  const wb = await post('/api/v1/auth/email-code/verify', { client_id: app.client_id, email: unknown, code: '123456' });
  assert.equal(wa.status, wb.status);
  assert.equal(wa.body.error_code, wb.body.error_code);
  // Only the real account got mail.
  assert.ok(await outboxMessage(user.email));
  assert.equal(await outboxMessage(unknown, { timeoutMs: 500 }), null);
});

test('racing verifications of one right code: exactly one signs in', async () => {
  const user = await newUser('race');
  const before = await lastId(user.email);
  await post('/api/v1/auth/email-code', { client_id: app.client_id, email: user.email });
  const code = codeOf(await outboxMessage(user.email, { after: before }));
  // Five racers: each attempt is charged to the address guard before its code is checked, and
  // a sixth within the second would meet the guard's delay (delay_after: 5) whenever all six
  // are charged before the winner's success clears the count, a 429 that depends on timing.
  const results = await Promise.all(Array.from({ length: 5 }, () =>
    post('/api/v1/auth/email-code/verify', { client_id: app.client_id, email: user.email, code })));
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, 401, 401, 401, 401], JSON.stringify(results.map((r) => r.body)));
  for (const r of results.filter((x) => x.status === 401)) assert.equal(r.body.error_code, 'CODE_USED');
});

test('codes expire after ten minutes, and five wrong tries void one', async () => {
  const user = await newUser('expiry');
  const t0 = Date.now();
  let before = await lastId(user.email);
  await post('/api/v1/auth/email-code', { client_id: app.client_id, email: user.email }, at(t0));
  const code = codeOf(await outboxMessage(user.email, { after: before }));
  const late = await post('/api/v1/auth/email-code/verify', { client_id: app.client_id, email: user.email, code }, at(t0 + 600_000));
  assertError(late, 401, 'CODE_EXPIRED');

  before = await lastId(user.email);
  const t1 = t0 + 700_000;
  await post('/api/v1/auth/email-code', { client_id: app.client_id, email: user.email }, at(t1));
  const fresh = codeOf(await outboxMessage(user.email, { after: before }));
  const wrong = fresh === '999999' ? '888888' : '999999';
  for (let i = 0; i < 5; i++) {
    // Spaced, as quick retries from one address are delayed by brute-force protection.
    const r = await post('/api/v1/auth/email-code/verify', { client_id: app.client_id, email: user.email, code: wrong }, at(t1 + 1000 + i * 20_000));
    assertError(r, 401, 'INVALID_CODE', `try ${i + 1}`);
  }
  const voided = await post('/api/v1/auth/email-code/verify', { client_id: app.client_id, email: user.email, code: fresh }, at(t1 + 200_000));
  assertError(voided, 401, 'CODE_EXPIRED');
});

test('a second code within the cooldown is refused with Retry-After, for any address', async () => {
  for (const address of [(await newUser('cool')).email, email('cool-unknown')]) {
    const t = Date.now();
    const first = await post('/api/v1/auth/email-code', { client_id: app.client_id, email: address }, at(t));
    assert.equal(first.status, 200);
    const second = await post('/api/v1/auth/email-code/resend', { client_id: app.client_id, email: address }, at(t + 10_000));
    assertError(second, 429, 'RATE_LIMITED');
    assert.equal(second.headers.get('retry-after'), '20');
    const third = await post('/api/v1/auth/email-code/resend', { client_id: app.client_id, email: address }, at(t + 41_000));
    assert.equal(third.status, 200, JSON.stringify(third.body));
  }
});

test('the wait holds across the turn of an hour, and five an hour is the most, with Retry-After', async () => {
  const address = (await newUser('hour')).email;
  const hour = Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 3_600_000;
  assert.equal((await post('/api/v1/auth/email-code', { client_id: app.client_id, email: address }, at(hour - 10_000))).status, 200);
  const early = await post('/api/v1/auth/email-code/resend', { client_id: app.client_id, email: address }, at(hour + 5_000));
  assertError(early, 429, 'RATE_LIMITED');
  assert.equal(early.headers.get('retry-after'), '15');
  // Five in the new hour (the refused one counts too), then the hour's cap.
  for (let i = 0; i < 4; i++) {
    const r = await post('/api/v1/auth/email-code/resend', { client_id: app.client_id, email: address }, at(hour + 40_000 + i * 31_000));
    assert.equal(r.status, 200, `send ${i + 1}: ${JSON.stringify(r.body)}`);
  }
  const capped = await post('/api/v1/auth/email-code/resend', { client_id: app.client_id, email: address }, at(hour + 600_000));
  assertError(capped, 429, 'RATE_LIMITED');
  assert.equal(capped.headers.get('retry-after'), '3000');
  assert.equal((await post('/api/v1/auth/email-code', { client_id: app.client_id, email: address }, at(hour + 3_600_000))).status, 200, 'the next hour');
});

test('a number waits between texts as an address does', async () => {
  const o = await newOrg();
  const a = (await o.api('POST', '/api/v1/applications', { name: 'Texted wait', login_methods: ['password', 'sms_code'] })).body;
  await o.api('PUT', `/api/v1/organizations/${o.org.id}`, { messaging: { sms: 'twilio' } });
  const phone = `+1415556${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
  const t = Date.now();
  assert.equal((await post('/api/v1/auth/sms-code', { client_id: a.client_id, phone }, at(t))).status, 200);
  const again = await post('/api/v1/auth/sms-code/resend', { client_id: a.client_id, phone }, at(t + 10_000));
  assertError(again, 429, 'RATE_LIMITED');
  assert.equal(again.headers.get('retry-after'), '20');
  // The refused request counts too: the wait runs from it.
  assert.equal((await post('/api/v1/auth/sms-code/resend', { client_id: a.client_id, phone }, at(t + 41_000))).status, 200);
});

test('a magic link opened elsewhere signs in the asking page, once', async () => {
  const user = await newUser('link');
  const before = await lastId(user.email);
  const sent = await post('/api/v1/auth/magic-link', { client_id: app.client_id, email: user.email },
    { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36' });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  assert.equal(sent.headers.get('cache-control'), 'no-store');
  const { pending_id } = sent.body;
  const waiting = await post('/api/v1/auth/magic-link/status', { client_id: app.client_id, pending_id });
  assert.equal(waiting.status, 202);
  assert.equal(waiting.body.status, 'pending');
  const m = await outboxMessage(user.email, { after: before });
  assert.equal(m.subject, 'Sign in to Passwordless demo');
  assert.match(m.text, /Chrome on Linux/);
  const token = tokenOf(m);
  const info = await post('/api/v1/auth/magic-link/inspect', { token });
  assert.equal(info.status, 200, JSON.stringify(info.body));
  assert.equal(info.body.application, 'Passwordless demo');
  assert.equal(info.body.email, user.email);
  assert.equal(info.body.device, 'Chrome on Linux');
  const approved = await post('/api/v1/auth/magic-link/verify', { token });
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  assert.deepEqual(approved.body, { approved: true, application: 'Passwordless demo' });
  assertError(await post('/api/v1/auth/magic-link/verify', { token }), 401, 'CODE_USED');
  // Racing polls: one gets the tokens.
  const polls = await Promise.all(Array.from({ length: 4 }, () =>
    post('/api/v1/auth/magic-link/status', { client_id: app.client_id, pending_id })));
  const won = polls.filter((p) => p.status === 200);
  assert.equal(won.length, 1, JSON.stringify(polls.map((p) => [p.status, p.body])));
  assert.equal(won[0].body.user.email, user.email);
  const me = await call('GET', '/api/v1/auth/sessions', { headers: { authorization: `Bearer ${won[0].body.access_token}` } });
  assert.equal(me.status, 200);
  assert.ok(JSON.stringify(me.body).includes('magic_link'), JSON.stringify(me.body));
});

test('a refused link never signs in, and an expired one says so', async () => {
  const user = await newUser('deny');
  let before = await lastId(user.email);
  const sent = await post('/api/v1/auth/magic-link', { client_id: app.client_id, email: user.email });
  const token = tokenOf(await outboxMessage(user.email, { after: before }));
  const refused = await post('/api/v1/auth/magic-link/verify', { token, approve: false });
  assert.deepEqual(refused.body, { approved: false, application: 'Passwordless demo' });
  assertError(await post('/api/v1/auth/magic-link/status', { client_id: app.client_id, pending_id: sent.body.pending_id }), 401, 'LINK_DENIED');

  const t = Date.now() + 60_000;
  before = await lastId(user.email);
  const again = await post('/api/v1/auth/magic-link', { client_id: app.client_id, email: user.email }, at(t));
  assert.equal(again.status, 200, JSON.stringify(again.body));
  const late = tokenOf(await outboxMessage(user.email, { after: before }));
  assertError(await post('/api/v1/auth/magic-link/inspect', { token: late }, at(t + 900_000)), 401, 'CODE_EXPIRED');
  assertError(await post('/api/v1/auth/magic-link/verify', { token: late }, at(t + 900_000)), 401, 'CODE_EXPIRED');
  assertError(await post('/api/v1/auth/magic-link/status', { client_id: app.client_id, pending_id: again.body.pending_id }, at(t + 900_000)), 401, 'CODE_EXPIRED');
});

test("another organization's application cannot complete a link or use a code", async () => {
  const user = await newUser('foreign');
  const other = await newOrg();
  const otherApp = (await other.api('POST', '/api/v1/applications', { name: 'other', login_methods: METHODS })).body;
  let before = await lastId(user.email);
  const sent = await post('/api/v1/auth/magic-link', { client_id: app.client_id, email: user.email });
  const token = tokenOf(await outboxMessage(user.email, { after: before }));
  await post('/api/v1/auth/magic-link/verify', { token });
  assertError(await post('/api/v1/auth/magic-link/status', { client_id: otherApp.client_id, pending_id: sent.body.pending_id }), 401, 'CODE_EXPIRED');
  before = await lastId(user.email);
  await post('/api/v1/auth/email-code', { client_id: app.client_id, email: user.email }, at(Date.now() + 120_000));
  const code = codeOf(await outboxMessage(user.email, { after: before }));
  assertError(await post('/api/v1/auth/email-code/verify', { client_id: otherApp.client_id, email: user.email, code }), 401, 'CODE_EXPIRED');
});

test('methods the application has not enabled are refused', async () => {
  const plain = (await org.api('POST', '/api/v1/applications', { name: 'password only' })).body;
  assertError(await post('/api/v1/auth/email-code', { client_id: plain.client_id, email: email('x') }), 400, 'LOGIN_METHOD_DISABLED');
  assertError(await post('/api/v1/auth/magic-link', { client_id: plain.client_id, email: email('x') }), 400, 'LOGIN_METHOD_DISABLED');
  assertError(await post('/api/v1/auth/email-code', { client_id: app.client_id, email: 'not an address' }), 400, 'INVALID_EMAIL');
  assertError(await post('/api/v1/auth/email-code', { client_id: 'nope', email: email('x') }), 400, 'INVALID_CLIENT_ID');
});

test("an organization that chose Resend has its mail posted to Resend's API", async () => {
  const o = await newOrg();
  const upd = await o.api('PUT', `/api/v1/organizations/${o.org.id}`, { messaging: { email: 'resend' } });
  assert.equal(upd.status, 200, JSON.stringify(upd.body));
  assert.deepEqual(upd.body.messaging, { email: 'resend', sms: 'none', login_alerts: true });
  const a = (await o.api('POST', '/api/v1/applications', { name: 'Resent', login_methods: METHODS })).body;
  const user = await newUser('resend', a, o);
  const sent = await post('/api/v1/auth/email-code', { client_id: a.client_id, email: user.email });
  assert.equal(sent.status, 200);
  const standin = process.env.LATCHKEY_STANDIN_URL;
  let got;
  for (let i = 0; i < 100 && !got; i++) {
    const all = await (await fetch(`${standin}/__sent`)).json();
    got = all.find((r) => r.path === '/emails' && JSON.parse(r.body).to[0] === user.email);
    if (!got) await sleep(100);
  }
  assert.ok(got, 'Resend was called');
  assert.equal(got.authorization, `Bearer ${RESEND_KEY}`);
  assert.equal(got.contentType, 'application/json');
  const body = JSON.parse(got.body);
  assert.deepEqual(Object.keys(body).sort(), ['from', 'html', 'subject', 'text', 'to']);
  assert.equal(body.from, 'no-reply@latchkey.localhost');
  assert.match(body.subject, /^\d{6} is your Resent code$/);
  const m = await outboxMessage(user.email);
  assert.equal(m.provider, 'resend');
  const ok = await post('/api/v1/auth/email-code/verify', { client_id: a.client_id, email: user.email, code: codeOf(m) });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
});

test('a password reset link sets a new password once, ends every session and tells the user', async () => {
  const password = 'the old password 123';
  const created = await org.api('POST', '/api/v1/users', { email: email('reset'), password });
  const user = await registered(org, app, created.body);
  const login = (p) => post('/api/v1/auth/login', { client_id: app.client_id, login_id: user.email, password: p });
  const before = await login(password);
  assert.equal(before.status, 200, JSON.stringify(before.body));

  const last = await lastId(user.email);
  const unknown = email('reset-unknown');
  const a = await post('/api/v1/auth/password-reset', { client_id: app.client_id, email: user.email });
  const b = await post('/api/v1/auth/password-reset', { client_id: app.client_id, email: unknown });
  assert.equal(a.status, 200, JSON.stringify(a.body));
  assert.deepEqual(a.body, b.body);
  assert.deepEqual(a.body, { expires_in: 1800, resend_after: 30 });
  const m = await outboxMessage(user.email, { after: last });
  assert.equal(m.subject, 'Reset your Passwordless demo password');
  const token = m.text.match(/\/reset-password#([0-9a-f]{64})/)[1];
  assert.equal(await outboxMessage(unknown, { timeoutMs: 300 }), null);

  const info = await post('/api/v1/auth/password-reset/verify', { token });
  assert.equal(info.status, 200, JSON.stringify(info.body));
  assert.equal(info.body.email, user.email);
  // Refused passwords leave the link usable.
  assertError(await post('/api/v1/auth/password-reset/complete', { token, password: 'short' }), 400, 'INVALID_PASSWORD');
  assertError(await post('/api/v1/auth/password-reset/complete', { token, password: 'this password was breached' }), 400, 'PASSWORD_BREACHED');
  const newPassword = 'a fresh password 456';
  const sentBefore = await lastId(user.email);
  const done = await post('/api/v1/auth/password-reset/complete', { token, password: newPassword });
  assert.equal(done.status, 204, JSON.stringify(done.body));
  assertError(await post('/api/v1/auth/password-reset/complete', { token, password: 'yet another one 789' }), 401, 'CODE_USED');
  // Every session ended; the old password is gone, the new one works.
  assertError(await post('/api/v1/auth/refresh', { refresh_token: before.body.refresh_token }), 401, 'INVALID_REFRESH_TOKEN');
  assertError(await login(password), 401, 'INVALID_CREDENTIALS');
  assert.equal((await login(newPassword)).status, 200);
  const notice = await outboxMessage(user.email, { after: sentBefore });
  assert.equal(notice.subject, 'Your Passwordless demo password was changed');
  const events = await org.api('GET', '/api/v1/security-events?kind=password.reset');
  assert.equal(events.status, 200, JSON.stringify(events.body));
  assert.ok(JSON.stringify(events.body).includes(user.id));
});

test('where the application requires it, a password needs a confirmed email, and the link confirms it once', async () => {
  const strict = (await org.api('POST', '/api/v1/applications', {
    name: 'Confirmed only', login_methods: METHODS, self_signup: true, require_verified_email: true,
  })).body;
  assert.equal(strict.require_verified_email, true);
  const address = email('confirm');
  const password = 'confirm me please 1';
  // Sign-up creates the account, sends the link, and starts no session yet.
  const signup = await post('/api/v1/auth/signup', { client_id: strict.client_id, email: address, password });
  assertError(signup, 403, 'EMAIL_NOT_VERIFIED');
  const m = await outboxMessage(address);
  assert.equal(m.subject, 'Confirm your email for Confirmed only');
  const token = m.text.match(/\/verify-email#([0-9a-f]{64})/)[1];
  const login = () => post('/api/v1/auth/login', { client_id: strict.client_id, login_id: address, password }, at(Date.now() + 40_000));
  assertError(await login(), 403, 'EMAIL_NOT_VERIFIED');
  // The refused login sent a fresh link too (after the cooldown).
  const fresh = await outboxMessage(address, { after: m.id });
  assert.equal(fresh.subject, m.subject);
  // Asking answers alike for every address.
  const a = await post('/api/v1/auth/verify-email/send', { client_id: strict.client_id, email: address }, at(Date.now() + 80_000));
  const b = await post('/api/v1/auth/verify-email/send', { client_id: strict.client_id, email: email('nobody') }, at(Date.now() + 80_000));
  assert.equal(a.status, 200, JSON.stringify(a.body));
  assert.deepEqual(a.body, b.body);
  const ok = await post('/api/v1/auth/verify-email', { token });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.deepEqual(ok.body, { email: address, email_verified: true });
  assertError(await post('/api/v1/auth/verify-email', { token }), 401, 'CODE_USED');
  const now = await login();
  assert.equal(now.status, 200, JSON.stringify(now.body));
  assert.equal(now.body.user.email_verified, true);

  // Signing up again with the address is answered as a new address is, so nothing tells a
  // stranger the account exists; its owner is sent a reset link, and the password stays.
  const later = at(Date.now() + 120_000);
  const before = await lastId(address);
  const again = await post('/api/v1/auth/signup', { client_id: strict.client_id, email: address, password: 'a stranger password 2' }, later);
  const stranger = await post('/api/v1/auth/signup', { client_id: strict.client_id, email: email('newcomer'), password: 'a stranger password 2' }, later);
  assertError(again, 403, 'EMAIL_NOT_VERIFIED');
  const bare = ({ request_id: _, ...rest }) => rest;
  assert.deepEqual(bare(again.body), bare(stranger.body));
  assert.deepEqual([...again.headers.keys()].sort(), [...stranger.headers.keys()].sort());
  const notice = await outboxMessage(address, { after: before });
  assert.ok(notice, 'the owner is told');
  assert.match(notice.subject, /password/i);
  assert.match(notice.text, /\/reset-password#[0-9a-f]{64}/);
  assertError(await post('/api/v1/auth/login', { client_id: strict.client_id, login_id: address, password: 'a stranger password 2' }), 401, 'INVALID_CREDENTIALS');
  assert.equal((await login()).status, 200, 'the owner\'s password still works');
});

test('an SMS code goes through the Twilio-compatible API to the number an account has, and signs in', async () => {
  const o = await newOrg();
  const methods = ['password', 'sms_code'];
  const a = (await o.api('POST', '/api/v1/applications', { name: 'Texted', login_methods: methods })).body;
  const phone = `+1415555${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
  // Without an SMS provider the method cannot work, whatever the number.
  assertError(await post('/api/v1/auth/sms-code', { client_id: a.client_id, phone }), 400, 'SMS_NOT_CONFIGURED');
  const upd = await o.api('PUT', `/api/v1/organizations/${o.org.id}`, { messaging: { sms: 'twilio' } });
  assert.deepEqual(upd.body.messaging, { email: 'send_email', sms: 'twilio', login_alerts: true });
  assertError(await o.api('POST', '/api/v1/users', { email: email('bad-phone'), phone: '4155550100' }), 400, 'INVALID_PHONE');
  const created = await o.api('POST', '/api/v1/users', { email: email('sms'), phone: phone.replace(/(\d{3})(\d{3})(\d{4})$/, ' ($1) $2-$3') });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.phone, phone, 'stored in E.164 form');
  assertError(await o.api('POST', '/api/v1/users', { email: email('sms-twin'), phone }), 409, 'PHONE_TAKEN');
  const user = await registered(o, a, created.body);

  const standin = process.env.LATCHKEY_STANDIN_URL;
  const texts = async () => (await (await fetch(`${standin}/__sent`)).json()).filter((r) => r.path.includes('/Messages.json'));
  const before = (await texts()).length;
  const other = '+14155550000';
  const known = await post('/api/v1/auth/sms-code', { client_id: a.client_id, phone });
  const unknown = await post('/api/v1/auth/sms-code', { client_id: a.client_id, phone: other });
  assert.equal(known.status, 200, JSON.stringify(known.body));
  assert.deepEqual(known.body, unknown.body);
  let got;
  for (let i = 0; i < 100 && !got; i++) {
    got = (await texts()).slice(before).find((r) => new URLSearchParams(r.body).get('To') === phone);
    if (!got) await sleep(100);
  }
  assert.ok(got, 'the provider was called');
  assert.equal(got.path, `/2010-04-01/Accounts/${TWILIO.sid}/Messages.json`);
  assert.equal(got.authorization, `Basic ${Buffer.from(`${TWILIO.sid}:${TWILIO.token}`).toString('base64')}`);
  assert.equal(got.contentType, 'application/x-www-form-urlencoded');
  const form = new URLSearchParams(got.body);
  assert.deepEqual([...form.keys()].sort(), ['Body', 'From', 'To']);
  assert.equal(form.get('From'), TWILIO.from);
  assert.match(form.get('Body'), /^\d{6} is your Texted sign-in code\. It works for 10 minutes\. Never share it\.$/);
  await sleep(300);
  assert.equal((await texts()).slice(before).filter((r) => new URLSearchParams(r.body).get('To') === other).length, 0, 'nothing to a number no account has');

  const code = form.get('Body').slice(0, 6);
  const ok = await post('/api/v1/auth/sms-code/verify', { client_id: a.client_id, phone, code });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.user.id, user.id);
  assert.equal(ok.body.user.email_verified, false, 'a number proves no email');
  assertError(await post('/api/v1/auth/sms-code/verify', { client_id: a.client_id, phone, code }), 401, 'CODE_USED');
  const sessions = await call('GET', '/api/v1/auth/sessions', { headers: { authorization: `Bearer ${ok.body.access_token}` } });
  assert.ok(JSON.stringify(sessions.body).includes('sms_code'));
});

test('a login from a new device emails "was this you?", and its link signs that session out once', async () => {
  const password = 'alerted password 1';
  const created = await org.api('POST', '/api/v1/users', { email: email('alert'), password });
  const user = await registered(org, app, created.body);
  const login = (ua) => post('/api/v1/auth/login', { client_id: app.client_id, login_id: user.email, password }, { 'user-agent': ua });
  const laptop = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
  const phone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
  assert.equal((await login(laptop)).status, 200);
  const last = await lastId(user.email);
  // The first login has nothing to compare with; the second, from a new device, is flagged.
  const second = await login(phone);
  assert.equal(second.status, 200);
  const m = await outboxMessage(user.email, { after: last });
  assert.equal(m.subject, 'New sign-in to Passwordless demo: was this you?');
  assert.match(m.text, /a device not seen before/);
  assert.match(m.text, /Device: Safari on iOS/);
  const token = m.text.match(/\/not-me#([0-9a-f]{64})/)[1];
  const disowned = await post('/api/v1/auth/not-me', { token });
  assert.equal(disowned.status, 200, JSON.stringify(disowned.body));
  assert.deepEqual(disowned.body, { session_revoked: true, client_id: app.client_id });
  assertError(await post('/api/v1/auth/refresh', { refresh_token: second.body.refresh_token }), 401, 'INVALID_REFRESH_TOKEN');
  assertError(await post('/api/v1/auth/not-me', { token }), 401, 'CODE_EXPIRED');
  const events = await org.api('GET', '/api/v1/security-events?kind=login.disowned');
  assert.ok(JSON.stringify(events.body).includes(second.body.session_id), JSON.stringify(events.body));
  // An organization can turn alerts off.
  const quiet = await newOrg();
  const off = await quiet.api('PUT', `/api/v1/organizations/${quiet.org.id}`, { messaging: { login_alerts: false } });
  assert.equal(off.body.messaging.login_alerts, false);
});
