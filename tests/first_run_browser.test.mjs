// The first minutes after `make dev`: scripts/dev-seed.mjs makes the development
// organization, application and user and prints where to go; the printed URL signs in on
// the first try with the printed password, with an emailed code and with an emailed link,
// and nothing needs configuring. A page whose client id names no application says so
// instead of "something went wrong"; an application that allows only another site still
// signs in on this server's own pages, and its session is not shown as another
// application's. Screenshots go to tests/.artifacts/first-run-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE, PLATFORM_KEY, outboxMessage, newOrg } from './lib.mjs';
import { visit, launchBrowser, screenshots } from './browser.mjs';
import { seed, banner, DEV_EMAIL } from '../scripts/dev-seed.mjs';

const shot = screenshots('first-run');

let browser;
let info;
let printed;
before(async () => {
  browser = await launchBrowser();
  const file = join(mkdtempSync(join(tmpdir(), 'latchkey-seed-')), '.dev-seed.json');
  info = await seed({ base: new URL(BASE).origin, platformKey: PLATFORM_KEY, file });
  printed = banner(info);
  // A second start keeps what the first made.
  const again = await seed({ base: new URL(BASE).origin, platformKey: PLATFORM_KEY, file });
  assert.equal(again.fresh, false);
  assert.equal(again.client_id, info.client_id);
});
after(async () => { await browser?.close(); });

/** The printed URL, opened as a newcomer would. */
async function open() {
  const url = printed.match(/Sign in:\s+(\S+)/)[1];
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await visit(page, url);
  await page.waitForSelector('body[data-sdk="ready"]');
  const widget = page.locator('latchkey-login');
  await widget.getByLabel('Email or username').waitFor({ state: 'visible' });
  // Once the application's methods are known: the password field, and no error left over
  // from before the page set client-id.
  await widget.getByLabel('Password', { exact: true }).waitFor({ state: 'visible' });
  assert.equal(await widget.locator('#error').textContent(), '');
  return { ctx, page, widget, errors };
}

test('the printed URL signs in on the first try with the printed email and password', async () => {
  assert.equal(info.fresh, true);
  assert.match(printed, new RegExp(`Email:\\s+${DEV_EMAIL}`));
  const password = printed.match(/Password:\s+(\S+)/)[1];
  assert.equal(password, info.password);
  assert.match(printed, /API key:\s+lk_/);
  const { ctx, page, widget, errors } = await open();
  await shot(page, 'start');
  await widget.getByLabel('Email or username').fill(DEV_EMAIL);
  await widget.getByLabel('Password', { exact: true }).fill(password);
  await widget.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForSelector('body[data-auth="signed-in"]');
  assert.equal(await page.locator('#signed-in').textContent(), DEV_EMAIL);
  // The form is put away: who, "Continue" and "Sign out" instead.
  assert.equal(await widget.locator('#done-who').textContent(), `Signed in as ${DEV_EMAIL}.`);
  assert.equal(await widget.getByLabel('Password', { exact: true }).isVisible(), false);
  assert.equal(await widget.getByRole('button', { name: 'Sign in', exact: true }).isVisible(), false);
  await shot(page, 'signed-in');

  // A reload finds the session (the refresh cookie) and says so, to the page too.
  await ctx.addInitScript(() => {
    window.logins = [];
    document.addEventListener('latchkey:login', (e) => window.logins.push(e.detail));
  });
  await page.reload();
  await page.waitForSelector('body[data-auth="signed-in"]');
  const resumed = await page.evaluate(() => window.logins.map((d) => [d.user.email, d.method, d.resumed]));
  assert.deepEqual(resumed, [[DEV_EMAIL, 'session', true]]);
  await widget.getByRole('button', { name: 'Continue' }).waitFor({ state: 'visible' });
  assert.equal(await widget.locator('#done-who').textContent(), `Signed in as ${DEV_EMAIL}.`);
  await shot(page, 'resumed');
  // "Continue" goes where the page said (the account page).
  await widget.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/account\?client_id=/);
  // The account page says where this person is signed in and how, in plain words.
  const profile = page.locator('latchkey-profile');
  await profile.locator('#history tr').first().waitFor();
  assert.match(await profile.locator('#sessions li').first().innerText(), /This device/);
  assert.match((await profile.locator('#history .outcome').allTextContents())[0], /^Signed in with /);
  await shot(page, 'account');
  await page.goBack();
  await page.waitForSelector('body[data-auth="signed-in"]');
  // "Sign out" ends the session: the form is back, and stays back after a reload.
  await widget.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForSelector('body[data-auth="signed-out"]');
  await widget.getByLabel('Password', { exact: true }).waitFor({ state: 'visible' });
  assert.equal(await widget.locator('#status').textContent(), 'You are signed out.');
  await shot(page, 'signed-out');
  await page.reload();
  await widget.getByLabel('Password', { exact: true }).waitFor({ state: 'visible' });
  await page.waitForTimeout(500);
  assert.equal(await widget.getByRole('button', { name: 'Continue' }).isVisible(), false);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('an emailed code and an emailed link work with nothing configured', async () => {
  const { ctx, page, widget } = await open();
  await widget.getByLabel('Email or username').fill(DEV_EMAIL);
  await widget.getByRole('button', { name: 'Email me a sign-in code' }).click();
  await widget.getByLabel('Sign-in code').waitFor({ state: 'visible' });
  const sent = await outboxMessage(DEV_EMAIL);
  assert.ok(sent, 'the development outbox has the code');
  assert.equal(sent.provider, 'send_email');
  await widget.getByLabel('Sign-in code').fill(sent.subject.slice(0, 6));
  await widget.getByRole('button', { name: 'Verify' }).click();
  await page.waitForSelector('body[data-auth="signed-in"]');
  await ctx.close();

  // A link: the code's cooldown is per address, so the link goes to a new account (the
  // demo application lets anyone sign up).
  const newcomer = `newcomer-${Date.now()}@example.com`;
  const second = await open();
  await second.widget.getByLabel('Email or username').fill(newcomer);
  await second.widget.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await second.widget.locator('#emailed-prompt').waitFor({ state: 'visible' });
  const mail = await outboxMessage(newcomer);
  assert.ok(mail, 'the development outbox has the link');
  const link = mail.text.match(/(http\S+\/magic-link#[0-9a-f]{64})/)[1];
  const other = await browser.newContext();
  const tab = await other.newPage();
  await visit(tab, link);
  await tab.getByRole('button', { name: 'Yes, sign me in there' }).click();
  await tab.getByText('You can close this tab').waitFor();
  await second.page.waitForSelector('body[data-auth="signed-in"]', { timeout: 15_000 });
  assert.equal(await second.page.locator('#signed-in').textContent(), newcomer);
  await shot(second.page, 'link-signed-in');
  await second.ctx.close();
  await other.close();
});

test('set-up mistakes are named in the widget and in the console', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  // Without a client id the page says where to find one, and shows no dead form.
  await visit(page, `${BASE}/`);
  await page.waitForSelector('body[data-sdk="ready"]');
  assert.equal(await page.locator('latchkey-login').isVisible(), false);
  assert.match(await page.locator('#no-client').textContent(), /make dev/);
  await shot(page, 'no-client');
  await visit(page, `${BASE}/?client_id=lk_no_such_client`);
  await page.waitForSelector('body[data-sdk="ready"]');
  const widget = page.locator('latchkey-login');
  // The widget asks for the application's methods first, and says what is wrong at once.
  const named = 'This sign-in form is not set up: its client-id names no application.';
  await page.waitForFunction((text) => document.querySelector('latchkey-login').shadowRoot.getElementById('error').textContent === text, named, { timeout: 10_000 })
    .catch(() => {});
  assert.equal(await widget.locator('#error').textContent(), named);
  assert.ok(warnings.some((w) => w.includes('INVALID_CLIENT_ID')), JSON.stringify(warnings));
  await shot(page, 'unknown-client');
  await ctx.close();

  // An application that allows only another site still signs in on this server's own pages.
  const o = await newOrg();
  const app = (await o.api('POST', '/api/v1/applications', { name: 'Elsewhere', allowed_origins: ['https://app.example.com'] })).body;
  const user = (await o.api('POST', '/api/v1/users', { email: `elsewhere-${Date.now()}@example.com`, password: 'elsewhere password 1' })).body;
  assert.equal((await o.api('PUT', `/api/v1/users/${user.id}/registrations/${app.id}`)).status, 204);
  const own = await browser.newContext();
  const p = await own.newPage();
  await visit(p, `${BASE}/?client_id=${app.client_id}`);
  await p.waitForSelector('body[data-sdk="ready"]');
  const w = p.locator('latchkey-login');
  await w.getByLabel('Email or username').fill(user.email);
  await w.getByLabel('Password', { exact: true }).fill('elsewhere password 1');
  await w.getByRole('button', { name: 'Sign in', exact: true }).click();
  await p.waitForSelector('body[data-auth="signed-in"]');
  // The refresh cookie is this server's, shared by every application: the demo
  // application's page in the same browser must not show that session as its own.
  await visit(p, printed.match(/Sign in:\s+(\S+)/)[1]);
  await w.getByLabel('Password', { exact: true }).waitFor({ state: 'visible' });
  await p.waitForTimeout(1000);
  assert.equal(await w.getByRole('button', { name: 'Continue' }).isVisible(), false);
  assert.notEqual(await p.evaluate(() => document.body.dataset.auth), 'signed-in');
  await own.close();
});

test('a page on an origin the application does not list is told which origin to add', async (t) => {
  const o = await newOrg();
  const app = (await o.api('POST', '/api/v1/applications', { name: 'Listed elsewhere', allowed_origins: ['https://app.example.com'] })).body;
  // Another site (this machine, another port), whose page carries the SDK's files itself and
  // whose widget calls this server.
  const site = createServer(async (req, res) => {
    if (req.url !== '/') {
      const file = await fetch(`${BASE}${req.url}`);
      res.writeHead(file.status, { 'content-type': file.headers.get('content-type') ?? 'application/octet-stream' });
      return res.end(Buffer.from(await file.arrayBuffer()));
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><html lang="en"><title>Shop</title><main><latchkey-login client-id="${app.client_id}" base-url="${BASE}"></latchkey-login></main>
      <script type="module">import init from '/pkg/latchkey_sdk.js'; await init();</script></html>`);
  });
  await new Promise((ok) => site.listen(0, '127.0.0.1', ok));
  const SITE = `http://127.0.0.1:${site.address().port}`;
  t.after(() => site.close());
  // The refusal lets only that origin read it, without anything else of the application.
  const raw = await fetch(`${BASE}/api/v1/config/client/${app.client_id}`, { headers: { origin: SITE } });
  assert.equal(raw.status, 403);
  assert.equal(raw.headers.get('access-control-allow-origin'), SITE);
  assert.doesNotMatch(await raw.text(), /Listed elsewhere/);

  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  const error = () => page.evaluate(() => document.querySelector('latchkey-login')?.shadowRoot?.getElementById('error')?.textContent ?? '');
  const named = "This site may not sign in to this application: its address is not among the application's allowed origins.";
  await visit(page, `${SITE}/`);
  await page.waitForFunction((text) => document.querySelector('latchkey-login')?.shadowRoot?.getElementById('error')?.textContent === text, named, { timeout: 10_000 })
    .catch(() => {});
  assert.equal(await error(), named, 'the refusal is readable across origins, not a network error');
  const warned = warnings.find((w) => w.includes('ORIGIN_NOT_ALLOWED'));
  assert.match(warned ?? JSON.stringify(warnings), new RegExp(`${SITE.replaceAll('.', '\\.')}: add it to the application's allowed_origins`));
  await shot(page, 'origin-not-allowed');

  // Once the application lists the site, the same page signs in.
  const listed = await o.api('PUT', `/api/v1/applications/${app.id}`, { allowed_origins: ['https://app.example.com', SITE] });
  assert.equal(listed.status, 200, JSON.stringify(listed.body));
  await visit(page, `${SITE}/`);
  await page.locator('latchkey-login').getByLabel('Password', { exact: true }).waitFor({ state: 'visible' });
  assert.equal(await error(), '');
  await ctx.close();
});

test('the printed admin URL signs the printed user in as an administrator', async () => {
  const url = printed.match(/Admin:\s+(\S+)/)[1];
  assert.match(url, /\/admin\/\?client_id=/);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await visit(page, url);
  const widget = page.locator('#sign-in latchkey-login');
  await widget.getByLabel('Email or username').fill(DEV_EMAIL);
  await widget.getByLabel('Password', { exact: true }).fill(info.password);
  await widget.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForSelector('body[data-auth="signed-in"]', { state: 'attached' });
  await page.waitForFunction(() => /of \d+$/.test(document.getElementById('page').textContent));
  const rows = await page.locator('#records tr').allInnerTexts();
  assert.ok(rows.some((r) => r.includes('Signed in') && r.includes(DEV_EMAIL)), rows.join('\n'));
  // Its token reads the applications too (the filter lists them).
  await page.waitForFunction(() => document.getElementById('f-app').options.length >= 3);
  assert.equal(await page.getByRole('button', { name: 'Sign out' }).isVisible(), true);
  await shot(page, 'admin-signed-in');
  await ctx.close();
});

test('the printed admin URL opens the dashboard with the printed API key', async () => {
  const url = printed.match(/Admin:\s+(\S+)/)[1];
  const key = printed.match(/API key:\s+(\S+)/)[1];
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await visit(page, url);
  await page.waitForSelector('body[data-auth="signed-out"]', { state: 'attached' });
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Open' }).click();
  await page.waitForFunction(() => /of \d+$/.test(document.getElementById('page').textContent));
  const rows = await page.locator('#records tr').allInnerTexts();
  assert.ok(rows.some((r) => r.includes('Signed in') && r.includes(DEV_EMAIL)), rows.join('\n'));
  await shot(page, 'admin');
  await ctx.close();
});
