// The login-record views, each in its seed's exact shape, from real logins made through the
// API: seed 001 (own history), seed 000 (loginlogs), seed 002 (sessions), seed 003 (search).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, call, assertError, newOrg, email, bearer, registered, unzip, parseCsv, sqlAsAttacker, sqlDirect } from './lib.mjs';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1';
const PASSWORD = 'records password';
let org;
let app;
let ann;
let bob;
let annToken;

const login = (loginId, password, ua = CHROME) => call('POST', '/api/v1/auth/login', {
  body: { client_id: app.client_id, login_id: loginId, password }, headers: { 'user-agent': ua },
});

before(async () => {
  org = await newOrg();
  app = (await org.api('POST', '/api/v1/applications', { name: 'records-app' })).body;
  ann = await registered(org, app, (await org.api('POST', '/api/v1/users', { email: email('ann'), password: PASSWORD })).body);
  bob = await registered(org, app, (await org.api('POST', '/api/v1/users', { email: email('bob'), password: PASSWORD })).body);
  assert.equal((await login(ann.email, 'wrong password')).status, 401);
  assert.equal((await login(ann.email, PASSWORD, IPHONE)).status, 200);
  annToken = (await login(ann.email, PASSWORD)).body.access_token;
  assert.equal((await login(bob.email, PASSWORD)).status, 200);
});

test('test_records_001_own_history_shape_order_and_filter', async () => {
  const res = await call('GET', '/api/v1/auth/login-history', { headers: bearer(annToken) });
  assert.equal(res.status, 200);
  assert.deepEqual(Object.keys(res.body).sort(), ['data', 'message', 'success']);
  assert.equal(res.body.success, true);
  assert.equal(res.body.message, 'Login history retrieved successfully');
  const { history, total_count, limit, offset } = res.body.data;
  assert.deepEqual([total_count, limit, offset], [3, 50, 0]);
  assert.deepEqual(history.map((h) => h.action), ['auth.login.success', 'auth.login.success', 'auth.login.failure']);
  assert.ok(history[0].id > history[1].id && history[1].id > history[2].id, 'newest first, numeric ids');
  for (const h of history) {
    assert.deepEqual(Object.keys(h).sort(), ['action', 'created_at', 'id', 'ip_address', 'metadata', 'user_agent']);
    assert.equal(typeof h.id, 'number');
    assert.match(h.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.ok(h.ip_address);
    assert.equal(h.metadata.method, 'password');
  }
  assert.equal(history[0].user_agent, CHROME);
  assert.deepEqual([history[0].metadata.browser, history[0].metadata.os, history[0].metadata.device], ['Chrome', 'Windows', 'desktop']);
  assert.deepEqual([history[1].metadata.browser, history[1].metadata.os, history[1].metadata.device], ['Safari', 'iOS', 'mobile']);
  assert.equal(history[2].metadata.reason, 'bad_password');
  assert.ok(history[0].metadata.session_id, 'a success names its session');

  const failures = await call('GET', '/api/v1/auth/login-history?filter=failure', { headers: bearer(annToken) });
  assert.deepEqual(failures.body.data.history.map((h) => h.action), ['auth.login.failure']);
  const page = await call('GET', '/api/v1/auth/login-history?limit=1&offset=1', { headers: bearer(annToken) });
  assert.deepEqual([page.body.data.history.length, page.body.data.total_count], [1, 3]);
  assert.equal(page.body.data.history[0].id, history[1].id);
  for (const bad of ['0', '101', '-1', 'abc']) {
    assertError(await call('GET', `/api/v1/auth/login-history?limit=${bad}`, { headers: bearer(annToken) }), 400, 'INVALID_LIMIT');
  }
  assertError(await call('GET', '/api/v1/auth/login-history?offset=-3', { headers: bearer(annToken) }), 400, 'INVALID_OFFSET');
  assertError(await call('GET', '/api/v1/auth/login-history?filter=maybe', { headers: bearer(annToken) }), 400, 'INVALID_FILTER');
  assertError(await call('GET', '/api/v1/auth/login-history'), 401, 'UNAUTHORIZED');
});

test('test_records_001_isolated_per_user', async () => {
  const bobToken = (await login(bob.email, PASSWORD)).body.access_token;
  const res = await call('GET', '/api/v1/auth/login-history', { headers: bearer(bobToken) });
  assert.equal(res.body.data.total_count, 2);
  const annIds = (await call('GET', '/api/v1/auth/login-history', { headers: bearer(annToken) })).body.data.history.map((h) => h.id);
  assert.ok(res.body.data.history.every((h) => !annIds.includes(h.id)));
});

test('test_records_000_loginlogs_shape', async () => {
  const res = await org.api('GET', `/api/v1/users/${ann.id}/loginlogs?client_id=${app.client_id}`);
  assert.equal(res.status, 200);
  assert.deepEqual(Object.keys(res.body), ['login_logs']);
  assert.equal(res.body.login_logs.length, 2, 'successful logins');
  for (const l of res.body.login_logs) {
    assert.deepEqual(Object.keys(l), ['IpAddress', 'Country', 'City', 'UserAgent', 'Name', 'Os', 'Device', 'CreatedAt']);
    for (const v of Object.values(l)) assert.equal(typeof v, 'string');
  }
  assert.deepEqual([res.body.login_logs[0].Name, res.body.login_logs[0].Os, res.body.login_logs[0].Device], ['Chrome', 'Windows 10', 'desktop']);
  assert.deepEqual([res.body.login_logs[1].Name, res.body.login_logs[1].Os], ['Safari', 'iOS 17.1.2']);
  assertError(await org.api('GET', `/api/v1/users/${ann.id}/loginlogs`), 400, 'INVALID_CLIENT_ID');
  const other = await newOrg();
  assertError(await other.api('GET', `/api/v1/users/${ann.id}/loginlogs?client_id=${app.client_id}`), 400, 'INVALID_CLIENT_ID');
  const otherApp = (await other.api('POST', '/api/v1/applications', { name: 'x' })).body;
  assertError(await other.api('GET', `/api/v1/users/${ann.id}/loginlogs?client_id=${otherApp.client_id}`), 404, 'NOT_FOUND');
});

test('test_records_002_identity_store_sessions', async () => {
  const res = await org.api('GET', `/v1/identity-stores/${org.org.id}/users/${ann.id}/sessions`);
  assert.equal(res.status, 200);
  assert.deepEqual(Object.keys(res.body), ['session_list']);
  assert.equal(res.body.session_list.length, 2);
  const s = res.body.session_list[0];
  assert.deepEqual(Object.keys(s).sort(), ['creation_time', 'ip_address', 'session_id', 'session_not_valid_after', 'user_agent', 'user_id']);
  assert.ok(Number.isInteger(s.creation_time) && s.creation_time < 1e11, 'epoch seconds');
  assert.ok(s.session_not_valid_after > s.creation_time);
  assert.equal(s.user_id, ann.id);
  const other = await newOrg();
  const forbidden = await other.api('GET', `/v1/identity-stores/${org.org.id}/users/${ann.id}/sessions`);
  assert.equal(forbidden.status, 403);
  assert.deepEqual(Object.keys(forbidden.body).sort(), ['encoded_authorization_message', 'error_code', 'error_msg', 'request_id']);
  assert.ok(forbidden.body.encoded_authorization_message.length > 0);
  assertError(await org.api('GET', `/v1/identity-stores/${org.org.id}/users/not-a-uuid/sessions`), 400, 'INVALID_USER_ID');
  assertError(await org.api('GET', `/v1/identity-stores/${org.org.id}/users/00000000-0000-7000-8000-000000000000/sessions`), 400, 'INVALID_USER_ID');
});

test('test_records_003_search_get_and_post', async () => {
  const key = { authorization: org.key };
  const all = await call('GET', '/api/system/login-record/search?retrieveTotal=true', { headers: key });
  assert.equal(all.status, 200, JSON.stringify(all.body));
  assert.equal(all.body.total, 4, 'successful logins of the organization');
  const first = all.body.logins[0];
  assert.deepEqual(Object.keys(first).sort(), ['applicationId', 'applicationName', 'instant', 'ipAddress', 'loginId', 'userId']);
  assert.equal(first.applicationName, 'records-app');
  assert.ok(all.body.logins.every((l, i, xs) => i === 0 || xs[i - 1].instant <= l.instant), 'oldest first');
  const noTotal = await call('GET', '/api/system/login-record/search', { headers: key });
  assert.equal(noTotal.body.total, undefined);

  const byUser = await call('POST', '/api/system/login-record/search', { body: { search: { userId: ann.id, numberOfResults: 1, startRow: 1 }, retrieveTotal: true }, headers: key });
  assert.equal(byUser.status, 200);
  assert.deepEqual([byUser.body.logins.length, byUser.body.total], [1, 2]);
  assert.equal(byUser.body.logins[0].userId, ann.id);
  const last = all.body.logins.at(-1).instant;
  const range = await call('GET', `/api/system/login-record/search?start=${last}&end=${last}&retrieveTotal=true`, { headers: key });
  assert.ok(range.body.total >= 1 && range.body.logins.every((l) => l.instant === last));

  const bad = await call('GET', '/api/system/login-record/search?numberOfResults=0&start=5&end=1&userId=x', { headers: key });
  assert.equal(bad.status, 400);
  for (const f of ['numberOfResults', 'end', 'userId']) assert.equal(bad.body.fieldErrors[f][0].code, `[invalid]${f}`);
  const unauthorized = await call('GET', '/api/system/login-record/search');
  assert.equal(unauthorized.status, 401);
  assert.equal(unauthorized.body, '');
  const other = await newOrg();
  const isolated = await call('GET', '/api/system/login-record/search?retrieveTotal=true', { headers: { authorization: other.key } });
  assert.equal(isolated.body.total, 0);
});

test('test_records_200_concurrent_failures_leave_200_records_and_a_lock', async () => {
  const u = await registered(org, app, (await org.api('POST', '/api/v1/users', { email: email('burst'), password: PASSWORD })).body);
  // From an address of its own: 200 failures also throttle the address they come from.
  const from = (password, ip = '198.51.100.200') => call('POST', '/api/v1/auth/login', {
    body: { client_id: app.client_id, login_id: u.email, password }, headers: { 'cf-connecting-ip': ip },
  });
  // (A request wrangler dev's proxy drops is sent again by `call`; had the worker processed
  // a dropped one, the count below would be more than 201 and the test would fail.)
  const results = await Promise.all(Array.from({ length: 200 }, () => from('not the password')));
  const odd = results.find((r) => r.status !== 401 && r.status !== 429);
  assert.ok(!odd, `a failed login answered ${odd?.status}: ${JSON.stringify(odd?.body)}`);
  // Brute-force protection charges each attempt before checking it: of 200 racing attempts
  // from one address exactly five reach the password check; the rest wait or are locked out.
  assert.equal(results.filter((r) => r.status === 401).length, 5);
  assert.ok(results.filter((r) => r.status === 429).every((r) => Number(r.headers.get('retry-after')) >= 1));
  assertError(await from(PASSWORD), 429, 'TOO_MANY_ATTEMPTS', 'ends locked, even for the right password');
  // Every attempt left exactly one record.
  assert.equal((await org.api('DELETE', `/api/v1/users/${u.id}/lock`)).status, 204);
  const token = (await from(PASSWORD, '203.0.113.200')).body.access_token;
  const res = await call('GET', '/api/v1/auth/login-history?filter=failure&limit=100', { headers: bearer(token) });
  assert.equal(res.body.data.total_count, 201);
  const reasons = res.body.data.history.map((h) => h.metadata.reason);
  assert.ok(reasons.every((r) => r === 'too_many_attempts' || r === 'bad_password'));
});

test('test_records_risk_flags_from_other_places_and_devices', async () => {
  const u = await registered(org, app, (await org.api('POST', '/api/v1/users', { email: email('traveller'), password: PASSWORD })).body);
  const from = (geo, ua) => call('POST', '/api/v1/auth/login', {
    body: { client_id: app.client_id, login_id: u.email, password: PASSWORD },
    headers: { 'user-agent': ua, 'x-latchkey-dev-geo': geo },
  });
  const PARIS = 'country=FR;region=Île-de-France;city=Paris;lat=48.8566;lon=2.3522;tz=Europe/Paris;asn=3215';
  const NEW_YORK = 'country=US;region=New York;city=New York;lat=40.7128;lon=-74.0060;tz=America/New_York;asn=7922';
  assert.equal((await from(PARIS, CHROME)).status, 200);
  assert.equal((await from(PARIS, CHROME)).status, 200);
  const last = await from(NEW_YORK, IPHONE);
  assert.equal(last.status, 200);
  const h = (await call('GET', '/api/v1/auth/login-history', { headers: bearer(last.body.access_token) })).body.data.history;
  assert.deepEqual(h[0].metadata.flags, ['new_device', 'new_country', 'impossible_travel']);
  assert.equal(h[0].metadata.country, 'US');
  assert.equal(h[0].metadata.city, 'New York');
  assert.equal(h[1].metadata.flags, undefined, 'same device, same place');
  assert.equal(h[2].metadata.flags, undefined, 'first login');
  assert.equal(h[2].metadata.city, 'Paris');
});

test('test_records_dev_geo_override_is_off_in_the_deployed_configuration', async () => {
  const { readFileSync } = await import('node:fs');
  const toml = readFileSync(new URL('../wrangler.toml', import.meta.url), 'utf8');
  assert.ok(!/LATCHKEY_DEV_OVERRIDES/.test(toml), 'wrangler.toml must never enable the location override');
});

test('test_records_retention_cron_prunes_past_the_organizations_retention', async () => {
  const o = await newOrg();
  assert.equal((await o.api('PUT', `/api/v1/organizations/${o.org.id}`, { retention_days: 2 })).body.retention_days, 2);
  assertError(await o.api('PUT', `/api/v1/organizations/${o.org.id}`, { retention_days: 0 }), 400, 'INVALID_RETENTION_DAYS');
  const a = (await o.api('POST', '/api/v1/applications', { name: 'r' })).body;
  const u = await registered(o, a, (await o.api('POST', '/api/v1/users', { email: email('old'), password: PASSWORD })).body);
  const at = (ms, password) => call('POST', '/api/v1/auth/login', {
    body: { client_id: a.client_id, login_id: u.email, password }, headers: { 'x-latchkey-dev-now': String(ms) },
  });
  const day = 86_400_000;
  assert.equal((await at(Date.now() - 5 * day, 'wrong password')).status, 401);
  assert.equal((await at(Date.now() - 3 * day, 'wrong password')).status, 401);
  assert.equal((await at(Date.now() - 1 * day, 'wrong password')).status, 401);
  // wrangler dev --test-scheduled runs the cron handler on this path.
  const cron = await call('GET', '/__scheduled?cron=17+3+*+*+*');
  assert.equal(cron.status, 200, String(cron.body));
  const token = (await at(Date.now(), PASSWORD)).body.access_token;
  const h = (await call('GET', '/api/v1/auth/login-history', { headers: bearer(token) })).body.data;
  assert.equal(h.total_count, 2, 'the 5- and 3-day-old attempts are gone');
  assert.deepEqual(h.history.map((x) => x.action), ['auth.login.success', 'auth.login.failure']);
});

test('test_records_retention_cron_deletes_sessions_that_ended_before_it_and_nothing_else', async () => {
  const day = 86_400_000;
  // Each organization: a session signed out, then dated three days back, and a live one.
  const setUp = async (retentionDays) => {
    const o = await newOrg();
    await o.api('PUT', `/api/v1/organizations/${o.org.id}`, { retention_days: retentionDays });
    const a = (await o.api('POST', '/api/v1/applications', { name: 's' })).body;
    const u = await registered(o, a, (await o.api('POST', '/api/v1/users', { email: email('ended'), password: PASSWORD })).body);
    const signIn = async () => (await call('POST', '/api/v1/auth/login', { body: { client_id: a.client_id, login_id: u.email, password: PASSWORD } })).body;
    const ended = await signIn();
    const live = await signIn();
    assert.deepEqual((await call('POST', '/api/v1/auth/logout', { body: {}, headers: bearer(ended.access_token) })).body, { revoked: 1 });
    return { ended, live };
  };
  const short = await setUp(2);
  const long = await setUp(90);
  const ids = [short.ended, short.live, long.ended, long.live].map((x) => `'${x.session_id}'`).join(',');
  await sqlDirect(`UPDATE sessions SET revoked_at = revoked_at - ${3 * day} WHERE id IN (${ids}) AND revoked_at IS NOT NULL`);
  const tokens = async () => (await sqlDirect(`SELECT session_id FROM refresh_tokens WHERE session_id IN (${ids})`)).map((r) => r.session_id);
  assert.ok((await tokens()).includes(short.ended.session_id));

  const cron = await call('GET', '/__scheduled?cron=17+3+*+*+*');
  assert.equal(cron.status, 200, String(cron.body));
  const left = (await sqlDirect(`SELECT id FROM sessions WHERE id IN (${ids})`)).map((r) => r.id).sort();
  assert.deepEqual(left, [short.live.session_id, long.ended.session_id, long.live.session_id].sort(),
    'only the session that ended before its organization\'s two days went');
  assert.ok(!(await tokens()).includes(short.ended.session_id), 'its refresh tokens went with it');
  // The live session of the same user still refreshes; the deleted one's token is refused.
  const refresh = (t) => call('POST', '/api/v1/auth/refresh', { body: { refresh_token: t.refresh_token } });
  assert.equal((await refresh(short.live)).status, 200);
  assert.equal((await refresh(short.ended)).status, 401);
});

test('test_records_003_export_zip_csv', async () => {
  const key = { authorization: org.key };
  const total = (await call('GET', '/api/system/login-record/search?retrieveTotal=true', { headers: key })).body.total;
  const res = await fetch(`${BASE}/api/system/login-record/export?zoneId=America/Denver&dateTimeSecondsFormat=${encodeURIComponent("yyyy-MM-dd'T'HH:mm:ss z")}`, { headers: key });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/zip');
  const files = unzip(await res.arrayBuffer());
  assert.deepEqual(Object.keys(files), ['login_records.csv']);
  const rows = parseCsv(files['login_records.csv']);
  assert.deepEqual(rows[0], ['Record Id', 'User Id', 'Login Id', 'Time', 'Application Id', 'Application Name', 'IP Address', 'City', 'Region', 'Country', 'Latitude', 'Longitude', 'Chain Seq', 'Row Hash']);
  assert.equal(rows.length - 1, total, 'one row per successful login');
  for (const r of rows.slice(1)) {
    assert.match(r[3], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d M[DS]T$/, 'formatted in the asked zone');
    assert.equal(r[5], 'records-app');
  }
  const annRows = rows.slice(1).filter((r) => r[1] === ann.id);
  const post = await fetch(`${BASE}/api/system/login-record/export`, {
    method: 'POST', headers: { ...key, 'content-type': 'application/json' },
    body: JSON.stringify({ criteria: { userId: ann.id } }),
  });
  assert.equal(post.status, 200);
  const annOnly = parseCsv(unzip(await post.arrayBuffer())['login_records.csv']).slice(1);
  assert.equal(annOnly.length, annRows.length);
  assert.ok(annOnly.every((r) => r[1] === ann.id));
  assert.match(annOnly[0][3], /^\d{1,2}\/\d{1,2}\/\d{4} \d\d:\d\d:\d\d [AP]M UTC$/, 'default format M/d/yyyy hh:mm:ss a z, UTC');

  const bad = await call('GET', '/api/system/login-record/export?zoneId=Nowhere/Land&dateTimeSecondsFormat=QQ', { headers: key });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.fieldErrors.zoneId[0].code, '[invalid]zoneId');
  const unauthorized = await call('GET', '/api/system/login-record/export');
  assert.equal(unauthorized.status, 401);
  assert.equal(unauthorized.body, '');
});

test('test_records_003_export_formats_times_in_the_asked_zone_across_a_change_of_offset', async () => {
  // Logins at fixed instants: either side of St. John's moving to summer time (at half past
  // the UTC hour), either side of Paris doing so (on the hour), and a July afternoon. Each
  // zone's rows are pinned to the tz database (node's ICU agrees); a zone with no short name
  // gets its GMT offset, never "UTC".
  const o = await newOrg();
  const a = (await o.api('POST', '/api/v1/applications', { name: 'zones' })).body;
  const u = await registered(o, a, (await o.api('POST', '/api/v1/users', { email: email('zones'), password: PASSWORD })).body);
  for (const iso of ['2026-03-08T05:29:59.500Z', '2026-03-08T05:30:00.000Z', '2026-03-29T00:59:59.500Z', '2026-03-29T01:00:00.000Z', '2026-07-08T17:52:00.303Z']) {
    const r = await call('POST', '/api/v1/auth/login', {
      body: { client_id: a.client_id, login_id: u.email, password: PASSWORD }, headers: { 'x-latchkey-dev-now': String(Date.parse(iso)) },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  const key = o.key;
  const times = async (zone) => {
    const q = `dateTimeSecondsFormat=${encodeURIComponent('yyyy-MM-dd HH:mm:ss.SSS Z z')}${zone ? `&zoneId=${encodeURIComponent(zone)}` : ''}`;
    const res = await fetch(`${BASE}/api/system/login-record/export?${q}`, { headers: { authorization: key } });
    assert.equal(res.status, 200, zone);
    return parseCsv(unzip(await res.arrayBuffer())['login_records.csv']).slice(1).map((r) => r[3]);
  };
  const expected = {
    'Europe/Paris': ['2026-03-08 06:29:59.500 +0100 CET', '2026-03-08 06:30:00.000 +0100 CET', '2026-03-29 01:59:59.500 +0100 CET', '2026-03-29 03:00:00.000 +0200 CEST', '2026-07-08 19:52:00.303 +0200 CEST'],
    'America/St_Johns': ['2026-03-08 01:59:59.500 -0330 GMT-3:30', '2026-03-08 03:00:00.000 -0230 GMT-2:30', '2026-03-28 22:29:59.500 -0230 GMT-2:30', '2026-03-28 22:30:00.000 -0230 GMT-2:30', '2026-07-08 15:22:00.303 -0230 GMT-2:30'],
    'America/Sao_Paulo': ['2026-03-08 02:29:59.500 -0300 GMT-3', '2026-03-08 02:30:00.000 -0300 GMT-3', '2026-03-28 21:59:59.500 -0300 GMT-3', '2026-03-28 22:00:00.000 -0300 GMT-3', '2026-07-08 14:52:00.303 -0300 GMT-3'],
    'Asia/Dubai': ['2026-03-08 09:29:59.500 +0400 GST', '2026-03-08 09:30:00.000 +0400 GST', '2026-03-29 04:59:59.500 +0400 GST', '2026-03-29 05:00:00.000 +0400 GST', '2026-07-08 21:52:00.303 +0400 GST'],
    'Asia/Kolkata': ['2026-03-08 10:59:59.500 +0530 GMT+5:30', '2026-03-08 11:00:00.000 +0530 GMT+5:30', '2026-03-29 06:29:59.500 +0530 GMT+5:30', '2026-03-29 06:30:00.000 +0530 GMT+5:30', '2026-07-08 23:22:00.303 +0530 GMT+5:30'],
    'US/Mountain': ['2026-03-07 22:29:59.500 -0700 MST', '2026-03-07 22:30:00.000 -0700 MST', '2026-03-28 18:59:59.500 -0600 MDT', '2026-03-28 19:00:00.000 -0600 MDT', '2026-07-08 11:52:00.303 -0600 MDT'],
    '': ['2026-03-08 05:29:59.500 +0000 UTC', '2026-03-08 05:30:00.000 +0000 UTC', '2026-03-29 00:59:59.500 +0000 UTC', '2026-03-29 01:00:00.000 +0000 UTC', '2026-07-08 17:52:00.303 +0000 UTC'],
  };
  for (const [zone, rows] of Object.entries(expected)) assert.deepEqual(await times(zone), rows, zone || 'no zoneId');
  // The wall times agree with node's own ICU.
  const paris = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'medium' });
  assert.equal(paris.format(Date.parse('2026-03-29T01:00:00.000Z')), expected['Europe/Paris'][3].slice(0, 19));

  for (const bad of ['Mars/Olympus', '../../etc/passwd', 'Europe/Paris\u0000', 'x'.repeat(65), ' ']) {
    const res = await call('GET', `/api/system/login-record/export?zoneId=${encodeURIComponent(bad)}`, { headers: { authorization: key } });
    assert.equal(res.status, 400, JSON.stringify(bad));
    assert.equal(res.body.fieldErrors.zoneId[0].code, '[invalid]zoneId');
  }
});

test('test_records_hash_chain_verifies_and_finds_tampering', async () => {
  const o = await newOrg();
  const a = (await o.api('POST', '/api/v1/applications', { name: 'chain' })).body;
  const u = await registered(o, a, (await o.api('POST', '/api/v1/users', { email: email('chain'), password: PASSWORD })).body);
  const tries = [PASSWORD, 'wrong', PASSWORD, 'wrong', PASSWORD];
  for (const pw of tries) await call('POST', '/api/v1/auth/login', { body: { client_id: a.client_id, login_id: u.email, password: pw } });
  const verify = () => o.api('GET', '/api/v1/login-records/verify');
  let r = await verify();
  assert.equal(r.status, 200);
  assert.deepEqual([r.body.verified_from, r.body.verified_through, r.body.first_broken_link], [1, 5, null]);
  assert.match(r.body.chain_hash, /^[0-9a-f]{64}$/);
  assert.equal((await call('GET', '/__scheduled?cron=17+3+*+*+*')).status, 200);
  r = await verify();
  assert.ok(r.body.checkpoints_matched >= 1, 'the cron sealed the chain');

  // Export carries each row's place in the chain and its hash.
  const res = await fetch(`${BASE}/api/system/login-record/export?userId=${u.id}`, { headers: { authorization: o.key } });
  const rows = parseCsv(unzip(await res.arrayBuffer())['login_records.csv']).slice(1);
  assert.deepEqual(rows.map((x) => x[12]), ['1', '3', '5']);
  assert.ok(rows.every((x) => /^[0-9a-f]{64}$/.test(x[13])));

  // An attacker with database access edits the third attempt's IP address.
  await sqlAsAttacker(`UPDATE login_records SET ip = '6.6.6.6' WHERE organization_id = '${o.org.id}' AND chain_seq = 3`);
  r = await verify();
  assert.deepEqual(r.body.first_broken_link, { seq: 3, reason: 'row_edited' });
  assert.equal(r.body.verified_through, 2);
  assertError(await o.api('GET', '/api/v1/login-records/verify?from=0'), 400, 'INVALID_FROM');
});

test('test_records_every_failure_reason_in_the_users_history', async () => {
  const o = await newOrg();
  const a = (await o.api('POST', '/api/v1/applications', { name: 'reasons' })).body;
  const mk = async (extra) => registered(o, a, (await o.api('POST', '/api/v1/users', { email: email('why'), ...extra })).body);
  const login = (u, password) => call('POST', '/api/v1/auth/login', {
    body: { client_id: a.client_id, login_id: u.email, password },
    headers: { 'x-latchkey-dev-geo': 'country=DE;city=Berlin;tz=Europe/Berlin;asn=3320;lat=52.52;lon=13.40' },
  });
  const cases = [
    [await mk({ password: PASSWORD }), 'wrong password', 'bad_password'],
    [await mk({}), 'any password', 'no_password'],
    [await mk({ password: PASSWORD }), PASSWORD, 'disabled', { status: 'disabled' }],
    [await mk({ password: PASSWORD, expires_at: '2020-01-01T00:00:00Z' }), PASSWORD, 'expired'],
    [await mk({ password: PASSWORD, password_change_required: true }), PASSWORD, 'password_change_required'],
  ];
  for (const [u, pw, reason, update] of cases) {
    if (update) await o.api('PUT', `/api/v1/users/${u.id}`, update);
    assert.ok([401, 403].includes((await login(u, pw)).status), reason);
    // The user's own view needs a session: give the user a password and clear the blocks.
    await o.api('PUT', `/api/v1/users/${u.id}`, { password: 'viewer password', status: 'active', expires_at: null, password_change_required: false });
    const token = (await login(u, 'viewer password')).body.access_token;
    const h = (await call('GET', '/api/v1/auth/login-history?filter=failure', { headers: bearer(token) })).body.data.history;
    assert.equal(h.length, 1, reason);
    assert.equal(h[0].metadata.reason, reason);
    assert.equal(h[0].metadata.method, 'password');
    assert.deepEqual([h[0].metadata.country, h[0].metadata.city, h[0].metadata.timezone, h[0].metadata.asn], ['DE', 'Berlin', 'Europe/Berlin', 3320]);
  }
});
