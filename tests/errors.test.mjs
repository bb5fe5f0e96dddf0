import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, assertError } from './lib.mjs';

test('test_errors_unknown_api_routes_are_json_404', async () => {
  for (const path of ['/api/v1/nope', '/api/anything', '/v1/identity-stores', '/.well-known/nope', '/healthz/extra']) {
    assertError(await call('GET', path), 404, 'ROUTE_NOT_FOUND');
  }
});

test('test_errors_unknown_static_paths_are_json_404', async () => {
  assertError(await call('GET', '/no-such-page.html'), 404, 'ROUTE_NOT_FOUND');
  assertError(await call('POST', '/index.html', { raw: 'x' }), 404, 'ROUTE_NOT_FOUND');
});

test('test_errors_wrong_method_is_405', async () => {
  assertError(await call('POST', '/healthz', { raw: '{' }), 405, 'METHOD_NOT_ALLOWED');
  assertError(await call('DELETE', '/openapi.json'), 405, 'METHOD_NOT_ALLOWED');
});

test('test_errors_static_files_carry_request_id', async () => {
  const res = await call('GET', '/');
  assert.equal(res.status, 200);
  assert.match(res.body, /<title>Latchkey demo<\/title>/);
  assert.match(res.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
});
