//! `<latchkey-profile>`: the signed-in user's own security page as a custom element: where
//! they are signed in (one card per session, "This device", sign out one after confirming,
//! sign out all other devices), their login history in plain words (local time, how long
//! ago, "Failed: wrong password", place, device, risk badges) with All / Successful / Failed
//! tabs and paging (a table at 600 px and wider, cards below), their passkeys (rename in the
//! card, delete after confirming, add one where the browser has passkeys) and two-step
//! verification (its state in words, the authenticator apps with removal by password, setting
//! one up with its QR code and first code, the backup codes shown once, new ones by password).
//!
//! Attributes: `client-id` (required), `base-url` (defaults to the page's origin),
//! `sections` (which to show, of `sessions history passkeys mfa`, separated by spaces; all
//! when absent), `page-size` (history entries per page, 1 to 100, default 10), `theme`
//! (`light`, `dark`, `auto`), `lang` and `texts` (as `<latchkey-login>`'s). Children are shown
//! after its sections. It themes like `<latchkey-login>` (`--latchkey-*`, plus
//! `--latchkey-muted`). The words and the markup are `latchkey_core::browser::profile`'s and
//! `::security`'s; only the DOM and the calls are here.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use latchkey_core::browser::i18n::Catalog;
use latchkey_core::browser::profile::{
    history_html, page_text, session_html, sort_sessions, Client as Seen, HistoryEntry, Locale,
    SessionCard, TABS,
};
use latchkey_core::browser::security::{
    authenticator_html, backup_codes_html, chosen_sections, error_text, mfa_state_text,
    passkey_html, Authenticator, Editing, Passkey, SECTIONS,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement, ShadowRoot};

use crate::client::{text_field, Client};
use crate::element::{apply_texts, catalog, define, el, set_text, toggle};
use crate::error::SdkError;

pub const TAG: &str = "latchkey-profile";

const DEFAULT_PAGE: u32 = 10;

const LOADING: &str = "profile.loading";

#[wasm_bindgen(inline_js = "export function date_time(ms, lang) {
  return new Date(ms).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' });
}
export function date(ms, lang) {
  return new Date(ms).toLocaleDateString(lang, { dateStyle: 'medium' });
}
export function relative(value, unit, lang) {
  return new Intl.RelativeTimeFormat(lang, { numeric: 'auto' }).format(value, unit);
}
export function region(code, lang) {
  try { return new Intl.DisplayNames([lang], { type: 'region' }).of(code) ?? code; } catch { return code; }
}")]
extern "C" {
    fn date_time(ms: f64, lang: &str) -> String;
    fn date(ms: f64, lang: &str) -> String;
    fn relative(value: f64, unit: &str, lang: &str) -> String;
    fn region(code: &str, lang: &str) -> String;
}

/// The browser's `Intl` (which costs the `.wasm` nothing) in the element's language, and its
/// texts.
#[derive(Default)]
struct Intl(Catalog);

impl Locale for Intl {
    fn date_time(&self, ms: f64) -> String {
        date_time(ms, self.0.lang().code())
    }
    fn date(&self, ms: f64) -> String {
        date(ms, self.0.lang().code())
    }
    fn relative(&self, value: i64, unit: &str) -> String {
        relative(value as f64, unit, self.0.lang().code())
    }
    fn region(&self, code: &str) -> String {
        region(code, self.0.lang().code())
    }
    fn texts(&self) -> &Catalog {
        &self.0
    }
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** `<latchkey-profile client-id="…" base-url="…" sections="sessions history passkeys mfa" page-size="10" theme="light|dark|auto" lang="en|fr|de|es" texts='{"history.title":"…"}'>`, defined by `init()`. */
export interface LatchkeyProfileElement extends HTMLElement {}
declare global {
  interface HTMLElementTagNameMap { "latchkey-profile": LatchkeyProfileElement }
}
"#;

const TEMPLATE: &str = concat!(
    "<style>\n",
    themed_host!("display:block;container-type:inline-size;max-width:var(--latchkey-width,56rem);font-family:var(--latchkey-font,system-ui,sans-serif);color:var(--lk-fg)"),
    r#"#main{display:grid;gap:1.25rem}
section{display:grid;gap:.75rem;padding:var(--latchkey-padding,1.25rem);background:var(--lk-bg);border:1px solid var(--lk-border);border-radius:var(--latchkey-radius,.5rem)}
h2{margin:0;font-size:1.25rem}
p{margin:0}
.muted{color:var(--lk-muted)}
h3{margin:0;font-size:1.05rem}
.cards{list-style:none;margin:0;padding:0;display:grid;gap:.5rem}
.cards:empty{display:none}
section [role=status]:empty{margin-top:-.75rem}
.card{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;padding:.75rem;border:1px solid var(--lk-border);border-radius:var(--latchkey-radius,.5rem)}
.body{flex:1 1 14rem;display:grid;gap:.125rem}
.title{font-weight:600}
.icon{flex:none;fill:none;stroke:currentColor;stroke-width:1.5;stroke-linecap:round;stroke-linejoin:round;vertical-align:middle}
td .icon{width:20px;height:20px}
.badge{display:inline-block;font-size:.8rem;font-weight:600;padding:0 .45rem;border:1px solid var(--lk-accent);border-radius:1rem;color:var(--lk-accent);white-space:nowrap}
.badge.risk{border-color:var(--lk-error);color:var(--lk-error)}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
button{font:inherit;min-height:2.75rem;padding:.55rem .9rem;border:0;border-radius:var(--latchkey-radius,.375rem);background:var(--lk-accent);color:var(--lk-accent-fg);cursor:pointer}
button:disabled{opacity:.6;cursor:default}
button.alt{background:none;color:var(--lk-accent);border:1px solid var(--lk-accent)}
[role=tablist]{display:flex;flex-wrap:wrap;gap:.25rem;border-bottom:1px solid var(--lk-border)}
[role=tab]{background:none;color:var(--lk-fg);border-radius:0;border-bottom:3px solid transparent}
[role=tab][aria-selected=true]{color:var(--lk-accent);border-bottom-color:var(--lk-accent);font-weight:600}
table{width:100%;border-collapse:collapse;font-size:.9rem}
th{text-align:left;font-weight:600;padding:.5rem;border-bottom:1px solid var(--lk-border)}
td{padding:.5rem;vertical-align:top;border-bottom:1px solid var(--lk-border);overflow-wrap:anywhere}
tr.failed .outcome{color:var(--lk-error);font-weight:600}
nav{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;justify-content:space-between}
#error,.error{color:var(--lk-error)}
.strong{font-weight:600}
.actions>p,form.actions{flex:1 1 100%}
form.actions{align-items:end}
.field{display:grid;gap:.25rem;flex:1 1 12rem;max-width:22rem}
input{font:inherit;box-sizing:border-box;width:100%;min-height:2.75rem;padding:.45rem .6rem;border:1px solid var(--lk-border);border-radius:var(--latchkey-radius,.375rem);background:var(--lk-input-bg);color:var(--lk-input-fg)}
.setup{display:grid;gap:.75rem;justify-items:start}
.setup .field{width:100%}
#totp-qr{max-width:100%;height:auto;border-radius:var(--latchkey-radius,.375rem)}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
#codes{display:grid;gap:.5rem;padding:.75rem;border:2px solid var(--lk-accent);border-radius:var(--latchkey-radius,.5rem)}
#codes-list{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(8rem,1fr));gap:.25rem 1rem;font-size:1.05rem}
:focus-visible{outline:2px solid var(--lk-accent);outline-offset:2px}
[hidden]{display:none!important}
@container (max-width:600px){table,tbody,tr,td{display:block}thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}tr{border:1px solid var(--lk-border);border-radius:var(--latchkey-radius,.5rem);padding:.5rem .75rem;margin-bottom:.5rem}td{border:0;padding:.25rem 0}td::before{content:attr(data-label);display:block;font-size:.8rem;color:var(--lk-muted)}}
</style>
<p part="status" id="state" role="status" aria-live="polite"></p>
<p part="error" id="error" role="alert" hidden></p>
<button part="button retry" class="alt" id="retry" type="button" data-t="retry" hidden></button>
<div id="main" hidden>
<section part="section" id="sec-sessions" aria-labelledby="s-title">
<h2 id="s-title" tabindex="-1" data-t="sessions.title"></h2>
<p id="s-note" class="muted" data-t="sessions.note"></p>
<ul id="sessions" class="cards"></ul>
<div class="actions">
<button part="button" class="alt" id="others" type="button" data-t="sessions.others" hidden></button>
<span id="others-ask" class="actions" role="group" aria-labelledby="others-q" hidden><span id="others-q" data-t="sessions.others_confirm"></span><button id="others-yes" type="button" data-t="sessions.others_yes"></button><button class="alt" id="others-no" type="button" data-t="cancel"></button></span>
</div>
</section>
<section part="section" id="sec-history" aria-labelledby="h-title">
<h2 id="h-title" data-t="history.title"></h2>
<div role="tablist" data-t-label="history.tabs" id="tabs">"#,
    r#"<button role="tab" id="tab-0" data-tab="0" aria-selected="true" aria-controls="panel" type="button" data-t="history.all"></button>"#,
    r#"<button role="tab" id="tab-1" data-tab="1" aria-selected="false" aria-controls="panel" tabindex="-1" type="button" data-t="history.success"></button>"#,
    r#"<button role="tab" id="tab-2" data-tab="2" aria-selected="false" aria-controls="panel" tabindex="-1" type="button" data-t="history.failure"></button>"#,
    r#"</div>
<div id="panel" role="tabpanel" aria-labelledby="tab-0">
<table><thead><tr><th scope="col" data-t="history.when"></th><th scope="col" data-t="history.what"></th><th scope="col" data-t="history.where"></th><th scope="col" data-t="history.device"></th></tr></thead><tbody id="history"></tbody></table>
</div>
<nav data-t-label="history.pages"><button part="button" class="alt" id="newer" type="button" data-t="history.newer"></button><span id="page" aria-live="polite"></span><button part="button" class="alt" id="older" type="button" data-t="history.older"></button></nav>
</section>
<section part="section" id="sec-passkeys" aria-labelledby="p-title">
<h2 id="p-title" tabindex="-1" data-t="passkeys.title"></h2>
<p class="muted" data-t="passkeys.note"></p>
<ul id="passkeys" class="cards"></ul>
<p id="p-none" data-t="passkeys.none" hidden></p>
<p id="p-note" role="status"></p>
<p id="p-error" class="error" role="alert" hidden></p>
<div class="actions"><button part="button" id="add-passkey" type="button" data-t="passkeys.add" hidden></button></div>
</section>
<section part="section" id="sec-mfa" aria-labelledby="m-title">
<h2 id="m-title" tabindex="-1" data-t="step.mfa"></h2>
<p id="m-state"></p>
<ul id="apps" class="cards" data-t-label="mfa.apps_label"></ul>
<p id="m-note" role="status"></p>
<p id="m-error" class="error" role="alert" hidden></p>
<div class="actions"><button part="button" id="add-totp" type="button" data-t="mfa.setup"></button><button part="button" class="alt" id="new-codes" type="button" data-t="mfa.new_codes" hidden></button></div>
<form id="codes-form" class="actions" hidden><p data-t="mfa.new_codes_ask"></p><label class="field"><span data-t="field.password"></span><input id="codes-password" type="password" autocomplete="current-password"></label><button type="submit" data-t="mfa.new_codes_submit"></button><button type="button" class="alt" id="codes-no" data-t="cancel"></button></form>
<form id="totp-form" class="setup" hidden>
<p data-t="mfa.setup_help"></p>
<img id="totp-qr" data-t-alt="mfa.qr_alt" width="200" height="200">
<p><span data-t="mfa.type_key"></span> <code id="totp-secret"></code></p>
<label class="field"><span data-t="mfa.code_label"></span><input id="totp-code" autocomplete="one-time-code" inputmode="numeric" required aria-describedby="totp-error"></label>
<p id="totp-error" class="error" role="alert" hidden></p>
<div class="actions"><button type="submit" data-t="mfa.turn_on"></button><button type="button" class="alt" id="totp-no" data-t="cancel"></button></div>
</form>
<div id="codes" hidden>
<h3 id="codes-title" tabindex="-1" data-t="mfa.codes_title"></h3>
<p class="strong" data-t="mfa.codes_note"></p>
<ul id="codes-list"></ul>
<div class="actions"><button part="button" class="alt" id="codes-done" type="button" data-t="mfa.codes_done"></button></div>
</div>
</section>
<slot></slot>
</div>"#
);

/// Defines `<latchkey-profile>` (once; called when the module is initialised).
pub fn define_element() {
    let make = Closure::<dyn Fn(HtmlElement) -> JsValue>::new(|host| Profile::new(host).into());
    let observed = [
        "client-id",
        "base-url",
        "sections",
        "page-size",
        "lang",
        "texts",
    ]
    .map(JsValue::from)
    .to_vec();
    define(TAG, observed, &make.into_js_value());
}

/// A client's auth-state listener, kept alive with it, and the function that removes it.
type Listener = (Closure<dyn Fn(JsValue)>, js_sys::Function);

/// A handler of events in the shadow root.
type Handler = fn(&Rc<State>, web_sys::Event);

struct State {
    host: HtmlElement,
    root: ShadowRoot,
    /// The client, and the (base URL, client id) it was made for.
    client: RefCell<Option<(String, String, Rc<Client>)>>,
    /// The client's auth listener, kept alive with it, and the function that removes it.
    listener: RefCell<Option<Listener>>,
    sessions: RefCell<Vec<SessionCard>>,
    /// The session whose sign-out waits for the user's yes.
    confirming: RefCell<Option<String>>,
    /// Index into [`TABS`].
    tab: Cell<usize>,
    offset: Cell<u32>,
    total: Cell<u64>,
    /// Bumped by every history request: an older answer arriving late is dropped.
    asked: Cell<u32>,
    /// Bumped when the user signs out: an answer to a call made before is dropped, so one
    /// person's activity never reappears for the next.
    epoch: Cell<u32>,
    /// The element's language and words.
    locale: RefCell<Intl>,
    /// Which of [`SECTIONS`] the `sections` attribute chose.
    sections: Cell<[bool; 4]>,
    passkeys: RefCell<Vec<Passkey>>,
    /// The passkey whose card asks for a new name or a yes.
    editing: RefCell<Option<(String, Editing)>>,
    apps: RefCell<Vec<Authenticator>>,
    /// The authenticator app whose removal waits for the password.
    removing: RefCell<Option<String>>,
    /// The backup codes left; none until the list is loaded.
    codes_left: Cell<Option<u64>>,
    /// The authenticator app being set up, until its first code.
    enrolling: RefCell<Option<String>>,
}

/// One element's profile (internal: created by the element itself).
#[wasm_bindgen(skip_typescript)]
pub struct Profile {
    state: Option<Rc<State>>,
}

fn field(v: &JsValue, name: &str) -> Option<String> {
    text_field(v, name).filter(|s| !s.is_empty())
}

/// A time the server wrote (RFC 3339) in milliseconds; now when it cannot be read.
fn moment(v: &JsValue, name: &str) -> f64 {
    field(v, name)
        .map(|t| js_sys::Date::parse(&t))
        .filter(|ms| ms.is_finite())
        .unwrap_or_else(js_sys::Date::now)
}

/// Where and on what, from a session or a record's metadata (the same field names).
fn seen(v: &JsValue, ip: Option<String>) -> Seen {
    Seen {
        ip,
        city: field(v, "city"),
        region: field(v, "region"),
        country: field(v, "country"),
        browser: field(v, "browser"),
        os: field(v, "os"),
        device: field(v, "device"),
        device_name: field(v, "device_name"),
        device_type: field(v, "device_type"),
    }
}

fn get(v: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// A JSON array the server sent; empty when it is anything else (`Array.from` would throw on
/// `undefined`).
fn array(v: &JsValue) -> js_sys::Array {
    if js_sys::Array::is_array(v) {
        v.clone().unchecked_into()
    } else {
        js_sys::Array::new()
    }
}

fn optional_moment(v: &JsValue, name: &str) -> Option<f64> {
    field(v, name).map(|_| moment(v, name))
}

fn passkey_of(v: &JsValue) -> Passkey {
    Passkey {
        id: field(v, "id").unwrap_or_default(),
        name: field(v, "name").unwrap_or_default(),
        synced: get(v, "backed_up").as_bool().unwrap_or(false),
        created_ms: moment(v, "created_at"),
        last_used_ms: optional_moment(v, "last_used_at"),
    }
}

fn authenticator_of(v: &JsValue) -> Authenticator {
    Authenticator {
        id: field(v, "id").unwrap_or_default(),
        name: field(v, "name").unwrap_or_default(),
        created_ms: moment(v, "created_at"),
        last_used_ms: optional_moment(v, "last_used_at"),
    }
}

fn session_of(v: &JsValue) -> SessionCard {
    SessionCard {
        id: field(v, "id").unwrap_or_default(),
        client: seen(v, field(v, "ip")),
        last_active_ms: moment(v, "last_active_at"),
        created_ms: moment(v, "created_at"),
        current: get(v, "current").as_bool().unwrap_or(false),
    }
}

fn entry_of(v: &JsValue) -> HistoryEntry {
    let meta = get(v, "metadata");
    let flags = array(&get(&meta, "flags"))
        .iter()
        .filter_map(|f| f.as_string())
        .collect();
    HistoryEntry {
        success: field(v, "action").as_deref() == Some("auth.login.success"),
        method: field(&meta, "method").unwrap_or_default(),
        reason: field(&meta, "reason"),
        client: seen(&meta, field(v, "ip_address")),
        at_ms: moment(v, "created_at"),
        flags,
    }
}

impl State {
    fn client(&self) -> Option<Rc<Client>> {
        self.client.borrow().as_ref().map(|(_, _, c)| c.clone())
    }

    fn page_size(&self) -> u32 {
        self.host
            .get_attribute("page-size")
            .and_then(|v| v.trim().parse::<u32>().ok())
            .filter(|n| (1..=100).contains(n))
            .unwrap_or(DEFAULT_PAGE)
    }

    fn busy(&self, on: bool) {
        let _ = self
            .host
            .set_attribute("aria-busy", if on { "true" } else { "false" });
    }

    /// The text of `key` with its placeholders filled, in the element's language.
    fn text(&self, key: &str, vars: &[(&str, &str)]) -> String {
        self.locale.borrow().0.fill(key, vars)
    }

    fn say(&self, id: &str, key: &str) {
        let text = self.locale.borrow().0.get(key).to_owned();
        set_text(&self.root, id, &text);
    }

    fn show_error(&self, message: &str, retry: bool) {
        set_text(&self.root, "error", message);
        toggle(el(&self.root, "error"), "hidden", message.is_empty());
        toggle(el(&self.root, "retry"), "hidden", !retry);
    }

    fn signed_out(&self) {
        self.epoch.set(self.epoch.get().wrapping_add(1));
        self.asked.set(self.asked.get().wrapping_add(1));
        self.busy(false);
        toggle(el(&self.root, "main"), "hidden", true);
        for id in [
            "sessions",
            "history",
            "page",
            "passkeys",
            "apps",
            "codes-list",
        ] {
            if let Some(e) = el(&self.root, id) {
                e.set_inner_html("");
            }
        }
        *self.confirming.borrow_mut() = None;
        // Nothing of the passkeys and two-step verification either, nor a step half done.
        self.passkeys.borrow_mut().clear();
        self.apps.borrow_mut().clear();
        *self.editing.borrow_mut() = None;
        *self.removing.borrow_mut() = None;
        self.codes_left.set(None);
        for id in ["p-none", "codes-form", "codes", "new-codes"] {
            toggle(el(&self.root, id), "hidden", true);
        }
        for id in [
            "p-note",
            "m-note",
            "m-state",
            "p-error",
            "m-error",
            "codes-password",
        ] {
            self.put(id, "");
        }
        self.end_setup();
        if let Ok(all) = self.root.query_selector_all("#main button[disabled]") {
            for b in (0..all.length()).filter_map(|i| all.item(i)) {
                if let Ok(b) = b.dyn_into::<Element>() {
                    let _ = b.remove_attribute("disabled");
                }
            }
        }
        self.offset.set(0);
        self.show_error("", false);
        self.say("state", "profile.signed_out");
        self.sessions.borrow_mut().clear();
    }

    /// A failed call: signed out, or the error with "Try again".
    fn fail(&self, e: &SdkError) {
        self.busy(false);
        if e.status == 401 || e.code == "UNAUTHORIZED" {
            self.signed_out();
        } else {
            set_text(&self.root, "state", "");
            let text = self.text("profile.load_failed", &[("message", &e.message)]);
            self.show_error(&text, true);
        }
    }

    fn render_sessions(&self) {
        let now = js_sys::Date::now();
        // Built with the borrows, written without them: replacing the list can blur a
        // focused button, and a page's handler may then change the element.
        let (html, others) = {
            let confirming = self.confirming.borrow();
            let sessions = self.sessions.borrow();
            let locale = self.locale.borrow();
            let html: String = sessions
                .iter()
                .map(|s| {
                    session_html(
                        s,
                        now,
                        &*locale,
                        confirming.as_deref() == Some(s.id.as_str()),
                    )
                })
                .collect();
            (html, sessions.iter().any(|s| !s.current))
        };
        if let Some(list) = el(&self.root, "sessions") {
            list.set_inner_html(&html);
        }
        let asking = el(&self.root, "others-ask").is_some_and(|e| !e.has_attribute("hidden"));
        toggle(el(&self.root, "others"), "hidden", !others || asking);
        if !others {
            toggle(el(&self.root, "others-ask"), "hidden", true);
        }
    }

    fn render_passkeys(&self) {
        let now = js_sys::Date::now();
        let html: String = {
            let editing = self.editing.borrow();
            let locale = self.locale.borrow();
            self.passkeys
                .borrow()
                .iter()
                .map(|p| {
                    let mode = match &*editing {
                        Some((id, mode)) if *id == p.id => *mode,
                        _ => Editing::Nothing,
                    };
                    passkey_html(p, now, &*locale, mode)
                })
                .collect()
        };
        if let Some(list) = el(&self.root, "passkeys") {
            list.set_inner_html(&html);
        }
        toggle(
            el(&self.root, "add-passkey"),
            "hidden",
            !Client::passkeys_supported(),
        );
    }

    /// A passkey's card asks (or stops asking) for a new name or a yes.
    fn edit(&self, editing: Option<(String, Editing)>) {
        *self.editing.borrow_mut() = editing;
        self.put("p-error", "");
        self.put("p-note", "");
        self.render_passkeys();
    }

    fn render_mfa(&self) {
        let now = js_sys::Date::now();
        let (html, state, any) = {
            let removing = self.removing.borrow();
            let locale = self.locale.borrow();
            let apps = self.apps.borrow();
            let html: String = apps
                .iter()
                .map(|a| authenticator_html(a, now, &*locale, removing.as_deref() == Some(&a.id)))
                .collect();
            let state = self
                .codes_left
                .get()
                .map(|left| mfa_state_text(apps.len(), left, &locale.0));
            (html, state, !apps.is_empty())
        };
        if let Some(list) = el(&self.root, "apps") {
            list.set_inner_html(&html);
        }
        if let Some(state) = state {
            set_text(&self.root, "m-state", &state);
        }
        if !any {
            toggle(el(&self.root, "codes-form"), "hidden", true);
        }
        let asking = el(&self.root, "codes-form").is_some_and(|e| !e.has_attribute("hidden"));
        toggle(el(&self.root, "new-codes"), "hidden", !any || asking);
    }

    /// `text` in the line `id` (an error line is hidden while empty; a field is emptied).
    fn put(&self, id: &str, text: &str) {
        if let Some(input) = self.input(id) {
            input.set_value(text);
            return;
        }
        set_text(&self.root, id, text);
        if id.ends_with("error") {
            toggle(el(&self.root, id), "hidden", text.is_empty());
        }
    }

    fn input(&self, id: &str) -> Option<HtmlInputElement> {
        el(&self.root, id)?.dyn_into().ok()
    }

    /// A refused change in the error line `id`; signed out when the session has ended.
    fn refused(&self, id: &str, e: &SdkError) {
        if e.status == 401 || e.code == "UNAUTHORIZED" {
            return self.fail(e);
        }
        let text = error_text(&e.code, &e.message, &self.locale.borrow().0);
        self.put(id, &text);
    }

    /// The authenticator app's set-up, closed and forgotten.
    fn end_setup(&self) {
        *self.enrolling.borrow_mut() = None;
        toggle(el(&self.root, "totp-form"), "hidden", true);
        toggle(el(&self.root, "add-totp"), "hidden", false);
        if let Some(qr) = el(&self.root, "totp-qr") {
            let _ = qr.remove_attribute("src");
        }
        for id in ["totp-secret", "totp-code", "totp-error"] {
            self.put(id, "");
        }
        if let Some(code) = el(&self.root, "totp-code") {
            let _ = code.remove_attribute("aria-invalid");
        }
    }

    /// Backup codes, shown once, with the focus on their heading.
    fn show_codes(&self, codes: &[String]) {
        if codes.is_empty() {
            return self.focus("#m-title");
        }
        if let Some(list) = el(&self.root, "codes-list") {
            list.set_inner_html(&backup_codes_html(codes));
        }
        toggle(el(&self.root, "codes"), "hidden", false);
        self.focus("#codes-title");
    }

    fn render_tabs(&self) {
        for i in 0..TABS.len() {
            if let Some(tab) = el(&self.root, &format!("tab-{i}")) {
                let on = i == self.tab.get();
                let _ = tab.set_attribute("aria-selected", if on { "true" } else { "false" });
                let _ = tab.set_attribute("tabindex", if on { "0" } else { "-1" });
                if on {
                    if let Some(panel) = el(&self.root, "panel") {
                        let _ = panel.set_attribute("aria-labelledby", &format!("tab-{i}"));
                    }
                }
            }
        }
    }

    fn focus(&self, selector: &str) {
        let target = self.root.query_selector(selector).ok().flatten();
        if let Some(e) = target.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
            let _ = e.focus();
        }
    }

    /// The button whose `attr` is `value` (compared, not put in a selector: ids are data).
    fn button(&self, attr: &str, value: &str) -> Option<HtmlElement> {
        let all = self.root.query_selector_all(&format!("[{attr}]")).ok()?;
        (0..all.length())
            .filter_map(|i| all.item(i))
            .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
            .find(|e| e.get_attribute(attr).as_deref() == Some(value))
    }

    fn focus_button(&self, attr: &str, value: &str) {
        if let Some(b) = self.button(attr, value) {
            let _ = b.focus();
        }
    }

    /// Follows the attributes: a new client when `client-id` or `base-url` changed.
    fn sync(self: &Rc<Self>) {
        let texts = catalog(&self.host, TAG);
        if texts != self.locale.borrow().0 {
            apply_texts(&self.root, "main", &texts);
            let loading = el(&self.root, "state")
                .and_then(|e| e.text_content())
                .is_some_and(|t| t == self.locale.borrow().0.get(LOADING));
            if loading {
                set_text(&self.root, "state", texts.get(LOADING));
            }
            self.locale.borrow_mut().0 = texts;
            self.render_sessions();
            self.render_passkeys();
            self.render_mfa();
        }
        let sections = chosen_sections(self.host.get_attribute("sections").as_deref());
        let changed = sections != self.sections.get();
        self.sections.set(sections);
        for (on, name) in sections.iter().zip(SECTIONS) {
            toggle(el(&self.root, &format!("sec-{name}")), "hidden", !on);
        }
        let client_id = self.host.get_attribute("client-id").unwrap_or_default();
        let base_url = self.host.get_attribute("base-url").unwrap_or_default();
        let same =
            matches!(&*self.client.borrow(), Some((b, c, _)) if *b == base_url && *c == client_id);
        if same {
            if changed {
                load_all(self);
            } else {
                load_history(self);
            }
            return;
        }
        self.drop_client();
        match Client::create(&base_url, client_id.clone()) {
            Ok(c) => {
                let c = Rc::new(c);
                let weak = Rc::downgrade(self);
                let on_change = Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| {
                    let Some(st) = weak.upgrade() else { return };
                    match event.as_string().as_deref() {
                        Some("SIGNED_IN") => load_all(&st),
                        Some("SIGNED_OUT") => st.signed_out(),
                        _ => {}
                    }
                });
                let stop = c.on_auth_state_change(
                    on_change
                        .as_ref()
                        .unchecked_ref::<js_sys::Function>()
                        .clone(),
                );
                *self.listener.borrow_mut() = Some((on_change, stop));
                *self.client.borrow_mut() = Some((base_url, client_id, c));
                load_all(self);
            }
            Err(_) => {
                self.signed_out();
                let text = self.text("profile.no_client", &[]);
                self.show_error(&text, false);
                set_text(&self.root, "state", "");
            }
        }
    }

    fn drop_client(&self) {
        if let Some((_, stop)) = self.listener.borrow_mut().take() {
            let _ = stop.call0(&JsValue::NULL);
        }
        *self.client.borrow_mut() = None;
    }
}

/// The lists a section shows.
#[derive(Clone, Copy)]
enum List {
    Sessions,
    Passkeys,
    Mfa,
}

async fn load_list(
    st: &Rc<State>,
    client: &Client,
    epoch: u32,
    list: List,
) -> Result<bool, SdkError> {
    match list {
        List::Sessions => load_sessions(st, client, epoch).await,
        List::Passkeys => load_passkeys(st, client, epoch).await,
        List::Mfa => load_mfa(st, client, epoch).await,
    }
}

/// Loads `list` on its own; a failure is said as the first list's would be.
fn spawn_list(st: &Rc<State>, client: Rc<Client>, epoch: u32, list: List) {
    let st = st.clone();
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = load_list(&st, &client, epoch, list).await {
            st.fail(&e);
        }
    });
}

/// The chosen sections: the first list says whether the user is signed in (and shows the
/// element), the others load meanwhile; then the first page of history.
fn load_all(st: &Rc<State>) {
    let Some(client) = st.client() else { return };
    st.busy(true);
    let epoch = st.epoch.get();
    let [sessions, history, passkeys, mfa] = st.sections.get();
    let lists: Vec<List> = [
        (sessions, List::Sessions),
        (passkeys, List::Passkeys),
        (mfa, List::Mfa),
    ]
    .into_iter()
    .filter_map(|(on, list)| on.then_some(list))
    .collect();
    for &list in lists.iter().skip(1) {
        spawn_list(st, client.clone(), epoch, list);
    }
    let st = st.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let first = match lists.first() {
            Some(&list) => load_list(&st, &client, epoch, list).await,
            None => Ok(true),
        };
        match first {
            Ok(false) => {}
            Ok(true) => {
                st.show_error("", false);
                set_text(&st.root, "state", "");
                toggle(el(&st.root, "main"), "hidden", false);
                st.offset.set(0);
                if history {
                    load_history(&st);
                } else {
                    st.busy(false);
                }
            }
            Err(e) => st.fail(&e),
        }
    });
}

/// The passkeys, shown; `false` (and nothing shown) when the user signed out meanwhile.
async fn load_passkeys(st: &Rc<State>, client: &Client, epoch: u32) -> Result<bool, SdkError> {
    let list = client.get_raw("/api/v1/passkeys", Some("passkeys")).await;
    if st.epoch.get() != epoch {
        return Ok(false);
    }
    let list: Vec<Passkey> = array(&list?).iter().map(|v| passkey_of(&v)).collect();
    toggle(el(&st.root, "p-none"), "hidden", !list.is_empty());
    *st.passkeys.borrow_mut() = list;
    st.render_passkeys();
    Ok(true)
}

/// The authenticator apps and backup codes left, shown; `false` when the user signed out
/// meanwhile.
async fn load_mfa(st: &Rc<State>, client: &Client, epoch: u32) -> Result<bool, SdkError> {
    let answer = client.get_raw("/api/v1/mfa/authenticators", None).await;
    if st.epoch.get() != epoch {
        return Ok(false);
    }
    let answer = answer?;
    // Set-ups never confirmed are not authenticators yet.
    *st.apps.borrow_mut() = array(&get(&answer, "authenticators"))
        .iter()
        .filter(|a| get(a, "confirmed").as_bool() == Some(true))
        .map(|a| authenticator_of(&a))
        .collect();
    let left = get(&answer, "backup_codes_left").as_f64().unwrap_or(0.0);
    st.codes_left.set(Some(left.max(0.0) as u64));
    st.render_mfa();
    Ok(true)
}

/// The sessions, shown; `false` (and nothing shown) when the user signed out meanwhile.
async fn load_sessions(st: &Rc<State>, client: &Client, epoch: u32) -> Result<bool, SdkError> {
    let list = client
        .get_raw("/api/v1/auth/sessions", Some("sessions"))
        .await;
    if st.epoch.get() != epoch {
        return Ok(false);
    }
    let list = list?;
    let mut cards: Vec<SessionCard> = array(&list).iter().map(|v| session_of(&v)).collect();
    sort_sessions(&mut cards);
    *st.sessions.borrow_mut() = cards;
    st.render_sessions();
    Ok(true)
}

/// The page of history the tab and offset name.
fn load_history(st: &Rc<State>) {
    let Some(client) = st.client() else { return };
    if !st.sections.get()[1] {
        return;
    }
    let asked = st.asked.get().wrapping_add(1);
    st.asked.set(asked);
    let st = st.clone();
    st.busy(true);
    wasm_bindgen_futures::spawn_local(async move {
        let size = st.page_size();
        let filter = Some(TABS[st.tab.get()].0).filter(|f| !f.is_empty());
        let answer = client
            .history(Some(size), Some(st.offset.get()), filter)
            .await;
        if st.asked.get() != asked {
            return;
        }
        st.busy(false);
        let data = match answer {
            Ok(d) => d,
            Err(e) => return st.fail(&e),
        };
        let total = get(&data, "total_count").as_f64().unwrap_or(0.0) as u64;
        let items = array(&get(&data, "history"));
        let now = js_sys::Date::now();
        let html: String = items
            .iter()
            .map(|v| history_html(&entry_of(&v), now, &*st.locale.borrow()))
            .collect();
        if let Some(body) = el(&st.root, "history") {
            body.set_inner_html(&html);
        }
        st.total.set(total);
        let offset = st.offset.get();
        set_text(
            &st.root,
            "page",
            &page_text(
                offset,
                items.length() as usize,
                total,
                &st.locale.borrow().0,
            ),
        );
        let newer = el(&st.root, "newer");
        toggle(newer, "disabled", offset == 0);
        let more = u64::from(offset) + u64::from(items.length()) < total;
        toggle(el(&st.root, "older"), "disabled", !more);
    });
}

/// One click handler for the whole shadow root: buttons say what they do by id or data.
fn on_click(st: &Rc<State>, e: web_sys::Event) {
    let Some(button) = e
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|t| t.closest("button").ok().flatten())
    else {
        return;
    };
    // A page's own (slotted) buttons are the page's business, whatever their ids.
    if JsValue::from(button.get_root_node()) != JsValue::from(st.root.clone()) {
        return;
    }
    if security_click(st, &button) {
        return;
    }
    let data = |name: &str| button.get_attribute(name);
    if let Some(id) = data("data-revoke") {
        *st.confirming.borrow_mut() = Some(id.clone());
        st.render_sessions();
        st.focus_button("data-yes", &id);
    } else if let Some(id) = data("data-no") {
        *st.confirming.borrow_mut() = None;
        st.render_sessions();
        st.focus_button("data-revoke", &id);
    } else if let Some(id) = data("data-yes") {
        // One request per answer: a second click while it runs does nothing.
        if !button.has_attribute("disabled") {
            let _ = button.set_attribute("disabled", "");
            revoke(st, id);
        }
    } else if let Some(tab) = data("data-tab").and_then(|t| t.parse::<usize>().ok()) {
        select_tab(st, tab);
    } else {
        match button.id().as_str() {
            "others" => {
                toggle(el(&st.root, "others"), "hidden", true);
                toggle(el(&st.root, "others-ask"), "hidden", false);
                st.focus("#others-yes");
            }
            "others-no" => {
                toggle(el(&st.root, "others-ask"), "hidden", true);
                toggle(el(&st.root, "others"), "hidden", false);
                st.focus("#others");
            }
            "others-yes" if !button.has_attribute("disabled") => {
                let _ = button.set_attribute("disabled", "");
                revoke_others(st);
            }
            "newer" => page(st, false),
            "older" => page(st, true),
            "retry" => load_all(st),
            _ => {}
        }
    }
}

/// The passkeys and two-step verification sections' buttons; `false` for any other.
fn security_click(st: &Rc<State>, button: &Element) -> bool {
    let data = |name: &str| button.get_attribute(name);
    if let Some(id) = data("data-pk-rename") {
        st.edit(Some((id, Editing::Rename)));
        st.focus("[data-pk-name]");
    } else if let Some(id) = data("data-pk-keep") {
        st.edit(None);
        st.focus_button("data-pk-rename", &id);
    } else if let Some(id) = data("data-pk-delete") {
        st.edit(Some((id.clone(), Editing::Delete)));
        st.focus_button("data-pk-yes", &id);
    } else if let Some(id) = data("data-pk-no") {
        st.edit(None);
        st.focus_button("data-pk-delete", &id);
    } else if let Some(id) = data("data-pk-yes") {
        act(st, Action::DeletePasskey(id), button);
    } else if let Some(id) = data("data-app-remove") {
        *st.removing.borrow_mut() = Some(id);
        st.put("m-error", "");
        st.render_mfa();
        st.focus("[data-app-password]");
    } else if let Some(id) = data("data-app-no") {
        *st.removing.borrow_mut() = None;
        st.render_mfa();
        st.focus_button("data-app-remove", &id);
    } else {
        match button.id().as_str() {
            "add-passkey" => {
                // Named after this device, when this session says what it is.
                let name = {
                    let texts = &st.locale.borrow().0;
                    let sessions = st.sessions.borrow();
                    let here = sessions.iter().find(|s| s.current);
                    here.map(|s| s.client.device_text(texts))
                };
                act(st, Action::AddPasskey(name), button);
            }
            "add-totp" => act(st, Action::StartTotp, button),
            "totp-no" => {
                st.end_setup();
                st.focus("#add-totp");
            }
            "new-codes" => {
                st.put("m-error", "");
                toggle(el(&st.root, "codes-form"), "hidden", false);
                toggle(el(&st.root, "new-codes"), "hidden", true);
                st.focus("#codes-password");
            }
            "codes-no" => {
                st.put("codes-password", "");
                toggle(el(&st.root, "codes-form"), "hidden", true);
                toggle(el(&st.root, "new-codes"), "hidden", false);
                st.focus("#new-codes");
            }
            "codes-done" => {
                toggle(el(&st.root, "codes"), "hidden", true);
                if let Some(list) = el(&st.root, "codes-list") {
                    list.set_inner_html("");
                }
                st.focus("#m-title");
            }
            _ => return false,
        }
    }
    true
}

/// The sections' forms (a passkey's new name, a password, the first code): Enter or their
/// button sends them.
fn on_submit(st: &Rc<State>, e: web_sys::Event) {
    let Some(form) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
        return;
    };
    // A page's own (slotted) forms are the page's business.
    if JsValue::from(form.get_root_node()) != JsValue::from(st.root.clone()) {
        return;
    }
    e.prevent_default();
    let Some(submit) = form.query_selector("button[type=submit]").ok().flatten() else {
        return;
    };
    let value = form
        .query_selector("input")
        .ok()
        .flatten()
        .and_then(|i| i.dyn_into::<HtmlInputElement>().ok())
        .map(|i| i.value())
        .unwrap_or_default();
    let password = Some(value.clone()).filter(|p| !p.is_empty());
    let action = if let Some(id) = form.get_attribute("data-pk-form") {
        Action::Rename(id, value.trim().to_owned())
    } else if let Some(id) = form.get_attribute("data-app-form") {
        Action::RemoveApp(id, password)
    } else if form.id() == "codes-form" {
        Action::NewCodes(password)
    } else {
        let Some(id) = st.enrolling.borrow().clone() else {
            return;
        };
        let code = value.chars().filter(|c| !c.is_whitespace()).collect();
        Action::ConfirmTotp(id, code)
    };
    act(st, action, &submit);
}

/// A change to the user's passkeys or two-step verification.
enum Action {
    /// With the name to give it.
    AddPasskey(Option<String>),
    /// Id, new name.
    Rename(String, String),
    DeletePasskey(String),
    StartTotp,
    /// The app being set up, its first code.
    ConfirmTotp(String, String),
    /// With the password.
    NewCodes(Option<String>),
    /// Id, password.
    RemoveApp(String, Option<String>),
}

async fn request(client: &Client, action: &Action) -> Result<JsValue, SdkError> {
    let done = |_| JsValue::NULL;
    match action {
        Action::AddPasskey(name) => client.passkey_register(name.clone()).await,
        Action::Rename(id, name) => client.passkey_rename(id, name.clone()).await,
        Action::DeletePasskey(id) => client.delete("/api/v1/passkeys/", id).await.map(done),
        Action::StartTotp => client.start_enrollment().await,
        Action::ConfirmTotp(id, code) => client.confirm_enrollment(id, code.clone()).await,
        Action::NewCodes(password) => client.new_backup_codes(password.clone()).await,
        Action::RemoveApp(id, password) => {
            client.remove_factor(id, password.clone()).await.map(done)
        }
    }
}

/// Sends `action` once: its button stays disabled until the answer, which is dropped when
/// the user signed out meanwhile.
fn act(st: &Rc<State>, action: Action, button: &Element) {
    let Some(client) = st.client() else { return };
    if button.has_attribute("disabled") {
        return;
    }
    let _ = button.set_attribute("disabled", "");
    for id in ["p-note", "p-error", "m-note", "m-error"] {
        st.put(id, "");
    }
    let (st, button) = (st.clone(), button.clone());
    let epoch = st.epoch.get();
    wasm_bindgen_futures::spawn_local(async move {
        let answer = request(&client, &action).await;
        if st.epoch.get() != epoch {
            return;
        }
        let _ = button.remove_attribute("disabled");
        match (answer, &action) {
            // Gone either way: removed now, or already (404).
            (Err(e), Action::DeletePasskey(_) | Action::RemoveApp(..)) if e.status == 404 => {
                done(&st, action, JsValue::NULL)
            }
            (Ok(v), _) => done(&st, action, v),
            (Err(e), _) => refused(&st, action, &e),
        }
    });
}

/// What a change that went through shows, and where the focus goes.
fn done(st: &Rc<State>, action: Action, v: JsValue) {
    let codes =
        |v: &JsValue| -> Vec<String> { array(v).iter().filter_map(|c| c.as_string()).collect() };
    match action {
        Action::AddPasskey(_) => {
            let p = passkey_of(&v);
            let text = st.text("passkeys.created", &[("name", &p.name)]);
            st.passkeys.borrow_mut().push(p);
            toggle(el(&st.root, "p-none"), "hidden", true);
            st.render_passkeys();
            st.put("p-note", &text);
            st.focus("#add-passkey");
        }
        Action::Rename(id, name) => {
            let name = field(&v, "name").unwrap_or(name);
            if let Some(p) = st.passkeys.borrow_mut().iter_mut().find(|p| p.id == id) {
                p.name = name.clone();
            }
            st.edit(None);
            st.focus_button("data-pk-rename", &id);
            let text = st.text("passkeys.renamed", &[("name", &name)]);
            st.put("p-note", &text);
        }
        Action::DeletePasskey(id) => {
            let (name, next) = {
                let mut list = st.passkeys.borrow_mut();
                let i = list.iter().position(|p| p.id == id).unwrap_or(list.len());
                let name = (i < list.len()).then(|| list.remove(i).name);
                let next = list.get(i).or(list.last()).map(|p| p.id.clone());
                (name.unwrap_or_default(), next)
            };
            toggle(el(&st.root, "p-none"), "hidden", next.is_some());
            st.edit(None);
            match next {
                Some(next) => st.focus_button("data-pk-delete", &next),
                None => st.focus("#p-title"),
            }
            let text = st.text("passkeys.deleted", &[("name", &name)]);
            st.put("p-note", &text);
        }
        Action::StartTotp => {
            *st.enrolling.borrow_mut() = field(&v, "id");
            let svg = field(&v, "qr_svg").unwrap_or_default();
            let src = format!(
                "data:image/svg+xml,{}",
                String::from(js_sys::encode_uri_component(&svg))
            );
            if let Some(qr) = el(&st.root, "totp-qr") {
                let _ = qr.set_attribute("src", &src);
            }
            set_text(
                &st.root,
                "totp-secret",
                &field(&v, "secret").unwrap_or_default(),
            );
            toggle(el(&st.root, "codes"), "hidden", true);
            toggle(el(&st.root, "totp-form"), "hidden", false);
            toggle(el(&st.root, "add-totp"), "hidden", true);
            st.focus("#totp-code");
        }
        Action::ConfirmTotp(..) => {
            st.end_setup();
            let text = st.text("mfa.turned_on", &[]);
            st.put("m-note", &text);
            st.show_codes(&codes(&get(&v, "backup_codes")));
            // The new app, as the server lists it.
            if let Some(client) = st.client() {
                spawn_list(st, client, st.epoch.get(), List::Mfa);
            }
        }
        Action::NewCodes(_) => {
            let codes = codes(&v);
            st.codes_left.set(Some(codes.len() as u64));
            st.put("codes-password", "");
            toggle(el(&st.root, "codes-form"), "hidden", true);
            st.render_mfa();
            st.show_codes(&codes);
        }
        Action::RemoveApp(id, _) => {
            let (name, next) = {
                let mut list = st.apps.borrow_mut();
                let i = list.iter().position(|a| a.id == id).unwrap_or(list.len());
                let name = (i < list.len()).then(|| list.remove(i).name);
                let next = list.get(i).or(list.last()).map(|a| a.id.clone());
                (name.unwrap_or_default(), next)
            };
            *st.removing.borrow_mut() = None;
            st.render_mfa();
            match next {
                Some(next) => st.focus_button("data-app-remove", &next),
                None => st.focus("#m-title"),
            }
            let text = st.text("mfa.removed", &[("name", &name)]);
            st.put("m-note", &text);
        }
    }
}

/// A refused change: said in its section (the set-up's code in its form), the focus on what
/// to correct.
fn refused(st: &Rc<State>, action: Action, e: &SdkError) {
    let (line, focus) = match action {
        Action::AddPasskey(_) => ("p-error", "#add-passkey"),
        Action::Rename(..) => ("p-error", "[data-pk-name]"),
        Action::DeletePasskey(id) => {
            st.edit(None);
            st.focus_button("data-pk-delete", &id);
            ("p-error", "")
        }
        Action::StartTotp => ("m-error", "#add-totp"),
        Action::ConfirmTotp(..) => {
            if let Some(input) = el(&st.root, "totp-code") {
                let _ = input.set_attribute("aria-invalid", "true");
            }
            ("totp-error", "#totp-code")
        }
        Action::NewCodes(_) => ("m-error", "#codes-password"),
        Action::RemoveApp(..) => ("m-error", "[data-app-password]"),
    };
    if !focus.is_empty() {
        st.focus(focus);
    }
    st.refused(line, e);
}

fn select_tab(st: &Rc<State>, tab: usize) {
    if tab >= TABS.len() {
        return;
    }
    st.tab.set(tab);
    st.offset.set(0);
    st.render_tabs();
    st.focus(&format!("#tab-{tab}"));
    load_history(st);
}

/// Arrow keys, Home and End move between the tabs (the WAI-ARIA tabs pattern).
fn on_key(st: &Rc<State>, e: web_sys::Event) {
    // `KeyboardEvent.key`, read without web-sys's KeyboardEvent binding.
    let Some(key) = text_field(e.as_ref(), "key") else {
        return;
    };
    let n = TABS.len();
    let now = st.tab.get();
    let next = match key.as_str() {
        "ArrowRight" => (now + 1) % n,
        "ArrowLeft" => (now + n - 1) % n,
        "Home" => 0,
        "End" => n - 1,
        _ => return,
    };
    e.prevent_default();
    select_tab(st, next);
}

fn page(st: &Rc<State>, older: bool) {
    let size = st.page_size();
    let offset = st.offset.get();
    let next = if older {
        offset.saturating_add(size)
    } else {
        offset.saturating_sub(size)
    };
    if older && u64::from(next) >= st.total.get() {
        return;
    }
    st.offset.set(next);
    load_history(st);
}

/// Signs one session out, then shows the list again with the focus on the next card's
/// button (or the heading when none is left).
fn revoke(st: &Rc<State>, id: String) {
    let Some(client) = st.client() else { return };
    let st = st.clone();
    let epoch = st.epoch.get();
    wasm_bindgen_futures::spawn_local(async move {
        let index = st.sessions.borrow().iter().position(|s| s.id == id);
        let name = st
            .sessions
            .borrow()
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.client.device_text(&st.locale.borrow().0))
            .unwrap_or_default();
        let done = client.delete("/api/v1/auth/sessions/", &id).await;
        if st.epoch.get() != epoch {
            return;
        }
        *st.confirming.borrow_mut() = None;
        // Gone either way: revoked now, or already (404).
        let outcome = match done {
            Ok(()) => Ok(st.text("sessions.signed_out", &[("name", &name)])),
            Err(e) if e.status == 404 => {
                Ok(st.text("sessions.already_signed_out", &[("name", &name)]))
            }
            Err(e) => Err(e),
        };
        match outcome {
            Ok(text) => {
                set_text(&st.root, "state", &text);
                match load_sessions(&st, &client, epoch).await {
                    Ok(true) => {}
                    Ok(false) => return,
                    Err(e) => return st.fail(&e),
                }
                let next = index.and_then(|i| {
                    let list = st.sessions.borrow();
                    let after = list.iter().skip(i).find(|s| !s.current);
                    after
                        .or_else(|| list.iter().rev().find(|s| !s.current))
                        .map(|s| s.id.clone())
                });
                match next {
                    Some(next) => st.focus_button("data-revoke", &next),
                    None => st.focus("#s-title"),
                }
            }
            Err(e) => {
                st.render_sessions();
                st.focus_button("data-revoke", &id);
                let text = st.text(
                    "sessions.sign_out_failed",
                    &[("name", &name), ("message", &e.message)],
                );
                st.show_error(&text, false);
            }
        }
    });
}

fn revoke_others(st: &Rc<State>) {
    let Some(client) = st.client() else { return };
    let st = st.clone();
    let epoch = st.epoch.get();
    wasm_bindgen_futures::spawn_local(async move {
        let answer = client.revoke_others().await;
        if st.epoch.get() != epoch {
            return;
        }
        toggle(el(&st.root, "others-yes"), "disabled", false);
        toggle(el(&st.root, "others-ask"), "hidden", true);
        match answer {
            Ok(v) => {
                let n = get(&v, "revoked").as_f64().unwrap_or(0.0) as u64;
                let text = match n {
                    1 => st.text("sessions.others_done_one", &[]),
                    n => st.text("sessions.others_done", &[("n", &n.to_string())]),
                };
                set_text(&st.root, "state", &text);
                match load_sessions(&st, &client, epoch).await {
                    Ok(true) => st.focus("#s-title"),
                    Ok(false) => {}
                    Err(e) => st.fail(&e),
                }
            }
            Err(e) => {
                st.render_sessions();
                st.focus("#others");
                let text = st.text("sessions.others_failed", &[("message", &e.message)]);
                st.show_error(&text, false);
            }
        }
    });
}

impl Profile {
    fn new(host: HtmlElement) -> Profile {
        let init = web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open);
        let Some(root) = host
            .shadow_root()
            .or_else(|| host.attach_shadow(&init).ok())
        else {
            return Profile { state: None };
        };
        root.set_inner_html(TEMPLATE);
        apply_texts(&root, "main", &Catalog::default());
        set_text(&root, "state", Catalog::default().get(LOADING));
        let state = Rc::new(State {
            host,
            root,
            client: RefCell::new(None),
            listener: RefCell::new(None),
            sessions: RefCell::new(Vec::new()),
            confirming: RefCell::new(None),
            tab: Cell::new(0),
            offset: Cell::new(0),
            total: Cell::new(0),
            asked: Cell::new(0),
            epoch: Cell::new(0),
            locale: RefCell::new(Intl::default()),
            sections: Cell::new([true; 4]),
            passkeys: RefCell::new(Vec::new()),
            editing: RefCell::new(None),
            apps: RefCell::new(Vec::new()),
            removing: RefCell::new(None),
            codes_left: Cell::new(None),
            enrolling: RefCell::new(None),
        });
        let handlers: [(&str, &str, Handler); 3] = [
            ("click", "", on_click),
            ("submit", "", on_submit),
            ("keydown", "tabs", on_key),
        ];
        for (event, id, f) in handlers {
            let target: web_sys::EventTarget = match id {
                "" => state.root.clone().into(),
                id => match el(&state.root, id) {
                    Some(e) => e.into(),
                    None => continue,
                },
            };
            let st = state.clone();
            let cb = Closure::<dyn FnMut(web_sys::Event)>::new(move |e| f(&st, e));
            let _ = target.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref());
            // Lives as long as the element's shadow root, which is as long as the page.
            cb.forget();
        }
        Profile { state: Some(state) }
    }
}

#[wasm_bindgen]
impl Profile {
    /// The element was attached, or one of its attributes changed.
    pub fn connected(&self) {
        if let Some(s) = &self.state {
            s.sync();
        }
    }

    /// The element left the document: its client goes; one is made again if it comes back.
    pub fn disconnected(&self) {
        if let Some(s) = &self.state {
            s.drop_client();
        }
    }
}
