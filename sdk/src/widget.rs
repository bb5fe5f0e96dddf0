//! `<latchkey-login>`: the whole sign-in and sign-up flow as a custom element.
//!
//! Attributes: `client-id` (required), `base-url` (defaults to the page's origin), `mode`
//! (`login` or `signup`), `redirect-url`, `login-hint` (the address or username to start
//! with, as an OpenID Connect `login_hint`), `theme` (`light`, `dark`, or `auto` to follow the
//! system), `lang` (`en`, `fr`, `de`, `es`; else the page's language, else the browser's) and
//! `texts` (a JSON object of the page's own words by key, `latchkey_core::browser::i18n`). A `slot="logo"` child is shown above the title, and the application's name below
//! it. It renders into its own shadow root, so the page's styles cannot break it; pages
//! theme it with CSS custom properties (`--latchkey-accent`, `--latchkey-accent-fg`,
//! `--latchkey-input-bg`, ...) and
//! `::part(form|title|subtitle|label|input|error|status|button|retry|link)`. On success it dispatches
//! `latchkey:login` (`detail: { user, mode, method }`), on failure `latchkey:error` (`detail: {
//! code, message, status }`); both bubble out of shadow roots. Where the application enables
//! passkeys and the browser has them, the login form adds "Sign in with a passkey" (for the
//! identifier typed, if any), offers passkeys in the identifier's autofill, and after a
//! password sign-in offers to create one. A user with MFA then gets the code step (an
//! authenticator app's code or a backup code, and "don't ask again on this device"); where
//! the application requires MFA and the user has none, the widget sets up an authenticator
//! (QR code, key, first code) and shows the backup codes once. The element's logic (texts, checks,
//! wording of errors) is `latchkey_core::browser::login_form`; only the DOM is here.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use latchkey_core::browser::i18n::Catalog;
use latchkey_core::browser::login_form::{
    check, check_address, check_code, check_email_code, check_new_password, check_phone, explain,
    is_setup_error, texts, Field, Mode, Offer,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement, ShadowRoot};

use crate::client::Client;
use crate::element::{apply_texts, catalog, define, el, set_text, toggle};
use crate::error::SdkError;

pub const TAG: &str = "latchkey-login";

/// The `method` of a `latchkey:login` for a session the browser already had (with
/// `resumed: true`).
const RESUMED: &str = "session";

#[wasm_bindgen(inline_js = "export function audience(token) {
  try {
    const p = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const aud = JSON.parse(atob(p + '='.repeat((4 - (p.length % 4)) % 4))).aud;
    return typeof aud === 'string' ? aud : undefined;
  } catch { return undefined; }
}")]
extern "C" {
    /// The audience (`aud`, the application's client id) an access token names, read without
    /// checking it (the server checks tokens): whether a session found on load is this
    /// element's application's. The browser's own base64 and JSON, which cost the `.wasm`
    /// nothing.
    fn audience(token: &str) -> Option<String>;
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** `<latchkey-login client-id="…" base-url="…" mode="login|signup" redirect-url="…" login-hint="…" theme="light|dark|auto" lang="en|fr|de|es" texts='{"login.title":"…"}'>`, defined by `init()`. */
export interface LatchkeyLoginElement extends HTMLElement {}
export interface LatchkeyLoginDetail { user: LatchkeyUser; mode: "login" | "signup"; method: "password" | "passkey" | "sso" | string }
export interface LatchkeyErrorDetail { code: string; message: string; status: number }
declare global {
  interface HTMLElementTagNameMap { "latchkey-login": LatchkeyLoginElement }
  interface HTMLElementEventMap {
    "latchkey:login": CustomEvent<LatchkeyLoginDetail>;
    "latchkey:error": CustomEvent<LatchkeyErrorDetail>;
  }
}
"#;

// Every default pair of colours reaches 4.5:1 (WCAG AA for text; input borders 3:1 or more),
// in both themes; every target is at least 24 px high.
const TEMPLATE: &str = concat!(
    "<style>\n",
    themed_host!("display:block;max-width:var(--latchkey-width,22rem);font-family:var(--latchkey-font,system-ui,sans-serif);color:var(--lk-fg)"),
    r#"form{display:grid;gap:.75rem;padding:var(--latchkey-padding,1.25rem);background:var(--lk-bg);border:1px solid var(--lk-border);border-radius:var(--latchkey-radius,.5rem)}
h2{margin:0;font-size:1.25rem}
hgroup{margin:0}
#app-name{font-size:.9rem}
::slotted([slot=logo]){display:block;max-width:100%;max-height:3rem;justify-self:start}
label,.row{display:grid;gap:.25rem;font-size:.9rem}
input{font:inherit;box-sizing:border-box;min-height:2.75rem;padding:.5rem;background:var(--lk-input-bg);color:var(--lk-input-fg);border:1px solid var(--lk-border);border-radius:var(--latchkey-radius,.375rem)}
input[type=checkbox]{min-height:0;width:1.5rem;height:1.5rem;margin:0;accent-color:var(--lk-accent)}
input[aria-invalid=true]{border-color:var(--lk-error)}
button{font:inherit;min-height:2.75rem;padding:.55rem;border:0;border-radius:var(--latchkey-radius,.375rem);background:var(--lk-accent);color:var(--lk-accent-fg);cursor:pointer}
button:disabled{opacity:.6;cursor:default}
button.alt{background:none;color:var(--lk-accent);border:1px solid var(--lk-accent)}
button.link{background:none;color:var(--lk-accent);min-height:1.5rem;padding:0 .125rem;text-decoration:underline}
.reveal{justify-self:end;font-size:.85rem}
p{margin:0}
#error{color:var(--lk-error);min-height:1.2em}
#done:not([hidden])~#error:empty{display:none}
:focus-visible{outline:2px solid var(--lk-accent);outline-offset:2px}
#mfa,#emailed,#done,#sso{display:grid;gap:.75rem}
#trust-row{display:flex;gap:.5rem;align-items:center;min-height:1.5rem}
#secret{font-family:ui-monospace,monospace;word-spacing:.2em}
#codes{margin:0;padding-left:1.25rem;font-family:ui-monospace,monospace;columns:2}
[hidden]{display:none!important}
</style>
<form part="form" id="form" novalidate aria-labelledby="title">
<slot name="logo"></slot>
<hgroup><h2 part="title" id="title"></h2><p part="subtitle" id="app-name" hidden></p></hgroup>
<label part="label" id="name-row"><span data-t="field.name"></span> <input part="input" id="name" autocomplete="name"></label>
<label part="label" id="login-row"><span id="login-label"></span> <input part="input" id="login" autocomplete="username" autocapitalize="none" autocorrect="off" spellcheck="false" aria-describedby="error" required></label>
<div class="row" id="password-row"><label part="label" for="password" data-t="field.password"></label><input part="input" id="password" type="password" aria-describedby="error" required><button part="link" class="link reveal" id="reveal" type="button" aria-controls="password" data-t="password.show"></button></div>
<div id="mfa" role="group" aria-labelledby="mfa-prompt" hidden>
<p id="mfa-prompt"></p>
<img id="qr" alt="" data-t-alt="mfa.qr_alt" width="180" height="180" hidden>
<p id="secret-row" hidden><span data-t="mfa.type_key"></span> <code id="secret"></code></p>
<label part="label"><span id="code-label"></span> <input part="input" id="code" autocomplete="one-time-code" aria-describedby="error"></label>
<label part="label" id="trust-row"><input type="checkbox" id="trust"> <span data-t="mfa.trust"></span></label>
<p><button part="link" class="link" id="use-backup" type="button"></button></p>
</div>
<div id="emailed" role="group" aria-labelledby="emailed-prompt" hidden>
<p id="emailed-prompt"></p>
<label part="label" id="emailed-code-row"><span data-t="field.email_code"></span> <input part="input" id="emailed-code" inputmode="numeric" autocomplete="one-time-code" maxlength="7" aria-describedby="error"></label>
<p><button part="link" class="link" id="resend" type="button"></button></p>
<p><button part="link" class="link" id="back" type="button" data-t="back"></button></p>
</div>
<div id="change" class="row" hidden>
<p id="change-prompt" data-t="change.prompt"></p>
<label part="label" for="new-password" data-t="field.new_password"></label><input part="input" id="new-password" type="password" autocomplete="new-password" aria-describedby="change-prompt error">
<p><button part="link" class="link" id="change-back" type="button" data-t="back"></button></p>
</div>
<p id="codes-row" data-t="mfa.save_codes" hidden></p>
<ul id="codes" hidden></ul>
<div id="done" hidden>
<p id="done-who"></p>
<button part="button continue" id="continue" type="button" data-t="done.continue"></button>
<button part="button sign-out" class="alt" id="sign-out" type="button" data-t="sign_out"></button>
</div>
<p part="error" id="error" role="alert" aria-live="assertive"></p>
<p part="status" id="status" role="status" aria-live="polite"></p>
<button part="button retry" class="alt" id="retry" type="button" data-t="retry" hidden></button>
<button part="button" id="submit" type="submit"></button>
<button part="button passkey" class="alt" id="passkey" type="button" data-t="passkey.sign_in" hidden></button>
<button part="button email-code" class="alt" id="email-code" type="button" data-t="send.email_code" hidden></button>
<button part="button magic-link" class="alt" id="magic-link" type="button" data-t="send.magic_link" hidden></button>
<button part="button sms-code" class="alt" id="sms-code" type="button" data-t="send.sms_code" hidden></button>
<div id="sso" hidden></div>
<button part="button sso-email" class="alt" id="sso-email" type="button" data-t="sso.email" hidden></button>
<p id="offer" hidden><button part="link" class="link" id="create-passkey" type="button" data-t="passkey.offer"></button></p>
<p id="forgot-row" hidden><button part="link" class="link" id="forgot" type="button" data-t="forgot"></button></p>
<p id="switch-row"><span id="switch-text"></span> <button part="link" class="link" id="switch" type="button"></button></p>
</form>"#
);

/// Defines `<latchkey-login>` (once; called when the module is initialised).
pub fn define_element() {
    let make = Closure::<dyn Fn(HtmlElement) -> JsValue>::new(|host| Widget::new(host).into());
    let observed = [
        "client-id",
        "base-url",
        "mode",
        "lang",
        "texts",
        "login-hint",
    ]
    .map(JsValue::from)
    .to_vec();
    define(TAG, observed, &make.into_js_value());
}

struct State {
    host: HtmlElement,
    root: ShadowRoot,
    mode: Cell<Mode>,
    /// The client, and the (base URL, client id) it was made for.
    client: RefCell<Option<(String, String, Rc<Client>)>>,
    busy: Cell<bool>,
    /// The application's ways in are being fetched.
    loading: Cell<bool>,
    /// The ways in the application offers that this form can show.
    offer: Cell<Offer>,
    /// The autofill (conditional) passkey request waiting for the user, to abort before
    /// any other way in starts.
    autofill: RefCell<Option<web_sys::AbortController>>,
    /// The second step, once the first factor was accepted.
    step: Cell<Step>,
    /// The authenticator being set up, when the application requires MFA and the user had none.
    enrolling: RefCell<Option<String>>,
    /// The first factor (`password`, `passkey`, `magic_code`, `magic_link`), for the
    /// `latchkey:login` event.
    method: Cell<&'static str>,
    /// The one-time id of a required password change.
    change_id: RefCell<String>,
    /// The address a code or link was sent to.
    emailed_to: RefCell<String>,
    /// Seconds before another code or link may be asked for.
    resend_in: Cell<u32>,
    /// The application's name, once its settings came.
    app_name: RefCell<String>,
    /// The words, in the element's language.
    texts: RefCell<Catalog>,
    /// The application's social connections: (id, button words).
    connections: RefCell<Vec<(String, String)>>,
}

/// Where the form is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Identifier and password (or a passkey).
    Credentials,
    /// A code from the authenticator app.
    Code,
    /// One of the backup codes.
    Backup,
    /// A code sent by email.
    EmailCode,
    /// A code sent by SMS.
    SmsCode,
    /// A link sent by email: waiting for it to be opened.
    LinkSent,
    /// A password reset link sent by email.
    ResetSent,
    /// The password was right, but the account must choose a new one first.
    ChangePassword,
    /// Signed in (just now, or a session this browser already had): continue or sign out.
    SignedIn,
}

impl Step {
    /// The second factor's steps (after a first factor was accepted).
    fn second(self) -> bool {
        matches!(self, Step::Code | Step::Backup)
    }

    /// The steps of a code or link sent by email.
    fn emailed(self) -> bool {
        matches!(
            self,
            Step::EmailCode | Step::SmsCode | Step::LinkSent | Step::ResetSent
        )
    }
}

/// One element's widget (internal: created by the element itself).
#[wasm_bindgen(skip_typescript)]
pub struct Widget {
    state: Option<Rc<State>>,
}

fn input(root: &ShadowRoot, id: &str) -> Option<HtmlInputElement> {
    el(root, id)?.dyn_into().ok()
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
        let tx = self.texts.borrow();
        let r = &self.root;
        let step = self.step.get();
        let emailed = step.emailed();
        let done = step == Step::SignedIn;
        let changing = step == Step::ChangePassword;
        // Past the first step: the identifier, password and other ways in are put away.
        let second = step.second() || emailed || done || changing;
        set_text(
            r,
            "title",
            tx.get(match step {
                Step::Code | Step::Backup => "step.mfa",
                Step::EmailCode | Step::SmsCode => "step.code",
                Step::LinkSent | Step::ResetSent => "step.check_email",
                Step::SignedIn => "step.signed_in",
                Step::ChangePassword => "step.change",
                Step::Credentials => t.title,
            }),
        );
        set_text(r, "login-label", tx.get(t.login_label));
        let (submit, busy) = if changing {
            ("change.submit", "change.busy")
        } else if second {
            ("verify.submit", "verify.busy")
        } else {
            (t.submit, t.busy)
        };
        let to = self.emailed_to.borrow().clone();
        set_text(
            r,
            "emailed-prompt",
            &match step {
                Step::EmailCode => tx.fill("sent.email_code", &[("to", &to)]),
                Step::SmsCode => tx.fill("sent.sms_code", &[("to", &to)]),
                Step::LinkSent => tx.fill("sent.magic_link", &[("to", &to)]),
                Step::ResetSent => tx.fill("sent.reset", &[("to", &to)]),
                _ => String::new(),
            },
        );
        toggle(el(r, "emailed"), "hidden", !emailed);
        toggle(
            el(r, "emailed-code-row"),
            "hidden",
            !matches!(step, Step::EmailCode | Step::SmsCode),
        );
        let wait = self.resend_in.get();
        set_text(
            r,
            "resend",
            &if wait > 0 {
                tx.fill("resend.wait", &[("wait", &wait.to_string())])
            } else if matches!(step, Step::LinkSent | Step::ResetSent) {
                tx.get("resend.link").to_owned()
            } else {
                tx.get("resend.code").to_owned()
            },
        );
        toggle(el(r, "resend"), "disabled", wait > 0 || self.busy.get());
        let login_mode = mode == Mode::Login;
        let offer_now = self.offer.get();
        toggle(
            el(r, "email-code"),
            "hidden",
            !(offer_now.email_code && login_mode) || second,
        );
        toggle(
            el(r, "magic-link"),
            "hidden",
            !(offer_now.magic_link && login_mode) || second,
        );
        toggle(
            el(r, "sms-code"),
            "hidden",
            !(offer_now.sms_code && login_mode) || second,
        );
        toggle(
            el(r, "sso"),
            "hidden",
            !(offer_now.sso && login_mode) || second,
        );
        toggle(
            el(r, "sso-email"),
            "hidden",
            !(offer_now.sso_domains && login_mode) || second,
        );
        for (id, name) in self.connections.borrow().iter() {
            let words = tx.fill("sso.continue_with", &[("name", name)]);
            if let Ok(Some(b)) = r.query_selector(&format!("#sso-{id}")) {
                b.set_text_content(Some(&words));
            }
        }
        set_text(
            r,
            "submit",
            tx.get(if self.busy.get() { busy } else { submit }),
        );
        set_text(r, "switch-text", tx.get(t.switch_prompt));
        set_text(r, "switch", tx.get(t.switch_action));
        let app = self.app_name.borrow();
        set_text(
            r,
            "app-name",
            &if app.is_empty() {
                String::new()
            } else {
                tx.fill("app.continue_to", &[("name", &app)])
            },
        );
        toggle(el(r, "name-row"), "hidden", !t.show_name || second);
        let offer = self.offer.get();
        let password = offer.password || mode == Mode::SignUp;
        toggle(el(r, "login-row"), "hidden", second);
        toggle(el(r, "password-row"), "hidden", !password || second);
        toggle(
            el(r, "submit"),
            "hidden",
            (!password && !second) || matches!(step, Step::LinkSent | Step::ResetSent) || done,
        );
        toggle(el(r, "done"), "hidden", !done);
        toggle(el(r, "app-name"), "hidden", done || app.is_empty());
        toggle(el(r, "change"), "hidden", !changing);
        toggle(
            el(r, "forgot-row"),
            "hidden",
            !(offer_now.password && login_mode) || second,
        );
        toggle(
            el(r, "passkey"),
            "hidden",
            !(offer.passkey && mode == Mode::Login) || second,
        );
        toggle(
            el(r, "switch-row"),
            "hidden",
            second || !offer.offers_switch(mode),
        );
        toggle(el(r, "mfa"), "hidden", !step.second());
        let enrolling = self.enrolling.borrow().is_some();
        let backup = step == Step::Backup;
        set_text(
            r,
            "mfa-prompt",
            tx.get(if enrolling {
                "mfa.enroll_prompt"
            } else if backup {
                "mfa.backup_prompt"
            } else {
                "mfa.code_prompt"
            }),
        );
        set_text(
            r,
            "code-label",
            tx.get(if backup {
                "mfa.backup_label"
            } else {
                "mfa.code_label"
            }),
        );
        set_text(
            r,
            "use-backup",
            tx.get(if backup {
                "mfa.use_app"
            } else {
                "mfa.use_backup"
            }),
        );
        toggle(el(r, "use-backup"), "hidden", enrolling);
        toggle(el(r, "trust-row"), "hidden", enrolling);
        if let Some(i) = input(r, "code") {
            let _ = i.set_attribute("inputmode", if backup { "text" } else { "numeric" });
            let _ = i.set_attribute("autocomplete", if backup { "off" } else { "one-time-code" });
            let _ = i.set_attribute("maxlength", if backup { "11" } else { "6" });
        }
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
        toggle(
            el(r, "form"),
            "aria-busy",
            self.busy.get() || self.loading.get(),
        );
    }

    /// Shows the text of `key` as the error (see [`State::show_error`]).
    fn say_error(&self, key: &str, field: Option<Field>) {
        // Copied out: `show_error` moves the focus, and a page's focus handler may change
        // `lang` or `texts`, which replaces the catalog.
        let text = self.texts.borrow().get(key).to_owned();
        self.show_error(&text, field);
    }

    /// The text of `key`, in the element's language.
    fn say(&self, id: &str, key: &str) {
        let text = self.texts.borrow().get(key).to_owned();
        set_text(&self.root, id, &text);
    }

    fn show_error(&self, message: &str, field: Option<Field>) {
        set_text(&self.root, "error", message);
        if message.is_empty() {
            toggle(el(&self.root, "retry"), "hidden", true);
        }
        let code_field = if matches!(self.step.get(), Step::EmailCode | Step::SmsCode) {
            "emailed-code"
        } else {
            "code"
        };
        let password_field = if self.step.get() == Step::ChangePassword {
            "new-password"
        } else {
            "password"
        };
        for (f, id) in [
            (Field::Login, "login"),
            (Field::Password, password_field),
            (Field::Code, code_field),
        ] {
            let Some(i) = input(&self.root, id) else {
                continue;
            };
            if field == Some(f) {
                let _ = i.set_attribute("aria-invalid", "true");
                let _ = i.focus();
                // What was typed is selected: the next keystroke replaces it.
                i.select();
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
        if is_setup_error(&e.code) {
            web_sys::console::warn_1(
                &format!("<latchkey-login>: {}: {}", e.code, e.message).into(),
            );
        }
        let (key, field) = explain(&e.code);
        self.say_error(key, field);
        let detail = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&detail, &"code".into(), &e.code.as_str().into());
        let _ = js_sys::Reflect::set(&detail, &"message".into(), &e.message.as_str().into());
        let _ = js_sys::Reflect::set(&detail, &"status".into(), &e.status.into());
        self.dispatch("latchkey:error", &detail);
    }

    /// Shows the password as text, or hides it again.
    fn reveal_password(&self, shown: bool) {
        if let Some(p) = input(&self.root, "password") {
            p.set_type(if shown { "text" } else { "password" });
        }
        self.say(
            "reveal",
            if shown {
                "password.hide"
            } else {
                "password.show"
            },
        );
    }

    fn stop_autofill(&self) {
        if let Some(c) = self.autofill.borrow_mut().take() {
            c.abort();
        }
    }

    /// Signed in (`mode` says how the form was used): clears the password, says who, offers a
    /// passkey after a password sign-in, and tells the page.
    fn signed_in(self: &Rc<Self>, user: &JsValue, mode: Mode, method: &'static str) {
        let by_password = method == "password";
        self.stop_autofill();
        if let Some(p) = input(&self.root, "password") {
            p.set_value("");
        }
        self.reveal_password(false);
        let who = js_sys::Reflect::get(user, &"email".into())
            .ok()
            .and_then(|e| e.as_string())
            .unwrap_or_default();
        self.step.set(Step::SignedIn);
        set_text(&self.root, "status", "");
        let said = self.texts.borrow().fill("done.who", &[("who", &who)]);
        set_text(&self.root, "done-who", &said);
        self.render();
        let offer = by_password && self.offer.get().offers_passkey_creation(mode);
        toggle(el(&self.root, "offer"), "hidden", !offer);
        let detail = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&detail, &"user".into(), user);
        let _ = js_sys::Reflect::set(&detail, &"mode".into(), &mode.as_str().into());
        let _ = js_sys::Reflect::set(&detail, &"method".into(), &method.into());
        if method == RESUMED {
            let _ = js_sys::Reflect::set(&detail, &"resumed".into(), &JsValue::TRUE);
        }
        self.dispatch("latchkey:login", &detail);
        link_waiting(self);
    }

    /// A first factor's answer: the user, or the second step it asks for.
    fn after_first_factor(self: &Rc<Self>, answer: &JsValue, mode: Mode, method: &'static str) {
        let mfa = js_sys::Reflect::get(answer, &"mfa_required".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if !mfa {
            self.reset_step();
            self.render();
            self.signed_in(answer, mode, method);
            return;
        }
        self.stop_autofill();
        // A required change, if one led here, is done: its id and new password go.
        self.change_id.borrow_mut().clear();
        if let Some(i) = input(&self.root, "new-password") {
            i.set_value("");
        }
        self.method.set(method);
        self.step.set(Step::Code);
        let enroll = js_sys::Reflect::get(answer, &"enrollment_required".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if enroll {
            self.start_enrolling();
        }
        self.render();
        if let Some(i) = input(&self.root, "code") {
            i.set_value("");
            let _ = i.focus();
        }
    }

    /// The application requires MFA and the user has none: set one up, here and now.
    fn start_enrolling(self: &Rc<Self>) {
        let Some(client) = self.client() else {
            return;
        };
        let st = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match client.start_enrollment().await {
                Ok(e) => {
                    let field = |k: &str| {
                        js_sys::Reflect::get(&e, &k.into())
                            .ok()
                            .and_then(|v| v.as_string())
                            .unwrap_or_default()
                    };
                    *st.enrolling.borrow_mut() = Some(field("id"));
                    // An image, not markup: nothing in it can run.
                    let src = format!(
                        "data:image/svg+xml,{}",
                        String::from(js_sys::encode_uri_component(&field("qr_svg")))
                    );
                    if let Some(img) = el(&st.root, "qr") {
                        let _ = img.set_attribute("src", &src);
                        let _ = img.remove_attribute("hidden");
                    }
                    // In groups of four, as apps that take it typed accept it.
                    let key = field("secret");
                    let grouped: Vec<&str> = key
                        .as_bytes()
                        .chunks(4)
                        .filter_map(|c| std::str::from_utf8(c).ok())
                        .collect();
                    set_text(&st.root, "secret", &grouped.join(" "));
                    toggle(el(&st.root, "secret-row"), "hidden", false);
                    st.render();
                }
                Err(e) => st.fail(&e),
            }
        });
    }

    /// Back to the first step (after a success, or when the second step's token is spent).
    fn reset_step(&self) {
        if self.step.get() == Step::LinkSent {
            // The wait for the link ends with this step.
            if let Some(c) = self.client() {
                c.set_magic_link(None);
            }
        }
        self.step.set(Step::Credentials);
        if let Some(i) = input(&self.root, "emailed-code") {
            i.set_value("");
        }
        *self.enrolling.borrow_mut() = None;
        toggle(el(&self.root, "qr"), "hidden", true);
        toggle(el(&self.root, "secret-row"), "hidden", true);
        if let Some(i) = input(&self.root, "code") {
            i.set_value("");
        }
        if let Some(i) = input(&self.root, "new-password") {
            i.set_value("");
        }
        self.change_id.borrow_mut().clear();
    }

    /// A login answered `PASSWORD_CHANGE_REQUIRED`: the form asks for the new password.
    fn start_password_change(&self, id: String) {
        self.stop_autofill();
        *self.change_id.borrow_mut() = id;
        if let Some(p) = input(&self.root, "password") {
            p.set_value("");
        }
        self.reveal_password(false);
        self.step.set(Step::ChangePassword);
        self.show_error("", None);
        self.render();
        if let Some(i) = input(&self.root, "new-password") {
            let _ = i.focus();
        }
    }

    /// Shows backup codes the server issued at this sign-in (once).
    fn show_backup_codes(&self, codes: &JsValue) {
        let Some(list) = el(&self.root, "codes") else {
            return;
        };
        list.set_text_content(None);
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let codes: js_sys::Array = codes.clone().unchecked_into();
        for c in codes.iter() {
            if let Ok(li) = doc.create_element("li") {
                li.set_text_content(c.as_string().as_deref());
                let _ = list.append_child(&li);
            }
        }
        let any = codes.length() > 0;
        toggle(Some(list), "hidden", !any);
        toggle(el(&self.root, "codes-row"), "hidden", !any);
    }

    /// One "Continue with …" button per social connection (ids are the server's uuids; the
    /// words come in `render`).
    fn draw_connections(&self, connections: Vec<(String, String)>) {
        let Some(list) = el(&self.root, "sso") else {
            return;
        };
        list.set_inner_html("");
        let doc = self.root.owner_document();
        for (id, _) in &connections {
            if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                continue;
            }
            let Some(b) = doc.as_ref().and_then(|d| d.create_element("button").ok()) else {
                continue;
            };
            let _ = b.set_attribute("id", &format!("sso-{id}"));
            let _ = b.set_attribute("type", "button");
            let _ = b.set_attribute("class", "alt");
            let _ = b.set_attribute("part", "button sso");
            let _ = b.set_attribute("data-connection", id);
            let _ = list.append_child(&b);
        }
        *self.connections.borrow_mut() = connections;
    }

    fn client(&self) -> Option<Rc<Client>> {
        self.client.borrow().as_ref().map(|(_, _, c)| c.clone())
    }

    /// Follows the attributes: a new client when `client-id` or `base-url` changed.
    fn sync(self: &Rc<Self>) {
        let texts = catalog(&self.host, TAG);
        if texts != *self.texts.borrow() {
            apply_texts(&self.root, "form", &texts);
            *self.texts.borrow_mut() = texts;
            // The words that depend on the state follow in `render`.
            let shown = input(&self.root, "password").is_some_and(|p| p.type_() == "text");
            self.reveal_password(shown);
        }
        self.mode
            .set(Mode::parse(self.host.get_attribute("mode").as_deref()));
        // The identifier to start with, where the person has typed nothing yet.
        if let (Some(hint), Some(login)) = (
            self.host.get_attribute("login-hint"),
            input(&self.root, "login"),
        ) {
            if login.value().is_empty() && self.step.get() == Step::Credentials {
                login.set_value(hint.trim());
            }
        }
        let client_id = self.host.get_attribute("client-id").unwrap_or_default();
        // Absent: the client falls back to the page's origin.
        let base_url = self.host.get_attribute("base-url").unwrap_or_default();
        let same =
            matches!(&*self.client.borrow(), Some((b, c, _)) if *b == base_url && *c == client_id);
        if !same {
            *self.client.borrow_mut() = None;
            self.stop_autofill();
            self.offer.set(Offer::default());
            self.loading.set(false);
            self.app_name.borrow_mut().clear();
            // An error, or a signed-in state, of the old attributes is stale now.
            self.show_error("", None);
            // So is any step past the first (a code, a change id): it was another client's.
            if self.step.get() != Step::Credentials {
                self.reset_step();
            }
            match Client::create(&base_url, client_id.clone()) {
                Ok(c) => {
                    let c = Rc::new(c);
                    *self.client.borrow_mut() = Some((base_url, client_id, c.clone()));
                    let st = self.clone();
                    self.loading.set(true);
                    wasm_bindgen_futures::spawn_local(async move {
                        let answer = c.config().await;
                        // The attributes changed meanwhile: this answer is for another client.
                        if !st.client().is_some_and(|now| Rc::ptr_eq(&now, &c)) {
                            return;
                        }
                        st.loading.set(false);
                        match answer {
                            Ok(settings) => {
                                let offer =
                                    Offer::new(&settings.methods, Client::passkeys_supported())
                                        .with_signup(settings.self_signup)
                                        .with_sso(
                                            &settings.methods,
                                            !settings.connections.is_empty(),
                                            settings.sso_domains,
                                        );
                                *st.app_name.borrow_mut() = settings.name.clone();
                                st.draw_connections(settings.connections);
                                st.offer.set(offer);
                                if offer.usable(Mode::Login) {
                                    st.show_error("", None);
                                } else {
                                    st.say_error("setup.no_method", None);
                                }
                                complete_sso(&st, &c);
                                resume(&st, &c);
                                if offer.passkey {
                                    start_autofill(&st, &c);
                                }
                            }
                            Err(e) => {
                                st.fail(&e);
                                // Nothing on the form works without the answer: offer to ask again.
                                let passing = e.status == 0 || e.status == 429 || e.status >= 500;
                                toggle(el(&st.root, "retry"), "hidden", !passing);
                            }
                        }
                        st.render();
                    });
                }
                Err(_) => self.say_error("setup.no_client", None),
            }
        }
        self.render();
    }
}

fn on_reveal(st: &Rc<State>, _e: web_sys::Event) {
    let hidden = input(&st.root, "password").is_some_and(|p| p.type_() == "password");
    st.reveal_password(hidden);
}

/// The application's ways in could not be fetched: asks again.
fn on_retry(st: &Rc<State>, _e: web_sys::Event) {
    *st.client.borrow_mut() = None;
    st.sync();
    // The button goes away with the error: the focus goes to the form's first field.
    if let Some(i) = input(&st.root, "login") {
        let _ = i.focus();
    }
}

fn on_switch(st: &Rc<State>, _e: web_sys::Event) {
    st.reset_step();
    st.mode.set(st.mode.get().other());
    // Until the application's settings came, their error (and "Try again") stays.
    if st.offer.get() != Offer::default() {
        st.show_error("", None);
    }
    st.render();
}

fn on_submit(st: &Rc<State>, e: web_sys::Event) {
    e.prevent_default();
    match st.step.get() {
        Step::Credentials => {}
        Step::EmailCode | Step::SmsCode => return on_emailed_code(st),
        Step::LinkSent | Step::ResetSent | Step::SignedIn => return,
        Step::Code | Step::Backup => return on_code(st),
        Step::ChangePassword => return on_new_password(st),
    }
    let (Some(client), false) = (st.client(), st.busy.get()) else {
        return;
    };
    let value = |id| input(&st.root, id).map(|i| i.value()).unwrap_or_default();
    let (login, password, name) = (value("login"), value("password"), value("name"));
    let mode = st.mode.get();
    if let Err((field, message)) = check(mode, &login, &password) {
        st.say_error(message, Some(field));
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
            Ok(answer) => st.after_first_factor(&answer, mode, "password"),
            Err(SdkError {
                change_password_id: Some(id),
                ..
            }) => st.start_password_change(id),
            Err(e) => st.fail(&e),
        }
    });
}

/// The new password of a required change: set it, then sign in with it.
fn on_new_password(st: &Rc<State>) {
    let (Some(client), false) = (st.client(), st.busy.get()) else {
        return;
    };
    let password = input(&st.root, "new-password")
        .map(|i| i.value())
        .unwrap_or_default();
    if let Err(message) = check_new_password(&password) {
        st.say_error(message, Some(Field::Password));
        return;
    }
    let login = input(&st.root, "login")
        .map(|i| i.value().trim().to_owned())
        .unwrap_or_default();
    let id = st.change_id.borrow().clone();
    st.show_error("", None);
    st.busy.set(true);
    st.render();
    let st = st.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let changed = client.change_password(id, password.clone()).await;
        let spent = changed.is_ok();
        let result = match changed {
            Ok(()) => client.login(login, password).await,
            Err(e) => Err(e),
        };
        st.busy.set(false);
        match result {
            Ok(answer) => st.after_first_factor(&answer, Mode::Login, "password"),
            Err(e) if spent || e.code == "INVALID_CHANGE_PASSWORD_ID" => {
                // The one-time id is spent (the password changed, or it expired): back to
                // the first step, to sign in again.
                st.reset_step();
                st.render();
                st.fail(&e);
                if spent {
                    st.say_error("change.sign_in_failed", Some(Field::Password));
                } else if let Some(i) = input(&st.root, "password") {
                    let _ = i.focus();
                }
            }
            Err(e) => {
                st.render();
                st.fail(&e);
            }
        }
    });
}

/// The second step's submit: the code (or backup code), or the first code of the
/// authenticator being set up.
fn on_code(st: &Rc<State>) {
    let (Some(client), false) = (st.client(), st.busy.get()) else {
        return;
    };
    let code = input(&st.root, "code")
        .map(|i| i.value().trim().to_owned())
        .unwrap_or_default();
    let backup = st.step.get() == Step::Backup;
    if let Err(message) = check_code(&code, backup) {
        st.say_error(message, Some(Field::Code));
        return;
    }
    st.show_error("", None);
    st.busy.set(true);
    st.render();
    let trust = input(&st.root, "trust").is_some_and(|i| i.checked());
    let enrolling = st.enrolling.borrow().clone();
    let st = st.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let result = match &enrolling {
            Some(id) => client.confirm_enrollment(id, code).await,
            None => {
                let key = if backup { "backupCode" } else { "code" };
                let options = crate::passkeys::object(&[
                    (key, &JsValue::from(code)),
                    ("trustDevice", &JsValue::from(trust)),
                ]);
                match client.complete(&options).await {
                    Ok(Ok(done)) => Ok(done),
                    Ok(Err(_)) => Err(SdkError::new("MFA_TOKEN_INVALID", "sign in again", 0)),
                    Err(e) => Err(e),
                }
            }
        };
        st.busy.set(false);
        match result {
            Ok(done) => {
                let user = js_sys::Reflect::get(&done, &"user".into()).unwrap_or_default();
                let codes = js_sys::Reflect::get(&done, &"backup_codes".into()).unwrap_or_default();
                st.reset_step();
                st.render();
                if codes.is_object() {
                    st.show_backup_codes(&codes);
                }
                st.signed_in(&user, st.mode.get(), st.method.get());
            }
            Err(e) => {
                if e.code == "MFA_TOKEN_INVALID" {
                    st.reset_step();
                }
                st.render();
                st.fail(&e);
            }
        }
    });
}

/// Switches the second step between the authenticator app's code and a backup code.
fn on_use_backup(st: &Rc<State>, _e: web_sys::Event) {
    st.step.set(if st.step.get() == Step::Backup {
        Step::Code
    } else {
        Step::Backup
    });
    st.show_error("", None);
    st.render();
    if let Some(i) = input(&st.root, "code") {
        i.set_value("");
        let _ = i.focus();
    }
}

/// "Email me a sign-in code".
fn on_email_code(st: &Rc<State>, _e: web_sys::Event) {
    send_emailed(st, Step::EmailCode);
}

/// "Email me a sign-in link".
fn on_magic_link(st: &Rc<State>, _e: web_sys::Event) {
    send_emailed(st, Step::LinkSent);
}

/// "Text me a sign-in code".
fn on_sms_code(st: &Rc<State>, _e: web_sys::Event) {
    send_emailed(st, Step::SmsCode);
}

/// "Forgot password?": a reset link to the address typed.
fn on_forgot(st: &Rc<State>, _e: web_sys::Event) {
    send_emailed(st, Step::ResetSent);
}

/// "Send another code / link", once the cooldown has passed.
fn on_resend(st: &Rc<State>, _e: web_sys::Event) {
    if st.resend_in.get() == 0 {
        send_emailed(st, st.step.get());
    }
}

/// Back from a code or link to the first step.
fn on_back(st: &Rc<State>, _e: web_sys::Event) {
    st.reset_step();
    st.show_error("", None);
    set_text(&st.root, "status", "");
    st.render();
    if let Some(i) = input(&st.root, "login") {
        let _ = i.focus();
    }
}

/// Sends a code (`Step::EmailCode`) or a link (`Step::LinkSent`) to the address typed (or,
/// for a resend, the one used before), then shows its step; a link's step waits for it.
fn send_emailed(st: &Rc<State>, step: Step) {
    let (Some(client), false) = (st.client(), st.busy.get()) else {
        return;
    };
    let address = if st.step.get().emailed() {
        st.emailed_to.borrow().clone()
    } else {
        input(&st.root, "login")
            .map(|i| i.value().trim().to_owned())
            .unwrap_or_default()
    };
    let checked = if step == Step::SmsCode {
        check_phone(&address)
    } else {
        check_address(&address)
    };
    if let Err(message) = checked {
        st.say_error(message, Some(Field::Login));
        return;
    }
    st.stop_autofill();
    st.show_error("", None);
    set_text(&st.root, "status", "");
    st.busy.set(true);
    st.render();
    let st = st.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let result = match step {
            Step::LinkSent => client.send_magic_link(address.clone()).await,
            Step::ResetSent => client.request_password_reset(address.clone()).await,
            Step::SmsCode => client.send_sms_code(address.clone()).await,
            _ => client.send_email_code(address.clone()).await,
        };
        st.busy.set(false);
        match result {
            Ok(sent) => {
                let wait = js_sys::Reflect::get(&sent, &"resend_after".into())
                    .ok()
                    .and_then(|v| v.as_f64())
                    .unwrap_or(30.0);
                *st.emailed_to.borrow_mut() = address;
                st.step.set(step);
                countdown(&st, wait as u32);
                st.render();
                if step == Step::LinkSent {
                    wait_for_link(&st, &client);
                } else if step == Step::ResetSent {
                    if let Some(b) = el(&st.root, "back") {
                        if let Ok(b) = b.dyn_into::<HtmlElement>() {
                            let _ = b.focus();
                        }
                    }
                } else if let Some(i) = input(&st.root, "emailed-code") {
                    i.set_value("");
                    let _ = i.focus();
                }
            }
            Err(e) => {
                st.render();
                if let Some(secs) = retry_after(&e) {
                    countdown(&st, secs);
                }
                st.fail(&e);
            }
        }
    });
}

/// The seconds a `RATE_LIMITED` answer asks to wait, as its message says.
fn retry_after(e: &SdkError) -> Option<u32> {
    if e.code != "RATE_LIMITED" {
        return None;
    }
    e.message
        .split_whitespace()
        .find_map(|w| w.parse::<u32>().ok())
}

/// Counts the resend button down from `secs`, a second at a time.
fn countdown(st: &Rc<State>, secs: u32) {
    let already = st.resend_in.get() > 0;
    st.resend_in.set(secs);
    st.render();
    if already {
        return;
    }
    let st = st.clone();
    wasm_bindgen_futures::spawn_local(async move {
        while st.resend_in.get() > 0 {
            crate::tabs::sleep_or_wake(1000, &Default::default()).await;
            st.resend_in.set(st.resend_in.get().saturating_sub(1));
            st.render();
        }
    });
}

/// Waits for the link just sent to be opened (anywhere), then signs in here.
fn wait_for_link(st: &Rc<State>, client: &Rc<Client>) {
    let (st, client) = (st.clone(), client.clone());
    wasm_bindgen_futures::spawn_local(async move {
        let result = client.wait_for_magic_link().await;
        // Another way in was chosen meanwhile (or another link sent): not this wait's to say.
        if st.step.get() != Step::LinkSent || client.magic_link().is_some() {
            return;
        }
        match result {
            Ok(answer) => st.after_first_factor(&answer, Mode::Login, "magic_link"),
            Err(e) => {
                st.reset_step();
                st.render();
                st.fail(&e);
            }
        }
    });
}

/// The code step's submit: the emailed code.
fn on_emailed_code(st: &Rc<State>) {
    let (Some(client), false) = (st.client(), st.busy.get()) else {
        return;
    };
    let code = input(&st.root, "emailed-code")
        .map(|i| i.value().trim().to_owned())
        .unwrap_or_default();
    if let Err(message) = check_email_code(&code) {
        st.say_error(message, Some(Field::Code));
        return;
    }
    st.show_error("", None);
    st.busy.set(true);
    st.render();
    let address = st.emailed_to.borrow().clone();
    let st = st.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        let result = client.verify_code(address, code).await;
        st.busy.set(false);
        match result {
            Ok(answer) => {
                let method = if st.step.get() == Step::SmsCode {
                    "sms_code"
                } else {
                    "magic_code"
                };
                st.after_first_factor(&answer, Mode::Login, method)
            }
            Err(e) => {
                if matches!(e.code.as_str(), "CODE_EXPIRED" | "CODE_USED") {
                    if let Some(i) = input(&st.root, "emailed-code") {
                        i.set_value("");
                    }
                }
                st.render();
                st.fail(&e);
            }
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
            Ok(answer) => st.after_first_factor(&answer, Mode::Login, "passkey"),
            // Aborted for another way in, or the browser could not offer passkeys in the
            // background (no response came): nobody asked for this, so nothing to say.
            Err(e) if e.code == "PASSKEY_CANCELLED" || e.status == 0 => {}
            Err(e) => st.fail(&e),
        }
    });
}

/// A session this browser already has (a tab's tokens, or the refresh cookie) with this
/// element's application: shown as signed in, as a fresh sign-in would be, with
/// `resumed: true` in the event. The cookie is shared by every application of the server, so
/// a session of another application is not this one's to show.
fn resume(st: &Rc<State>, client: &Rc<Client>) {
    let (st, client) = (st.clone(), client.clone());
    wasm_bindgen_futures::spawn_local(async move {
        // The attributes may change while this waits: then the answer is another client's.
        let current = |st: &Rc<State>| st.client().is_some_and(|now| Rc::ptr_eq(&now, &client));
        let Ok(Some(token)) = client.access_token().await else {
            return;
        };
        if audience(&token).as_deref() != Some(client.client_id()) || !current(&st) {
            return;
        }
        // A refresh's answer names no user: then the server says who.
        let user = match client.user() {
            u if !u.is_null() => u,
            _ => match client.current_user().await {
                Ok(u) => u,
                Err(_) => return,
            },
        };
        if st.step.get() != Step::Credentials || st.busy.get() || !current(&st) {
            return;
        }
        st.signed_in(&user, Mode::Login, RESUMED);
    });
}

/// "Continue": to the `redirect-url` attribute (http or https only), else a
/// `latchkey:continue` event for the page to act on.
fn on_continue(st: &Rc<State>, _e: web_sys::Event) {
    let target = st
        .host
        .get_attribute("redirect-url")
        .and_then(|u| web_sys::Url::new_with_base(&u, &base_href()).ok())
        .filter(|u| matches!(u.protocol().as_str(), "http:" | "https:"));
    match (target, web_sys::window()) {
        (Some(url), Some(w)) => {
            let _ = w.location().assign(&url.href());
        }
        _ => st.dispatch("latchkey:continue", &JsValue::NULL),
    }
}

fn base_href() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}

/// "Sign out": this session ends (here and in the page's other tabs), and the form is back.
fn on_sign_out(st: &Rc<State>, _e: web_sys::Event) {
    let (Some(client), false) = (st.client(), st.busy.get()) else {
        return;
    };
    st.busy.set(true);
    let st = st.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let out = client.logout(None).await;
        st.busy.set(false);
        st.reset_step();
        toggle(el(&st.root, "offer"), "hidden", true);
        st.render();
        match out {
            Ok(_) => {
                st.show_error("", None);
                st.say("status", "done.signed_out");
                st.dispatch("latchkey:logout", &JsValue::NULL);
                if let Some(i) = input(&st.root, "login") {
                    let _ = i.focus();
                }
            }
            // The server did not hear: the session (and its cookie) lives on, so say so and
            // stay signed in, for another try.
            Err(_) => {
                st.step.set(Step::SignedIn);
                st.render();
                st.say_error("done.sign_out_failed", None);
            }
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
            Ok(answer) => st.after_first_factor(&answer, Mode::Login, "passkey"),
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
                st.say("status", "passkey.created");
            }
            Err(e) => st.fail(&e),
        }
    });
}

/// A "Continue with …" button: that connection.
fn on_sso_button(st: &Rc<State>, e: web_sys::Event) {
    let id = e
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|t| t.closest("button[data-connection]").ok().flatten())
        .and_then(|b| b.get_attribute("data-connection"));
    if let Some(id) = id {
        start_sso(st, Some(id), None);
    }
}

/// "Sign in with SSO": the connection of the typed address's domain.
fn on_sso_email(st: &Rc<State>, _e: web_sys::Event) {
    let login = input(&st.root, "login")
        .map(|i| i.value().trim().to_owned())
        .unwrap_or_default();
    if !login.contains('@') {
        st.say_error("check.email_invalid", Some(Field::Login));
        return;
    }
    start_sso(st, None, Some(login));
}

/// Sends the browser to the identity provider (the page is left; the form stays busy).
fn start_sso(st: &Rc<State>, connection: Option<String>, email: Option<String>) {
    let (Some(client), false) = (st.client(), st.busy.get()) else {
        return;
    };
    st.stop_autofill();
    st.show_error("", None);
    st.busy.set(true);
    st.render();
    let st = st.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match client.sso_start(connection, email).await {
            Ok(url) => {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().assign(&url);
                }
            }
            Err(e) => {
                st.busy.set(false);
                st.render();
                st.fail(&e);
            }
        }
    });
}

/// Signed in: the identity a single sign-on left waiting in this tab (policy `ask`) is
/// linked to this account now, and the person told so.
fn link_waiting(st: &Rc<State>) {
    let Some(client) = st.client() else {
        return;
    };
    let st = st.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match client.sso_link_pending().await {
            Ok(true) => st.say("status", "sso.linked"),
            Ok(false) => {}
            Err(e) => st.fail(&e),
        }
    });
}

/// Back from the identity provider: the hand-off code in the address is traded for the
/// session (or its error shown).
fn complete_sso(st: &Rc<State>, client: &Rc<Client>) {
    let (st, client) = (st.clone(), client.clone());
    wasm_bindgen_futures::spawn_local(async move {
        st.busy.set(true);
        let answer = client.sso_complete().await;
        st.busy.set(false);
        match answer {
            Ok(Some(a)) => st.after_first_factor(&a, Mode::Login, "sso"),
            Ok(None) => {}
            // An account has the address: its own sign-in links the identity.
            Err(e) if e.code == "LINK_REQUIRED" => {
                st.render();
                st.say("status", "sso.link_prompt");
                if let Some(i) = input(&st.root, "login") {
                    let _ = i.focus();
                }
            }
            Err(e) => {
                st.render();
                st.fail(&e);
            }
        }
        st.render();
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
        apply_texts(&root, "form", &Catalog::default());
        let state = Rc::new(State {
            host,
            root,
            mode: Cell::new(Mode::Login),
            client: RefCell::new(None),
            busy: Cell::new(false),
            loading: Cell::new(false),
            offer: Cell::new(Offer::default()),
            autofill: RefCell::new(None),
            step: Cell::new(Step::Credentials),
            enrolling: RefCell::new(None),
            method: Cell::new("password"),
            change_id: RefCell::new(String::new()),
            emailed_to: RefCell::new(String::new()),
            resend_in: Cell::new(0),
            app_name: RefCell::new(String::new()),
            texts: RefCell::new(Catalog::default()),
            connections: RefCell::new(Vec::new()),
        });
        type Handler = fn(&Rc<State>, web_sys::Event);
        let handlers: [(&str, &str, Handler); 18] = [
            ("form", "submit", on_submit),
            ("switch", "click", on_switch),
            ("passkey", "click", on_passkey),
            ("create-passkey", "click", on_create_passkey),
            ("use-backup", "click", on_use_backup),
            ("email-code", "click", on_email_code),
            ("magic-link", "click", on_magic_link),
            ("sms-code", "click", on_sms_code),
            ("forgot", "click", on_forgot),
            ("resend", "click", on_resend),
            ("back", "click", on_back),
            ("continue", "click", on_continue),
            ("sign-out", "click", on_sign_out),
            ("reveal", "click", on_reveal),
            ("retry", "click", on_retry),
            ("change-back", "click", on_back),
            ("sso", "click", on_sso_button),
            ("sso-email", "click", on_sso_email),
        ];
        for (id, event, f) in handlers {
            if let Some(target) = el(&state.root, id) {
                listen(&target, event, &state, f);
            }
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
