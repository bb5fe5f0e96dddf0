//! `<latchkey-profile>`: the signed-in user's own security page as a custom element: where
//! they are signed in (one card per session, "This device", sign out one after confirming,
//! sign out all other devices) and their login history in plain words (local time, how long
//! ago, "Failed: wrong password", place, device, risk badges), with All / Successful / Failed
//! tabs and paging. A table at 600 px and wider, cards below.
//!
//! Attributes: `client-id` (required), `base-url` (defaults to the page's origin),
//! `page-size` (history entries per page, 1 to 100, default 10), `theme` (`light`, `dark`,
//! `auto`), `lang` and `texts` (as `<latchkey-login>`'s). Children are shown after its sections (a page's own passkey and MFA settings).
//! It themes like `<latchkey-login>` (`--latchkey-*`, plus `--latchkey-muted`). The words and
//! the markup are `latchkey_core::browser::profile`'s; only the DOM and the calls are here.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use latchkey_core::browser::i18n::Catalog;
use latchkey_core::browser::profile::{
    history_html, page_text, session_html, sort_sessions, Client as Seen, HistoryEntry, Locale,
    SessionCard, TABS,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, ShadowRoot};

use crate::client::{text_field, Client};
use crate::element::{apply_texts, catalog, define, el, set_text, toggle};
use crate::error::SdkError;

pub const TAG: &str = "latchkey-profile";

const DEFAULT_PAGE: u32 = 10;

const LOADING: &str = "profile.loading";

#[wasm_bindgen(inline_js = "export function date_time(ms, lang) {
  return new Date(ms).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' });
}
export function relative(value, unit, lang) {
  return new Intl.RelativeTimeFormat(lang, { numeric: 'auto' }).format(value, unit);
}
export function region(code, lang) {
  try { return new Intl.DisplayNames([lang], { type: 'region' }).of(code) ?? code; } catch { return code; }
}")]
extern "C" {
    fn date_time(ms: f64, lang: &str) -> String;
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
/** `<latchkey-profile client-id="…" base-url="…" page-size="10" theme="light|dark|auto" lang="en|fr|de|es" texts='{"history.title":"…"}'>`, defined by `init()`. */
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
#sessions{list-style:none;margin:0;padding:0;display:grid;gap:.5rem}
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
#error{color:var(--lk-error)}
:focus-visible{outline:2px solid var(--lk-accent);outline-offset:2px}
[hidden]{display:none!important}
@container (max-width:600px){table,tbody,tr,td{display:block}thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}tr{border:1px solid var(--lk-border);border-radius:var(--latchkey-radius,.5rem);padding:.5rem .75rem;margin-bottom:.5rem}td{border:0;padding:.25rem 0}td::before{content:attr(data-label);display:block;font-size:.8rem;color:var(--lk-muted)}}
</style>
<p part="status" id="state" role="status" aria-live="polite"></p>
<p part="error" id="error" role="alert" hidden></p>
<button part="button retry" class="alt" id="retry" type="button" data-t="retry" hidden></button>
<div id="main" hidden>
<section part="section" aria-labelledby="s-title">
<h2 id="s-title" tabindex="-1" data-t="sessions.title"></h2>
<p id="s-note" class="muted" data-t="sessions.note"></p>
<ul id="sessions"></ul>
<div class="actions">
<button part="button" class="alt" id="others" type="button" data-t="sessions.others" hidden></button>
<span id="others-ask" class="actions" role="group" aria-labelledby="others-q" hidden><span id="others-q" data-t="sessions.others_confirm"></span><button id="others-yes" type="button" data-t="sessions.others_yes"></button><button class="alt" id="others-no" type="button" data-t="cancel"></button></span>
</div>
</section>
<section part="section" aria-labelledby="h-title">
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
<slot></slot>
</div>"#
);

/// Defines `<latchkey-profile>` (once; called when the module is initialised).
pub fn define_element() {
    let make = Closure::<dyn Fn(HtmlElement) -> JsValue>::new(|host| Profile::new(host).into());
    let observed = ["client-id", "base-url", "page-size", "lang", "texts"]
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
        for id in ["sessions", "history", "page"] {
            if let Some(e) = el(&self.root, id) {
                e.set_inner_html("");
            }
        }
        *self.confirming.borrow_mut() = None;
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
        }
        let client_id = self.host.get_attribute("client-id").unwrap_or_default();
        let base_url = self.host.get_attribute("base-url").unwrap_or_default();
        let same =
            matches!(&*self.client.borrow(), Some((b, c, _)) if *b == base_url && *c == client_id);
        if same {
            load_history(self);
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

/// Sessions and the first page of history.
fn load_all(st: &Rc<State>) {
    let Some(client) = st.client() else { return };
    let st = st.clone();
    st.busy(true);
    let epoch = st.epoch.get();
    wasm_bindgen_futures::spawn_local(async move {
        match load_sessions(&st, &client, epoch).await {
            Ok(false) => {}
            Ok(true) => {
                st.show_error("", false);
                set_text(&st.root, "state", "");
                toggle(el(&st.root, "main"), "hidden", false);
                st.offset.set(0);
                load_history(&st);
            }
            Err(e) => st.fail(&e),
        }
    });
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
        });
        let handlers: [(&str, &str, Handler); 2] =
            [("click", "", on_click), ("keydown", "tabs", on_key)];
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
