// HTTP-level hardening, written as the attacks: bodies larger than the limit (declared or
// streamed), methods the router does not know, JSON sent under another media type, and the
// security headers every response, token response and page carries.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startWorker } from './harness.mjs';
import { call, assertError, newOrg, email, bearer, PLATFORM_KEY, registered } from './lib.mjs';

const MAX_JSON_BODY = 64 * 1024;
const PASSWORD = 'hardening password';
let org;
let app;
let user;

before(async () => {
  org = await newOrg();
  app = (await org.api('POST', '/api/v1/applications', { name: 'hardening', self_signup: true })).body;
  user = await registered(org, app, (await org.api('POST', '/api/v1/users', { email: email('hard'), password: PASSWORD })).body);
});

/**
 * Sends a POST to `base + path` with node:http, writing `chunks` (an iterator of Buffers)
 * until the server answers (then ends the body, unless `end` is false); resolves
 * { status, body, sent } where `sent` is how many bytes had been written when the answer
 * came. Never waits more than `ms`.
 */
function postStreaming(base, path, headers, chunks, { ms = 20_000, end = true } = {}) {
  return new Promise((resolve, reject) => {
    const url = new URL(base + path);
    let sent = 0;
    let answered = false;
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers });
    const timer = setTimeout(() => { req.destroy(); reject(new Error(`no answer within ${ms} ms after ${sent} bytes`)); }, ms);
    req.on('response', (res) => {
      answered = true;
      const at = sent;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode, headers: res.headers, body: text ? JSON.parse(text) : '', sent: at });
      });
    });
    // The server may close the connection once it has answered: not an error here.
    req.on('error', (e) => { if (!answered) { clearTimeout(timer); reject(e); } });
    // One chunk at a time, with a pause, so that an early answer is read before the
    // server, closing the connection, resets it under a pile of unread bytes.
    const pump = () => {
      if (answered || req.destroyed) return;
      const { value, done } = chunks.next();
      if (done) return end ? req.end() : undefined;
      sent += value.length;
      req.write(value, () => setTimeout(pump, 2));
    };
    pump();
  });
}

// wrangler dev's local proxy mishandles the request after an abandoned upload (it hangs or
// answers 503 "Your worker restarted mid-request"; production has no such proxy), so these
// attacks get a wrangler dev of their own rather than disturb the other tests. On a loaded
// machine that proxy sometimes stops reading a streamed upload the worker has already
// refused, and never passes the answer on: such a hang is retried once on a fresh server
// (an answer that is wrong is never retried).
async function withOwnWorker(attack) {
  for (let attempt = 1; ; attempt++) {
    const own = await startWorker();
    try {
      return await attack(own);
    } catch (e) {
      if (attempt >= 2 || !/^no answer within/.test(e.message)) throw e;
      console.log(`# the local proxy hung (${e.message}); once more on a fresh wrangler dev`);
    } finally {
      await own.stop();
    }
  }
}

test('test_hardening_oversized_bodies_are_refused_before_they_are_read', async () => {
  // The attacker declares 10 MB and sends 2 bytes: the worker must not wait for the rest.
  await withOwnWorker(async (own) => {
    const small = [Buffer.from('{}')][Symbol.iterator]();
    const res = await postStreaming(own.baseUrl, '/api/v1/auth/login', { 'content-type': 'application/json', 'content-length': String(10_000_000) }, small, { ms: 15_000, end: false });
    assert.equal(res.status, 413);
    assert.equal(res.body.error_code, 'PAYLOAD_TOO_LARGE');
  });

  // No Content-Length (chunked): four times the limit, in 16 KiB chunks. The worker stops
  // reading past 64 KiB and answers 413. (A larger upload would show the answer coming before
  // the rest is sent, but wrangler dev's local proxy stops passing answers on once its
  // socket buffers, about 300 KB, fill up; the read cap itself is tested natively, on
  // `api::BoundedBody`.)
  await withOwnWorker(async (own) => {
    const total = 4 * 64 * 1024;
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    function* body() { for (let n = 0; n < total; n += chunk.length) yield chunk; }
    const res = await postStreaming(own.baseUrl, '/api/v1/auth/login', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body(), { ms: 60_000 });
    assert.equal(res.status, 413);
    assert.equal(res.body.error_code, 'PAYLOAD_TOO_LARGE');
  });
});

test('test_hardening_bodies_at_the_limit_still_work', async () => {
  // 64 KiB exactly (padded with spaces) is accepted and parsed.
  const json = JSON.stringify({ client_id: app.client_id, login_id: user.email, password: PASSWORD });
  const raw = json + ' '.repeat(MAX_JSON_BODY - json.length);
  const res = await call('POST', '/api/v1/auth/login', { raw, headers: { 'content-type': 'application/json' } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assertError(await call('POST', '/api/v1/auth/login', { raw: raw + ' ', headers: { 'content-type': 'application/json' } }), 413, 'PAYLOAD_TOO_LARGE');
});

test('test_hardening_unknown_methods_are_405_not_served_as_get', async () => {
  // (workerd itself answers 501 to methods it does not know at all, such as BREW.)
  for (const method of ['QUERY', 'PROPFIND', 'SEARCH', 'PURGE', 'MKCOL']) {
    assertError(await call(method, '/healthz'), 405, 'METHOD_NOT_ALLOWED', `${method} /healthz`);
    // A static page: a GET would serve it.
    assertError(await call(method, '/'), 405, 'METHOD_NOT_ALLOWED', `${method} /`);
    // An authenticated list: a GET would answer it.
    assertError(await call(method, '/api/v1/users', { headers: bearer(org.key) }), 405, 'METHOD_NOT_ALLOWED', `${method} /api/v1/users`);
  }
  // Seed 003's paths too.
  const res = await call('QUERY', '/api/system/login-record/search', { headers: { authorization: org.key } });
  assert.equal(res.status, 405);
  // The methods we route keep working.
  assert.equal((await call('GET', '/healthz')).status, 200);
  assert.equal((await call('HEAD', '/healthz')).status, 200);
  assert.equal((await call('HEAD', '/')).status, 200);
});

test('test_hardening_json_bodies_need_application_json', async () => {
  const body = JSON.stringify({ client_id: app.client_id, login_id: user.email, password: PASSWORD });
  // A cross-site form or a "simple" fetch cannot send application/json without a preflight.
  for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', undefined]) {
    const headers = type === undefined ? {} : { 'content-type': type };
    assertError(await call('POST', '/api/v1/auth/login', { raw: body, headers }), 415, 'UNSUPPORTED_MEDIA_TYPE', String(type));
  }
  for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset="utf-8"']) {
    const res = await call('POST', '/api/v1/auth/login', { raw: body, headers: { 'content-type': type } });
    assert.equal(res.status, 200, `${type}: ${JSON.stringify(res.body)}`);
  }
  // Administrative writes, the platform's too.
  assertError(await call('POST', '/api/v1/organizations', { raw: '{"name":"x"}', headers: { ...bearer(PLATFORM_KEY), 'content-type': 'text/plain' } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  assertError(await call('POST', '/api/v1/users', { raw: JSON.stringify({ email: email('ct') }), headers: { ...bearer(org.key), 'content-type': 'text/plain' } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  // Seed 003's JSON routes: 415 with its Errors object.
  const login003 = await call('POST', '/api/login', { raw: JSON.stringify({ loginId: user.email, password: PASSWORD }), headers: { authorization: org.key, 'content-type': 'text/plain' } });
  assert.equal(login003.status, 415);
  assert.equal(login003.body.generalErrors[0].code, 'UNSUPPORTED_MEDIA_TYPE');
  const search003 = await call('POST', '/api/system/login-record/search', { raw: '{}', headers: { authorization: org.key, 'content-type': 'text/plain' } });
  assert.equal(search003.status, 415);
  // Routes whose body is optional still take none, whatever the type.
  assert.equal((await call('POST', '/api/logout', { raw: '' })).status, 200);
});

test('test_hardening_token_responses_are_not_cached', async () => {
  const noStore = (res, what) => {
    assert.equal(res.headers.get('cache-control'), 'no-store', what);
    assert.equal(res.headers.get('pragma'), 'no-cache', what);
  };
  const login = await call('POST', '/api/v1/auth/login', { body: { client_id: app.client_id, login_id: user.email, password: PASSWORD } });
  assert.equal(login.status, 200);
  noStore(login, 'login');
  const refresh = await call('POST', '/api/v1/auth/refresh', { body: { refresh_token: login.body.refresh_token } });
  assert.equal(refresh.status, 200);
  noStore(refresh, 'refresh');
  const signup = await call('POST', '/api/v1/auth/signup', { body: { client_id: app.client_id, email: email('hsu'), password: PASSWORD } });
  assert.equal(signup.status, 201);
  noStore(signup, 'signup');
  await org.api('PUT', `/api/v1/users/${user.id}/registrations/${app.id}`);
  const l003 = await call('POST', '/api/login', { body: { loginId: user.email, password: PASSWORD, applicationId: app.id }, headers: { authorization: org.key } });
  assert.equal(l003.status, 212, 'tokens, for an address not verified yet');
  assert.ok(l003.body.token);
  noStore(l003, 'seed 003 login');
  // Failed attempts too (same route, same policy).
  noStore(await call('POST', '/api/v1/auth/login', { body: { client_id: app.client_id, login_id: user.email, password: 'wrong' } }), 'failed login');
});

test('test_hardening_every_response_is_nosniff_and_pages_have_a_policy', async () => {
  const responses = {
    health: await call('GET', '/healthz'),
    notFound: await call('GET', '/api/v1/nope'),
    unauthorized: await call('GET', '/api/v1/users'),
    page: await call('GET', '/'),
    account: await call('GET', '/account'),
    script: await call('GET', '/demo.js'),
    missingPage: await call('GET', '/no-such-page.html'),
    badMethod: await call('QUERY', '/'),
    login003: await call('POST', '/api/login', { body: {}, headers: { authorization: org.key } }),
  };
  for (const [name, res] of Object.entries(responses)) {
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', name);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer', name);
    // Plain http on 127.0.0.1: no HSTS (it would pin a development host to https).
    assert.equal(res.headers.get('strict-transport-security'), null, name);
  }
  for (const name of ['page', 'account']) {
    const csp = responses[name].headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors 'none'/, name);
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/, name);
    assert.match(csp, /object-src 'none'/, name);
    assert.doesNotMatch(csp, /script-src[^;]*'unsafe-(inline|eval)'/, name);
  }
  // API answers are never rendered: the strictest policy.
  assert.match(responses.health.headers.get('content-security-policy') ?? '', /default-src 'none'.*frame-ancestors 'none'/);
});
