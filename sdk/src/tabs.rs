//! The browser side of sharing tokens between tabs: Web Locks (an exclusive lock serialises
//! refreshes; a shared "holder" lock per tab with tokens, named for when they are due, tells
//! the others which fresh tokens exist) and the timers the client waits with. Every piece
//! degrades to "absent" where the browser lacks it: the client then refreshes on its own,
//! which is still safe in one tab.

use std::cell::RefCell;
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

/// A held Web Lock; dropping it releases the lock.
pub struct Lock {
    release: Function,
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = self.release.call0(&JsValue::NULL);
    }
}

type Slot = Rc<RefCell<Option<Function>>>;

/// Waits for the lock `name` (`exclusive` or `shared`); `None` where Web Locks are missing or
/// the browser refuses the request.
pub async fn lock(name: &str, mode: &str) -> Option<Lock> {
    let locks = lock_manager()?;
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
    Some(Lock { release })
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
