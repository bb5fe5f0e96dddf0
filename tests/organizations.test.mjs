import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, assertError, newOrg, bearer, PLATFORM_KEY } from './lib.mjs';

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const UUID7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('test_orgs_create_returns_org_and_one_time_key', async () => {
  const domain = `login-${Date.now()}.example.com`;
  const { org, apiKey, api } = await newOrg('Acme', { custom_domain: domain.toUpperCase() });
  assert.match(org.id, UUID7);
  assert.equal(org.name, 'Acme');
  assert.equal(org.custom_domain, domain);
  assert.match(org.created_at, RFC3339);
  assert.match(apiKey.key, /^lk_[0-9a-f]{12}_[0-9a-f]{64}$/);
  assert.equal(apiKey.key.slice(3, 15), apiKey.prefix);
  // The key works, and listing keys never shows it again.
  const keys = await api('GET', '/api/v1/api-keys');
  assert.equal(keys.status, 200);
  assert.equal(keys.body.api_keys.length, 1);
  assert.equal(keys.body.api_keys[0].id, apiKey.id);
  assert.ok(!JSON.stringify(keys.body).includes(apiKey.key.slice(16)));
});

test('test_orgs_create_requires_platform_key', async () => {
  const body = { name: 'x' };
  assertError(await call('POST', '/api/v1/organizations', { body }), 401, 'UNAUTHORIZED');
  assertError(await call('POST', '/api/v1/organizations', { body, headers: bearer('wrong') }), 401, 'UNAUTHORIZED');
  const { key } = await newOrg();
  assertError(await call('POST', '/api/v1/organizations', { body, headers: bearer(key) }), 403, 'FORBIDDEN');
  assertError(await call('DELETE', '/api/v1/organizations/x', { headers: bearer(key) }), 403, 'FORBIDDEN');
});

test('test_orgs_bad_input_is_400_with_field_code', async () => {
  const h = bearer(PLATFORM_KEY);
  const post = (raw) => call('POST', '/api/v1/organizations', { raw, headers: { ...h, 'content-type': 'application/json' } });
  assertError(await post('{"name":'), 400, 'INVALID_REQUEST');
  assertError(await post(''), 400, 'INVALID_REQUEST');
  assertError(await post('[]'), 400, 'INVALID_REQUEST');
  assertError(await post('{"name":"x","nmae":"y"}'), 400, 'INVALID_REQUEST');
  assertError(await post('{"name":"   "}'), 400, 'INVALID_NAME');
  assertError(await post('{"name":"x","custom_domain":"not a domain"}'), 400, 'INVALID_CUSTOM_DOMAIN');
  assertError(await post(JSON.stringify({ name: 'x'.repeat(70000) })), 413, 'PAYLOAD_TOO_LARGE');
});

test('test_orgs_custom_domain_unique', async () => {
  const domain = `d-${Date.now()}.example.com`;
  await newOrg('first', { custom_domain: domain });
  const res = await call('POST', '/api/v1/organizations', { body: { name: 'second', custom_domain: domain }, headers: bearer(PLATFORM_KEY) });
  assertError(res, 409, 'DOMAIN_TAKEN');
});

test('test_orgs_get_list_update_delete', async () => {
  const a = await newOrg('A');
  const b = await newOrg('B');
  // An organization key sees only its own organization.
  const own = await a.api('GET', '/api/v1/organizations');
  assert.equal(own.status, 200);
  assert.deepEqual(own.body.organizations.map((o) => o.id), [a.org.id]);
  assert.equal(own.body.total_count, 1);
  const all = await call('GET', '/api/v1/organizations?limit=100', { headers: bearer(PLATFORM_KEY) });
  assert.ok(all.body.total_count >= 2);
  assertError(await call('GET', '/api/v1/organizations?limit=0', { headers: bearer(PLATFORM_KEY) }), 400, 'INVALID_LIMIT');

  const upd = await a.api('PUT', `/api/v1/organizations/${a.org.id}`, { name: 'A renamed' });
  assert.equal(upd.status, 200);
  assert.equal(upd.body.name, 'A renamed');
  assert.equal((await a.api('GET', `/api/v1/organizations/${a.org.id}`)).body.name, 'A renamed');

  const del = await call('DELETE', `/api/v1/organizations/${b.org.id}`, { headers: bearer(PLATFORM_KEY) });
  assert.equal(del.status, 204);
  assertError(await b.api('GET', '/api/v1/users'), 401, 'UNAUTHORIZED');
  assertError(await call('GET', `/api/v1/organizations/${b.org.id}`, { headers: bearer(PLATFORM_KEY) }), 404, 'NOT_FOUND');
});

test('test_orgs_api_keys_create_and_revoke', async () => {
  const a = await newOrg();
  const created = await a.api('POST', '/api/v1/api-keys', { name: 'ci' });
  assert.equal(created.status, 201);
  const second = created.body.key;
  assert.equal((await call('GET', '/api/v1/users', { headers: bearer(second) })).status, 200);
  assert.equal((await a.api('DELETE', `/api/v1/api-keys/${created.body.id}`)).status, 204);
  assertError(await call('GET', '/api/v1/users', { headers: bearer(second) }), 401, 'UNAUTHORIZED');
  assertError(await a.api('DELETE', `/api/v1/api-keys/${created.body.id}`), 404, 'NOT_FOUND');
  // The bare key, without "Bearer", is accepted too (seed 003's Authorization style).
  assert.equal((await call('GET', '/api/v1/users', { headers: { authorization: a.key } })).status, 200);
});

test('test_orgs_restricted_api_key_holds_only_its_permissions', async () => {
  const a = await newOrg();
  const made = await a.api('POST', '/api/v1/api-keys', { name: 'reader', permissions: ['users:read', 'api_keys:write'] });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  assert.deepEqual(made.body.permissions, ['users:read', 'api_keys:write']);
  const ro = (method, path, body) => call(method, path, { body, headers: bearer(made.body.key) });
  assert.equal((await ro('GET', '/api/v1/users')).status, 200);
  assertError(await ro('POST', '/api/v1/users', { email: 'x@example.com' }), 403, 'FORBIDDEN');
  assertError(await ro('GET', '/api/v1/roles'), 403, 'FORBIDDEN');
  assertError(await ro('GET', `/api/v1/organizations/${a.org.id}`), 403, 'FORBIDDEN');
  // It cannot mint a stronger key; "all" from it means all it holds.
  assertError(await ro('POST', '/api/v1/api-keys', { name: 'x', permissions: ['users:write'] }), 403, 'FORBIDDEN');
  const child = await ro('POST', '/api/v1/api-keys', { name: 'child' });
  assert.equal(child.status, 201);
  assert.deepEqual(child.body.permissions, ['users:read', 'api_keys:write']);
  assertError(await a.api('POST', '/api/v1/api-keys', { name: 'x', permissions: ['root'] }), 400, 'INVALID_PERMISSIONS');
  const listed = (await a.api('GET', '/api/v1/api-keys')).body.api_keys;
  assert.equal(listed.find((k) => k.id === a.apiKey.id).permissions, null, 'the first key holds all');
});
