// <latchkey-profile> on the account page, in Chromium against wrangler dev: the user's
// sessions as cards (device, place, IP, how long ago, "This device") and their login history in
// plain words (local time, "Failed: wrong password", place, device, risk badges), the
// All / Successful / Failed tabs (arrow keys too), paging, signing out one session after
// confirming (the focus stays on the list) and every other device (the server refuses their
// tokens afterwards), cards below 600 px with nothing wider than a 390 px phone, both themes
// measured at 4.5:1 and 24 px, and axe-core over the whole account page. Screenshots go to
// tests/.artifacts/profile-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, call, newOrg, email, registered, bearer, assertError } from './lib.mjs';
import { join } from 'node:path';
import { visit, launchBrowser, screenshots, measure, assertReadable, axeViolations, ARTIFACTS } from './browser.mjs';

const shot = screenshots('profile');
const PASSWORD = 'profile page password';
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1';
const PARIS = 'country=FR;region=Île-de-France;city=Paris;lat=48.8566;lon=2.3522;tz=Europe/Paris;asn=3215';
const NEW_YORK = 'country=US;region=New York;city=New York;lat=40.7128;lon=-74.0060;tz=America/New_York;asn=7922';
const BERLIN = 'country=DE;region=Berlin;city=Berlin;lat=52.52;lon=13.405;tz=Europe/Berlin;asn=3320';

let browser;
let org;
let app;
before(async () => {
  browser = await launchBrowser();
  org = await newOrg();
  app = (await org.api('POST', '/api/v1/applications', { name: 'Profile' })).body;
});
after(async () => { await browser?.close(); });

/** A user with history: two sign-ins from Paris on Chrome, a wrong password and a sign-in
 * from New York on an iPhone (new device, new country, impossible travel). */
async function userWithHistory(tag) {
  const created = await org.api('POST', '/api/v1/users', { email: email(tag), password: PASSWORD });
  assert.equal(created.status, 201);
  const u = await registered(org, app, created.body);
  const from = (geo, ua, password = PASSWORD) => call('POST', '/api/v1/auth/login', {
    body: { client_id: app.client_id, login_id: u.email, password },
    headers: { 'user-agent': ua, 'x-latchkey-dev-geo': geo },
  });
  const sessions = [];
  for (const [geo, ua, password] of [[PARIS, CHROME], [PARIS, CHROME], [NEW_YORK, IPHONE, 'not it'], [NEW_YORK, IPHONE]]) {
    const res = await from(geo, ua, password);
    if (password) assert.equal(res.status, 401);
    else { assert.equal(res.status, 200, JSON.stringify(res.body)); sessions.push(res.body); }
  }
  return { ...u, sessions };
}

/** Signs in on the demo page (from Berlin), then opens the account page with its profile. */
async function accountPage(user, options = {}) {
  const ctx = await browser.newContext({
    timezoneId: 'Europe/Paris', locale: 'en-GB', extraHTTPHeaders: { 'x-latchkey-dev-geo': BERLIN }, ...options,
  });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await visit(page, `${BASE}/?client_id=${app.client_id}`);
  const widget = page.locator('latchkey-login');
  await widget.getByLabel('Email or username').fill(user.email);
  await widget.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await widget.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForSelector('body[data-auth="signed-in"]');
  await visit(page, `${BASE}/account.html?client_id=${app.client_id}`);
  await page.waitForSelector('body[data-auth="signed-in"]');
  const profile = page.locator('latchkey-profile');
  await profile.locator('#history tr').first().waitFor();
  await page.waitForFunction(() => document.querySelector('latchkey-profile').getAttribute('aria-busy') === 'false');
  return { ctx, page, profile, errors };
}

const rows = (profile) => profile.locator('#history tr').allInnerTexts();
const focused = (page) => page.evaluate(() => {
  const a = document.querySelector('latchkey-profile').shadowRoot.activeElement;
  return a && (a.id || a.textContent.trim());
});

test('sessions and history are said in plain words, with risk badges, tabs and pages', async () => {
  const user = await userWithHistory('profile-words');
  const { ctx, page, profile, errors } = await accountPage(user);

  // Four sessions: this browser first ("This device", Berlin), then the three from the API.
  const cards = profile.locator('#sessions li');
  assert.equal(await cards.count(), 4);
  const first = await cards.first().innerText();
  assert.match(first, /This device/);
  assert.match(first, /Berlin, Germany/);
  assert.match(first, /Signed in now/);
  const texts = await cards.allInnerTexts();
  assert.equal(texts.filter((t) => /Safari( [\d.]+)? on iOS/.test(t) && /New York, United States · /.test(t)).length, 1);
  assert.equal(texts.filter((t) => /Chrome( [\d.]+)? on Windows/.test(t) && /Paris, France/.test(t)).length, 2);
  assert.ok(texts.slice(1).every((t) => /Last active (now|\d+ (second|minute)s? ago)/.test(t)), texts.join('\n'));
  assert.equal(await profile.locator('#sessions li [role="img"][aria-label="Phone"]').count(), 1);
  assert.equal(await profile.locator('#sessions').getByRole('button', { name: /^Sign out / }).count(), 3, 'one per other session');

  // History, newest first: this sign-in, the iPhone's (three risk badges), its wrong password, Paris twice.
  const all = await rows(profile);
  assert.equal(all.length, 5, all.join('\n'));
  assert.match(all[1], /Signed in with password/);
  for (const badge of ['New device', 'New country', 'Impossible travel']) assert.match(all[1], new RegExp(badge));
  assert.match(all[1], /New York, United States/);
  assert.match(all[2], /Failed: wrong password/);
  assert.match(all[4], /Paris, France/);
  assert.match(all[4], /Chrome( [\d.]+)? on Windows/);
  // Local time (Paris, this context's zone), not the stored UTC string.
  const title = await profile.locator('#history tr').nth(4).locator('td').first().innerText();
  assert.doesNotMatch(title, /T\d\d:\d\d:\d\d/);
  assert.match(title, /\d{4}/);
  assert.equal(await profile.locator('#page').textContent(), '1–5 of 5');
  await shot(page, 'account');

  // The Failed tab: one row; arrow keys move between tabs.
  await profile.getByRole('tab', { name: 'Failed' }).click();
  await page.waitForFunction(() => document.querySelector('latchkey-profile').shadowRoot.querySelectorAll('#history tr').length === 1);
  assert.match((await rows(profile))[0], /Failed: wrong password/);
  assert.equal(await profile.getByRole('tab', { name: 'Failed' }).getAttribute('aria-selected'), 'true');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await focused(page), 'tab-1');
  await page.waitForFunction(() => document.querySelector('latchkey-profile').shadowRoot.getElementById('page').textContent === '1–4 of 4');
  assert.ok((await rows(profile)).every((r) => /Signed in with/.test(r)));

  // Pages of two, from the All tab.
  await page.keyboard.press('Home');
  await page.evaluate(() => document.querySelector('latchkey-profile').setAttribute('page-size', '2'));
  const pageText = (t) => page.waitForFunction((want) => document.querySelector('latchkey-profile').shadowRoot.getElementById('page').textContent === want, t);
  await pageText('1–2 of 5');
  assert.equal(await profile.locator('#newer').isDisabled(), true);
  await profile.getByRole('button', { name: 'Older' }).click();
  await pageText('3–4 of 5');
  await profile.getByRole('button', { name: 'Older' }).click();
  await pageText('5–5 of 5');
  assert.equal(await profile.locator('#older').isDisabled(), true);
  await profile.getByRole('button', { name: 'Newer' }).click();
  await pageText('3–4 of 5');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('one session is signed out after a yes, the focus stays on the list, then every other device', async () => {
  const user = await userWithHistory('profile-revoke');
  const [paris1, , iphone] = user.sessions;
  const { ctx, page, profile, errors } = await accountPage(user);

  const iphoneCard = profile.locator('#sessions li', { hasText: /Safari( [\d.]+)? on iOS/ });
  await iphoneCard.getByRole('button', { name: /^Sign out Safari/ }).click();
  // Asked first, with the focus on the answer; Cancel puts it back on the button.
  assert.match(await iphoneCard.innerText(), /Sign out this device\?/);
  assert.equal(await focused(page), 'Sign out');
  await shot(page, 'confirm');
  await iphoneCard.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await focused(page), 'Sign out');
  assert.equal((await call('GET', '/api/v1/auth/me', { headers: bearer(iphone.access_token) })).status, 200, 'nothing happened yet');

  await iphoneCard.getByRole('button', { name: /^Sign out Safari/ }).click();
  await iphoneCard.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('latchkey-profile').shadowRoot.querySelectorAll('#sessions li').length === 3);
  assert.equal(await profile.locator('#state').textContent(), 'Signed out Safari 17 on iOS 17.1.2.');
  // The focus went to the next card's button, not to the page's body.
  assert.match(await focused(page), /Sign out/);
  assertError(await call('GET', '/api/v1/auth/me', { headers: bearer(iphone.access_token) }), 401, 'UNAUTHORIZED');
  assert.equal((await call('GET', '/api/v1/auth/me', { headers: bearer(paris1.access_token) })).status, 200);

  // Every other device: asked, then done; this browser stays signed in.
  await profile.getByRole('button', { name: 'Sign out all other devices' }).click();
  assert.equal(await focused(page), 'others-yes');
  await profile.getByRole('button', { name: 'Sign out others' }).click();
  await page.waitForFunction(() => document.querySelector('latchkey-profile').shadowRoot.querySelectorAll('#sessions li').length === 1);
  assert.equal(await profile.locator('#state').textContent(), 'Signed out 2 other devices.');
  assert.equal(await focused(page), 's-title');
  assert.equal(await profile.getByRole('button', { name: 'Sign out all other devices' }).isVisible(), false, 'nothing left to sign out');
  for (const s of user.sessions) {
    assertError(await call('POST', '/api/v1/auth/refresh', { body: { refresh_token: s.refresh_token } }), 401, 'INVALID_REFRESH_TOKEN');
  }
  await page.reload();
  await page.waitForSelector('body[data-auth="signed-in"]');
  await profile.locator('#sessions li').first().waitFor();
  assert.match(await profile.locator('#sessions li').first().innerText(), /This device/);

  // Signing out the page leaves the profile with nothing to show.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForSelector('body[data-auth="signed-out"]');
  await page.waitForFunction(() => /Sign in to see/.test(document.querySelector('latchkey-profile').shadowRoot.getElementById('state').textContent));
  // Nothing of this person's is left in the element for whoever signs in next.
  assert.equal(await page.evaluate(() => document.querySelector('latchkey-profile').shadowRoot.querySelectorAll('#sessions li, #history tr').length), 0);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('a 390 px phone gets cards and nothing wider than the screen; both themes are readable and pass axe-core', async () => {
  const user = await userWithHistory('profile-phone');
  const { ctx, page, profile } = await accountPage(user, { viewport: { width: 390, height: 844 }, bypassCSP: true });
  const layout = await page.evaluate(() => {
    const root = document.querySelector('latchkey-profile').shadowRoot;
    const cell = root.querySelector('#history td');
    return {
      width: document.documentElement.scrollWidth,
      head: root.querySelector('thead').getBoundingClientRect().height,
      row: getComputedStyle(root.querySelector('#history tr')).display,
      label: getComputedStyle(cell, '::before').content,
    };
  });
  assert.ok(layout.width <= 390, `the page is ${layout.width} px wide`);
  // The passkeys and two-step sections, with the set-up open (QR code, key, code field).
  await profile.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await page.waitForFunction(() => document.querySelector('latchkey-profile').shadowRoot.getElementById('totp-qr').naturalWidth > 0);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, 'the set-up fits too');
  assert.match(await profile.locator('#sec-passkeys').innerText(), /No passkeys yet/);
  assert.equal(layout.row, 'block', 'rows are cards');
  assert.match(layout.label, /When|attr\(data-label\)/, 'each value says what it is');
  assert.ok(layout.head <= 1, 'the column heads are for screen readers only');
  await shot(page, 'phone');

  // The element's own defaults: the page's green accent set aside.
  await page.evaluate(() => document.querySelector('latchkey-profile').style.setProperty('--latchkey-accent', 'initial'));
  for (const theme of ['light', 'dark']) {
    await page.evaluate((t) => document.querySelector('latchkey-profile').setAttribute('theme', t), theme);
    await page.emulateMedia({ colorScheme: theme });
    await shot(page, `phone-${theme}`);
    // The new sections alone, at full size, to look at.
    await profile.locator('#sec-passkeys').screenshot({ path: join(ARTIFACTS, `profile-phone-${theme}-passkeys.png`) });
    await profile.locator('#sec-mfa').screenshot({ path: join(ARTIFACTS, `profile-phone-${theme}-mfa.png`) });
    assertReadable(await page.evaluate(measure, 'latchkey-profile'), theme, 30);
    assert.deepEqual(await axeViolations(page), [], `${theme}: the whole account page`);
  }
  assert.ok(await profile.locator('#history tr').count() > 0);
  await ctx.close();
});

test('passkeys and two-step verification are the element\'s, in French too, and `sections` chooses', async () => {
  const user = await userWithHistory('profile-sections');
  const { ctx, page, profile, errors } = await accountPage(user, { locale: 'fr-FR' });
  await page.evaluate(() => document.querySelector('latchkey-profile').setAttribute('lang', 'fr'));
  const root = (fn) => page.evaluate(fn);
  await page.waitForFunction(() => document.querySelector('latchkey-profile').shadowRoot.getElementById('p-title').textContent === 'Clés d’accès');
  const fr = await root(() => {
    const r = document.querySelector('latchkey-profile').shadowRoot;
    return ['m-title', 'add-totp', 'add-passkey', 'p-none', 'm-state'].map((id) => r.getElementById(id).textContent);
  });
  assert.deepEqual(fr.slice(0, 4), [
    'Validation en deux étapes', 'Configurer une application d’authentification', 'Ajouter une clé d’accès',
    'Aucune clé d’accès pour l’instant. Ajoutez-en une pour vous connecter sans mot de passe.',
  ]);
  assert.match(fr[4], /^Désactivée\./);
  // A set-up in French: its help, the key's label, the button.
  await profile.getByRole('button', { name: 'Configurer une application d’authentification' }).click();
  await profile.locator('#totp-form:not([hidden])').waitFor();
  assert.match(await profile.locator('#totp-form').innerText(), /Scannez ce code QR/);
  await profile.getByRole('button', { name: 'Activer' }).waitFor();
  await profile.getByRole('button', { name: 'Annuler' }).last().click();
  await shot(page, 'french');

  // sections="passkeys mfa": only those, and back to all.
  const shown = () => root(() => ['sessions', 'history', 'passkeys', 'mfa']
    .filter((s) => !document.querySelector('latchkey-profile').shadowRoot.getElementById(`sec-${s}`).hidden));
  assert.deepEqual(await shown(), ['sessions', 'history', 'passkeys', 'mfa']);
  await page.evaluate(() => document.querySelector('latchkey-profile').setAttribute('sections', 'passkeys mfa'));
  assert.deepEqual(await shown(), ['passkeys', 'mfa']);
  await page.evaluate(() => document.querySelector('latchkey-profile').setAttribute('sections', 'history'));
  assert.deepEqual(await shown(), ['history']);
  await page.evaluate(() => document.querySelector('latchkey-profile').removeAttribute('sections'));
  assert.deepEqual(await shown(), ['sessions', 'history', 'passkeys', 'mfa']);

  // Signing out clears the new sections too.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForSelector('body[data-auth="signed-out"]');
  await page.waitForFunction(() => document.querySelector('latchkey-profile').shadowRoot.getElementById('main').hidden);
  assert.equal(await root(() => document.querySelector('latchkey-profile').shadowRoot.querySelectorAll('#passkeys li, #apps li, #codes-list li').length), 0);
  assert.equal(await root(() => document.querySelector('latchkey-profile').shadowRoot.getElementById('m-state').textContent), '');
  assert.deepEqual(errors, []);
  await ctx.close();
});
