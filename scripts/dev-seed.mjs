// The first run of `make dev`: once the worker answers, makes sure a development
// organization, a demo application (allowing this server's own origin, with passwords,
// emailed codes and links, and sign-ups; passkeys need a domain name, which 127.0.0.1 is not) and a user exist, then prints where to
// sign in and with what. What it made is kept in .dev-seed.json (git-ignored, like
// .dev.vars) so later runs print the same thing; if the local database was reset, it makes
// them again.
//
//   node scripts/dev-seed.mjs [.dev-seed.json] [port] [.dev.vars]
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export const DEV_EMAIL = 'dev@example.com';

async function api(base, key, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  const parsed = text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
  return { status: res.status, body: parsed };
}

async function must(what, res, status) {
  if (res.status !== status) {
    throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

/** Waits until `base` answers /healthz (the worker has started), for up to `timeoutMs`. */
export async function waitForWorker(base, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${base} did not answer /healthz`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * The development organization, application and user that `file` names, if they still
 * exist at `base`; else new ones, written to `file`. Answers what to print.
 */
export async function seed({ base, platformKey, file }) {
  if (existsSync(file)) {
    const kept = JSON.parse(readFileSync(file, 'utf8'));
    // Still there, with its key and application (the local database may have been reset,
    // or the key revoked).
    const apps = kept.base === base
      ? await api(base, kept.api_key, 'GET', '/api/v1/applications')
      : { status: 0 };
    if (apps.status === 200 && apps.body.applications?.some((a) => a.client_id === kept.client_id)) {
      return { ...kept, fresh: false };
    }
  }
  const made = await must('organization', await api(base, platformKey, 'POST', '/api/v1/organizations', { name: 'Development' }), 201);
  const key = made.api_key.key;
  const app = await must('application', await api(base, key, 'POST', '/api/v1/applications', {
    name: 'Latchkey demo',
    allowed_origins: [base],
    login_methods: ['password', 'magic_code', 'magic_link'],
    self_signup: true,
  }), 201);
  const password = `dev-${randomBytes(9).toString('base64url')}`;
  const user = await must('user', await api(base, key, 'POST', '/api/v1/users', { email: DEV_EMAIL, password, name: 'Dev User' }), 201);
  await must('registration', await api(base, key, 'PUT', `/api/v1/users/${user.id}/registrations/${app.id}`), 204);
  await must('email verified', await api(base, key, 'POST', `/api/v1/users/${user.id}/verify-email`, { email_verified: true }), 200);
  // The dashboard's own application: its tokens are for Latchkey's API, and the user's role
  // lets them read the login activity.
  const admin = await must('admin application', await api(base, key, 'POST', '/api/v1/applications', {
    name: 'Latchkey admin',
    allowed_origins: [base],
    login_methods: ['password', 'magic_code', 'magic_link'],
    admin_api: true,
  }), 201);
  const permissionIds = [];
  for (const name of ['login_records:read', 'applications:read']) {
    permissionIds.push((await must(name, await api(base, key, 'POST', '/api/v1/permissions', { name }), 201)).id);
  }
  const role = await must('role', await api(base, key, 'POST', '/api/v1/roles', {
    name: 'administrator', description: 'Reads the login activity in the dashboard', permission_ids: permissionIds,
  }), 201);
  await must('roles', await api(base, key, 'PUT', `/api/v1/users/${user.id}/roles`, { role_ids: [role.id] }), 200);
  await must('admin registration', await api(base, key, 'PUT', `/api/v1/users/${user.id}/registrations/${admin.id}`), 204);
  const info = {
    base,
    organization_id: made.organization.id,
    api_key: key,
    client_id: app.client_id,
    admin_client_id: admin.client_id,
    email: DEV_EMAIL,
    password,
  };
  writeFileSync(file, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  return { ...info, fresh: true };
}

/** What the terminal shows: where to go and what to type. */
export function banner(info) {
  const url = `${info.base}/?client_id=${info.client_id}`;
  // Development data made before the dashboard had its sign-in has no admin application.
  const admin = info.admin_client_id
    ? `${info.base}/admin/?client_id=${info.admin_client_id} (sign in as above, or paste the API key)`
    : `${info.base}/admin/ (paste the API key)`;
  return `
  ┌─ Latchkey is running ${info.fresh ? '(development data created)' : '(development data kept)'}
  │
  │  Sign in:   ${url}
  │  Email:     ${info.email}
  │  Password:  ${info.password}
  │             (or "Email me a sign-in code / link": read it at ${info.base}/dev/outbox.html)
  │
  │  Account:   ${info.base}/account?client_id=${info.client_id}
  │  API key:   ${info.api_key}
  │             curl -H 'authorization: Bearer ${info.api_key}' ${info.base}/api/v1/users
  │  Admin:     ${admin}
  │  API:       ${info.base}/openapi.json
  └─ kept in .dev-seed.json; delete it (or the local database) to start over
`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2] ?? '.dev-seed.json';
  const port = process.argv[3] ?? '8787';
  const vars = readFileSync(process.argv[4] ?? '.dev.vars', 'utf8');
  const platformKey = vars.match(/^PLATFORM_ADMIN_KEY=(.*)$/m)?.[1];
  const base = `http://127.0.0.1:${port}`;
  try {
    if (!platformKey) throw new Error('no PLATFORM_ADMIN_KEY in .dev.vars (make dev writes it)');
    await waitForWorker(base);
    console.log(banner(await seed({ base, platformKey, file })));
  } catch (err) {
    console.error(`dev-seed: ${err.message}`);
    process.exitCode = 1;
  }
}
