//! One argon2id hash at Latchkey's parameters (m = 19,456 KiB, t = 2, p = 1, 32 bytes) by each
//! implementation, exported without bindings so that the same `.wasm` runs in workerd.
#![allow(clippy::unwrap_used)]

use std::cell::RefCell;

const PASSWORD: &[u8] = b"correct horse battery staple";
const SALT: &[u8] = b"0123456789abcdef";
const M_KIB: u32 = 19_456;

fn rustcrypto() -> argon2::Argon2<'static> {
    let params = argon2::Params::new(M_KIB, 2, 1, Some(32)).unwrap();
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

/// RustCrypto's `argon2` (Latchkey's), as `hash_password_into` runs it: its memory allocated
/// and zeroed for each hash.
#[no_mangle]
pub extern "C" fn hash_rustcrypto() -> u32 {
    let mut out = [0u8; 32];
    rustcrypto()
        .hash_password_into(PASSWORD, SALT, &mut out)
        .unwrap();
    u32::from(out[0])
}

thread_local! {
    static BLOCKS: RefCell<Vec<argon2::Block>> = const { RefCell::new(Vec::new()) };
}

/// The same, its memory kept from one hash to the next.
#[no_mangle]
pub extern "C" fn hash_rustcrypto_kept() -> u32 {
    let mut out = [0u8; 32];
    BLOCKS.with(|blocks| {
        let mut blocks = blocks.borrow_mut();
        blocks.resize(M_KIB as usize, argon2::Block::default());
        rustcrypto()
            .hash_password_into_with_memory(PASSWORD, SALT, &mut out, &mut blocks[..])
            .unwrap();
    });
    u32::from(out[0])
}

/// `rust-argon2`, single-threaded.
#[no_mangle]
pub extern "C" fn hash_rust_argon2() -> u32 {
    let config = argon2_sru::Config {
        variant: argon2_sru::Variant::Argon2id,
        version: argon2_sru::Version::Version13,
        mem_cost: M_KIB,
        time_cost: 2,
        lanes: 1,
        secret: &[],
        ad: &[],
        hash_length: 32,
        thread_mode: argon2_sru::ThreadMode::Sequential,
    };
    u32::from(argon2_sru::hash_raw(PASSWORD, SALT, &config).unwrap()[0])
}
