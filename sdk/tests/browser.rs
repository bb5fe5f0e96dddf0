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
    // Every field sits inside its label; errors are announced.
    for id in ["login", "password", "name"] {
        let input = q(&format!("#{id}")).unwrap();
        assert!(input.closest("label").unwrap().is_some(), "{id}");
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
        wasm_bindgen_futures::JsFuture::from(js_sys::Promise::new(&mut |r, _| {
            web_sys::window()
                .unwrap()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&r, 50)
                .unwrap();
        }))
        .await
        .unwrap();
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

#[wasm_bindgen_test]
async fn test_sdk_auth_state_listeners_unsubscribe_and_signed_out_logout_is_quiet() {
    let opts =
        js_sys::JSON::parse(r#"{"baseUrl":"https://auth.example.com","clientId":"listeners"}"#)
            .unwrap();
    let client = latchkey_sdk::Client::new(opts).unwrap();
    let calls = js_sys::Array::new();
    let record = calls.clone();
    let cb = wasm_bindgen::closure::Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        record.push(&e);
    });
    let unsubscribe =
        client.on_auth_state_change(cb.as_ref().unchecked_ref::<js_sys::Function>().clone());
    assert!(unsubscribe.is_function());
    // Signed out already: logging out asks nothing of the server and changes no state.
    let out = client.logout(JsValue::UNDEFINED).await.unwrap();
    assert_eq!(field(&out, "revoked").as_f64(), Some(0.0));
    assert_eq!(calls.length(), 0);
    assert!(client.user().is_null());
    unsubscribe.call0(&JsValue::NULL).unwrap();
}
