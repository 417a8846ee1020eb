//! Interfaces beyond httpserv.h that a *host* other than IIS may offer a
//! module, reached exactly like IIS's newer interfaces: through
//! `IHttpServer2::GetExtendedInterface`. IIS itself answers
//! `E_NOINTERFACE`, so a module falls back to the Windows facility. iis-host
//! implements them so that tests can observe what a module did.

use crate::{GUID, HRESULT, HTTP_MODULE_ID, Interface, PCSTR, PCWSTR, member_fn};
use core::ffi::c_void;

/// The event-log extension: asked for with
/// `GetExtendedInterface(IID_IHttpServer, pServer, IID_IHostEventLog, &out)`,
/// it receives the entries a module would write with `ReportEventW`. The
/// object lives as long as the server.
#[repr(C)]
#[derive(Debug)]
pub struct IHostEventLog {
    /// The vtable pointer.
    pub lpVtbl: *const IHostEventLogVtbl,
}

/// The vtable of [`IHostEventLog`].
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct IHostEventLogVtbl {
    /// Slot 0: `HRESULT ReportEvent(PCWSTR pszSource, WORD wType, WORD
    /// wCategory, DWORD dwEventID, WORD wNumStrings, const PCWSTR *lpStrings,
    /// DWORD dwDataSize, const VOID *lpRawData)`: `ReportEventW`'s arguments
    /// with the source name in place of the event-source handle.
    pub ReportEvent: member_fn!(
        (
            *mut IHostEventLog,
            PCWSTR,
            u16,
            u16,
            u32,
            u16,
            *const PCWSTR,
            u32,
            *const c_void
        ) -> HRESULT
    ),
}

impl Interface for IHostEventLog {
    const NAME: &'static str = "IHostEventLog";
    /// `{9A0DFA18-0ED6-4AF1-9AFD-5194646C493E}`.
    const IID: GUID = GUID::from_u128(0x9a0dfa18_0ed6_4af1_9afd_5194646c493e);
    type Vtable = IHostEventLogVtbl;
}

/// The diagnostics extension: asked for with
/// `GetExtendedInterface(IID_IHttpServer, pServer, IID_IHostLog, &out)`, it
/// receives the errors a module's SDK handled (a hook's `Err` turned into a
/// 500, a misused API) and the log records a module chose to forward. A
/// host records them where a developer looks (a test's transcript, a
/// server's console); IIS answers `E_NOINTERFACE` and the module keeps to
/// IIS's own channels. The object lives as long as the server.
#[repr(C)]
#[derive(Debug)]
pub struct IHostLog {
    /// The vtable pointer.
    pub lpVtbl: *const IHostLogVtbl,
}

/// The vtable of [`IHostLog`].
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct IHostLogVtbl {
    /// Slot 0: `HRESULT Log(HTTP_MODULE_ID moduleId, DWORD dwLevel, PCSTR
    /// pszTarget, DWORD cchTarget, PCSTR pszMessage, DWORD cchMessage)`: one
    /// record of the module `moduleId` (its `GetId`, or null when unknown).
    /// `dwLevel` is [`HOST_LOG_ERROR`] to [`HOST_LOG_TRACE`]; the target
    /// (where the record comes from, e.g. `iis_module`) and the message are
    /// UTF-8 of the given byte lengths, not NUL-terminated.
    pub Log: member_fn!(
        (
            *mut IHostLog,
            HTTP_MODULE_ID,
            u32,
            PCSTR,
            u32,
            PCSTR,
            u32
        ) -> HRESULT
    ),
}

impl Interface for IHostLog {
    const NAME: &'static str = "IHostLog";
    /// `{5C1E7A2D-93B4-4F0E-8A61-2D7F0B9C4E13}`.
    const IID: GUID = GUID::from_u128(0x5c1e7a2d_93b4_4f0e_8a61_2d7f0b9c4e13);
    type Vtable = IHostLogVtbl;
}

/// [`IHostLog`] level: an error (a request failed, an API was misused).
pub const HOST_LOG_ERROR: u32 = 1;
/// [`IHostLog`] level: a warning.
pub const HOST_LOG_WARN: u32 = 2;
/// [`IHostLog`] level: information.
pub const HOST_LOG_INFO: u32 = 3;
/// [`IHostLog`] level: debugging detail.
pub const HOST_LOG_DEBUG: u32 = 4;
/// [`IHostLog`] level: tracing detail.
pub const HOST_LOG_TRACE: u32 = 5;
