use super::vectors::*;
use super::webauthn::*;
use crate::sessions::jwt::{P256Check, PublicKey};

/// The checks, with signatures verified by `p256` (the worker's are Web Crypto's).
fn verify_registration(
    client_data_json: &[u8],
    attestation_object: &[u8],
    expect: &Expect<'_>,
    already_registered: impl FnOnce(&[u8]) -> bool,
) -> Result<NewCredential, crate::Error> {
    pollster::block_on(super::webauthn::verify_registration(
        &P256Check,
        client_data_json,
        attestation_object,
        expect,
        already_registered,
    ))
}

fn verify_assertion(
    client_data_json: &[u8],
    authenticator_data: &[u8],
    signature: &[u8],
    public_key: &[u8],
    expect: &Expect<'_>,
) -> Result<Asserted, crate::Error> {
    pollster::block_on(super::webauthn::verify_assertion(
        &P256Check,
        client_data_json,
        authenticator_data,
        signature,
        public_key,
        expect,
    ))
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn origins() -> Vec<String> {
    vec!["https://example.org".to_owned()]
}

fn expect<'a>(challenge: &'a [u8], origins: &'a [String], uv: bool) -> Expect<'a> {
    Expect {
        challenge,
        origins,
        rp_id: "example.org",
        require_user_verification: uv,
    }
}

fn code(r: Result<impl std::fmt::Debug, crate::Error>) -> &'static str {
    r.unwrap_err().code()
}

fn register_none(uv: bool) -> Result<NewCredential, crate::Error> {
    let (ch, o) = (unhex(NONE_REG_CHALLENGE), origins());
    verify_registration(
        &unhex(NONE_REG_CLIENT_DATA),
        &unhex(NONE_REG_ATTESTATION),
        &expect(&ch, &o, uv),
        |_| false,
    )
}

#[test]
fn test_passkey_none_es256_registration_vector_verifies() {
    let c = register_none(false).unwrap();
    assert_eq!(c.id, unhex(NONE_CREDENTIAL_ID));
    assert_eq!(c.attestation, Attestation::None);
    assert_eq!(c.sign_count, 0);
    // The vector's flags: UP, BE, BS, AT; not UV.
    assert!(!c.user_verified && c.backup_eligible && c.backup_state);
    assert!(es256_key(&c.public_key).is_ok());
    // User verification is what the application requires by default: this one lacks it.
    assert_eq!(code(register_none(true)), "PASSKEY_REJECTED");
}

#[test]
fn test_passkey_registration_refuses_wrong_challenge_origin_rp_and_duplicates() {
    let (client, att) = (unhex(NONE_REG_CLIENT_DATA), unhex(NONE_REG_ATTESTATION));
    let ch = unhex(NONE_REG_CHALLENGE);
    let o = origins();
    let mut other = ch.clone();
    other[0] ^= 1;
    assert_eq!(
        code(verify_registration(
            &client,
            &att,
            &expect(&other, &o, false),
            |_| false
        )),
        "PASSKEY_REJECTED"
    );
    let evil = vec![
        "https://example.org.evil.com".to_owned(),
        "https://example.com".to_owned(),
    ];
    assert!(verify_registration(&client, &att, &expect(&ch, &evil, false), |_| false).is_err());
    let mut e = expect(&ch, &o, false);
    e.rp_id = "evil.example.org";
    assert!(verify_registration(&client, &att, &e, |_| false).is_err());
    // A credential id already stored (for anyone) is not registered twice.
    let id = unhex(NONE_CREDENTIAL_ID);
    assert!(
        verify_registration(&client, &att, &expect(&ch, &o, false), |seen| seen == id).is_err()
    );
    // An assertion's client data is not a registration's.
    let get = unhex(NONE_AUTH_CLIENT_DATA);
    let ach = unhex(NONE_AUTH_CHALLENGE);
    assert!(verify_registration(&get, &att, &expect(&ach, &o, false), |_| false).is_err());
}

#[test]
fn test_passkey_packed_self_attestation_is_verified() {
    let (ch, o) = (unhex(PACKED_REG_CHALLENGE), origins());
    let client = unhex(PACKED_REG_CLIENT_DATA);
    let att = unhex(PACKED_REG_ATTESTATION);
    let c = verify_registration(&client, &att, &expect(&ch, &o, true), |_| false).unwrap();
    assert_eq!(c.attestation, Attestation::SelfAttested);
    assert_eq!(c.id, unhex(PACKED_CREDENTIAL_ID));
    assert!(c.user_verified);
    // Any byte of the signed authenticator data changed (here, in the AAGUID) breaks the
    // self-attestation signature.
    let aaguid = unhex("df850e09db6afbdfab51697791506cfc");
    let at = att
        .windows(16)
        .position(|w| w == aaguid.as_slice())
        .unwrap();
    let mut forged = att.clone();
    forged[at] ^= 0x80;
    assert!(verify_registration(&client, &forged, &expect(&ch, &o, true), |_| false).is_err());
}

#[test]
fn test_passkey_assertions_verify_against_the_registered_key_only() {
    let none = register_none(false).unwrap();
    let (ch, o) = (unhex(NONE_AUTH_CHALLENGE), origins());
    let (client, data, sig) = (
        unhex(NONE_AUTH_CLIENT_DATA),
        unhex(NONE_AUTH_DATA),
        unhex(NONE_AUTH_SIGNATURE),
    );
    let ok = verify_assertion(
        &client,
        &data,
        &sig,
        &none.public_key,
        &expect(&ch, &o, false),
    )
    .unwrap();
    assert_eq!(
        (ok.sign_count, ok.user_verified, ok.backup_state),
        (0, false, true)
    );
    // Without user verification, an application that requires it refuses.
    assert!(verify_assertion(
        &client,
        &data,
        &sig,
        &none.public_key,
        &expect(&ch, &o, true)
    )
    .is_err());
    // A changed signature, authenticator data or client data does not verify.
    let mut bad = sig.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    assert!(verify_assertion(
        &client,
        &data,
        &bad,
        &none.public_key,
        &expect(&ch, &o, false)
    )
    .is_err());
    let mut counter = data.clone();
    counter[36] = 9;
    assert!(verify_assertion(
        &client,
        &counter,
        &sig,
        &none.public_key,
        &expect(&ch, &o, false)
    )
    .is_err());
    // Another credential's key.
    let (pch, pclient, patt) = (
        unhex(PACKED_REG_CHALLENGE),
        unhex(PACKED_REG_CLIENT_DATA),
        unhex(PACKED_REG_ATTESTATION),
    );
    let packed = verify_registration(&pclient, &patt, &expect(&pch, &o, true), |_| false).unwrap();
    assert!(verify_assertion(
        &client,
        &data,
        &sig,
        &packed.public_key,
        &expect(&ch, &o, false)
    )
    .is_err());
    // And the packed credential's own assertion (UP and BE; no UV, no BS) verifies with it.
    let pa = verify_assertion(
        &unhex(PACKED_AUTH_CLIENT_DATA),
        &unhex(PACKED_AUTH_DATA),
        &unhex(PACKED_AUTH_SIGNATURE),
        &packed.public_key,
        &expect(&unhex(PACKED_AUTH_CHALLENGE), &o, false),
    )
    .unwrap();
    assert_eq!((pa.user_verified, pa.backup_state), (false, false));
}

#[test]
fn test_passkey_signature_counter_must_grow_when_kept() {
    assert!(
        !counter_regressed(0, 0),
        "authenticators that keep no counter"
    );
    assert!(!counter_regressed(0, 1));
    assert!(!counter_regressed(41, 42));
    assert!(counter_regressed(42, 42), "a replayed or cloned counter");
    assert!(counter_regressed(42, 7));
    assert!(counter_regressed(42, 0));
}

#[test]
fn test_passkey_malformed_input_is_refused_never_a_panic() {
    let (ch, o) = (unhex(PACKED_REG_CHALLENGE), origins());
    let e = expect(&ch, &o, false);
    let client = unhex(PACKED_REG_CLIENT_DATA);
    let att = unhex(PACKED_REG_ATTESTATION);
    for n in 0..att.len() {
        assert!(
            verify_registration(&client, &att[..n], &e, |_| false).is_err(),
            "{n}"
        );
    }
    for n in 0..client.len() {
        assert!(
            verify_registration(&client[..n], &att, &e, |_| false).is_err(),
            "{n}"
        );
    }
    let data = unhex(PACKED_AUTH_DATA);
    let none = register_none(false).unwrap();
    for n in 0..data.len() {
        assert!(verify_assertion(&client, &data[..n], &[], &none.public_key, &e).is_err());
    }
    for key in [&b""[..], b"\xa0", b"\xa1\x01\x02", &none.public_key[..10]] {
        assert!(es256_key(key).is_err());
    }
}

#[test]
fn test_passkey_registration_refuses_a_key_off_the_curve() {
    let (ch, o) = (unhex(NONE_REG_CHALLENGE), origins());
    let client = unhex(NONE_REG_CLIENT_DATA);
    let mut att = unhex(NONE_REG_ATTESTATION);
    let key = register_none(false).unwrap().public_key;
    // The COSE key ends with its y coordinate: -3 (0x22), a 32-byte string (0x58 0x20).
    assert_eq!(key[key.len() - 35..key.len() - 32], [0x22, 0x58, 0x20]);
    let at = att.windows(key.len()).position(|w| w == key).unwrap();
    att[at + key.len() - 1] ^= 1;
    let err = verify_registration(&client, &att, &expect(&ch, &o, false), |_| false).unwrap_err();
    assert_eq!(err.code(), "PASSKEY_REJECTED");
    assert!(err.to_string().contains("not on P-256"), "{err}");
}

/// DER signatures read as `p256` (an independent implementation) reads them: whatever it
/// accepts reads the same here, and whatever is refused here it refuses too. (It refuses a
/// few more: r or s of zero or past the group's order, which no key verifies.)
#[test]
fn test_passkey_der_signatures_read_as_p256_reads_them() {
    use p256::ecdsa::signature::Signer;
    use p256::ecdsa::{Signature, SigningKey};
    let key = SigningKey::from_slice(&[7; 32]).unwrap();
    let agrees = |der: &[u8]| {
        let theirs = Signature::from_der(der).ok().map(|s| s.to_bytes().to_vec());
        let ours = der_signature_to_raw(der).map(|r| r.to_vec());
        match (&theirs, &ours) {
            (Some(t), o) => o.as_ref() == Some(t),
            (None, None) => true,
            // Accepted here, refused by p256: only for a scalar's range.
            (None, Some(raw)) => {
                let (r, s) = raw.split_at(32);
                r.iter().all(|b| *b == 0)
                    || s.iter().all(|b| *b == 0)
                    || r[0] == 0xff
                    || s[0] == 0xff
            }
        }
    };
    use crate::rand::{Rng, TestRng};
    let mut rng = TestRng(0x9e37_79b9);
    let mut next = move || u64::from_le_bytes(rng.bytes());
    for i in 0..300u32 {
        let sig: Signature = key.sign(&i.to_be_bytes());
        let der = sig.to_der();
        let der = der.as_bytes();
        assert_eq!(der_signature_to_raw(der), Some(sig.to_bytes().into()));
        // Cut, lengthened and with one byte changed: never a panic, never a disagreement.
        for n in 0..der.len() {
            assert!(agrees(&der[..n]), "{der:02x?} cut at {n}");
        }
        let mut longer = der.to_vec();
        longer.push(0);
        assert!(der_signature_to_raw(&longer).is_none());
        for _ in 0..20 {
            let mut changed = der.to_vec();
            let at = (next() as usize) % changed.len();
            changed[at] = next() as u8;
            assert!(agrees(&changed), "{changed:02x?}");
        }
    }
    for (what, der) in [
        (
            "long-form length",
            &[0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01][..],
        ),
        (
            "negative r",
            &[0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x01],
        ),
        (
            "padded r",
            &[0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01],
        ),
        ("empty s", &[0x30, 0x05, 0x02, 0x01, 0x01, 0x02, 0x00]),
        (
            "not integers",
            &[0x30, 0x06, 0x04, 0x01, 0x01, 0x04, 0x01, 0x01],
        ),
    ] {
        assert_eq!(der_signature_to_raw(der), None, "{what}");
    }
    let mut wide = vec![0x30, 0x26, 0x02, 0x21, 0x01];
    wide.extend([0x55; 32]);
    wide.extend([0x02, 0x01, 0x01]);
    assert_eq!(der_signature_to_raw(&wide), None, "a 33-byte r");
    assert!(agrees(&wide));
}

#[test]
fn test_passkey_cose_key_reads_as_its_jwk() {
    let none = register_none(false).unwrap();
    let key = es256_key(&none.public_key).unwrap();
    assert_eq!(PublicKey::from_jwk(&key.to_jwk()), Some(key));
    assert!(
        pollster::block_on(crate::sessions::jwt::SignatureCheck::usable(
            &P256Check,
            "ES256",
            &key.to_jwk()
        ))
        .unwrap()
    );
}
