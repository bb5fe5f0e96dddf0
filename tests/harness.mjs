// Starts and stops a real `wrangler dev` (workerd, local D1 and KV) for the end-to-end tests
// and the benchmarks: a free port, fresh state in a new --persist-to directory, migrations
// applied, a fresh signing key.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { appendFileSync, existsSync, mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newSigningKey, newPlatformKey, newHmacSecret } from '../scripts/dev-secrets.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * `BENCH_BUILD=<dir>` (scripts/bench.mjs, scripts/load.mjs): another build of the edge Worker,
 * a copy of a `make worker` output, as `startWorker`'s `script`: before and after on one
 * machine. Unset, nothing.
 */
export function benchBuild() {
  const dir = process.env.BENCH_BUILD;
  return dir ? { script: resolve(dir, 'index.js') } : {};
}
const WRANGLER = join(ROOT, 'node_modules', '.bin', 'wrangler');

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The Resend API key and Twilio credentials the test server is given. */
export const RESEND_KEY = 're_test_key_for_the_stand_in';
export const TWILIO = { sid: 'ACtest0000000000000000000000000000', token: 'twilio test token', from: '+15005550006' };

/** The Turnstile secret the test server is given and its stand-in expects. */
const TURNSTILE_SECRET = 'turnstile test secret';

/** Passwords the stand-in for Pwned Passwords' range API knows as breached. */
export const BREACHED = ['this password was breached', 'Tr0ub4dor&3 leaked'];

/**
 * Local stand-ins for the services the worker calls out to, so that it never reaches a real
 * one: Pwned Passwords' range API (`GET /range/{prefix}`, padded as the real one is when
 * asked; the requests are counted with whether each asked for padding; `POST /__breached`
 * adds a password to what it lists) and Turnstile's `POST /turnstile/v0/siteverify`.
 */
export async function rangeServer() {
  const sha1 = (p) => createHash('sha1').update(p).digest('hex').toUpperCase();
  const known = BREACHED.map(sha1);
  // A password that leaks after it was chosen: `POST /__breached` with it as the body.
  const seen = [];
  const spent = new Set();
  // What the email and SMS stand-ins received, as the providers would: GET /__sent lists it.
  const delivered = [];
  const server = createHttpServer((req, res) => {
    if (req.method === 'POST' && (req.url === '/emails' || /^\/2010-04-01\/Accounts\/[^/]+\/Messages\.json$/.test(req.url))) {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        delivered.push({
          path: req.url,
          authorization: req.headers.authorization ?? null,
          contentType: req.headers['content-type'] ?? null,
          body,
        });
        if (req.url === '/emails') {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `re_${delivered.length}` }));
        } else {
          res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid: `SM${delivered.length}`, status: 'queued' }));
        }
      });
      return;
    }
    if (req.method === 'GET' && req.url === '/__sent') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(delivered));
      return;
    }
    if (req.method === 'POST' && req.url === '/turnstile/v0/siteverify') {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        const { secret, response } = JSON.parse(body || '{}');
        // Tokens that start with "pass" verify, once each, as Turnstile's are single-use.
        const success = secret === TURNSTILE_SECRET && /^pass/.test(response ?? '') && !spent.has(response);
        if (success) spent.add(response);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ success }));
      });
      return;
    }
    if (req.method === 'POST' && req.url === '/__breached') {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => { known.push(sha1(body)); res.writeHead(204).end(); });
      return;
    }
    const prefix = (req.url.match(/^\/range\/([0-9A-Fa-f]{5})$/) ?? [])[1]?.toUpperCase();
    if (!prefix) { res.writeHead(400).end(); return; }
    seen.push({ prefix, padding: req.headers['add-padding'] === 'true' });
    const lines = known.filter((h) => h.startsWith(prefix)).map((h) => `${h.slice(5)}:${1000 + h.charCodeAt(6)}`);
    for (let i = 0; i < 3; i++) lines.push(`${randomBytes(18).toString('hex').toUpperCase().slice(0, 35)}:0`);
    res.writeHead(200, { 'content-type': 'text/plain' }).end(lines.join('\r\n'));
  });
  const port = await freePort();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(r)) };
}

/**
 * wrangler.toml without its [build] section: the tests run the worker `make` already built,
 * and wrangler's file watcher cannot rebuild and restart it mid-run.
 */
function testConfig() {
  const out = [];
  let inBuild = false;
  for (const line of readFileSync(join(ROOT, 'wrangler.toml'), 'utf8').split('\n')) {
    if (/^\[/.test(line)) inBuild = line.trim() === '[build]';
    if (!inBuild) out.push(line);
  }
  const file = join(ROOT, 'wrangler.e2e.toml');
  const text = `# Generated by tests/harness.mjs from wrangler.toml; do not edit.\n${out.join('\n')}`;
  // A running wrangler dev watches this file: rewriting it (a second server started by a
  // test) would reload that one mid-run.
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
  return file;
}

/**
 * A copy of configuration `source` as `dir`/`name`, its paths made absolute and its Worker's
 * entry `main`.
 */
function configCopy(source, dir, name, main) {
  const text = readFileSync(source, 'utf8')
    .replace(/^main = .*$/m, `main = ${JSON.stringify(main)}`)
    .replace(/^migrations_dir = .*$/m, `migrations_dir = ${JSON.stringify(join(ROOT, 'migrations'))}`)
    .replace(/^directory = "www"$/m, `directory = ${JSON.stringify(join(ROOT, 'www'))}`);
  const file = join(dir, name);
  writeFileSync(file, `# Generated by tests/harness.mjs from ${source}.\n${text}`);
  return file;
}

/**
 * The administration Worker's configuration (wrangler.admin.toml) in `dir`, with `vars` as
 * its `.dev.vars`: wrangler passes `--var` to the first Worker only, and a second one reads
 * the `.dev.vars` beside its configuration.
 */
function adminConfig(dir, vars, script) {
  const file = configCopy(join(ROOT, 'wrangler.admin.toml'), dir, 'wrangler.toml',
    script ?? join(ROOT, 'worker/build-admin/index.js'));
  writeFileSync(join(dir, '.dev.vars'), vars.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n');
  return file;
}

/**
 * Starts wrangler dev (the edge Worker, and the administration Worker behind its service
 * binding); resolves once /healthz answers 200. With `persistDir` the state of an
 * earlier start is reused and kept (the benchmarks fill local D1 between two starts).
 */
// `script`: another build's entry (its worker-build output's index.js) in place of the
// checkout's worker/build, for comparing builds side by side (scripts/ab.mjs); `adminScript`,
// the same for worker/build-admin.
// `inspectorPort`: where wrangler serves the DevTools protocol (scripts/profile.mjs).
export async function startWorker({ timeoutMs = 180_000, log = false, persistDir: reuse, script, adminScript, inspectorPort } = {}) {
  const config = testConfig();
  const persistDir = reuse ?? mkdtempSync(join(tmpdir(), 'latchkey-e2e-'));
  const migrate = spawnSync(
    WRANGLER,
    ['d1', 'migrations', 'apply', 'latchkey', '--local', '--persist-to', persistDir, '--config', config],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } },
  );
  if (migrate.status !== 0) {
    if (!reuse) rmSync(persistDir, { recursive: true, force: true });
    throw new Error(`migrations failed:\n${migrate.stdout}\n${migrate.stderr}`);
  }

  const range = await rangeServer();
  const port = await freePort();
  const platformKey = newPlatformKey();
  const vars = [
    ['SIGNING_KEY', newSigningKey()], ['PLATFORM_ADMIN_KEY', platformKey], ['CSRF_SECRET', newHmacSecret()],
    ['CHAIN_KEY', newHmacSecret()], ['WEBHOOK_KEY', newHmacSecret()], ['MFA_KEY', newHmacSecret()],
    ['BREACHED_PASSWORDS_URL', range.url],
    ['TURNSTILE_SECRET', TURNSTILE_SECRET], ['TURNSTILE_VERIFY_URL', `${range.url}/turnstile/v0/siteverify`],
    ['RESEND_API_KEY', RESEND_KEY], ['RESEND_BASE_URL', range.url],
    ['TWILIO_ACCOUNT_SID', TWILIO.sid], ['TWILIO_AUTH_TOKEN', TWILIO.token],
    ['TWILIO_FROM', TWILIO.from], ['TWILIO_BASE_URL', range.url],
    // Development-only: lets tests log in "from" other places (x-latchkey-dev-geo).
    ['LATCHKEY_DEV_OVERRIDES', 'enabled'],
  ];
  const adminDir = mkdtempSync(join(tmpdir(), 'latchkey-admin-'));
  const admin = adminConfig(adminDir, vars, adminScript);
  // Another build of the edge Worker: its own copy of the configuration (wrangler takes no
  // entry on the command line beside two configurations).
  const edge = script ? configCopy(config, adminDir, 'edge.toml', script) : config;
  const started = performance.now();
  const child = spawn(
    WRANGLER,
    [
      'dev', ...(inspectorPort ? ['--inspector-port', String(inspectorPort)] : []),
      '--config', edge, '--config', admin, '--ip', '127.0.0.1', '--port', String(port), '--persist-to', persistDir,
      '--show-interactive-dev-session=false', '--test-scheduled',
      ...vars.flatMap(([k, v]) => ['--var', `${k}:${v}`]),
    ],
    { cwd: ROOT, env: { ...process.env, CI: 'true' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  // Also on disk, for tests in other processes: the send_email binding's local simulation
  // logs where it wrote each message.
  const logFile = join(persistDir, 'wrangler.log');
  writeFileSync(logFile, '');
  const collect = (chunk) => {
    output += chunk;
    appendFileSync(logFile, chunk);
    if (log) process.stderr.write(chunk);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let exited = null;
  child.on('exit', (code) => { exited = code ?? -1; });

  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited === null) {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      for (let i = 0; i < 50 && exited === null; i++) await sleep(100);
      if (exited === null) {
        try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
      }
    }
    await range.close();
    rmSync(adminDir, { recursive: true, force: true });
    if (!reuse) rmSync(persistDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== null) {
      await stop();
      throw new Error(`wrangler dev exited with ${exited}:\n${output}`);
    }
    try {
      const res = await fetch(`${baseUrl}/healthz`);
      if (res.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not answer /healthz within ${timeoutMs} ms:\n${output}`);
    }
    await sleep(100);
  }
  return {
    baseUrl, port, platformKey, persistDir, stop, standinUrl: range.url, logFile,
    // wrangler and the workerd processes it starts share this process group (CPU accounting).
    processGroup: child.pid,
    startupMs: performance.now() - started, output: () => output,
  };
}
