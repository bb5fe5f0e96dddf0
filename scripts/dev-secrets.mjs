// Writes the development secrets to .dev.vars, keeping any already there:
// - SIGNING_KEY: a fresh ES256 (P-256) private key, PKCS#8 DER, base64.
// - PLATFORM_ADMIN_KEY: the platform operator's key, which creates organizations.
// - CSRF_SECRET: the HMAC key browser-mode CSRF values are made from.
// - CHAIN_KEY: the HMAC key login records are chained with (never change it once used).
// - WEBHOOK_KEY: the HMAC key each organization's webhook signing secret is derived from.
// - MFA_KEY: the AES-256-GCM key TOTP secrets are sealed with (and backup codes MACed
//   under a key derived from it): 64 hex digits. Rotate by moving it to MFA_KEY_PREVIOUS.
// Production sets them with `wrangler secret put`.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, appendFileSync } from 'node:fs';

export function newSigningKey() {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
}

export function newPlatformKey() {
  return `lkp_${randomBytes(32).toString('hex')}`;
}

/** A secret for HMACs (CSRF values, the login-record chain): 256 random bits, hex. */
export function newHmacSecret() {
  return randomBytes(32).toString('hex');
}

function ensure(file, name, make) {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const found = current.match(new RegExp(`^${name}=(.*)$`, 'm'));
  if (found) return { value: found[1], fresh: false };
  const value = make();
  const sep = current === '' || current.endsWith('\n') ? '' : '\n';
  appendFileSync(file, `${sep}${name}=${value}\n`, { mode: 0o600 });
  return { value, fresh: true };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2] ?? '.dev.vars';
  const port = process.argv[3] ?? '8787';
  const signing = ensure(file, 'SIGNING_KEY', newSigningKey);
  const platform = ensure(file, 'PLATFORM_ADMIN_KEY', newPlatformKey);
  ensure(file, 'CSRF_SECRET', newHmacSecret);
  ensure(file, 'CHAIN_KEY', newHmacSecret);
  ensure(file, 'WEBHOOK_KEY', newHmacSecret);
  ensure(file, 'MFA_KEY', newHmacSecret);
  // Development only: lets a request set its location with the x-latchkey-dev-geo header.
  ensure(file, 'LATCHKEY_DEV_OVERRIDES', () => 'enabled');
  console.log(`dev-secrets: ${file}: SIGNING_KEY ${signing.fresh ? 'created' : 'kept'}, PLATFORM_ADMIN_KEY ${platform.fresh ? 'created' : 'kept'}`);
  console.log(`
The first run's organization, application and user are made once the worker answers
(scripts/dev-seed.mjs prints them). More organizations (each API key is printed once):

  curl -s -X POST http://127.0.0.1:${port}/api/v1/organizations \\
    -H 'authorization: Bearer ${platform.value}' \\
    -H 'content-type: application/json' -d '{"name":"My organization"}'
`);
}
