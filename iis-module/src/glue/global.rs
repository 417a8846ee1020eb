//! Where a global notification enters: the C++ object IIS holds for a
//! global module (`CGlobalModule`), what every global hook runs inside
//! (panic containment, reporting) and `Terminate`. The vtable itself is
//! built from iis-sys's notification table in [`crate::global`].

use super::provider::ModuleEnv;
use crate::Result;
use crate::global::{GlobalFlow, GlobalModule};
use crate::panic::{contain, report};
use iis_sys::*;

/// Runs a global hook: panics and errors are logged, and the notification
/// continues.
pub(crate) fn run(
    hook: &'static str,
    body: impl FnOnce() -> Result<GlobalFlow>,
) -> GLOBAL_NOTIFICATION_STATUS {
    match contain(body) {
        Ok(Ok(GlobalFlow::Handled)) => GL_NOTIFICATION_HANDLED,
        Ok(Ok(GlobalFlow::Continue)) => GL_NOTIFICATION_CONTINUE,
        Ok(Err(error)) => {
            report!("iis-module: global {hook} failed: {error}");
            GL_NOTIFICATION_CONTINUE
        }
        Err(message) => {
            report!("iis-module: global {hook} panicked: {message}");
            GL_NOTIFICATION_CONTINUE
        }
    }
}

/// A global module as IIS sees it: the vtable pointer, then the module.
#[repr(C)]
pub(crate) struct GlobalObject<G> {
    vtbl: *const CGlobalModuleVtbl,
    pub(crate) env: ModuleEnv,
    pub(crate) module: G,
}

impl<G: GlobalModule> GlobalObject<G> {
    /// A heap object IIS owns until `Terminate`.
    pub(crate) fn new_raw(module: G, env: ModuleEnv) -> *mut CGlobalModule {
        Box::into_raw(Box::new(Self {
            vtbl: &Self::VTABLE,
            env,
            module,
        }))
        .cast()
    }

    /// Frees an object IIS never took.
    ///
    /// # Safety
    /// `raw` came from [`new_raw`](Self::new_raw) and was not handed to IIS.
    pub(crate) unsafe fn free_raw(raw: *mut CGlobalModule) {
        // SAFETY: per the contract we still own it.
        drop(unsafe { Box::from_raw(raw.cast::<Self>()) });
    }
}

define_member_fn! {
    pub(crate) unsafe fn terminate[G: GlobalModule](this: *mut CGlobalModule) {
        // SAFETY: IIS terminates the global module once, at shutdown.
        let object = unsafe { Box::from_raw(this.cast::<GlobalObject<G>>()) };
        let _scope = crate::diagnostics::Scope::enter(
            crate::diagnostics::Scope::new(object.env.server.map(|s| s.raw()), object.env.module_id),
        );
        if contain(|| drop(object)).is_err() {
            report!("iis-module: {} panicked in Drop", core::any::type_name::<G>());
        }
    }
}
