// The administrators' search of login records (GET /api/v1/login-records), failures included,
// and the dashboard's counts (GET /api/v1/login-records/stats), against wrangler dev: filters,
// newest first, paging; counts by hour, reason and place; and the attacks: another
// organization's records, a key without `login_records:read`, a user's own token, bad filters.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { call, assertError, newOrg, email, registered, bearer } from './lib.mjs';

const PASSWORD = 'records search password';
const PARIS = 'country=FR;region=Île-de-France;city=Paris;lat=48.8566;lon=2.3522;tz=Europe/Paris;asn=3215';
const LAGOS = 'country=NG;region=Lagos;city=Lagos;lat=6.5244;lon=3.3792;tz=Africa/Lagos;asn=29465';

let org;
let other;
let app;
let user;
let start;
before(async () => {
  [org, other] = [await newOrg(), await newOrg()];
  app = (await org.api('POST', '/api/v1/applications', { name: 'Search' })).body;
  const created = await org.api('POST', '/api/v1/users', { email: email('search'), password: PASSWORD });
  user = await registered(org, app, created.body);
  start = new Date(Date.now() - 1000).toISOString();
  const from = (geo, loginId, password) => call('POST', '/api/v1/auth/login', {
    body: { client_id: app.client_id, login_id: loginId, password },
    headers: { 'x-latchkey-dev-geo': geo },
  });
  assert.equal((await from(PARIS, user.email, PASSWORD)).status, 200);
  assert.equal((await from(LAGOS, user.email, 'guessed wrong')).status, 401);
  assert.equal((await from(LAGOS, 'nobody-here@example.com', 'guessed wrong')).status, 401);
  assert.equal((await from(PARIS, user.email, PASSWORD)).status, 200);
  // The other organization has an attack of its own.
  const theirApp = (await other.api('POST', '/api/v1/applications', { name: 'Theirs' })).body;
  const r = await call('POST', '/api/v1/auth/login', { body: { client_id: theirApp.client_id, login_id: 'x@example.com', password: 'nope nope' } });
  assert.equal(r.status, 401);
});

test('test_records_search_shows_failures_newest_first_with_filters_and_pages', async () => {
  const all = await org.api('GET', `/api/v1/login-records?from=${encodeURIComponent(start)}`);
  assert.equal(all.status, 200, JSON.stringify(all.body));
  assert.equal(all.body.total, 4, 'the other organization\'s record is not here');
  assert.deepEqual(all.body.records.map((r) => r.outcome), ['success', 'failure', 'failure', 'success']);
  const unknown = all.body.records[1];
  assert.equal(unknown.login_id, 'nobody-here@example.com');
  assert.equal(unknown.user_id, null);
  assert.equal(unknown.reason, 'unknown_user');
  assert.equal(unknown.city, 'Lagos');
  assert.equal(unknown.latitude, 6.5244);
  assert.equal(all.body.records[2].reason, 'bad_password');
  assert.equal(all.body.records[2].user_id, user.id);
  assert.equal(all.body.records[0].application_name, 'Search');

  const failures = await org.api('GET', `/api/v1/login-records?outcome=failure&from=${encodeURIComponent(start)}`);
  assert.equal(failures.body.total, 2);
  const mine = await org.api('GET', `/api/v1/login-records?user_id=${user.id}&country=fr`);
  assert.equal(mine.body.total, 2);
  assert.ok(mine.body.records.every((r) => r.country === 'FR' && r.user_id === user.id));
  const paged = await org.api('GET', `/api/v1/login-records?limit=3&offset=3&from=${encodeURIComponent(start)}`);
  assert.deepEqual([paged.body.records.length, paged.body.total, paged.body.limit, paged.body.offset], [1, 4, 3, 3]);
  const past = await org.api('GET', '/api/v1/login-records?to=2020-01-01T00:00:00Z');
  assert.equal(past.body.total, 0);
});

test('test_records_stats_count_by_hour_reason_and_place', async () => {
  const st = await org.api('GET', `/api/v1/login-records/stats?from=${encodeURIComponent(start)}`);
  assert.equal(st.status, 200, JSON.stringify(st.body));
  assert.deepEqual([st.body.success, st.body.failure], [2, 2]);
  assert.equal(st.body.hours.reduce((n, h) => n + h.success + h.failure, 0), 4);
  assert.deepEqual(st.body.reasons.map((r) => [r.reason, r.count]).sort(), [['bad_password', 1], ['unknown_user', 1]]);
  const places = Object.fromEntries(st.body.places.map((p) => [p.city, p]));
  assert.deepEqual([places.Paris.success, places.Paris.failure, places.Lagos.success, places.Lagos.failure], [2, 0, 0, 2]);
  assert.ok(Math.abs(places.Paris.latitude - 48.8566) < 1e-6);
  const failuresOnly = await org.api('GET', `/api/v1/login-records/stats?outcome=failure&from=${encodeURIComponent(start)}`);
  assert.deepEqual([failuresOnly.body.success, failuresOnly.body.failure], [0, 2]);
});

test('test_records_search_refuses_other_organizations_weak_keys_users_and_bad_filters', async () => {
  // Another organization's key sees only its own record, whatever it filters on.
  const theirs = await other.api('GET', `/api/v1/login-records?user_id=${user.id}`);
  assert.equal(theirs.body.total, 0);
  assert.equal((await other.api('GET', '/api/v1/login-records')).body.total, 1);
  // A key without login_records:read, and a user's own access token, are refused.
  const weak = (await org.api('POST', '/api/v1/api-keys', { name: 'weak', permissions: ['users:read'] })).body.key;
  for (const path of ['/api/v1/login-records', '/api/v1/login-records/stats']) {
    assertError(await call('GET', path, { headers: bearer(weak) }), 403, 'FORBIDDEN');
    assertError(await call('GET', path), 401, 'UNAUTHORIZED');
  }
  const token = (await call('POST', '/api/v1/auth/login', { body: { client_id: app.client_id, login_id: user.email, password: PASSWORD } })).body.access_token;
  assertError(await call('GET', '/api/v1/login-records', { headers: bearer(token) }), 403, 'FORBIDDEN');
  // Bad filters name what is wrong.
  for (const [query, code] of [
    ['outcome=maybe', 'INVALID_OUTCOME'], ['country=France', 'INVALID_COUNTRY'], ['from=yesterday', 'INVALID_TIME'],
    ['from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'INVALID_TIME'], ['limit=1000', 'INVALID_LIMIT'],
  ]) {
    assertError(await org.api('GET', `/api/v1/login-records?${query}`), 400, code, query);
  }
  assertError(await org.api('GET', '/api/v1/login-records/stats?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z'), 400, 'RANGE_TOO_WIDE');
});
