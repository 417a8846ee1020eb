//! Global modules (`CGlobalModule`): one instance for the worker process,
//! notified of server-wide events, possibly from many threads at once. The
//! trait, masks, thunks and vtable come from iis-sys's notification table
//! ([`iis_sys::global_notifications!`], which iis-host reads too).
//!
//! Here are [`GlobalModule`] and [`GlobalFlow`] (both also at the crate
//! root), the subscription mask type [`GlobalNotifications`], and the
//! provider each global hook receives ([`PreBeginRequest`],
//! [`CacheOperation`], [`TraceEvent`], …). A custom notification reaches
//! global and request modules alike with the one provider type
//! [`request::CustomNotification`](crate::request::CustomNotification). What the
//! providers hand out (cache records, file and token entries, trace events,
//! applications) are server-wide views in [`crate::server`].
//!
//! A global notification enters the SDK in the crate-private `glue/global.rs`
//! (the object IIS calls), then reaches the hook through the thunk this
//! module generates.

mod providers;

pub use iis_sys::GlobalNotifications;
pub use providers::{
    ApplicationEvent, ApplicationPreload, CacheOperation, ConfigurationChange, FileChange,
    PreBeginRequest, ResolveModules, RscaQuery, StopListening, SuspendProcess, ThreadCleanup,
    TraceEvent,
};

use crate::glue::global::{GlobalObject, run, terminate};
use crate::glue::provider::GlobalProvider;
use crate::glue::str_eq;
use crate::request::CustomNotification;
use crate::{Error, Result};
use iis_sys::*;

/// What a global hook returns (`GLOBAL_NOTIFICATION_STATUS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GlobalFlow {
    /// Let the next global module see the notification.
    Continue,
    /// The notification is handled; later global modules are skipped.
    Handled,
}

macro_rules! global_hooks {
    ($(
        $variant:ident = $mask:ident:
            $(#[$doc:meta])*
            $hook:ident / $slot:ident ($alias:literal) $(: $provider:ident($raw:ty))?;
    )*) => {
        /// An IIS global module: one instance for the worker process.
        ///
        /// Hooks take `&self` because IIS raises global notifications on many
        /// threads at once (`on_pre_begin_request` runs for every request), so
        /// the module is `Send + Sync` and keeps its state in atomics or locks.
        /// Put `#[global_module]` on the `impl` block: it subscribes the
        /// module to exactly the notifications it implements. An `Err` or a
        /// panic is logged and the notification continues; the module is
        /// dropped at `Terminate`.
        ///
        /// ```no_run
        /// use iis_module::prelude::*;
        /// use std::sync::atomic::{AtomicU64, Ordering};
        ///
        /// #[derive(Default)]
        /// struct CountRequests(AtomicU64);
        ///
        /// #[global_module]
        /// impl GlobalModule for CountRequests {
        ///     fn on_pre_begin_request(&self, _: &mut PreBeginRequest) -> Result<GlobalFlow> {
        ///         self.0.fetch_add(1, Ordering::Relaxed);
        ///         Ok(GlobalFlow::Continue)
        ///     }
        /// }
        /// ```
        pub trait GlobalModule: Send + Sync + 'static {
            $(
                $(#[$doc])*
                #[doc(alias = $alias)]
                fn $hook(&self $(, provider: &mut $provider)?) -> Result<GlobalFlow> {
                    $(let _: &mut $provider = provider;)?
                    Ok(GlobalFlow::Continue)
                }
            )*
        }

        const HOOK_MASKS: &[(&str, u32)] = &[$((stringify!($hook), $mask)),*];

        $(
            define_member_fn! {
                unsafe fn $hook[G: GlobalModule](
                    this: *mut CGlobalModule
                    $(, provider: *mut <$provider as GlobalProvider>::Raw)?
                ) -> GLOBAL_NOTIFICATION_STATUS {
                    // SAFETY: IIS calls this slot only on objects made by
                    // `GlobalObject::new_raw` for `G`; shared access only.
                    let object = unsafe { &*this.cast::<GlobalObject<G>>() };
                    let _scope = crate::diagnostics::Scope::enter(
                        crate::diagnostics::Scope::new(object.env.server.map(|s| s.raw()), object.env.module_id),
                    );
                    run(stringify!($hook), || {
                        $(
                            let provider = core::ptr::NonNull::new(provider)
                                .ok_or(Error::NullPointer { operation: "global event provider" })?;
                            // SAFETY: live provider for the notification.
                            let mut provider = unsafe { $provider::from_raw(provider, object.env) };
                        )?
                        object.module.$hook($(&mut provider as &mut $provider)?)
                    })
                }
            }
        )*

        impl<G: GlobalModule> GlobalObject<G> {
            pub(crate) const VTABLE: CGlobalModuleVtbl = CGlobalModuleVtbl {
                $($slot: $hook::<G>,)*
                Terminate: terminate::<G>,
            };
        }
    };
}

iis_sys::global_notifications!(global_hooks);

/// Implemented by `#[global_module]`: the names of the hooks the annotated
/// `impl GlobalModule` block defines.
///
/// # Safety
/// `IMPLEMENTED` must list exactly the overridden hooks; only the attribute
/// may implement this trait.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a registered IIS global module",
    label = "add `#[global_module]` to its `impl GlobalModule for {Self}` block"
)]
pub unsafe trait GlobalHooks: GlobalModule {
    /// Names of the overridden hooks.
    const IMPLEMENTED: &'static [&'static str];
}

/// The `GL_*` mask of a global module.
pub(crate) const fn global_mask(implemented: &[&str]) -> u32 {
    let mut mask = 0;
    let mut i = 0;
    while i < implemented.len() {
        let mut j = 0;
        while j < HOOK_MASKS.len() {
            if str_eq(HOOK_MASKS[j].0, implemented[i]) {
                mask |= HOOK_MASKS[j].1;
            }
            j += 1;
        }
        i += 1;
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_mask_comes_from_the_implemented_hooks() {
        assert_eq!(
            global_mask(&["on_pre_begin_request", "on_application_stop"]),
            GL_PRE_BEGIN_REQUEST | GL_APPLICATION_STOP
        );
        assert_eq!(HOOK_MASKS.len(), 16);
    }
}
