//! `IHttpServer3` (32 slots; `IHttpServer2`/`3` through
//! `IHttpServer::GetExtendedInterface`): what `RegisterModule` receives as
//! `pGlobalInfo`, valid for the host's life.
//!
//! `IHttpServer2::GetExtendedInterface(riidIn, pInput, riidOut, ppOutput)`
//! is what `HttpGetExtendedInterface` calls: for a host object of a family
//! (`IHttpResponse` … `IHttpResponse4`, and likewise for the request,
//! context, application, completion info, registration info, cache policy
//! and server) it returns the same object for any interface of the family,
//! since every host object implements the newest version.

use std::ffi::c_void;

use iis_sys::{
    BOOL, CACHE_OPERATION, GL_NOTIFICATION_CONTINUE, GL_NOTIFICATION_HANDLED,
    GLOBAL_NOTIFICATION_STATUS, GUID, HANDLE, HRESULT, HTTP_DATA_CHUNK, HTTP_REQUEST_PROPERTY,
    HTTP_SERVER_INTERFACE_V2, HTTP_SERVER_INTERFACE_V3, HTTP_SERVER_INTERFACE_VERSION,
    HttpDataChunkFromMemory, IAppHostAdminManager, ICustomNotificationProvider,
    IDispensedHttpModuleContextContainer, IHttpApplication, IHttpApplication2, IHttpCacheKey,
    IHttpCachePolicy, IHttpCachePolicy2, IHttpCacheSpecificData, IHttpCompletionInfo,
    IHttpCompletionInfo2, IHttpContext, IHttpContext2, IHttpContext3, IHttpContext4, IHttpFileInfo,
    IHttpFileMonitor, IHttpModuleRegistrationInfo, IHttpModuleRegistrationInfo2,
    IHttpPerfCounterInfo, IHttpRequest, IHttpRequest2, IHttpRequest3, IHttpRequest4, IHttpResponse,
    IHttpResponse2, IHttpResponse3, IHttpResponse4, IHttpServer, IHttpServer2, IHttpServer2Vtbl,
    IHttpServer3, IHttpServer3Vtbl, IHttpServerVtbl, IHttpTokenEntry, IHttpTraceContext,
    IReferencedMetadataInfo, IWorkerProcessFramework, IWpfSettings, Interface,
    LPOVERLAPPED_COMPLETION_ROUTINE, OVERLAPPED, PCWSTR, PSID, SOCKADDR, define_member_fn,
};

use crate::engine::api::notify_global;
use crate::ffi::{
    E_INVALIDARG, E_NOINTERFACE, E_NOTIMPL, FALSE, HRESULT_ERROR_FILE_NOT_FOUND,
    HRESULT_ERROR_INSUFFICIENT_BUFFER, HRESULT_ERROR_NOT_FOUND, S_OK, TRUE, bytes, from_wide, hex,
    lock, put, wstr,
};
use crate::objects::application::APPLICATION_VTBL;
use crate::objects::cache;
use crate::objects::cache_policy::CACHE_POLICY_VTBL;
use crate::objects::containers::dispense;
use crate::objects::context::CONTEXT_VTBL;
use crate::objects::event_log::HOST_EVENT_LOG_IID;
use crate::objects::host_log::HOST_LOG_IID;
use crate::objects::providers::{COMPLETION_VTBL, configuration_change, file_change};
use crate::objects::registration::REGISTRATION_VTBL;
use crate::objects::request::REQUEST_VTBL;
use crate::objects::response::RESPONSE_VTBL;
use crate::objects::{has_vtable, with_owner};
use crate::state::host::HostCore;
use crate::transcript::{ApiCall, GlobalNotification};

/// A text argument (lossy; empty for null).
fn text(p: PCWSTR) -> String {
    // SAFETY: a module passes NUL-terminated strings or null.
    unsafe { wstr(p) }.map(from_wide).unwrap_or_default()
}

/// `SatisfiesPrecondition`: evaluates a comma-separated precondition list as
/// an integrated-mode, native-only worker process of this bitness would.
fn satisfies(list: &str) -> Result<bool, ()> {
    let mut all = true;
    for condition in list.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        all &= match condition.to_ascii_lowercase().as_str() {
            "integratedmode" => true,
            "classicmode" | "managedhandler" => false,
            "bitness64" => cfg!(target_pointer_width = "64"),
            "bitness32" => cfg!(target_pointer_width = "32"),
            c if c.starts_with("runtimeversion") => false,
            _ => return Err(()),
        };
    }
    Ok(all)
}

/// The interface families of `GetExtendedInterface`: the IIDs of a family
/// and the vtable of the host object that implements all of them.
fn family(iid: &GUID) -> Option<(&'static [GUID], *const c_void)> {
    macro_rules! families {
        ($([$($i:ty),+] => $vtbl:expr),+ $(,)?) => {$(
            {
                const IIDS: &[GUID] = &[$(<$i as Interface>::IID),+];
                if IIDS.contains(iid) {
                    return Some((IIDS, (&$vtbl as *const _ as *const c_void)));
                }
            }
        )+};
    }
    families! {
        [IHttpResponse, IHttpResponse2, IHttpResponse3, IHttpResponse4] => RESPONSE_VTBL,
        [IHttpRequest, IHttpRequest2, IHttpRequest3, IHttpRequest4] => REQUEST_VTBL,
        [IHttpContext, IHttpContext2, IHttpContext3, IHttpContext4] => CONTEXT_VTBL,
        [IHttpApplication, IHttpApplication2] => APPLICATION_VTBL,
        [IHttpCompletionInfo, IHttpCompletionInfo2] => COMPLETION_VTBL,
        [IHttpModuleRegistrationInfo, IHttpModuleRegistrationInfo2] => REGISTRATION_VTBL,
        [IHttpCachePolicy, IHttpCachePolicy2] => CACHE_POLICY_VTBL,
        [IHttpServer, IHttpServer2, IHttpServer3] => SERVER_VTBL,
    }
    None
}

/// An iis-host extension object asked for with the server as input.
fn host_extension(
    server: *mut IHttpServer,
    iid_in: &GUID,
    input: *mut c_void,
    iid_out: &GUID,
) -> Option<*mut c_void> {
    if *iid_in != <IHttpServer as Interface>::IID || input != server.cast() {
        return None;
    }
    with_owner!(server, None, |host: HostCore| {
        if *iid_out == HOST_EVENT_LOG_IID {
            Some(host.event_log_ext.iface())
        } else if *iid_out == HOST_LOG_IID {
            Some(host.host_log_ext.iface())
        } else {
            None
        }
    })
}

define_member_fn! {
    /// `IsCommandLineLaunch`: [`HostConfig::command_line_launch`](crate::HostConfig::command_line_launch).
    unsafe fn command_line_launch(this: *mut IHttpServer) -> BOOL {
        with_owner!(this, FALSE, |host: HostCore| host.config.command_line_launch.into())
    }
    unsafe fn app_pool_name(this: *mut IHttpServer) -> PCWSTR {
        with_owner!(this, PCWSTR::null(), |host: HostCore| host.strings.app_pool.ptr())
    }
    /// `AssociateWithThreadPool`: no completion port here.
    unsafe fn associate_with_thread_pool(_this: *mut IHttpServer, _handle: HANDLE, _routine: LPOVERLAPPED_COMPLETION_ROUTINE) -> HRESULT {
        E_NOTIMPL
    }
    /// `IncrementThreadCount`: recorded (iis-host runs each request on its caller's thread).
    unsafe fn increment_thread_count(this: *mut IHttpServer) {
        with_owner!(this, (), |host: HostCore| host.record(ApiCall::ServerThreadCount { increment: true }))
    }
    /// `DecrementThreadCount`: recorded.
    unsafe fn decrement_thread_count(this: *mut IHttpServer) {
        with_owner!(this, (), |host: HostCore| host.record(ApiCall::ServerThreadCount { increment: false }))
    }
    /// `ReportUnhealthy`: recorded.
    unsafe fn report_unhealthy(this: *mut IHttpServer, reason: PCWSTR, hr: HRESULT) {
        with_owner!(this, (), |host: HostCore| host.record(ApiCall::ServerReportUnhealthy { reason: text(reason), hr: hex(hr) }))
    }
    /// `RecycleProcess`: recorded (the host keeps running).
    unsafe fn recycle_process(this: *mut IHttpServer, reason: PCWSTR) {
        with_owner!(this, (), |host: HostCore| host.record(ApiCall::ServerRecycleProcess { reason: text(reason) }))
    }
    /// `GetAdminManager`: the host's read-only configuration system
    /// (`objects::admin`), owned by the server (no reference is added).
    unsafe fn admin_manager(this: *mut IHttpServer) -> *mut IAppHostAdminManager {
        with_owner!(this, std::ptr::null_mut(), |host: HostCore| host.admin_manager.iface())
    }
    /// `GetFileInfo`: the file cache's record of the file (see
    /// `objects::file_info`), `HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)` if
    /// there is no such file.
    unsafe fn get_file_info(this: *mut IHttpServer, path: PCWSTR, _token: HANDLE, _sid: PSID, _vr: PCWSTR, _vr_token: HANDLE, _cache: BOOL, info: *mut *mut IHttpFileInfo, _trace: *mut IHttpTraceContext) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |host: HostCore| {
            if path.is_null() || info.is_null() {
                return E_INVALIDARG;
            }
            let found = host.file_cache.open(host, &text(path));
            // SAFETY: `info` is non-null and writable.
            unsafe { put(info, found.unwrap_or(std::ptr::null_mut())) };
            if found.is_some() { S_OK } else { HRESULT_ERROR_FILE_NOT_FOUND }
        })
    }
    /// `FlushKernelCache`: recorded; there is no kernel cache, so nothing to flush.
    unsafe fn flush_kernel_cache(this: *mut IHttpServer, prefix: PCWSTR) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |host: HostCore| {
            host.record(ApiCall::ServerFlushKernelCache { prefix: text(prefix) });
            S_OK
        })
    }
    /// `DoCacheOperation`: raises `GL_CACHE_OPERATION` for one of the host's
    /// keys (the caches are global modules in IIS); the record handed back
    /// is what a module set with `SetCacheRecord`, else the file cache's.
    unsafe fn do_cache_operation(this: *mut IHttpServer, op: CACHE_OPERATION, key: *mut IHttpCacheKey, data: *mut *mut IHttpCacheSpecificData, _trace: *mut IHttpTraceContext) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |host: HostCore| {
            let Some((cache, text)) = cache::key_parts(key) else { return E_INVALIDARG };
            let record = if cache == "FILE" {
                host.file_cache.peek(&text).map_or(std::ptr::null_mut(), |r| r.cast())
            } else {
                std::ptr::null_mut()
            };
            let (_, record) = cache::notify(host, op, key, record);
            // SAFETY: `data` is null or writable.
            unsafe { put(data, record) };
            S_OK
        })
    }
    /// `NotifyCustomNotification`: `OnGlobalCustomNotification` on every `GL_CUSTOM_NOTIFICATION` module.
    unsafe fn notify_custom(this: *mut IHttpServer, provider: *mut ICustomNotificationProvider) -> GLOBAL_NOTIFICATION_STATUS {
        with_owner!(this, GL_NOTIFICATION_CONTINUE, |host: HostCore| {
            if provider.is_null() {
                return GL_NOTIFICATION_CONTINUE;
            }
            if notify_global(host, GlobalNotification::CustomNotification, provider.cast(), None) {
                GL_NOTIFICATION_HANDLED
            } else {
                GL_NOTIFICATION_CONTINUE
            }
        })
    }
    unsafe fn perf_counters(this: *mut IHttpServer) -> *mut IHttpPerfCounterInfo {
        with_owner!(this, std::ptr::null_mut(), |host: HostCore| host.perf.iface())
    }
    /// `RecycleApplication`: recorded; for the emulated application's
    /// configuration path, the application restarts once the current
    /// request ends (ApplicationStop, ApplicationStart, ResolveModules).
    unsafe fn recycle_application(this: *mut IHttpServer, path: PCWSTR) {
        with_owner!(this, (), |host: HostCore| {
            let path = text(path);
            let ours = from_wide(host.strings.config_path.units());
            if path.trim_end_matches('/').eq_ignore_ascii_case(&ours) {
                host.recycle_pending.store(true, std::sync::atomic::Ordering::SeqCst);
            }
            host.record(ApiCall::ServerRecycleApplication { path });
        })
    }
    /// `NotifyConfigurationChange`: `GL_CONFIGURATION_CHANGE`.
    unsafe fn notify_configuration_change(this: *mut IHttpServer, path: PCWSTR) {
        with_owner!(this, (), |host: HostCore| {
            // SAFETY: a NUL-terminated path or null.
            let units = unsafe { wstr(path) }.unwrap_or(&[]).to_vec();
            let provider = configuration_change(host, &units);
            notify_global(host, GlobalNotification::ConfigurationChange, provider.iface(), None);
        })
    }
    /// `NotifyFileChange`: `GL_FILE_CHANGE`.
    unsafe fn notify_file_change(this: *mut IHttpServer, path: PCWSTR) {
        with_owner!(this, (), |host: HostCore| {
            // SAFETY: a NUL-terminated path or null.
            let units = unsafe { wstr(path) }.unwrap_or(&[]).to_vec();
            let provider = file_change(host, &units);
            notify_global(host, GlobalNotification::FileChange, provider.iface(), None);
        })
    }
    /// `DispenseContainer`: a container the module releases with `ReleaseContainer`.
    unsafe fn dispense_container(_this: *mut IHttpServer) -> *mut IDispensedHttpModuleContextContainer {
        dispense()
    }
    /// `AddFragmentToCache`: stored (and recorded); chunks from memory only.
    unsafe fn add_fragment(this: *mut IHttpServer, chunk: *mut HTTP_DATA_CHUNK, name: PCWSTR) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |host: HostCore| {
            // SAFETY: a module passes a valid chunk or null.
            let Some(chunk) = (unsafe { chunk.as_ref() }) else { return E_INVALIDARG };
            if name.is_null() {
                return E_INVALIDARG;
            }
            if chunk.DataChunkType != HttpDataChunkFromMemory {
                return E_NOTIMPL;
            }
            // SAFETY: a FromMemory chunk, as its type says.
            let memory = unsafe { chunk.Anonymous.FromMemory };
            // SAFETY: the module passes `BufferLength` readable bytes.
            let Some(bytes) = (unsafe { bytes(memory.pBuffer.cast(), memory.BufferLength as usize) }) else { return E_INVALIDARG };
            let (name, bytes) = (text(name), bytes.to_vec());
            host.record(ApiCall::ServerAddFragment { name: name.clone(), bytes: bytes.clone() });
            lock(&host.fragments).insert(name, bytes);
            S_OK
        })
    }
    /// `ReadFragmentFromCache(name, buffer, size, &copied)`:
    /// `HRESULT_FROM_WIN32(ERROR_NOT_FOUND)` for an unknown name,
    /// `ERROR_INSUFFICIENT_BUFFER` (with the size needed) for a small buffer.
    unsafe fn read_fragment(this: *mut IHttpServer, name: PCWSTR, buffer: *mut u8, size: u32, copied: *mut u32) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |host: HostCore| {
            if name.is_null() {
                return E_INVALIDARG;
            }
            let fragments = lock(&host.fragments);
            let Some(fragment) = fragments.get(&text(name)) else { return HRESULT_ERROR_NOT_FOUND };
            let len = fragment.len() as u32;
            // SAFETY: `copied` is null or writable.
            unsafe { put(copied, len) };
            if size < len || (len > 0 && buffer.is_null()) {
                return HRESULT_ERROR_INSUFFICIENT_BUFFER;
            }
            // SAFETY: the module passes `size` >= `len` writable bytes.
            unsafe { std::ptr::copy_nonoverlapping(fragment.as_ptr(), buffer, fragment.len()) };
            S_OK
        })
    }
    /// `RemoveFragmentFromCache`: removed (and recorded).
    unsafe fn remove_fragment(this: *mut IHttpServer, name: PCWSTR) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |host: HostCore| {
            if name.is_null() {
                return E_INVALIDARG;
            }
            let name = text(name);
            host.record(ApiCall::ServerRemoveFragment { name: name.clone() });
            match lock(&host.fragments).remove(&name) {
                Some(_) => S_OK,
                None => HRESULT_ERROR_NOT_FOUND,
            }
        })
    }
    unsafe fn worker_process_settings(_this: *mut IHttpServer, _settings: *mut *mut IWpfSettings) -> HRESULT {
        E_NOTIMPL
    }
    unsafe fn protocol_manager_interface(_this: *mut IHttpServer, _manager: PCWSTR, _interface: PCWSTR, _id: u32, _out: *mut *mut c_void) -> HRESULT {
        E_NOTIMPL
    }
    /// `SatisfiesPrecondition`: integratedMode and this bitness hold;
    /// classicMode, managedHandler and runtimeVersion* do not; anything else
    /// is unknown.
    unsafe fn satisfies_precondition(_this: *mut IHttpServer, precondition: PCWSTR, unknown: *mut BOOL) -> BOOL {
        let result = satisfies(&text(precondition));
        // SAFETY: `unknown` is null or writable.
        unsafe { put(unknown, if result.is_err() { TRUE } else { FALSE }) };
        result.unwrap_or(false).into()
    }
    unsafe fn server_trace_context(this: *mut IHttpServer) -> *mut IHttpTraceContext {
        with_owner!(this, std::ptr::null_mut(), |host: HostCore| host.trace.iface())
    }
    unsafe fn register_file_monitor(_this: *mut IHttpServer, _path: PCWSTR, _token: HANDLE, _monitor: *mut *mut IHttpFileMonitor) -> HRESULT {
        E_NOTIMPL
    }
    /// `GetExtendedInterface(HTTP_SERVER_INTERFACE_V2/V3, ppInterface)`: this object.
    unsafe fn extended_interface(this: *mut IHttpServer, version: HTTP_SERVER_INTERFACE_VERSION, out: *mut *mut c_void) -> HRESULT {
        if out.is_null() {
            return E_INVALIDARG;
        }
        let result = if version == HTTP_SERVER_INTERFACE_V2 || version == HTTP_SERVER_INTERFACE_V3 {
            (this.cast(), S_OK)
        } else {
            (std::ptr::null_mut(), E_NOINTERFACE)
        };
        // SAFETY: `out` is non-null and writable.
        unsafe { out.write(result.0) };
        result.1
    }
    unsafe fn get_token(_this: *mut IHttpServer2, _user: PCWSTR, _password: PCWSTR, _logon: u32, _token: *mut *mut IHttpTokenEntry, _domain: PCWSTR, _address: *mut SOCKADDR, _trace: *mut IHttpTraceContext) -> HRESULT {
        E_NOTIMPL
    }
    /// `GetAppPoolConfigFile`: there is no application-pool config file.
    unsafe fn app_pool_config_file(_this: *mut IHttpServer2, len: *mut u32) -> PCWSTR {
        // SAFETY: `len` is null or writable.
        unsafe { put(len, 0) };
        PCWSTR::null()
    }
    /// `IHttpServer2::GetExtendedInterface(riid1, pInput, riid2, ppOutput)`;
    /// also iis-host's extensions: the event log
    /// ([`HOST_EVENT_LOG_IID`], input the server).
    unsafe fn extended_interface2(this: *mut IHttpServer2, riid_in: *const GUID, input: *mut c_void, riid_out: *const GUID, out: *mut *mut c_void) -> HRESULT {
        if out.is_null() || riid_in.is_null() || riid_out.is_null() || input.is_null() {
            return E_INVALIDARG;
        }
        // SAFETY: `out` is non-null and writable.
        unsafe { out.write(std::ptr::null_mut()) };
        // SAFETY: both IIDs are readable GUIDs (`const GUID &`).
        let (iid_in, iid_out) = unsafe { (&*riid_in, &*riid_out) };
        if let Some(extension) = host_extension(this.cast(), iid_in, input, iid_out) {
            // SAFETY: as above.
            unsafe { out.write(extension) };
            return S_OK;
        }
        let Some((iids, vtbl)) = family(iid_in) else { return E_NOINTERFACE };
        // SAFETY: `input` is an interface pointer of type `riid_in`, i.e. a
        // C++ object whose first field is its vtable pointer.
        let ours = unsafe { has_vtable(input, vtbl) };
        if !ours || !iids.contains(iid_out) {
            return E_NOINTERFACE;
        }
        // SAFETY: as above.
        unsafe { out.write(input) };
        S_OK
    }
    unsafe fn get_metadata(_this: *mut IHttpServer2, _site: PCWSTR, _path: PCWSTR, _info: *mut *mut IReferencedMetadataInfo) -> HRESULT {
        E_NOTIMPL
    }
    unsafe fn worker_process_framework(_this: *mut IHttpServer2, _framework: *mut *mut IWorkerProcessFramework) -> HRESULT {
        E_NOTIMPL
    }
    unsafe fn query_request_property(_this: *mut IHttpServer3, _id: u64, _property: HTTP_REQUEST_PROPERTY, _qualifier: *mut c_void, _qualifier_size: u32, _output: *mut c_void, _output_size: u32, _returned: *mut u32, _overlapped: *mut OVERLAPPED) -> HRESULT {
        E_NOTIMPL
    }
}

/// `IHttpServer3`.
pub(crate) static SERVER_VTBL: IHttpServer3Vtbl = IHttpServer3Vtbl {
    base: IHttpServer2Vtbl {
        base: IHttpServerVtbl {
            IsCommandLineLaunch: command_line_launch,
            GetAppPoolName: app_pool_name,
            AssociateWithThreadPool: associate_with_thread_pool,
            IncrementThreadCount: increment_thread_count,
            DecrementThreadCount: decrement_thread_count,
            ReportUnhealthy: report_unhealthy,
            RecycleProcess: recycle_process,
            GetAdminManager: admin_manager,
            GetFileInfo: get_file_info,
            FlushKernelCache: flush_kernel_cache,
            DoCacheOperation: do_cache_operation,
            NotifyCustomNotification: notify_custom,
            GetPerfCounterInfo: perf_counters,
            RecycleApplication: recycle_application,
            NotifyConfigurationChange: notify_configuration_change,
            NotifyFileChange: notify_file_change,
            DispenseContainer: dispense_container,
            AddFragmentToCache: add_fragment,
            ReadFragmentFromCache: read_fragment,
            RemoveFragmentFromCache: remove_fragment,
            GetWorkerProcessSettings: worker_process_settings,
            GetProtocolManagerCustomInterface: protocol_manager_interface,
            SatisfiesPrecondition: satisfies_precondition,
            GetTraceContext: server_trace_context,
            RegisterFileChangeMonitor: register_file_monitor,
            GetExtendedInterface: extended_interface,
        },
        GetToken: get_token,
        GetAppPoolConfigFile: app_pool_config_file,
        GetExtendedInterface2: extended_interface2,
        GetMetadata: get_metadata,
        GetWorkerProcessFramework: worker_process_framework,
    },
    QueryRequestProperty: query_request_property,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluates_preconditions() {
        assert_eq!(satisfies(""), Ok(true));
        assert_eq!(satisfies("integratedMode"), Ok(true));
        assert_eq!(satisfies("integratedMode,runtimeVersionv4.0"), Ok(false));
        assert_eq!(satisfies("classicMode"), Ok(false));
        assert_eq!(
            satisfies("bitness64"),
            Ok(cfg!(target_pointer_width = "64"))
        );
        assert_eq!(satisfies("fooBar"), Err(()));
    }
}
