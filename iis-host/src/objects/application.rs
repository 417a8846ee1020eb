//! `IHttpApplication2`, `IHttpSite` and `IHttpPerfCounterInfo`: the one
//! emulated site (`Default Web Site`, id 1) and its root application
//! (`/LM/W3SVC/1/ROOT`), as [`HostConfig`](crate::HostConfig) describes them.

use iis_sys::{
    BOOL, IHttpApplication, IHttpApplication2, IHttpApplication2Vtbl, IHttpApplicationVtbl,
    IHttpModuleContextContainer, IHttpPerfCounterInfo, IHttpPerfCounterInfoVtbl, IHttpSite,
    IHttpSiteVtbl, PCWSTR, define_member_fn,
};

use crate::ffi::FALSE;
use crate::host::HostCore;
use crate::objects::{Obj, with_owner};

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
        with_owner!(this, std::ptr::null_mut(), |host: HostCore| host.perf.iface())
    }

    /// `IHttpPerfCounterInfo::IncrementCounter`/`DecrementCounter`: iis-host
    /// publishes no performance counters.
    unsafe fn counter(_this: *mut IHttpPerfCounterInfo, _counter: u32, _value: u32) {}
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
    IncrementCounter: counter,
    DecrementCounter: counter,
};

/// The perf-counter object (site and server).
pub(crate) fn perf_counters() -> Obj<()> {
    Obj::new(&PERF_VTBL, ())
}
