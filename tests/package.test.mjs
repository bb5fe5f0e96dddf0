// The npm package as a user gets it: `npm pack` of pkg/, installed from the tarball into a
// scratch app served from another origin, which logs in with it in Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, extname, normalize } from 'node:path';
import { BASE, newOrg, email, registered } from './lib.mjs';
import { ROOT, freePort } from './harness.mjs';
import { visit, launchBrowser } from './browser.mjs';

let browser;
let server;
let dir;
before(async () => { browser = await launchBrowser(); dir = mkdtempSync(join(tmpdir(), 'latchkey-pkg-')); });
after(async () => {
  await browser?.close();
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

/** A static file server for the scratch app (on loopback, for this test only). */
function serve(root, port) {
  return new Promise((resolve) => {
    const srv = createServer((req, res) => {
      const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
      const file = join(root, path === '/' ? 'index.html' : path);
      if (!file.startsWith(root) || !existsSync(file)) { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
    });
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

test('test_package_tarball_installs_and_logs_in_from_another_origin', async () => {
  // Pack exactly what would be published.
  const packed = JSON.parse(execFileSync('npm', ['pack', join(ROOT, 'pkg'), '--pack-destination', dir, '--json'], { encoding: 'utf8' }));
  const files = packed[0].files.map((f) => f.path).sort();
  for (const f of ['README.md', 'latchkey_sdk.d.ts', 'latchkey_sdk.js', 'latchkey_sdk_bg.wasm', 'package.json']) {
    assert.ok(files.includes(f), `${f} is in the tarball: ${files}`);
  }
  assert.ok(files.some((f) => f.startsWith('snippets/')), 'the custom element shim is in the tarball');

  const app = join(dir, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({
    name: 'scratch-app', private: true, type: 'module',
    dependencies: { '@latchkey/sdk': `file:${join(dir, packed[0].filename)}` },
  }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app });
  // `exports` resolves for tools that follow it, and the types are there.
  const entry = execFileSync(process.execPath, ['--input-type=module', '-e', "console.log(import.meta.resolve('@latchkey/sdk'))"], { cwd: app, encoding: 'utf8' }).trim();
  assert.match(entry, /node_modules\/@latchkey\/sdk\/latchkey_sdk\.js$/);
  const dts = readFileSync(join(app, 'node_modules/@latchkey/sdk/latchkey_sdk.d.ts'), 'utf8');
  for (const name of ['class LatchkeyClient', 'loginWithPassword', 'signUp', 'getAccessToken', 'onAuthStateChange', 'loginHistory']) {
    assert.ok(dts.includes(name), `${name} in the .d.ts`);
  }

  writeFileSync(join(app, 'index.html'), `<!doctype html><meta charset="utf-8"><title>scratch</title>
<script type="importmap">{"imports":{"@latchkey/sdk":"/node_modules/@latchkey/sdk/latchkey_sdk.js"}}</script>
<script type="module">
import init, { LatchkeyClient } from '@latchkey/sdk';
const q = new URLSearchParams(location.search);
await init();
window.auth = new LatchkeyClient({ baseUrl: q.get('api'), clientId: q.get('client_id') });
document.body.dataset.ready = 'yes';
</script><body></body>`);
  const port = await freePort();
  server = await serve(app, port);
  const origin = `http://127.0.0.1:${port}`;

  const org = await newOrg();
  const application = (await org.api('POST', '/api/v1/applications', { name: 'scratch', allowed_origins: [origin] })).body;
  const addr = email('pkg');
  await registered(org, application, (await org.api('POST', '/api/v1/users', { email: addr, password: 'package test password' })).body);

  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await visit(page, `${origin}/?api=${encodeURIComponent(BASE)}&client_id=${application.client_id}`);
  await page.waitForSelector('body[data-ready="yes"]', { state: 'attached' });
  const result = await page.evaluate(async ([e, p]) => {
    const user = await window.auth.loginWithPassword(e, p);
    const me = await window.auth.currentUser();
    return { user: user.email, me: me.email, token: await window.auth.getAccessToken(), element: typeof customElements.get('latchkey-login') };
  }, [addr, 'package test password']);
  assert.equal(result.user, addr);
  assert.equal(result.me, addr);
  assert.match(result.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.equal(result.element, 'function');
  // Eleven minutes on: the token has expired, and the page on another origin refreshes it
  // through the cookie, echoing the CSRF value it got at login.
  const refreshes = [];
  page.on('request', (r) => { if (r.url().endsWith('/api/v1/auth/refresh')) refreshes.push(r.url()); });
  await page.clock.setFixedTime(Date.now() + 11 * 60_000);
  const after = await page.evaluate(async () => ({
    token: await window.auth.getAccessToken(),
    me: (await window.auth.currentUser()).email,
  }));
  assert.equal(refreshes.length, 1);
  assert.match(after.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.equal(after.me, addr);
  assert.deepEqual(errors, []);
  await page.close();
});
