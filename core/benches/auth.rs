//! `make bench`: password login, refresh and token verification natively, on the in-memory
//! stores, at the production parameters (argon2id m=19 MiB, t=2, p=1; ES256). Also the
//! timing of a failed login for an unknown user against a known one (they must match).

use std::time::Instant;

use latchkey_core::api::{CreateApplication, CreateOrganization, CreateUser};
use latchkey_core::authn::password::breach::Off;
use latchkey_core::authn::password::{hashing, password_login, PasswordLogin, OWASP};
use latchkey_core::identity::{applications, organizations, users};
use latchkey_core::login::LoginEnv;
use latchkey_core::model::ClientInfo;
use latchkey_core::rand::TestRng;
use latchkey_core::sessions;
use latchkey_core::sessions::jwt::KeyRing;
use latchkey_core::store::memory::{MemoryCache, MemoryStore};
use latchkey_core::store::AppStore;
use pollster::block_on;

const ISS: &str = "https://auth.example.com";
// A fixed P-256 key made by scripts/dev-secrets.mjs (PKCS#8 DER, base64); bench only.
const KEY: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgkH0u99cSHILYJHqpeuh6ltucsnZc7RXWs5rFq1WCyeKhRANCAARdZBXk16ZK+/uSwj55kfroWb55iGwhLo4zcGGJOb9tOow/k/kJFxdb9mlAn4JmdG8ajJo67Z/gbmbd2wGjBcDo";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Stats(Vec<f64>);

impl Stats {
    fn pct(&mut self, p: f64) -> f64 {
        self.0.sort_by(f64::total_cmp);
        self.0[((self.0.len() as f64 - 1.0) * p).round() as usize]
    }
    fn mean(&self) -> f64 {
        self.0.iter().sum::<f64>() / self.0.len() as f64
    }
    fn line(&mut self, name: &str) {
        let (p50, p99, mean) = (self.pct(0.5), self.pct(0.99), self.mean());
        println!(
            "{name:<40} n={:<6} p50 {p50:>9.3} ms  p99 {p99:>9.3} ms  => {:>10.0} /s per core",
            self.0.len(),
            1000.0 / mean
        );
    }
}

fn time<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let t = Instant::now();
    let out = f();
    (t.elapsed().as_secs_f64() * 1e3, out)
}

fn main() {
    let logins = env_usize("BENCH_LOGINS", 40);
    let store = MemoryStore::new();
    let mut rng = TestRng(9);
    let keys = match KeyRing::from_pkcs8(KEY, None) {
        Ok(k) => k,
        Err(e) => return eprintln!("bench key: {e}"),
    };
    let setup = || -> Result<_, latchkey_core::Error> {
        let mut rng = TestRng(1);
        let org = block_on(organizations::create(
            &store,
            CreateOrganization {
                name: "bench".into(),
                custom_domain: None,
            },
            0,
            &mut rng,
        ))?
        .organization
        .id;
        let view = block_on(applications::create(
            &store,
            &MemoryCache::new(),
            &org,
            CreateApplication {
                name: "web".into(),
                ..Default::default()
            },
            0,
            &mut rng,
        ))?;
        let app = block_on(store.get_app(&org, &view.id))?.ok_or(latchkey_core::Error::NotFound)?;
        let input = CreateUser {
            email: "bench@example.com".into(),
            password: Some("correct horse battery".into()),
            ..Default::default()
        };
        block_on(users::create(&store, &org, input, OWASP, 0, &mut rng))?;
        Ok((org, app))
    };
    let (org, app) = match setup() {
        Ok(x) => x,
        Err(e) => return eprintln!("setup: {e}"),
    };
    let login = |login_id: &str, password: &str, now: i64, rng: &mut TestRng| {
        let req = PasswordLogin {
            organization_id: &org,
            application: Some(&app),
            login_id,
            password,
            client: ClientInfo::default(),
            no_tokens: false,
            require_registration: false,
            trust_token: None,
        };
        block_on(password_login(
            &store,
            req,
            &Off,
            LoginEnv {
                keys: &keys,
                issuer: ISS,
                params: OWASP,
                now,
                rng,
            },
        ))
    };

    println!("== password login natively (argon2id m=19456,t=2,p=1, ES256, in-memory stores)");
    let (mut ok, mut wrong, mut unknown) = (Stats(vec![]), Stats(vec![]), Stats(vec![]));
    // The bare argon2id verification beside it, interleaved: what a login costs beyond its hash.
    let stored = match hashing::hash("correct horse battery", OWASP, &mut rng) {
        Ok(h) => h,
        Err(e) => return eprintln!("hash: {e}"),
    };
    let mut bare = Stats(vec![]);
    let mut refresh_tokens = Vec::new();
    for i in 0..logins {
        let now = 1_000 + i as i64;
        bare.0
            .push(time(|| hashing::verify("correct horse battery", &stored, OWASP, &mut rng)).0);
        let (ms, r) = time(|| login("bench@example.com", "correct horse battery", now, &mut rng));
        ok.0.push(ms);
        if let Ok(s) = r {
            refresh_tokens.extend(s.tokens.map(|t| t.refresh_token));
        }
        wrong
            .0
            .push(time(|| login("bench@example.com", "wrong horse battery", now, &mut rng)).0);
        // A new unknown identifier each time: brute-force protection would rightly throttle
        // one identifier tried again and again, and a refusal is not the timing measured here.
        let nobody = format!("nobody-{i}@example.com");
        unknown
            .0
            .push(time(|| login(&nobody, "wrong horse battery", now, &mut rng)).0);
    }
    bare.line("argon2id verification alone");
    ok.line("login (success, tokens issued)");
    let (h50, l50) = (bare.pct(0.5), ok.pct(0.5));
    println!(
        "=> a login beyond its hash: p50 {:+.3} ms ({:+.1}% of the hash; goal: at most 10%)",
        l50 - h50,
        (l50 - h50) / h50 * 100.0
    );
    wrong.line("login (wrong password)");
    unknown.line("login (unknown user)");
    let (w50, u50) = (wrong.pct(0.5), unknown.pct(0.5));
    println!(
        "=> unknown user vs wrong password: p50 difference {:+.3} ms ({:+.2}%)",
        u50 - w50,
        (u50 - w50) / w50 * 100.0
    );

    println!("\n== refresh natively (rotation + reuse bookkeeping + ES256 issue)");
    let mut refresh = Stats(vec![]);
    for (i, t) in refresh_tokens.iter().enumerate() {
        let mut token = t.clone();
        for j in 0..25 {
            let now = 10_000 + (i * 100 + j) as i64;
            let env = LoginEnv {
                keys: &keys,
                issuer: ISS,
                params: OWASP,
                now,
                rng: &mut rng,
            };
            let (ms, r) = time(|| block_on(sessions::refresh(&store, &token, None, env)));
            refresh.0.push(ms);
            match r {
                Ok(r) => token = r.tokens.refresh_token,
                Err(e) => return eprintln!("refresh failed: {e}"),
            }
        }
    }
    refresh.line("refresh");

    println!("\n== access token natively");
    let claims = latchkey_core::sessions::jwt::AccessClaims {
        iss: ISS.into(),
        sub: "user".into(),
        aud: app.client_id.clone(),
        sid: "session".into(),
        org: org.clone(),
        roles: vec!["admin".into()],
        amr: vec!["pwd".into()],
        scope: None,
    };
    let mut issue = Stats(vec![]);
    let mut verify = Stats(vec![]);
    for _ in 0..env_usize("BENCH_TOKENS", 2000) {
        let (ms, t) = time(|| keys.issue(claims.clone(), 1_000_000, 600));
        issue.0.push(ms);
        let token = t.unwrap_or_default();
        let (ms, v) = time(|| keys.verify(&token, ISS, Some(&app.client_id), 1_000_000));
        verify.0.push(ms);
        if v.is_err() {
            return eprintln!("verify failed");
        }
    }
    issue.line("issue (sign ES256)");
    verify.line("verify (ES256, iss/aud/exp/nbf)");
}
