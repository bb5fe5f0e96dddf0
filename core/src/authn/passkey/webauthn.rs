//! WebAuthn relying-party verification: what a registration (`navigator.credentials.create`)
//! and an assertion (`navigator.credentials.get`) must satisfy before a credential is stored
//! or a user is signed in. ES256 (COSE -7, P-256 with SHA-256, DER signatures) only.
//!
//! Registration: attestation `none`, and `packed` self-attestation with its signature
//! checked; a `packed` statement with a certificate chain is accepted as unattested (no
//! X.509 here), as is any other format's.
//!
//! Signatures are checked through a [`SignatureCheck`]: in the worker Web Crypto (native code
//! in the runtime), natively `p256`.
//!
//! Every check answers the same stable code, `PASSKEY_REJECTED`, with what failed in its
//! message: a relying party tells a client that its response is refused, not which of its
//! parts an attacker got wrong first.

use base64ct::{Base64UrlUnpadded, Encoding};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::cbor::{self, Value};
use crate::secrets::ct_eq;
use crate::sessions::jwt::{PublicKey, SignatureCheck};
use crate::Error;

/// COSE algorithm identifier of ES256.
pub const ES256: i64 = -7;
/// Longest credential id accepted (the specification's bound).
pub const MAX_CREDENTIAL_ID: usize = 1023;

const UP: u8 = 0x01;
const UV: u8 = 0x04;
const BE: u8 = 0x08;
const BS: u8 = 0x10;
const AT: u8 = 0x40;

fn rejected(why: &str) -> Error {
    Error::invalid_field(
        "PASSKEY_REJECTED",
        format!("passkey response refused: {why}"),
    )
}

/// What a response must match: the challenge the relying party issued (raw bytes), the
/// origins it accepts, its RP ID, and whether the user must have been verified.
#[derive(Debug, Clone, Copy)]
pub struct Expect<'a> {
    pub challenge: &'a [u8],
    pub origins: &'a [String],
    pub rp_id: &'a str,
    pub require_user_verification: bool,
}

/// A credential a verified registration creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCredential {
    pub id: Vec<u8>,
    /// The COSE_Key as the authenticator sent it, to store and verify assertions with.
    pub public_key: Vec<u8>,
    pub sign_count: u32,
    pub aaguid: [u8; 16],
    pub user_verified: bool,
    pub backup_eligible: bool,
    pub backup_state: bool,
    pub attestation: Attestation,
}

/// What the attestation statement proved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attestation {
    /// `none`: nothing beyond the credential itself.
    None,
    /// `packed` without certificates: signed by the credential's own key.
    SelfAttested,
    /// A statement with a certificate chain, or a format not verified here.
    Unattested,
}

/// What a verified assertion tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asserted {
    pub sign_count: u32,
    pub user_verified: bool,
    pub backup_state: bool,
}

#[derive(Deserialize)]
struct ClientData {
    #[serde(rename = "type")]
    kind: String,
    challenge: String,
    origin: String,
    #[serde(default, rename = "crossOrigin")]
    cross_origin: Option<bool>,
}

/// The challenge a response's client data answers (not yet checked: the relying party
/// looks it up among those it issued, then verifies the whole response against it).
pub fn client_data_challenge(json: &[u8]) -> Result<Vec<u8>, Error> {
    let c: ClientData =
        crate::api::from_json(json).map_err(|_| rejected("clientDataJSON is not valid"))?;
    Base64UrlUnpadded::decode_vec(c.challenge.trim_end_matches('='))
        .map_err(|_| rejected("the challenge is not base64url"))
}

/// §7.1 steps 5-12 and §7.2 steps 10-15: the client data's type, challenge (compared in
/// constant time), origin and that it was not made inside another origin's frame.
fn check_client_data(json: &[u8], kind: &str, expect: &Expect<'_>) -> Result<(), Error> {
    let c: ClientData =
        crate::api::from_json(json).map_err(|_| rejected("clientDataJSON is not valid"))?;
    if c.kind != kind {
        return Err(rejected("clientDataJSON has the wrong type"));
    }
    let challenge = Base64UrlUnpadded::decode_vec(c.challenge.trim_end_matches('='))
        .map_err(|_| rejected("the challenge is not base64url"))?;
    if !ct_eq(&challenge, expect.challenge) {
        return Err(rejected("the challenge is not the one issued"));
    }
    if !expect.origins.iter().any(|o| o == &c.origin) {
        return Err(rejected("the origin is not allowed"));
    }
    if c.cross_origin == Some(true) {
        return Err(rejected("made in a cross-origin frame"));
    }
    Ok(())
}

/// Authenticator data, parsed (§6.1).
struct AuthData<'a> {
    rp_id_hash: &'a [u8],
    flags: u8,
    sign_count: u32,
    /// (AAGUID, credential id, COSE key bytes), when the AT flag is set.
    attested: Option<([u8; 16], &'a [u8], Vec<u8>)>,
}

fn parse_auth_data(data: &[u8]) -> Result<AuthData<'_>, Error> {
    let short = || rejected("authenticator data is too short");
    if data.len() < 37 {
        return Err(short());
    }
    let flags = data[32];
    let sign_count = u32::from_be_bytes([data[33], data[34], data[35], data[36]]);
    let mut attested = None;
    if flags & AT != 0 {
        let rest = &data[37..];
        if rest.len() < 18 {
            return Err(short());
        }
        let mut aaguid = [0u8; 16];
        aaguid.copy_from_slice(&rest[..16]);
        let id_len = usize::from(u16::from_be_bytes([rest[16], rest[17]]));
        if id_len == 0 || id_len > MAX_CREDENTIAL_ID {
            return Err(rejected("the credential id length is out of bounds"));
        }
        let id = rest.get(18..18 + id_len).ok_or_else(short)?;
        let key_bytes = &rest[18 + id_len..];
        // The COSE key is the first CBOR item; extensions may follow it.
        let (_, used) = cbor::read_first(key_bytes)
            .map_err(|_| rejected("the credential public key is not CBOR"))?;
        attested = Some((aaguid, id, key_bytes[..used].to_vec()));
    }
    Ok(AuthData {
        rp_id_hash: &data[..32],
        flags,
        sign_count,
        attested,
    })
}

/// §7.1 steps 13-16 and §7.2 steps 15-17: the RP ID hash, user presence, and user
/// verification where required; backup state only where the credential is eligible.
fn check_flags(a: &AuthData<'_>, expect: &Expect<'_>) -> Result<(), Error> {
    if !ct_eq(a.rp_id_hash, &Sha256::digest(expect.rp_id.as_bytes())) {
        return Err(rejected("made for another relying party"));
    }
    if a.flags & UP == 0 {
        return Err(rejected("the user was not present"));
    }
    if expect.require_user_verification && a.flags & UV == 0 {
        return Err(rejected("the user was not verified"));
    }
    if a.flags & BE == 0 && a.flags & BS != 0 {
        return Err(rejected("backed up but not backup-eligible"));
    }
    Ok(())
}

/// The ES256 public key of a COSE_Key (kty 2, alg -7, crv 1): its coordinates, not yet
/// known to be a point of the curve ([`SignatureCheck::usable`] tells).
pub fn es256_key(cose: &[u8]) -> Result<PublicKey, Error> {
    let key = cbor::read(cose).map_err(|_| rejected("the public key is not CBOR"))?;
    if key.as_map().is_none() {
        return Err(rejected("the public key is not a COSE key"));
    }
    let int = |k: i128| key.get_int(k).and_then(Value::as_integer);
    if (int(1), int(3), int(-1)) != (Some(2), Some(ES256.into()), Some(1)) {
        return Err(rejected("only ES256 (P-256) keys are accepted"));
    }
    let coord = |k: i128| {
        key.get_int(k)
            .and_then(Value::as_bytes)
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| rejected("the public key's coordinates are malformed"))
    };
    Ok(PublicKey {
        x: coord(-2)?,
        y: coord(-3)?,
    })
}

/// An ECDSA signature in DER (`SEQUENCE { INTEGER r, INTEGER s }`, as WebAuthn gives it) as
/// the 64 bytes `r || s` a JWS and Web Crypto take. Strict DER only: short-form lengths,
/// positive minimal integers of at most 32 bytes' value, nothing after the sequence.
pub fn der_signature_to_raw(der: &[u8]) -> Option<[u8; 64]> {
    let body = match der {
        [0x30, len, body @ ..] if usize::from(*len) == body.len() => body,
        _ => return None,
    };
    let mut raw = [0u8; 64];
    let mut rest = body;
    for half in raw.chunks_exact_mut(32) {
        let (int, after) = match rest {
            [0x02, len, tail @ ..] if usize::from(*len) <= tail.len() => {
                tail.split_at(usize::from(*len))
            }
            _ => return None,
        };
        let value = match int {
            // Empty, or negative.
            [] => return None,
            [first, ..] if *first >= 0x80 => return None,
            // A leading zero only where the next byte would read as negative.
            [0, next, ..] if *next < 0x80 => return None,
            [0, value @ ..] => value,
            value => value,
        };
        if value.len() > 32 {
            return None;
        }
        half[32 - value.len()..].copy_from_slice(value);
        rest = after;
    }
    rest.is_empty().then_some(raw)
}

/// Verifies a DER ECDSA signature over `authenticator_data || SHA-256(client_data_json)`.
async fn verify_signature(
    check: &impl SignatureCheck,
    key: &PublicKey,
    authenticator_data: &[u8],
    client_data_json: &[u8],
    der: &[u8],
) -> Result<(), Error> {
    let raw = der_signature_to_raw(der).ok_or_else(|| rejected("the signature is not DER"))?;
    let mut signed = authenticator_data.to_vec();
    signed.extend_from_slice(&Sha256::digest(client_data_json));
    if check.verify("ES256", &key.to_jwk(), &signed, &raw).await? {
        Ok(())
    } else {
        Err(rejected("the signature does not verify"))
    }
}

/// Verifies a registration response (§7.1): `client_data_json` and `attestation_object` as
/// the browser returned them. `already_registered` answers whether a credential id is
/// stored already (for anyone), which is refused.
pub async fn verify_registration(
    check: &impl SignatureCheck,
    client_data_json: &[u8],
    attestation_object: &[u8],
    expect: &Expect<'_>,
    already_registered: impl FnOnce(&[u8]) -> bool,
) -> Result<NewCredential, Error> {
    check_client_data(client_data_json, "webauthn.create", expect)?;
    let obj = cbor::read(attestation_object)
        .map_err(|_| rejected("the attestation object is not CBOR"))?;
    if obj.as_map().is_none() {
        return Err(rejected("the attestation object is not a map"));
    }
    let fmt = obj
        .get_text("fmt")
        .and_then(Value::as_text)
        .ok_or_else(|| rejected("the attestation format is missing"))?;
    let auth_data = obj
        .get_text("authData")
        .and_then(Value::as_bytes)
        .ok_or_else(|| rejected("authenticator data is missing"))?;
    let att_stmt = obj
        .get_text("attStmt")
        .filter(|v| v.as_map().is_some())
        .ok_or_else(|| rejected("the attestation statement is missing"))?;
    let a = parse_auth_data(auth_data)?;
    check_flags(&a, expect)?;
    let (aaguid, id, public_key) = a
        .attested
        .clone()
        .ok_or_else(|| rejected("no credential was attested"))?;
    let key = es256_key(&public_key)?;
    if !check.usable("ES256", &key.to_jwk()).await? {
        return Err(rejected("the public key is not on P-256"));
    }
    let attestation = match fmt {
        "none" => {
            if att_stmt.as_map().is_some_and(|m| !m.is_empty()) {
                return Err(rejected("a none attestation carries a statement"));
            }
            Attestation::None
        }
        "packed" => {
            if att_stmt.get_text("x5c").is_some() {
                Attestation::Unattested
            } else {
                let alg = att_stmt.get_text("alg").and_then(Value::as_integer);
                if alg != Some(ES256.into()) {
                    return Err(rejected("a self attestation's algorithm is not the key's"));
                }
                let sig = att_stmt
                    .get_text("sig")
                    .and_then(Value::as_bytes)
                    .ok_or_else(|| rejected("a self attestation has no signature"))?;
                verify_signature(check, &key, auth_data, client_data_json, sig).await?;
                Attestation::SelfAttested
            }
        }
        _ => Attestation::Unattested,
    };
    if already_registered(id) {
        return Err(rejected("this credential is registered already"));
    }
    Ok(NewCredential {
        id: id.to_vec(),
        public_key,
        sign_count: a.sign_count,
        aaguid,
        user_verified: a.flags & UV != 0,
        backup_eligible: a.flags & BE != 0,
        backup_state: a.flags & BS != 0,
        attestation,
    })
}

/// Why a verified assertion may still be refused: its signature counter did not grow
/// although the authenticator keeps one, the mark of a cloned authenticator.
pub fn counter_regressed(stored: u32, presented: u32) -> bool {
    (stored != 0 || presented != 0) && presented <= stored
}

/// Verifies an assertion (§7.2) against the credential's stored COSE key. The caller found
/// the credential by id (and, for a usernameless login, checked the user handle); the
/// signature counter is the caller's to compare with [`counter_regressed`], so that it can
/// record a clone before refusing.
pub async fn verify_assertion(
    check: &impl SignatureCheck,
    client_data_json: &[u8],
    authenticator_data: &[u8],
    signature: &[u8],
    public_key: &[u8],
    expect: &Expect<'_>,
) -> Result<Asserted, Error> {
    check_client_data(client_data_json, "webauthn.get", expect)?;
    let a = parse_auth_data(authenticator_data)?;
    check_flags(&a, expect)?;
    let key = es256_key(public_key)?;
    verify_signature(check, &key, authenticator_data, client_data_json, signature).await?;
    Ok(Asserted {
        sign_count: a.sign_count,
        user_verified: a.flags & UV != 0,
        backup_state: a.flags & BS != 0,
    })
}
