// The admin dashboard's Users section (www/admin/users.js) in Chromium against wrangler dev:
// an administrator with an API key lists users 25 a page, finds one by email and by status,
// creates one (a refused creation says why, next to the form), and on a user's page disables
// and enables them, marks the email verified, lifts a lockout, resets the password, saves
// roles, sees their applications, revokes a session and all of them (the refresh tokens stop
// working), reads their recent sign-ins and follows the link to all of them, and deletes them
// after confirming. Every UI action is checked through the API. A key with users:read only is
// told what it lacks; a hostile name stays text; nothing is wider than a 390 px phone; axe-core
// finds no serious violation in either colour scheme. Screenshots: tests/.artifacts/admin-users-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { call, newOrg, email, registered } from './lib.mjs';
import { launchBrowser, screenshots, axeViolations, openDashboard } from './browser.mjs';

const shot = screenshots('admin-users');
const PASSWORD = 'users section password';
const HOSTILE = '<img src=x onerror=window.pwned=1>';
const PARIS = 'country=FR;region=Île-de-France;city=Paris;lat=48.8566;lon=2.3522;tz=Europe/Paris;asn=3215';
const LAGOS = 'country=NG;region=Lagos;city=Lagos;lat=6.5244;lon=3.3792;tz=Africa/Lagos;asn=29465';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

let browser;
let org;
let app;
/** Users made in `before`: `crowd` fills more than one page; `hostile` has a name that is markup. */
const made = {};

before(async () => {
  browser = await launchBrowser();
  org = await newOrg();
  app = (await org.api('POST', '/api/v1/applications', { name: 'Users test app' })).body;
  made.crowd = [];
  for (let i = 0; i < 26; i++) {
    const res = await org.api('POST', '/api/v1/users', { email: email(`crowd${String(i).padStart(2, '0')}`), name: `Crowd member ${i}` });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    made.crowd.push(res.body);
  }
  made.hostile = (await org.api('POST', '/api/v1/users', { email: email('hostile'), name: HOSTILE })).body;
  made.quiet = (await org.api('POST', '/api/v1/users', { email: email('quiet') })).body;
  assert.equal((await org.api('PUT', `/api/v1/users/${made.quiet.id}`, { status: 'disabled' })).status, 200);
});
after(async () => { await browser?.close(); });

const login = (user, { password = PASSWORD, geo = PARIS, ua = FIREFOX, device, ip } = {}) => call('POST', '/api/v1/auth/login', {
  body: { client_id: app.client_id, login_id: user.email, password, ...(device ? { device: { name: device } } : {}) },
  headers: { 'x-latchkey-dev-geo': geo, 'user-agent': ua, ...(ip ? { 'cf-connecting-ip': ip } : {}) },
});
const refresh = (token) => call('POST', '/api/v1/auth/refresh', { body: { refresh_token: token } });

/** A user with a password, registered for the test application. */
async function member(tag, extra = {}) {
  const res = await org.api('POST', '/api/v1/users', { email: email(tag), password: PASSWORD, ...extra });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return registered(org, app, res.body);
}

/** The dashboard opened with `key`, on `hash`; page errors collected. */
async function dashboard(key, hash = '#users', context = {}) {
  const { ctx, page, errors } = await openDashboard(browser, key, { hash, context });
  await page.waitForSelector('body[data-auth="signed-in"]', { state: 'attached' });
  // The list the dashboard opens on has loaded (or said why not): the dashboard shows the
  // section once more when it has opened, which would replace a page opened sooner.
  await page.waitForFunction(() => document.getElementById('view-users').getAttribute('aria-busy') === 'false');
  return { ctx, page, errors };
}

const view = (page) => page.locator('#view-users');
/** Opens `hash`, and waits until the section has shown it, every part loaded. */
async function go(page, hash) {
  const before = Number(await page.getAttribute('#view-users', 'data-shown') ?? 0);
  await page.evaluate((h) => { location.hash = h; }, hash);
  if (!hash.startsWith('#users')) return;
  await page.waitForFunction((n) => {
    const v = document.getElementById('view-users');
    return Number(v.dataset.shown) > n && v.getAttribute('aria-busy') === 'false';
  }, before);
}
/** The list has its answer: the range says which users it shows. */
const listed = (page, text) => page.waitForFunction((t) => {
  const s = document.querySelector('#view-users nav.pages span')?.textContent ?? '';
  return t instanceof RegExp ? t.test(s) : s === t;
}, text);
/** A user's page has its heading, and each part has loaded. */
async function userPage(page, user) {
  await go(page, `#users/${user.id}`);
  await page.locator('#view-users h2', { hasText: user.email }).waitFor();
}
/** Every row's last sign-in has been looked up. */
const lastSignIns = (page) => page.waitForFunction(() => [...document.querySelectorAll('#view-users table.users tbody tr')].every((r) => r.cells[4].textContent !== '…'));
const card = (page, title) => view(page).locator('section.card', { has: page.getByRole('heading', { name: title, exact: true }) });
const apiUser = async (id) => (await org.api('GET', `/api/v1/users/${id}`)).body;

test('the list pages through users 25 at a time, finds one by email and by status, and opens a user', async () => {
  const user = await member('listed');
  assert.equal((await login(user)).status, 200);
  const total = (await org.api('GET', '/api/v1/users?limit=1')).body.total_count;
  assert.ok(total > 25, `${total} users`);
  const { ctx, page, errors } = await dashboard(org.key);
  await listed(page, `1–25 of ${total}`);
  const rows = view(page).locator('table.users tbody tr');
  assert.equal(await rows.count(), 25);
  await lastSignIns(page);
  assert.match(await rows.first().innerText(), /crowd00-.*@example\.com\s+Crowd member 0\s+Active\s+No\s+Never/);
  assert.equal(await view(page).getByRole('button', { name: 'Previous' }).isDisabled(), true);
  await shot(page, 'list');

  // The next page holds the rest; the previous one comes back.
  await view(page).getByRole('button', { name: 'Next' }).click();
  await listed(page, `26–${total} of ${total}`);
  assert.equal(await rows.count(), total - 25);
  assert.equal(await view(page).getByRole('button', { name: 'Next' }).isDisabled(), true);
  // The user who signed in shows when, from the login records.
  const row = rows.filter({ hasText: user.email });
  await page.waitForFunction((e) => [...document.querySelectorAll('#view-users table.users tr')].find((r) => r.textContent.includes(e))?.cells[4].textContent.match(/\d{4}/), user.email);
  assert.doesNotMatch(await row.innerText(), /Never/);
  // The hostile name is text: no image, no script ran.
  assert.ok((await rows.filter({ hasText: HOSTILE }).count()) === 1, 'the name shows as written');
  assert.equal(await view(page).locator('img').count(), 0);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  await view(page).getByRole('button', { name: 'Previous' }).click();
  await listed(page, `1–25 of ${total}`);

  // By text in the address or the name, in any case, then by status.
  const search = view(page).getByLabel('Email, username or name', { exact: true });
  await search.fill(made.crowd[3].email.split('@')[0].toUpperCase());
  await view(page).getByRole('button', { name: 'Search' }).click();
  await listed(page, '1–1 of 1');
  assert.match(await rows.first().innerText(), /Crowd member 3/);
  await search.fill('MEMBER 1');
  await view(page).getByRole('button', { name: 'Search' }).click();
  const tens = made.crowd.filter((u) => u.name.startsWith('Crowd member 1')).length;
  await listed(page, `1–${tens} of ${tens}`);
  await search.fill('nobody-here');
  await view(page).getByRole('button', { name: 'Search' }).click();
  await listed(page, 'No users match.');
  assert.equal(await rows.count(), 0);
  // Too long: the server's reason is said.
  await search.fill('x'.repeat(101));
  await view(page).getByRole('button', { name: 'Search' }).click();
  await view(page).locator('p.note.error').waitFor();
  await search.fill('');
  await view(page).getByLabel('Status').selectOption('disabled');
  await view(page).getByRole('button', { name: 'Search' }).click();
  await listed(page, '1–1 of 1');
  assert.match(await rows.first().innerText(), new RegExp(`${made.quiet.email.replace(/[.+]/g, '\\$&')}[\\s\\S]*Disabled`));
  await view(page).getByRole('button', { name: 'Clear' }).click();
  await listed(page, `1–25 of ${total}`);

  // A row opens the user's page, and the way back keeps the list.
  await rows.nth(2).locator('td').nth(2).click();
  await page.waitForFunction((id) => location.hash === `#users/${id}`, made.crowd[2].id);
  await page.locator('#view-users h2', { hasText: made.crowd[2].email }).waitFor();
  await view(page).getByRole('link', { name: '← All users' }).click();
  await listed(page, `1–25 of ${total}`);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('creating a user: a refused creation says why next to the form; a good one opens the new user', async () => {
  const { ctx, page, errors } = await dashboard(org.key);
  await listed(page, /of/);
  const form = card(page, 'Create a user');
  const address = email('created');
  const fill = async (mail, password) => {
    await form.getByLabel('Email', { exact: true }).fill(mail);
    await form.getByLabel('Password (optional)').fill(password);
  };
  // A password too short: the server's words.
  await fill(address, 'short');
  await form.getByRole('button', { name: 'Create user' }).click();
  await form.getByRole('alert').filter({ hasText: /Not created: password must have at least/ }).waitFor();
  await shot(page, 'create-refused');
  // An address already taken.
  await fill(made.crowd[0].email, 'a long enough password');
  await form.getByRole('button', { name: 'Create user' }).click();
  await form.getByRole('alert').filter({ hasText: /Not created: .+/ }).waitFor();
  const taken = await form.getByRole('alert').textContent();
  assert.doesNotMatch(taken, /password must/, taken);
  assert.equal((await org.api('GET', `/api/v1/users?email=${encodeURIComponent(address)}`)).body.total_count, 0);

  await fill(address, 'a long enough password');
  await form.getByLabel('Name (optional)', { exact: true }).fill('Newly Made');
  await form.getByLabel('Username (optional)').fill(`newly${Date.now()}`);
  await form.getByLabel('Require a new password at the first sign-in').check();
  await form.getByRole('button', { name: 'Create user' }).click();
  await page.locator('#view-users h2', { hasText: address }).waitFor();
  await view(page).getByText(`Created ${address}.`).waitFor();
  const found = (await org.api('GET', `/api/v1/users/by-email?email=${encodeURIComponent(address)}`)).body;
  assert.equal(found.name, 'Newly Made');
  assert.equal(found.has_password, true);
  assert.equal(found.password_change_required, true);
  assert.equal(await page.evaluate(() => location.hash), `#users/${found.id}`);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test("a user's page: disable and enable, verify, unlock, reset the password, roles and applications", async () => {
  const user = await member('managed', { name: 'Managed Person' });
  const [reader, writer] = await Promise.all(['reader', 'writer'].map(async (name) => (await org.api('POST', '/api/v1/roles', { name: `${name}-${Date.now()}`, description: `Can ${name}` })).body));
  // Locked out: failures from one address, then even the right password is refused.
  const ip = '198.51.100.61';
  for (let i = 0; i < 6; i++) await login(user, { password: `wrong ${i}`, ip });
  assert.equal((await login(user, { ip })).status, 429);

  const { ctx, page, errors } = await dashboard(org.key);
  await userPage(page, user);
  const details = card(page, 'Details');
  assert.match(await details.innerText(), /Managed Person[\s\S]*not verified[\s\S]*Active/);
  await card(page, 'Applications').getByText('Users test app').waitFor();
  await shot(page, 'user');

  // Disable: asked first, in place; Cancel changes nothing and gives the focus back.
  const disable = details.getByRole('button', { name: 'Disable' });
  await disable.click();
  const ask = details.getByRole('group', { name: /Disable this user\?/ });
  await ask.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'group');
  await shot(page, 'confirm');
  await ask.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await ask.count(), 0);
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Disable');
  assert.equal((await apiUser(user.id)).status, 'active');
  // Escape cancels too.
  await disable.click();
  await page.keyboard.press('Escape');
  assert.equal(await ask.count(), 0);
  await disable.click();
  await ask.getByRole('button', { name: 'Yes' }).click();
  await details.getByText('Disabled: their sessions ended.').waitFor();
  assert.equal((await apiUser(user.id)).status, 'disabled');
  assert.match(await details.innerText(), /Status\s+Disabled/);
  // Enabling asks nothing.
  await details.getByRole('button', { name: 'Enable' }).click();
  await details.getByText('Enabled: the user may sign in again.').waitFor();
  assert.equal((await apiUser(user.id)).status, 'active');

  await details.getByRole('button', { name: 'Mark the email verified' }).click();
  await details.getByText('The email address is marked verified.').waitFor();
  assert.equal((await apiUser(user.id)).email_verified, true);
  assert.match(await details.innerText(), /\(verified\)/);

  await details.getByRole('button', { name: 'Lift lockouts' }).click();
  await details.getByText(/Lockouts lifted/).waitFor();
  assert.equal((await login(user, { ip })).status, 200, 'the right password works again');

  // Roles: ticked and saved as a whole.
  const roles = card(page, 'Roles');
  await roles.getByLabel(reader.name).check();
  await roles.getByLabel(writer.name).check();
  await roles.getByRole('button', { name: 'Save roles' }).click();
  await roles.getByText(/^Roles saved: /).waitFor();
  const held = async () => (await org.api('GET', `/api/v1/users/${user.id}/roles`)).body.roles.map((r) => r.id).sort();
  assert.deepEqual(await held(), [reader.id, writer.id].sort());
  await roles.getByLabel(writer.name).uncheck();
  await roles.getByRole('button', { name: 'Save roles' }).click();
  await roles.getByText(`Roles saved: ${reader.name}.`).waitFor();
  assert.deepEqual(await held(), [reader.id]);

  // Password reset: a new one, and a change required at the next sign-in.
  const reset = card(page, 'Reset the password');
  await reset.getByLabel('New password', { exact: true }).fill('short');
  await reset.getByRole('button', { name: 'Save' }).click();
  await reset.getByText(/password must have at least/).waitFor();
  await reset.getByLabel('New password', { exact: true }).fill('a brand new password');
  await reset.getByLabel('Require a new password at the next sign-in').check();
  await reset.getByRole('button', { name: 'Save' }).click();
  await reset.getByText(/^Password set/).waitFor();
  assert.equal((await apiUser(user.id)).password_change_required, true);
  assert.equal((await login(user)).status, 401, 'the old password no longer works');
  assert.match(await details.innerText(), /a new one is required/);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test("a user's sessions: one revoked, then all; their sign-ins and the link to all of them; deletion", async () => {
  const user = await member('sessions');
  const laptop = (await login(user, { device: 'Work laptop', geo: PARIS, ua: FIREFOX })).body;
  const phone = (await login(user, { device: 'Pocket phone', geo: LAGOS, ua: SAFARI })).body;
  const spare = (await login(user, { device: 'Spare tablet', geo: PARIS, ua: SAFARI })).body;
  assert.equal((await login(user, { password: 'a wrong guess', geo: LAGOS })).status, 401);
  const active = async () => (await org.api('GET', `/api/v1/users/${user.id}/sessions`)).body.sessions;
  assert.equal((await active()).length, 3);

  const { ctx, page, errors } = await dashboard(org.key);
  await userPage(page, user);
  const sessions = card(page, 'Active sessions');
  const rows = sessions.locator('tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 3);
  const laptopRow = rows.filter({ hasText: 'Work laptop' });
  assert.match(await laptopRow.innerText(), /Work laptop\s+Firefox [\d.]+ on Linux\s+Paris, France/);
  assert.match(await rows.filter({ hasText: 'Pocket phone' }).innerText(), /Lagos, Nigeria/);

  await laptopRow.getByRole('button', { name: /^Revoke/ }).click();
  await laptopRow.getByRole('group', { name: 'Revoke this session?' }).getByRole('button', { name: 'Yes' }).click();
  await sessions.getByText('Session revoked.').waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('#view-users tbody tr')].every((r) => !r.textContent.includes('Work laptop')));
  assert.equal(await rows.count(), 2);
  assert.deepEqual((await active()).map((s) => s.device_name).sort(), ['Pocket phone', 'Spare tablet']);
  assert.equal((await refresh(laptop.refresh_token)).status, 401, 'the revoked session cannot refresh');
  const renewed = await refresh(phone.refresh_token);
  assert.equal(renewed.status, 200, 'the others still can');

  // Revoke all: asked first; afterwards no session is left and no token refreshes.
  const all = sessions.getByRole('button', { name: 'Revoke all' });
  await all.click();
  await shot(page, 'confirm-sessions');
  await sessions.getByRole('group', { name: /every session/ }).getByRole('button', { name: 'Yes' }).click();
  await sessions.getByText('Revoked 2 sessions.').waitFor();
  await sessions.getByText('No active session.').waitFor();
  assert.deepEqual(await active(), []);
  assert.equal((await refresh(renewed.body.refresh_token)).status, 401);
  assert.equal((await refresh(spare.refresh_token)).status, 401);
  assert.equal(await all.isDisabled(), true);

  // Recent sign-ins, newest first, in words; the link shows all of them in Login activity.
  const history = card(page, 'Recent sign-ins');
  const records = await history.locator('tbody tr').allInnerTexts();
  assert.equal(records.length, 4, records.join('\n'));
  assert.match(records[0], /Failed: wrong password/);
  assert.match(records[0], /Lagos, Nigeria/);
  assert.match(records[3], /Signed in\s+Users test app\s+.*password/i);
  await history.getByRole('link', { name: /All of this user’s login activity/ }).click();
  await page.waitForFunction((id) => location.hash === `#activity/user/${id}` && !document.getElementById('view-activity').hidden, user.id);
  assert.equal(await page.inputValue('#f-user'), user.id);
  await page.waitForFunction(() => document.getElementById('page').textContent === '1–4 of 4');

  // Deletion: Cancel keeps the user; Yes deletes and goes back to the list.
  await userPage(page, user);
  const remove = card(page, 'Delete this user');
  await remove.getByRole('button', { name: 'Delete user' }).click();
  await remove.getByRole('group', { name: `Delete ${user.email} for good?` }).getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await org.api('GET', `/api/v1/users/${user.id}`)).status, 200);
  await remove.getByRole('button', { name: 'Delete user' }).click();
  await remove.getByRole('button', { name: 'Yes' }).click();
  await page.waitForFunction(() => location.hash === '#users');
  await view(page).getByText(`Deleted ${user.email}.`).waitFor();
  assert.equal((await org.api('GET', `/api/v1/users/${user.id}`)).status, 404);
  // Its page now says so.
  await go(page, `#users/${user.id}`);
  await view(page).getByText('There is no such user; it may have been deleted.').waitFor();
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('a key with users:read only sees users, and is told what it lacks when it changes something', async () => {
  const created = await org.api('POST', '/api/v1/api-keys', { name: 'users reader', permissions: ['users:read', 'login_records:read'] });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const user = await member('read-only');
  const { ctx, page, errors } = await dashboard(created.body.key);
  await listed(page, /of/);
  // Creating is refused, and the permission named.
  const form = card(page, 'Create a user');
  await form.getByLabel('Email', { exact: true }).fill(email('never'));
  await form.getByRole('button', { name: 'Create user' }).click();
  await form.getByRole('alert').filter({ hasText: 'Not created: This key may not do this (FORBIDDEN): it needs users:write.' }).waitFor();

  await userPage(page, user);
  // Roles need roles:read to be listed.
  await card(page, 'Roles').getByText('it needs roles:read').waitFor();
  const details = card(page, 'Details');
  await details.getByRole('button', { name: 'Disable' }).click();
  await details.getByRole('button', { name: 'Yes' }).click();
  await details.getByText('This key may not do this (FORBIDDEN): it needs users:write.').waitFor();
  assert.equal((await apiUser(user.id)).status, 'active');
  await details.getByRole('button', { name: 'Mark the email verified' }).click();
  await details.getByText(/it needs users:write/).waitFor();
  assert.equal((await apiUser(user.id)).email_verified, false);
  await shot(page, 'read-only');
  assert.deepEqual(errors, []);
  await ctx.close();

  // A key that may read records but not users sees why the list is empty.
  const recordsOnly = (await org.api('POST', '/api/v1/api-keys', { name: 'records only', permissions: ['login_records:read'] })).body.key;
  const second = await dashboard(recordsOnly);
  await view(second.page).getByText('This key may not do this (FORBIDDEN): it needs users:read.').waitFor();
  await second.ctx.close();
});

test('the users section fits a 390 px phone and passes axe-core in both colour schemes', async () => {
  const user = await member('phone', { name: 'A rather long name for a narrow phone screen' });
  await login(user, { device: 'Work laptop' });
  const { ctx, page, errors } = await dashboard(org.key, '#users', { viewport: { width: 390, height: 844 } });
  await listed(page, /of/);
  const fits = async (what) => assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, `${what}: nothing wider than the phone`);
  await fits('the list');
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    assert.deepEqual(await axeViolations(page), [], `list, ${scheme}`);
    await shot(page, `phone-list-${scheme}`);
  }
  await userPage(page, user);
  await card(page, 'Active sessions').locator('tbody tr').first().waitFor();
  await card(page, 'Details').getByRole('button', { name: 'Disable' }).click();
  await fits('the user');
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    assert.deepEqual(await axeViolations(page), [], `user, ${scheme}`);
    await shot(page, `phone-user-${scheme}`);
  }
  assert.deepEqual(errors, []);
  await ctx.close();
});
