// Passwordless sign-in in Chromium: <latchkey-login>'s "email me a code" step (a wrong code,
// then the right one) and "email me a link" across two browser contexts (the link opened
// in the second, approved there, signs the first in), the resend countdown, the link's
// page and the development outbox. Screenshots go to tests/.artifacts/passwordless-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, call, newOrg, email, registered, outboxMessage } from './lib.mjs';
import { visit, openDemo, launchBrowser, screenshots } from './browser.mjs';

const shot = screenshots('passwordless');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let browser;
let org;
let app;
before(async () => {
  browser = await launchBrowser();
  org = await newOrg();
  const res = await org.api('POST', '/api/v1/applications', {
    name: 'Passwordless widget', login_methods: ['password', 'magic_code', 'magic_link'],
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  app = res.body;
});
after(async () => { await browser?.close(); });

async function newUser(tag) {
  const created = await org.api('POST', '/api/v1/users', { email: email(tag) });
  assert.equal(created.status, 201);
  return registered(org, app, created.body);
}

async function outbox(to, after = 0) {
  const m = await outboxMessage(to, { after });
  if (!m) throw new Error(`nothing sent to ${to}`);
  return m;
}

async function demo() {
  const ctx = await browser.newContext();
  return { ctx, ...(await openDemo(ctx, app.client_id)) };
}

test('the widget emails a code, refuses a wrong one, and signs in with the right one', async () => {
  const user = await newUser('widget-code');
  const { ctx, page, errors, widget } = await demo();
  await shot(page, 'form');
  await widget.getByLabel('Email or username').fill(user.email);
  await widget.getByRole('button', { name: 'Email me a sign-in code' }).click();
  const code = widget.getByLabel('Sign-in code');
  await code.waitFor({ state: 'visible' });
  assert.equal(await widget.locator('[part="title"]').textContent(), 'Enter your code');
  assert.match(await widget.locator('#emailed-prompt').textContent(), new RegExp(`sent a 6-digit code to ${user.email.replace(/[.+]/g, '\\$&')}`));
  assert.equal(await code.getAttribute('autocomplete'), 'one-time-code');
  // The resend button counts down; password and the other buttons are gone.
  const resend = widget.locator('#resend');
  assert.match(await resend.textContent(), /^You can ask again in \d+ s$/);
  assert.equal(await resend.isDisabled(), true);
  assert.equal(await widget.locator('#password-row').isHidden(), true);
  await shot(page, 'code-step');
  // It counts down, a second at a time.
  await page.waitForFunction(() => /^You can ask again in 2\d s$/.test(document.querySelector('latchkey-login').shadowRoot.getElementById('resend').textContent), null, { timeout: 5000 });

  const sent = await outbox(user.email);
  const right = sent.subject.slice(0, 6);
  await code.fill(right === '000000' ? '111111' : '000000');
  await widget.getByRole('button', { name: 'Verify' }).click();
  await page.waitForFunction(() => document.querySelector('latchkey-login').shadowRoot.getElementById('error').textContent.length > 0);
  assert.equal(await widget.locator('#error').textContent(), 'That code is not right. Check the message and try again.');
  assert.equal(await code.getAttribute('aria-invalid'), 'true');
  await shot(page, 'code-wrong');

  await code.fill(right);
  const method = page.evaluate(() => new Promise((resolve) => {
    document.querySelector('latchkey-login').addEventListener('latchkey:login', (e) => resolve(e.detail.method), { once: true });
  }));
  await widget.getByRole('button', { name: 'Verify' }).click();
  await page.waitForSelector('body[data-auth="signed-in"]');
  assert.equal(await method, 'magic_code');
  assert.equal(await page.locator('#signed-in').textContent(), user.email);
  await shot(page, 'code-signed-in');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('a link opened in another browser signs in the page that asked for it', async () => {
  const user = await newUser('widget-link');
  const { ctx, page, errors, widget } = await demo();
  await widget.getByLabel('Email or username').fill(user.email);
  await widget.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await widget.locator('#emailed-prompt').waitFor({ state: 'visible' });
  assert.equal(await widget.locator('[part="title"]').textContent(), 'Check your email');
  assert.match(await widget.locator('#emailed-prompt').textContent(), /this page signs you in by itself/);
  assert.equal(await widget.getByRole('button', { name: 'Verify' }).isHidden(), true);
  await shot(page, 'link-sent');

  // Another device: a separate browser context opens the link from the email.
  const link = (await outbox(user.email)).text.match(/(http\S+\/magic-link#[0-9a-f]{64})/)[1];
  const other = await browser.newContext();
  const phone = await other.newPage();
  await phone.setViewportSize({ width: 390, height: 760 });
  await visit(phone, link);
  await phone.getByRole('button', { name: 'Yes, sign me in there' }).waitFor();
  assert.equal(new URL(phone.url()).hash, '', 'the token is taken off the address');
  assert.equal(await phone.locator('#email').textContent(), user.email);
  assert.equal(await phone.locator('#app').textContent(), 'Passwordless widget');
  await shot(phone, 'link-page');
  await phone.getByRole('button', { name: 'Yes, sign me in there' }).click();
  await phone.getByText('You can close this tab').waitFor();
  await shot(phone, 'link-approved');

  // The first page signs in by itself.
  await page.waitForSelector('body[data-auth="signed-in"]', { timeout: 15_000 });
  assert.equal(await page.locator('#signed-in').textContent(), user.email);
  await shot(page, 'link-signed-in');

  // The link again: used.
  const again = await other.newPage();
  await visit(again, link);
  await again.getByText('This link was used already').waitFor();
  assert.deepEqual(errors, []);
  await ctx.close();
  await other.close();
});

test('the development outbox lists what was sent, with its links clickable', async () => {
  const user = await newUser('outbox');
  await call('POST', '/api/v1/auth/magic-link', { body: { client_id: app.client_id, email: user.email } });
  await outbox(user.email);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await visit(page, `${BASE}/dev/outbox.html`);
  await page.getByRole('heading', { name: 'Sign in to Passwordless widget' }).first().waitFor();
  const href = await page.locator('article a').first().getAttribute('href');
  assert.match(href, /\/magic-link#[0-9a-f]{64}$/);
  assert.equal(await page.locator('article script').count(), 0);
  await shot(page, 'outbox');
  await ctx.close();
});

test('"Forgot password?" sends a link whose page sets a new password, then the widget signs in with it', async () => {
  const created = await org.api('POST', '/api/v1/users', { email: email('widget-reset'), password: 'forgotten password 1' });
  const user = await registered(org, app, created.body);
  const { ctx, page, errors, widget } = await demo();
  await widget.getByLabel('Email or username').fill(user.email);
  await widget.getByRole('button', { name: 'Forgot password?' }).click();
  await widget.locator('#emailed-prompt').waitFor({ state: 'visible' });
  assert.match(await widget.locator('#emailed-prompt').textContent(), /we sent it a link to choose a new password/);
  await shot(page, 'reset-sent');

  const link = (await outbox(user.email)).text.match(/(http\S+\/reset-password#[0-9a-f]{64})/)[1];
  const tab = await ctx.newPage();
  await visit(tab, link);
  await tab.getByLabel('New password').waitFor();
  assert.equal(new URL(tab.url()).hash, '');
  assert.match(await tab.locator('#state').textContent(), new RegExp(user.email.replace(/[.+]/g, '\\$&')));
  await tab.getByLabel('New password').fill('remembered password 2');
  await tab.getByLabel('The same again').fill('remembered password X');
  await tab.getByRole('button', { name: 'Save the new password' }).click();
  assert.equal(await tab.locator('#error').textContent(), 'The two passwords differ.');
  await tab.getByLabel('The same again').fill('remembered password 2');
  await shot(tab, 'reset-page');
  await tab.getByRole('button', { name: 'Save the new password' }).click();
  await tab.getByText('Your password was changed').waitFor();
  await shot(tab, 'reset-done');

  await widget.getByRole('button', { name: 'Back to sign in' }).click();
  await widget.getByLabel('Password', { exact: true }).fill('remembered password 2');
  await widget.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForSelector('body[data-auth="signed-in"]');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('"Text me a sign-in code" texts the number typed and signs in with the code', async () => {
  const o = await newOrg();
  await o.api('PUT', `/api/v1/organizations/${o.org.id}`, { messaging: { sms: 'twilio' } });
  const a = (await o.api('POST', '/api/v1/applications', { name: 'Texting widget', login_methods: ['password', 'sms_code'] })).body;
  const phone = `+1415666${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
  const created = await o.api('POST', '/api/v1/users', { email: email('widget-sms'), phone });
  await registered(o, a, created.body);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await visit(page, `${BASE}/?client_id=${a.client_id}`);
  await page.waitForSelector('body[data-sdk="ready"]');
  const widget = page.locator('latchkey-login');
  const button = widget.getByRole('button', { name: 'Text me a sign-in code' });
  await button.waitFor({ state: 'visible' });
  await widget.getByLabel('Email or username').fill('415 666 0000');
  await button.click();
  assert.match(await widget.locator('#error').textContent(), /country code/);
  await widget.getByLabel('Email or username').fill(phone);
  await button.click();
  await widget.getByLabel('Sign-in code').waitFor({ state: 'visible' });
  assert.match(await widget.locator('#emailed-prompt').textContent(), /We texted a 6-digit code to \+1415666/);
  await shot(page, 'sms-step');
  let body;
  for (let i = 0; i < 100 && !body; i++) {
    const all = await (await fetch(`${process.env.LATCHKEY_STANDIN_URL}/__sent`)).json();
    body = all.map((r) => new URLSearchParams(r.body)).find((f) => f.get('To') === phone)?.get('Body');
    if (!body) await sleep(100);
  }
  await widget.getByLabel('Sign-in code').fill(body.slice(0, 6));
  await widget.getByRole('button', { name: 'Verify' }).click();
  await page.waitForSelector('body[data-auth="signed-in"]');
  assert.deepEqual(errors, []);
  await ctx.close();
});
