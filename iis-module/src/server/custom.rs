//! `IHttpServer::NotifyCustomNotification`: the module implements the
//! `ICustomNotificationProvider` IIS hands to every subscribed global module.

use super::HttpServer;
use crate::{Error, GlobalFlow, Result};
use core::cell::Cell;
use iis_sys::{
    GL_NOTIFICATION_HANDLED, HRESULT, ICustomNotificationProvider, ICustomNotificationProviderVtbl,
    IHttpEventProvider, IHttpEventProviderVtbl, PCWSTR, define_member_fn,
};

/// The provider object: the C++ layout (vtable pointer first), then ours.
#[repr(C)]
struct Provider {
    vtbl: *const ICustomNotificationProviderVtbl,
    /// The notification type, NUL-terminated UTF-16.
    kind: Vec<u16>,
    /// What a handler passed to `SetErrorStatus`.
    error: Cell<HRESULT>,
}

define_member_fn! {
    unsafe fn set_error_status(this: *mut IHttpEventProvider, error: HRESULT) {
        // SAFETY: IIS calls this slot only on the `Provider` handed to
        // `NotifyCustomNotification`, alive during that call.
        if let Some(provider) = unsafe { this.cast::<Provider>().as_ref() } {
            provider.error.set(error);
        }
    }

    unsafe fn query_type(this: *mut ICustomNotificationProvider) -> PCWSTR {
        // SAFETY: as above.
        match unsafe { this.cast::<Provider>().as_ref() } {
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

/// What [`HttpServer::notify_custom_notification`] does.
pub(crate) fn notify(server: &HttpServer, kind: &str) -> Result<GlobalFlow> {
    if kind.contains('\0') {
        return Err(Error::InvalidInput {
            what: "custom notification type",
            reason: "contains NUL",
        });
    }
    let provider = Provider {
        vtbl: &VTBL,
        kind: kind.encode_utf16().chain([0]).collect(),
        error: Cell::new(HRESULT(0)),
    };
    let raw = (&provider as *const Provider).cast_mut();
    // SAFETY: the provider is a valid ICustomNotificationProvider (its
    // vtable first) living across the synchronous call.
    let status = unsafe { server.iface().NotifyCustomNotification(raw.cast()) };
    Error::check(
        "ICustomNotificationProvider::SetErrorStatus",
        provider.error.get(),
    )?;
    Ok(if status == GL_NOTIFICATION_HANDLED {
        GlobalFlow::Handled
    } else {
        GlobalFlow::Continue
    })
}
