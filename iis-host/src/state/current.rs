//! The request whose pipeline runs on this thread (a thread-local pointer
//! to its [`RequestCore`]), set by the engine while the pool polls it.

use std::cell::Cell;

use crate::state::request_core::RequestCore;
use crate::transcript::ApiCall;

thread_local! {
    /// The request whose pipeline this thread is running (set while the
    /// pool polls it).
    static CURRENT: Cell<*const RequestCore> = const { Cell::new(std::ptr::null()) };
}

/// Runs `f` with the request whose pipeline runs on this thread, if any.
pub(crate) fn with_current<R>(f: impl FnOnce(&RequestCore) -> R) -> Option<R> {
    let current = CURRENT.with(Cell::get);
    // SAFETY: `CURRENT` is set only while `execute` runs that request on this
    // thread, and reset before its core is freed.
    unsafe { current.as_ref() }.map(f)
}

/// Records `call` in the current request; gives it back when there is none.
pub(crate) fn record_in_current(call: ApiCall) -> Option<ApiCall> {
    let mut call = Some(call);
    with_current(|core| {
        if let Some(call) = call.take() {
            core.record(call);
        }
    });
    call
}

/// Restores the previous current request on drop.
pub(crate) struct CurrentGuard(*const RequestCore);

impl CurrentGuard {
    /// Makes `core` this thread's current request until the guard drops.
    pub(crate) fn set(core: &RequestCore) -> Self {
        CurrentGuard(CURRENT.with(|c| c.replace(core)))
    }
}

impl Drop for CurrentGuard {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.0));
    }
}
