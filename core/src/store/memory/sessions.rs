//! Sessions, refresh-token families and the login transaction.

use super::*;
use crate::store::{RefreshStore, Turn, Turned};

impl RefreshStore for MemoryStore {
    async fn turn_refresh_token(&self, t: Turn<'_>) -> StoreResult<Turned> {
        let Some(context) = self.refresh_context(t.old_hash).await? else {
            return Ok(Turned {
                context: None,
                rotation: Rotation::Invalid,
            });
        };
        let rotation = if context.for_client(t.client_id) && context.user_may_refresh(t.now) {
            let new = RefreshToken {
                token_hash: t.new_hash.to_owned(),
                session_id: context.session.id.clone(),
                created_at: t.now,
                expires_at: context.next_token_expiry(t.now),
            };
            self.rotate(t.old_hash, new, t.now)
        } else {
            Rotation::Invalid
        };
        Ok(Turned {
            context: Some(context),
            rotation,
        })
    }
}

impl MemoryStore {
    /// Spends `old_hash` and stores `new` in its place, if `old_hash` is unspent, unexpired
    /// and its session active; a spent token revokes its session.
    fn rotate(&self, old_hash: &str, new: RefreshToken, now: i64) -> Rotation {
        let mut d = self.data.borrow_mut();
        let Some(idx) = d
            .refresh_tokens
            .iter()
            .position(|t| t.token.token_hash == old_hash)
        else {
            return Rotation::Invalid;
        };
        let old = d.refresh_tokens[idx].clone();
        let session_id = old.token.session_id.clone();
        let Some(si) = d.sessions.iter().position(|s| s.id == session_id) else {
            return Rotation::Invalid;
        };
        if old.used_at.is_some() {
            if d.sessions[si].revoked_at.is_none() {
                d.sessions[si].revoked_at = Some(now);
            }
            return Rotation::Reused { session_id };
        }
        if !d.sessions[si].is_active(now) || old.token.expires_at <= now {
            return Rotation::Invalid;
        }
        d.refresh_tokens[idx].used_at = Some(now);
        d.refresh_tokens.push(StoredRefresh {
            token: new,
            used_at: None,
        });
        d.sessions[si].last_active_at = now;
        Rotation::Rotated(Box::new(d.sessions[si].clone()))
    }
}

impl crate::store::LoginReadStore for MemoryStore {}

impl SessionStore for MemoryStore {
    async fn record_login(&self, w: LoginWrite<'_>) -> StoreResult<()> {
        let mut d = self.data.borrow_mut();
        d.sessions.push(w.session.clone());
        if let Some(t) = w.refresh_token {
            d.refresh_tokens.push(StoredRefresh {
                token: t.clone(),
                used_at: None,
            });
        }
        d.push_record(w.record);
        d.last_login
            .insert(w.session.user_id.clone(), w.session.created_at);
        if let Some(hash) = w.rehash {
            let user_id = w.session.user_id.clone();
            if let Some(u) = d.users.iter_mut().find(|u| u.id == user_id) {
                u.password_hash = Some(hash.to_owned());
                u.updated_at = w.session.created_at.max(u.updated_at + 1);
            }
        }
        Ok(())
    }

    async fn record_failure(&self, record: &LoginRecord) -> StoreResult<()> {
        self.data.borrow_mut().push_record(record);
        Ok(())
    }

    async fn record_ping(&self, record: &LoginRecord) -> StoreResult<()> {
        let mut d = self.data.borrow_mut();
        if let Some(user) = &record.user_id {
            d.last_login.insert(user.clone(), record.created_at);
        }
        d.push_record(record);
        Ok(())
    }

    async fn session_of_refresh_token(&self, token_hash: &str) -> StoreResult<Option<Session>> {
        let d = self.data.borrow();
        let Some(t) = d
            .refresh_tokens
            .iter()
            .find(|t| t.token.token_hash == token_hash)
        else {
            return Ok(None);
        };
        Ok(d.sessions
            .iter()
            .find(|s| s.id == t.token.session_id)
            .cloned())
    }

    async fn get_session(&self, org_id: &str, id: &str) -> StoreResult<Option<Session>> {
        let d = self.data.borrow();
        Ok(d.sessions
            .iter()
            .find(|s| s.organization_id == org_id && s.id == id)
            .cloned())
    }

    async fn list_sessions(
        &self,
        org_id: &str,
        user_id: &str,
        include_inactive: bool,
        now: i64,
    ) -> StoreResult<Vec<Session>> {
        let d = self.data.borrow();
        let mut out: Vec<Session> = d
            .sessions
            .iter()
            .filter(|s| {
                s.organization_id == org_id
                    && s.user_id == user_id
                    && (include_inactive || s.is_active(now))
            })
            .cloned()
            .collect();
        out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        Ok(out)
    }

    async fn revoke_session(&self, org_id: &str, id: &str, now: i64) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        match d
            .sessions
            .iter_mut()
            .find(|s| s.organization_id == org_id && s.id == id && s.revoked_at.is_none())
        {
            Some(s) => {
                s.revoked_at = Some(now);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn revoke_user_sessions(
        &self,
        org_id: &str,
        user_id: &str,
        except: Option<&str>,
        now: i64,
    ) -> StoreResult<u32> {
        let mut d = self.data.borrow_mut();
        let mut n = 0;
        for s in d.sessions.iter_mut().filter(|s| {
            s.organization_id == org_id
                && s.user_id == user_id
                && s.is_active(now)
                && except != Some(s.id.as_str())
        }) {
            s.revoked_at = Some(now);
            n += 1;
        }
        Ok(n)
    }

    async fn recent_logins(
        &self,
        org_id: &str,
        user_id: &str,
        limit: u32,
    ) -> StoreResult<Vec<PastLogin>> {
        let d = self.data.borrow();
        Ok(d.records
            .iter()
            .rev()
            .filter(|r| {
                r.organization_id == org_id
                    && r.user_id.as_deref() == Some(user_id)
                    && r.outcome == Outcome::Success
            })
            .take(limit as usize)
            .map(|r| PastLogin {
                created_at: r.created_at,
                user_agent: r.client.user_agent.clone(),
                device_name: r.client.device_name.clone(),
                country: r.client.country.clone(),
                latitude_e6: r.client.latitude_e6,
                longitude_e6: r.client.longitude_e6,
            })
            .collect())
    }

    async fn add_refresh_token(&self, token: &RefreshToken) -> StoreResult<()> {
        self.data.borrow_mut().refresh_tokens.push(StoredRefresh {
            token: token.clone(),
            used_at: None,
        });
        Ok(())
    }

    async fn touch_session(&self, id: &str, now: i64) -> StoreResult<()> {
        if let Some(s) = self
            .data
            .borrow_mut()
            .sessions
            .iter_mut()
            .find(|s| s.id == id)
        {
            s.last_active_at = now;
        }
        Ok(())
    }

    async fn insert_session(
        &self,
        session: &Session,
        token: Option<&RefreshToken>,
    ) -> StoreResult<()> {
        let mut d = self.data.borrow_mut();
        d.sessions.push(session.clone());
        if let Some(t) = token {
            d.refresh_tokens.push(StoredRefresh {
                token: t.clone(),
                used_at: None,
            });
        }
        Ok(())
    }

    async fn prune_sessions(&self, org_id: &str, before: i64, limit: u32) -> StoreResult<u32> {
        let mut d = self.data.borrow_mut();
        let parents: std::collections::HashSet<String> = d
            .sessions
            .iter()
            .filter_map(|s| s.parent_id.clone())
            .collect();
        let mut ended: Vec<&Session> = d
            .sessions
            .iter()
            .filter(|s| {
                s.organization_id == org_id
                    && (s.expires_at < before || s.revoked_at.is_some_and(|r| r < before))
                    && !parents.contains(&s.id)
            })
            .collect();
        ended.sort_by(|a, b| a.id.cmp(&b.id));
        let gone: std::collections::HashSet<String> = ended
            .into_iter()
            .take(limit as usize)
            .map(|s| s.id.clone())
            .collect();
        d.sessions.retain(|s| !gone.contains(&s.id));
        d.refresh_tokens
            .retain(|t| !gone.contains(&t.token.session_id));
        Ok(u32::try_from(gone.len()).unwrap_or(u32::MAX))
    }
}
