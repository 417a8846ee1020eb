//! iis-host's event-log extension: what a module (through the iis-module
//! SDK, or any module that asks for it) writes to the Windows event log is
//! recorded instead, as an [`EventLogEntry`].
//!
//! Modules reach it with `IHttpServer2::GetExtendedInterface(IID_IHttpServer,
//! pServer, HOST_EVENT_LOG_IID, &out)`; IIS does not know the IID and
//! answers `E_NOINTERFACE`, so a module falls back to `ReportEventW`. The
//! object's vtable has one member-function slot:
//!
//! ```text
//! HRESULT ReportEvent(PCWSTR pszSource, WORD wType, WORD wCategory,
//!                     DWORD dwEventID, WORD wNumStrings,
//!                     const PCWSTR *lpStrings, DWORD dwDataSize,
//!                     const VOID *lpRawData);
//! ```
//!
//! (`iis_module::event_log::EventLog` documents the same ABI from the module side.)

use std::ffi::c_void;

use iis_sys::{
    GUID, HRESULT, IHostEventLog, IHostEventLogVtbl, Interface, PCWSTR, define_member_fn,
};

use crate::ffi::{E_INVALIDARG, S_OK, bytes, from_wide, wstr};
use crate::objects::with_owner;
use crate::state::host::HostCore;
use crate::transcript::{EventLogEntry, EventLogType};

/// The extension's IID (`iis_sys::IHostEventLog`).
pub(crate) const HOST_EVENT_LOG_IID: GUID = <IHostEventLog as Interface>::IID;

fn text(p: PCWSTR) -> Option<String> {
    // SAFETY: a module passes NUL-terminated strings or null.
    unsafe { wstr(p) }.map(from_wide)
}

define_member_fn! {
    /// `ReportEvent`: recorded (host event log and the current transcript).
    unsafe fn report_event(
        this: *mut IHostEventLog,
        source: PCWSTR,
        kind: u16,
        category: u16,
        event_id: u32,
        count: u16,
        strings: *const PCWSTR,
        size: u32,
        data: *const c_void,
    ) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |host: HostCore| {
            let Some(source) = text(source) else { return E_INVALIDARG };
            if count > 0 && strings.is_null() {
                return E_INVALIDARG;
            }
            let mut texts = Vec::with_capacity(count.into());
            for i in 0..usize::from(count) {
                // SAFETY: the module passes `count` readable string pointers.
                let Some(s) = text(unsafe { *strings.add(i) }) else { return E_INVALIDARG };
                texts.push(s);
            }
            // SAFETY: the module passes `size` readable bytes (or null for none).
            let Some(data) = (unsafe { bytes(data.cast(), size as usize) }) else { return E_INVALIDARG };
            let data = data.to_vec();
            host.report_event(EventLogEntry {
                source,
                kind: EventLogType::from_raw(kind),
                category,
                event_id,
                strings: texts,
                data,
            });
            S_OK
        })
    }
}

/// The extension's vtable.
pub(crate) static EVENT_LOG_VTBL: IHostEventLogVtbl = IHostEventLogVtbl {
    ReportEvent: report_event,
};
