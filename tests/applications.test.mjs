import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, assertError, newOrg } from './lib.mjs';

test('test_apps_crud_and_defaults', async () => {
  const a = await newOrg();
  const created = await a.api('POST', '/api/v1/applications', {
    name: 'Web', allowed_origins: ['https://App.example.com', 'http://localhost:3000'],
    redirect_uris: ['https://app.example.com/callback'],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const app = created.body;
  assert.match(app.client_id, /^[0-9a-f]{32}$/);
  assert.deepEqual(app.allowed_origins, ['https://app.example.com', 'http://localhost:3000']);
  assert.equal(app.access_token_ttl_secs, 600);
  assert.equal(app.refresh_token_ttl_secs, 2592000);
  assert.deepEqual(app.login_methods, ['password']);
  assert.equal(app.organization_id, a.org.id);

  const listed = await a.api('GET', '/api/v1/applications');
  assert.deepEqual(listed.body.applications.map((x) => x.id), [app.id]);
  assert.equal(listed.body.total_count, 1);

  const upd = await a.api('PUT', `/api/v1/applications/${app.id}`, { login_methods: ['password', 'passkey'], access_token_ttl_secs: 300 });
  assert.equal(upd.status, 200);
  assert.deepEqual(upd.body.login_methods, ['password', 'passkey']);
  assert.equal(upd.body.access_token_ttl_secs, 300);
  assert.equal(upd.body.name, 'Web');

  assert.equal((await a.api('DELETE', `/api/v1/applications/${app.id}`)).status, 204);
  assertError(await a.api('GET', `/api/v1/applications/${app.id}`), 404, 'NOT_FOUND');
});

test('test_apps_bad_input', async () => {
  const a = await newOrg();
  const cases = [
    [{ name: 'x', allowed_origins: ['http://evil.example.com'] }, 'INVALID_ALLOWED_ORIGINS'],
    [{ name: 'x', redirect_uris: ['https://a.example.com/cb#frag'] }, 'INVALID_REDIRECT_URIS'],
    [{ name: 'x', access_token_ttl_secs: 1 }, 'INVALID_ACCESS_TOKEN_TTL_SECS'],
    [{ name: 'x', login_methods: [] }, 'INVALID_LOGIN_METHODS'],
    [{ name: 'x', login_methods: ['telepathy'] }, 'INVALID_REQUEST'],
    [{ name: 'x', access_token_ttl_secs: -5 }, 'INVALID_REQUEST'],
    [{}, 'INVALID_REQUEST'],
  ];
  for (const [body, code] of cases) assertError(await a.api('POST', '/api/v1/applications', body), 400, code);
  assert.equal((await a.api('GET', '/api/v1/applications')).body.total_count, 0, 'nothing stored');
});

test('test_apps_public_config_by_client_id_and_domain_follow_writes', async () => {
  const domain = `cfg-${Date.now()}.example.com`;
  const a = await newOrg('Config Org', { custom_domain: domain });
  const app = (await a.api('POST', '/api/v1/applications', { name: 'Portal' })).body;

  const cfg = await call('GET', `/api/v1/config/client/${app.client_id}`);
  assert.equal(cfg.status, 200);
  assert.deepEqual(cfg.body.organization, { id: a.org.id, name: 'Config Org' });
  assert.equal(cfg.body.application.name, 'Portal');
  assert.ok(!('refresh_token_ttl_secs' in cfg.body.application), 'public config only');

  // A write evicts the cached entry: the next read sees it.
  await a.api('PUT', `/api/v1/applications/${app.id}`, { name: 'Portal 2' });
  assert.equal((await call('GET', `/api/v1/config/client/${app.client_id}`)).body.application.name, 'Portal 2');

  const byDomain = await call('GET', `/api/v1/config/domain/${domain}`);
  assert.equal(byDomain.status, 200);
  assert.equal(byDomain.body.custom_domain, domain);
  assert.deepEqual(byDomain.body.applications.map((x) => x.client_id), [app.client_id]);

  await a.api('POST', '/api/v1/applications', { name: 'Second' });
  assert.equal((await call('GET', `/api/v1/config/domain/${domain}`)).body.applications.length, 2);

  await a.api('PUT', `/api/v1/organizations/${a.org.id}`, { custom_domain: null });
  assertError(await call('GET', `/api/v1/config/domain/${domain}`), 404, 'NOT_FOUND');
  await a.api('DELETE', `/api/v1/applications/${app.id}`);
  assertError(await call('GET', `/api/v1/config/client/${app.client_id}`), 404, 'NOT_FOUND');
  assertError(await call('GET', '/api/v1/config/client/nope'), 404, 'NOT_FOUND');
});
