import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, VERSION } from './lib.mjs';

test('test_openapi_document_is_served', async () => {
  const res = await call('GET', '/openapi.json');
  assert.equal(res.status, 200);
  assert.equal(res.body.openapi, '3.1.0');
  assert.equal(res.body.info.version, VERSION);
  assert.ok(res.body.components.schemas.ErrorBody);
});

test('test_openapi_every_documented_operation_is_routed', async () => {
  const doc = (await call('GET', '/openapi.json')).body;
  const ops = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => [m.toUpperCase(), path]));
  assert.ok(ops.length >= 2);
  for (const [method, path] of ops) {
    const concrete = path.replace(/\{[^}]+\}/g, 'x');
    const res = await call(method, concrete);
    // A routed operation may refuse the request, but never as an unknown route.
    assert.notEqual(res.status, 405, `${method} ${path}`);
    assert.notEqual(res.body?.error_code, 'ROUTE_NOT_FOUND', `${method} ${path}`);
    const documented = Object.keys(doc.paths[path][method.toLowerCase()].responses);
    assert.ok(documented.includes(String(res.status)) || documented.includes('default'), `${method} ${path} -> ${res.status}`);
  }
});
