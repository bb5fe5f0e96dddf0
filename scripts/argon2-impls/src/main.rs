//! Natively: each implementation's hash, interleaved, min and median of 15.
use std::time::Instant;

fn main() {
    let impls: [(&str, extern "C" fn() -> u32); 3] = [
        ("RustCrypto argon2", argon2_impls::hash_rustcrypto),
        (
            "RustCrypto argon2, memory kept",
            argon2_impls::hash_rustcrypto_kept,
        ),
        ("rust-argon2", argon2_impls::hash_rust_argon2),
    ];
    let tags: Vec<u32> = impls.iter().map(|(_, f)| f()).collect();
    assert!(
        tags.windows(2).all(|w| w[0] == w[1]),
        "the implementations disagree"
    );
    let mut ms = vec![Vec::new(); impls.len()];
    for _ in 0..15 {
        for (i, (_, f)) in impls.iter().enumerate() {
            let t = Instant::now();
            f();
            ms[i].push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    for ((name, _), xs) in impls.iter().zip(&mut ms) {
        xs.sort_by(f64::total_cmp);
        println!(
            "native   {name:<32} min {:6.1} ms  median {:6.1} ms",
            xs[0], xs[7]
        );
    }
}
