//! `IHttpModuleRegistrationInfo2`: what `RegisterModule` receives to
//! subscribe its factory and global module and to set priorities.
//!
//! The object's address is the module's `HTTP_MODULE_ID` (`GetId`). As in
//! IIS, it is only meant to be used during `RegisterModule`; iis-host keeps it
//! alive for the host's life but ignores changes made after registration
//! (they return `E_FAIL`). A second `SetRequestNotifications` or
//! `SetGlobalNotifications` replaces the first registration, whose factory
//! or global module the host then terminates (nothing documents a refusal).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use iis_sys::{
    CGlobalModule, HRESULT, HTTP_MODULE_ID, IHttpModuleFactory, IHttpModuleRegistrationInfo,
    IHttpModuleRegistrationInfo2, IHttpModuleRegistrationInfo2Vtbl,
    IHttpModuleRegistrationInfoVtbl, PCWSTR, define_member_fn,
};

use crate::ffi::{E_FAIL, E_INVALIDARG, E_POINTER, S_OK, lock, to_wide, wstr};
use crate::loader::{Priority, Registered, set_bits};
use crate::objects::{Foreign, Obj, with_data};
use crate::state::object_data::RegistrationData;

impl RegistrationData {
    /// What the module registered so far.
    pub(crate) fn registered(&self) -> Registered {
        *lock(&self.state)
    }

    /// Ends registration: later changes are refused.
    pub(crate) fn close(&self) {
        self.open.store(false, Ordering::SeqCst);
    }

    /// The factories and global modules a later registration replaced.
    pub(crate) fn take_replaced(&self) -> Vec<Registered> {
        std::mem::take(&mut *lock(&self.replaced))
    }

    /// Keeps what a registration is about to replace (IIS keeps the last;
    /// the host terminates the earlier one, so it is not lost).
    fn replacing(&self, old: Registered) {
        if !old.factory.is_null() || !old.global.is_null() {
            lock(&self.replaced).push(old);
        }
    }

    fn change(&self, f: impl FnOnce(&mut Registered) -> HRESULT) -> HRESULT {
        if !self.open.load(Ordering::SeqCst) {
            return E_FAIL;
        }
        f(&mut lock(&self.state))
    }
}

/// A registration-info object for the module `name`.
pub(crate) fn registration(name: &str) -> Box<Obj<RegistrationData>> {
    let mut units = to_wide(name);
    units.push(0);
    Box::new(Obj::new(
        &REGISTRATION_VTBL,
        RegistrationData {
            name: units.into_boxed_slice(),
            state: Mutex::new(Registered::default()),
            replaced: Mutex::new(Vec::new()),
            open: AtomicBool::new(true),
        },
    ))
}

/// Reads a priority alias argument.
///
/// # Safety
///
/// `alias` is null or a NUL-terminated wide string.
unsafe fn alias(alias: PCWSTR) -> Option<Priority> {
    // SAFETY: forwarded contract.
    Priority::parse(unsafe { wstr(alias) }?)
}

define_member_fn! {
    /// `GetName`.
    unsafe fn get_name(this: *mut IHttpModuleRegistrationInfo) -> PCWSTR {
        with_data!(this, PCWSTR::null(), |data: RegistrationData| PCWSTR(data.name.as_ptr()))
    }

    /// `GetId`: the object's address.
    unsafe fn get_id(this: *mut IHttpModuleRegistrationInfo) -> HTTP_MODULE_ID {
        // SAFETY: this host issues its registration objects' addresses as
        // ids, and recognises them wherever an id comes back.
        unsafe { HTTP_MODULE_ID::from_raw(this.cast()) }
    }

    /// `SetRequestNotifications(factory, dwRequestNotifications, dwPostRequestNotifications)`.
    unsafe fn set_request_notifications(
        this: *mut IHttpModuleRegistrationInfo,
        factory: *mut IHttpModuleFactory,
        notifications: u32,
        post_notifications: u32,
    ) -> HRESULT {
        with_data!(this, E_POINTER, |data: RegistrationData| {
            if factory.is_null() {
                return E_INVALIDARG;
            }
            data.change(|r| {
                if !r.factory.is_null() && r.factory.0 != factory {
                    data.replacing(Registered { factory: r.factory, ..Registered::default() });
                }
                r.factory = Foreign(factory);
                r.request_mask = notifications;
                r.post_mask = post_notifications;
                S_OK
            })
        })
    }

    /// `SetGlobalNotifications(pGlobalModule, dwGlobalNotifications)`.
    unsafe fn set_global_notifications(
        this: *mut IHttpModuleRegistrationInfo,
        module: *mut CGlobalModule,
        notifications: u32,
    ) -> HRESULT {
        with_data!(this, E_POINTER, |data: RegistrationData| {
            if module.is_null() {
                return E_INVALIDARG;
            }
            data.change(|r| {
                if !r.global.is_null() && r.global.0 != module {
                    data.replacing(Registered { global: r.global, ..Registered::default() });
                }
                r.global = Foreign(module);
                r.global_mask = notifications;
                S_OK
            })
        })
    }

    /// `SetPriorityForRequestNotification(dwRequestNotification, pszPriority)`.
    unsafe fn set_request_priority(this: *mut IHttpModuleRegistrationInfo, mask: u32, priority: PCWSTR) -> HRESULT {
        with_data!(this, E_POINTER, |data: RegistrationData| {
            // SAFETY: a module passes a NUL-terminated alias or null.
            let Some(priority) = (unsafe { alias(priority) }) else { return E_INVALIDARG };
            data.change(|r| {
                set_bits(&mut r.request_priority, mask, priority);
                S_OK
            })
        })
    }

    /// `SetPriorityForGlobalNotification(dwGlobalNotification, pszPriority)`.
    unsafe fn set_global_priority(this: *mut IHttpModuleRegistrationInfo, mask: u32, priority: PCWSTR) -> HRESULT {
        with_data!(this, E_POINTER, |data: RegistrationData| {
            // SAFETY: a module passes a NUL-terminated alias or null.
            let Some(priority) = (unsafe { alias(priority) }) else { return E_INVALIDARG };
            data.change(|r| {
                set_bits(&mut r.global_priority, mask, priority);
                S_OK
            })
        })
    }

    /// `IHttpModuleRegistrationInfo2::SetPriorityForPostRequestNotification`.
    unsafe fn set_post_priority(this: *mut IHttpModuleRegistrationInfo2, mask: u32, priority: PCWSTR) -> HRESULT {
        with_data!(this, E_POINTER, |data: RegistrationData| {
            // SAFETY: a module passes a NUL-terminated alias or null.
            let Some(priority) = (unsafe { alias(priority) }) else { return E_INVALIDARG };
            data.change(|r| {
                set_bits(&mut r.post_priority, mask, Some(priority));
                S_OK
            })
        })
    }
}

/// `IHttpModuleRegistrationInfo2` (a plain cast gives `IHttpModuleRegistrationInfo`).
pub(crate) static REGISTRATION_VTBL: IHttpModuleRegistrationInfo2Vtbl =
    IHttpModuleRegistrationInfo2Vtbl {
        base: IHttpModuleRegistrationInfoVtbl {
            GetName: get_name,
            GetId: get_id,
            SetRequestNotifications: set_request_notifications,
            SetGlobalNotifications: set_global_notifications,
            SetPriorityForRequestNotification: set_request_priority,
            SetPriorityForGlobalNotification: set_global_priority,
        },
        SetPriorityForPostRequestNotification: set_post_priority,
    };
