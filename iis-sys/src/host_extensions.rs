//! Interfaces beyond httpserv.h that a *host* other than IIS may offer a
//! module, reached exactly like IIS's newer interfaces: through
//! `IHttpServer2::GetExtendedInterface`. IIS itself answers
//! `E_NOINTERFACE`, so a module falls back to the Windows facility. iis-host
//! implements them so that tests can observe what a module did.

use crate::{GUID, HRESULT, Interface, PCWSTR, member_fn};
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
