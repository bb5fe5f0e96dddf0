//! `LatchkeyClient`: sign up, log in, keep a fresh access token (refreshed once across all the
//! tabs of the origin), log out, and read the signed-in user's sessions and login history.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_net::http::{Request, RequestBuilder, Response};
use js_sys::Function;
use latchkey_core::api::{
    ErrorBody, LoginRequest, LogoutRequest, LogoutResponse, SignUpRequest, TokenResponse,
};
use latchkey_core::browser::token_cache::{
    self, holder_lock_name, AuthEvent, Held, Next, TabMessage, TokenCache,
};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::decode::{AppSettings, FromJs};
use crate::error::SdkError;
use crate::tabs::{self, Lock};

/// How long a tab waits for a peer to hand over a fresh token before refreshing itself.
const PEER_WAIT_MS: i32 = 1_500;

#[derive(Default)]
struct Inner {
    cache: TokenCache,
    listeners: Vec<(u32, Function)>,
    next_listener: u32,
    /// Resolves a tab's wait for a peer's tokens.
    waiter: tabs::Slot,
    /// The shared lock (and its name) that tells other tabs which tokens this one holds.
    holder: Option<(String, Lock)>,
    /// A login waiting for its second factor: its MFA token, and whether the user must enrol.
    pub(crate) mfa: Option<(String, bool)>,
    /// The pending id of the sign-in link this client sent last.
    magic_link: Option<String>,
}

/// Names shared by every client of one server in this origin (the refresh cookie's scope).
struct Names {
    refresh_lock: String,
    holder_prefix: String,
}

// The shapes the client resolves to, for TypeScript users: `latchkey_core::api`'s, in the
// native API's snake_case.
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
export interface LatchkeyOptions { baseUrl: string; clientId: string }
export interface LatchkeyUser {
  id: string; organization_id: string; email: string; username: string | null; name: string | null;
  email_verified: boolean; phone: string | null; status: "active" | "disabled"; has_password: boolean;
  password_change_required: boolean; expires_at: string | null; created_at: string; updated_at: string;
}
export interface SignUpDetails { email: string; password: string; name?: string; username?: string }
export interface LatchkeySession {
  id: string; user_id: string; application_id: string | null; created_at: string; last_active_at: string;
  expires_at: string; ip: string | null; country: string | null; region: string | null; city: string | null;
  user_agent: string | null; browser: string | null; os: string | null; device: string | null;
  device_name: string | null; device_type: string | null; methods: string[]; current: boolean;
}
export interface LoginHistoryOptions { limit?: number; offset?: number; filter?: "success" | "failure" }
export interface LoginHistoryEntry {
  id: number; action: "auth.login.success" | "auth.login.failure"; ip_address: string | null;
  user_agent: string | null; created_at: string; metadata: Record<string, unknown>;
}
export interface LoginHistory { history: LoginHistoryEntry[]; total_count: number; limit: number; offset: number }
export type AuthEvent = "SIGNED_IN" | "TOKEN_REFRESHED" | "SIGNED_OUT";
/** Thrown by every method: an Error named `LatchkeyError` with the server's `error_code`. */
export interface LatchkeyError extends Error {
  name: "LatchkeyError"; code: string; status: number;
  /** With `PASSWORD_CHANGE_REQUIRED`: the one-time id `changePassword` takes. */
  changePasswordId?: string;
}
"#;

#[wasm_bindgen(js_name = LatchkeyClient)]
pub struct Client {
    base_url: String,
    client_id: String,
    names: Rc<Names>,
    inner: Rc<RefCell<Inner>>,
    channel: Option<web_sys::BroadcastChannel>,
    _on_message: Option<Closure<dyn FnMut(web_sys::MessageEvent)>>,
}

fn now() -> i64 {
    js_sys::Date::now() as i64
}

pub(crate) fn to_js<T: Serialize>(v: &T) -> Result<JsValue, SdkError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| SdkError::new("SDK_ERROR", e.to_string(), 0))
}

/// A response's JSON body, parsed by the browser (the SDK carries no JSON parser of its own).
pub(crate) async fn body(resp: Response) -> Option<JsValue> {
    let raw: web_sys::Response = resp.into();
    JsFuture::from(raw.json().ok()?).await.ok()
}

/// A successful response's status and body, or the error a failed one carries.
pub(crate) async fn answer(resp: Response) -> Result<(u16, Option<JsValue>), SdkError> {
    let status = resp.status();
    let json = body(resp).await;
    if (200..300).contains(&status) {
        Ok((status, json))
    } else {
        Err(error_of(status, json))
    }
}

pub(crate) fn unexpected(status: u16) -> SdkError {
    SdkError::new("SDK_ERROR", "unexpected answer", status)
}

/// A successful answer's body as `T`. Not async itself: one awaited reader (`answer`) serves
/// every type, where a generic async reader would be compiled once per type.
pub(crate) fn decoded<T: FromJs>((status, json): (u16, Option<JsValue>)) -> Result<T, SdkError> {
    json.as_ref()
        .and_then(T::from_js)
        .ok_or_else(|| unexpected(status))
}

/// The error a failed response carries.
pub(crate) fn error_of(status: u16, json: Option<JsValue>) -> SdkError {
    SdkError::from_body(status, json.as_ref().and_then(ErrorBody::from_js))
}

/// How long any request may take before it fails with `NETWORK_ERROR` (a refresh holds the
/// lock every tab waits on).
const REQUEST_TIMEOUT_MS: u32 = 15_000;

/// A request that fails with `NETWORK_ERROR` after `REQUEST_TIMEOUT_MS`.
pub(crate) fn timed(req: RequestBuilder) -> RequestBuilder {
    let signal = web_sys::AbortSignal::timeout_with_u32(REQUEST_TIMEOUT_MS);
    req.abort_signal(Some(&signal))
}

/// A JS value as JSON text, written by the browser's `JSON.stringify`.
pub(crate) fn stringify(value: &JsValue) -> Result<String, SdkError> {
    Ok(js_sys::JSON::stringify(value)
        .map_err(|_| SdkError::new("SDK_ERROR", "could not encode the request", 0))?
        .into())
}

/// A request with a JSON body (text), timed.
pub(crate) fn with_body(req: RequestBuilder, text: String) -> Result<Request, SdkError> {
    Ok(timed(req)
        .header("content-type", "application/json")
        .body(text)?)
}

/// `value` as a JSON request body, written by the browser's `JSON.stringify`.
pub(crate) fn json<T: Serialize>(req: RequestBuilder, value: &T) -> Result<Request, SdkError> {
    with_body(req, stringify(&to_js(value)?)?)
}

/// A string field of a JS options object; `None` when absent, null or not a string.
pub(crate) fn text_field(obj: &JsValue, name: &str) -> Option<String> {
    js_sys::Reflect::get(obj, &JsValue::from_str(name))
        .ok()?
        .as_string()
}

/// The value of a readable cookie of this page's origin.
fn cookie(name: &str) -> Option<String> {
    let doc: web_sys::HtmlDocument = web_sys::window()?.document()?.dyn_into().ok()?;
    let all = doc.cookie().ok()?;
    latchkey_core::sessions::cookies::get(Some(&all), name).map(str::to_owned)
}

/// Tells the listeners; a throwing listener does not stop the others.
fn emit(inner: &RefCell<Inner>, event: AuthEvent) {
    let (listeners, user) = {
        let i = inner.borrow();
        let user = i.cache.user().and_then(|u| to_js(u).ok());
        let l: Vec<Function> = i.listeners.iter().map(|(_, f)| f.clone()).collect();
        (l, user.unwrap_or(JsValue::NULL))
    };
    let name = JsValue::from(event.as_str());
    for f in listeners {
        let _ = f.call2(&JsValue::NULL, &name, &user);
    }
}

/// Holds the shared lock named for this tab's current tokens (releasing the one for older
/// tokens), so that tabs deciding whether to refresh can see them.
async fn hold(inner: &Rc<RefCell<Inner>>, names: &Names) {
    let Some(at) = inner.borrow().cache.held().map(|h| h.refresh_at_ms) else {
        return;
    };
    let name = holder_lock_name(&names.holder_prefix, at);
    if matches!(&inner.borrow().holder, Some((n, _)) if *n == name) {
        return;
    }
    let lock = tabs::lock(&name, "shared").await;
    let mut i = inner.borrow_mut();
    // Unless signed out or replaced meanwhile, in which case the lock goes again at once.
    if i.cache.held().map(|h| h.refresh_at_ms) == Some(at) {
        i.holder = lock.map(|l| (name, l));
    }
}

/// A peer's message: take its tokens or its sign-out, or answer its request for ours.
fn on_message(
    inner: &Weak<RefCell<Inner>>,
    names: &Rc<Names>,
    channel: &web_sys::BroadcastChannel,
    data: JsValue,
) {
    // Anything that is not one of ours (other code may share the channel name) is ignored.
    let (Some(inner), Some(msg)) = (inner.upgrade(), TabMessage::from_js(&data)) else {
        return;
    };
    let (event, answer) = inner.borrow_mut().cache.receive(msg, now());
    if let Some(answer) = answer.and_then(|a| to_js(&a).ok()) {
        let _ = channel.post_message(&answer);
    }
    let signed_in = inner.borrow().cache.held().is_some();
    if signed_in {
        let waiter = inner.borrow().waiter.clone();
        tabs::wake(&waiter);
        let (inner, names) = (inner.clone(), names.clone());
        wasm_bindgen_futures::spawn_local(async move { hold(&inner, &names).await });
    } else {
        inner.borrow_mut().holder = None;
    }
    if let Some(e) = event {
        emit(&inner, e);
    }
}

impl Drop for Client {
    /// A dropped (or `free()`d) client stops listening: its channel closes, and its locks go
    /// with `Inner`.
    fn drop(&mut self) {
        if let Some(ch) = &self.channel {
            ch.set_onmessage(None);
            ch.close();
        }
    }
}

#[wasm_bindgen(js_class = LatchkeyClient)]
impl Client {
    /// `new LatchkeyClient({ baseUrl, clientId })`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "LatchkeyOptions")] options: JsValue,
    ) -> Result<Client, JsValue> {
        let bad = || SdkError::new("INVALID_OPTIONS", "expected { baseUrl, clientId }", 0);
        let base_url = text_field(&options, "baseUrl").ok_or_else(bad)?;
        let client_id = text_field(&options, "clientId").ok_or_else(bad)?;
        Ok(Client::create(&base_url, client_id)?)
    }

    /// The constructor's work, for Rust callers (the widget) that have the two values already.
    pub(crate) fn create(base_url: &str, client_id: String) -> Result<Client, SdkError> {
        if client_id.trim().is_empty() {
            return Err(SdkError::new("INVALID_OPTIONS", "clientId is required", 0));
        }
        let mut base_url = base_url.trim_end_matches('/').to_owned();
        if base_url.is_empty() {
            base_url = web_sys::window()
                .and_then(|w| w.location().origin().ok())
                .unwrap_or_default();
        }
        // Locks and messages are scoped like the refresh cookie: by server, not by application,
        // since every client of one server in this browser presents the same cookie.
        let scope = format!("latchkey:{}", base_url.to_ascii_lowercase());
        let names = Rc::new(Names {
            refresh_lock: format!("{scope}:refresh"),
            holder_prefix: format!("{scope}:holder:"),
        });
        let inner = Rc::new(RefCell::new(Inner::default()));
        let channel = web_sys::BroadcastChannel::new(&scope).ok();
        let on_message = channel.as_ref().map(|ch| {
            let weak = Rc::downgrade(&inner);
            let names = names.clone();
            let reply = ch.clone();
            let f = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |e: web_sys::MessageEvent| on_message(&weak, &names, &reply, e.data()),
            );
            ch.set_onmessage(Some(f.as_ref().unchecked_ref()));
            f
        });
        Ok(Client {
            base_url,
            client_id,
            names,
            inner,
            channel,
            _on_message: on_message,
        })
    }

    pub(crate) fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Sets (or clears) the login waiting for its second factor.
    pub(crate) fn inner_mfa(&self, pending: Option<(String, bool)>) {
        self.inner.borrow_mut().mfa = pending;
    }

    /// The login waiting for its second factor: its MFA token, and whether the user enrols.
    pub(crate) fn inner_mfa_get(&self) -> Option<(String, bool)> {
        self.inner.borrow().mfa.clone()
    }

    /// Sets (or clears) the sign-in link this client waits for.
    pub(crate) fn set_magic_link(&self, pending: Option<String>) {
        self.inner.borrow_mut().magic_link = pending;
    }

    pub(crate) fn magic_link(&self) -> Option<String> {
        self.inner.borrow().magic_link.clone()
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    fn broadcast(&self, msg: &TabMessage) {
        if let (Some(ch), Ok(m)) = (&self.channel, to_js(msg)) {
            let _ = ch.post_message(&m);
        }
    }

    /// Keeps tokens from this tab's login, sign-up or refresh, and hands them to the others.
    /// The holder lock for them is taken before this returns, so before the refresh lock is
    /// released: the next tab to take it sees that fresh tokens exist.
    async fn take_tokens(&self, t: &TokenResponse) -> Option<String> {
        let held = {
            let i = self.inner.borrow();
            Held::from_response(t, now(), i.cache.held())
        };
        let event = self.inner.borrow_mut().cache.accept(held.clone());
        hold(&self.inner, &self.names).await;
        self.broadcast(&TabMessage::Tokens {
            held: Box::new(held),
        });
        if let Some(e) = event {
            emit(&self.inner, e);
        }
        self.inner
            .borrow()
            .cache
            .held()
            .map(|h| h.access_token.clone())
    }

    /// Drops this tab's tokens and tells the others to drop theirs.
    fn drop_tokens(&self) {
        let (message, event) = {
            let mut i = self.inner.borrow_mut();
            i.holder = None;
            let message = i.cache.signed_out_message();
            (message, i.cache.sign_out())
        };
        self.broadcast(&message);
        if let Some(e) = event {
            emit(&self.inner, e);
        }
    }

    pub(crate) fn authed(&self, req: RequestBuilder, token: &str) -> RequestBuilder {
        timed(req).header("authorization", &format!("Bearer {token}"))
    }

    async fn post_for_tokens<B: Serialize>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<JsValue, SdkError> {
        let text = stringify(&to_js(body)?)?;
        self.post_text_for_tokens(path, text).await
    }

    /// Posts a JSON body (already text) to a login route in browser mode, keeps the tokens it
    /// answers, and resolves to the user, or to the MFA state of a login that needs a second
    /// factor (`{ mfa_required: true, methods, enrollment_required, expires_in }`).
    pub(crate) async fn post_text_for_tokens(
        &self,
        path: &str,
        text: String,
    ) -> Result<JsValue, SdkError> {
        match self.post_login(path, text).await? {
            Ok(t) => to_js(&t.user),
            Err(mfa_state) => Ok(mfa_state),
        }
    }

    /// [`Client::post_text_for_tokens`]'s request: the tokens kept (and a trusted device's
    /// token stored), or the MFA state.
    pub(crate) async fn post_login(
        &self,
        path: &str,
        text: String,
    ) -> Result<Result<TokenResponse, JsValue>, SdkError> {
        // Under the refresh lock: a peer's refresh answered after this login would otherwise
        // put the previous session's cookie back.
        let _lock = tabs::lock(&self.names.refresh_lock, "exclusive").await;
        let req = Request::post(&self.url(path)).credentials(web_sys::RequestCredentials::Include);
        let resp = with_body(req, text)?.send().await?;
        let status = resp.status();
        let json = body(resp).await;
        if status == 202 {
            // Accepted, not done (a sign-in link not yet approved): its state.
            return Ok(Err(json.unwrap_or(JsValue::UNDEFINED)));
        }
        if !(200..300).contains(&status) {
            let error = json.as_ref().and_then(ErrorBody::from_js);
            if let Some(state) = error.as_ref().and_then(|e| self.mfa_pending(e)) {
                return Ok(Err(state));
            }
            return Err(SdkError::from_body(status, error));
        }
        let t: TokenResponse = decoded((status, json))?;
        self.inner.borrow_mut().mfa = None;
        if let Some(trust) = &t.trust_token {
            crate::mfa::store_trust(&self.client_id, trust);
        }
        self.take_tokens(&t).await;
        Ok(Ok(t))
    }

    pub(crate) async fn login(
        &self,
        login_id: String,
        password: String,
    ) -> Result<JsValue, SdkError> {
        let body = LoginRequest {
            client_id: self.client_id.clone(),
            login_id,
            password,
            device: None,
            cookie: true,
            turnstile_token: None,
            trust_token: crate::mfa::trust(&self.client_id),
        };
        self.post_for_tokens("/api/v1/auth/login", &body).await
    }

    pub(crate) async fn register(
        &self,
        email: String,
        password: String,
        name: Option<String>,
    ) -> Result<JsValue, SdkError> {
        self.sign_up_as(email, password, name, None).await
    }

    async fn sign_up_as(
        &self,
        email: String,
        password: String,
        name: Option<String>,
        username: Option<String>,
    ) -> Result<JsValue, SdkError> {
        let body = SignUpRequest {
            client_id: self.client_id.clone(),
            email,
            password,
            username,
            name,
            device: None,
            cookie: true,
            turnstile_token: None,
        };
        self.post_for_tokens("/api/v1/auth/signup", &body).await
    }

    /// The application's public configuration (its name and the login methods it offers).
    pub(crate) async fn config(&self) -> Result<AppSettings, SdkError> {
        let path = format!(
            "/api/v1/config/client/{}",
            js_sys::encode_uri_component(&self.client_id)
        );
        match answer(timed(Request::get(&self.url(&path))).send().await?).await {
            // No application has this client id: the page's set-up, said in the login
            // routes' own words.
            Err(e) if e.status == 404 && e.code == "NOT_FOUND" => Err(SdkError::new(
                "INVALID_CLIENT_ID",
                format!(
                    "no application has the client id {:?}: set client-id to one of your applications' client_id",
                    self.client_id
                ),
                404,
            )),
            other => decoded(other?),
        }
    }

    /// Logs in with an email or username and a password; resolves to the user.
    #[wasm_bindgen(js_name = loginWithPassword, unchecked_return_type = "LatchkeyUser")]
    pub async fn login_with_password(
        &self,
        login_id: String,
        password: String,
    ) -> Result<JsValue, JsValue> {
        Ok(self.login(login_id, password).await?)
    }

    /// Creates an account (`{ email, password, name?, username? }`) and logs it in; resolves to
    /// the user.
    #[wasm_bindgen(js_name = signUp, unchecked_return_type = "LatchkeyUser")]
    pub async fn sign_up(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SignUpDetails")] details: JsValue,
    ) -> Result<JsValue, JsValue> {
        let bad = || SdkError::new("INVALID_OPTIONS", "expected { email, password }", 0);
        let email = text_field(&details, "email").ok_or_else(bad)?;
        let password = text_field(&details, "password").ok_or_else(bad)?;
        let name = text_field(&details, "name");
        let username = text_field(&details, "username");
        Ok(self.sign_up_as(email, password, name, username).await?)
    }

    /// Calls `callback(event, user)` on `SIGNED_IN`, `TOKEN_REFRESHED` and `SIGNED_OUT`, in this
    /// tab and when another tab signs in, refreshes or signs out. Returns a function that
    /// unsubscribes.
    #[wasm_bindgen(js_name = onAuthStateChange, unchecked_return_type = "() => void")]
    pub fn on_auth_state_change(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "(event: AuthEvent, user: LatchkeyUser | null) => void"
        )]
        callback: Function,
    ) -> Function {
        let id = {
            let mut i = self.inner.borrow_mut();
            i.next_listener += 1;
            let id = i.next_listener;
            i.listeners.push((id, callback));
            id
        };
        let weak = Rc::downgrade(&self.inner);
        Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = weak.upgrade() {
                inner.borrow_mut().listeners.retain(|(l, _)| *l != id);
            }
        })
        .into_js_value()
        .unchecked_into()
    }

    /// The user of the tokens this tab holds, without a request; `null` when signed out.
    #[wasm_bindgen(getter, unchecked_return_type = "LatchkeyUser | null")]
    pub fn user(&self) -> JsValue {
        self.inner
            .borrow()
            .cache
            .user()
            .and_then(|u| to_js(u).ok())
            .unwrap_or(JsValue::NULL)
    }

    /// A valid access token, refreshed ahead of expiry; `null` when signed out. Across the tabs
    /// of this origin one refresh happens at a time, and a tab that finds a peer already
    /// refreshed takes the peer's tokens instead of presenting the refresh token again.
    #[wasm_bindgen(js_name = getAccessToken, unchecked_return_type = "string | null")]
    pub async fn get_access_token(&self) -> Result<JsValue, JsValue> {
        Ok(self
            .access_token()
            .await?
            .map_or(JsValue::NULL, JsValue::from))
    }

    pub(crate) async fn access_token(&self) -> Result<Option<String>, SdkError> {
        if let Some(t) = self.inner.borrow().cache.fresh(now()) {
            return Ok(Some(t.to_owned()));
        }
        let _lock = tabs::lock(&self.names.refresh_lock, "exclusive").await;
        self.access_token_locked().await
    }

    /// `access_token`, for a caller that holds the refresh lock.
    async fn access_token_locked(&self) -> Result<Option<String>, SdkError> {
        let mut asked = false;
        loop {
            let held = tabs::held_lock_names().await;
            let own = self.inner.borrow().holder.as_ref().map(|(n, _)| n.clone());
            let (hint, peers) = token_cache::peers(
                held.iter().map(String::as_str),
                &self.names.holder_prefix,
                own.as_deref(),
                now(),
            );
            use latchkey_core::sessions::cookies::{CSRF_COOKIE, CSRF_COOKIE_HOST};
            let csrf = cookie(CSRF_COOKIE_HOST)
                .or_else(|| cookie(CSRF_COOKIE))
                .or_else(|| {
                    let i = self.inner.borrow();
                    i.cache.held().and_then(|h| h.csrf_token.clone())
                });
            let next = self
                .inner
                .borrow()
                .cache
                .next(now(), hint, peers, asked, csrf.is_some());
            match next {
                Next::Use(t) => return Ok(Some(t)),
                Next::SignedOut => return Ok(None),
                Next::AskPeers => {
                    asked = true;
                    self.broadcast(&TabMessage::Want);
                    let waiter = self.inner.borrow().waiter.clone();
                    tabs::sleep_or_wake(PEER_WAIT_MS, &waiter).await;
                }
                Next::Refresh => return self.refresh(csrf.unwrap_or_default()).await,
            }
        }
    }

    async fn refresh(&self, csrf: String) -> Result<Option<String>, SdkError> {
        let req = timed(Request::post(&self.url("/api/v1/auth/refresh")))
            .credentials(web_sys::RequestCredentials::Include)
            .header(latchkey_core::sessions::cookies::CSRF_HEADER, &csrf)
            .build()?;
        let resp = req.send().await?;
        match answer(resp).await.and_then(decoded::<TokenResponse>) {
            Ok(t) => Ok(self.take_tokens(&t).await),
            // The session ended (logged out, revoked, expired), or there is none to refresh (no
            // cookie, a stale CSRF value): signed out in every tab. Not for "slow down".
            Err(e) if (400..500).contains(&e.status) && e.status != 429 => {
                self.drop_tokens();
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    pub(crate) async fn token(&self) -> Result<String, SdkError> {
        self.access_token()
            .await?
            .ok_or_else(|| SdkError::new("UNAUTHORIZED", "not signed in", 401))
    }

    /// A signed-in GET whose answer goes to the page as the server wrote it (`field` of it,
    /// when given): the SDK need not decode what it only hands on, and every decoder costs
    /// bytes in the `.wasm`. The shapes are `latchkey_core::api`'s.
    pub(crate) async fn get_raw(
        &self,
        path: &str,
        field: Option<&str>,
    ) -> Result<JsValue, SdkError> {
        let token = self.token().await?;
        let resp = self
            .authed(Request::get(&self.url(path)), &token)
            .send()
            .await?;
        let (status, json) = answer(resp).await?;
        let json = json.ok_or_else(|| unexpected(status))?;
        match field {
            Some(f) => js_sys::Reflect::get(&json, &f.into()).map_err(|_| unexpected(status)),
            None => Ok(json),
        }
    }

    /// The signed-in user, from the server.
    #[wasm_bindgen(js_name = currentUser, unchecked_return_type = "LatchkeyUser")]
    pub async fn current_user(&self) -> Result<JsValue, JsValue> {
        Ok(self.get_raw("/api/v1/auth/me", None).await?)
    }

    /// The signed-in user's active sessions.
    #[wasm_bindgen(js_name = listSessions, unchecked_return_type = "LatchkeySession[]")]
    pub async fn list_sessions(&self) -> Result<JsValue, JsValue> {
        Ok(self
            .get_raw("/api/v1/auth/sessions", Some("sessions"))
            .await?)
    }

    /// Revokes one of the signed-in user's sessions.
    #[wasm_bindgen(js_name = revokeSession)]
    pub async fn revoke_session(&self, session_id: String) -> Result<(), JsValue> {
        Ok(self.delete("/api/v1/auth/sessions/", &session_id).await?)
    }

    /// Signs out every other session of the signed-in user ("sign out other devices"); this
    /// one stays signed in.
    #[wasm_bindgen(js_name = revokeOtherSessions, unchecked_return_type = "{ revoked: number }")]
    pub async fn revoke_other_sessions(&self) -> Result<JsValue, JsValue> {
        Ok(self.revoke_others().await?)
    }

    pub(crate) async fn revoke_others(&self) -> Result<JsValue, SdkError> {
        let token = self.token().await?;
        let req = self.authed(Request::delete(&self.url("/api/v1/auth/sessions")), &token);
        let (status, json) = answer(req.send().await?).await?;
        json.ok_or_else(|| unexpected(status))
    }

    /// A signed-in DELETE of `prefix` + `id` (encoded) that answers 204.
    pub(crate) async fn delete(&self, prefix: &str, id: &str) -> Result<(), SdkError> {
        let token = self.token().await?;
        let path = format!("{prefix}{}", js_sys::encode_uri_component(id));
        let resp = self
            .authed(Request::delete(&self.url(&path)), &token)
            .send()
            .await?;
        if resp.status() == 204 {
            Ok(())
        } else {
            let status = resp.status();
            Err(error_of(status, body(resp).await))
        }
    }

    /// The signed-in user's login history: `{ limit, offset, filter }`, all optional.
    #[wasm_bindgen(js_name = loginHistory, unchecked_return_type = "LoginHistory")]
    pub async fn login_history(
        &self,
        #[wasm_bindgen(unchecked_param_type = "LoginHistoryOptions")] options: Option<
            js_sys::Object,
        >,
    ) -> Result<JsValue, JsValue> {
        let options = JsValue::from(options);
        let number = |name| {
            let v = js_sys::Reflect::get(&options, &JsValue::from_str(name)).ok()?;
            match v.as_f64() {
                Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX) => {
                    Some(Ok(n as u32))
                }
                None if v.is_undefined() || v.is_null() => None,
                _ => Some(Err(SdkError::new(
                    "INVALID_OPTIONS",
                    format!("{name} must be a whole number"),
                    0,
                ))),
            }
        };
        let limit = number("limit").transpose()?;
        let offset = number("offset").transpose()?;
        let filter = text_field(&options, "filter");
        Ok(self.history(limit, offset, filter.as_deref()).await?)
    }

    /// One page of the signed-in user's login history (`data` of the answer).
    pub(crate) async fn history(
        &self,
        limit: Option<u32>,
        offset: Option<u32>,
        filter: Option<&str>,
    ) -> Result<JsValue, SdkError> {
        let mut path = String::from("/api/v1/auth/login-history");
        let mut add = |pair: String| {
            path.push(if path.contains('?') { '&' } else { '?' });
            path.push_str(&pair);
        };
        if let Some(l) = limit {
            add(format!("limit={l}"));
        }
        if let Some(x) = offset {
            add(format!("offset={x}"));
        }
        if let Some(f) = filter {
            let f: String = js_sys::encode_uri_component(f).into();
            add(format!("filter={f}"));
        }
        self.get_raw(&path, Some("data")).await
    }

    /// Logs out this session, or `{ everywhere: true }` every session of the user. This tab
    /// and its peers drop their tokens whatever happens; when the server could not be told
    /// (no answer, or an error), the promise rejects, and the session may still be alive on the
    /// server until it expires or is revoked.
    #[wasm_bindgen(unchecked_return_type = "{ revoked: number }")]
    pub async fn logout(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ everywhere?: boolean }")] options: Option<
            js_sys::Object,
        >,
    ) -> Result<JsValue, JsValue> {
        let everywhere = options
            .and_then(|o| js_sys::Reflect::get(&o, &"everywhere".into()).ok())
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let _lock = tabs::lock(&self.names.refresh_lock, "exclusive").await;
        let out = self.logout_locked(everywhere).await;
        self.drop_tokens();
        Ok(to_js(&out?)?)
    }

    async fn logout_locked(&self, everywhere: bool) -> Result<LogoutResponse, SdkError> {
        let Some(token) = self.access_token_locked().await? else {
            return Ok(LogoutResponse { revoked: 0 });
        };
        let req = self
            .authed(Request::post(&self.url("/api/v1/auth/logout")), &token)
            .credentials(web_sys::RequestCredentials::Include);
        decoded(answer(json(req, &LogoutRequest { everywhere })?.send().await?).await?)
    }
}
