// Writes a fresh ES256 (P-256) development signing key to .dev.vars unless one is set.
// SIGNING_KEY is the PKCS#8 DER private key, base64. Production sets it with
// `wrangler secret put SIGNING_KEY`.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, appendFileSync } from 'node:fs';

export function newSigningKey() {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2] ?? '.dev.vars';
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (/^SIGNING_KEY=/m.test(current)) {
    console.log(`dev-key: ${file} already has a SIGNING_KEY`);
  } else {
    const sep = current === '' || current.endsWith('\n') ? '' : '\n';
    appendFileSync(file, `${sep}SIGNING_KEY=${newSigningKey()}\n`, { mode: 0o600 });
    console.log(`dev-key: wrote a fresh SIGNING_KEY to ${file}`);
  }
}
