//! What the SDK's custom elements share: the one JavaScript class shim, the shadow-root
//! helpers, and the colour themes (`theme="light|dark|auto"` over `--latchkey-*` properties).

use wasm_bindgen::prelude::*;
use web_sys::{Element, ShadowRoot};

// The one piece that cannot be Rust: a class extending HTMLElement. It forwards the element's
// life-cycle to the Rust object that `make` returns.
#[wasm_bindgen(inline_js = "export function define(tag, observed, make) {
  if (customElements.get(tag)) return;
  customElements.define(tag, class extends HTMLElement {
    static get observedAttributes() { return observed; }
    connectedCallback() { (this.__latchkey ??= make(this)).connected(); }
    attributeChangedCallback() { if (this.isConnected) this.__latchkey?.connected(); }
    disconnectedCallback() { this.__latchkey?.disconnected(); }
  });
}")]
extern "C" {
    /// Defines `tag` (once), re-running `connected()` when one of `observed` changes.
    pub(crate) fn define(tag: &str, observed: Vec<JsValue>, make: &JsValue);
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
