// Debian's Chromium driven by playwright-core; never a downloaded browser.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE } from './lib.mjs';

/** Where browser tests save screenshots for a person to look at (never compared). */
export const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '.artifacts');

/** `shot(page, name)` saves `tests/.artifacts/<prefix>-<name>.png`, the whole page. */
export function screenshots(prefix) {
  mkdirSync(ARTIFACTS, { recursive: true });
  return (page, name) => page.screenshot({ path: join(ARTIFACTS, `${prefix}-${name}.png`), fullPage: true });
}

function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/**
 * Runs in the page (`page.evaluate(measure, tag)`): every visible text in the element `tag`
 * (its shadow root, and its slotted children) against the background it is drawn on, every
 * input's border against its surroundings, and every target's size, as the browser computed
 * them; `surface` is the background of its first form or section.
 */
export function measure(tag) {
  const host = document.querySelector(tag);
  const root = host.shadowRoot;
  const rgba = (css) => {
    const m = css.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const lum = ({ r, g, b }) => {
    const f = (c) => { const s = c / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (x, y) => { const [hi, lo] = [lum(x), lum(y)].sort((p, q) => q - p); return (hi + 0.05) / (lo + 0.05); };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement ?? e.getRootNode().host) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) return c;
    }
    const page = rgba(getComputedStyle(document.documentElement).backgroundColor);
    return page && page.a > 0 ? page : { r: 255, g: 255, b: 255 };
  };
  const visible = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  const texts = [];
  for (const e of root.querySelectorAll('h2, label, p, span, button, input:not([type=checkbox]), code, li, th, td, time')) {
    if (!visible(e) || e.disabled) continue;
    const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()) || e.tagName === 'INPUT';
    if (!own) continue;
    texts.push({ what: `${e.tagName.toLowerCase()}#${e.id || e.className || e.textContent.trim().slice(0, 20)} (${getComputedStyle(e).color} on ${JSON.stringify(background(e))})`, ratio: ratio(rgba(getComputedStyle(e).color), background(e)) });
  }
  const borders = [...root.querySelectorAll('input:not([type=checkbox])')].filter(visible)
    .map((e) => ({ what: e.id, ratio: ratio(rgba(getComputedStyle(e).borderTopColor), background(e.parentElement)) }));
  const targets = [...root.querySelectorAll('button, input')].filter(visible).map((e) => {
    const r = e.getBoundingClientRect();
    return { what: e.id || e.textContent.trim(), width: r.width, height: r.height };
  });
  const surface = getComputedStyle(root.querySelector('form, section')).backgroundColor;
  return { texts, borders, targets, surface };
}

/** At least `least` texts measured; 4.5:1 for every text, 3:1 for borders, 24 px targets. */
export function assertReadable(m, theme, least) {
  assert.ok(m.texts.length >= least, `${theme}: measured ${m.texts.length} texts`);
  for (const t of m.texts) assert.ok(t.ratio >= 4.5, `${theme}: ${t.what} has ${t.ratio.toFixed(2)}:1`);
  for (const b of m.borders) assert.ok(b.ratio >= 3, `${theme}: the border of ${b.what} has ${b.ratio.toFixed(2)}:1`);
  for (const t of m.targets) assert.ok(t.height >= 24 && t.width >= 24, `${theme}: ${t.what} is ${t.width}x${t.height}`);
}

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * axe-core's serious and critical violations in `selector` (shadow roots included), or the
 * whole page when none is given. The context must bypass the page's CSP for the script.
 */
export async function axeViolations(page, selector) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async (sel) => {
    const { violations } = await window.axe.run(sel ? document.querySelector(sel) : document, { resultTypes: ['violations'] });
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }, selector);
}

/**
 * `page.goto(url)`, opened again when the load event has not come in 20 s. Under `wrangler
 * dev` a page now and then never finishes loading (a clean-clone run saw it twice in some
 * thousand page loads, each time failing the whole run). Each retry prints the requests
 * still open, so a pattern can be seen. A page that spends a
 * single-use value on load and hangs after spending it fails on the retry, as it would have.
 */
export async function visit(page, url, { tries = 3 } = {}) {
  for (let attempt = 1; ; attempt++) {
    const pending = new Set();
    const started = (r) => pending.add(r);
    const ended = (r) => pending.delete(r);
    page.on('request', started);
    page.on('requestfinished', ended);
    page.on('requestfailed', ended);
    try {
      return await page.goto(url, { timeout: 20_000 });
    } catch (e) {
      if (attempt >= tries || e.name !== 'TimeoutError') throw e;
      console.log(`# ${url}: no load event in 20 s (still open: ${[...pending].map((r) => r.url()).join(', ') || 'none'}); opening it again`);
    } finally {
      page.off('request', started);
      page.off('requestfinished', ended);
      page.off('requestfailed', ended);
    }
  }
}

/** The demo page in `ctx` with the application's widget, its sign-in methods loaded. */
export async function openDemo(ctx, clientId) {
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await visit(page, `${BASE}/?client_id=${clientId}`);
  await page.waitForSelector('body[data-sdk="ready"]');
  const widget = page.locator('latchkey-login');
  await widget.getByRole('button', { name: 'Email me a sign-in code' }).waitFor({ state: 'visible' });
  return { page, widget, errors };
}

/** The admin dashboard in a new context of `browser` (`context`: its options), opened at
 * `hash` with API key `key` pasted; page errors collected. It answers once the key is sent:
 * whether it opens the dashboard is the caller's to wait for. */
export async function openDashboard(browser, key, { hash = '', context = {} } = {}) {
  const ctx = await browser.newContext({ bypassCSP: true, ...context });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await visit(page, `${BASE}/admin/${hash}`);
  // The page's script is ready (it says who is signed in) before the key goes in.
  await page.waitForSelector('body[data-auth="signed-out"]', { state: 'attached' });
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Open' }).click();
  return { ctx, page, errors };
}
