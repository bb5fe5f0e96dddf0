//! `LatchkeyClient`: log in, keep a fresh access token, log out, and read the signed-in
//! user's sessions and login history.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_net::http::{Request, RequestBuilder, Response};
use latchkey_core::api::{LogoutResponse, SessionList, TokenResponse, UserView};
use latchkey_core::records::HistoryResponse;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::error::SdkError;

/// Refresh this long before the access token expires.
const REFRESH_MARGIN_MS: f64 = 60_000.0;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Options {
    base_url: String,
    client_id: String,
}

#[derive(Debug, Default)]
struct State {
    access_token: Option<String>,
    expires_at_ms: f64,
    csrf_token: Option<String>,
    user: Option<UserView>,
}

#[wasm_bindgen(js_name = LatchkeyClient)]
pub struct Client {
    base_url: String,
    client_id: String,
    state: Rc<RefCell<State>>,
}

fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsValue> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| SdkError::new("SDK_ERROR", e.to_string(), 0).into())
}

async fn read<T: DeserializeOwned>(resp: Response) -> Result<T, SdkError> {
    let status = resp.status();
    let text = resp.text().await?;
    if !(200..300).contains(&status) {
        return Err(SdkError::from_body(status, &text));
    }
    serde_json::from_str(&text)
        .map_err(|e| SdkError::new("SDK_ERROR", format!("unexpected answer: {e}"), status))
}

/// The value of a readable cookie of this page's origin.
fn cookie(name: &str) -> Option<String> {
    let doc: web_sys::HtmlDocument = web_sys::window()?.document()?.dyn_into().ok()?;
    let all = doc.cookie().ok()?;
    latchkey_core::cookies::get(Some(&all), name).map(str::to_owned)
}

#[wasm_bindgen(js_class = LatchkeyClient)]
impl Client {
    /// `new LatchkeyClient({ baseUrl, clientId })`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Client, JsValue> {
        let o: Options = serde_wasm_bindgen::from_value(options).map_err(|e| {
            JsValue::from(SdkError::new(
                "INVALID_OPTIONS",
                format!("expected {{ baseUrl, clientId }}: {e}"),
                0,
            ))
        })?;
        if o.client_id.trim().is_empty() {
            return Err(SdkError::new("INVALID_OPTIONS", "clientId is required", 0).into());
        }
        Ok(Client {
            base_url: o.base_url.trim_end_matches('/').to_owned(),
            client_id: o.client_id,
            state: Rc::new(RefCell::new(State::default())),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    fn keep(&self, t: &TokenResponse) {
        let mut s = self.state.borrow_mut();
        s.access_token = Some(t.access_token.clone());
        s.expires_at_ms = js_sys::Date::now() + f64::from(t.expires_in) * 1000.0;
        if t.csrf_token.is_some() {
            s.csrf_token = t.csrf_token.clone();
        }
        if t.user.is_some() {
            s.user = t.user.clone();
        }
    }

    fn authed(&self, req: RequestBuilder, token: &str) -> RequestBuilder {
        req.header("authorization", &format!("Bearer {token}"))
    }

    /// Logs in with an email or username and a password; resolves to the user.
    #[wasm_bindgen(js_name = loginWithPassword)]
    pub async fn login_with_password(
        &self,
        login_id: String,
        password: String,
    ) -> Result<JsValue, JsValue> {
        let body = serde_json::json!({
            "client_id": self.client_id, "login_id": login_id, "password": password, "cookie": true
        });
        let resp = Request::post(&self.url("/api/v1/auth/login"))
            .credentials(web_sys::RequestCredentials::Include)
            .json(&body)
            .map_err(SdkError::from)?
            .send()
            .await
            .map_err(SdkError::from)?;
        let t: TokenResponse = read(resp).await?;
        self.keep(&t);
        to_js(&t.user)
    }

    /// A valid access token, refreshed (once, by the HttpOnly cookie) when it is about to
    /// expire; `null` when signed out.
    #[wasm_bindgen(js_name = getAccessToken)]
    pub async fn get_access_token(&self) -> Result<JsValue, JsValue> {
        let (token, expires) = {
            let s = self.state.borrow();
            (s.access_token.clone(), s.expires_at_ms)
        };
        if token.is_some() && js_sys::Date::now() + REFRESH_MARGIN_MS < expires {
            return Ok(token.map_or(JsValue::NULL, JsValue::from));
        }
        let csrf = cookie(latchkey_core::cookies::CSRF_COOKIE)
            .or_else(|| self.state.borrow().csrf_token.clone());
        let Some(csrf) = csrf else {
            return Ok(JsValue::NULL);
        };
        let resp = Request::post(&self.url("/api/v1/auth/refresh"))
            .credentials(web_sys::RequestCredentials::Include)
            .header(latchkey_core::cookies::CSRF_HEADER, &csrf)
            .send()
            .await
            .map_err(SdkError::from)?;
        match read::<TokenResponse>(resp).await {
            Ok(t) => {
                self.keep(&t);
                Ok(JsValue::from(t.access_token))
            }
            Err(e) if e.status == 401 => {
                *self.state.borrow_mut() = State::default();
                Ok(JsValue::NULL)
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn token(&self) -> Result<String, SdkError> {
        let t = self
            .get_access_token()
            .await
            .map_err(|_| SdkError::new("UNAUTHORIZED", "not signed in", 401))?;
        t.as_string()
            .ok_or_else(|| SdkError::new("UNAUTHORIZED", "not signed in", 401))
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, SdkError> {
        let token = self.token().await?;
        let resp = self
            .authed(Request::get(&self.url(path)), &token)
            .send()
            .await?;
        read(resp).await
    }

    /// The signed-in user.
    #[wasm_bindgen(js_name = currentUser)]
    pub async fn current_user(&self) -> Result<JsValue, JsValue> {
        let u: UserView = self.get("/api/v1/auth/me").await?;
        to_js(&u)
    }

    /// The signed-in user's active sessions.
    #[wasm_bindgen(js_name = listSessions)]
    pub async fn list_sessions(&self) -> Result<JsValue, JsValue> {
        let s: SessionList = self.get("/api/v1/auth/sessions").await?;
        to_js(&s.sessions)
    }

    /// Revokes one of the signed-in user's sessions.
    #[wasm_bindgen(js_name = revokeSession)]
    pub async fn revoke_session(&self, session_id: String) -> Result<(), JsValue> {
        let token = self.token().await?;
        let path = format!(
            "/api/v1/auth/sessions/{}",
            js_sys::encode_uri_component(&session_id)
        );
        let resp = self
            .authed(Request::delete(&self.url(&path)), &token)
            .send()
            .await
            .map_err(SdkError::from)?;
        if resp.status() == 204 {
            Ok(())
        } else {
            let status = resp.status();
            Err(SdkError::from_body(status, &resp.text().await.unwrap_or_default()).into())
        }
    }

    /// The signed-in user's login history: `{ limit, offset, filter }`, all optional.
    #[wasm_bindgen(js_name = loginHistory)]
    pub async fn login_history(&self, options: JsValue) -> Result<JsValue, JsValue> {
        #[derive(Deserialize, Default)]
        struct O {
            limit: Option<u32>,
            offset: Option<u32>,
            filter: Option<String>,
        }
        let o: O = if options.is_undefined() || options.is_null() {
            O::default()
        } else {
            serde_wasm_bindgen::from_value(options)
                .map_err(|e| JsValue::from(SdkError::new("INVALID_OPTIONS", e.to_string(), 0)))?
        };
        let mut q = vec![];
        if let Some(l) = o.limit {
            q.push(format!("limit={l}"));
        }
        if let Some(x) = o.offset {
            q.push(format!("offset={x}"));
        }
        if let Some(f) = o.filter {
            q.push(format!("filter={}", js_sys::encode_uri_component(&f)));
        }
        let path = format!("/api/v1/auth/login-history?{}", q.join("&"));
        let h: HistoryResponse = self.get(&path).await?;
        to_js(&h.data)
    }

    /// Logs out this session, or `{ everywhere: true }` every session of the user.
    pub async fn logout(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let everywhere = js_sys::Reflect::get(&options, &"everywhere".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let token = self.token().await?;
        let resp = self
            .authed(Request::post(&self.url("/api/v1/auth/logout")), &token)
            .credentials(web_sys::RequestCredentials::Include)
            .json(&serde_json::json!({ "everywhere": everywhere }))
            .map_err(SdkError::from)?
            .send()
            .await
            .map_err(SdkError::from)?;
        let out: LogoutResponse = read(resp).await?;
        *self.state.borrow_mut() = State::default();
        to_js(&out)
    }
}
