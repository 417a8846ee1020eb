//! Global notifications: every global module subscribed to the notification,
//! in priority then load order, until one returns `GL_NOTIFICATION_HANDLED`.

use std::ffi::c_void;

use iis_sys::{CGlobalModule, GL_NOTIFICATION_HANDLED, GLOBAL_NOTIFICATION_STATUS};

use crate::state::RequestCore;
use crate::state::host::HostCore;
use crate::transcript::{GlobalNotification, HostEvent};

/// Builds `call_slot` from iis-sys's table of global notifications.
macro_rules! global_call_slot {
    ($(
        $variant:ident = $mask:ident:
            $(#[$doc:meta])*
            $hook:ident / $slot:ident ($alias:literal) $(: $provider:ident($raw:ty))?;
    )*) => {
        /// Calls the `CGlobalModule` slot of `notification`.
        ///
        /// # Safety
        ///
        /// `module` is a live global module; `provider` is a live provider of the
        /// type the slot expects (or null for none).
        unsafe fn call_slot(
            module: *mut CGlobalModule,
            notification: GlobalNotification,
            provider: *mut c_void,
        ) -> GLOBAL_NOTIFICATION_STATUS {
            use iis_sys::*;
            // SAFETY: a global module starts with its vtable pointer.
            let v = unsafe { &*(*module).lpVtbl };
            // SAFETY: the slot of the notification with the provider type the
            // table gives it (the caller built that provider).
            unsafe {
                match notification {
                    $(GlobalNotification::$variant => (v.$slot)(module $(, provider.cast::<$raw>())?),)*
                }
            }
        }
    };
}

iis_sys::global_notifications!(global_call_slot);

/// Raises a global notification; whether a module handled it. The events
/// go to `request`'s transcript when given, else to the request running on
/// this thread, else to the host's events.
pub(crate) fn notify_global(
    host: &HostCore,
    notification: GlobalNotification,
    provider: *mut c_void,
    request: Option<&RequestCore>,
) -> bool {
    let modules = host.modules();
    for &index in modules.global_order(notification) {
        let module = &modules[index];
        // SAFETY: the global module registered by this module, alive until
        // Terminate; the provider is the caller's live provider.
        let status = unsafe { call_slot(module.registered.global.0, notification, provider) };
        let handled = status == GL_NOTIFICATION_HANDLED;
        let event = HostEvent::GlobalNotification {
            module: module.name.clone(),
            notification,
            handled,
        };
        match request {
            Some(core) => core.event(event),
            None => match super::with_current(|core| core.event(event.clone())) {
                Some(()) => {}
                None => host.event(event),
            },
        }
        if handled {
            return true;
        }
    }
    false
}
