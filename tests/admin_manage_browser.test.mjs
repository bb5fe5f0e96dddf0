// The admin dashboard's applications, roles and permissions, API keys and organization
// sections (www/admin/) in Chromium against wrangler dev, opened with an API key: each action
// in the page is checked through the API afterwards. An application is created, edited, its
// bad origin refused beside the field, given a client secret shown once, and deleted after an
// inline confirmation; roles and permissions are created, edited and deleted; an API key made
// in the page works as a Bearer key until it is revoked there, and its secret is never shown
// again; the organization's settings are saved. A key without the write permissions is told
// which one it lacks; hostile names stay text; every section fits a 390 px phone and passes
// axe-core in both colour schemes. Screenshots go to tests/.artifacts/admin-manage-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { call, bearer, newOrg } from './lib.mjs';
import { launchBrowser, screenshots, axeViolations, openDashboard } from './browser.mjs';

const shot = screenshots('admin-manage');
const HOSTILE = '<img src=x onerror=window.pwned=1>';
const NAV = { applications: 'Applications', roles: 'Roles and permissions', keys: 'API keys', settings: 'Organization' };

let browser;
let org;
before(async () => {
  browser = await launchBrowser();
  org = await newOrg();
});
after(async () => { await browser?.close(); });

/** The dashboard opened with `key` (at `hash`, if given), its page errors collected. */
async function dashboard(key, { hash = '', ...options } = {}) {
  const context = { permissions: ['clipboard-read', 'clipboard-write'], ...options };
  const opened = await openDashboard(browser, key, { hash, context });
  await opened.page.waitForSelector('body[data-auth="signed-in"]', { state: 'attached' });
  return opened;
}

/** Opens a section from the navigation; answers its view once it is loaded afresh (what
 * it showed before is there until then). */
async function section(page, name) {
  const view = page.locator(`#view-${name}`);
  await view.evaluate((v) => v.removeAttribute('aria-busy'));
  await page.locator('#sections').getByRole('link', { name: NAV[name], exact: true }).click();
  await page.locator(`#view-${name}[aria-busy="false"]`).waitFor();
  await view.getByRole('heading', { level: 2, name: NAV[name], exact: true }).waitFor();
  return view;
}

/** `page.reload()`, again when the load event has not come in 20 s (as `visit` does). */
async function reload(page) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await page.reload({ timeout: 20_000 });
    } catch (e) {
      if (attempt >= 3 || e.name !== 'TimeoutError') throw e;
      console.log(`# ${page.url()}: no load event in 20 s; reloading again`);
    }
  }
}

const get = async (path) => {
  const res = await org.api('GET', path);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
};
const focused = (page) => page.evaluate(() => document.activeElement?.textContent || document.activeElement?.getAttribute('aria-label'));

test('an application is created, edited, refused a bad origin, given a client secret shown once, and deleted after a confirmation', async () => {
  const { ctx, page, errors } = await dashboard(org.key);
  let view = await section(page, 'applications');
  await view.getByLabel('Name').fill('Shop front');
  await view.getByRole('button', { name: 'Create', exact: true }).click();
  await view.getByRole('heading', { level: 2, name: 'Shop front' }).waitFor();
  const id = decodeURIComponent(new URL(page.url()).hash.split('/')[1]);
  let app = await get(`/api/v1/applications/${id}`);
  assert.equal(app.name, 'Shop front');

  // The client id, read-only, copied.
  const clientId = view.getByRole('textbox', { name: 'Client id' });
  assert.equal(await clientId.inputValue(), app.client_id);
  assert.equal(await clientId.getAttribute('readonly'), '');
  await view.getByRole('button', { name: 'Copy the client id' }).click();
  await view.getByText('Copied.').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), app.client_id);

  // Origins, redirect URIs, login methods and sign-up, saved.
  await view.getByLabel('Allowed origins').fill('https://shop.example.com\n\nhttp://localhost:5173');
  await view.getByLabel('Redirect URIs').fill('https://shop.example.com/callback');
  await view.getByLabel('Passkey', { exact: true }).check();
  await view.getByLabel('Email code', { exact: true }).check();
  await view.getByLabel('Password', { exact: true }).uncheck();
  await view.getByLabel('Anyone may sign up (self sign-up)').check();
  await view.getByLabel('Second factor', { exact: true }).selectOption('required');
  await view.getByRole('button', { name: 'Save' }).click();
  await view.getByRole('status').getByText('Saved.').waitFor();
  app = await get(`/api/v1/applications/${id}`);
  assert.deepEqual(app.allowed_origins, ['https://shop.example.com', 'http://localhost:5173']);
  assert.deepEqual(app.redirect_uris, ['https://shop.example.com/callback']);
  assert.deepEqual([...app.login_methods].sort(), ['magic_code', 'passkey']);
  assert.equal(app.self_signup, true);
  assert.equal(app.mfa.policy, 'required');

  // A bad origin: the server's error beside the field, which takes the focus; nothing changed.
  const origins = view.getByLabel('Allowed origins');
  await origins.fill('https://shop.example.com\nftp://evil.example');
  await view.getByRole('button', { name: 'Save' }).click();
  const originsError = page.locator(`#${await origins.getAttribute('id')}-error`);
  await originsError.getByText('"ftp://evil.example" is not an https origin').waitFor();
  assert.equal(await origins.getAttribute('aria-invalid'), 'true');
  assert.equal(await origins.evaluate((e) => e === document.activeElement), true);
  assert.deepEqual((await get(`/api/v1/applications/${id}`)).allowed_origins, app.allowed_origins);
  await shot(page, 'application-bad-origin');
  // No login method at all is refused too.
  await origins.fill('https://shop.example.com');
  for (const m of ['Passkey', 'Email code']) await view.getByLabel(m, { exact: true }).uncheck();
  await view.getByRole('button', { name: 'Save' }).click();
  await view.getByText('at least one login method is required').waitFor();
  assert.deepEqual([...(await get(`/api/v1/applications/${id}`)).login_methods].sort(), ['magic_code', 'passkey']);
  await view.getByLabel('Passkey', { exact: true }).check();

  // A client secret, shown once.
  assert.equal(app.confidential, false);
  await view.getByRole('button', { name: 'Make a client secret' }).click();
  const secretBox = view.locator('.secret');
  await secretBox.getByText('Shown only now.').waitFor();
  const secret = await secretBox.locator('code').textContent();
  assert.ok(secret.length >= 32, secret);
  assert.equal(await secretBox.evaluate((e) => e === document.activeElement), true, 'the secret takes the focus');
  assert.equal((await get(`/api/v1/applications/${id}`)).confidential, true);
  await secretBox.getByRole('button', { name: 'Copy the client secret' }).click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
  await shot(page, 'client-secret');
  await reload(page);
  await view.getByRole('heading', { level: 2, name: 'Shop front' }).waitFor();
  await view.getByRole('button', { name: 'Replace the client secret' }).waitFor();
  assert.equal((await page.content()).includes(secret), false, 'the secret is not shown again');

  // Delete: Cancel puts the button back, with the focus; Yes deletes.
  const del = view.getByRole('button', { name: 'Delete this application' });
  await del.click();
  const ask = view.getByRole('group', { name: /Delete “Shop front”\?/ });
  await ask.waitFor();
  assert.match(await focused(page), /Delete “Shop front”|Cancel/);
  await shot(page, 'confirm');
  await ask.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await focused(page), 'Delete this application');
  assert.equal(await ask.count(), 0);
  assert.equal((await org.api('GET', `/api/v1/applications/${id}`)).status, 200);
  await del.click();
  await ask.getByRole('button', { name: 'Yes' }).click();
  view = page.locator('#view-applications');
  await view.getByText('Deleted the application “Shop front”.').waitFor();
  assert.equal(new URL(page.url()).hash, '#applications');
  assert.equal((await org.api('GET', `/api/v1/applications/${id}`)).status, 404);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('roles are created with permissions, edited and deleted; a permission is created and deleted from every role', async () => {
  const { ctx, page, errors } = await dashboard(org.key);
  const view = await section(page, 'roles');
  const permissionForm = view.locator('form', { has: page.getByRole('heading', { name: 'Create a permission' }) });
  for (const [name, description] of [['invoices:read', 'Read invoices'], ['invoices:write', 'Send invoices']]) {
    await permissionForm.getByLabel('Name').fill(name);
    await permissionForm.getByLabel('Description').fill(description);
    await permissionForm.getByRole('button', { name: 'Create permission' }).click();
    await view.getByText(`Created the permission ${name}.`).waitFor();
  }
  const perms = (await get('/api/v1/permissions')).permissions;
  const read = perms.find((p) => p.name === 'invoices:read');
  const write = perms.find((p) => p.name === 'invoices:write');
  assert.equal(read.description, 'Read invoices');
  assert.ok(write);
  // A name the server refuses, said beside the field.
  await permissionForm.getByLabel('Name').fill('Not A Slug!');
  await permissionForm.getByRole('button', { name: 'Create permission' }).click();
  await permissionForm.getByText(/must have 1 to 100 of a-z/).waitFor();

  const roleForm = view.locator('form', { has: page.getByRole('heading', { name: 'Create a role' }) });
  await roleForm.getByLabel('Name').fill('billing');
  await roleForm.getByLabel('Description').fill(HOSTILE);
  await roleForm.getByLabel('invoices:read', { exact: true }).check();
  await roleForm.getByLabel('invoices:write', { exact: true }).check();
  await roleForm.getByRole('button', { name: 'Create role' }).click();
  await view.getByText('Created the role billing.').waitFor();
  let role = (await get('/api/v1/roles')).roles.find((r) => r.name === 'billing');
  assert.deepEqual([...role.permission_ids].sort(), [read.id, write.id].sort());
  assert.equal(role.description, HOSTILE);
  // The description is text: no image, no script ran.
  const row = view.getByRole('row', { name: /^billing / });
  assert.match(await row.innerText(), /<img src=x onerror=window\.pwned=1>/);
  assert.equal(await view.locator('img').count(), 0);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.match(await row.innerText(), /invoices:read, invoices:write|invoices:write, invoices:read/);
  await shot(page, 'roles');

  // Edited on its page.
  await row.getByRole('link', { name: 'billing' }).click();
  await view.getByRole('heading', { level: 2, name: 'Role billing' }).waitFor();
  await view.getByLabel('Name').fill('billing-clerk');
  await view.getByLabel('Description').fill('Reads invoices');
  await view.getByLabel('invoices:write', { exact: true }).uncheck();
  await view.getByRole('button', { name: 'Save' }).click();
  await view.getByRole('heading', { level: 2, name: 'Role billing-clerk' }).waitFor();
  role = await get(`/api/v1/roles/${role.id}`);
  assert.equal(role.name, 'billing-clerk');
  assert.equal(role.description, 'Reads invoices');
  assert.deepEqual(role.permission_ids, [read.id]);

  // A permission deleted: the question says it leaves the role, and it does.
  await view.getByRole('link', { name: /All roles and permissions/ }).click();
  await view.getByRole('heading', { level: 2, name: 'Roles and permissions' }).waitFor();
  await view.getByRole('button', { name: 'Delete the permission invoices:read' }).click();
  const ask = view.getByRole('group', { name: 'Delete invoices:read? It is taken from 1 role too.' });
  await ask.getByRole('button', { name: 'Yes' }).click();
  await view.getByText('Deleted the permission invoices:read.').waitFor();
  assert.equal((await org.api('GET', `/api/v1/permissions/${read.id}`)).status, 404);
  assert.deepEqual((await get(`/api/v1/roles/${role.id}`)).permission_ids, []);

  // The role deleted, after a Cancel, with the keyboard: Escape cancels, and the focus is back.
  const del = view.getByRole('button', { name: 'Delete the role billing-clerk' });
  await del.focus();
  await page.keyboard.press('Enter');
  await view.getByRole('group', { name: /Delete the role billing-clerk\?/ }).waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await del.evaluate((e) => e === document.activeElement), true);
  assert.equal(await view.getByRole('group', { name: /Delete the role billing-clerk\?/ }).count(), 0);
  assert.equal((await org.api('GET', `/api/v1/roles/${role.id}`)).status, 200);
  await del.click();
  await view.getByRole('group', { name: /Delete the role billing-clerk\?/ }).getByRole('button', { name: 'Yes' }).click();
  await view.getByText('Deleted the role billing-clerk.').waitFor();
  assert.equal((await org.api('GET', `/api/v1/roles/${role.id}`)).status, 404);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('an API key made in the page works once its secret is copied, is never shown again, and is refused once revoked', async () => {
  const { ctx, page, errors } = await dashboard(org.key);
  let view = await section(page, 'keys');
  await view.getByLabel('Name').fill('ci deploy');
  await view.getByLabel('users:read', { exact: true }).check();
  await view.getByRole('button', { name: 'Create key' }).click();
  const secretBox = view.locator('.secret');
  await secretBox.getByText('Shown only now.').waitFor();
  const secret = await secretBox.locator('code').textContent();
  assert.match(secret, /^lk_[0-9a-f]{12}_[0-9a-f]{64}$/);
  await secretBox.getByRole('button', { name: 'Copy the API key' }).click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
  const made = (await get('/api/v1/api-keys')).api_keys.find((k) => k.name === 'ci deploy');
  assert.deepEqual(made.permissions, ['users:read']);
  assert.equal((await call('GET', '/api/v1/users', { headers: bearer(secret) })).status, 200, 'the shown key works');
  assert.equal((await call('GET', '/api/v1/roles', { headers: bearer(secret) })).status, 403, 'and only as far as it may');
  const row = view.getByRole('row', { name: /ci deploy/ });
  assert.match(await row.innerText(), /users:read/);
  assert.equal((await row.innerText()).includes(secret), false);
  await shot(page, 'key-secret');

  // Hidden, then not shown again: neither in the page, after another section, nor after a reload.
  await secretBox.getByRole('button', { name: 'I have copied it: hide it' }).click();
  assert.equal((await page.content()).includes(secret), false);
  await section(page, 'roles');
  view = await section(page, 'keys');
  assert.equal((await page.content()).includes(secret), false);
  await reload(page);
  await view.getByRole('row', { name: /ci deploy/ }).waitFor();
  assert.equal((await page.content()).includes(secret.slice(16)), false);
  await shot(page, 'keys');

  // Revoked after a confirmation: refused from then on.
  await view.getByRole('button', { name: 'Revoke the key ci deploy' }).click();
  await view.getByRole('group', { name: /Revoke ci deploy\?/ }).getByRole('button', { name: 'Yes' }).click();
  await view.getByRole('row', { name: /ci deploy/ }).getByText(/^Revoked /).waitFor();
  assert.equal((await call('GET', '/api/v1/users', { headers: bearer(secret) })).status, 401);
  assert.ok((await get('/api/v1/api-keys')).api_keys.find((k) => k.id === made.id).revoked_at);
  assert.equal(await view.getByRole('button', { name: 'Revoke the key ci deploy' }).count(), 0);
  // A key with no permission at all is not made.
  await view.getByLabel('Name').fill('nothing');
  await view.getByRole('button', { name: 'Create key' }).click();
  await view.getByText('Choose at least one permission, or every permission.').waitFor();
  assert.equal((await get('/api/v1/api-keys')).api_keys.some((k) => k.name === 'nothing'), false);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('the organization settings are saved, and a bad domain is refused beside its field', async () => {
  const { ctx, page, errors } = await dashboard(org.key);
  const view = await section(page, 'settings');
  assert.equal(await view.getByLabel('Name', { exact: true }).inputValue(), org.org.name);
  await view.getByLabel('Name', { exact: true }).fill('Renamed organization');
  await view.getByLabel('Custom domain').fill('login.renamed-org.example');
  await view.getByLabel('Keep login records (days)').fill('30');
  await view.getByLabel('Minutes a lock lasts').fill('20');
  await view.getByLabel('When a password found in known breaches signs in').selectOption('require_change');
  await view.getByLabel('Email users an alert about a sign-in that looked risky').uncheck();
  await view.getByRole('button', { name: 'Save' }).click();
  await view.getByRole('status').getByText('Saved.').waitFor();
  let saved = (await get('/api/v1/organizations')).organizations[0];
  assert.equal(saved.name, 'Renamed organization');
  assert.equal(saved.custom_domain, 'login.renamed-org.example');
  assert.equal(saved.retention_days, 30);
  assert.equal(saved.attack_protection.lock_minutes, 20);
  assert.equal(saved.attack_protection.breached_password_at_login, 'require_change');
  assert.equal(saved.messaging.login_alerts, false);
  await shot(page, 'settings');

  const domain = view.getByLabel('Custom domain');
  await domain.fill('not a domain');
  await view.getByRole('button', { name: 'Save' }).click();
  await page.locator(`#${await domain.getAttribute('id')}-error`).getByText('custom_domain must be a DNS host name').waitFor();
  assert.equal(await domain.getAttribute('aria-invalid'), 'true');
  assert.equal((await get('/api/v1/organizations')).organizations[0].custom_domain, 'login.renamed-org.example');
  // An inconsistent brute-force policy: said at its fieldset.
  await domain.fill('');
  await view.getByLabel('Failures from one address before each attempt waits longer').fill('50');
  await view.getByLabel('Failures from one address before the login id is locked there').fill('10');
  await view.getByRole('button', { name: 'Save' }).click();
  await view.getByRole('group', { name: 'Attack protection' }).getByText(/delay_after at most ip_failures/).waitFor();
  // Empty domain removes it.
  await view.getByLabel('Failures from one address before each attempt waits longer').fill('5');
  await view.getByRole('button', { name: 'Save' }).click();
  await view.getByRole('status').getByText('Saved.').waitFor();
  saved = (await get('/api/v1/organizations')).organizations[0];
  assert.equal(saved.custom_domain, null);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('a key without the write permissions is told which one it lacks; one without the read permissions too', async () => {
  const app = (await org.api('POST', '/api/v1/applications', { name: 'Read-only view' })).body;
  const readOnly = (await org.api('POST', '/api/v1/api-keys', {
    name: 'read only', permissions: ['login_records:read', 'applications:read', 'roles:read', 'api_keys:read', 'organizations:read'],
  })).body.key;
  const { ctx, page, errors } = await dashboard(readOnly);
  let view = await section(page, 'applications');
  await view.getByLabel('Name').fill('Not allowed');
  await view.getByRole('button', { name: 'Create', exact: true }).click();
  await view.getByText('This key may not do this (FORBIDDEN): it needs applications:write.').waitFor();
  await view.getByRole('link', { name: 'Read-only view' }).click();
  await view.getByRole('button', { name: 'Make a client secret' }).click();
  await view.getByText('it needs applications:write.').waitFor();
  assert.equal((await get(`/api/v1/applications/${app.id}`)).confidential, false);

  view = await section(page, 'roles');
  const permissionForm = view.locator('form', { has: page.getByRole('heading', { name: 'Create a permission' }) });
  await permissionForm.getByLabel('Name').fill('reports:read');
  await permissionForm.getByRole('button', { name: 'Create permission' }).click();
  await permissionForm.getByText('This key may not do this (FORBIDDEN): it needs roles:write.').waitFor();

  view = await section(page, 'keys');
  await view.getByLabel('Name').fill('stronger');
  await view.getByLabel('applications:read', { exact: true }).check();
  await view.getByRole('button', { name: 'Create key' }).click();
  await view.getByText(/This key may not do this \(FORBIDDEN\): it needs api_keys:write/).waitFor();

  view = await section(page, 'settings');
  await view.getByLabel('Name', { exact: true }).fill('Hijacked');
  await view.getByRole('button', { name: 'Save' }).click();
  await view.getByText('This key may not do this (FORBIDDEN): it needs organizations:write.').waitFor();
  assert.notEqual((await get('/api/v1/organizations')).organizations[0].name, 'Hijacked');
  await shot(page, 'refused');
  assert.deepEqual(errors, []);
  await ctx.close();

  // A key that may read the records only: each section says what it needs to be seen.
  const recordsOnly = (await org.api('POST', '/api/v1/api-keys', { name: 'records only', permissions: ['login_records:read'] })).body.key;
  const second = await dashboard(recordsOnly);
  for (const [name, permission] of [['applications', 'applications:read'], ['roles', 'roles:read'], ['keys', 'api_keys:read'], ['settings', 'organizations:read']]) {
    const v = await section(second.page, name);
    await v.getByRole('alert').getByText(`it needs ${permission}.`).waitFor();
  }
  assert.deepEqual(second.errors, []);
  await second.ctx.close();
});

test('hostile names are shown as text', async () => {
  const { ctx, page, errors } = await dashboard(org.key);
  let view = await section(page, 'applications');
  await view.getByLabel('Name').fill(HOSTILE);
  await view.getByRole('button', { name: 'Create', exact: true }).click();
  await view.getByRole('heading', { level: 2, name: HOSTILE }).waitFor();
  view = await section(page, 'applications');
  await view.getByRole('link', { name: HOSTILE }).waitFor();
  await shot(page, 'applications');
  assert.equal((await org.api('POST', '/api/v1/api-keys', { name: HOSTILE, permissions: ['users:read'] })).status, 201);
  view = await section(page, 'keys');
  await view.getByRole('row', { name: HOSTILE }).waitFor();
  assert.equal(await page.locator('#dashboard img').count(), 0);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('every section fits a 390 px phone and passes axe-core in both colour schemes', async () => {
  const app = (await org.api('POST', '/api/v1/applications', {
    name: 'Phone check', allowed_origins: ['https://a-rather-long-host-name.example.com'], redirect_uris: ['https://a-rather-long-host-name.example.com/oauth/callback?from=phone'],
  })).body;
  const perm = (await org.api('POST', '/api/v1/permissions', { name: 'reports:export-everything', description: 'Export every report of every team' })).body;
  assert.equal((await org.api('POST', '/api/v1/roles', { name: 'reporting', description: 'People who read the reports', permission_ids: [perm.id] })).status, 201);
  const { ctx, page, errors } = await dashboard(org.key, { viewport: { width: 390, height: 844 } });
  const pages = [
    ['applications', '', 'Applications'], ['application', `#applications/${app.id}`, 'Phone check'],
    ['roles', '', 'Roles and permissions'], ['keys', '', 'API keys'], ['settings', '', 'Organization'],
  ];
  for (const [name, hash, heading] of pages) {
    if (hash) {
      await page.evaluate((h) => { location.hash = h; }, hash);
      await page.getByRole('heading', { level: 2, name: heading, exact: true }).waitFor();
    } else {
      await section(page, name);
    }
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, `${name}: nothing wider than the phone`);
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      assert.deepEqual(await axeViolations(page), [], `${name} in ${scheme}`);
      await shot(page, `phone-${name}-${scheme}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  }
  // A secret and a confirmation on the phone too.
  const keys = await section(page, 'keys');
  await keys.getByLabel('Name').fill('phone key');
  await keys.getByLabel('login', { exact: true }).check();
  await keys.getByRole('button', { name: 'Create key' }).click();
  await keys.locator('.secret').getByText('Shown only now.').waitFor();
  await keys.getByRole('button', { name: 'Revoke the key phone key' }).click();
  await keys.getByRole('group', { name: /Revoke phone key\?/ }).waitFor();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, 'secret and confirmation fit');
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    assert.deepEqual(await axeViolations(page), [], `secret in ${scheme}`);
  }
  await shot(page, 'phone-secret-dark');
  assert.deepEqual(errors, []);
  await ctx.close();
});
