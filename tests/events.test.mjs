// Security events and their webhook: what is raised, who sees it, and a delivery that an
// independent Standard Webhooks verifier (npm `standardwebhooks`) accepts, retried after a
// failure under the same id.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { call, assertError, newOrg, email, bearer, sqlDirect } from './lib.mjs';
import { freePort } from './harness.mjs';

const STANDIN = process.env.LATCHKEY_STANDIN_URL;

/** A webhook receiver on loopback: answers with the queued statuses, then 200. */
let receiver;
before(async () => {
  const got = [];
  const statuses = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  receiver = { url: `http://127.0.0.1:${port}/hook`, got, statuses, close: () => new Promise((r) => server.close(r)) };
});
after(async () => { await receiver.close(); });

/** Runs the minute cron (the one that delivers webhooks). */
const cron = async () => {
  const res = await call('GET', '/__scheduled?cron=*+*+*+*+*');
  assert.equal(res.status, 200, String(res.body));
};

const events = async (o, query = '') => {
  const res = await o.api('GET', `/api/v1/security-events${query}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
};

test('test_events_webhook_is_https_its_secret_shown_once_and_rotated', async () => {
  const o = await newOrg();
  for (const url of ['http://hooks.example.com/in', 'https://user:pw@hooks.example.com/', 'ftp://x', 'not a url']) {
    assertError(await o.api('PUT', '/api/v1/security-events/webhook', { url }), 400, 'INVALID_WEBHOOK_URL', url);
  }
  assertError(await o.api('GET', '/api/v1/security-events/webhook'), 404, 'NOT_FOUND');
  const set = await o.api('PUT', '/api/v1/security-events/webhook', { url: 'https://hooks.example.com/in' });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.match(set.body.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.equal(set.headers.get('cache-control'), 'no-store');
  assert.equal(set.body.version, 1);
  const got = await o.api('GET', '/api/v1/security-events/webhook');
  assert.deepEqual(Object.keys(got.body).sort(), ['updated_at', 'url', 'version']);
  const again = await o.api('PUT', '/api/v1/security-events/webhook', { url: 'https://hooks.example.com/in' });
  assert.equal(again.body.version, 2);
  assert.notEqual(again.body.secret, set.body.secret, 'setting it again rotates the secret');
  // A key without organizations:write may not point the events elsewhere; one without
  // organizations:read may not read them.
  const weak = (await o.api('POST', '/api/v1/api-keys', { name: 'weak', permissions: ['users:read'] })).body.key;
  const asWeak = (m, p, b) => call(m, p, { body: b, headers: bearer(weak) });
  assertError(await asWeak('PUT', '/api/v1/security-events/webhook', { url: 'https://evil.example.com/' }), 403, 'FORBIDDEN');
  assertError(await asWeak('DELETE', '/api/v1/security-events/webhook'), 403, 'FORBIDDEN');
  assertError(await asWeak('GET', '/api/v1/security-events'), 403, 'FORBIDDEN');
  assertError(await o.api('GET', '/api/v1/security-events?kind=LOCKED%27--'), 400, 'INVALID_KIND');
  assert.equal((await o.api('DELETE', '/api/v1/security-events/webhook')).status, 204);
  assertError(await o.api('DELETE', '/api/v1/security-events/webhook'), 404, 'NOT_FOUND');
  const kinds = (await events(o)).events.map((e) => e.kind);
  assert.deepEqual(kinds.slice(0, 4), ['webhook.deleted', 'api_key.created', 'webhook.set', 'webhook.set']);
});

test('test_events_raised_listed_per_organization_and_delivered_signed', async () => {
  const o = await newOrg();
  const other = await newOrg();
  const hook = await o.api('PUT', '/api/v1/security-events/webhook', { url: receiver.url });
  const app = (await o.api('POST', '/api/v1/applications', { name: 'web' })).body;
  assert.equal(hook.status, 200, JSON.stringify(hook.body));
  const verifier = new Webhook(hook.body.secret);
  const user = async (password = 'correct horse battery') => {
    const u = (await o.api('POST', '/api/v1/users', { email: email('evt'), password })).body;
    await o.api('PUT', `/api/v1/users/${u.id}/registrations/${app.id}`);
    return { ...u, password };
  };
  const login = (u, password, headers = {}) => call('POST', '/api/v1/auth/login', {
    body: { client_id: app.client_id, login_id: u.email, password }, headers,
  });

  // An administrative change, with who made it.
  const key = (await o.api('POST', '/api/v1/api-keys', { name: 'ci', permissions: ['users:read'] })).body;
  // A lockout: ten failures from one address, then the first refusal (once, not per attempt).
  const victim = await user();
  const attacker = '198.51.100.77';
  // (In the past, so that the events are due at the delivery below.)
  let t = Date.now() - 600_000;
  for (let n = 1; n <= 10; n++) {
    t += n > 6 ? 1000 * 2 ** (n - 6) : 1000;
    const res = await login(victim, 'not it', { 'cf-connecting-ip': attacker, 'x-latchkey-dev-now': String(t) });
    assert.equal(res.status, 401);
  }
  for (let k = 1; k <= 2; k++) {
    const res = await login(victim, victim.password, { 'cf-connecting-ip': attacker, 'x-latchkey-dev-now': String(t + k * 60_000) });
    assertError(res, 429, 'TOO_MANY_ATTEMPTS');
  }
  // Refresh-token reuse.
  const first = (await login(victim, victim.password)).body;
  assert.ok(first.refresh_token, JSON.stringify(first));
  const refresh = (token) => call('POST', '/api/v1/auth/refresh', { body: { refresh_token: token } });
  assert.equal((await refresh(first.refresh_token)).status, 200);
  assert.equal((await refresh(first.refresh_token)).status, 401);
  // A password that leaked after it was chosen: flagged at the next login (the default policy).
  const leaky = await user('a phrase that leaks later');
  const leak = await fetch(`${STANDIN}/__breached`, { method: 'POST', body: leaky.password });
  assert.equal(leak.status, 204);
  const flagged = await login(leaky, leaky.password);
  assert.equal(flagged.status, 200, JSON.stringify(flagged.body));
  const history = await call('GET', '/api/v1/auth/login-history?limit=1', { headers: bearer(flagged.body.access_token) });
  assert.deepEqual(history.body.data.history[0].metadata.flags, ['breached_password']);

  const list = await events(o);
  const of = (kind) => list.events.filter((e) => e.kind === kind);
  assert.equal(of('api_key.created').length, 1);
  assert.equal(of('api_key.created')[0].actor, `api_key:${o.apiKey.id}`);
  assert.equal(of('api_key.created')[0].detail.target, key.id);
  assert.equal(of('login.locked').length, 1, JSON.stringify(of('login.locked')));
  assert.deepEqual(
    [of('login.locked')[0].detail.scope, of('login.locked')[0].detail.login_id, of('login.locked')[0].ip],
    ['address', victim.email, attacker],
  );
  assert.equal(of('login.locked')[0].user_id, victim.id);
  assert.equal(of('refresh_token.reused').length, 1);
  assert.equal(of('refresh_token.reused')[0].detail.session_id, first.session_id);
  assert.deepEqual(of('password.breached').map((e) => [e.user_id, e.detail.at, e.detail.action]), [[leaky.id, 'login', 'flagged']]);
  // Queued for the webhook from the moment it was set (what came before stays `none`).
  const setAt = list.events.find((e) => e.kind === 'webhook.set').id;
  assert.ok(list.events.every((e) => e.delivery.state === (e.id >= setAt ? 'pending' : 'none')), JSON.stringify(list.events.map((e) => [e.id, e.kind, e.delivery.state])));
  const pending = list.events.filter((e) => e.id >= setAt).length;
  const byKind = await events(o, '?kind=login.locked');
  assert.equal(byKind.total_count, 1);
  // Nothing of it is the other organization's to see.
  assert.ok((await events(other)).events.every((e) => !['login.locked', 'refresh_token.reused'].includes(e.kind)));

  // Delivery: the receiver refuses the first request, which is retried a minute later.
  const seen = receiver.got.length;
  receiver.statuses.push(500);
  const before = Date.now();
  await cron();
  const firstRound = receiver.got.slice(seen);
  assert.equal(firstRound.length, pending, 'every pending event, once');
  const failed = (await events(o)).events.filter((e) => e.delivery.state === 'pending');
  assert.equal(failed.length, 1);
  assert.deepEqual([failed[0].delivery.attempts, failed[0].delivery.last_error], [1, 'HTTP 500']);
  const due = Date.parse(failed[0].delivery.next_attempt_at);
  assert.ok(due >= before + 60_000 && due <= Date.now() + 60_000, 'retried a minute later');
  await cron();
  assert.equal(receiver.got.length, seen + firstRound.length, 'nothing before the retry is due');
  // A minute passes (the schedule itself is tested natively with the clock pinned).
  await sqlDirect(`UPDATE security_events SET next_attempt_at = next_attempt_at - 60000 WHERE id = ${failed[0].id}`);
  await cron();
  const retry = receiver.got.slice(seen + firstRound.length);
  assert.equal(retry.length, 1);
  assert.equal(retry[0].headers['webhook-id'], firstRound[0].headers['webhook-id'], 'the same id, to deduplicate');
  assert.ok((await events(o)).events.every((e) => e.delivery.state === (e.id >= setAt ? 'delivered' : 'none')));

  // Every request verifies with an independent implementation, and carries this organization's events only.
  const kinds = [];
  for (const { headers, body } of [...firstRound, ...retry]) {
    const payload = verifier.verify(body, headers);
    assert.equal(payload.data.organization_id, o.org.id);
    assert.equal(payload.type, payload.data.kind);
    kinds.push(payload.type);
    assert.throws(() => verifier.verify(body.replace('}', ' }'), headers), 'a changed body fails');
  }
  for (const k of ['webhook.set', 'api_key.created', 'login.locked', 'refresh_token.reused', 'password.breached']) {
    assert.ok(kinds.includes(k), `${k} delivered`);
  }
  // Another secret (another organization's, or an old version) does not verify them.
  const stranger = new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`);
  assert.throws(() => stranger.verify(firstRound[0].body, firstRound[0].headers));
});
