import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, VERSION, bearer, PLATFORM_KEY, newOrg } from './lib.mjs';

test('test_health_reports_real_d1_and_kv_checks', async () => {
  const res = await call('GET', '/healthz');
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { status: 'ok', version: VERSION, d1: 'ok', kv: 'ok' });
  assert.match(res.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
});

test('test_health_request_ids_are_unique', async () => {
  const ids = new Set();
  for (let i = 0; i < 20; i++) ids.add((await call('GET', '/healthz')).headers.get('x-request-id'));
  assert.equal(ids.size, 20);
});

test('development servers say how many D1 round trips a request made', async () => {
  await newOrg();
  const res = await call('GET', '/api/v1/organizations', { headers: bearer(PLATFORM_KEY) });
  assert.equal(res.status, 200);
  const trips = Number(res.headers.get('x-latchkey-d1-round-trips'));
  assert.ok(Number.isInteger(trips) && trips >= 1, `x-latchkey-d1-round-trips: ${res.headers.get('x-latchkey-d1-round-trips')}`);
  // And what D1 said the statements cost: its own time, and the rows they read (at least the
  // organizations listed).
  const sql = Number(res.headers.get('x-latchkey-d1-sql-ms'));
  const rows = Number(res.headers.get('x-latchkey-d1-rows-read'));
  assert.ok(Number.isFinite(sql) && sql >= 0, `x-latchkey-d1-sql-ms: ${res.headers.get('x-latchkey-d1-sql-ms')}`);
  assert.ok(Number.isInteger(rows) && rows >= Math.max(1, res.body.organizations.length), `x-latchkey-d1-rows-read: ${rows}`);
});
