// What login records say, written as the attacks: a forged X-Forwarded-For, the edge's
// location pinned on an IP it does not belong to, spreadsheet formulas in an export (and
// numbers that must stay numbers), and a chain verification that reads as a pass without
// having verified anything.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, call, newOrg, email, unzip, parseCsv, sqlAsAttacker, registered } from './lib.mjs';

const PASSWORD = 'records hardening';
// The edge's location of the connecting client (the development override plays the edge).
const EDGE = { 'x-latchkey-dev-geo': 'country=US;region=Texas;city=Austin;tz=America/Chicago;asn=7922;lat=30.2672;lon=-97.7426' };
let org;
let app;
let user;

const api003 = (method, path, body, headers = {}) => call(method, path, { body, headers: { authorization: org.key, ...headers } });

async function exportRows(userId) {
  const res = await fetch(`${BASE}/api/system/login-record/export?userId=${userId}`, { headers: { authorization: org.key } });
  assert.equal(res.status, 200);
  const rows = parseCsv(unzip(await res.arrayBuffer())['login_records.csv']);
  const header = rows[0];
  return rows.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

before(async () => {
  org = await newOrg();
  app = (await org.api('POST', '/api/v1/applications', { name: 'rh' })).body;
  user = await registered(org, app, (await org.api('POST', '/api/v1/users', { email: email('rh'), password: PASSWORD, email_verified: true })).body);
  assert.equal((await org.api('PUT', `/api/v1/users/${user.id}/registrations/${app.id}`)).status, 204);
});

test('test_records_hardening_003_login_records_the_rightmost_forwarded_hop_without_edge_location', async () => {
  // The end user forges the leftmost hop; the caller's proxy appended the real one.
  const res = await api003('POST', '/api/login', { loginId: user.email, password: PASSWORD, applicationId: app.id, metaData: { device: { name: 'xff' } } },
    { ...EDGE, 'X-Forwarded-For': '6.6.6.6, 198.51.100.23' });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const sessions = (await org.api('GET', `/api/v1/users/${user.id}/sessions`)).body.sessions;
  const s = sessions.find((x) => x.device_name === 'xff');
  assert.equal(s.ip, '198.51.100.23', 'the rightmost hop, not the forged leftmost one');
  // Austin is where the caller's server is, not where 198.51.100.23 is.
  assert.deepEqual([s.country, s.region, s.city], [null, null, null]);
});

test('test_records_hardening_003_body_ip_drops_edge_location_and_connecting_ip_keeps_it', async () => {
  assert.equal((await api003('POST', '/api/login', { loginId: user.email, password: PASSWORD, applicationId: app.id, ipAddress: '192.0.2.77', metaData: { device: { name: 'body-ip' } } }, EDGE)).status, 200);
  assert.equal((await api003('POST', '/api/login', { loginId: user.email, password: PASSWORD, applicationId: app.id, metaData: { device: { name: 'edge' } } }, EDGE)).status, 200);
  const sessions = (await org.api('GET', `/api/v1/users/${user.id}/sessions`)).body.sessions;
  const reported = sessions.find((x) => x.device_name === 'body-ip');
  assert.equal(reported.ip, '192.0.2.77');
  assert.deepEqual([reported.country, reported.city], [null, null]);
  const edge = sessions.find((x) => x.device_name === 'edge');
  assert.deepEqual([edge.country, edge.city], ['US', 'Austin'], 'the connecting client keeps the edge location');
});

test('test_records_hardening_003_login_instant_with_reported_ip_drops_edge_location', async () => {
  const u = (await org.api('POST', '/api/v1/users', { email: email('ping'), password: PASSWORD })).body;
  assert.equal((await api003('PUT', `/api/login/${u.id}/${app.id}?ipAddress=192.0.2.99`, undefined, EDGE)).status, 200);
  assert.equal((await api003('PUT', `/api/login/${u.id}`, undefined, { ...EDGE, 'X-Forwarded-For': '6.6.6.6, 192.0.2.100' })).status, 200);
  const rows = await exportRows(u.id);
  const byIp = Object.fromEntries(rows.map((r) => [r['IP Address'], r]));
  for (const ip of ['192.0.2.99', '192.0.2.100']) {
    assert.ok(byIp[ip], `a record for ${ip} in ${JSON.stringify(rows)}`);
    for (const col of ['City', 'Region', 'Country', 'Latitude', 'Longitude']) assert.equal(byIp[ip][col], '', `${ip} ${col}`);
  }
});

test('test_records_hardening_export_keeps_numbers_numeric_and_defuses_text', async () => {
  // A login id a spreadsheet would run as a formula, at Austin (negative longitude).
  const formula = `=2+3-${Date.now()}@example.com`;
  const u = await registered(org, app, (await org.api('POST', '/api/v1/users', { email: formula, password: PASSWORD })).body);
  assert.equal((await call('POST', '/api/v1/auth/login', { body: { client_id: app.client_id, login_id: formula, password: PASSWORD }, headers: EDGE })).status, 200);
  const [row] = await exportRows(u.id);
  assert.equal(row['Login Id'], `'${formula}`, 'text that starts a formula is defused');
  assert.equal(row.Longitude, '-97.742600', 'a negative coordinate stays a number');
  assert.equal(row.Latitude, '30.267200');
  assert.match(row['Record Id'], /^\d+$/);
  assert.match(row['Chain Seq'], /^\d+$/);
});

test('test_records_hardening_verify_from_before_any_checkpoint_is_not_an_empty_pass', async () => {
  const o = await newOrg();
  const a = (await o.api('POST', '/api/v1/applications', { name: 'v' })).body;
  const u = await registered(o, a, (await o.api('POST', '/api/v1/users', { email: email('v'), password: PASSWORD })).body);
  for (const pw of [PASSWORD, 'wrong', PASSWORD]) await call('POST', '/api/v1/auth/login', { body: { client_id: a.client_id, login_id: u.email, password: pw } });
  // No cron has sealed anything yet.
  const r = await o.api('GET', '/api/v1/login-records/verify?from=2');
  assert.equal(r.status, 200);
  assert.equal(r.body.verifiable, true, JSON.stringify(r.body));
  assert.ok(r.body.verified_from <= 2 && r.body.verified_through >= 3, `rows 2..3 verified: ${JSON.stringify(r.body)}`);
  assert.equal(r.body.first_broken_link, null);

  // An attacker deletes the oldest record (and there is no checkpoint to start from):
  // nothing can be verified, and the answer must say so rather than look clean.
  await sqlAsAttacker(`DELETE FROM login_records WHERE organization_id = '${o.org.id}' AND chain_seq = 1`);
  for (const q of ['', '?from=2']) {
    const v = await o.api('GET', `/api/v1/login-records/verify${q}`);
    assert.equal(v.status, 200);
    assert.equal(v.body.verifiable, false, `${q}: ${JSON.stringify(v.body)}`);
    assert.equal(v.body.reason, 'no_checkpoint');
  }
  // An organization without records has nothing to verify, and that is not a failure.
  const empty = await newOrg();
  const e = await empty.api('GET', '/api/v1/login-records/verify');
  assert.equal(e.body.verifiable, true);
  assert.equal(e.body.verified_through, 0);
});
