//! `IHttpTraceContext` (`IHttpContext::GetTraceContext`,
//! `IHttpServer::GetTraceContext`): iis-host reports every provider as
//! enabled at full verbosity, and records each `RaiseTraceEvent` and
//! `QuickTrace` as an [`ApiCall`].

use iis_sys::{
    BOOL, GUID, HRESULT, HTTP_MODULE_ID, HTTP_TRACE_CONFIGURATION, HTTP_TRACE_EVENT,
    IHttpTraceContext, IHttpTraceContextVtbl, PCWSTR, define_member_fn,
};

use crate::ffi::{E_INVALIDARG, E_NOTIMPL, S_OK, TRUE, from_wide, guard, hex, wstr};
use crate::host::HostCore;
use crate::objects::{Back, Obj};
use crate::pipeline::RequestCore;
use crate::transcript::ApiCall;

/// Whose trace context it is.
pub(crate) enum TraceOwner {
    /// A request's.
    Request(Back<RequestCore>),
    /// The server's.
    Host(Back<HostCore>),
}

impl TraceOwner {
    fn record(&self, call: ApiCall) {
        match self {
            // SAFETY: a trace context lives inside its owner.
            TraceOwner::Request(core) => unsafe { &*core.0 }.record(call),
            // SAFETY: as above.
            TraceOwner::Host(host) => unsafe { &*host.0 }.record(call),
        }
    }

    fn activity(&self) -> *const GUID {
        match self {
            // SAFETY: a trace context lives inside its owner.
            TraceOwner::Request(core) => unsafe { &(*core.0).activity_id },
            // SAFETY: as above.
            TraceOwner::Host(host) => unsafe { &(*host.0).activity_id },
        }
    }
}

/// `HTTP_TRACE_CONFIGURATION` (httptrace.h).
#[repr(C)]
struct TraceConfiguration {
    provider: *const GUID,
    areas: u32,
    verbosity: u32,
    enabled: BOOL,
}

/// `HTTP_TRACE_EVENT` (httptrace.h), the fields iis-host reads.
#[repr(C)]
struct TraceEvent {
    provider: *const GUID,
    area: u32,
    area_guid: *const GUID,
    event: u32,
    name: PCWSTR,
    version: u32,
    verbosity: u32,
    activity: *const GUID,
    related_activity: *const GUID,
    timestamp: u32,
    flags: u32,
    item_count: u32,
    items: *mut core::ffi::c_void,
}

/// `TRACE_LEVEL_VERBOSE`.
const VERBOSE: u32 = 5;

fn text(p: PCWSTR) -> String {
    // SAFETY: a module passes NUL-terminated strings or null.
    unsafe { wstr(p) }.map(from_wide).unwrap_or_default()
}

define_member_fn! {
    /// `GetTraceConfiguration`: every provider enabled, all areas, verbose.
    unsafe fn get_configuration(this: *mut IHttpTraceContext, config: *mut HTTP_TRACE_CONFIGURATION) -> HRESULT {
        if this.is_null() || config.is_null() {
            return E_INVALIDARG;
        }
        guard(E_INVALIDARG, || {
            let config = config.cast::<TraceConfiguration>();
            // SAFETY: the module passes a writable HTTP_TRACE_CONFIGURATION
            // (its pProviderGuid is the input and is left as is).
            unsafe {
                (*config).areas = u32::MAX;
                (*config).verbosity = VERBOSE;
                (*config).enabled = TRUE;
            }
            S_OK
        })
    }

    /// `SetTraceConfiguration`: not emulated.
    unsafe fn set_configuration(_this: *mut IHttpTraceContext, _module: HTTP_MODULE_ID, _config: *mut HTTP_TRACE_CONFIGURATION, _count: u32) -> HRESULT {
        E_NOTIMPL
    }

    /// `RaiseTraceEvent`: recorded.
    unsafe fn raise(this: *mut IHttpTraceContext, event: *mut HTTP_TRACE_EVENT) -> HRESULT {
        // SAFETY: the module calls this slot on a trace context the host handed out.
        let Some(owner) = (unsafe { Obj::<TraceOwner>::data(this.cast()) }) else { return E_INVALIDARG };
        if event.is_null() {
            return E_INVALIDARG;
        }
        guard(E_INVALIDARG, || {
            // SAFETY: a module passes a valid HTTP_TRACE_EVENT.
            let event = unsafe { &*event.cast::<TraceEvent>() };
            owner.record(ApiCall::TraceEvent {
                name: text(event.name),
                event: event.event,
                area: event.area,
                verbosity: event.verbosity,
            });
            S_OK
        })
    }

    /// `GetTraceActivityId`.
    unsafe fn activity_id(this: *mut IHttpTraceContext) -> *const GUID {
        // SAFETY: as in `raise`.
        match unsafe { Obj::<TraceOwner>::data(this.cast()) } {
            Some(owner) => owner.activity(),
            None => std::ptr::null(),
        }
    }

    /// `QuickTrace(pszData1, pszData2, hrLastError, Level)`: recorded.
    unsafe fn quick_trace(this: *mut IHttpTraceContext, data1: PCWSTR, data2: PCWSTR, hr: HRESULT, level: u8) -> HRESULT {
        // SAFETY: as in `raise`.
        let Some(owner) = (unsafe { Obj::<TraceOwner>::data(this.cast()) }) else { return E_INVALIDARG };
        guard(E_INVALIDARG, || {
            owner.record(ApiCall::QuickTrace {
                data1: text(data1),
                data2: text(data2),
                hr: hex(hr),
                level,
            });
            S_OK
        })
    }
}

/// `IHttpTraceContext`.
pub(crate) static TRACE_VTBL: IHttpTraceContextVtbl = IHttpTraceContextVtbl {
    GetTraceConfiguration: get_configuration,
    SetTraceConfiguration: set_configuration,
    RaiseTraceEvent: raise,
    GetTraceActivityId: activity_id,
    QuickTrace: quick_trace,
};
