// Every authenticated route, from the OpenAPI document: closed without credentials, and
// with organization A's key, blind to organization B's ids (404), leaving B's data intact.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { call, assertError, newOrg, email, bearer, registered, sqlDirect } from './lib.mjs';

let ops;
let a;
let b;
let bIds;
const QUERIES = {};
let bSession;
let aToken;

// A valid body for each write, so a 404 cannot hide behind a 400.
const BODIES = {
  updateOrganization: { name: 'hijacked' },
  updateApplication: { name: 'hijacked' },
  updateUser: { name: 'hijacked', status: 'disabled' },
  setUserEmailVerified: { email_verified: true },
  setUserRoles: { role_ids: [] },
  updateRole: { name: 'hijacked' },
  updatePermission: { name: 'hijacked' },
  createApiKey: { name: 'k' },
  createApplication: { name: 'app' },
  createUser: { email: 'iso@example.com' },
  createRole: { name: 'iso' },
  createPermission: { name: 'iso' },
  createOrganization: { name: 'iso' },
  updatePasskeyName: { name: 'hijacked' },
  createConnection: { kind: 'google', client_id: 'iso', client_secret: 'iso' },
  updateConnection: { name: 'hijacked' },
  confirmTotpEnrollment: { code: '123456' },
  // A's right password: only isolation can refuse it.
  removeAuthenticator: { password: 'a password 123' },
};

before(async () => {
  const doc = (await call('GET', '/openapi.json')).body;
  ops = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ method: method.toUpperCase(), path, op })));
  a = await newOrg('A');
  b = await newOrg('B');
  const perm = (await b.api('POST', '/api/v1/permissions', { name: 'b:perm' })).body;
  const role = (await b.api('POST', '/api/v1/roles', { name: 'b-role', permission_ids: [perm.id] })).body;
  const user = (await b.api('POST', '/api/v1/users', { email: email('b') })).body;
  await b.api('PUT', `/api/v1/users/${user.id}/roles`, { role_ids: [role.id] });
  const app = (await b.api('POST', '/api/v1/applications', { name: 'b-app' })).body;
  const pwUser = await registered(b, app, (await b.api('POST', '/api/v1/users', { email: email('b-login'), password: 'b password 123' })).body);
  const session = (await call('POST', '/api/v1/auth/login', { body: { client_id: app.client_id, login_id: pwUser.email, password: 'b password 123' } })).body;
  bIds = {
    organization_id: b.org.id, user_id: user.id, role_id: role.id, permission_id: perm.id,
    application_id: app.id, key_id: b.apiKey.id, client_id: app.client_id, domain: 'none.example.com',
    session_id: session.session_id, userId: user.id, applicationId: app.id, identity_store_id: b.org.id,
    // Not an id: each organization has its own template of each kind (tests/templates.test.mjs
    // keeps them apart).
    kind: 'magic_code',
  };
  bSession = session;
  const connection = await b.api('POST', '/api/v1/connections', { kind: 'google', client_id: 'b', client_secret: 'b secret' });
  assert.equal(connection.status, 201, JSON.stringify(connection.body));
  bIds.connection_id = connection.body.id;
  // A passkey of B's user, stored as a registration would store it (registering one takes a
  // browser; tests/passkeys.test.mjs does).
  bIds.passkey_id = '01900000-0000-7000-8000-00000000b0b0';
  await sqlDirect(`INSERT INTO passkeys (id, organization_id, user_id, credential_id, public_key, sign_count, rp_id, name, aaguid, backup_eligible, backup_state, attestation, transports, created_at) VALUES ('${bIds.passkey_id}', '${b.org.id}', '${user.id}', 'YjBi', 'YjBi', 0, 'localhost', 'b-key', '${'0'.repeat(32)}', 0, 0, 'none', '[]', 0)`);
  // An authenticator B's user is setting up (pending, so its QR code and confirmation would
  // answer if isolation failed).
  bIds.authenticator_id = '01900000-0000-7000-8000-00000000b0b1';
  await sqlDirect(`INSERT INTO mfa_factors (id, organization_id, user_id, kind, name, secret, created_at) VALUES ('${bIds.authenticator_id}', '${b.org.id}', '${user.id}', 'totp', 'b-app', 'v1.00000000.AAAA', 0)`);
  const aApp = (await a.api('POST', '/api/v1/applications', { name: 'a-app' })).body;
  const aUser = await registered(a, aApp, (await a.api('POST', '/api/v1/users', { email: email('a-login'), password: 'a password 123' })).body);
  aToken = (await call('POST', '/api/v1/auth/login', { body: { client_id: aApp.client_id, login_id: aUser.email, password: 'a password 123' } })).body.access_token;
  // Query parameters that make a request well-formed, so only isolation can refuse it.
  QUERIES.getUserLoginLogs = `?client_id=${aApp.client_id}`;
});

// Seed 003's Login API answers errors with an empty body (or its own Errors object).
const isLoginApi = (path) => path.startsWith('/api/') && !path.startsWith('/api/v1/');

function expectError(res, status, code, context) {
  if (context.includes('/identity-stores/') && status === 403) {
    // Seed 002's 403 carries its encoded_authorization_message besides the common fields.
    assert.equal(res.status, 403, context);
    assert.equal(res.body.error_code, code, context);
    assert.ok(res.body.encoded_authorization_message, context);
  } else if (isLoginApi(context.split(' ')[1])) {
    assert.equal(res.status, status, `${context}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body, '', `${context}: empty body`);
  } else {
    assertError(res, status, code, context);
  }
}

function concrete(path, ids) {
  return path.replace(/\{([^}]+)\}/g, (_, name) => {
    assert.ok(ids[name], `no id for {${name}}`);
    return encodeURIComponent(ids[name]);
  });
}

test('test_isolation_every_authenticated_route_needs_credentials', async () => {
  const closed = ops.filter((o) => o.op.security.length > 0);
  assert.ok(closed.length >= 30, `only ${closed.length} authenticated routes`);
  for (const { method, path, op } of closed) {
    const url = concrete(path, bIds);
    const body = BODIES[op.operationId];
    expectError(await call(method, url, { body }), 401, 'UNAUTHORIZED', `${method} ${path}`);
    expectError(await call(method, url, { body, headers: bearer('lk_000000000000_' + '0'.repeat(64)) }), 401, 'UNAUTHORIZED', `${method} ${path}`);
  }
});

test('test_isolation_org_a_key_cannot_reach_org_b_ids', async () => {
  const withIds = ops.filter((o) => o.op.security.length > 0 && o.path.includes('{') && !o.path.startsWith('/api/v1/templates/'));
  assert.ok(withIds.length >= 20);
  for (const { method, path, op } of withIds) {
    const access = op['x-latchkey-access'];
    // User routes take A's user token; administrative routes A's API key.
    const url = concrete(path, bIds) + (QUERIES[op.operationId] ?? '');
    const res = access === 'user'
      ? await call(method, url, { body: BODIES[op.operationId], headers: bearer(aToken) })
      : await a.api(method, url, BODIES[op.operationId]);
    // Platform-only routes and seed 002's identity store (its documented 403) refuse outright.
    const forbidden = access === 'platform' || op.operationId === 'listIdentityStoreUserSessions';
    const expected = forbidden ? [403, 'FORBIDDEN'] : [404, 'NOT_FOUND'];
    expectError(res, expected[0], expected[1], `${method} ${path}`);
  }
  // B's session is still alive.
  assert.equal((await call('GET', '/api/v1/auth/me', { headers: bearer(bSession.access_token) })).status, 200);
  // B's data is untouched.
  const user = await b.api('GET', `/api/v1/users/${bIds.user_id}`);
  assert.equal(user.body.name, null);
  assert.equal(user.body.status, 'active');
  assert.equal(user.body.email_verified, false);
  assert.deepEqual((await b.api('GET', `/api/v1/users/${bIds.user_id}/roles`)).body.roles.map((r) => r.id), [bIds.role_id]);
  assert.equal((await b.api('GET', `/api/v1/roles/${bIds.role_id}`)).body.name, 'b-role');
  assert.deepEqual((await b.api('GET', `/api/v1/roles/${bIds.role_id}`)).body.permission_ids, [bIds.permission_id]);
  assert.equal((await b.api('GET', `/api/v1/permissions/${bIds.permission_id}`)).body.name, 'b:perm');
  assert.equal((await b.api('GET', `/api/v1/applications/${bIds.application_id}`)).body.name, 'b-app');
  assert.equal((await b.api('GET', `/api/v1/organizations/${b.org.id}`)).body.name, 'B');
  assert.deepEqual((await b.api('GET', `/api/v1/users/${bIds.user_id}/passkeys`)).body.passkeys.map((p) => p.name), ['b-key']);
  assert.deepEqual((await b.api('GET', `/api/v1/users/${bIds.user_id}/mfa`)).body.authenticators.map((f) => f.id), [bIds.authenticator_id]);
  assert.equal((await b.api('GET', '/api/v1/api-keys')).body.api_keys[0].revoked_at, null);
});

test('test_isolation_lists_show_only_own_organization', async () => {
  for (const path of ['/api/v1/users', '/api/v1/roles', '/api/v1/permissions', '/api/v1/applications', '/api/v1/api-keys', '/api/v1/organizations']) {
    const res = await a.api('GET', path);
    assert.equal(res.status, 200, path);
    const text = JSON.stringify(res.body);
    for (const id of Object.values(bIds)) assert.ok(!text.includes(id), `${path} leaks ${id}`);
  }
  // A role of B cannot be given to a user of A.
  const ua = (await a.api('POST', '/api/v1/users', { email: email('a') })).body;
  assertError(await a.api('PUT', `/api/v1/users/${ua.id}/roles`, { role_ids: [bIds.role_id] }), 400, 'INVALID_ROLE_IDS');
  assertError(await a.api('POST', '/api/v1/roles', { name: 'x', permission_ids: [bIds.permission_id] }), 400, 'INVALID_PERMISSION_IDS');
});
