// Emails, usernames and login ids, written as the attacks: control characters typed into a
// login id, a fullwidth ＠ that one door refuses and the other lets through, invisible and
// direction-changing characters, look-alike letters from another script, and case forms that
// lower-casing misses, each of which could give two accounts that look the same.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { call, assertError, newOrg, registered } from './lib.mjs';

const PASSWORD = 'identifier password';
let org;
let app;
const tag = () => `${Date.now()}${Math.floor(Math.random() * 1e6)}`;

const login = (loginId) => call('POST', '/api/v1/auth/login', { body: { client_id: app.client_id, login_id: loginId, password: PASSWORD } });
const login003 = (loginId) => call('POST', '/api/login', { body: { loginId, password: PASSWORD }, headers: { authorization: org.key } });
const create = async (fields) => {
  const res = await org.api('POST', '/api/v1/users', { password: PASSWORD, ...fields });
  if (res.status === 201) await registered(org, app, res.body);
  return res;
};
const signup = (addr) => call('POST', '/api/v1/auth/signup', { body: { client_id: app.client_id, email: addr, password: PASSWORD } });

before(async () => {
  org = await newOrg();
  app = (await org.api('POST', '/api/v1/applications', { name: 'ids', self_signup: true })).body;
});

test('test_identifiers_control_characters_in_login_ids_are_refused_everywhere', async () => {
  const t = tag();
  const ok = (await create({ email: `ctl-${t}@example.com`, username: `ctl-${t}` })).body;
  assert.ok(ok.id);
  for (const bad of [`\tctl-${t}@example.com`, `ctl-${t}@example.com\r`, `ctl\u0007-${t}@example.com`, `\u0000ctl-${t}`, `ctl-${t}\u0085`]) {
    assertError(await login(bad), 400, 'INVALID_LOGIN_ID', JSON.stringify(bad));
    const r = await login003(bad);
    assert.equal(r.status, 400, JSON.stringify(bad));
    assert.equal(r.body.fieldErrors.loginId[0].code, '[invalid]loginId');
  }
  assertError(await create({ email: `ctl\u0007-${tag()}@example.com` }), 400, 'INVALID_EMAIL');
  assertError(await create({ email: `c-${tag()}@example.com`, username: `ctl\u0007${tag()}` }), 400, 'INVALID_USERNAME');
  // Nothing was recorded under the refused ids.
  const search = await call('GET', '/api/system/login-record/search?numberOfResults=500', { headers: { authorization: org.key } });
  assert.ok(search.body.logins.every((l) => !/[\u0000-\u001f\u007f-\u009f]/.test(l.loginId)), JSON.stringify(search.body.logins));
});

test('test_identifiers_fullwidth_at_gets_the_same_answer_at_every_door', async () => {
  const t = tag();
  // Created with a fullwidth ＠: the same address as with '@', and stored as such.
  const created = await create({ email: `wide-${t}＠example.com` });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.email, `wide-${t}@example.com`);
  assertError(await create({ email: `wide-${t}@example.com` }), 409, 'EMAIL_TAKEN');
  assert.equal((await login(`wide-${t}＠example.com`)).status, 200);
  assert.equal((await login(`wide-${t}@example.com`)).status, 200);
  assert.equal((await login003(`wide-${t}＠example.com`)).status, 212, 'authenticated (address not verified yet)');
  const byEmail = await org.api('GET', `/api/v1/users/by-email?email=${encodeURIComponent(`wide-${t}＠example.com`)}`);
  assert.equal(byEmail.body.id, created.body.id);
  // Sign-up and update answer alike.
  const su = await signup(`wsu-${t}＠example.com`);
  assert.equal(su.status, 201, JSON.stringify(su.body));
  assert.equal(su.body.user.email, `wsu-${t}@example.com`);
  const upd = await org.api('PUT', `/api/v1/users/${created.body.id}`, { email: `wide2-${t}＠example.com` });
  assert.equal(upd.status, 200, JSON.stringify(upd.body));
  assert.equal(upd.body.email, `wide2-${t}@example.com`);
});

test('test_identifiers_invisible_bidi_and_mixed_script_look_alikes_are_refused', async () => {
  const t = tag();
  const real = `alice-${t}@example.com`;
  assert.equal((await create({ email: real })).status, 201);
  const lookAlikes = [
    `ali\u200Bce-${t}@example.com`, // zero-width space
    `alice-${t}\u200D@example.com`, // zero-width joiner
    `\u202Eecila-${t}@example.com`, // right-to-left override
    `alice-${t}@exam\u2060ple.com`, // word joiner
    `\u0430lice-${t}@example.com`, // Cyrillic а among Latin letters
    `alice-${t}@ex\u0430mple.com`, // in the domain
    `\u03bfscar-${t}@example.com`, // Greek ο among Latin letters
    `alice-${t}\uE000@example.com`, // private use
    `alice-${t}\u00A0@example.com`, // no-break space
    `alice-${t}\u3000@example.com`, // ideographic space
    `alice-${t}\u{E0061}@example.com`, // tag character
    `alice-${t}\u0378@example.com`, // unassigned
  ];
  for (const bad of lookAlikes) {
    assertError(await create({ email: bad }), 400, 'INVALID_EMAIL', JSON.stringify(bad));
    assertError(await signup(bad), 400, 'INVALID_EMAIL', JSON.stringify(bad));
    assertError(await login(bad), 400, 'INVALID_LOGIN_ID', JSON.stringify(bad));
    assert.equal((await login003(bad)).status, 400, JSON.stringify(bad));
  }
  // One script per label is fine, whatever the script; digits, '.', '-', '_' go with any.
  for (const good of [`иван-${t}@example.com`, `ελένη_${t}@example.com`, `山田.${t}@example.jp`, `josé-${t}@exämple.com`]) {
    const r = await create({ email: good });
    assert.equal(r.status, 201, `${good}: ${JSON.stringify(r.body)}`);
    assert.equal((await login(good)).status, 200, good);
  }
});

test('test_identifiers_case_folding_not_lower_casing', async () => {
  const t = tag();
  // ß folds to "ss": STRASSE and straße are one address.
  assert.equal((await create({ email: `straße-${t}@example.com` })).status, 201);
  assertError(await create({ email: `STRASSE-${t}@example.com` }), 409, 'EMAIL_TAKEN');
  assert.equal((await login(`STRASSE-${t}@EXAMPLE.COM`)).status, 200);
  // Final sigma folds like sigma.
  assert.equal((await create({ email: `οδος${t}@example.gr` })).status, 201);
  assertError(await create({ email: `ΟΔΟΣ${t}@example.gr` }), 409, 'EMAIL_TAKEN');
  assertError(await create({ email: `οδοσ${t}@example.gr` }), 409, 'EMAIL_TAKEN');
  // Usernames fold the same way at creation and at login (fullwidth included).
  const u = await create({ email: `un-${t}@example.com`, username: `ＵＳＥＲ${t}` });
  assert.equal(u.status, 201, JSON.stringify(u.body));
  assert.equal(u.body.username, `user${t}`);
  assert.equal((await login(`ＵＳＥＲ${t}`)).status, 200);
  assert.equal((await login(`User${t}`)).status, 200);
});
