//! `IHttpServer::NotifyCustomNotification`: the module implements the
//! `ICustomNotificationProvider` IIS hands to every subscribed global module.

use super::HttpServer;
use crate::{Error, GlobalFlow, Result};
use core::cell::Cell;
use core::ptr::NonNull;
use iis_sys::{
    GL_NOTIFICATION_HANDLED, HRESULT, ICustomNotificationProvider, ICustomNotificationProviderVtbl,
    IHttpEventProvider, IHttpEventProviderVtbl, PCWSTR, Ref, define_member_fn,
};

/// A custom notification's provider, made by the module that raises it:
/// the C++ object IIS hands to every subscribed module, vtable pointer
/// first, then ours. Both `IHttpServer::NotifyCustomNotification` (global)
/// and `IHttpContext::NotifyCustomNotification` (request) take one.
#[repr(C)]
pub(crate) struct CustomProvider {
    vtbl: *const ICustomNotificationProviderVtbl,
    /// The notification type, NUL-terminated UTF-16.
    kind: Vec<u16>,
    /// What a handler passed to `SetErrorStatus`.
    error: Cell<HRESULT>,
}

define_member_fn! {
    unsafe fn set_error_status(this: *mut IHttpEventProvider, error: HRESULT) {
        // SAFETY: IIS calls this slot only on the provider handed to
        // `NotifyCustomNotification`, alive during that call.
        if let Some(provider) = unsafe { this.cast::<CustomProvider>().as_ref() } {
            provider.error.set(error);
        }
    }

    unsafe fn query_type(this: *mut ICustomNotificationProvider) -> PCWSTR {
        // SAFETY: as above.
        match unsafe { this.cast::<CustomProvider>().as_ref() } {
            Some(provider) => PCWSTR(provider.kind.as_ptr()),
            None => PCWSTR::null(),
        }
    }
}

static VTBL: ICustomNotificationProviderVtbl = ICustomNotificationProviderVtbl {
    base: IHttpEventProviderVtbl {
        SetErrorStatus: set_error_status,
    },
    QueryNotificationType: query_type,
};

impl CustomProvider {
    /// The provider of a notification of type `kind`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a type with NUL.
    pub(crate) fn new(kind: &str) -> Result<Self> {
        if kind.contains('\0') {
            return Err(Error::InvalidInput {
                what: "custom notification type",
                reason: "contains NUL",
            });
        }
        Ok(Self {
            vtbl: &VTBL,
            kind: kind.encode_utf16().chain([0]).collect(),
            error: Cell::new(HRESULT(0)),
        })
    }

    /// The object IIS takes, live as long as this borrow.
    pub(crate) fn iface(&self) -> Ref<'_, ICustomNotificationProvider> {
        let raw = NonNull::from(self).cast::<ICustomNotificationProvider>();
        // SAFETY: `self` is an ICustomNotificationProvider (its vtable
        // first, `repr(C)`) for as long as it is borrowed; IIS calls only
        // the slots of `VTBL`, which take it by shared reference.
        unsafe { Ref::from_non_null(raw) }
    }

    /// What a handler passed to `SetErrorStatus`, as an error.
    ///
    /// # Errors
    /// [`Error::Server`] with that HRESULT.
    pub(crate) fn error(&self) -> Result<()> {
        Error::check(
            "ICustomNotificationProvider::SetErrorStatus",
            self.error.get(),
        )
    }
}

/// What [`HttpServer::notify_custom_notification`] does.
pub(crate) fn notify(server: &HttpServer, kind: &str) -> Result<GlobalFlow> {
    let provider = CustomProvider::new(kind)?;
    let status = server.iface().NotifyCustomNotification(provider.iface());
    provider.error()?;
    Ok(if status == GL_NOTIFICATION_HANDLED {
        GlobalFlow::Handled
    } else {
        GlobalFlow::Continue
    })
}
