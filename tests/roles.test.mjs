import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, newOrg } from './lib.mjs';

test('test_roles_and_permissions_crud', async () => {
  const a = await newOrg();
  const read = await a.api('POST', '/api/v1/permissions', { name: 'Users:Read', description: 'Read users' });
  assert.equal(read.status, 201);
  assert.equal(read.body.name, 'users:read');
  const write = (await a.api('POST', '/api/v1/permissions', { name: 'users:write' })).body;
  assertError(await a.api('POST', '/api/v1/permissions', { name: 'users:read' }), 409, 'PERMISSION_EXISTS');
  assertError(await a.api('POST', '/api/v1/permissions', { name: 'has space' }), 400, 'INVALID_NAME');

  const role = await a.api('POST', '/api/v1/roles', { name: 'admin', description: 'All', permission_ids: [read.body.id, write.id] });
  assert.equal(role.status, 201);
  assert.deepEqual(role.body.permission_ids, [read.body.id, write.id]);
  assertError(await a.api('POST', '/api/v1/roles', { name: 'admin' }), 409, 'ROLE_EXISTS');
  assertError(await a.api('POST', '/api/v1/roles', { name: 'x', permission_ids: ['nope'] }), 400, 'INVALID_PERMISSION_IDS');

  const upd = await a.api('PUT', `/api/v1/roles/${role.body.id}`, { permission_ids: [write.id] });
  assert.deepEqual(upd.body.permission_ids, [write.id]);
  assert.equal(upd.body.description, 'All');

  const p2 = await a.api('PUT', `/api/v1/permissions/${write.id}`, { description: 'Write users' });
  assert.equal(p2.body.description, 'Write users');

  assert.equal((await a.api('DELETE', `/api/v1/permissions/${write.id}`)).status, 204);
  assert.deepEqual((await a.api('GET', `/api/v1/roles/${role.body.id}`)).body.permission_ids, [], 'removed from the role');

  const list = await a.api('GET', '/api/v1/roles');
  assert.deepEqual(list.body.roles.map((r) => r.name), ['admin']);
  assert.deepEqual((await a.api('GET', '/api/v1/permissions')).body.permissions.map((p) => p.name), ['users:read']);
  assert.equal((await a.api('DELETE', `/api/v1/roles/${role.body.id}`)).status, 204);
  assertError(await a.api('GET', `/api/v1/roles/${role.body.id}`), 404, 'NOT_FOUND');
});
