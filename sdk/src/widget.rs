//! `<latchkey-login>`: the whole sign-in and sign-up flow as a custom element.
//!
//! Attributes: `client-id` (required), `base-url` (defaults to the page's origin), `mode`
//! (`login` or `signup`). It renders into its own shadow root, so the page's styles cannot break
//! it; pages theme it with CSS custom properties (`--latchkey-accent`, `--latchkey-radius`, ...)
//! and `::part(form|title|label|input|error|status|button|link)`. On success it dispatches
//! `latchkey:login` (`detail: { user, mode, method }`), on failure `latchkey:error` (`detail: {
//! code, message, status }`); both bubble out of shadow roots. Where the application enables
//! passkeys and the browser has them, the login form adds "Sign in with a passkey" (for the
//! identifier typed, if any), offers passkeys in the identifier's autofill, and after a
//! password sign-in offers to create one. The element's logic (texts, checks,
//! wording of errors) is `latchkey_core::browser::login_form`; only the DOM is here.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use latchkey_core::browser::login_form::{check, explain, texts, Field, Mode, Offer};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement, ShadowRoot};

use crate::client::Client;
use crate::error::SdkError;

pub const TAG: &str = "latchkey-login";

// The one piece that cannot be Rust: a class extending HTMLElement. It forwards the element's
// life-cycle to the Rust widget that `make` returns.
#[wasm_bindgen(inline_js = "export function define(tag, make) {
  if (customElements.get(tag)) return;
  customElements.define(tag, class extends HTMLElement {
    static get observedAttributes() { return ['client-id', 'base-url', 'mode']; }
    connectedCallback() { (this.__latchkey ??= make(this)).connected(); }
    attributeChangedCallback() { if (this.isConnected) this.__latchkey?.connected(); }
    disconnectedCallback() { this.__latchkey?.disconnected(); }
  });
}")]
extern "C" {
    fn define(tag: &str, make: &JsValue);
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** `<latchkey-login client-id="…" base-url="…" mode="login|signup">`, defined by `init()`. */
export interface LatchkeyLoginElement extends HTMLElement {}
export interface LatchkeyLoginDetail { user: LatchkeyUser; mode: "login" | "signup"; method: "password" | "passkey" }
export interface LatchkeyErrorDetail { code: string; message: string; status: number }
declare global {
  interface HTMLElementTagNameMap { "latchkey-login": LatchkeyLoginElement }
  interface HTMLElementEventMap {
    "latchkey:login": CustomEvent<LatchkeyLoginDetail>;
    "latchkey:error": CustomEvent<LatchkeyErrorDetail>;
  }
}
"#;

const TEMPLATE: &str = r#"<style>
:host{display:block;max-width:var(--latchkey-width,22rem);font-family:var(--latchkey-font,system-ui,sans-serif);color:var(--latchkey-fg,inherit)}
form{display:grid;gap:.75rem;padding:var(--latchkey-padding,1.25rem);background:var(--latchkey-bg,transparent);border:1px solid var(--latchkey-border,#8886);border-radius:var(--latchkey-radius,.5rem)}
h2{margin:0;font-size:1.25rem}
label{display:grid;gap:.25rem;font-size:.9rem}
input{font:inherit;padding:.5rem;border:1px solid var(--latchkey-border,#8886);border-radius:var(--latchkey-radius,.375rem)}
input[aria-invalid=true]{border-color:var(--latchkey-error,#c0262d)}
button{font:inherit;padding:.55rem;border:0;border-radius:var(--latchkey-radius,.375rem);background:var(--latchkey-accent,#2f5fd0);color:var(--latchkey-accent-fg,#fff);cursor:pointer}
button:disabled{opacity:.6;cursor:default}
button.alt{background:none;color:var(--latchkey-accent,#2f5fd0);border:1px solid var(--latchkey-accent,#2f5fd0)}
button.link{background:none;color:var(--latchkey-accent,#2f5fd0);padding:0;text-decoration:underline}
p{margin:0}
#error{color:var(--latchkey-error,#c0262d);min-height:1.2em}
:focus-visible{outline:2px solid var(--latchkey-accent,#2f5fd0);outline-offset:2px}
[hidden]{display:none!important}
</style>
<form part="form" id="form" novalidate aria-labelledby="title">
<h2 part="title" id="title"></h2>
<label part="label" id="name-row">Name <input part="input" id="name" autocomplete="name"></label>
<label part="label"><span id="login-label"></span> <input part="input" id="login" autocomplete="username" aria-describedby="error" required></label>
<label part="label" id="password-row">Password <input part="input" id="password" type="password" aria-describedby="error" required></label>
<p part="error" id="error" role="alert" aria-live="assertive"></p>
<p part="status" id="status" role="status" aria-live="polite"></p>
<button part="button" id="submit" type="submit"></button>
<button part="button passkey" class="alt" id="passkey" type="button" hidden>Sign in with a passkey</button>
<p id="offer" hidden><button part="link" class="link" id="create-passkey" type="button">Create a passkey to sign in faster next time</button></p>
<p><span id="switch-text"></span> <button part="link" class="link" id="switch" type="button"></button></p>
</form>"#;

/// Defines `<latchkey-login>` (once; called when the module is initialised).
pub fn define_element() {
    let make = Closure::<dyn Fn(HtmlElement) -> JsValue>::new(|host| Widget::new(host).into());
    define(TAG, &make.into_js_value());
}

struct State {
    host: HtmlElement,
    root: ShadowRoot,
    mode: Cell<Mode>,
    /// The client, and the (base URL, client id) it was made for.
    client: RefCell<Option<(String, String, Rc<Client>)>>,
    busy: Cell<bool>,
    /// The ways in the application offers that this form can show.
    offer: Cell<Offer>,
    /// The autofill (conditional) passkey request waiting for the user, to abort before
    /// any other way in starts.
    autofill: RefCell<Option<web_sys::AbortController>>,
}

/// One element's widget (internal: created by the element itself).
#[wasm_bindgen(skip_typescript)]
pub struct Widget {
    state: Option<Rc<State>>,
}

fn el(root: &ShadowRoot, id: &str) -> Option<Element> {
    root.get_element_by_id(id)
}

fn input(root: &ShadowRoot, id: &str) -> Option<HtmlInputElement> {
    el(root, id)?.dyn_into().ok()
}

fn set_text(root: &ShadowRoot, id: &str, text: &str) {
    if let Some(e) = el(root, id) {
        e.set_text_content(Some(text));
    }
}

fn toggle(e: Option<Element>, attr: &str, on: bool) {
    if let Some(e) = e {
        let _ = if on {
            e.set_attribute(attr, "")
        } else {
            e.remove_attribute(attr)
        };
    }
}

fn listen(target: &Element, event: &str, st: &Rc<State>, f: fn(&Rc<State>, web_sys::Event)) {
    let st = st.clone();
    let cb = Closure::<dyn FnMut(web_sys::Event)>::new(move |e| f(&st, e));
    let _ = target.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref());
    // Lives as long as the element's shadow root, which is as long as the page.
    cb.forget();
}

impl State {
    fn render(&self) {
        let mode = self.mode.get();
        let t = texts(mode);
        let r = &self.root;
        set_text(r, "title", t.title);
        set_text(r, "login-label", t.login_label);
        set_text(r, "submit", if self.busy.get() { t.busy } else { t.submit });
        set_text(r, "switch-text", t.switch_prompt);
        set_text(r, "switch", t.switch_action);
        toggle(el(r, "name-row"), "hidden", !t.show_name);
        let offer = self.offer.get();
        let password = offer.password || mode == Mode::SignUp;
        toggle(el(r, "password-row"), "hidden", !password);
        toggle(el(r, "submit"), "hidden", !password);
        toggle(
            el(r, "passkey"),
            "hidden",
            !(offer.passkey && mode == Mode::Login),
        );
        if let Some(i) = input(r, "login") {
            i.set_type(t.login_type);
        }
        if let Some(p) = el(r, "password") {
            let _ = p.set_attribute("autocomplete", t.password_autocomplete);
        }
        // Busy keeps the button focusable (a disabled one would drop the focus); a second
        // submit is ignored while busy.
        toggle(el(r, "submit"), "disabled", !offer.usable(mode));
        if let Some(b) = el(r, "submit") {
            let _ = b.set_attribute(
                "aria-disabled",
                if self.busy.get() { "true" } else { "false" },
            );
        }
        toggle(el(r, "form"), "aria-busy", self.busy.get());
    }

    fn show_error(&self, message: &str, field: Option<Field>) {
        set_text(&self.root, "error", message);
        for (f, id) in [(Field::Login, "login"), (Field::Password, "password")] {
            let Some(i) = input(&self.root, id) else {
                continue;
            };
            if field == Some(f) {
                let _ = i.set_attribute("aria-invalid", "true");
                let _ = i.focus();
            } else {
                let _ = i.remove_attribute("aria-invalid");
            }
        }
    }

    fn dispatch(&self, name: &str, detail: &JsValue) {
        let init = web_sys::CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(detail);
        if let Ok(e) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
            let _ = self.host.dispatch_event(&e);
        }
    }

    fn fail(&self, e: &SdkError) {
        let (message, field) = explain(&e.code);
        self.show_error(message, field);
        let detail = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&detail, &"code".into(), &e.code.as_str().into());
        let _ = js_sys::Reflect::set(&detail, &"message".into(), &e.message.as_str().into());
        let _ = js_sys::Reflect::set(&detail, &"status".into(), &e.status.into());
        self.dispatch("latchkey:error", &detail);
    }

    fn stop_autofill(&self) {
        if let Some(c) = self.autofill.borrow_mut().take() {
            c.abort();
        }
    }

    /// Signed in (`mode` says how the form was used): clears the password, says who, offers a
    /// passkey after a password sign-in, and tells the page.
    fn signed_in(self: &Rc<Self>, user: &JsValue, mode: Mode, by_password: bool) {
        self.stop_autofill();
        if let Some(p) = input(&self.root, "password") {
            p.set_value("");
        }
        let who = js_sys::Reflect::get(user, &"email".into())
            .ok()
            .and_then(|e| e.as_string())
            .unwrap_or_default();
        set_text(&self.root, "status", &format!("Signed in as {who}."));
        let offer = by_password && self.offer.get().offers_passkey_creation(mode);
        toggle(el(&self.root, "offer"), "hidden", !offer);
        let detail = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&detail, &"user".into(), user);
        let _ = js_sys::Reflect::set(&detail, &"mode".into(), &mode.as_str().into());
        let method = if by_password { "password" } else { "passkey" };
        let _ = js_sys::Reflect::set(&detail, &"method".into(), &method.into());
        self.dispatch("latchkey:login", &detail);
    }

    fn client(&self) -> Option<Rc<Client>> {
        self.client.borrow().as_ref().map(|(_, _, c)| c.clone())
    }

    /// Follows the attributes: a new client when `client-id` or `base-url` changed.
    fn sync(self: &Rc<Self>) {
        self.mode
            .set(Mode::parse(self.host.get_attribute("mode").as_deref()));
        let client_id = self.host.get_attribute("client-id").unwrap_or_default();
        // Absent: the client falls back to the page's origin.
        let base_url = self.host.get_attribute("base-url").unwrap_or_default();
        let same =
            matches!(&*self.client.borrow(), Some((b, c, _)) if *b == base_url && *c == client_id);
        if !same {
            *self.client.borrow_mut() = None;
            self.stop_autofill();
            self.offer.set(Offer::default());
            match Client::create(&base_url, client_id.clone()) {
                Ok(c) => {
                    let c = Rc::new(c);
                    *self.client.borrow_mut() = Some((base_url, client_id, c.clone()));
                    let st = self.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let answer = c.config().await;
                        // The attributes changed meanwhile: this answer is for another client.
                        if !st.client().is_some_and(|now| Rc::ptr_eq(&now, &c)) {
                            return;
                        }
                        match answer {
                            Ok(methods) => {
                                let offer = Offer::new(&methods.0, Client::passkeys_supported());
                                st.offer.set(offer);
                                if offer.usable(Mode::Login) {
                                    st.show_error("", None);
                                } else {
                                    st.show_error(
                                        "This application offers no way in that this form can show yet.",
                                        None,
                                    );
                                }
                                if offer.passkey {
                                    start_autofill(&st, &c);
                                }
                            }
                            Err(e) => st.fail(&e),
                        }
                        st.render();
                    });
                }
                Err(_) => self.show_error("This sign-in form is missing its client-id.", None),
            }
        }
        self.render();
    }
}

fn on_switch(st: &Rc<State>, _e: web_sys::Event) {
    st.mode.set(st.mode.get().other());
    st.show_error("", None);
    st.render();
}

fn on_submit(st: &Rc<State>, e: web_sys::Event) {
    e.prevent_default();
    let (Some(client), false) = (st.client(), st.busy.get()) else {
        return;
    };
    let value = |id| input(&st.root, id).map(|i| i.value()).unwrap_or_default();
    let (login, password, name) = (value("login"), value("password"), value("name"));
    let mode = st.mode.get();
    if let Err((field, message)) = check(mode, &login, &password) {
        st.show_error(message, Some(field));
        return;
    }
    st.show_error("", None);
    set_text(&st.root, "status", "");
    st.stop_autofill();
    st.busy.set(true);
    st.render();
    let st = st.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let login = login.trim().to_owned();
        let result = match mode {
            Mode::Login => client.login(login, password).await,
            Mode::SignUp => {
                let name = Some(name.trim().to_owned()).filter(|n| !n.is_empty());
                client.register(login, password, name).await
            }
        };
        st.busy.set(false);
        st.render();
        match result {
            Ok(user) => st.signed_in(&user, mode, true),
            Err(e) => st.fail(&e),
        }
    });
}

/// Offers the user's passkeys in the identifier field's autofill, where the browser can: the
/// request waits until the user picks one, or until another way in aborts it.
fn start_autofill(st: &Rc<State>, client: &Rc<Client>) {
    let (st, client) = (st.clone(), client.clone());
    wasm_bindgen_futures::spawn_local(async move {
        if !Client::passkey_autofill_supported().await {
            return;
        }
        let Ok(controller) = web_sys::AbortController::new() else {
            return;
        };
        if let Some(i) = input(&st.root, "login") {
            let _ = i.set_attribute("autocomplete", "username webauthn");
        }
        let options = crate::passkeys::object(&[
            ("conditional", &JsValue::TRUE),
            ("signal", &controller.signal()),
        ]);
        st.stop_autofill();
        *st.autofill.borrow_mut() = Some(controller);
        match client.passkey_login(options).await {
            Ok(user) => st.signed_in(&user, Mode::Login, false),
            // Aborted for another way in: nothing to say.
            Err(e) if e.code == "PASSKEY_CANCELLED" => {}
            Err(e) => st.fail(&e),
        }
    });
}

/// "Sign in with a passkey": the modal request, for the identifier typed if any.
fn on_passkey(st: &Rc<State>, _e: web_sys::Event) {
    let (Some(client), false) = (st.client(), st.busy.get()) else {
        return;
    };
    st.stop_autofill();
    st.show_error("", None);
    set_text(&st.root, "status", "");
    st.busy.set(true);
    st.render();
    let login = input(&st.root, "login")
        .map(|i| i.value().trim().to_owned())
        .filter(|l| !l.is_empty());
    let st = st.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let login = login.map_or(JsValue::UNDEFINED, JsValue::from);
        let result = client
            .passkey_login(crate::passkeys::object(&[("loginId", &login)]))
            .await;
        st.busy.set(false);
        st.render();
        match result {
            Ok(user) => st.signed_in(&user, Mode::Login, false),
            Err(e) => st.fail(&e),
        }
    });
}

/// After a password sign-in: creates a passkey for the signed-in user.
fn on_create_passkey(st: &Rc<State>, _e: web_sys::Event) {
    let (Some(client), false) = (st.client(), st.busy.get()) else {
        return;
    };
    st.busy.set(true);
    let st = st.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let result = client.passkey_register(None).await;
        st.busy.set(false);
        match result {
            Ok(_) => {
                toggle(el(&st.root, "offer"), "hidden", true);
                set_text(
                    &st.root,
                    "status",
                    "Passkey created: next time, sign in with it.",
                );
            }
            Err(e) => st.fail(&e),
        }
    });
}

impl Widget {
    fn new(host: HtmlElement) -> Widget {
        let init = web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open);
        // A host that already has a shadow root (re-attached) keeps it; one that cannot have
        // one (should not happen for a custom element) gets an inert widget.
        let Some(root) = host
            .shadow_root()
            .or_else(|| host.attach_shadow(&init).ok())
        else {
            return Widget { state: None };
        };
        root.set_inner_html(TEMPLATE);
        let state = Rc::new(State {
            host,
            root,
            mode: Cell::new(Mode::Login),
            client: RefCell::new(None),
            busy: Cell::new(false),
            offer: Cell::new(Offer::default()),
            autofill: RefCell::new(None),
        });
        if let Some(form) = el(&state.root, "form") {
            listen(&form, "submit", &state, on_submit);
        }
        if let Some(switch) = el(&state.root, "switch") {
            listen(&switch, "click", &state, on_switch);
        }
        if let Some(b) = el(&state.root, "passkey") {
            listen(&b, "click", &state, on_passkey);
        }
        if let Some(b) = el(&state.root, "create-passkey") {
            listen(&b, "click", &state, on_create_passkey);
        }
        Widget { state: Some(state) }
    }
}

#[wasm_bindgen]
impl Widget {
    /// The element was attached, or one of its attributes changed.
    pub fn connected(&self) {
        if let Some(s) = &self.state {
            s.sync();
        }
    }

    /// The element left the document: its client goes (closing its channel and locks); one is
    /// made again if it comes back.
    pub fn disconnected(&self) {
        if let Some(s) = &self.state {
            *s.client.borrow_mut() = None;
            s.stop_autofill();
            s.offer.set(Offer::default());
        }
    }
}
