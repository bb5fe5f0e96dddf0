//! Runs in headless Chromium through wasm-bindgen-test-runner (`make test`).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn field(v: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(v, &name.into()).unwrap()
}

#[wasm_bindgen_test]
fn test_sdk_version_matches_core() {
    assert_eq!(latchkey_sdk::version(), env!("CARGO_PKG_VERSION"));
}

#[wasm_bindgen_test]
fn test_sdk_client_refuses_bad_options_with_a_typed_error() {
    for bad in [
        JsValue::NULL,
        js_sys::JSON::parse(r#"{"baseUrl":"https://auth.example.com"}"#).unwrap(),
        js_sys::JSON::parse(r#"{"baseUrl":"https://auth.example.com","clientId":"  "}"#).unwrap(),
    ] {
        let err = latchkey_sdk::Client::new(bad).err().unwrap();
        assert!(err.has_type::<js_sys::Error>());
        assert_eq!(
            field(&err, "code").as_string().as_deref(),
            Some("INVALID_OPTIONS")
        );
        assert_eq!(
            field(&err, "name").as_string().as_deref(),
            Some("LatchkeyError")
        );
    }
    let ok =
        js_sys::JSON::parse(r#"{"baseUrl":"https://auth.example.com/","clientId":"abc"}"#).unwrap();
    assert!(latchkey_sdk::Client::new(ok).is_ok());
}

#[wasm_bindgen_test]
async fn test_sdk_signed_out_client_has_no_token() {
    let opts =
        js_sys::JSON::parse(r#"{"baseUrl":"https://auth.example.com","clientId":"abc"}"#).unwrap();
    let client = latchkey_sdk::Client::new(opts).unwrap();
    // No session and no CSRF cookie: nothing to refresh, and no request is made.
    assert!(client.get_access_token().await.unwrap().is_null());
    let performance = web_sys::window().unwrap().performance().unwrap();
    let sent = performance
        .get_entries_by_type("resource")
        .iter()
        .filter(|e| {
            field(e, "name")
                .as_string()
                .is_some_and(|n| n.contains("auth.example.com"))
        })
        .count();
    assert_eq!(sent, 0);
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn shadow_of(el: &web_sys::Element) -> web_sys::ShadowRoot {
    el.shadow_root()
        .expect("the widget renders into an open shadow root")
}

#[wasm_bindgen_test]
fn test_widget_renders_a_labelled_accessible_form_in_its_shadow_root() {
    latchkey_sdk::start();
    let el = document().create_element("latchkey-login").unwrap();
    el.set_attribute("client-id", "abc").unwrap();
    el.set_attribute("base-url", "http://127.0.0.1:9").unwrap();
    document().body().unwrap().append_child(&el).unwrap();
    let root = shadow_of(&el);
    let q = |s: &str| root.query_selector(s).unwrap();
    // Every field sits inside its label or is named by one; errors are announced.
    for id in ["login", "password", "name", "new-password"] {
        let input = q(&format!("#{id}")).unwrap();
        let labelled =
            input.closest("label").unwrap().is_some() || q(&format!("label[for={id}]")).is_some();
        assert!(labelled, "{id}");
        assert_eq!(input.get_attribute("part").as_deref(), Some("input"));
    }
    let error = q("[part=error]").unwrap();
    assert_eq!(error.get_attribute("role").as_deref(), Some("alert"));
    assert_eq!(
        error.get_attribute("aria-live").as_deref(),
        Some("assertive")
    );
    assert_eq!(
        q("#title").unwrap().text_content().as_deref(),
        Some("Sign in")
    );
    assert!(
        q("#name-row").unwrap().has_attribute("hidden"),
        "no name when signing in"
    );
    assert_eq!(
        q("#password")
            .unwrap()
            .get_attribute("autocomplete")
            .as_deref(),
        Some("current-password")
    );
    // Until the application's configuration says password sign-in is on, nothing is sent.
    assert!(q("#submit").unwrap().has_attribute("disabled"));

    // The mode attribute switches to sign-up at once.
    el.set_attribute("mode", "signup").unwrap();
    assert_eq!(
        q("#title").unwrap().text_content().as_deref(),
        Some("Create an account")
    );
    assert!(!q("#name-row").unwrap().has_attribute("hidden"));
    assert_eq!(
        q("#password")
            .unwrap()
            .get_attribute("autocomplete")
            .as_deref(),
        Some("new-password")
    );
    el.remove();
}

#[wasm_bindgen_test]
async fn test_widget_reports_an_unreachable_service_as_an_event() {
    latchkey_sdk::start();
    let el = document().create_element("latchkey-login").unwrap();
    let events = std::rc::Rc::new(std::cell::RefCell::new(Vec::<JsValue>::new()));
    let seen = events.clone();
    let on_error = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::CustomEvent)>::new(
        move |e: web_sys::CustomEvent| seen.borrow_mut().push(e.detail()),
    );
    document()
        .add_event_listener_with_callback("latchkey:error", on_error.as_ref().unchecked_ref())
        .unwrap();
    el.set_attribute("client-id", "abc").unwrap();
    // Nothing listens on port 9: the configuration cannot be fetched.
    el.set_attribute("base-url", "http://127.0.0.1:9").unwrap();
    document().body().unwrap().append_child(&el).unwrap();
    for _ in 0..100 {
        if !events.borrow().is_empty() {
            break;
        }
        sleep(50).await;
    }
    let detail = events
        .borrow()
        .first()
        .cloned()
        .expect("a latchkey:error event");
    assert_eq!(
        field(&detail, "code").as_string().as_deref(),
        Some("NETWORK_ERROR")
    );
    let root = shadow_of(&el);
    let text = root
        .query_selector("#error")
        .unwrap()
        .unwrap()
        .text_content();
    assert_eq!(
        text.as_deref(),
        Some("Could not reach the sign-in service. Check your connection and try again.")
    );
    el.remove();
}

async fn sleep(ms: i32) {
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::new(&mut |r, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&r, ms)
            .unwrap();
    }))
    .await
    .unwrap();
}

#[wasm_bindgen_test]
async fn test_sdk_takes_a_peer_tabs_tokens_and_listeners_unsubscribe() {
    let opts =
        js_sys::JSON::parse(r#"{"baseUrl":"https://peers.example.com","clientId":"a"}"#).unwrap();
    let client = latchkey_sdk::Client::new(opts).unwrap();
    let calls = js_sys::Array::new();
    let record = calls.clone();
    let cb = wasm_bindgen::closure::Closure::<dyn FnMut(JsValue, JsValue)>::new(
        move |e: JsValue, user: JsValue| {
            record.push(&js_sys::Array::of2(&e, &field(&user, "email")));
        },
    );
    let unsubscribe =
        client.on_auth_state_change(cb.as_ref().unchecked_ref::<js_sys::Function>().clone());
    // Another tab of this origin (another channel of the same name) hands over its tokens.
    let peer = web_sys::BroadcastChannel::new("latchkey:https://peers.example.com").unwrap();
    let now = js_sys::Date::now();
    let tokens = js_sys::JSON::parse(&format!(
        r#"{{"tokens":{{"held":{{"access_token":"peer-token","session_id":"s1",
        "expires_at_ms":{},"refresh_at_ms":{},"csrf_token":null,
        "user":{{"id":"u","organization_id":"o","email":"ann@example.com","username":null,
        "name":null,"email_verified":true,"status":"active","has_password":true,
        "password_change_required":false,"expires_at":null,"created_at":"2026-01-01T00:00:00Z",
        "updated_at":"2026-01-01T00:00:00Z"}}}}}}}}"#,
        now + 600_000.0,
        now + 540_000.0
    ))
    .unwrap();
    peer.post_message(&tokens).unwrap();
    for _ in 0..40 {
        if calls.length() > 0 {
            break;
        }
        sleep(25).await;
    }
    assert_eq!(calls.length(), 1);
    let first = calls.get(0);
    assert_eq!(
        js_sys::Reflect::get_u32(&first, 0)
            .unwrap()
            .as_string()
            .as_deref(),
        Some("SIGNED_IN")
    );
    assert_eq!(
        js_sys::Reflect::get_u32(&first, 1)
            .unwrap()
            .as_string()
            .as_deref(),
        Some("ann@example.com")
    );
    // Its token is used without a request, and its user is known without one.
    assert_eq!(
        client
            .get_access_token()
            .await
            .unwrap()
            .as_string()
            .as_deref(),
        Some("peer-token")
    );
    assert_eq!(
        field(&client.user(), "email").as_string().as_deref(),
        Some("ann@example.com")
    );
    // Unsubscribed: the sign-out that follows is not heard, but still signs this tab out.
    unsubscribe.call0(&JsValue::NULL).unwrap();
    let out = js_sys::JSON::parse(r#"{"signed_out":{"session_id":"s1"}}"#).unwrap();
    peer.post_message(&out).unwrap();
    for _ in 0..40 {
        if client.user().is_null() {
            break;
        }
        sleep(25).await;
    }
    assert!(client.user().is_null());
    assert_eq!(calls.length(), 1);
    // A late copy of the ended session's tokens does not sign it back in.
    peer.post_message(&tokens).unwrap();
    sleep(100).await;
    assert!(client.user().is_null());
    peer.close();
}

#[wasm_bindgen_test]
async fn test_sdk_signed_out_logout_is_quiet() {
    let opts =
        js_sys::JSON::parse(r#"{"baseUrl":"https://auth.example.com","clientId":"listeners"}"#)
            .unwrap();
    let client = latchkey_sdk::Client::new(opts).unwrap();
    // Signed out already: logging out asks nothing of the server.
    let out = client.logout(None).await.unwrap();
    assert_eq!(field(&out, "revoked").as_f64(), Some(0.0));
    assert!(client.user().is_null());
}

#[wasm_bindgen_test]
async fn test_sdk_refuses_malformed_options_before_any_request() {
    let opts =
        js_sys::JSON::parse(r#"{"baseUrl":"https://auth.example.com","clientId":"abc"}"#).unwrap();
    let client = latchkey_sdk::Client::new(opts).unwrap();
    for bad in [r#"{"limit":-1}"#, r#"{"offset":1.5}"#, r#"{"limit":"10"}"#] {
        let o: js_sys::Object = js_sys::JSON::parse(bad).unwrap().unchecked_into();
        let err = client.login_history(Some(o)).await.err().unwrap();
        assert_eq!(
            field(&err, "code").as_string().as_deref(),
            Some("INVALID_OPTIONS"),
            "{bad}"
        );
    }
    let no_password = js_sys::JSON::parse(r#"{"email":"ann@example.com"}"#).unwrap();
    let err = client.sign_up(no_password).await.err().unwrap();
    assert_eq!(
        field(&err, "code").as_string().as_deref(),
        Some("INVALID_OPTIONS")
    );
}

/// The SDK decodes core's types by hand: each must read back exactly what core's serde wrote.
#[wasm_bindgen_test]
fn test_sdk_decoders_read_what_core_serialises() {
    use latchkey_core::api::{ErrorBody, LogoutResponse, TokenResponse, UserView};
    use latchkey_core::browser::token_cache::{Held, TabMessage};
    use latchkey_core::model::UserStatus;
    use latchkey_sdk::decode::FromJs;

    fn round_trip<T: serde::Serialize + FromJs + PartialEq + std::fmt::Debug>(v: T) {
        let js = v
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .unwrap();
        assert_eq!(T::from_js(&js), Some(v));
    }
    let user = UserView {
        id: "u".into(),
        organization_id: "o".into(),
        email: "ann@example.com".into(),
        username: Some("ann".into()),
        name: None,
        email_verified: true,
        phone: Some("+14155550100".into()),
        status: UserStatus::Disabled,
        has_password: true,
        password_change_required: false,
        expires_at: Some("2027-01-01T00:00:00Z".into()),
        created_at: "2026-01-01T00:00:00Z".into(),
        updated_at: "2026-01-02T00:00:00Z".into(),
    };
    round_trip(user.clone());
    let tokens = TokenResponse {
        access_token: "a.b.c".into(),
        token_type: "Bearer".into(),
        expires_in: 600,
        refresh_token: None,
        session_id: "s".into(),
        user: Some(user.clone()),
        csrf_token: Some("c".into()),
        trust_token: Some("t".into()),
        backup_codes: Some(vec!["abcde-fghjk".into(), "01234-56789".into()]),
    };
    round_trip(tokens.clone());
    round_trip(TokenResponse {
        user: None,
        csrf_token: None,
        refresh_token: Some("r".into()),
        trust_token: None,
        backup_codes: None,
        ..tokens.clone()
    });
    let held = Held::from_response(&tokens, 1_795_000_000_000, None);
    round_trip(TabMessage::Tokens {
        held: Box::new(held),
    });
    round_trip(TabMessage::Want);
    round_trip(TabMessage::SignedOut {
        session_id: Some("s".into()),
    });
    round_trip(TabMessage::SignedOut { session_id: None });
    round_trip(LogoutResponse { revoked: 3 });
    round_trip(ErrorBody {
        error_code: "INVALID_CREDENTIALS".into(),
        error_msg: "no".into(),
        request_id: "r".into(),
        change_password_id: Some("p".into()),
        mfa_token: None,
        mfa_methods: None,
        mfa_expires_in: None,
        encoded_authorization_message: None,
    });
    round_trip(ErrorBody {
        error_code: "MFA_REQUIRED".into(),
        error_msg: "second factor".into(),
        request_id: "r".into(),
        change_password_id: None,
        mfa_token: Some("m".into()),
        mfa_methods: Some(vec!["totp".into(), "backup_code".into()]),
        mfa_expires_in: Some(300),
        encoded_authorization_message: None,
    });
    // Wrong shapes are refused, not guessed at.
    for bad in [
        r#"{"access_token":"a","token_type":"Bearer","expires_in":1.5,"session_id":"s"}"#,
        r#"{"access_token":"a","token_type":"Bearer","expires_in":-1,"session_id":"s"}"#,
        r#"{"access_token":7,"token_type":"Bearer","expires_in":1,"session_id":"s"}"#,
        r#"{"access_token":"a","token_type":"Bearer","expires_in":1,"session_id":"s","user":{}}"#,
        r#"[]"#,
    ] {
        let v = js_sys::JSON::parse(bad).unwrap();
        assert_eq!(TokenResponse::from_js(&v), None, "{bad}");
    }
}

/// In wasm, core normalizes with the runtime's `String.prototype.normalize`; the forms must
/// be the ones the native tables give (`core::validate`'s `test_validate_fold_vectors`).
#[wasm_bindgen_test]
fn test_sdk_runtime_normalization_gives_the_native_forms() {
    for (input, folded) in latchkey_core::validate::FOLD_VECTORS {
        assert_eq!(latchkey_core::validate::fold(input), *folded, "{input:?}");
    }
    assert_eq!(
        latchkey_core::validate::name("X", " e\u{301}ric ", 10).unwrap(),
        "\u{e9}ric"
    );
    assert_eq!(
        latchkey_core::validate::email("ＡＬＩＣＥ＠example.com")
            .unwrap()
            .normalized,
        "alice@example.com"
    );
}

/// In wasm, core reads general categories and scripts from the runtime's regular expressions;
/// the answers must be the native tables' (`core::validate`'s `test_validate_identifier_vectors`).
#[wasm_bindgen_test]
fn test_sdk_runtime_unicode_properties_give_the_native_answers() {
    for (input, refused) in latchkey_core::validate::IDENTIFIER_VECTORS {
        let got = latchkey_core::validate::email(input);
        match refused {
            Some(why) => assert!(
                got.as_ref()
                    .is_err_and(|e| e.public_message().contains(why)),
                "{input:?}: {got:?}"
            ),
            None => assert!(got.is_ok(), "{input:?}: {got:?}"),
        }
    }
}

/// In wasm, core's great-circle distance takes sin, cos and asin from the runtime's `Math`;
/// the distances must be the native ones (`core::records::risk`'s `test_risk_distance`).
#[wasm_bindgen_test]
fn test_sdk_runtime_trigonometry_gives_the_native_distances() {
    use latchkey_core::records::risk::{haversine_km, DISTANCE_VECTORS};
    for (a, b, km) in DISTANCE_VECTORS {
        let d = haversine_km(*a, *b);
        assert!((d - km).abs() < 0.5, "{a:?} {b:?}: {d}");
    }
}

/// In wasm, core lower-cases outside ASCII with the runtime's `toLowerCase`; the answers must
/// be std's (`core::validate::case`'s `test_case_vectors_lower_case_as_given`).
#[wasm_bindgen_test]
fn test_sdk_runtime_lower_case_gives_the_native_answers() {
    assert_eq!(latchkey_core::validate::case::case_vectors_mismatch(), None);
}
