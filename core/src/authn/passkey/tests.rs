use super::vectors::*;
use super::webauthn::*;

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
