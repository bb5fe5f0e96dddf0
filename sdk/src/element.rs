//! What the SDK's custom elements share: the one JavaScript class shim, the shadow-root
//! helpers, the colour themes (`theme="light|dark|auto"` over `--latchkey-*` properties), and
//! their language (`lang`, else the page's, else the browser's) with the page's own texts
//! (`texts`, a JSON object from text keys to words).

use latchkey_core::browser::i18n::{Catalog, Lang};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, ShadowRoot};

// The one piece that cannot be Rust: a class extending HTMLElement. It forwards the element's
// life-cycle to the Rust object that `make` returns. The language and `texts` readers share its
// module (one file fewer for a page to fetch).
#[wasm_bindgen(inline_js = "export function define(tag, observed, make) {
  if (customElements.get(tag)) return;
  customElements.define(tag, class extends HTMLElement {
    static get observedAttributes() { return observed; }
    connectedCallback() { (this.__latchkey ??= make(this)).connected(); }
    attributeChangedCallback() { if (this.isConnected) this.__latchkey?.connected(); }
    disconnectedCallback() { this.__latchkey?.disconnected(); }
  });
}
export function wanted_languages(host) {
  const own = host.closest('[lang]')?.getAttribute('lang');
  return [own, ...(navigator.languages ?? [navigator.language])].filter((l) => typeof l === 'string' && l);
}
export function text_overrides(host) {
  const raw = host.getAttribute('texts');
  if (raw === null || raw.trim() === '') return [];
  try {
    const o = JSON.parse(raw);
    if (o === null || typeof o !== 'object' || Array.isArray(o)) return undefined;
    return Object.entries(o).filter(([, v]) => typeof v === 'string');
  } catch { return undefined; }
}")]
extern "C" {
    /// Defines `tag` (once), re-running `connected()` when one of `observed` changes.
    pub(crate) fn define(tag: &str, observed: Vec<JsValue>, make: &JsValue);
    /// The element's (or its nearest ancestor's) `lang`, then the browser's languages.
    fn wanted_languages(host: &HtmlElement) -> js_sys::Array;
    /// The `texts` attribute's [key, text] pairs; undefined when it is not a JSON object.
    fn text_overrides(host: &HtmlElement) -> Option<js_sys::Array>;
}

/// The element's texts: its language's, under the page's overrides. A `texts` attribute that
/// is not a JSON object, or names keys no text has, is reported on the console (for the
/// page's developer) and the rest is used.
pub(crate) fn catalog(host: &HtmlElement, tag: &str) -> Catalog {
    let wanted: Vec<String> = wanted_languages(host)
        .iter()
        .filter_map(|l| l.as_string())
        .collect();
    let lang = Lang::pick(wanted.iter().map(String::as_str));
    let pairs: Vec<(String, String)> = match text_overrides(host) {
        Some(pairs) => pairs
            .iter()
            .filter_map(|p| {
                let p: js_sys::Array = p.dyn_into().ok()?;
                Some((p.get(0).as_string()?, p.get(1).as_string()?))
            })
            .collect(),
        None => {
            warn(tag, "its texts attribute is not a JSON object of strings");
            Vec::new()
        }
    };
    let (catalog, unknown) = Catalog::new(lang).with_overrides(pairs);
    if !unknown.is_empty() {
        warn(tag, &format!("texts names no text: {}", unknown.join(", ")));
    }
    catalog
}

pub(crate) fn warn(tag: &str, message: &str) {
    web_sys::console::warn_1(&format!("<{tag}>: {message}").into());
}

/// Puts the fixed words of the shadow root's markup in the catalog's language: an element's
/// `data-t` key gives its text, `data-t-alt` its `alt`, `data-t-label` its `aria-label`; and
/// `lang` on `container`, for screen readers.
pub(crate) fn apply_texts(root: &ShadowRoot, container: &str, texts: &Catalog) {
    for (attr, target) in [
        ("data-t", None),
        ("data-t-alt", Some("alt")),
        ("data-t-label", Some("aria-label")),
    ] {
        let Ok(all) = root.query_selector_all(&format!("[{attr}]")) else {
            continue;
        };
        for e in (0..all.length())
            .filter_map(|i| all.item(i))
            .filter_map(|n| n.dyn_into::<Element>().ok())
        {
            let Some(key) = e.get_attribute(attr) else {
                continue;
            };
            match target {
                None => e.set_text_content(Some(texts.get(&key))),
                Some(a) => {
                    let _ = e.set_attribute(a, texts.get(&key));
                }
            }
        }
    }
    if let Some(c) = el(root, container) {
        let _ = c.set_attribute("lang", texts.lang().code());
    }
}

/// The light theme's defaults, each overridden by its `--latchkey-*` property. Every pair
/// reaches 4.5:1 (input borders 3:1 or more), measured by the browser tests.
macro_rules! light_theme {
    () => {
        "--lk-fg:var(--latchkey-fg,#1b1b1f);--lk-bg:var(--latchkey-bg,#fff);--lk-accent:var(--latchkey-accent,#2f5fd0);--lk-accent-fg:var(--latchkey-accent-fg,#fff);--lk-error:var(--latchkey-error,#b3261e);--lk-border:var(--latchkey-border,#767676);--lk-input-bg:var(--latchkey-input-bg,#fff);--lk-input-fg:var(--latchkey-input-fg,#1b1b1f);--lk-muted:var(--latchkey-muted,#5b5e66);color-scheme:light"
    };
}

/// The dark theme's defaults: for `theme="dark"`, and for `theme="auto"` when the system is
/// dark.
macro_rules! dark_theme {
    () => {
        "--lk-fg:var(--latchkey-fg,#e8eaed);--lk-bg:var(--latchkey-bg,#1b1d22);--lk-accent:var(--latchkey-accent,#8ab4f8);--lk-accent-fg:var(--latchkey-accent-fg,#10141c);--lk-error:var(--latchkey-error,#ffb4ab);--lk-border:var(--latchkey-border,#9aa0a6);--lk-input-bg:var(--latchkey-input-bg,#26292f);--lk-input-fg:var(--latchkey-input-fg,#e8eaed);--lk-muted:var(--latchkey-muted,#bdc1c6);color-scheme:dark"
    };
}

/// The host's theme rules, then `host` (the element's own host declarations).
macro_rules! themed_host {
    ($host:literal) => {
        concat!(
            ":host{",
            light_theme!(),
            ";",
            $host,
            "}\n:host([theme=dark]){",
            dark_theme!(),
            "}\n@media (prefers-color-scheme:dark){:host([theme=auto]){",
            dark_theme!(),
            "}}\n:host([hidden]){display:none}\n"
        )
    };
}

pub(crate) fn el(root: &ShadowRoot, id: &str) -> Option<Element> {
    root.get_element_by_id(id)
}

pub(crate) fn set_text(root: &ShadowRoot, id: &str, text: &str) {
    if let Some(e) = el(root, id) {
        e.set_text_content(Some(text));
    }
}

/// Sets (`on`) or removes a boolean attribute.
pub(crate) fn toggle(e: Option<Element>, attr: &str, on: bool) {
    if let Some(e) = e {
        let _ = if on {
            e.set_attribute(attr, "")
        } else {
            e.remove_attribute(attr)
        };
    }
}
