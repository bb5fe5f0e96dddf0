use std::cell::RefCell;

use pollster::block_on;

use super::webhook::{self, after_attempt, deliver_due, Sender, RETRY_DELAYS_MS};
use super::*;
use crate::model::DeliveryState;
use crate::store::memory::MemoryStore;

const NOW: i64 = 1_760_000_000_000;
const KEY: &[u8] = b"webhook key, tests only";

/// One request a receiver saw: URL, headers, body.
type Seen = (String, Vec<(String, String)>, String);

/// Plays a webhook receiver: answers each request with the next status (then 200), and
/// keeps what it was sent.
#[derive(Default)]
struct Receiver {
    statuses: RefCell<Vec<Result<u16, String>>>,
    seen: RefCell<Vec<Seen>>,
}

impl Sender for Receiver {
    async fn post(&self, url: &str, headers: &[(&str, String)], body: &str) -> Result<u16, String> {
        let headers = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        self.seen
            .borrow_mut()
            .push((url.to_owned(), headers, body.to_owned()));
        let mut s = self.statuses.borrow_mut();
        if s.is_empty() {
            Ok(200)
        } else {
            s.remove(0)
        }
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap()
}

/// Sets organization `org_a`'s webhook.
fn hook(store: &MemoryStore) -> crate::api::WebhookView {
    let url = "https://hooks.example.com/in";
    block_on(set_webhook(store, KEY, "org_a", "", url, false, NOW)).unwrap()
}

fn page() -> Page {
    Page {
        limit: 50,
        offset: 0,
    }
}

#[test]
fn test_events_signature_matches_an_independent_hmac() {
    // Computed with Node's crypto: HMAC-SHA-256, base64, as Standard Webhooks specifies.
    let secret = webhook::secret(KEY, "org_1", 3);
    assert_eq!(
        webhook::display_secret(&secret),
        "whsec_HNDL684aFBstlr7U/hLsz/rtPQBaBxTzHPico5JaeAs="
    );
    assert_eq!(
        webhook::signature(
            &secret,
            "evt_42",
            1_760_000_000,
            r#"{"type":"login.locked"}"#
        ),
        "v1,ro4vq+jufGxm92KeODXLb158Dk4eP6pRoR52kWyzh2k="
    );
    // Another version, another organization: another secret.
    assert_ne!(secret, webhook::secret(KEY, "org_1", 4));
    assert_ne!(secret, webhook::secret(KEY, "org_2", 3));
}

#[test]
fn test_events_webhook_urls_must_be_https() {
    let ok = |u: &str, dev| webhook::validate_url(u, dev).map_err(|e| e.code());
    assert_eq!(
        ok("https://hooks.example.com/x?a=1", false).unwrap(),
        "https://hooks.example.com/x?a=1"
    );
    assert_eq!(
        ok(" https://hooks.example.com ", false).unwrap(),
        "https://hooks.example.com"
    );
    for bad in [
        "http://hooks.example.com/x",
        "http://127.0.0.1:9000/hook",
        "ftp://hooks.example.com",
        "https://user:pw@hooks.example.com/",
        "https:///path",
        "https://hooks.example.com/a b",
        "hooks.example.com",
        "",
    ] {
        assert_eq!(ok(bad, false), Err("INVALID_WEBHOOK_URL"), "{bad}");
    }
    // Development: a local receiver over plain HTTP, but only on loopback.
    assert!(ok("http://127.0.0.1:9000/hook", true).is_ok());
    assert!(ok("http://localhost:9000/hook", true).is_ok());
    assert!(ok("http://[::1]:9000/hook", true).is_ok());
    assert_eq!(ok("http://10.0.0.1/hook", true), Err("INVALID_WEBHOOK_URL"));
    assert_eq!(
        ok("http://127.0.0.1@evil.example/hook", true),
        Err("INVALID_WEBHOOK_URL")
    );
}

#[test]
fn test_events_retries_back_off_then_fail() {
    let mut d = Delivery {
        state: DeliveryState::Pending,
        attempts: 0,
        next_attempt_at: Some(NOW),
        last_error: None,
    };
    let mut t = NOW;
    for (i, wait) in RETRY_DELAYS_MS.iter().enumerate() {
        d = after_attempt(&d, Ok(503), t);
        assert_eq!(d.state, DeliveryState::Pending);
        assert_eq!(d.attempts, i as u32 + 1);
        assert_eq!(d.next_attempt_at, Some(t + wait));
        assert_eq!(d.last_error.as_deref(), Some("HTTP 503"));
        t += wait;
    }
    let last = after_attempt(&d, Err("connection refused".into()), t);
    assert_eq!(last.state, DeliveryState::Failed);
    assert_eq!(last.attempts, RETRY_DELAYS_MS.len() as u32 + 1);
    assert_eq!(last.next_attempt_at, None);
    assert_eq!(last.last_error.as_deref(), Some("connection refused"));
    // A 2xx at any attempt ends it.
    let ok = after_attempt(&d, Ok(204), t);
    assert_eq!((ok.state, ok.last_error), (DeliveryState::Delivered, None));
}

#[test]
fn test_events_delivered_signed_once_each_with_retries() {
    let store = MemoryStore::new();
    // Before a webhook, nothing is queued.
    block_on(emit(&store, event("org_a", kinds::LOGIN_LOCKED, NOW))).unwrap();
    let hook = block_on(set_webhook(
        &store,
        KEY,
        "org_a",
        "api_key:k1",
        "https://hooks.example.com/in",
        false,
        NOW,
    ))
    .unwrap();
    let secret = hook.secret.clone().unwrap();
    assert!(secret.starts_with("whsec_"));
    // Another organization's events never reach this webhook.
    block_on(emit(&store, event("org_b", kinds::LOGIN_LOCKED, NOW))).unwrap();
    block_on(emit(
        &store,
        event("org_a", kinds::REFRESH_TOKEN_REUSED, NOW + 1).user(Some("u1")),
    ))
    .unwrap();

    let all = store.events();
    assert_eq!(all[0].delivery, Delivery::NONE);
    assert_eq!(all[1].kind, "webhook.set");
    assert_eq!(all[1].actor.as_deref(), Some("api_key:k1"));
    assert_eq!(all[1].delivery.state, DeliveryState::Pending);
    assert_eq!(all[2].delivery, Delivery::NONE);

    // The first attempt fails for one of the two, which is retried a minute later.
    let rx = Receiver::default();
    rx.statuses.borrow_mut().push(Ok(500));
    let report = block_on(deliver_due(&store, &rx, KEY, NOW + 10)).unwrap();
    assert_eq!(
        (report.delivered, report.retrying, report.failed),
        (1, 1, 0)
    );
    // Nothing is due again before the retry.
    let report = block_on(deliver_due(&store, &rx, KEY, NOW + 30_000)).unwrap();
    assert_eq!(report, webhook::Report::default());
    let report = block_on(deliver_due(&store, &rx, KEY, NOW + 10 + 60_000)).unwrap();
    assert_eq!(report.delivered, 1);

    let seen = rx.seen.borrow();
    assert_eq!(seen.len(), 3);
    let raw = webhook::secret(KEY, "org_a", hook.version);
    for (url, headers, body) in seen.iter() {
        assert_eq!(url, "https://hooks.example.com/in");
        let id = header(headers, "webhook-id");
        let ts: i64 = header(headers, "webhook-timestamp").parse().unwrap();
        assert_eq!(
            header(headers, "webhook-signature"),
            webhook::signature(&raw, id, ts, body)
        );
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["data"]["organization_id"], "org_a");
        assert_eq!(format!("evt_{}", v["data"]["id"]), id);
    }
    // The retry carries the same id, so the receiver can tell it from a new event.
    assert_eq!(
        header(&seen[0].1, "webhook-id"),
        header(&seen[2].1, "webhook-id")
    );
    let events = store.events();
    assert!(events
        .iter()
        .filter(|e| e.organization_id == "org_a" && e.delivery.state != DeliveryState::None)
        .all(|e| e.delivery.state == DeliveryState::Delivered));
}

#[test]
fn test_events_claimed_once_by_racing_deliverers() {
    let store = MemoryStore::new();
    hook(&store);
    let first = block_on(store.claim_deliveries(NOW, NOW + webhook::LEASE_MS, 10)).unwrap();
    let second = block_on(store.claim_deliveries(NOW, NOW + webhook::LEASE_MS, 10)).unwrap();
    assert_eq!((first.len(), second.len()), (1, 0));
    // A deliverer that died mid-attempt leaves the event to the next after its lease.
    let later =
        block_on(store.claim_deliveries(NOW + webhook::LEASE_MS, NOW + 2 * webhook::LEASE_MS, 10))
            .unwrap();
    assert_eq!(later.len(), 1);
}

#[test]
fn test_events_pending_fail_once_the_webhook_is_removed() {
    let store = MemoryStore::new();
    hook(&store);
    block_on(delete_webhook(&store, "org_a", "", NOW)).unwrap();
    let rx = Receiver::default();
    let report = block_on(deliver_due(&store, &rx, KEY, NOW)).unwrap();
    // `webhook.set` was pending; `webhook.deleted` came after, with no webhook.
    assert_eq!(report.failed, 1);
    assert!(rx.seen.borrow().is_empty());
    assert_eq!(
        block_on(delete_webhook(&store, "org_a", "", NOW))
            .unwrap_err()
            .code(),
        "NOT_FOUND"
    );
}

#[test]
fn test_events_listed_per_organization_newest_first_by_kind() {
    let store = MemoryStore::new();
    for (i, kind) in [
        kinds::LOGIN_LOCKED,
        kinds::LOGIN_NEW_DEVICE,
        kinds::LOGIN_LOCKED,
    ]
    .into_iter()
    .enumerate()
    {
        block_on(emit(&store, event("org_a", kind, NOW + i as i64))).unwrap();
    }
    block_on(emit(&store, event("org_b", kinds::LOGIN_LOCKED, NOW))).unwrap();
    let all = block_on(list(&store, "org_a", None, page())).unwrap();
    assert_eq!(all.total_count, 3);
    assert!(all.events[0].id > all.events[1].id);
    let locked = block_on(list(&store, "org_a", Some("login.locked"), page())).unwrap();
    assert_eq!(locked.total_count, 2);
    assert!(locked.events.iter().all(|e| e.kind == "login.locked"));
    let b = block_on(list(&store, "org_b", None, page())).unwrap();
    assert_eq!(b.total_count, 1);
    assert_eq!(
        block_on(list(&store, "org_a", Some("LOGIN'--"), page()))
            .unwrap_err()
            .code(),
        "INVALID_KIND"
    );
    assert_eq!(
        block_on(get_webhook(&store, "org_a")).unwrap_err().code(),
        "NOT_FOUND"
    );
}
