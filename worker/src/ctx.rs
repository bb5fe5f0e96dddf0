//! What a handler gets: the stores, the caller's scope, the parsed request, the clock and
//! the random source.

use std::cell::Cell;
use std::rc::Rc;

use latchkey_core::access::{Grants, Scope};
use latchkey_core::api::{parse_json_request, DeviceMeta};
use latchkey_core::delivery::Draft;
use latchkey_core::http::cors;
use latchkey_core::model::Application;
use latchkey_core::model::ClientInfo;
use latchkey_core::rand::Rng;
use latchkey_core::Error;
use serde::de::DeserializeOwned;

use crate::d1::D1Store;
use crate::delivery::{Outbox, Outgoing};
use crate::kv::KvCache;

pub struct Ctx {
    pub store: D1Store,
    pub cache: KvCache,
    pub scope: Scope,
    /// What the caller holds within its organization (empty for public routes); read by the
    /// administration areas.
    #[cfg_attr(not(feature = "admin"), allow(dead_code))]
    pub grants: Grants,
    /// Who is calling, for what an action records (`api_key:<id>`, `user:<id>`,
    /// `platform`; empty on public routes).
    pub actor: String,
    pub now: i64,
    /// The issuer of tokens: `ISSUER` if set, else the request's origin.
    pub issuer: String,
    /// This server's own origin, as the request reached it (`http://127.0.0.1:8787`).
    pub own_origin: String,
    /// The client as the edge sees it (no device metadata yet).
    pub client: ClientInfo,
    /// Request headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    pub params: Vec<(&'static str, String)>,
    pub query: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The request's `Origin`, normalised, when it is a cross-origin call to a path the SDK
    /// uses; the answer carries CORS headers only once something vouches for it.
    pub cors_origin: Option<String>,
    /// Set when the request's own application allows [`Ctx::cors_origin`].
    pub cors_vouched: Rc<Cell<bool>>,
    /// Messages to deliver once the request has answered.
    pub outbox: Outbox,
    /// Development overrides are on (`LATCHKEY_DEV_OVERRIDES`).
    pub dev: bool,
}

impl Ctx {
    /// A path parameter; the route table guarantees it exists and is non-empty.
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// A request header (name in lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a query parameter.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The request body as an API type: `UNSUPPORTED_MEDIA_TYPE` unless it is sent as
    /// `application/json`, `INVALID_REQUEST` if malformed.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        parse_json_request(self.header("content-type"), &self.body)
    }

    /// The JSON body, or `T`'s default when the request has no body (routes whose every
    /// field is optional).
    pub fn json_or_default<T: DeserializeOwned + Default>(&self) -> Result<T, Error> {
        if self.body.is_empty() {
            Ok(T::default())
        } else {
            self.json()
        }
    }

    pub fn org_id(&self) -> Result<&str, Error> {
        self.scope.org_id()
    }

    /// The signed-in user's (organization, user, session), for user routes.
    pub fn user(&self) -> Result<(&str, &str, &str), Error> {
        match &self.scope {
            Scope::User {
                organization_id,
                user_id,
                session_id,
            } => Ok((organization_id, user_id, session_id)),
            _ => Err(Error::Forbidden),
        }
    }

    /// Lets the answer be read cross-origin if `app`, the application this request is for,
    /// allows the request's origin.
    pub fn vouch(&self, app: &Application) {
        if let Some(origin) = &self.cors_origin {
            if cors::app_allows(app, origin) {
                self.cors_vouched.set(true);
            }
        }
    }

    /// Queues `draft` (if any) of organization `org` for delivery after the answer.
    pub fn send_later(&self, org: &str, draft: Option<Draft>) {
        if let Some(draft) = draft {
            self.outbox.borrow_mut().push(Outgoing {
                organization_id: org.to_owned(),
                draft,
            });
        }
    }

    /// The client, with the device metadata the request body carried.
    pub fn client_with(&self, device: Option<&DeviceMeta>) -> ClientInfo {
        let mut c = self.client.clone();
        crate::client::add_device(&mut c, device);
        c
    }
}

/// The runtime's CSPRNG (`crypto.getRandomValues`).
pub struct WorkerRng;

impl Rng for WorkerRng {
    #[allow(clippy::panic)]
    fn fill(&mut self, buf: &mut [u8]) {
        // Without randomness no identifier or secret can be made safely; failing the request
        // (and the isolate) beats issuing predictable keys. The runtime does not fail here.
        if let Err(e) = getrandom::fill(buf) {
            panic!("crypto.getRandomValues failed: {e}");
        }
    }
}
