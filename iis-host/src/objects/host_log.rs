//! iis-host's diagnostics extension (`iis_sys::IHostLog`): the errors a
//! module's SDK handled and the `log` records it forwarded are recorded as
//! [`ModuleLog`]s, where a developer looks (the request's transcript, the
//! host's log, `iis-host serve`'s console).
//!
//! Modules reach it with `IHttpServer2::GetExtendedInterface(IID_IHttpServer,
//! pServer, IID_IHostLog, &out)`; IIS answers `E_NOINTERFACE`. The object's
//! vtable has one member-function slot:
//!
//! ```text
//! HRESULT Log(HTTP_MODULE_ID moduleId, DWORD dwLevel, PCSTR pszTarget,
//!             DWORD cchTarget, PCSTR pszMessage, DWORD cchMessage);
//! ```

use iis_sys::{
    GUID, HRESULT, HTTP_MODULE_ID, IHostLog, IHostLogVtbl, Interface, PCSTR, define_member_fn,
};

use crate::ffi::{E_INVALIDARG, S_OK, bytes};
use crate::objects::with_owner;
use crate::state::host::HostCore;
use crate::transcript::{LogLevel, ModuleLog};

/// The extension's IID (`iis_sys::IHostLog`).
pub(crate) const HOST_LOG_IID: GUID = <IHostLog as Interface>::IID;

/// UTF-8 text of `len` bytes at `p` (lossy).
fn text(p: PCSTR, len: u32) -> Option<String> {
    // SAFETY: the module passes `len` readable bytes (or null for none).
    let raw = unsafe { bytes(p.0, len as usize) }?;
    Some(String::from_utf8_lossy(raw).into_owned())
}

define_member_fn! {
    /// `Log`: recorded (the host's module log and the current transcript).
    unsafe fn log(
        this: *mut IHostLog,
        module: HTTP_MODULE_ID,
        level: u32,
        target: PCSTR,
        target_len: u32,
        message: PCSTR,
        message_len: u32,
    ) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |host: HostCore| {
            let Some(level) = LogLevel::from_raw(level) else { return E_INVALIDARG };
            let (Some(target), Some(message)) = (text(target, target_len), text(message, message_len)) else {
                return E_INVALIDARG;
            };
            host.module_log(ModuleLog {
                module: host.module_name_of(module),
                level,
                target,
                message,
            });
            S_OK
        })
    }
}

/// The extension's vtable.
pub(crate) static HOST_LOG_VTBL: IHostLogVtbl = IHostLogVtbl { Log: log };
