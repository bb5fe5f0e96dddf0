import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, VERSION, newOrg, email, bearer, registered } from './lib.mjs';

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

test('test_openapi_paged_query_parameters_state_the_bounds_the_api_enforces', async () => {
  const doc = (await call('GET', '/openapi.json')).body;
  const org = await newOrg();
  const app = (await org.api('POST', '/api/v1/applications', { name: 'oa' })).body;
  const user = await registered(org, app, (await org.api('POST', '/api/v1/users', { email: email('oa'), password: 'openapi password' })).body);
  const token = (await call('POST', '/api/v1/auth/login', { body: { client_id: app.client_id, login_id: user.email, password: 'openapi password' } })).body.access_token;
  const creds = (path) => (path.startsWith('/api/v1/auth/') ? bearer(token) : path.startsWith('/api/system/') ? { authorization: org.key } : bearer(org.key));
  let checked = 0;
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (method !== 'get') continue;
      for (const p of (op.parameters ?? []).filter((x) => x.in === 'query')) {
        const s = p.schema;
        if (!['limit', 'offset', 'numberOfResults', 'startRow'].includes(p.name)) continue;
        assert.equal(s.type, 'integer', `${path} ${p.name}`);
        assert.equal(typeof s.minimum, 'number', `${path} ${p.name} minimum`);
        assert.equal(typeof s.maximum, 'number', `${path} ${p.name} maximum`);
        assert.equal(typeof s.default, 'number', `${path} ${p.name} default`);
        // What the document allows is accepted; one past either bound is refused.
        const get = (v) => call('GET', `${path}?${p.name}=${v}`, { headers: creds(path) });
        for (const v of [s.minimum, s.maximum, s.default]) assert.equal((await get(v)).status, 200, `${path}?${p.name}=${v}`);
        for (const v of [s.minimum - 1, s.maximum + 1]) assert.equal((await get(v)).status, 400, `${path}?${p.name}=${v}`);
        checked++;
      }
    }
  }
  assert.ok(checked >= 8, `only ${checked} paged parameters documented`);
});
