// An organization's own message templates against wrangler dev: listed with the shipped
// defaults, checked before they are kept (variables, required link or code, one-line
// subjects, SMS only a text), previewed, used for what is delivered (escaped in HTML), kept
// to their organization, and written only with the organizations:write permission.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { call, newOrg, email, registered, assertError, outboxMessage, bearer } from './lib.mjs';

let a;
let b;
let appA;
let appB;
before(async () => {
  a = await newOrg('Templates A');
  b = await newOrg('Templates B');
  const app = async (o, name) => {
    const res = await o.api('POST', '/api/v1/applications', { name, login_methods: ['password', 'magic_code'] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };
  appA = await app(a, 'Shop <A> & Co');
  appB = await app(b, 'Shop B');
});

async function newUser(o, app, tag) {
  const created = await o.api('POST', '/api/v1/users', { email: email(tag) });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return registered(o, app, created.body);
}

const OWN = {
  subject: 'Your {{application}} code: {{code}}',
  text: 'Type {{code}} within {{expires_minutes}} minutes. Asked from {{device}}.',
  html: '<h1>{{application}}</h1><p>Code <b>{{code}}</b></p>',
};

test('the list shows every kind with its shipped default and what it may use', async () => {
  const res = await a.api('GET', '/api/v1/templates');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const kinds = res.body.templates.map((t) => t.kind);
  assert.deepEqual(kinds, ['magic_link', 'magic_code', 'password_reset', 'password_changed', 'verify_email', 'sms_code', 'login_alert']);
  const sms = res.body.templates.find((t) => t.kind === 'sms_code');
  assert.equal(sms.channel, 'sms');
  assert.equal(sms.custom, false);
  assert.equal(sms.required, 'code');
  assert.ok(sms.text.includes('{{code}}'));
  const link = (await a.api('GET', '/api/v1/templates/magic_link')).body;
  assert.equal(link.required, 'link');
  assert.deepEqual(link.variables, ['application', 'link', 'expires_minutes', 'device', 'location', 'ip']);
  assertError(await a.api('GET', '/api/v1/templates/nope'), 404, 'NOT_FOUND');
});

test('a bad template is refused with what to fix, and nothing is kept', async () => {
  const put = (kind, body) => a.api('PUT', `/api/v1/templates/${kind}`, body);
  const cases = [
    ['magic_code', { ...OWN, text: 'no code here' }, 'text: must contain {{code}}'],
    ['magic_code', { ...OWN, html: '<p>{{link}}</p>' }, '{{link}} is not a variable of magic_code'],
    ['magic_code', { ...OWN, subject: 'Hi\r\nBcc: x@example.com' }, 'one line'],
    ['magic_code', { ...OWN, text: '{{code}} {{oops' }, 'never closed'],
    ['sms_code', { subject: 'SMS has none', text: '{{code}}' }, 'only a text'],
  ];
  for (const [kind, body, says] of cases) {
    const res = await put(kind, body);
    assertError(res, 400, 'INVALID_TEMPLATE', JSON.stringify(body));
    assert.ok(res.body.error_msg.includes(says), `${res.body.error_msg} should say ${says}`);
  }
  assertError(await put('magic_code', { ...OWN, extra: 1 }), 400, 'INVALID_REQUEST');
  assertError(await put('nope', OWN), 404, 'NOT_FOUND');
  assert.equal((await a.api('GET', '/api/v1/templates/magic_code')).body.custom, false);
});

test('a preview renders a draft or the template in use with sample values', async () => {
  const draft = await a.api('POST', '/api/v1/templates/magic_code/preview', { ...OWN, application_id: appA.id });
  assert.equal(draft.status, 200, JSON.stringify(draft.body));
  assert.equal(draft.body.subject, 'Your Shop <A> & Co code: 123456');
  assert.equal(draft.body.text, 'Type 123456 within 10 minutes. Asked from Chrome on macOS.');
  assert.equal(draft.body.html, '<h1>Shop &lt;A&gt; &amp; Co</h1><p>Code <b>123456</b></p>');
  // No body at all: the template in use, as with an empty one.
  const bare = await call('POST', '/api/v1/templates/password_reset/preview', { headers: bearer(a.key) });
  assert.equal(bare.status, 200, JSON.stringify(bare.body));
  const inUse = await a.api('POST', '/api/v1/templates/password_reset/preview', {});
  assert.deepEqual(bare.body, inUse.body);
  assert.equal(inUse.status, 200, JSON.stringify(inUse.body));
  assert.equal(inUse.body.subject, 'Reset your Templates A password');
  assert.ok(inUse.body.text.includes('for 30 minutes'));
  assertError(await a.api('POST', '/api/v1/templates/magic_code/preview', { text: 'none' }), 400, 'INVALID_TEMPLATE');
  // Another organization's application is not a sample this one may use.
  assertError(await a.api('POST', '/api/v1/templates/magic_code/preview', { application_id: appB.id }), 404, 'NOT_FOUND');
});

test("an organization's own template is what its users are sent, and only its users", async () => {
  const set = await a.api('PUT', '/api/v1/templates/magic_code', OWN);
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.equal(set.body.custom, true);
  assert.ok(set.body.updated_at);

  const ann = await newUser(a, appA, 'tpl-a');
  const sent = await call('POST', '/api/v1/auth/email-code', { body: { client_id: appA.client_id, email: ann.email } });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  const m = await outboxMessage(ann.email);
  assert.ok(m, 'delivered');
  const code = m.subject.match(/code: (\d{6})$/)[1];
  assert.equal(m.subject, `Your Shop <A> & Co code: ${code}`);
  assert.match(m.text, new RegExp(`^Type ${code} within 10 minutes\\. Asked from `));
  assert.equal(m.html, `<h1>Shop &lt;A&gt; &amp; Co</h1><p>Code <b>${code}</b></p>`);
  // The code in the custom message signs in.
  const verified = await call('POST', '/api/v1/auth/email-code/verify', { body: { client_id: appA.client_id, email: ann.email, code } });
  assert.equal(verified.status, 200, JSON.stringify(verified.body));

  // B's users still get the shipped words, and B sees no custom template.
  const bob = await newUser(b, appB, 'tpl-b');
  await call('POST', '/api/v1/auth/email-code', { body: { client_id: appB.client_id, email: bob.email } });
  const theirs = await outboxMessage(bob.email);
  assert.match(theirs.subject, /^\d{6} is your Shop B code$/);
  assert.equal((await b.api('GET', '/api/v1/templates/magic_code')).body.custom, false);
  // B cannot remove A's template, and B's own changes its own only; A's change is one of A's
  // security events.
  assertError(await b.api('DELETE', '/api/v1/templates/magic_code'), 404, 'NOT_FOUND');
  const bOwn = await b.api('PUT', '/api/v1/templates/magic_code', { ...OWN, subject: 'B: {{code}}' });
  assert.equal(bOwn.status, 200, JSON.stringify(bOwn.body));
  const stillA = (await a.api('GET', '/api/v1/templates/magic_code')).body;
  assert.equal(stillA.custom, true);
  assert.equal(stillA.subject, OWN.subject);
  assert.equal((await b.api('DELETE', '/api/v1/templates/magic_code')).status, 204);
  assert.equal((await a.api('GET', '/api/v1/templates/magic_code')).body.custom, true);
  const events = (await a.api('GET', '/api/v1/security-events?kind=template.updated')).body.events;
  assert.equal(events.length, 1);
  assert.equal(events[0].detail.kind, 'magic_code');
  // B's list holds B's own change only.
  assert.equal((await b.api('GET', '/api/v1/security-events?kind=template.updated')).body.events.length, 1);

  // Reset: the default is back, once.
  assert.equal((await a.api('DELETE', '/api/v1/templates/magic_code')).status, 204);
  assertError(await a.api('DELETE', '/api/v1/templates/magic_code'), 404, 'NOT_FOUND');
  const carl = await newUser(a, appA, 'tpl-a2');
  await call('POST', '/api/v1/auth/email-code', { body: { client_id: appA.client_id, email: carl.email } });
  assert.match((await outboxMessage(carl.email)).subject, /^\d{6} is your Shop <A> & Co code$/);
});

test('reading templates needs organizations:read, and changing them organizations:write', async () => {
  const made = await a.api('POST', '/api/v1/api-keys', { name: 'reader', permissions: ['organizations:read'] });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const reader = (method, path, body) => call(method, path, { body, headers: bearer(made.body.key) });
  assert.equal((await reader('GET', '/api/v1/templates')).status, 200);
  assert.equal((await reader('POST', '/api/v1/templates/magic_link/preview', {})).status, 200);
  assertError(await reader('PUT', '/api/v1/templates/magic_code', OWN), 403, 'FORBIDDEN');
  assertError(await reader('DELETE', '/api/v1/templates/magic_code'), 403, 'FORBIDDEN');
  const users = await a.api('POST', '/api/v1/api-keys', { name: 'users', permissions: ['users:read'] });
  assertError(await call('GET', '/api/v1/templates', { headers: bearer(users.body.key) }), 403, 'FORBIDDEN');
  assertError(await call('GET', '/api/v1/templates'), 401, 'UNAUTHORIZED');
});
