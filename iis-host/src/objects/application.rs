//! `IHttpApplication2`, `IHttpSite` and `IHttpPerfCounterInfo`: the one
//! emulated site (`Default Web Site`, id 1) and its root application
//! (`/LM/W3SVC/1/ROOT`), as [`HostConfig`](crate::HostConfig) describes them.

use iis_sys::{
    BOOL, IHttpApplication, IHttpApplication2, IHttpApplication2Vtbl, IHttpApplicationVtbl,
    IHttpModuleContextContainer, IHttpPerfCounterInfo, IHttpPerfCounterInfoVtbl, IHttpSite,
    IHttpSiteVtbl, PCWSTR, define_member_fn,
};

use crate::ffi::FALSE;
use crate::objects::{Back, Obj, with_data, with_owner};
use crate::state::host::HostCore;
use crate::state::object_data::PerfCounters;
use crate::transcript::ApiCall;

define_member_fn! {
    /// `GetApplicationPhysicalPath`.
    unsafe fn physical_path(this: *mut IHttpApplication) -> PCWSTR {
        with_owner!(this, PCWSTR::null(), |host: HostCore| host.strings.physical_path.ptr())
    }

    /// `GetApplicationId`: `/LM/W3SVC/<site id>/ROOT`.
    unsafe fn application_id(this: *mut IHttpApplication) -> PCWSTR {
        with_owner!(this, PCWSTR::null(), |host: HostCore| host.strings.application_id.ptr())
    }

    /// `GetAppConfigPath`: `MACHINE/WEBROOT/APPHOST/<site name>`.
    unsafe fn config_path(this: *mut IHttpApplication) -> PCWSTR {
        with_owner!(this, PCWSTR::null(), |host: HostCore| host.strings.config_path.ptr())
    }

    /// `GetModuleContextContainer`: cleaned up at ApplicationStop.
    unsafe fn application_container(this: *mut IHttpApplication) -> *mut IHttpModuleContextContainer {
        with_owner!(this, std::ptr::null_mut(), |host: HostCore| host.application_container.iface())
    }

    /// `IHttpApplication2::BeginApplicationWarmup`/`EndApplicationWarmup`:
    /// no application-initialization module here.
    unsafe fn warmup(_this: *mut IHttpApplication2) {}

    /// `IHttpApplication2::QueryIsWarmingUp`.
    unsafe fn warming_up(_this: *mut IHttpApplication2) -> BOOL {
        FALSE
    }

    /// `IHttpSite::GetSiteId`.
    unsafe fn site_id(this: *mut IHttpSite) -> u32 {
        with_owner!(this, 0, |host: HostCore| host.config.site_id)
    }

    /// `IHttpSite::GetSiteName`.
    unsafe fn site_name(this: *mut IHttpSite) -> PCWSTR {
        with_owner!(this, PCWSTR::null(), |host: HostCore| host.strings.site_name.ptr())
    }

    /// `IHttpSite::GetModuleContextContainer`: cleaned up at shutdown.
    unsafe fn site_container(this: *mut IHttpSite) -> *mut IHttpModuleContextContainer {
        with_owner!(this, std::ptr::null_mut(), |host: HostCore| host.site_container.iface())
    }

    /// `IHttpSite::GetPerfCounterInfo`.
    unsafe fn site_counters(this: *mut IHttpSite) -> *mut IHttpPerfCounterInfo {
        with_owner!(this, std::ptr::null_mut(), |host: HostCore| host.site_perf.iface())
    }

    /// `IHttpPerfCounterInfo::IncrementCounter`: recorded.
    unsafe fn increment(this: *mut IHttpPerfCounterInfo, counter: u32, value: u32) {
        with_data!(this, (), |perf: PerfCounters| perf.record(true, counter, value))
    }

    /// `IHttpPerfCounterInfo::DecrementCounter`: recorded.
    unsafe fn decrement(this: *mut IHttpPerfCounterInfo, counter: u32, value: u32) {
        with_data!(this, (), |perf: PerfCounters| perf.record(false, counter, value))
    }
}

/// `IHttpApplication2` (a plain cast gives `IHttpApplication`).
pub(crate) static APPLICATION_VTBL: IHttpApplication2Vtbl = IHttpApplication2Vtbl {
    base: IHttpApplicationVtbl {
        GetApplicationPhysicalPath: physical_path,
        GetApplicationId: application_id,
        GetAppConfigPath: config_path,
        GetModuleContextContainer: application_container,
    },
    BeginApplicationWarmup: warmup,
    EndApplicationWarmup: warmup,
    QueryIsWarmingUp: warming_up,
};

/// `IHttpSite`.
pub(crate) static SITE_VTBL: IHttpSiteVtbl = IHttpSiteVtbl {
    GetSiteId: site_id,
    GetSiteName: site_name,
    GetModuleContextContainer: site_container,
    GetPerfCounterInfo: site_counters,
};

/// `IHttpPerfCounterInfo`.
static PERF_VTBL: IHttpPerfCounterInfoVtbl = IHttpPerfCounterInfoVtbl {
    IncrementCounter: increment,
    DecrementCounter: decrement,
};

impl PerfCounters {
    fn record(&self, increment: bool, counter: u32, value: u32) {
        // SAFETY: bound to the live host before the object is handed out.
        if let Some(host) = unsafe { self.host.0.as_ref() } {
            host.record(ApiCall::PerfCounter {
                scope: self.scope.to_owned(),
                increment,
                counter,
                value,
            });
        }
    }

    /// Binds the object to its host.
    pub(crate) fn bind(&mut self, host: *const HostCore) {
        self.host = Back(host);
    }
}

/// The perf-counter object of the server (`"server"`) or the site (`"site"`).
pub(crate) fn perf_counters(scope: &'static str) -> Obj<PerfCounters> {
    Obj::new(
        &PERF_VTBL,
        PerfCounters {
            scope,
            host: Back::unbound(),
        },
    )
}
