// The administrators' search of login records (GET /api/v1/login-records), failures included,
// and the dashboard's counts (GET /api/v1/login-records/stats), against wrangler dev: filters,
// newest first, paging; counts by hour, reason and place; the export of what the search shows
// (/export, a zip holding a CSV, failures included); and the attacks: another
// organization's records, a key without `login_records:read`, a user's own token, bad filters.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, call, assertError, newOrg, email, registered, bearer, unzip, parseCsv } from './lib.mjs';

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

// Totals asked by organization, user, application and outcome alone are read from counters
// kept beside the records (migration 0019), not counted; with any other filter the store
// counts. Each combination must give the same number both ways.
test('test_records_search_kept_totals_equal_counted_totals', async () => {
  const total = async (o, q) => {
    const r = await o.api('GET', `/api/v1/login-records?limit=1&${q}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.total;
  };
  const counted = (o, q) => total(o, `${q}&from=${encodeURIComponent('2000-01-01T00:00:00Z')}`);
  const seen = {};
  for (const u of ['', `user_id=${user.id}`]) {
    for (const a of ['', `application_id=${app.id}`]) {
      for (const outcome of ['', 'outcome=success', 'outcome=failure']) {
        const q = [u, a, outcome].filter(Boolean).join('&');
        seen[q] = await total(org, q);
        assert.equal(seen[q], await counted(org, q), q || 'everything');
      }
    }
  }
  assert.equal(seen[''], 4);
  assert.equal(seen['outcome=failure'], 2, 'the unknown address\'s failure counts for the organization');
  assert.equal(seen[`user_id=${user.id}`], 3, 'but not for the user');
  assert.equal(seen[`user_id=${user.id}&application_id=${app.id}&outcome=success`], 2);
  assert.equal(await total(other, ''), 1);
  assert.equal(await total(org, 'user_id=nobody'), 0);
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

/** The export's CSV rows for `query`, with `key`. */
async function exported(query, key = org.key) {
  const res = await fetch(`${BASE}/api/v1/login-records/export?${query}`, { headers: bearer(key) });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(res.headers.get('content-type'), 'application/zip');
  assert.match(res.headers.get('content-disposition'), /filename="login_attempts\.zip"/);
  const files = unzip(await res.arrayBuffer());
  assert.deepEqual(Object.keys(files), ['login_attempts.csv']);
  return parseCsv(files['login_attempts.csv']);
}

test('test_records_export_holds_what_the_search_shows_failures_included', async () => {
  const rows = await exported(`from=${encodeURIComponent(start)}`);
  assert.deepEqual(rows[0], ['Id', 'Time', 'Outcome', 'Method', 'Reason', 'Login Id', 'User Id', 'Application Id', 'Application Name', 'Session Id', 'IP Address', 'City', 'Region', 'Country', 'Latitude', 'Longitude', 'Browser', 'OS', 'Device', 'Flags']);
  const search = (await org.api('GET', `/api/v1/login-records?from=${encodeURIComponent(start)}`)).body.records;
  assert.deepEqual(rows.slice(1).map((r) => Number(r[0])), search.map((r) => r.id), 'the same records, newest first');
  const unknown = rows.find((r) => r[5] === 'nobody-here@example.com');
  assert.deepEqual([unknown[2], unknown[4], unknown[6], unknown[11], unknown[13], unknown[14]], ['failure', 'unknown_user', '', 'Lagos', 'NG', '6.524400']);
  for (const r of rows.slice(1)) assert.match(r[1], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  // Filters as the search takes them.
  const failures = await exported(`outcome=failure&from=${encodeURIComponent(start)}`);
  assert.deepEqual(failures.slice(1).map((r) => r[4]), ['unknown_user', 'bad_password']);
  assert.equal((await exported('to=2020-01-01T00:00:00Z')).length, 1, 'the header alone');
  // Another organization's key exports its own records only, whatever it asks for.
  const theirs = await exported(`user_id=${user.id}`, other.key);
  assert.equal(theirs.length, 1);
  assert.equal((await exported('', other.key)).length, 2);
  assertError(await other.api('GET', '/api/v1/login-records/export?outcome=maybe'), 400, 'INVALID_OUTCOME');
});

test('test_records_search_refuses_other_organizations_weak_keys_users_and_bad_filters', async () => {
  // Another organization's key sees only its own record, whatever it filters on.
  const theirs = await other.api('GET', `/api/v1/login-records?user_id=${user.id}`);
  assert.equal(theirs.body.total, 0);
  assert.equal((await other.api('GET', '/api/v1/login-records')).body.total, 1);
  // A key without login_records:read, and a user's own access token, are refused.
  const weak = (await org.api('POST', '/api/v1/api-keys', { name: 'weak', permissions: ['users:read'] })).body.key;
  for (const path of ['/api/v1/login-records', '/api/v1/login-records/stats', '/api/v1/login-records/export']) {
    assertError(await call('GET', path, { headers: bearer(weak) }), 403, 'FORBIDDEN');
    assertError(await call('GET', path), 401, 'UNAUTHORIZED');
  }
  const token = (await call('POST', '/api/v1/auth/login', { body: { client_id: app.client_id, login_id: user.email, password: PASSWORD } })).body.access_token;
  for (const path of ['/api/v1/login-records', '/api/v1/login-records/export']) {
    assertError(await call('GET', path, { headers: bearer(token) }), 403, 'FORBIDDEN');
  }
  // Bad filters name what is wrong.
  for (const [query, code] of [
    ['outcome=maybe', 'INVALID_OUTCOME'], ['country=France', 'INVALID_COUNTRY'], ['from=yesterday', 'INVALID_TIME'],
    ['from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'INVALID_TIME'], ['limit=1000', 'INVALID_LIMIT'],
  ]) {
    assertError(await org.api('GET', `/api/v1/login-records?${query}`), 400, code, query);
  }
  assertError(await org.api('GET', '/api/v1/login-records/stats?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z'), 400, 'RANGE_TOO_WIDE');
});
