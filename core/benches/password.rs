//! `make bench`: argon2id at the configured parameters, natively. The same code runs in the
//! worker's wasm; `scripts/bench.mjs` measures it there.

use std::time::Instant;

use latchkey_core::authn::password::{self, Verified, OWASP};
use latchkey_core::rand::TestRng;

fn main() {
    let runs: usize = std::env::var("BENCH_HASH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let mut rng = TestRng(1);
    let mut hash_ms = Vec::with_capacity(runs);
    let mut verify_ms = Vec::with_capacity(runs);
    let mut last = String::new();
    for _ in 0..runs {
        let t = Instant::now();
        last = password::hash("correct horse battery staple", OWASP, &mut rng).unwrap_or_default();
        hash_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let ok = password::verify("correct horse battery staple", &last, OWASP, &mut rng);
        verify_ms.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(ok, Ok(Verified::Yes), "bench must hash for real");
    }
    let params = last.split('$').nth(3).unwrap_or("?").to_owned();
    report("argon2id hash (native)", &params, &mut hash_ms);
    report("argon2id verify (native)", &params, &mut verify_ms);
}

fn report(name: &str, params: &str, ms: &mut [f64]) {
    ms.sort_by(f64::total_cmp);
    let pct = |p: f64| ms[((ms.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "{name:<28} {params}  n={}  p50 {:.1} ms  p99 {:.1} ms  min {:.1} ms",
        ms.len(),
        pct(0.5),
        pct(0.99),
        ms[0]
    );
}
