// MFA in Chromium: <latchkey-login>'s code step (an authenticator app's code, a wrong one, a
// backup code, trusting the device), setting up an authenticator inside the widget when the
// application requires MFA, and LatchkeyClient's completeMfa. Codes come from npm `otpauth`.
// Screenshots go to tests/.artifacts/mfa-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as OTPAuth from 'otpauth';
import { BASE, call, newOrg, email, registered } from './lib.mjs';
import { visit, launchBrowser, screenshots } from './browser.mjs';

const PASSWORD = 'mfa widget password';
const shot = screenshots('mfa');

let browser;
let org;
before(async () => {
  browser = await launchBrowser();
  org = await newOrg();
});
after(async () => { await browser?.close(); });

async function userOf(app, tag) {
  const created = await org.api('POST', '/api/v1/users', { email: email(tag), password: PASSWORD });
  assert.equal(created.status, 201);
  return registered(org, app, created.body);
}

/** Enrols an authenticator app for `user` through the API: its TOTP and backup codes. */
async function enrol(app, user) {
  const signedIn = await call('POST', '/api/v1/auth/login', { body: { client_id: app.client_id, login_id: user.email, password: PASSWORD } });
  assert.equal(signedIn.status, 200);
  const auth = { authorization: `Bearer ${signedIn.body.access_token}` };
  const started = await call('POST', '/api/v1/mfa/totp', { headers: auth });
  const totp = OTPAuth.URI.parse(started.body.otpauth_uri);
  const confirmed = await call('POST', `/api/v1/mfa/totp/${started.body.id}/confirm`, { body: { code: totp.generate() }, headers: auth });
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
  return { totp, backupCodes: confirmed.body.backup_codes };
}

/** The code of the next time step: the current one was spent confirming. */
const nextCode = (totp) => totp.generate({ timestamp: Date.now() + 30_000 });

async function demo(app) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await visit(page, `${BASE}/?client_id=${app.client_id}`);
  await page.waitForSelector('body[data-sdk="ready"]');
  await page.waitForFunction(() => !document.querySelector('latchkey-login').shadowRoot.getElementById('submit').disabled);
  return { ctx, page, errors, widget: page.locator('latchkey-login') };
}

const shadow = (page, id, prop) => page.evaluate(([i, p]) => document.querySelector('latchkey-login').shadowRoot.getElementById(i)?.[p], [id, prop]);

test('test_mfa_widget_code_step_wrong_then_right_and_backup_code', async () => {
  const app = (await org.api('POST', '/api/v1/applications', { name: 'MFA widget' })).body;
  const user = await userOf(app, 'widget-mfa');
  const { totp, backupCodes } = await enrol(app, user);
  const { ctx, page, errors, widget } = await demo(app);

  await widget.getByLabel('Email or username').fill(user.email);
  await widget.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await widget.getByRole('button', { name: 'Sign in' }).click();
  // The second step: the identifier and password give way to the code.
  const code = widget.getByLabel('Code', { exact: true });
  await code.waitFor({ state: 'visible' });
  assert.equal(await widget.locator('[part="title"]').textContent(), 'Two-step verification');
  assert.equal(await code.getAttribute('autocomplete'), 'one-time-code');
  assert.equal(await code.getAttribute('inputmode'), 'numeric');
  assert.equal(await shadow(page, 'login-row', 'hidden'), true);
  assert.equal(await shadow(page, 'password-row', 'hidden'), true);
  assert.equal(await page.evaluate(() => document.querySelector('latchkey-login').shadowRoot.activeElement?.id), 'code', 'focus moves to the code');
  await shot(page, 'code-step');

  // Too short: caught in the form. Wrong: said, and the field marked.
  await code.fill('123');
  await widget.getByRole('button', { name: 'Verify' }).click();
  assert.equal(await widget.locator('[part="error"]').textContent(), 'Enter the 6-digit code from your authenticator app.');
  const wrong = String((Number(nextCode(totp)) + 1) % 1e6).padStart(6, '0');
  await code.fill(wrong);
  await code.press('Enter');
  await page.waitForFunction(() => document.querySelector('latchkey-login').shadowRoot.getElementById('error').textContent.startsWith('That code'));
  assert.equal(await code.getAttribute('aria-invalid'), 'true');
  await shot(page, 'wrong-code');

  await code.fill(nextCode(totp));
  await widget.getByLabel("Don't ask again on this device").check();
  await widget.getByRole('button', { name: 'Verify' }).click();
  await page.waitForSelector('body[data-auth="signed-in"]');
  assert.equal(await page.textContent('#signed-in'), user.email);
  assert.equal(await widget.locator('#done-who').textContent(), `Signed in as ${user.email}.`);
  assert.ok(await page.evaluate((id) => localStorage.getItem(`latchkey.trust.${id}`), app.client_id), 'the trusted device keeps its token');
  await shot(page, 'signed-in');
  assert.deepEqual(errors, []);
  await ctx.close();

  // Another browser (no trust): a backup code instead.
  const second = await demo(app);
  await second.widget.getByLabel('Email or username').fill(user.email);
  await second.widget.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await second.widget.getByRole('button', { name: 'Sign in' }).click();
  await second.widget.getByRole('button', { name: 'Use a backup code instead' }).click();
  const backup = second.widget.getByLabel('Backup code', { exact: true });
  await backup.waitFor({ state: 'visible' });
  assert.equal(await backup.getAttribute('autocomplete'), 'off');
  await shot(second.page, 'backup-code');
  await backup.fill(backupCodes[0].toUpperCase());
  await backup.press('Enter');
  await second.page.waitForSelector('body[data-auth="signed-in"]');
  assert.deepEqual(second.errors, []);
  await second.ctx.close();
});

test('test_mfa_widget_sets_up_an_authenticator_when_the_application_requires_one', async () => {
  const app = (await org.api('POST', '/api/v1/applications', { name: 'MFA required', mfa: { policy: 'required', trust_days: 30, passkey_satisfies: true } })).body;
  const user = await userOf(app, 'widget-enrol');
  const { ctx, page, errors, widget } = await demo(app);
  await widget.getByLabel('Email or username').fill(user.email);
  await widget.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await widget.getByRole('button', { name: 'Sign in' }).click();
  const qr = widget.getByRole('img', { name: 'QR code to scan with an authenticator app' });
  await qr.waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.querySelector('latchkey-login').shadowRoot.getElementById('qr').naturalWidth > 0);
  const shown = await shadow(page, 'secret', 'textContent');
  assert.match(shown, /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/, 'the key in groups of four');
  const secret = shown.replaceAll(' ', '');
  assert.equal(await shadow(page, 'use-backup', 'hidden'), true, 'no backup codes yet');
  await shot(page, 'enrol');
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
  await widget.getByLabel('Code', { exact: true }).fill(totp.generate());
  await widget.getByRole('button', { name: 'Verify' }).click();
  await page.waitForSelector('body[data-auth="signed-in"]');
  const codes = await page.evaluate(() => [...document.querySelector('latchkey-login').shadowRoot.querySelectorAll('#codes li')].map((li) => li.textContent));
  assert.equal(codes.length, 10);
  for (const c of codes) assert.match(c, /^[0-9a-z]{5}-[0-9a-z]{5}$/);
  await shot(page, 'enrolled-backup-codes');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('test_mfa_sdk_login_resolves_to_the_mfa_state_and_complete_mfa_signs_in', async () => {
  const app = (await org.api('POST', '/api/v1/applications', { name: 'MFA SDK' })).body;
  const user = await userOf(app, 'sdk-mfa');
  const { totp, backupCodes } = await enrol(app, user);
  const { ctx, page, errors } = await demo(app);
  await page.evaluate(async (id) => {
    const { default: init, LatchkeyClient } = await import('/pkg/latchkey_sdk.js');
    await init();
    window.client = new LatchkeyClient({ baseUrl: location.origin, clientId: id });
  }, app.client_id);
  const state = await page.evaluate(([e, p]) => client.loginWithPassword(e, p), [user.email, PASSWORD]);
  assert.deepEqual(state, { mfa_required: true, methods: ['totp', 'backup_code'], enrollment_required: false, expires_in: 300 });
  assert.equal(await page.evaluate(() => client.user), null, 'not signed in yet');
  const wrong = await page.evaluate(() => client.completeMfa({ code: '000000' }).catch((e) => ({ code: e.code, status: e.status })));
  assert.deepEqual(wrong, { code: 'INVALID_MFA_CODE', status: 401 });
  const signedIn = await page.evaluate((c) => client.completeMfa({ code: c, trustDevice: true }), nextCode(totp));
  assert.equal(signedIn.email, user.email);
  assert.equal((await page.evaluate(() => client.user)).id, user.id);
  const list = await page.evaluate(() => client.listAuthenticators());
  assert.equal(list.mfa_enabled, true);
  assert.equal(list.backup_codes_left, 10);
  // This browser is trusted now: the next login needs no code.
  await page.evaluate(() => client.logout());
  const again = await page.evaluate(([e, p]) => client.loginWithPassword(e, p), [user.email, PASSWORD]);
  assert.equal(again.email, user.email);
  // New backup codes need the password.
  const refused = await page.evaluate(() => client.regenerateBackupCodes({}).catch((e) => e.code));
  assert.equal(refused, 'REAUTHENTICATION_REQUIRED');
  const fresh = await page.evaluate((p) => client.regenerateBackupCodes({ password: p }), PASSWORD);
  assert.equal(fresh.length, 10);
  assert.ok(!fresh.includes(backupCodes[0]));
  // Nothing waiting: completeMfa says so.
  const none = await page.evaluate(() => client.completeMfa({ code: '123456' }).catch((e) => e.code));
  assert.equal(none, 'MFA_TOKEN_INVALID');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('test_mfa_profile_sets_up_an_authenticator_shows_backup_codes_replaces_them_and_removes_it', async () => {
  const app = (await org.api('POST', '/api/v1/applications', { name: 'MFA account' })).body;
  const user = await userOf(app, 'account-mfa');
  const { ctx, page, errors, widget } = await demo(app);
  await widget.getByLabel('Email or username').fill(user.email);
  await widget.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await widget.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('body[data-auth="signed-in"]');

  // The two-step section is <latchkey-profile>'s own: the page adds nothing.
  const account = await ctx.newPage();
  account.on('pageerror', (e) => errors.push(String(e)));
  await visit(account, `${BASE}/account.html?client_id=${app.client_id}`);
  await account.waitForSelector('body[data-auth="signed-in"]');
  const profile = account.locator('latchkey-profile');
  const inProfile = (fn, arg) => account.evaluate(([f, a]) => new Function('root', 'arg', `return (${f})(root, arg)`)(document.querySelector('latchkey-profile').shadowRoot, a), [fn.toString(), arg]);
  const mfaState = () => inProfile((root) => root.getElementById('m-state').textContent);
  const focusedId = () => inProfile((root) => root.activeElement?.id || root.activeElement?.textContent);
  await account.waitForFunction(() => /^Off\./.test(document.querySelector('latchkey-profile')?.shadowRoot?.getElementById('m-state')?.textContent));
  assert.equal(await account.evaluate(() => document.querySelector('latchkey-profile').children.length), 0, 'no slotted settings');
  const section = profile.locator('#sec-mfa');
  assert.equal(await section.getByRole('heading', { level: 2 }).textContent(), 'Two-step verification');

  await section.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await account.waitForFunction(() => document.querySelector('latchkey-profile')?.shadowRoot?.getElementById('totp-qr')?.naturalWidth > 0);
  assert.equal(await focusedId(), 'totp-code', 'the focus goes to the code');
  assert.match(await profile.locator('#totp-qr').getAttribute('src'), /^data:image\/svg\+xml,/);
  assert.equal(await profile.locator('#totp-qr').getAttribute('alt'), 'QR code to scan with an authenticator app');
  const secret = (await profile.locator('#totp-secret').textContent()).trim();
  assert.match(secret, /^[A-Z2-7]{16,}$/);
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
  await shot(account, 'profile-setup');

  // A wrong code first: refused, said in the form, nothing turned on.
  const right = totp.generate();
  const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
  await section.getByLabel('Code', { exact: true }).fill(wrong);
  await section.getByRole('button', { name: 'Turn on' }).click();
  await profile.locator('#totp-error:not([hidden])').waitFor();
  assert.match(await profile.locator('#totp-error').textContent(), /^That code is not right\./);
  assert.equal(await profile.locator('#totp-code').getAttribute('aria-invalid'), 'true');
  assert.equal(await focusedId(), 'totp-code');
  assert.match(await mfaState(), /^Off\./);
  await shot(account, 'profile-wrong-code');

  // The right one: on, and the backup codes shown once.
  await section.getByLabel('Code', { exact: true }).fill(totp.generate());
  await section.getByRole('button', { name: 'Turn on' }).click();
  await profile.locator('#codes:not([hidden])').waitFor();
  const first = await profile.locator('#codes-list li').allTextContents();
  assert.equal(first.length, 10);
  assert.match(await profile.locator('#codes').innerText(), /Shown only now/);
  assert.equal(await focusedId(), 'codes-title');
  assert.equal(await profile.locator('#totp-form').isVisible(), false);
  await account.waitForFunction(() => document.querySelector('latchkey-profile')?.shadowRoot?.getElementById('m-state')?.textContent?.startsWith('On:'));
  assert.equal(await mfaState(), 'On: 1 authenticator app, 10 backup codes left.');
  assert.equal(await profile.locator('#apps li').count(), 1);
  assert.match(await profile.locator('#apps li').innerText(), /Added .* · Last used (now|\d+ seconds? ago)/, 'its first code used it');
  await shot(account, 'profile-on');
  await section.getByRole('button', { name: 'I saved them' }).click();
  assert.equal(await profile.locator('#codes').isVisible(), false);
  assert.equal(await profile.locator('#codes-list li').count(), 0, 'gone from the page once saved');
  // Nor does a reload show them again.
  await account.reload();
  await account.waitForFunction(() => document.querySelector('latchkey-profile')?.shadowRoot?.getElementById('m-state')?.textContent?.startsWith('On:'));
  assert.equal(await profile.locator('#codes').isVisible(), false);

  // New backup codes: the password, asked in place.
  await section.getByRole('button', { name: 'New backup codes' }).click();
  assert.equal(await focusedId(), 'codes-password');
  await section.locator('#codes-password').fill('not the password');
  await section.getByRole('button', { name: 'Replace the codes' }).click();
  await profile.locator('#m-error:not([hidden])').waitFor();
  assert.match(await profile.locator('#m-error').textContent(), /That password is not right/);
  await section.locator('#codes-password').fill(PASSWORD);
  await section.getByRole('button', { name: 'Replace the codes' }).click();
  await profile.locator('#codes:not([hidden])').waitFor();
  const fresh = await profile.locator('#codes-list li').allTextContents();
  assert.equal(fresh.length, 10);
  assert.ok(!fresh.includes(first[0]), 'new codes');
  assert.equal(await profile.locator('#m-error').isVisible(), false);
  await shot(account, 'profile-new-codes');

  // Removing it asks for the password in the card: a wrong one is refused, the right one removes it.
  const card = profile.locator('#apps li');
  await card.getByRole('button', { name: /^Remove / }).click();
  assert.equal(await inProfile((root) => root.activeElement?.hasAttribute('data-app-password')), true);
  await card.getByLabel('Password').fill('still not it');
  await card.getByRole('button', { name: 'Remove', exact: true }).click();
  await profile.locator('#m-error:not([hidden])').waitFor();
  assert.match(await profile.locator('#m-error').textContent(), /That password is not right/);
  assert.match(await mfaState(), /^On:/, 'still on');
  await shot(account, 'profile-remove-refused');
  await card.getByLabel('Password').fill(PASSWORD);
  await card.getByRole('button', { name: 'Remove', exact: true }).click();
  await account.waitForFunction(() => document.querySelector('latchkey-profile')?.shadowRoot?.getElementById('m-state')?.textContent?.startsWith('Off.'));
  assert.equal(await profile.locator('#apps li').count(), 0);
  assert.equal(await focusedId(), 'm-title');
  assert.equal(await section.getByRole('button', { name: 'New backup codes' }).isVisible(), false);
  // The server agrees: a password login needs no second step now.
  const login = await call('POST', '/api/v1/auth/login', { body: { client_id: app.client_id, login_id: user.email, password: PASSWORD } });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  assert.ok(login.body.access_token);
  assert.deepEqual(errors, []);
  await ctx.close();
});
