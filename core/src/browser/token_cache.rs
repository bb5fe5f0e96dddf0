//! What a browser client keeps between requests, and how the tabs of one origin share it.
//!
//! The access token lives in memory only. When it is due for refresh, a tab takes an exclusive
//! lock; under it, the tab either already holds a fresh token (a peer handed it over while it
//! waited), asks the peers that hold fresh tokens for theirs (each tab holds a shared lock named
//! for when its tokens are due, so the lock manager tells who has what), or refreshes itself
//! and hands the result to every other tab. So two tabs never present the same refresh token,
//! which would look like token theft to the server and revoke the session. Pure logic: the SDK
//! wires it to Web Locks and a BroadcastChannel, and passes the time in.

use serde::{Deserialize, Serialize};

use crate::api::{TokenResponse, UserView};

/// Refresh at most this long before the access token expires.
pub const MAX_REFRESH_MARGIN_MS: i64 = 60_000;

/// Tokens a tab holds: the access token (never persisted), when to refresh it, the CSRF value
/// to echo on cookie refreshes, and the user they belong to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Held {
    pub access_token: String,
    pub session_id: String,
    pub expires_at_ms: i64,
    /// From here on the token is due for refresh: ahead of expiry by a quarter of its lifetime,
    /// at most [`MAX_REFRESH_MARGIN_MS`].
    pub refresh_at_ms: i64,
    pub csrf_token: Option<String>,
    pub user: Option<UserView>,
}

impl Held {
    /// From a login or refresh answer received at `now_ms`. What the answer leaves out (the
    /// user and CSRF value on a refresh) is carried over from `previous` of the same session.
    pub fn from_response(t: &TokenResponse, now_ms: i64, previous: Option<&Held>) -> Held {
        let lifetime = i64::from(t.expires_in) * 1000;
        let margin = (lifetime / 4).min(MAX_REFRESH_MARGIN_MS);
        let same = previous.filter(|p| p.session_id == t.session_id);
        Held {
            access_token: t.access_token.clone(),
            session_id: t.session_id.clone(),
            expires_at_ms: now_ms + lifetime,
            refresh_at_ms: now_ms + lifetime - margin,
            csrf_token: t
                .csrf_token
                .clone()
                .or_else(|| same.and_then(|p| p.csrf_token.clone())),
            user: t.user.clone().or_else(|| same.and_then(|p| p.user.clone())),
        }
    }

    /// Good to use without refreshing.
    pub fn is_fresh(&self, now_ms: i64) -> bool {
        now_ms < self.refresh_at_ms
    }
}

/// What `onAuthStateChange` callbacks hear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthEvent {
    SignedIn,
    TokenRefreshed,
    SignedOut,
}

impl AuthEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthEvent::SignedIn => "SIGNED_IN",
            AuthEvent::TokenRefreshed => "TOKEN_REFRESHED",
            AuthEvent::SignedOut => "SIGNED_OUT",
        }
    }
}

/// Messages between the tabs of one origin (over a BroadcastChannel named for the server).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
// Externally tagged (`{"tokens": {...}}`, `"want"`): an internally tagged enum would make every
// decoder buffer the message first, which costs the browser SDK about a fifth of its size.
#[serde(rename_all = "snake_case")]
pub enum TabMessage {
    /// New tokens, from a login or a refresh in another tab, or an answer to [`TabMessage::Want`].
    Tokens { held: Box<Held> },
    /// A tab needs a fresh token that a peer's holder lock says exists.
    Want,
    /// Signed out, or the session ended: every tab drops its tokens of that session (of any
    /// session when `None`: the cookie itself no longer refreshes).
    SignedOut { session_id: Option<String> },
}

/// The next step of a tab that wants an access token, decided under the refresh lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// This tab's token is fresh: use it.
    Use(String),
    /// Another tab holds a fresh token this one lacks: ask for it, and wait a little.
    AskPeers,
    /// Nobody has a fresh token (or asking went unanswered): refresh, then share the result.
    Refresh,
    /// Signed out and nothing to refresh with.
    SignedOut,
}

/// The name of the shared lock a tab holds while its tokens are due at `refresh_at_ms`. Other
/// tabs learn from the browser's lock manager (consistent across processes, which localStorage
/// is not) which fresh tokens exist, and whether anyone is left to ask for them.
pub fn holder_lock_name(prefix: &str, refresh_at_ms: i64) -> String {
    format!("{prefix}{refresh_at_ms}")
}

/// From the names of the locks held in the origin: when the newest token held by a peer is due,
/// and how many peers hold a fresh one. `own` (this tab's holder lock) is left out once.
pub fn peers<'a>(
    held: impl IntoIterator<Item = &'a str>,
    prefix: &str,
    own: Option<&str>,
    now_ms: i64,
) -> (Option<i64>, usize) {
    let mut own = own;
    let mut newest = None;
    let mut fresh = 0;
    for name in held {
        if own == Some(name) {
            own = None;
            continue;
        }
        let Some(at) = name
            .strip_prefix(prefix)
            .and_then(|n| n.parse::<i64>().ok())
        else {
            continue;
        };
        newest = newest.max(Some(at));
        fresh += usize::from(now_ms < at);
    }
    (newest, fresh)
}

/// One tab's tokens.
#[derive(Debug, Default)]
pub struct TokenCache {
    held: Option<Held>,
    /// Sessions that ended here: their tokens, still in flight from a peer, are refused.
    ended: Vec<String>,
}

/// How many ended sessions a tab remembers.
const ENDED_KEPT: usize = 8;

impl TokenCache {
    pub fn held(&self) -> Option<&Held> {
        self.held.as_ref()
    }

    pub fn user(&self) -> Option<&UserView> {
        self.held.as_ref().and_then(|h| h.user.as_ref())
    }

    /// The access token, if it is good to use at `now_ms`.
    pub fn fresh(&self, now_ms: i64) -> Option<&str> {
        self.held
            .as_ref()
            .filter(|h| h.is_fresh(now_ms))
            .map(|h| h.access_token.as_str())
    }

    /// Takes tokens from this tab's login or refresh, or from a peer. Tokens that are not newer
    /// than the ones held (by when they are due) are ignored; newness is not judged by the token
    /// text, which a refresh within the same second may repeat exactly. Returns what changed,
    /// for `onAuthStateChange`.
    pub fn accept(&mut self, new: Held) -> Option<AuthEvent> {
        if self.ended.contains(&new.session_id) {
            return None;
        }
        let event = match &self.held {
            None => AuthEvent::SignedIn,
            Some(old) if old.session_id == new.session_id => {
                if old.refresh_at_ms >= new.refresh_at_ms {
                    return None;
                }
                AuthEvent::TokenRefreshed
            }
            // Another session (a sign-in elsewhere), unless it is older than the one held.
            Some(old) if old.refresh_at_ms > new.refresh_at_ms => return None,
            Some(_) => AuthEvent::SignedIn,
        };
        self.held = Some(new);
        Some(event)
    }

    /// Drops the tokens, and refuses their session's from now on; `SignedOut` when there were
    /// any.
    pub fn sign_out(&mut self) -> Option<AuthEvent> {
        let held = self.held.take()?;
        self.remember_ended(held.session_id);
        Some(AuthEvent::SignedOut)
    }

    /// The session `session_id` ended (in another tab): drops the tokens if they are of it.
    pub fn end(&mut self, session_id: &str) -> Option<AuthEvent> {
        if self
            .held
            .as_ref()
            .is_some_and(|h| h.session_id == session_id)
        {
            return self.sign_out();
        }
        self.remember_ended(session_id.to_owned());
        None
    }

    fn remember_ended(&mut self, session_id: String) {
        if !self.ended.contains(&session_id) {
            if self.ended.len() == ENDED_KEPT {
                self.ended.remove(0);
            }
            self.ended.push(session_id);
        }
    }

    /// The message that tells the other tabs this tab's session ended.
    pub fn signed_out_message(&self) -> TabMessage {
        TabMessage::SignedOut {
            session_id: self.held.as_ref().map(|h| h.session_id.clone()),
        }
    }

    /// Handles a peer's message: what changed here, and what to answer.
    pub fn receive(
        &mut self,
        msg: TabMessage,
        now_ms: i64,
    ) -> (Option<AuthEvent>, Option<TabMessage>) {
        match msg {
            TabMessage::Tokens { held } => (self.accept(*held), None),
            TabMessage::SignedOut { session_id: None } => (self.sign_out(), None),
            TabMessage::SignedOut {
                session_id: Some(s),
            } => (self.end(&s), None),
            TabMessage::Want => {
                let answer =
                    self.held
                        .as_ref()
                        .filter(|h| h.is_fresh(now_ms))
                        .map(|h| TabMessage::Tokens {
                            held: Box::new(h.clone()),
                        });
                (None, answer)
            }
        }
    }

    /// Decides the next step under the refresh lock. `hint_refresh_at_ms` is when the newest
    /// token a peer holds is due, `peers` how many other tabs hold fresh tokens (both from
    /// [`peers`]), `asked` whether this tab already asked them in this round, and `can_refresh`
    /// whether there is anything to refresh with (the CSRF value of a browser session).
    pub fn next(
        &self,
        now_ms: i64,
        hint_refresh_at_ms: Option<i64>,
        peers: usize,
        asked: bool,
        can_refresh: bool,
    ) -> Next {
        if let Some(token) = self.fresh(now_ms) {
            return Next::Use(token.to_owned());
        }
        let peer_has_fresh = hint_refresh_at_ms.is_some_and(|at| now_ms < at) && peers > 0;
        if peer_has_fresh && !asked {
            Next::AskPeers
        } else if can_refresh {
            Next::Refresh
        } else {
            Next::SignedOut
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn response(token: &str, session: &str, expires_in: u32) -> TokenResponse {
        TokenResponse {
            access_token: token.into(),
            token_type: "Bearer".into(),
            expires_in,
            refresh_token: None,
            session_id: session.into(),
            user: None,
            csrf_token: None,
            trust_token: None,
            backup_codes: None,
        }
    }

    fn held(token: &str, now: i64) -> Held {
        Held::from_response(&response(token, "s1", 600), now, None)
    }

    #[test]
    fn test_token_cache_refreshes_ahead_of_expiry_by_a_bounded_margin() {
        let h = held("a", 1_000_000);
        assert_eq!(h.expires_at_ms, 1_600_000);
        assert_eq!(
            h.refresh_at_ms, 1_540_000,
            "a minute ahead of a 10-minute token"
        );
        assert!(h.is_fresh(1_539_999));
        assert!(!h.is_fresh(1_540_000));
        // A short-lived token is refreshed a quarter of its lifetime ahead, not always.
        let short = Held::from_response(&response("b", "s1", 20), 0, None);
        assert_eq!(short.refresh_at_ms, 15_000);
        assert!(short.is_fresh(14_999));
    }

    #[test]
    fn test_token_cache_refresh_keeps_user_and_csrf_of_the_same_session_only() {
        let mut first = response("a", "s1", 600);
        first.csrf_token = Some("c1".into());
        first.user = None;
        let a = Held::from_response(&first, 0, None);
        let b = Held::from_response(&response("b", "s1", 600), 1, Some(&a));
        assert_eq!(b.csrf_token.as_deref(), Some("c1"));
        let other = Held::from_response(&response("c", "s2", 600), 2, Some(&a));
        assert_eq!(
            other.csrf_token, None,
            "nothing carries over to another session"
        );
    }

    #[test]
    fn test_token_cache_events_for_sign_in_refresh_stale_and_sign_out() {
        let mut c = TokenCache::default();
        assert_eq!(c.fresh(0), None);
        assert_eq!(c.accept(held("a", 0)), Some(AuthEvent::SignedIn));
        assert_eq!(c.fresh(1), Some("a"));
        assert_eq!(
            c.accept(held("a", 0)),
            None,
            "the same tokens twice change nothing"
        );
        assert_eq!(c.accept(held("b", 10)), Some(AuthEvent::TokenRefreshed));
        // A refresh in the same second can return the very same JWT (deterministic ECDSA over
        // the same claims): it is still newer tokens, due later.
        assert_eq!(c.accept(held("b", 20)), Some(AuthEvent::TokenRefreshed));
        assert_eq!(c.held().unwrap().refresh_at_ms, 20 + 540_000);
        assert_eq!(
            c.accept(held("old", 5)),
            None,
            "older tokens never replace newer ones"
        );
        assert_eq!(c.fresh(21), Some("b"));
        let stale_other = Held::from_response(&response("y", "s3", 600), 1, None);
        assert_eq!(c.accept(stale_other), None, "an older session's tokens");
        let other = Held::from_response(&response("x", "s2", 600), 20, None);
        assert_eq!(
            c.accept(other),
            Some(AuthEvent::SignedIn),
            "another session"
        );
        assert_eq!(c.sign_out(), Some(AuthEvent::SignedOut));
        assert_eq!(c.sign_out(), None);
        assert_eq!(c.held(), None);
    }

    #[test]
    fn test_token_cache_peer_messages_hand_tokens_over_and_answer_wants() {
        let mut a = TokenCache::default();
        let mut b = TokenCache::default();
        a.accept(held("t", 0));
        // B asks; A answers with its fresh token; B takes it.
        let (_, answer) = a.receive(TabMessage::Want, 1);
        let wire = serde_json::to_string(&answer.unwrap()).unwrap();
        let answer: TabMessage = serde_json::from_str(&wire).unwrap();
        assert_eq!(b.receive(answer, 1).0, Some(AuthEvent::SignedIn));
        assert_eq!(b.fresh(2), Some("t"));
        // A stale token is never handed out.
        assert_eq!(a.receive(TabMessage::Want, 10_000_000).1, None);
        // Sign-out anywhere signs out everywhere.
        assert_eq!(
            b.receive(TabMessage::SignedOut { session_id: None }, 3).0,
            Some(AuthEvent::SignedOut)
        );
        assert_eq!(b.fresh(3), None);
        assert!(serde_json::from_str::<TabMessage>(r#"{"other":{}}"#).is_err());
        assert_eq!(
            serde_json::to_string(&TabMessage::Want).unwrap(),
            r#""want""#
        );
    }

    #[test]
    fn test_token_cache_an_ended_session_stays_ended() {
        let mut c = TokenCache::default();
        c.accept(held("t", 0));
        let msg = c.signed_out_message();
        assert_eq!(
            msg,
            TabMessage::SignedOut {
                session_id: Some("s1".into())
            }
        );
        assert_eq!(c.sign_out(), Some(AuthEvent::SignedOut));
        // A peer's late answer or refresh of that session does not sign this tab back in.
        let late = TabMessage::Tokens {
            held: Box::new(held("t2", 10)),
        };
        assert_eq!(c.receive(late, 11), (None, None));
        assert_eq!(c.fresh(11), None);
        // A new session is welcome.
        let new = Held::from_response(&response("n", "s2", 600), 20, None);
        assert_eq!(c.accept(new), Some(AuthEvent::SignedIn));
        // The end of another (older) session leaves it alone; its own end signs it out.
        let end_old = TabMessage::SignedOut {
            session_id: Some("s0".into()),
        };
        assert_eq!(c.receive(end_old, 21).0, None);
        assert_eq!(c.fresh(21), Some("n"));
        let end_own = TabMessage::SignedOut {
            session_id: Some("s2".into()),
        };
        assert_eq!(c.receive(end_own, 22).0, Some(AuthEvent::SignedOut));
        // It remembers a bounded number of ended sessions.
        for i in 0..20 {
            c.end(&format!("x{i}"));
        }
        assert_eq!(c.ended.len(), ENDED_KEPT);
    }

    #[test]
    fn test_token_cache_peers_from_held_lock_names() {
        let p = "latchkey:x:holder:";
        let names = [
            holder_lock_name(p, 500),
            holder_lock_name(p, 2_000),
            holder_lock_name(p, 2_000),
            "latchkey:x:refresh".to_owned(),
            format!("{p}not-a-number"),
            holder_lock_name("other:holder:", 9_000),
        ];
        let names = || names.iter().map(String::as_str);
        assert_eq!(peers(names(), p, None, 1_000), (Some(2_000), 2));
        // This tab's own lock is not a peer; a second tab with the same tokens is.
        let own = holder_lock_name(p, 2_000);
        assert_eq!(peers(names(), p, Some(&own), 1_000), (Some(2_000), 1));
        assert_eq!(
            peers(names(), p, None, 3_000),
            (Some(2_000), 0),
            "all stale"
        );
        assert_eq!(peers([], p, None, 0), (None, 0));
    }

    #[test]
    fn test_token_cache_next_step_refreshes_once_across_tabs() {
        let now = 1_000;
        let mut c = TokenCache::default();
        // Signed out with nothing to refresh with.
        assert_eq!(c.next(now, None, 0, false, false), Next::SignedOut);
        // No token, a cookie session: refresh.
        assert_eq!(c.next(now, None, 0, false, true), Next::Refresh);
        // A peer refreshed while this tab waited for the lock: ask it rather than refresh.
        assert_eq!(c.next(now, Some(now + 500), 2, false, true), Next::AskPeers);
        // ...but once only, and never when no peer holds tokens or the hint is stale.
        assert_eq!(c.next(now, Some(now + 500), 2, true, true), Next::Refresh);
        assert_eq!(c.next(now, Some(now + 500), 0, false, true), Next::Refresh);
        assert_eq!(c.next(now, Some(now), 2, false, true), Next::Refresh);
        // With a fresh token: use it, whatever the rest says.
        c.accept(held("mine", now));
        assert_eq!(
            c.next(now, Some(now + 500), 2, false, true),
            Next::Use("mine".into())
        );
    }
}
