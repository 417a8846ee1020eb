//! Panics stop at the FFI edge, all of them. Every call into module code
//! (hooks, factories, `Drop`, and the `log` logger the module installed)
//! runs under [`contain`]. A panic's payload is module data too: its `Drop`
//! may panic again, which outside `catch_unwind` aborts the worker process,
//! so the payload is dropped under `catch_unwind` as well and a second
//! payload is leaked rather than dropped.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs `f`; a panic becomes `Err` with the panic's message.
pub(crate) fn contain<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let message = message_of(payload.as_ref());
        drop_payload(payload);
        message
    })
}

/// The message of a panic payload (`&str` or `String`, as `panic!` makes).
fn message_of(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".to_owned())
}

/// Drops a payload whose `Drop` may itself panic.
fn drop_payload(payload: Box<dyn Any + Send>) {
    if let Err(again) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(again);
    }
}

/// Reports an error the SDK handled, through the one channel of
/// [`crate::diagnostics::report`]: the host's diagnostics (iis-host), else
/// the module's `log` logger, which may panic (contained there).
macro_rules! report {
    ($($arg:tt)*) => {
        $crate::diagnostics::report(log::Level::Error, format_args!($($arg)*))
    };
}
pub(crate) use report;

#[cfg(test)]
mod tests {
    use super::*;

    /// A payload that panics when dropped.
    struct Bomb;

    impl Drop for Bomb {
        fn drop(&mut self) {
            panic!("the payload's Drop panics too");
        }
    }

    #[test]
    fn a_payload_whose_drop_panics_is_contained() {
        let outcome = contain(|| -> () { std::panic::panic_any(Bomb) });
        assert_eq!(outcome, Err("non-string panic payload".to_owned()));
        assert_eq!(
            contain(|| panic!("plain")),
            Err::<(), _>("plain".to_owned())
        );
        assert_eq!(contain(|| 7), Ok(7));
    }
}
