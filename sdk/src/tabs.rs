//! The browser side of sharing tokens between tabs: Web Locks (an exclusive lock serialises
//! refreshes; a shared "holder" lock per tab with tokens, named for when they are due, tells
//! the others which fresh tokens exist) and the timers the client waits with. Where the browser
//! has no Web Locks (older browsers; pages that are not a secure context), the refresh lock is
//! one within the tab: calls from one tab still refresh one at a time, but tabs do not
//! coordinate, so such pages should keep to one tab or serve over HTTPS.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// `navigator.locks` (bound here: web-sys keeps the Web Locks API behind an unstable flag).
    type LockManager;
    #[wasm_bindgen(method)]
    fn request(this: &LockManager, name: &str, options: &JsValue, callback: &JsValue) -> Promise;
    #[wasm_bindgen(method)]
    fn query(this: &LockManager) -> Promise;
}

fn lock_manager() -> Option<LockManager> {
    let navigator = web_sys::window()?.navigator();
    let locks = Reflect::get(&navigator, &"locks".into()).ok()?;
    (!locks.is_undefined() && !locks.is_null()).then(|| locks.unchecked_into())
}

/// A held lock; dropping it releases the lock.
pub struct Lock {
    release: Release,
}

enum Release {
    /// A Web Lock: resolving this promise ends the lock's callback.
    Web(Function),
    /// This tab's own lock of that name (where Web Locks are missing).
    Local(String),
}

thread_local! {
    /// Without Web Locks: for each exclusive lock this tab holds, who waits for it, in order.
    /// (A list, not a map: a tab holds one or two names, and a map would cost the .wasm more.)
    static LOCAL: RefCell<Vec<(String, VecDeque<Function>)>> = RefCell::default();
}

impl Drop for Lock {
    fn drop(&mut self) {
        match &self.release {
            Release::Web(f) => {
                let _ = f.call0(&JsValue::NULL);
            }
            Release::Local(name) => {
                // Hand the lock to the next in line, or free it.
                let next = LOCAL.with(|m| {
                    let mut m = m.borrow_mut();
                    let at = m.iter().position(|(n, _)| n == name)?;
                    let next = m.get_mut(at)?.1.pop_front();
                    if next.is_none() {
                        m.swap_remove(at);
                    }
                    next
                });
                if let Some(f) = next {
                    let _ = f.call0(&JsValue::NULL);
                }
            }
        }
    }
}

/// An exclusive lock within this tab: calls from one tab still refresh one at a time.
async fn local_lock(name: &str) -> Lock {
    let wait = LOCAL.with(|m| {
        let mut m = m.borrow_mut();
        match m.iter_mut().find(|(n, _)| n == name) {
            None => {
                m.push((name.to_owned(), VecDeque::new()));
                None
            }
            Some((_, queue)) => Some(Promise::new(&mut |resolve, _| queue.push_back(resolve))),
        }
    });
    if let Some(p) = wait {
        let _ = JsFuture::from(p).await;
    }
    Lock {
        release: Release::Local(name.to_owned()),
    }
}

/// A place for a promise's resolver, filled when the promise is made and taken when it is called.
pub type Slot = Rc<RefCell<Option<Function>>>;

/// Waits for the lock `name`: `exclusive` (always granted: where the browser has no Web Locks,
/// or refuses the request, a lock within this tab) or `shared` (`None` without Web Locks).
pub async fn lock(name: &str, mode: &str) -> Option<Lock> {
    let web = match lock_manager() {
        Some(locks) => web_lock(&locks, name, mode).await,
        None => None,
    };
    match web {
        Some(l) => Some(l),
        None if mode == "exclusive" => Some(local_lock(name).await),
        None => None,
    }
}

async fn web_lock(locks: &LockManager, name: &str, mode: &str) -> Option<Lock> {
    let granted: Slot = Rc::default();
    let refused: Slot = Rc::default();
    let release: Slot = Rc::default();
    let acquired = Promise::new(&mut |resolve, reject| {
        *granted.borrow_mut() = Some(resolve);
        *refused.borrow_mut() = Some(reject);
    });
    let release_in = release.clone();
    // Called by the browser once the lock is ours; the lock is held until the promise it
    // returns settles, that is until `Lock` is dropped.
    let on_grant = Closure::once_into_js(move |_lock: JsValue| -> Promise {
        let held = Promise::new(&mut |resolve, _| *release_in.borrow_mut() = Some(resolve));
        wake(&granted);
        held
    });
    let options = js_sys::Object::new();
    Reflect::set(&options, &"mode".into(), &mode.into()).ok()?;
    let pending = locks.request(name, &options, &on_grant);
    // A refusal (an opaque origin, a document being unloaded) rejects `acquired` instead of
    // leaving it pending for ever.
    if let Some(reject) = refused.borrow_mut().take() {
        let catch: Function = Reflect::get(&pending, &"catch".into())
            .ok()?
            .dyn_into()
            .ok()?;
        let _ = catch.call1(&pending, &reject);
    }
    JsFuture::from(acquired).await.ok()?;
    let release = release.borrow_mut().take()?;
    Some(Lock {
        release: Release::Web(release),
    })
}

/// The names of the locks held in this origin, by any tab; none without Web Locks.
pub async fn held_lock_names() -> Vec<String> {
    let Some(locks) = lock_manager() else {
        return vec![];
    };
    let Ok(state) = JsFuture::from(locks.query()).await else {
        return vec![];
    };
    let held: Array = Reflect::get(&state, &"held".into())
        .ok()
        .and_then(|h| h.dyn_into().ok())
        .unwrap_or_default();
    held.iter()
        .filter_map(|l| Reflect::get(&l, &"name".into()).ok()?.as_string())
        .collect()
}

/// Resolves after `ms`, or as soon as `wake` is called (whichever comes first).
pub async fn sleep_or_wake(ms: i32, wake: &Slot) {
    let p = Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
        *wake.borrow_mut() = Some(resolve);
    });
    let _ = JsFuture::from(p).await;
    wake.borrow_mut().take();
}

/// Wakes a `sleep_or_wake` in progress, if any.
pub fn wake(slot: &Slot) {
    if let Some(f) = slot.borrow_mut().take() {
        let _ = f.call0(&JsValue::NULL);
    }
}
