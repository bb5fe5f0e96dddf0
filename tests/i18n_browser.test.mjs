// The elements' languages in Chromium against wrangler dev: <latchkey-login> and
// <latchkey-profile> say every fixed text in French, German and Spanish (compared with the
// tables in core/src/browser/i18n/, read here as data), follow the element's `lang`, else the
// page's, else the browser's, word the server's errors in the language, and put a page's own
// `texts` first (a malformed attribute is reported on the console). Screenshots go to
// tests/.artifacts/i18n-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE, newOrg, email, registered } from './lib.mjs';
import { visit, launchBrowser, screenshots } from './browser.mjs';

const shot = screenshots('i18n');
const PASSWORD = 'languages password';

/** One language's table, as data: key → text. */
function table(lang) {
  const src = readFileSync(new URL(`../core/src/browser/i18n/${lang}.rs`, import.meta.url), 'utf8');
  const out = {};
  for (const m of src.matchAll(/\(\s*"([^"]+)",\s*"((?:[^"\\]|\\.)*)",?\s*\)/g)) {
    out[m[1]] = m[2].replace(/\\u\{([0-9a-fA-F]+)\}/g, (_, h) => String.fromCodePoint(parseInt(h, 16))).replace(/\\(.)/g, '$1');
  }
  return out;
}
const TABLES = Object.fromEntries(['en', 'fr', 'de', 'es'].map((l) => [l, table(l)]));

let browser;
let org;
let app;
let user;
before(async () => {
  assert.ok(Object.keys(TABLES.fr).length > 150, 'the French table is read');
  browser = await launchBrowser();
  org = await newOrg();
  app = (await org.api('POST', '/api/v1/applications', { name: 'Languages', login_methods: ['password', 'magic_code'] })).body;
  const created = await org.api('POST', '/api/v1/users', { email: email('i18n'), password: PASSWORD });
  assert.equal(created.status, 201);
  user = await registered(org, app, created.body);
});
after(async () => { await browser?.close(); });

async function demo(options = {}) {
  const ctx = await browser.newContext(options);
  const page = await ctx.newPage();
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await visit(page, `${BASE}/?client_id=${app.client_id}`);
  await page.waitForSelector('body[data-sdk="ready"]');
  const widget = page.locator('latchkey-login');
  await widget.locator('#email-code').waitFor({ state: 'visible' });
  return { ctx, page, widget, warnings, errors };
}

/** Every fixed text of an element's shadow root, by key: [key, shown]. */
const fixedTexts = (page, tag) => page.evaluate((tag) => [...document.querySelector(tag).shadowRoot.querySelectorAll('[data-t]')]
  .map((e) => [e.dataset.t, e.textContent]), tag);

test('the widget says its texts in French, German and Spanish, and the server errors too', async () => {
  const { ctx, page, widget, errors } = await demo();
  for (const lang of ['fr', 'de', 'es', 'en']) {
    const t = TABLES[lang];
    await page.evaluate((l) => document.querySelector('latchkey-login').setAttribute('lang', l), lang);
    await page.waitForFunction((want) => document.querySelector('latchkey-login').shadowRoot.getElementById('title').textContent === want, t['login.title']);
    const fixed = await fixedTexts(page, 'latchkey-login');
    assert.ok(fixed.length > 15, `${fixed.length} fixed texts`);
    for (const [key, shown] of fixed) assert.equal(shown, t[key], `${lang} ${key}`);
    assert.equal(await widget.locator('#form').getAttribute('lang'), lang);
    // Labels name the fields in the language (what a screen reader says).
    await widget.getByLabel(t['login.id_label'], { exact: true }).waitFor();
    await widget.getByLabel(t['field.password'], { exact: true }).waitFor();
    assert.equal(await widget.locator('#submit').textContent(), t['login.submit']);
    assert.equal(await widget.locator('#app-name').textContent(), t['app.continue_to'].replace('{name}', 'Languages'));
    if (lang === 'fr') await shot(page, 'widget-fr');
  }
  // A wrong password, answered in German.
  await page.evaluate(() => document.querySelector('latchkey-login').setAttribute('lang', 'de'));
  const de = TABLES.de;
  await widget.getByLabel(de['login.id_label'], { exact: true }).fill(user.email);
  await widget.getByLabel(de['field.password'], { exact: true }).fill('not the password');
  await widget.locator('#submit').click();
  await page.waitForFunction((want) => document.querySelector('latchkey-login').shadowRoot.getElementById('error').textContent === want, de['error.INVALID_CREDENTIALS']);
  // A check made before sending, in German too.
  await widget.getByLabel(de['field.password'], { exact: true }).fill('');
  await widget.locator('#submit').click();
  assert.equal(await widget.locator('#error').textContent(), de['check.password_empty']);
  await shot(page, 'widget-de-error');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('without a lang of its own the widget follows the page, then the browser', async () => {
  const { ctx, page, widget } = await demo({ locale: 'es-ES' });
  // The demo page says it is English: the widget follows the page, not the browser.
  assert.equal(await widget.locator('#title').textContent(), TABLES.en['login.title']);
  // A page that does not say: the browser's language (navigator.languages).
  await page.evaluate(() => {
    document.documentElement.removeAttribute('lang');
    document.querySelector('latchkey-login').setAttribute('mode', 'login');
  });
  await page.waitForFunction((want) => document.querySelector('latchkey-login').shadowRoot.getElementById('title').textContent === want, TABLES.es['login.title']);
  assert.equal(await widget.locator('#email-code').textContent(), TABLES.es['send.email_code']);
  await ctx.close();
});

test('a page\'s own texts come first; a malformed texts attribute is reported and ignored', async () => {
  const { ctx, page, widget, warnings } = await demo();
  await page.evaluate(() => {
    const w = document.querySelector('latchkey-login');
    w.setAttribute('lang', 'fr');
    w.setAttribute('texts', JSON.stringify({ 'login.title': 'Bon retour', 'forgot': 'Mot de passe oublié ?', 'not.a.key': 'x' }));
  });
  await page.waitForFunction(() => document.querySelector('latchkey-login').shadowRoot.getElementById('title').textContent === 'Bon retour');
  assert.equal(await widget.locator('#forgot').textContent(), 'Mot de passe oublié ?');
  // The rest is the language's own.
  assert.equal(await widget.locator('#submit').textContent(), TABLES.fr['login.submit']);
  assert.ok(warnings.some((w) => w.includes('not.a.key')), JSON.stringify(warnings));
  await shot(page, 'widget-override');
  await page.evaluate(() => document.querySelector('latchkey-login').setAttribute('texts', '{not json'));
  await page.waitForFunction((want) => document.querySelector('latchkey-login').shadowRoot.getElementById('title').textContent === want, TABLES.fr['login.title']);
  assert.ok(warnings.some((w) => /texts attribute is not a JSON object/.test(w)), JSON.stringify(warnings));
  await ctx.close();
});

test('the profile says sessions and history in German, with German times', async () => {
  const { ctx, page, widget } = await demo({ locale: 'de-DE', timezoneId: 'Europe/Berlin' });
  // One failure first, for a "Fehlgeschlagen: …" row.
  await widget.getByLabel('Email or username').fill(user.email);
  await widget.getByLabel('Password', { exact: true }).fill('wrong again');
  await widget.getByRole('button', { name: 'Sign in', exact: true }).click();
  await widget.locator('#error:not(:empty)').waitFor();
  await widget.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await widget.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForSelector('body[data-auth="signed-in"]');
  await visit(page, `${BASE}/account.html?client_id=${app.client_id}`);
  await page.evaluate(() => document.querySelector('latchkey-profile').setAttribute('lang', 'de'));
  const profile = page.locator('latchkey-profile');
  await profile.locator('#history tr').first().waitFor();
  const de = TABLES.de;
  await page.waitForFunction((want) => document.querySelector('latchkey-profile').shadowRoot.getElementById('tab-0').textContent === want, de['history.all']);
  for (const [key, shown] of await fixedTexts(page, 'latchkey-profile')) assert.equal(shown, de[key], key);
  const card = await profile.locator('#sessions li').first().innerText();
  assert.match(card, new RegExp(de['sessions.this_device']));
  // The relative time is the browser's Intl, in German.
  assert.match(card, /jetzt|vor \d+ (Sekunde|Minute)/, card);
  const rows = await profile.locator('#history tr').allInnerTexts();
  const failed = de['history.failed'].replace('{reason}', de['failure.bad_password']);
  assert.ok(rows.some((r) => r.includes(failed)), rows.join('\n'));
  assert.ok(rows.some((r) => r.includes(de['signed_in.password'])), rows.join('\n'));
  assert.match(await profile.locator('#page').textContent(), /^1–\d+ von \d+$/);
  await shot(page, 'profile-de');
  await ctx.close();
});
