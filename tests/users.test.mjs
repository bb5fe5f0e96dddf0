import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, newOrg, email } from './lib.mjs';

test('test_users_create_get_by_id_and_email', async () => {
  const a = await newOrg();
  const addr = email('Ann');
  const created = await a.api('POST', '/api/v1/users', { email: addr, password: 'correct horse battery', name: 'Ann', username: 'ann' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const u = created.body;
  assert.deepEqual(Object.keys(u).sort(), ['created_at', 'email', 'email_verified', 'expires_at', 'has_password', 'id', 'name', 'organization_id', 'password_change_required', 'phone', 'status', 'updated_at', 'username']);
  assert.equal(u.email, addr);
  assert.equal(u.has_password, true);
  assert.equal(u.status, 'active');
  assert.equal(u.email_verified, false);
  assert.ok(!JSON.stringify(u).includes('argon2'));

  assert.deepEqual((await a.api('GET', `/api/v1/users/${u.id}`)).body, u);
  const byEmail = await a.api('GET', `/api/v1/users/by-email?email=${encodeURIComponent(addr.toUpperCase())}`);
  assert.equal(byEmail.status, 200);
  assert.equal(byEmail.body.id, u.id);
  assertError(await a.api('GET', '/api/v1/users/by-email?email=nobody%40example.com'), 404, 'NOT_FOUND');
  assertError(await a.api('GET', '/api/v1/users/by-email'), 400, 'INVALID_EMAIL');
  assertError(await a.api('GET', '/api/v1/users/00000000-0000-7000-8000-000000000000'), 404, 'NOT_FOUND');
});

test('test_users_email_unique_case_and_unicode_insensitive', async () => {
  const a = await newOrg();
  const b = await newOrg();
  const stamp = Date.now();
  assert.equal((await a.api('POST', '/api/v1/users', { email: `Zoë.${stamp}@Example.com` })).status, 201);
  for (const dup of [`zoë.${stamp}@example.com`, `ZOË.${stamp}@EXAMPLE.COM`, `zoe\u0308.${stamp}@example.com`]) {
    assertError(await a.api('POST', '/api/v1/users', { email: dup }), 409, 'EMAIL_TAKEN');
  }
  assert.equal((await b.api('POST', '/api/v1/users', { email: `zoë.${stamp}@example.com` })).status, 201, 'other org');
  assert.equal((await a.api('GET', '/api/v1/users')).body.total_count, 1);
});

test('test_users_bad_input', async () => {
  const a = await newOrg();
  const cases = [
    [{ email: 'not-an-email' }, 'INVALID_EMAIL'],
    [{ email: email(), password: 'short' }, 'INVALID_PASSWORD'],
    [{ email: email(), username: 'has space' }, 'INVALID_USERNAME'],
    [{ email: email(), name: '' }, 'INVALID_NAME'],
    [{ email: 42 }, 'INVALID_REQUEST'],
    [{ email: email(), role: 'admin' }, 'INVALID_REQUEST'],
  ];
  for (const [body, code] of cases) assertError(await a.api('POST', '/api/v1/users', body), 400, code);
  assert.equal((await a.api('GET', '/api/v1/users')).body.total_count, 0);
});

test('test_users_list_pagination_and_filters', async () => {
  const a = await newOrg();
  const ids = [];
  for (let i = 0; i < 5; i++) ids.push((await a.api('POST', '/api/v1/users', { email: `p${i}.${Date.now()}@example.com` })).body.id);
  await a.api('PUT', `/api/v1/users/${ids[4]}`, { status: 'disabled' });

  const page = await a.api('GET', '/api/v1/users?limit=2&offset=1');
  assert.equal(page.status, 200);
  assert.deepEqual(page.body.users.map((u) => u.id), ids.slice(1, 3));
  assert.equal(page.body.total_count, 5);
  assert.equal(page.body.limit, 2);
  assert.equal(page.body.offset, 1);
  const disabled = await a.api('GET', '/api/v1/users?status=disabled');
  assert.deepEqual(disabled.body.users.map((u) => u.id), [ids[4]]);
  const def = await a.api('GET', '/api/v1/users');
  assert.equal(def.body.limit, 50);
  assert.equal((await a.api('GET', '/api/v1/users?limit=100')).status, 200);
  for (const bad of ['0', '101', '-1', 'abc', '2.5']) assertError(await a.api('GET', `/api/v1/users?limit=${bad}`), 400, 'INVALID_LIMIT');
  for (const bad of ['-1', 'x']) assertError(await a.api('GET', `/api/v1/users?offset=${bad}`), 400, 'INVALID_OFFSET');
  assertError(await a.api('GET', '/api/v1/users?status=gone'), 400, 'INVALID_STATUS');
});

test('test_users_update_verify_roles_orgs_delete', async () => {
  const a = await newOrg();
  const u = (await a.api('POST', '/api/v1/users', { email: email() })).body;
  const verified = await a.api('POST', `/api/v1/users/${u.id}/verify-email`, { email_verified: true });
  assert.equal(verified.status, 200);
  assert.equal(verified.body.email_verified, true);

  const newAddr = email('moved');
  const upd = await a.api('PUT', `/api/v1/users/${u.id}`, { email: newAddr, name: 'Moved', password: 'a long new password' });
  assert.equal(upd.status, 200);
  assert.equal(upd.body.email, newAddr);
  assert.equal(upd.body.email_verified, false, 'a new address must be verified again');
  assert.equal(upd.body.has_password, true);
  const cleared = await a.api('PUT', `/api/v1/users/${u.id}`, { name: null });
  assert.equal(cleared.body.name, null);

  const role = (await a.api('POST', '/api/v1/roles', { name: 'support' })).body;
  const set = await a.api('PUT', `/api/v1/users/${u.id}/roles`, { role_ids: [role.id] });
  assert.equal(set.status, 200);
  assert.deepEqual(set.body.roles.map((r) => r.name), ['support']);
  assert.deepEqual((await a.api('GET', `/api/v1/users/${u.id}/roles`)).body.roles.map((r) => r.id), [role.id]);
  assertError(await a.api('PUT', `/api/v1/users/${u.id}/roles`, { role_ids: ['nope'] }), 400, 'INVALID_ROLE_IDS');

  const orgs = await a.api('GET', `/api/v1/users/${u.id}/organizations`);
  assert.deepEqual(orgs.body.organizations.map((o) => o.id), [a.org.id]);

  assert.equal((await a.api('DELETE', `/api/v1/users/${u.id}`)).status, 204);
  assertError(await a.api('GET', `/api/v1/users/${u.id}`), 404, 'NOT_FOUND');
  assertError(await a.api('DELETE', `/api/v1/users/${u.id}`), 404, 'NOT_FOUND');
  // The address is free again.
  assert.equal((await a.api('POST', '/api/v1/users', { email: newAddr })).status, 201);
});

test('test_users_registrations', async () => {
  const a = await newOrg();
  const b = await newOrg();
  const u = (await a.api('POST', '/api/v1/users', { email: email() })).body;
  const app = (await a.api('POST', '/api/v1/applications', { name: 'web' })).body;
  const foreignApp = (await b.api('POST', '/api/v1/applications', { name: 'web' })).body;
  assert.equal((await a.api('PUT', `/api/v1/users/${u.id}/registrations/${app.id}`)).status, 204);
  assert.equal((await a.api('PUT', `/api/v1/users/${u.id}/registrations/${app.id}`)).status, 204, 'idempotent');
  assertError(await a.api('PUT', `/api/v1/users/${u.id}/registrations/${foreignApp.id}`), 404, 'NOT_FOUND');
  const list = await a.api('GET', `/api/v1/users/${u.id}/registrations`);
  assert.deepEqual(list.body.registrations.map((r) => r.application_id), [app.id]);
  assert.equal((await a.api('DELETE', `/api/v1/users/${u.id}/registrations/${app.id}`)).status, 204);
  assertError(await a.api('DELETE', `/api/v1/users/${u.id}/registrations/${app.id}`), 404, 'NOT_FOUND');
});

test('test_users_expiry_and_password_change_flags', async () => {
  const a = await newOrg();
  const u = (await a.api('POST', '/api/v1/users', { email: email(), expires_at: '2030-01-01T00:00:00Z', password_change_required: true })).body;
  assert.equal(u.expires_at, '2030-01-01T00:00:00.000Z');
  assert.equal(u.password_change_required, true);
  const cleared = await a.api('PUT', `/api/v1/users/${u.id}`, { expires_at: null, password_change_required: false });
  assert.equal(cleared.body.expires_at, null);
  assert.equal(cleared.body.password_change_required, false);
  assertError(await a.api('PUT', `/api/v1/users/${u.id}`, { expires_at: 'tomorrow' }), 400, 'INVALID_EXPIRES_AT');
});
