//! Global notifications: every global module subscribed to the notification,
//! in priority then load order, until one returns `GL_NOTIFICATION_HANDLED`.

use std::ffi::c_void;

use iis_sys::{CGlobalModule, GL_NOTIFICATION_HANDLED, GLOBAL_NOTIFICATION_STATUS};

use crate::host::HostCore;
use crate::loader::global_order;
use crate::pipeline::RequestCore;
use crate::transcript::{GlobalNotification, HostEvent};

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
    use GlobalNotification::*;
    // SAFETY: a global module starts with its vtable pointer.
    let v = unsafe { &*(*module).lpVtbl };
    let p = provider;
    // SAFETY: the slot of the notification with the provider type it declares.
    unsafe {
        match notification {
            ApplicationStart => (v.OnGlobalApplicationStart)(module, p.cast()),
            PreBeginRequest => (v.OnGlobalPreBeginRequest)(module, p.cast()),
            StopListening => (v.OnGlobalStopListening)(module, p.cast()),
            ApplicationStop => (v.OnGlobalApplicationStop)(module, p.cast()),
            ConfigurationChange => (v.OnGlobalConfigurationChange)(module, p.cast()),
            FileChange => (v.OnGlobalFileChange)(module, p.cast()),
            CustomNotification => (v.OnGlobalCustomNotification)(module, p.cast()),
            ApplicationResolveModules => (v.OnGlobalApplicationResolveModules)(module, p.cast()),
            CacheCleanup => (v.OnGlobalCacheCleanup)(module),
            CacheOperation => (v.OnGlobalCacheOperation)(module, p.cast()),
            HealthCheck => (v.OnGlobalHealthCheck)(module),
            RscaQuery => (v.OnGlobalRSCAQuery)(module, p.cast()),
            TraceEvent => (v.OnGlobalTraceEvent)(module, p.cast()),
            ThreadCleanup => (v.OnGlobalThreadCleanup)(module, p.cast()),
        }
    }
}

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
    for index in global_order(&modules, notification) {
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
