//! Brute-force protection, shared by every login method: counters of consecutive failures
//! charged before a credential is checked, so that of racing attempts exactly the allowed
//! number get through, and cleared by a success.
//!
//! Two counters per attempt, both keyed by the login id as typed (normalised), never by the
//! account, so that an unknown identifier is throttled exactly like a known one and a lockout
//! reveals nothing about which accounts exist:
//! - the login id from one IP address: a progressive delay after [`Policy::delay_after`]
//!   failures, then a lock after [`Policy::ip_failures`] (Auth0's default is 10), which
//!   leaves the rightful user, on their own device and address, unaffected;
//! - the login id from anywhere: a lock after [`Policy::account_failures`] consecutive
//!   failures (NIST SP 800-63B §5.2.2 allows at most 100).
//!
//! A counter starts over once [`Policy::lock_ms`] passes without a failure; every failure,
//! refused ones included, extends a lock. An administrator or a password reset clears a login
//! id's counters.

use crate::events::{self, kinds};
use crate::model::{AttackProtection, ClientInfo, User};
use crate::rand::hex;
use crate::secrets::sha256;
use crate::store::{AttemptStore, EventStore, OrgStore};
use crate::Error;

/// How many failures are tolerated, and for how long a lock lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures of one login id from one IP address before it is locked there.
    pub ip_failures: u32,
    /// Failures from one IP address after which each attempt must wait, after the previous
    /// failure, twice as long as the attempt before it (1 s, 2 s, 4 s, ...).
    pub delay_after: u32,
    /// Consecutive failures of one login id, from anywhere, before it is locked everywhere.
    pub account_failures: u32,
    /// How long a lock lasts after the last failure, and how long a quiet counter lives.
    pub lock_ms: i64,
    /// Failures from one IP address, across login ids, within one [`Policy::address_window_ms`]
    /// before the address is refused for the rest of the window (suspicious-IP throttling).
    /// Past it, attempts on unknown identifiers write nothing: the cap on what one address
    /// can make the database store.
    pub address_failures: u32,
    pub address_window_ms: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy::from(&AttackProtection::default())
    }
}

impl From<&AttackProtection> for Policy {
    fn from(a: &AttackProtection) -> Self {
        Policy {
            ip_failures: a.ip_failures,
            delay_after: a.delay_after,
            account_failures: a.account_failures,
            lock_ms: i64::from(a.lock_minutes) * 60_000,
            address_failures: a.address_failures_per_hour,
            address_window_ms: 3_600_000,
        }
    }
}

/// Checks an organization's policy against its bounds.
pub fn validate(a: &AttackProtection) -> Result<(), Error> {
    let ok = (1..=100).contains(&a.ip_failures)
        && a.delay_after <= a.ip_failures
        && (1..=100).contains(&a.account_failures)
        && (1..=1440).contains(&a.lock_minutes)
        && (10..=100_000).contains(&a.address_failures_per_hour);
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_field(
            "INVALID_ATTACK_PROTECTION",
            "attack_protection: ip_failures 1-100, delay_after at most ip_failures, \
             account_failures 1-100, lock_minutes 1-1440, address_failures_per_hour 10-100000",
        ))
    }
}

pub use crate::model::AttemptCounter as Charged;

/// A login id as counters see it: the form accounts are found by (see
/// [`crate::validate::login_id`]), or, for what that refuses, its lower-cased NFKC form.
pub fn normalized_login_id(raw: &str) -> String {
    crate::validate::login_id(raw).unwrap_or_else(|_| {
        crate::validate::case::lower(&crate::validate::normal::nfkc(raw.trim()))
    })
}

/// The counter keys of an attempt on `login_id` (already normalised) from `ip`: the login
/// id from that address, and the login id from anywhere. Hashed, so that keys have a fixed
/// length whatever is typed.
pub fn keys(organization_id: &str, login_id: &str, ip: Option<&str>) -> [String; 2] {
    let id = hex(&sha256(format!("{organization_id}\n{login_id}").as_bytes()));
    let id = &id[..32];
    [format!("ip:{id}:{}", ip.unwrap_or("-")), format!("id:{id}")]
}

/// The counter key of an address's failures in the fixed window holding `now`.
pub fn address_key(policy: &Policy, ip: Option<&str>, now: i64) -> String {
    let window = now.div_euclid(policy.address_window_ms.max(1));
    format!("addr:{}:{window}", ip.unwrap_or("-"))
}

/// Whether an address charged with this attempt may go on: past its limit, the seconds left
/// in its window.
pub fn decide_address(policy: &Policy, charged: Charged, now: i64) -> Result<(), u64> {
    if charged.failures <= policy.address_failures {
        return Ok(());
    }
    let window = policy.address_window_ms.max(1);
    let left = window - now.rem_euclid(window);
    Err((left.max(1000) / 1000) as u64)
}

/// The key prefix of every counter of `login_id`, for clearing them all.
pub fn prefixes(organization_id: &str, login_id: &str) -> [String; 2] {
    let [by_ip, any] = keys(organization_id, login_id, None);
    let by_ip = by_ip.trim_end_matches('-').to_owned();
    [by_ip, any]
}

/// Whether an attempt charged to `[by_ip, any]` may go on to check its credential, or must
/// wait this many seconds (`Retry-After`).
pub fn decide(policy: &Policy, by_ip: Charged, any: Charged, now: i64) -> Result<(), u64> {
    let lock_secs = (policy.lock_ms / 1000).max(1) as u64;
    if by_ip.failures > policy.ip_failures || any.failures > policy.account_failures {
        return Err(lock_secs);
    }
    if by_ip.failures > policy.delay_after {
        let wait_ms = 1000i64 << (by_ip.failures - policy.delay_after - 1).min(20);
        let since = by_ip.previous_at.map_or(wait_ms, |p| now - p);
        if since < wait_ms {
            return Err((((wait_ms - since) + 999) / 1000) as u64);
        }
    }
    Ok(())
}

/// Where an attempt that [`decide`] refused is the first refused by a lock (rather than a
/// delay, or a lock already reported): `address` when the login id has just been locked
/// from this address, `everywhere` when from anywhere. Lockouts are security events once,
/// not at every attempt that meets them.
pub fn newly_locked(policy: &Policy, by_ip: Charged, any: Charged) -> Option<&'static str> {
    if any.failures == policy.account_failures + 1 {
        Some("everywhere")
    } else if by_ip.failures == policy.ip_failures + 1 {
        Some("address")
    } else {
        None
    }
}

/// Whether an address charged with this attempt has just passed its hourly limit.
pub fn newly_throttled(policy: &Policy, charged: Charged) -> bool {
    charged.failures == policy.address_failures + 1
}

/// The organization's brute-force policy (the defaults for an unknown organization).
pub async fn policy(store: &impl OrgStore, organization_id: &str) -> Result<Policy, Error> {
    let protection = store
        .get_org(organization_id)
        .await?
        .map(|o| o.attack_protection)
        .unwrap_or_default();
    Ok(Policy::from(&protection))
}

/// Charges an attempt to the client's address (suspicious-IP throttling), before anything
/// else about the attempt is looked at. Answers the address's counter key, to clear on
/// success, or past the address's limit the seconds to wait, after raising
/// `address.throttled` the first time.
pub async fn charge_address(
    store: &(impl AttemptStore + EventStore),
    organization_id: &str,
    policy: &Policy,
    client: &ClientInfo,
    now: i64,
) -> Result<Result<[String; 1], u64>, Error> {
    let address = [address_key(policy, client.ip.as_deref(), now)];
    let charged = store
        .charge_attempts(organization_id, &address, policy.address_window_ms, now)
        .await?;
    let Some(&c) = charged.first() else {
        return Err(Error::Internal("address counter not returned".into()));
    };
    Ok(
        address_verdict(store, organization_id, policy, client, c, now)
            .await?
            .map(|()| address),
    )
}

/// Whether an address charged to `c` may go on, raising `address.throttled` the first time
/// it may not.
async fn address_verdict(
    store: &impl EventStore,
    organization_id: &str,
    policy: &Policy,
    client: &ClientInfo,
    c: Charged,
    now: i64,
) -> Result<Result<(), u64>, Error> {
    let Err(retry_after_secs) = decide_address(policy, c, now) else {
        return Ok(Ok(()));
    };
    if newly_throttled(policy, c) {
        let e = events::event(organization_id, kinds::ADDRESS_THROTTLED, now)
            .client(client)
            .detail("failures", c.failures)
            .detail("retry_after_secs", retry_after_secs);
        events::emit(store, e).await?;
    }
    Ok(Err(retry_after_secs))
}

/// An attempt on a login id, charged: the address's counter key, to clear on success, and
/// the login id's two counters ([`keys`]) as they now stand, for [`decide`].
#[derive(Debug, Clone)]
pub struct LoginCharge {
    pub address: [String; 1],
    pub by_ip: Charged,
    pub any: Charged,
}

/// Charges an attempt on a login id whose counters are `keys` (from [`keys`]) behind the
/// client's address, as [`charge_address`] and then `charge_attempts` would, but in one
/// store call: the login id is charged only while the address is within its limit, so past
/// it nothing more is charged. Answers the charge, or past the address's limit the seconds
/// to wait, after raising `address.throttled` the first time.
pub async fn charge_login(
    store: &(impl AttemptStore + EventStore),
    organization_id: &str,
    policy: &Policy,
    client: &ClientInfo,
    keys: &[String; 2],
    now: i64,
) -> Result<Result<LoginCharge, u64>, Error> {
    let address = address_key(policy, client.ip.as_deref(), now);
    let (by_address, charged) = store
        .charge_behind_address(
            organization_id,
            &address,
            policy.address_window_ms,
            policy.address_failures,
            keys,
            policy.lock_ms,
            now,
        )
        .await?;
    if let Err(retry) =
        address_verdict(store, organization_id, policy, client, by_address, now).await?
    {
        return Ok(Err(retry));
    }
    match charged.as_deref() {
        Some(&[by_ip, any]) => Ok(Ok(LoginCharge {
            address: [address],
            by_ip,
            any,
        })),
        _ => Err(Error::Internal("attempt counters not returned".into())),
    }
}

/// Clears every counter of the user's login ids (email and username), from every address:
/// an administrator's unlock, or a password reset.
pub async fn unlock(store: &impl AttemptStore, user: &User) -> Result<(), Error> {
    let org = user.organization_id.as_str();
    let mut all = Vec::new();
    for login_id in std::iter::once(&user.email).chain(&user.username) {
        let normalized = normalized_login_id(login_id);
        all.extend(prefixes(org, &normalized));
    }
    store.clear_attempts(org, &all, &[]).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(failures: u32, previous_at: Option<i64>) -> Charged {
        Charged {
            failures,
            previous_at,
        }
    }

    #[test]
    fn test_guard_passes_until_the_delay_then_doubles_then_locks() {
        let p = Policy::default();
        let now = 1_000_000;
        // The first five attempts from an address need no wait.
        for n in 1..=5 {
            assert_eq!(
                decide(&p, at(n, Some(now)), at(n, Some(now)), now),
                Ok(()),
                "{n}"
            );
        }
        // After five failures, the sixth must come a second after the fifth, the seventh two,
        // the eighth four, ..., the tenth sixteen.
        assert_eq!(decide(&p, at(6, Some(now)), at(6, None), now), Err(1));
        assert_eq!(
            decide(&p, at(6, Some(now - 1000)), at(6, None), now),
            Ok(())
        );
        assert_eq!(
            decide(&p, at(7, Some(now - 1000)), at(7, None), now),
            Err(1)
        );
        assert_eq!(
            decide(&p, at(7, Some(now - 2000)), at(7, None), now),
            Ok(())
        );
        assert_eq!(
            decide(&p, at(10, Some(now - 15_001)), at(10, None), now),
            Err(1)
        );
        assert_eq!(
            decide(&p, at(10, Some(now - 16_000)), at(10, None), now),
            Ok(())
        );
        // The eleventh is past the threshold: locked, however long it waited.
        assert_eq!(
            decide(&p, at(11, Some(now - 3_600_000)), at(11, None), now),
            Err(900)
        );
    }

    #[test]
    fn test_guard_charge_login_charges_the_login_id_only_while_the_address_is_within_its_limit() {
        use crate::store::memory::MemoryStore;
        let store = MemoryStore::new();
        let p = Policy {
            address_failures: 2,
            ..Policy::default()
        };
        let client = ClientInfo {
            ip: Some("203.0.113.7".into()),
            ..ClientInfo::default()
        };
        let keys = keys("org", "ann@example.com", client.ip.as_deref());
        let charge = |now| {
            pollster::block_on(charge_login(&store, "org", &p, &client, &keys, now)).expect("store")
        };
        let first = charge(1_000).expect("within the limit");
        assert_eq!((first.by_ip.failures, first.any.failures), (1, 1));
        assert!(first.address[0].starts_with("addr:203.0.113.7:"));
        assert_eq!(charge(2_000).map(|c| c.any.failures), Ok(2));
        // The third is past the address's limit: refused, and the login id not charged.
        assert!(charge(3_000).is_err());
        assert!(charge(4_000).is_err());
        let login_id =
            pollster::block_on(store.charge_attempts("org", &keys[1..], p.lock_ms, 5_000))
                .expect("store");
        assert_eq!(
            login_id[0].failures, 3,
            "two charges behind the address, then this one"
        );
        // The address's own event is raised once, when it passes its limit.
        let page = crate::model::Page {
            limit: 10,
            offset: 0,
        };
        let events = pollster::block_on(crate::events::list(
            &store,
            "org",
            Some(kinds::ADDRESS_THROTTLED),
            page,
        ))
        .expect("store");
        assert_eq!(events.total_count, 1);
    }

    #[test]
    fn test_guard_account_lock_is_independent_of_the_address() {
        let p = Policy::default();
        let fresh = at(1, None);
        assert_eq!(decide(&p, fresh, at(100, Some(0)), 10), Ok(()));
        assert_eq!(decide(&p, fresh, at(101, Some(0)), 10), Err(900));
    }

    #[test]
    fn test_guard_address_windows_are_fixed_hours() {
        let p = Policy::default();
        let hour = 3_600_000;
        assert_eq!(
            address_key(&p, Some("198.51.100.1"), 5 * hour),
            "addr:198.51.100.1:5"
        );
        assert_eq!(
            address_key(&p, Some("198.51.100.1"), 6 * hour - 1),
            "addr:198.51.100.1:5"
        );
        assert_eq!(
            address_key(&p, Some("198.51.100.1"), 6 * hour),
            "addr:198.51.100.1:6"
        );
        assert_eq!(decide_address(&p, at(100, None), 5 * hour), Ok(()));
        assert_eq!(
            decide_address(&p, at(101, None), 5 * hour + 1000),
            Err(3599)
        );
    }

    #[test]
    fn test_guard_keys_do_not_depend_on_the_account_existing() {
        let [a, b] = keys("org", "ann@example.com", Some("203.0.113.7"));
        assert!(a.starts_with("ip:") && a.ends_with(":203.0.113.7"));
        assert!(b.starts_with("id:"));
        assert_eq!(a.len(), "ip:".len() + 32 + 1 + "203.0.113.7".len());
        let [p, q] = prefixes("org", "ann@example.com");
        assert!(a.starts_with(&p));
        assert_eq!(q, b);
        let [other, _] = keys("other-org", "ann@example.com", Some("203.0.113.7"));
        assert_ne!(a, other, "organizations never share counters");
    }
}
