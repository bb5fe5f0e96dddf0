// The admin dashboard (www/admin/) in Chromium against wrangler dev: an administrator pastes an
// API key and sees every attempt (failures and unknown users included) in a table, on a map, per
// hour and by failure reason, with the record chain's status; filters narrow all of it, and the
// table downloads as a zip holding what the filters select; a key
// that may not read records is told so; nothing is wider than a 390 px phone; axe-core finds
// no serious violation in either colour scheme. Screenshots go to tests/.artifacts/admin-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE, call, newOrg, email, registered, unzip, parseCsv } from './lib.mjs';
import { visit, launchBrowser, screenshots, axeViolations, openDashboard } from './browser.mjs';

const shot = screenshots('admin');
const PASSWORD = 'admin dashboard password';
const PARIS = 'country=FR;region=Île-de-France;city=Paris;lat=48.8566;lon=2.3522;tz=Europe/Paris;asn=3215';
const LAGOS = 'country=NG;region=Lagos;city=Lagos;lat=6.5244;lon=3.3792;tz=Africa/Lagos;asn=29465';

let browser;
let org;
before(async () => {
  browser = await launchBrowser();
  org = await newOrg();
  const app = (await org.api('POST', '/api/v1/applications', { name: 'Dashboard app' })).body;
  const user = await registered(org, app, (await org.api('POST', '/api/v1/users', { email: email('admin-dash'), password: PASSWORD })).body);
  const from = (geo, loginId, password) => call('POST', '/api/v1/auth/login', {
    body: { client_id: app.client_id, login_id: loginId, password }, headers: { 'x-latchkey-dev-geo': geo },
  });
  assert.equal((await from(PARIS, user.email, PASSWORD)).status, 200);
  assert.equal((await from(LAGOS, user.email, 'wrong guess 1')).status, 401);
  assert.equal((await from(LAGOS, user.email, 'wrong guess 2')).status, 401);
  assert.equal((await from(LAGOS, 'ghost@example.com', 'wrong guess 3')).status, 401);
});
after(async () => { await browser?.close(); });

/** An application for Latchkey's own API, and two users of it: one whose role may read the
 * login records, one without a role. */
async function administrators() {
  const console = (await org.api('POST', '/api/v1/applications', { name: 'Console', admin_api: true })).body;
  const read = (await org.api('POST', '/api/v1/permissions', { name: 'login_records:read' })).body;
  const role = (await org.api('POST', '/api/v1/roles', { name: 'auditor', permission_ids: [read.id] })).body;
  const made = async (tag, roles) => {
    const u = (await org.api('POST', '/api/v1/users', { email: email(tag), password: PASSWORD })).body;
    assert.equal((await org.api('PUT', `/api/v1/users/${u.id}/registrations/${console.id}`)).status, 204);
    if (roles) assert.equal((await org.api('PUT', `/api/v1/users/${u.id}/roles`, { role_ids: [role.id] })).status, 200);
    return u;
  };
  return { console, auditor: await made('auditor', true), plain: await made('no-role', false) };
}

async function signIn(page, user) {
  const widget = page.locator('#sign-in latchkey-login');
  await widget.getByLabel('Email or username').fill(user.email);
  await widget.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await widget.getByRole('button', { name: 'Sign in', exact: true }).click();
}

const dashboard = (key, context = {}) => openDashboard(browser, key, { context });

const settled = (page) => page.waitForFunction(() => document.body.getAttribute('aria-busy') === 'false' && document.getElementById('page').textContent !== '');

test('an administrator sees every attempt in the table, on the map and in the charts, and filters them', async () => {
  const { ctx, page, errors } = await dashboard(org.key);
  await page.waitForSelector('body[data-auth="signed-in"]', { state: 'attached' });
  await settled(page);
  const rows = await page.locator('#records tr').allInnerTexts();
  assert.equal(rows.length, 4, rows.join('\n'));
  assert.match(rows[0], /Failed: no such user/);
  assert.match(rows[0], /ghost@example\.com/);
  assert.match(rows[1], /Failed: wrong password/);
  assert.match(rows[0], /Lagos, Nigeria/);
  assert.match(rows[3], /Signed in/);
  assert.match(rows[3], /Paris, France/);
  assert.match(await page.textContent('#summary'), /^1 successful sign-in and 3 failed attempts from /);
  await page.waitForFunction(() => /Record chain: intact from #1 through #4/.test(document.getElementById('chain').textContent));

  // The map: one circle per place, red where failures dominate; the charts in words too.
  const circles = await page.$$eval('#map circle', (cs) => cs.map((c) => [c.getAttribute('class'), c.textContent]));
  assert.deepEqual(circles.map(([, t]) => t).sort(), ['Lagos, Nigeria: 0 successful, 3 failed', 'Paris, France: 1 successful, 0 failed']);
  assert.ok(circles.find(([, t]) => t.startsWith('Lagos'))[0].includes('bad-fill'));
  // Drawn on the land's outlines: both cities are on land, the mid-Atlantic is not.
  const onLand = await page.$$eval('#map circle', (cs) => {
    const land = document.querySelector('#map path.land');
    const at = (x, y) => land.isPointInFill(new DOMPoint(x, y));
    const mapped = cs.map((c) => at(Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))));
    return { mapped, atlantic: at(((-30 + 180) / 360) * 720, ((90 - 30) / 180) * 360) };
  });
  assert.deepEqual(onLand, { mapped: [true, true], atlantic: false });
  const perHour = await page.$$eval('#hours g title', (ts) => ts.map((t) => t.textContent.match(/(\d+) successful, (\d+) failed/).slice(1).map(Number)));
  assert.deepEqual(perHour.reduce(([s, f], [a, b]) => [s + a, f + b], [0, 0]), [1, 3]);
  assert.equal(await page.textContent('#reasons-desc'), 'wrong password: 2; no such user: 1');
  await shot(page, 'records');

  // Filters narrow the table and the counts.
  await page.getByLabel('Outcome').selectOption('success');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForFunction(() => document.getElementById('page').textContent === '1–1 of 1');
  assert.match(await page.textContent('#summary'), /^1 successful sign-in and 0 failed attempts/);
  // A user's name shows only their attempts.
  await page.getByLabel('Outcome').selectOption('');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForFunction(() => document.getElementById('page').textContent === '1–4 of 4');
  await page.locator('#records button.link').first().click();
  await page.waitForFunction(() => document.getElementById('page').textContent === '1–3 of 3');
  // The download holds what the filters select: this user's three attempts.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download as zip' }).click()]);
  assert.equal(download.suggestedFilename(), 'login_attempts.zip');
  const csv = parseCsv(unzip(readFileSync(await download.path()))['login_attempts.csv']);
  assert.equal(csv.length, 1 + 3, csv.map((r) => r.join(',')).join('\n'));
  assert.deepEqual(csv.slice(1).map((r) => r[2]).sort(), ['failure', 'failure', 'success']);
  await page.waitForFunction(() => document.getElementById('state').textContent === 'Downloaded login_attempts.zip.');
  // A window wider than the counts cover still lists the records, and says why there are no charts.
  const local = (ms) => new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  await page.getByLabel('From', { exact: true }).fill(local(Date.now() - 60 * 86_400_000));
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForFunction(() => /^No counts: /.test(document.getElementById('summary').textContent));
  assert.equal(await page.textContent('#page'), '1–3 of 3');
  assert.match(await page.textContent('#state'), /31 days/);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('an administrator signs in through the widget; an account whose roles do not allow it is told so', async () => {
  const { console, auditor, plain } = await administrators();
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await visit(page, `${BASE}/admin/?client_id=${console.client_id}`);
  await signIn(page, auditor);
  await page.waitForSelector('body[data-auth="signed-in"]', { state: 'attached' });
  await settled(page);
  assert.ok((await page.locator('#records tr').count()) >= 4);
  assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'no key kept');
  // The download goes with the token too.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download as zip' }).click()]);
  assert.equal(download.suggestedFilename(), 'login_attempts.zip');
  await shot(page, 'signed-in');
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForSelector('body[data-auth="signed-out"]', { state: 'attached' });
  assert.equal(await page.locator('#dashboard').isVisible(), false);
  // The form is back, for the next administrator; the session is over on the server too.
  await page.locator('#sign-in latchkey-login').getByLabel('Email or username').waitFor({ state: 'visible' });
  await page.reload();
  await page.locator('#sign-in latchkey-login').getByLabel('Email or username').waitFor({ state: 'visible' });
  assert.equal(await page.getAttribute('body', 'data-auth'), 'signed-out');

  // A user of the console without the role: signed in, but the records are refused.
  await signIn(page, plain);
  await page.waitForFunction(() => /This account cannot read login records \(FORBIDDEN\): it needs login_records:read\./.test(document.getElementById('sign-in-error').textContent));
  assert.equal(await page.locator('#dashboard').isVisible(), false);
  await shot(page, 'refused');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('a key without login_records:read is told what it lacks, and the key is forgotten', async () => {
  const weak = (await org.api('POST', '/api/v1/api-keys', { name: 'weak', permissions: ['users:read'] })).body.key;
  const { ctx, page } = await dashboard(weak);
  await page.waitForFunction(() => /needs login_records:read/.test(document.getElementById('key-error').textContent));
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  assert.equal(await page.locator('#dashboard').isVisible(), false);
  await ctx.close();
});

test('the dashboard fits a 390 px phone and passes axe-core in both colour schemes', async () => {
  const { ctx, page } = await dashboard(org.key, { viewport: { width: 390, height: 844 } });
  await settled(page);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, 'nothing wider than the phone');
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    assert.deepEqual(await axeViolations(page), [], scheme);
    await shot(page, `phone-${scheme}`);
  }
  await ctx.close();
});

test('the single sign-on card lists the connections and makes a set-up link for an IT administrator', async () => {
  const made = await org.api('POST', '/api/v1/connections', {
    kind: 'oidc', name: 'Acme corporate', issuer: 'https://login.acme.example', client_id: 'c', client_secret: 's', domains: ['acme.example'],
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const { ctx, page, errors } = await dashboard(org.key);
  await page.waitForSelector('body[data-auth="signed-in"]', { state: 'attached' });
  const row = page.locator('#connections tr', { hasText: 'Acme corporate' });
  await row.waitFor();
  assert.match(await row.innerText(), /OpenID Connect\s+acme\.example\s+https:\/\/login\.acme\.example\s+Yes/);
  await page.getByLabel('Domains for a new connection').fill('globex.example');
  await page.getByRole('button', { name: 'Make a set-up link' }).click();
  const link = await page.locator('#setup-link').textContent();
  assert.ok(link.startsWith(`${BASE}/sso-setup#`), link);
  const info = await call('POST', '/api/v1/sso-setup/info', { body: { token: link.split('#')[1] } });
  assert.deepEqual(info.body.domains, ['globex.example']);
  await page.locator('#sso-title').scrollIntoViewIfNeeded();
  await shot(page, 'sso');
  assert.deepEqual(errors, []);
  await ctx.close();
  // A key that may read records but not the organization is told what it lacks.
  const weak = (await org.api('POST', '/api/v1/api-keys', { name: 'records only', permissions: ['login_records:read'] })).body.key;
  const second = await dashboard(weak);
  await second.page.getByText('it needs organizations:read').waitFor();
  await second.ctx.close();
});
