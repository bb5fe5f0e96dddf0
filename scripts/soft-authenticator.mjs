// A software WebAuthn authenticator for benchmarks: one ES256 credential made with Node's
// crypto, attestation "none", answering Latchkey's JSON options with the browser's JSON forms.
import { generateKeyPairSync, createHash, sign, randomBytes } from 'node:crypto';

const sha256 = (b) => createHash('sha256').update(b).digest();
const b64 = (b) => Buffer.from(b).toString('base64url');

/** The few CBOR shapes WebAuthn needs: unsigned and negative integers, bytes, text, maps. */
function cbor(v) {
  const head = (major, n) => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 256) return Buffer.from([(major << 5) | 24, n]);
    return Buffer.from([(major << 5) | 25, n >> 8, n & 255]);
  };
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') return Buffer.concat([head(3, Buffer.byteLength(v)), Buffer.from(v)]);
  if (Buffer.isBuffer(v)) return Buffer.concat([head(2, v.length), v]);
  if (v instanceof Map) {
    return Buffer.concat([head(5, v.size), ...[...v].flatMap(([k, x]) => [cbor(k), cbor(x)])]);
  }
  throw new Error(`cbor: ${typeof v}`);
}

export class SoftAuthenticator {
  constructor(origin) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    this.key = privateKey;
    this.x = Buffer.from(jwk.x, 'base64url');
    this.y = Buffer.from(jwk.y, 'base64url');
    this.id = randomBytes(16);
    this.counter = 0;
    this.origin = origin;
    this.userHandle = null;
  }

  authData(rpId, attested) {
    const flags = 0x01 | 0x04 | (attested ? 0x40 : 0); // user present, verified, attested
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.counter);
    const parts = [sha256(rpId), Buffer.from([flags]), count];
    if (attested) {
      const len = Buffer.from([this.id.length >> 8, this.id.length & 255]);
      const cose = cbor(new Map([[1, 2], [3, -7], [-1, 1], [-2, this.x], [-3, this.y]]));
      parts.push(Buffer.alloc(16), len, this.id, cose);
    }
    return Buffer.concat(parts);
  }

  clientData(type, challenge) {
    return Buffer.from(JSON.stringify({ type, challenge, origin: this.origin, crossOrigin: false }));
  }

  /** Answers creation options (`public_key` of the registration options). */
  create(options) {
    this.userHandle = options.user.id;
    const attestation = cbor(new Map([['fmt', 'none'], ['attStmt', new Map()], ['authData', this.authData(options.rp.id, true)]]));
    return {
      id: b64(this.id), rawId: b64(this.id), type: 'public-key',
      response: { clientDataJSON: b64(this.clientData('webauthn.create', options.challenge)), attestationObject: b64(attestation), transports: ['internal'] },
    };
  }

  /** Answers request options (`public_key` of the login options). */
  get(options) {
    this.counter += 1;
    const data = this.authData(options.rpId, false);
    const client = this.clientData('webauthn.get', options.challenge);
    const signature = sign('sha256', Buffer.concat([data, sha256(client)]), this.key); // DER
    return {
      id: b64(this.id), rawId: b64(this.id), type: 'public-key',
      response: { clientDataJSON: b64(client), authenticatorData: b64(data), signature: b64(signature), userHandle: this.userHandle },
    };
  }
}
