//! In-memory implementations of the storage traits, so every service runs under plain
//! `cargo test`. They honour the same contract as the D1 stores (scoping, conflicts,
//! cascades).

use std::cell::RefCell;
use std::collections::HashMap;

use crate::model::{
    ApiKey, Application, AttemptCounter, ChainRow, Checkpoint, Connection, Criteria, Delivery,
    DeliveryState, Identity, LoginRecord, MessageKind, MessageTemplate, MfaFactor, OneTimeCode,
    Organization, Outcome, Page, Passkey, PastLogin, Permission, PlaceTally, RecordCounter,
    RecordQuery, RecordTallies, RefreshToken, Registration, Role, SecurityEvent, Session,
    StoredRecord, Tally, User, Webhook,
};
use crate::store::{
    ApiKeyStore, AppStore, AttemptStore, Cache, ChainStore, CodeStore, ConnectionStore, EventStore,
    LoginWrite, MfaStore, OrgStore, PasskeyStore, RecordStore, RegistrationStore, RoleStore,
    Rotation, SessionStore, StoreResult, TemplateStore, UserFilter, UserStore,
};
use crate::Error;

mod api_keys;
mod apps;
mod attempts;
mod cache;
mod chain;
mod codes;
mod connections;
mod events;
mod mfa;
mod orgs;
mod passkeys;
mod records;
mod registrations;
mod roles;
mod sessions;
mod templates;
mod users;

pub use cache::MemoryCache;

#[derive(Debug, Default)]
struct Data {
    orgs: Vec<Organization>,
    keys: Vec<ApiKey>,
    apps: Vec<Application>,
    users: Vec<User>,
    roles: Vec<Role>,
    permissions: Vec<Permission>,
    /// (user id, role id)
    user_roles: Vec<(String, String)>,
    sessions: Vec<Session>,
    refresh_tokens: Vec<StoredRefresh>,
    pub(crate) records: Vec<LoginRecord>,
    last_login: HashMap<String, i64>,
    /// (chain sequence number, row hash) of each record, index for index.
    chain: Vec<(i64, String)>,
    checkpoints: Vec<(String, crate::records::chain::Checkpoint)>,
    /// Each organization's record counter.
    counters: HashMap<String, RecordCounter>,
    /// Brute-force counters: (organization, key) to (failures, last failure).
    attempts: HashMap<(String, String), (u32, i64)>,
    /// (user id, registration)
    registrations: Vec<(String, Registration)>,
    codes: Vec<OneTimeCode>,
    /// Security events, oldest first, and each organization's webhook.
    events: Vec<SecurityEvent>,
    webhooks: HashMap<String, Webhook>,
    /// Each organization's own message templates.
    templates: HashMap<(String, MessageKind), MessageTemplate>,
    passkeys: Vec<Passkey>,
    /// Attempts counted against each code, by code hash.
    code_attempts: HashMap<String, u32>,
    mfa_factors: Vec<MfaFactor>,
    /// (organization, user, code hash)
    backup_codes: Vec<(String, String, String)>,
    connections: Vec<Connection>,
    identities: Vec<Identity>,
}

#[derive(Debug, Clone)]
struct StoredRefresh {
    token: RefreshToken,
    used_at: Option<i64>,
}

/// The chain key of every memory store (tests only).
pub const MEMORY_CHAIN_KEY: &[u8] = b"memory store chain key, tests only";

#[derive(Debug, Default)]
pub struct MemoryStore {
    data: RefCell<Data>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every login record written so far, oldest first (for tests).
    pub fn records(&self) -> Vec<LoginRecord> {
        self.data.borrow().records.clone()
    }

    /// Every one-time code stored, in insertion order (for tests).
    pub fn codes(&self) -> Vec<OneTimeCode> {
        self.data.borrow().codes.clone()
    }

    /// Every security event so far, oldest first (for tests).
    pub fn events(&self) -> Vec<SecurityEvent> {
        self.data.borrow().events.clone()
    }

    /// The user's last successful login (for tests).
    pub fn last_login(&self, user_id: &str) -> Option<i64> {
        self.data.borrow().last_login.get(user_id).copied()
    }
}

fn paged<T: Clone>(items: impl Iterator<Item = T>, page: Page) -> (Vec<T>, u64) {
    let all: Vec<T> = items.collect();
    let total = all.len() as u64;
    let rows = all
        .into_iter()
        .skip(page.offset as usize)
        .take(page.limit as usize)
        .collect();
    (rows, total)
}

fn replace<T>(items: &mut [T], matches: impl Fn(&T) -> bool, new: T) -> bool {
    match items.iter_mut().find(|x| matches(x)) {
        Some(slot) => {
            *slot = new;
            true
        }
        None => false,
    }
}

fn remove<T>(items: &mut Vec<T>, matches: impl Fn(&T) -> bool) -> bool {
    let before = items.len();
    items.retain(|x| !matches(x));
    items.len() != before
}

impl Data {
    /// Appends a record with its organization's next sequence number from the counter, as
    /// the D1 store's INSERT does, hashed with the chain key.
    fn push_record(&mut self, r: &LoginRecord) {
        let counter = self
            .counters
            .entry(r.organization_id.clone())
            .or_insert(RecordCounter {
                last_seq: 0,
                keyed_from: 1,
            });
        counter.last_seq += 1;
        let key = crate::records::chain::ChainKey {
            key: MEMORY_CHAIN_KEY,
            keyed_from: counter.keyed_from,
        };
        let seq = counter.last_seq;
        self.chain.push((seq, key.row_hash(seq, r)));
        self.records.push(r.clone());
    }

    fn retain_records(&mut self, mut keep: impl FnMut(usize, &LoginRecord) -> bool) {
        let flags: Vec<bool> = self
            .records
            .iter()
            .enumerate()
            .map(|(i, r)| keep(i, r))
            .collect();
        let mut it = flags.iter();
        self.records.retain(|_| *it.next().unwrap_or(&true));
        let mut it = flags.iter();
        self.chain.retain(|_| *it.next().unwrap_or(&true));
    }

    fn domain_taken(&self, domain: &Option<String>, except: &str) -> bool {
        domain.is_some()
            && self
                .orgs
                .iter()
                .any(|o| o.custom_domain == *domain && o.id != except)
    }

    fn user_conflict(&self, u: &User) -> Option<Error> {
        let same_org = self
            .users
            .iter()
            .filter(|x| x.organization_id == u.organization_id && x.id != u.id);
        for other in same_org {
            if other.email_normalized == u.email_normalized {
                return Some(Error::conflict(
                    "EMAIL_TAKEN",
                    "a user with this email already exists",
                ));
            }
            if u.username.is_some() && other.username == u.username {
                return Some(Error::conflict(
                    "USERNAME_TAKEN",
                    "a user with this username already exists",
                ));
            }
            if u.phone.is_some() && other.phone == u.phone {
                return Some(Error::conflict(
                    "PHONE_TAKEN",
                    "a user with this phone number already exists",
                ));
            }
        }
        None
    }

    fn role_name_taken(&self, r: &Role) -> bool {
        self.roles
            .iter()
            .any(|x| x.organization_id == r.organization_id && x.name == r.name && x.id != r.id)
    }

    fn permission_name_taken(&self, p: &Permission) -> bool {
        self.permissions
            .iter()
            .any(|x| x.organization_id == p.organization_id && x.name == p.name && x.id != p.id)
    }
}
