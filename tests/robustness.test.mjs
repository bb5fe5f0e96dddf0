// Bad input never earns a 5xx: every documented operation, with credentials of every kind,
// gets malformed bodies, odd path parameters and odd query strings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { call, newOrg, email, bearer, PLATFORM_KEY, registered } from './lib.mjs';

let ops;
let org;
let token;

before(async () => {
  const doc = (await call('GET', '/openapi.json')).body;
  ops = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([m, op]) => ({ method: m.toUpperCase(), path, op })));
  org = await newOrg();
  const app = (await org.api('POST', '/api/v1/applications', { name: 'fuzz' })).body;
  const u = await registered(org, app, (await org.api('POST', '/api/v1/users', { email: email('fuzz'), password: 'fuzz password 1' })).body);
  token = (await call('POST', '/api/v1/auth/login', { body: { client_id: app.client_id, login_id: u.email, password: 'fuzz password 1' } })).body.access_token;
});

const PARAMS = ['x', '%00', '..%2F..%2Fetc', 'é', '00000000-0000-7000-8000-000000000000', 'a'.repeat(300), '%27%20OR%201%3D1--'];
const BODIES = ['', '{', '[]', 'null', '"str"', '{"a":', '{"name":null}', '{"email":{"$gt":""}}', JSON.stringify({ limit: -1, name: 'x'.repeat(5000) }), '\u0000\u0001'];
const QUERIES = ['', '?limit=-1&offset=abc', '?limit=1e9', '?filter=%00&start=x&end=y', '?numberOfResults=99999999999999999999', '?zoneId=..%2F&dateTimeSecondsFormat=%27'];

test('test_robustness_no_5xx_on_bad_input_anywhere', async () => {
  const creds = [{}, bearer(org.key), { authorization: org.key }, bearer(token), bearer(PLATFORM_KEY), { authorization: 'Bearer a.b.c' }];
  let sent = 0;
  for (const { method, path } of ops) {
    for (const [i, p] of PARAMS.entries()) {
      const url = path.replace(/\{[^}]+\}/g, p) + QUERIES[i % QUERIES.length];
      const headers = { ...creds[i % creds.length], 'content-type': 'application/json' };
      const raw = ['GET', 'DELETE'].includes(method) ? undefined : BODIES[(i + sent) % BODIES.length];
      const res = await call(method, url, { raw, headers });
      sent++;
      assert.ok(res.status < 500, `${method} ${url} with body ${JSON.stringify(raw)} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 200)}`);
    }
  }
  assert.ok(sent > 300, `only ${sent} requests`);
});
