//! `IHttpTraceContext` (`IHttpContext::GetTraceContext`,
//! `IHttpServer::GetTraceContext`): iis-host reports every provider as
//! enabled at full verbosity, and records each `SetTraceConfiguration`,
//! `RaiseTraceEvent` and `QuickTrace` as an [`ApiCall`].
//!
//! `SetTraceConfiguration` subscribes a module to providers (the null GUID,
//! `GUID_IIS_ALL_TRACE_PROVIDERS`, to all of them). An event raised with
//! `RaiseTraceEvent` that some enabled subscription covers (same provider,
//! an area the subscription has, or area 0; a verbosity up to the
//! subscription's) is delivered as `GL_TRACE_EVENT` to the global modules,
//! through an `IGlobalTraceEventProvider` whose `CheckSubscription` tells
//! each module whether it is one of the subscribers, and whose
//! `GetCurrentHttpRequestContext` gives the request it was raised in.
//! iis-host raises no trace events of its own.

use iis_sys::{
    BOOL, GUID, HRESULT, HTTP_MODULE_ID, HTTP_TRACE_CONFIGURATION, HTTP_TRACE_EVENT,
    IGlobalTraceEventProvider, IGlobalTraceEventProviderVtbl, IHttpContext, IHttpTraceContext,
    IHttpTraceContextVtbl, PCWSTR, define_member_fn,
};

use crate::engine::api::notify_global;
use crate::ffi::{
    E_INVALIDARG, FALSE, HRESULT_ERROR_NOT_FOUND, S_OK, TRUE, from_wide, guard, hex, lock, put,
    wstr,
};
use crate::objects::providers::{EVENT_VTBL, ProviderBase};
use crate::objects::{Foreign, Obj, with_data};
use crate::state::RequestCore;
use crate::state::current::with_current;
use crate::state::host::HostCore;
use crate::state::object_data::{Subscription, Subscriptions, TraceOwner};
use crate::transcript::{ApiCall, GlobalNotification};

impl TraceOwner {
    fn host(&self) -> &HostCore {
        match self {
            // SAFETY: a trace context lives inside its owner.
            TraceOwner::Request(core) => unsafe { &*core.0 }.host(),
            // SAFETY: as above.
            TraceOwner::Host(host) => unsafe { &*host.0 },
        }
    }

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

impl Subscription {
    /// Whether this subscription wants `event`.
    fn covers(&self, event: &HTTP_TRACE_EVENT, provider: &GUID) -> bool {
        self.enabled
            && (self.provider == GUID::zeroed() || self.provider == *provider)
            && (event.dwArea == 0 || self.areas & event.dwArea != 0)
            && event.dwVerbosity <= self.verbosity
    }
}

impl Subscriptions {
    fn set(&self, module: HTTP_MODULE_ID, entries: Vec<Subscription>) {
        let mut all = lock(&self.0);
        all.retain(|s| s.module != module);
        all.extend(entries);
    }

    /// The modules whose subscriptions cover `event`.
    fn subscribers(&self, event: &HTTP_TRACE_EVENT, provider: &GUID) -> Vec<HTTP_MODULE_ID> {
        let mut modules: Vec<HTTP_MODULE_ID> = lock(&self.0)
            .iter()
            .filter(|s| s.covers(event, provider))
            .map(|s| s.module)
            .collect();
        modules.dedup();
        modules
    }
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
            // SAFETY: the module passes a writable HTTP_TRACE_CONFIGURATION
            // (its pProviderGuid is the input and is left as is).
            unsafe {
                (*config).dwAreas = u32::MAX;
                (*config).dwVerbosity = VERBOSE;
                (*config).fProviderEnabled = TRUE;
            }
            S_OK
        })
    }

    /// `SetTraceConfiguration(moduleId, pConfigs, cConfigs)`: replaces the
    /// module's subscriptions (recorded).
    unsafe fn set_configuration(this: *mut IHttpTraceContext, module: HTTP_MODULE_ID, config: *mut HTTP_TRACE_CONFIGURATION, count: u32) -> HRESULT {
        // SAFETY: the module calls this slot on a trace context the host handed out.
        let Some(owner) = (unsafe { Obj::<TraceOwner>::data(this.cast()) }) else { return E_INVALIDARG };
        if module.is_null() || (config.is_null() && count > 0) {
            return E_INVALIDARG;
        }
        guard(E_INVALIDARG, || {
            let mut entries = Vec::new();
            for i in 0..count as usize {
                // SAFETY: the module passes `count` configurations.
                let c = unsafe { &*config.add(i) };
                // SAFETY: the provider GUID pointer is null or readable.
                let Some(provider) = (unsafe { c.pProviderGuid.as_ref() }) else { return E_INVALIDARG };
                let entry = Subscription {
                    module,
                    provider: *provider,
                    areas: c.dwAreas,
                    verbosity: c.dwVerbosity,
                    enabled: c.fProviderEnabled.as_bool(),
                };
                owner.record(ApiCall::SetTraceConfiguration {
                    provider: format!("{{{provider:?}}}"),
                    areas: entry.areas,
                    verbosity: entry.verbosity,
                    enabled: entry.enabled,
                });
                entries.push(entry);
            }
            owner.host().trace_subscriptions.set(module, entries);
            S_OK
        })
    }

    /// `RaiseTraceEvent`: recorded, and delivered as `GL_TRACE_EVENT` when a
    /// subscription covers it.
    unsafe fn raise(this: *mut IHttpTraceContext, event: *mut HTTP_TRACE_EVENT) -> HRESULT {
        // SAFETY: the module calls this slot on a trace context the host handed out.
        let Some(owner) = (unsafe { Obj::<TraceOwner>::data(this.cast()) }) else { return E_INVALIDARG };
        if event.is_null() {
            return E_INVALIDARG;
        }
        guard(E_INVALIDARG, || {
            // SAFETY: a module passes a valid HTTP_TRACE_EVENT.
            let raw = unsafe { &*event };
            owner.record(ApiCall::TraceEvent {
                name: text(raw.pszEventName),
                event: raw.dwEvent,
                area: raw.dwArea,
                verbosity: raw.dwVerbosity,
            });
            // SAFETY: the provider GUID pointer is null or readable.
            let provider = unsafe { raw.pProviderGuid.as_ref() }.copied().unwrap_or(GUID::zeroed());
            let host = owner.host();
            let subscribers = host.trace_subscriptions.subscribers(raw, &provider);
            if !subscribers.is_empty() {
                let context = match owner {
                    TraceOwner::Request(core) => {
                        // SAFETY: a trace context lives inside its owner.
                        unsafe { &*core.0 }.context_ptr()
                    }
                    TraceOwner::Host(_) => with_current(RequestCore::context_ptr).unwrap_or(std::ptr::null_mut()),
                };
                let provider = trace_event_provider(host, event, subscribers, context);
                notify_global(host, GlobalNotification::TraceEvent, provider.iface(), None);
            }
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

/// `IGlobalTraceEventProvider` data.
#[repr(C)]
pub(crate) struct TraceEventData {
    base: ProviderBase,
    event: Foreign<HTTP_TRACE_EVENT>,
    subscribers: Vec<HTTP_MODULE_ID>,
    context: Foreign<IHttpContext>,
}

define_member_fn! {
    /// `GetTraceEvent(ppTraceEvent)`: the raiser's event, valid for the
    /// notification.
    unsafe fn provider_event(this: *mut IGlobalTraceEventProvider, out: *mut *mut HTTP_TRACE_EVENT) -> HRESULT {
        with_data!(this, E_INVALIDARG, |data: TraceEventData| {
            if out.is_null() {
                return E_INVALIDARG;
            }
            // SAFETY: `out` is non-null and writable.
            unsafe { put(out, data.event.0) };
            S_OK
        })
    }

    /// `CheckSubscription(moduleId)`: whether that module's configuration
    /// covers the event.
    unsafe fn provider_subscribed(this: *mut IGlobalTraceEventProvider, module: HTTP_MODULE_ID) -> BOOL {
        with_data!(this, FALSE, |data: TraceEventData| data.subscribers.contains(&module).into())
    }

    /// `GetCurrentHttpRequestContext(ppHttpContext)`: the request the event
    /// was raised in; `HRESULT_FROM_WIN32(ERROR_NOT_FOUND)` outside requests.
    unsafe fn provider_context(this: *mut IGlobalTraceEventProvider, out: *mut *mut IHttpContext) -> HRESULT {
        with_data!(this, E_INVALIDARG, |data: TraceEventData| {
            if out.is_null() {
                return E_INVALIDARG;
            }
            // SAFETY: `out` is non-null and writable.
            unsafe { put(out, data.context.0) };
            if data.context.is_null() { HRESULT_ERROR_NOT_FOUND } else { S_OK }
        })
    }
}

/// `IGlobalTraceEventProvider` (GL_TRACE_EVENT).
static TRACE_EVENT_PROVIDER_VTBL: IGlobalTraceEventProviderVtbl = IGlobalTraceEventProviderVtbl {
    base: EVENT_VTBL,
    GetTraceEvent: provider_event,
    CheckSubscription: provider_subscribed,
    GetCurrentHttpRequestContext: provider_context,
};

fn trace_event_provider(
    host: &HostCore,
    event: *mut HTTP_TRACE_EVENT,
    subscribers: Vec<HTTP_MODULE_ID>,
    context: *mut IHttpContext,
) -> Obj<TraceEventData> {
    let base = match with_current(ProviderBase::request) {
        Some(base) => base,
        None => ProviderBase::global(host),
    };
    Obj::new(
        &TRACE_EVENT_PROVIDER_VTBL,
        TraceEventData {
            base,
            event: Foreign(event),
            subscribers,
            context: Foreign(context),
        },
    )
}

/// `IHttpTraceContext`.
pub(crate) static TRACE_VTBL: IHttpTraceContextVtbl = IHttpTraceContextVtbl {
    GetTraceConfiguration: get_configuration,
    SetTraceConfiguration: set_configuration,
    RaiseTraceEvent: raise,
    GetTraceActivityId: activity_id,
    QuickTrace: quick_trace,
};
