//! What the flows' tests share: a fixed clock, issuer, fast hashing parameters and signing
//! key, and an organization with one application made through the identity services.
#![allow(clippy::unwrap_used)]

use pollster::block_on;

use crate::api::{CreateApplication, CreateOrganization, CreateUser};
use crate::authn::password::HashParams;
use crate::identity::{applications, organizations, users};
use crate::model::Application;
use crate::rand::TestRng;
use crate::sessions::jwt::KeyRing;
use crate::store::memory::{MemoryCache, MemoryStore};
use crate::store::AppStore;

pub const NOW: i64 = 1_760_000_000_000;
pub const ISS: &str = "https://auth.example.com";
/// Argon2id parameters small enough for tests.
pub const FAST: HashParams = HashParams {
    m_cost_kib: 64,
    t_cost: 1,
    p_cost: 1,
};
/// A fixed P-256 test key, made by scripts/dev-secrets.mjs (PKCS#8 DER, base64).
pub const TEST_KEY: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgkH0u99cSHILYJHqpeuh6ltucsnZc7RXWs5rFq1WCyeKhRANCAARdZBXk16ZK+/uSwj55kfroWb55iGwhLo4zcGGJOb9tOow/k/kJFxdb9mlAn4JmdG8ajJo67Z/gbmbd2wGjBcDo";

/// A P-256 key made from `seed` (every byte of the scalar), PKCS#8 DER in base64: distinct
/// keys for rotation and wrong-key tests.
pub fn key_b64(seed: u8) -> String {
    use base64ct::{Base64, Encoding};
    use p256::pkcs8::EncodePrivateKey;
    let sk = p256::SecretKey::from_slice(&[seed; 32]).unwrap();
    Base64::encode_string(sk.to_pkcs8_der().unwrap().as_bytes())
}

pub fn key_ring() -> KeyRing {
    KeyRing::from_pkcs8(TEST_KEY, None).unwrap()
}

/// A new organization named `name` and its application made from `app` (as stored).
pub fn org_and_app(
    store: &MemoryStore,
    rng: &mut TestRng,
    name: &str,
    app: CreateApplication,
) -> (String, Application) {
    let org = block_on(organizations::create(
        store,
        CreateOrganization {
            name: name.into(),
            custom_domain: None,
        },
        NOW,
        rng,
    ))
    .unwrap()
    .organization
    .id;
    let view = block_on(applications::create(
        store,
        &MemoryCache::new(),
        &org,
        app,
        NOW,
        rng,
    ))
    .unwrap();
    let app = block_on(store.get_app(&org, &view.id)).unwrap().unwrap();
    (org, app)
}

/// A user of `org` with the password "correct horse"; returns its id.
pub fn user(store: &MemoryStore, org: &str, input: CreateUser, rng: &mut TestRng) -> String {
    let input = CreateUser {
        password: input.password.or_else(|| Some("correct horse".into())),
        ..input
    };
    block_on(users::create(store, org, input, FAST, NOW, rng))
        .unwrap()
        .id
}
