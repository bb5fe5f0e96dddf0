// HTTP-level hardening, written as the attacks: bodies larger than the limit (declared or
// streamed), methods the router does not know, JSON sent under another media type, and the
// security headers every response, token response and page carries.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { BASE, call, assertError, newOrg, email, bearer, PLATFORM_KEY } from './lib.mjs';

const MAX_JSON_BODY = 64 * 1024;
const PASSWORD = 'hardening password';
let org;
let app;
let user;

before(async () => {
  org = await newOrg();
  app = (await org.api('POST', '/api/v1/applications', { name: 'hardening' })).body;
  user = (await org.api('POST', '/api/v1/users', { email: email('hard'), password: PASSWORD })).body;
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
