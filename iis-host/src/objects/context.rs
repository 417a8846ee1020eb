//! `IHttpContext4` (46 slots; `IHttpContext`–`IHttpContext3` by plain cast
//! or `IHttpServer2::GetExtendedInterface`), and the small `IHttpUrlInfo`
//! and `IMetadataInfo` objects it hands out.

use std::ffi::c_void;

use iis_sys::{
    BOOL, CHttpModule, HRESULT, HTTP_CONTEXT_INTERFACE_VERSION, ICustomNotificationProvider,
    IHttpApplication, IHttpConnection, IHttpContext, IHttpContext2, IHttpContext2Vtbl,
    IHttpContext3, IHttpContext3Vtbl, IHttpContext4, IHttpContext4Vtbl, IHttpContextVtbl,
    IHttpEventProvider, IHttpFileInfo, IHttpModuleContextContainer, IHttpRequest, IHttpResponse,
    IHttpSite, IHttpTokenEntry, IHttpTraceContext, IHttpUrlInfo, IHttpUrlInfoVtbl, IHttpUser,
    IMetadataInfo, IMetadataInfoVtbl, INamedContextContainer, IScriptMapInfo,
    LPOVERLAPPED_COMPLETION_ROUTINE, PCSTR, PCWSTR, PWSTR, REQUEST_NOTIFICATION_STATUS,
    define_member_fn,
};

use crate::engine::api::{child, complete, next, notify};
use crate::ffi::{
    E_INVALIDARG, E_NOTIMPL, FALSE, HRESULT_ERROR_INSUFFICIENT_BUFFER, HRESULT_ERROR_INVALID_INDEX,
    HRESULT_ERROR_NOT_FOUND, S_OK, TRUE, cstr, from_wide, put, to_wide, wstr,
};
use crate::objects::async_io::Completes;
use crate::objects::providers::{for_stage, map_path};
use crate::objects::server_variables::{
    lookup, physical_path_from_root, physical_path_wide, physical_path_wide_in,
};
use crate::objects::user::ANONYMOUS;
use crate::objects::with_owner;
use crate::state::RequestCore;
use crate::state::request::{AsyncResult, Completion};
use crate::transcript::{ApiCall, Notification, RequestStatus};

/// The physical path the request's URL maps to: mapped once (raising
/// `RQ_MAP_PATH`, as IIS does when an operation first needs it) and kept
/// until `SetUrl` changes the URL.
pub(crate) fn physical(core: &RequestCore) -> Vec<u16> {
    if let Some(path) = core.with_state(|s| s.req.physical.clone()) {
        return path;
    }
    let path = map_request_url(core);
    core.with_state(|s| s.req.physical = Some(path.clone()));
    path
}

/// Maps the request's URL to its physical path now, unless it is mapped
/// already ([`physical`] without a copy for the caller).
pub(crate) fn map_physical(core: &RequestCore) {
    let notified = map_path_notified(core);
    let root = &core.host().strings.physical_root;
    // Without `RQ_MAP_PATH` modules, checked, mapped and kept under one lock.
    let for_modules = core.with_state(|s| {
        if s.req.physical.is_some() {
            return None;
        }
        let mut path = std::mem::take(&mut s.req.physical_buffer);
        let url = s.req.decoded_path();
        physical_path_from_root(root, &url, &mut path);
        if notified {
            Some((to_wide(&url), path))
        } else {
            s.req.physical = Some(path);
            None
        }
    });
    if let Some((url, path)) = for_modules {
        let path = map_by_modules(core, &url, path);
        core.with_state(|s| s.req.physical = Some(path));
    }
}

/// The request's URL mapped as [`map_url`] maps one (in UTF-16 only for
/// `RQ_MAP_PATH` modules).
fn map_request_url(core: &RequestCore) -> Vec<u16> {
    let notified = map_path_notified(core);
    let root = &core.host().config.physical_path;
    let (url, path) = core.with_state(|s| {
        let mut path = std::mem::take(&mut s.req.physical_buffer);
        let url = s.req.decoded_path();
        physical_path_wide_in(root, &url, &mut path);
        (notified.then(|| to_wide(&url)), path)
    });
    match url {
        Some(url) => map_by_modules(core, &url, path),
        None => path,
    }
}

/// `url` mapped under the application root, then by the `RQ_MAP_PATH`
/// modules (which may change it).
fn map_url(core: &RequestCore, url: &[u16]) -> Vec<u16> {
    let path = physical_path_wide(&core.host().config.physical_path, &from_wide(url));
    if !map_path_notified(core) {
        return path;
    }
    map_by_modules(core, url, path)
}

/// Whether a module gets `RQ_MAP_PATH`.
fn map_path_notified(core: &RequestCore) -> bool {
    !core
        .modules
        .request_order(Notification::MapPath, false)
        .is_empty()
}

/// `path`, the mapping of `url`, as the `RQ_MAP_PATH` modules leave it.
fn map_by_modules(core: &RequestCore, url: &[u16], path: Vec<u16>) -> Vec<u16> {
    let provider = map_path(core, url, &path);
    notify(core, Notification::MapPath, false, provider.iface());
    provider.data.physical()
}

/// A wide string in the arena, its length (in characters) through `len`.
fn wide_out(core: &RequestCore, units: &[u16], len: *mut u32) -> PCWSTR {
    // SAFETY: `len` is null or writable (slot contract).
    unsafe { put(len, units.len() as u32) };
    core.arena.wstr(units)
}

/// Reads a server-variable name.
///
/// # Safety
///
/// `name` is null or NUL-terminated.
unsafe fn variable_name(name: PCSTR) -> Option<String> {
    // SAFETY: forwarded contract.
    let name = unsafe { cstr(name) }?;
    (!name.is_empty()).then(|| String::from_utf8_lossy(name).into_owned())
}

fn server_variable(core: &RequestCore, name: Option<String>) -> Result<String, HRESULT> {
    let name = name.ok_or(E_INVALIDARG)?;
    core.with_state(|s| lookup(core.host(), &s.req, &name))
        .ok_or(HRESULT_ERROR_INVALID_INDEX)
}

/// `MapPath`: maps `url` under the application root, lets `RQ_MAP_PATH`
/// modules change it, and copies it into the caller's buffer.
fn map(core: &RequestCore, url: &[u16], buffer: PWSTR, size: *mut u32) -> HRESULT {
    let path = map_url(core, url);
    let needed = ((path.len() + 1) * 2) as u32;
    // SAFETY: `size` is non-null (checked by the caller) and read/writable.
    let available = unsafe { size.read() };
    // SAFETY: as above.
    unsafe { size.write(needed) };
    if buffer.0.is_null() || available < needed {
        return HRESULT_ERROR_INSUFFICIENT_BUFFER;
    }
    // SAFETY: the buffer holds `available` >= `needed` bytes.
    unsafe {
        std::ptr::copy_nonoverlapping(path.as_ptr(), buffer.0, path.len());
        buffer.0.add(path.len()).write(0);
    }
    S_OK
}

define_member_fn! {
    unsafe fn get_site(this: *mut IHttpContext) -> *mut IHttpSite {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| core.host().site.iface())
    }
    unsafe fn get_application(this: *mut IHttpContext) -> *mut IHttpApplication {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| core.host().application_ptr())
    }
    unsafe fn get_connection(this: *mut IHttpContext) -> *mut IHttpConnection {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| core.connection_obj.iface())
    }
    unsafe fn get_request(this: *mut IHttpContext) -> *mut IHttpRequest {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| core.request_ptr())
    }
    unsafe fn get_response(this: *mut IHttpContext) -> *mut IHttpResponse {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| core.response_ptr())
    }
    unsafe fn headers_sent(this: *mut IHttpContext) -> BOOL {
        with_owner!(this, FALSE, |core: RequestCore| core.with_state(|s| s.out.head_sent).into())
    }
    /// `GetUser`: the user an authentication module set; else, once
    /// AuthenticateRequest has run, the anonymous user (what IIS's anonymous
    /// authentication gives); null before.
    unsafe fn get_user(this: *mut IHttpContext) -> *mut IHttpUser {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| {
            let (user, authenticated) = core.with_state(|s| (s.req.user, s.req.authenticated));
            match (user.is_null(), authenticated) {
                (false, _) => user.0,
                (true, true) => ANONYMOUS.iface(),
                (true, false) => std::ptr::null_mut(),
            }
        })
    }
    unsafe fn get_container(this: *mut IHttpContext) -> *mut IHttpModuleContextContainer {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| core.container.iface())
    }
    /// `IndicateCompletion(notificationStatus)`: from any thread.
    unsafe fn indicate_completion(this: *mut IHttpContext, status: REQUEST_NOTIFICATION_STATUS) {
        with_owner!(this, (), |core: RequestCore| {
            core.record(ApiCall::ContextIndicateCompletion { status: RequestStatus::from_raw(status) });
            complete(core, Completion::Indicated(status));
        })
    }
    /// `PostCompletion(cbBytes)`: from any thread; `OnAsyncCompletion` follows.
    unsafe fn post_completion(this: *mut IHttpContext, bytes: u32) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            core.record(ApiCall::ContextPostCompletion { bytes });
            complete(core, Completion::Async(AsyncResult { bytes, status: S_OK, routine: None }));
            S_OK
        })
    }
    /// `DisableNotifications(dwNotifications, dwPostNotifications)` for the
    /// calling module, for the rest of the request.
    unsafe fn disable_notifications(this: *mut IHttpContext, notifications: u32, post: u32) {
        with_owner!(this, (), |core: RequestCore| core.with_state(|s| {
            if let Some(frame) = s.current() {
                let masks = &mut s.flow.modules[frame.module].disabled;
                masks.0 |= notifications;
                masks.1 |= post;
            }
            s.log.call(ApiCall::ContextDisableNotifications { notifications, post_notifications: post });
        }))
    }
    /// `GetNextNotification(status, …)`: with `RQ_NOTIFICATION_CONTINUE`,
    /// when the next dispatch of the pipeline goes to the calling module, the
    /// module takes it over (the pipeline skips it) and gets its
    /// notification, module instance and provider; otherwise `FALSE`.
    unsafe fn next_notification(this: *mut IHttpContext, status: REQUEST_NOTIFICATION_STATUS, notification: *mut u32, post: *mut BOOL, module: *mut *mut CHttpModule, provider: *mut *mut IHttpEventProvider) -> BOOL {
        with_owner!(this, FALSE, |core: RequestCore| {
            let next = if RequestStatus::from_raw(status) == RequestStatus::Continue { next::take_next(core) } else { None };
            core.record(ApiCall::ContextGetNextNotification { next: next.map(|(_, n, p)| (n, p)) });
            let Some((index, n, p)) = next else { return FALSE };
            let instance = core.with_state(|s| s.flow.modules[index].instance).map_or(std::ptr::null_mut(), |m| m.0);
            let kept = core.arena.keep(for_stage(core, n, p));
            // SAFETY: the out-pointers are null or writable; the provider is
            // kept in the request arena, alive until the request ends.
            unsafe {
                put(notification, n.mask());
                put(post, BOOL::from(p));
                put(module, instance);
                put(provider, (*kept).iface::<IHttpEventProvider>());
            }
            TRUE
        })
    }
    /// `GetIsLastNotification(status)`: `TRUE` when more notifications are
    /// pending for the calling module if the current one returns `status`
    /// (what the IIS documentation says it returns, despite its name).
    unsafe fn is_last_notification(this: *mut IHttpContext, status: REQUEST_NOTIFICATION_STATUS) -> BOOL {
        with_owner!(this, FALSE, |core: RequestCore| {
            let finish = RequestStatus::from_raw(status) == RequestStatus::FinishRequest;
            next::more_pending(core, finish).into()
        })
    }
    /// `ExecuteRequest`: runs a clone of this request (`engine::child`).
    unsafe fn execute_request(this: *mut IHttpContext, is_async: BOOL, child_context: *mut IHttpContext, flags: u32, user: *mut IHttpUser, pending: *mut BOOL) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            // SAFETY: `pending` is null or writable.
            unsafe { put(pending, FALSE) };
            let hr = child::execute(core, is_async.as_bool(), child_context, flags, user);
            if hr.is_err() {
                return hr;
            }
            // Ran to its end; reported as IIS reports it, through a completion.
            // SAFETY: `pending` is null or writable.
            unsafe { Completes::Later(None).report(core, 0, S_OK, std::ptr::null_mut(), pending) }
        })
    }
    /// `GetExecuteFlags`: the flags this child request was executed with (0
    /// for a client's request).
    unsafe fn execute_flags(this: *mut IHttpContext) -> u32 {
        with_owner!(this, 0, |core: RequestCore| core.with_state(|s| s.flow.family.executed.unwrap_or(0)))
    }
    /// `GetServerVariable(PCSTR, PCSTR*, DWORD*)`.
    unsafe fn server_variable_a(this: *mut IHttpContext, name: PCSTR, value: *mut PCSTR, len: *mut u32) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            if value.is_null() {
                return E_INVALIDARG;
            }
            // SAFETY: a module passes a NUL-terminated name or null.
            let result = server_variable(core, unsafe { variable_name(name) });
            let (p, n, hr) = match result {
                Ok(text) => (core.arena.cstr(text.as_bytes()), text.len(), S_OK),
                Err(hr) => (PCSTR::null(), 0, hr),
            };
            // SAFETY: `value` is non-null and writable; `len` null or writable.
            unsafe {
                value.write(p);
                put(len, n as u32);
            }
            hr
        })
    }
    /// `GetServerVariable(PCSTR, PCWSTR*, DWORD*)`.
    unsafe fn server_variable_w(this: *mut IHttpContext, name: PCSTR, value: *mut PCWSTR, len: *mut u32) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            if value.is_null() {
                return E_INVALIDARG;
            }
            // SAFETY: a module passes a NUL-terminated name or null.
            let result = server_variable(core, unsafe { variable_name(name) });
            let (p, n, hr) = match result {
                Ok(text) => {
                    let units = to_wide(&text);
                    (core.arena.wstr(&units), units.len(), S_OK)
                }
                Err(hr) => (PCWSTR::null(), 0, hr),
            };
            // SAFETY: `value` is non-null and writable; `len` null or writable.
            unsafe {
                value.write(p);
                put(len, n as u32);
            }
            hr
        })
    }
    /// `SetServerVariable(pszVariableName, pszVariableValue)`; a null value removes it.
    unsafe fn set_server_variable(this: *mut IHttpContext, name: PCSTR, value: PCWSTR) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            // SAFETY: NUL-terminated strings or null.
            let (name, value) = unsafe { (variable_name(name), wstr(value)) };
            let Some(name) = name else { return E_INVALIDARG };
            core.with_state(|s| {
                s.req.server_variables.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
                if let Some(value) = value {
                    s.req.server_variables.push((name.clone(), value.to_vec()));
                }
                s.log.call(ApiCall::ContextSetServerVariable { name, value: value.map(from_wide) });
            });
            S_OK
        })
    }
    unsafe fn allocate_request_memory(this: *mut IHttpContext, size: u32) -> *mut c_void {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| core.memory.allocate(size))
    }
    unsafe fn url_info(this: *mut IHttpContext) -> *mut IHttpUrlInfo {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| core.url_info.iface())
    }
    unsafe fn metadata(this: *mut IHttpContext) -> *mut IMetadataInfo {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| core.metadata.iface())
    }
    unsafe fn physical_path_slot(this: *mut IHttpContext, len: *mut u32) -> PCWSTR {
        with_owner!(this, PCWSTR::null(), |core: RequestCore| wide_out(core, &physical(core), len))
    }
    /// `GetScriptName`: the name a MapRequestHandler module set, else the URL.
    unsafe fn script_name(this: *mut IHttpContext, len: *mut u32) -> PCWSTR {
        with_owner!(this, PCWSTR::null(), |core: RequestCore| {
            let name = core.with_state(|s| s.req.script_name.clone().unwrap_or_else(|| to_wide(&s.req.decoded_path())));
            wide_out(core, &name, len)
        })
    }
    unsafe fn script_translated(this: *mut IHttpContext, len: *mut u32) -> PCWSTR {
        with_owner!(this, PCWSTR::null(), |core: RequestCore| wide_out(core, &physical(core), len))
    }
    /// `GetScriptMap`: what a MapRequestHandler module set, else the first matching `HostConfig::handlers` mapping (`objects::script_map`).
    unsafe fn script_map(this: *mut IHttpContext) -> *mut IScriptMapInfo {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| {
            let set = core.with_state(|s| s.req.script_map.0);
            if set.is_null() { crate::objects::script_map::for_request(core) } else { set }
        })
    }
    /// `SetRequestHandled`: no 404 for this request.
    unsafe fn set_request_handled(this: *mut IHttpContext) {
        with_owner!(this, (), |core: RequestCore| core.with_state(|s| {
            s.flow.handled = true;
            s.log.call(ApiCall::ContextSetRequestHandled);
        }))
    }
    /// `GetFileInfo`: what a MapRequestHandler module set, else the file-cache record of the file the URL maps to (`objects::file_info`).
    unsafe fn file_info(this: *mut IHttpContext) -> *mut IHttpFileInfo {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| {
            let set = core.with_state(|s| s.req.file_info.0);
            if set.is_null() { crate::objects::file_info::for_request(core) } else { set }
        })
    }
    /// `MapPath(pszUrl, pszPhysicalPath, pcbPhysicalPath)` (sizes in bytes).
    unsafe fn map_path_slot(this: *mut IHttpContext, url: PCWSTR, buffer: PWSTR, size: *mut u32) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            // SAFETY: a module passes a NUL-terminated URL or null.
            let Some(url) = (unsafe { wstr(url) }) else { return E_INVALIDARG };
            if size.is_null() {
                return E_INVALIDARG;
            }
            map(core, url, buffer, size)
        })
    }
    /// `NotifyCustomNotification(pCustomOutput, pfCompletionExpected)`:
    /// `OnCustomRequestNotification` on every `RQ_CUSTOM_NOTIFICATION` module, synchronously.
    unsafe fn notify_custom(this: *mut IHttpContext, provider: *mut ICustomNotificationProvider, expected: *mut BOOL) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            if provider.is_null() {
                return E_INVALIDARG;
            }
            // SAFETY: a live provider of the module's, with its vtable.
            let kind = unsafe { ((*(*provider).lpVtbl).QueryNotificationType)(provider) };
            // SAFETY: the provider returns a NUL-terminated string or null.
            let kind = unsafe { wstr(kind) }.map(from_wide).unwrap_or_default();
            core.record(ApiCall::ContextNotifyCustomNotification { kind });
            notify(core, Notification::CustomRequestNotification, false, provider.cast());
            // SAFETY: `expected` is null or writable.
            unsafe { put(expected, FALSE) };
            S_OK
        })
    }
    /// `GetParentContext`: the request this one was cloned from, or null.
    unsafe fn parent_context(this: *mut IHttpContext) -> *mut IHttpContext {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| {
            // SAFETY: a parent outlives its children.
            core.with_state(|s| s.flow.family.parent).map_or(std::ptr::null_mut(), |p| unsafe { &*p.0 }.context_ptr())
        })
    }
    /// `GetRootContext`: the client's request this one descends from (itself
    /// if it is one).
    unsafe fn root_context(this: *mut IHttpContext) -> *mut IHttpContext {
        with_owner!(this, this, |core: RequestCore| {
            let mut root = core;
            while let Some(parent) = root.with_state(|s| s.flow.family.parent) {
                // SAFETY: a parent outlives its children.
                root = unsafe { &*parent.0 };
            }
            root.context_ptr()
        })
    }
    /// `CloneContext`: a child request made of what `flags` copy.
    unsafe fn clone_context(this: *mut IHttpContext, flags: u32, clone: *mut *mut IHttpContext) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            if clone.is_null() {
                return E_INVALIDARG;
            }
            let child = child::clone(core, flags);
            // SAFETY: `clone` is non-null and writable.
            unsafe { clone.write(child) };
            S_OK
        })
    }
    /// `ReleaseClonedContext` (called on the clone): ends and frees it.
    unsafe fn release_cloned(this: *mut IHttpContext) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| child::release(core))
    }
    /// `GetCurrentExecutionStats`: the innermost running notification.
    unsafe fn execution_stats(this: *mut IHttpContext, notification: *mut u32, notification_start: *mut u32, module: *mut PCWSTR, module_start: *mut u32, async_notification: *mut u32, async_start: *mut u32) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            let frame = core.with_state(|s| s.current());
            let (mask, tick, name) = match frame {
                Some(f) => (f.notification.mask(), core.ticks(f.started), core.arena.wstr(&to_wide(&core.modules[f.module].name))),
                None => (0, 0, PCWSTR::null()),
            };
            // SAFETY: every out-pointer is null or writable.
            unsafe {
                put(notification, mask);
                put(notification_start, tick);
                put(module, name);
                put(module_start, tick);
                put(async_notification, 0);
                put(async_start, 0);
            }
            S_OK
        })
    }
    unsafe fn trace_context(this: *mut IHttpContext) -> *mut IHttpTraceContext {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| core.trace.iface())
    }
    unsafe fn server_var_changes(_this: *mut IHttpContext, _snapshot: u32, _count: *mut u32, _changed: *mut u32, _names: *mut *mut PCSTR, _values: *mut *mut PCWSTR, _diff_count: *mut u32, _diff: *mut *mut u32) -> HRESULT {
        E_NOTIMPL
    }
    /// `CancelIo`: recorded; every I/O of iis-host completes synchronously,
    /// so nothing is pending to cancel.
    unsafe fn cancel_io(this: *mut IHttpContext) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            core.record(ApiCall::ContextCancelIo);
            S_OK
        })
    }
    /// `MapHandler`: the handler mapping of `url` and `verb` among
    /// [`HostConfig::handlers`](crate::HostConfig::handlers) (one site:
    /// the site id and name are not looked at), wildcard mappings skipped
    /// with `fIgnoreWildcardMappings`; `HRESULT_FROM_WIN32(ERROR_NOT_FOUND)`
    /// (and null) when none matches.
    unsafe fn map_handler(this: *mut IHttpContext, _site: u32, _site_name: PCWSTR, url: PCWSTR, verb: PCSTR, map: *mut *mut IScriptMapInfo, ignore_wildcard: BOOL) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            // SAFETY: the module passes NUL-terminated strings (or null).
            let (Some(url), Some(verb)) = (unsafe { wstr(url) }, unsafe { cstr(verb) }) else {
                return E_INVALIDARG;
            };
            if map.is_null() {
                return E_INVALIDARG;
            }
            let url = from_wide(url);
            let verb = String::from_utf8_lossy(verb);
            let found = crate::objects::script_map::for_url(core, &url, &verb, ignore_wildcard.0 != 0);
            // SAFETY: `map` is non-null and writable (slot contract).
            unsafe { put(map, found) };
            if found.is_null() { HRESULT_ERROR_NOT_FOUND } else { S_OK }
        })
    }
    /// `IHttpContext::GetExtendedInterface` (deprecated, no versions defined).
    unsafe fn extended_interface(_this: *mut IHttpContext, _version: HTTP_CONTEXT_INTERFACE_VERSION, _out: *mut *mut c_void) -> HRESULT {
        E_NOTIMPL
    }
    /// `IHttpContext2::GetOriginalUser`: the anonymous user.
    unsafe fn original_user(_this: *mut IHttpContext2) -> *mut IHttpUser {
        ANONYMOUS.iface()
    }
    unsafe fn named_container(this: *mut IHttpContext3) -> *mut INamedContextContainer {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| core.named.iface())
    }
    /// `IHttpContext3::EnableFullDuplex`: reads and writes are independent here already.
    unsafe fn enable_full_duplex(_this: *mut IHttpContext3) {}
    /// `IHttpContext3::InheritServerVariable`: no child requests, nothing to inherit.
    unsafe fn inherit_server_variable(_this: *mut IHttpContext3, _name: PCSTR, _inherit: BOOL) -> HRESULT {
        S_OK
    }
    /// `IHttpContext3::PostCompletion(cbBytes, pfnCompletionRoutine, pvCompletionContext)`: not emulated.
    unsafe fn post_completion3(_this: *mut IHttpContext3, _bytes: u32, _routine: LPOVERLAPPED_COMPLETION_ROUTINE, _context: *mut c_void) -> HRESULT {
        E_NOTIMPL
    }
    /// `IHttpContext4::GetRequestStartTime`: milliseconds since the host started.
    unsafe fn start_time(this: *mut IHttpContext4) -> u64 {
        with_owner!(this, 0, |core: RequestCore| u64::from(core.ticks(core.started)))
    }
    /// `IHttpContext4::GetRequestElapsedTime`: milliseconds.
    unsafe fn elapsed_time(this: *mut IHttpContext4) -> u64 {
        with_owner!(this, 0, |core: RequestCore| core.started.elapsed().as_millis() as u64)
    }
    unsafe fn url_container(this: *mut IHttpUrlInfo) -> *mut IHttpModuleContextContainer {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| core.url_container.iface())
    }
    unsafe fn frequently_hit(_this: *mut IHttpUrlInfo) -> BOOL {
        FALSE
    }
    /// `IMetadataInfo::GetMetaPath`: the configuration path of the URL.
    unsafe fn meta_path(this: *mut IMetadataInfo) -> PCWSTR {
        with_owner!(this, PCWSTR::null(), |core: RequestCore| {
            let path = core.with_state(|s| s.req.decoded_path().into_owned());
            let base = from_wide(core.host().strings.config_path.units());
            core.arena.wstr(&to_wide(&format!("{base}{}", path.trim_end_matches('/'))))
        })
    }
    unsafe fn vr_path(this: *mut IMetadataInfo) -> PCWSTR {
        with_owner!(this, PCWSTR::null(), |core: RequestCore| core.host().strings.physical_path.ptr())
    }
    unsafe fn vr_token(_this: *mut IMetadataInfo) -> *mut IHttpTokenEntry {
        std::ptr::null_mut()
    }
    unsafe fn metadata_container(this: *mut IMetadataInfo) -> *mut IHttpModuleContextContainer {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| core.metadata_container.iface())
    }
}

/// `IHttpContext4`.
pub(crate) static CONTEXT_VTBL: IHttpContext4Vtbl = IHttpContext4Vtbl {
    base: IHttpContext3Vtbl {
        base: IHttpContext2Vtbl {
            base: IHttpContextVtbl {
                GetSite: get_site,
                GetApplication: get_application,
                GetConnection: get_connection,
                GetRequest: get_request,
                GetResponse: get_response,
                GetResponseHeadersSent: headers_sent,
                GetUser: get_user,
                GetModuleContextContainer: get_container,
                IndicateCompletion: indicate_completion,
                PostCompletion: post_completion,
                DisableNotifications: disable_notifications,
                GetNextNotification: next_notification,
                GetIsLastNotification: is_last_notification,
                ExecuteRequest: execute_request,
                GetExecuteFlags: execute_flags,
                GetServerVariableA: server_variable_a,
                GetServerVariable: server_variable_w,
                SetServerVariable: set_server_variable,
                AllocateRequestMemory: allocate_request_memory,
                GetUrlInfo: url_info,
                GetMetadata: metadata,
                GetPhysicalPath: physical_path_slot,
                GetScriptName: script_name,
                GetScriptTranslated: script_translated,
                GetScriptMap: script_map,
                SetRequestHandled: set_request_handled,
                GetFileInfo: file_info,
                MapPath: map_path_slot,
                NotifyCustomNotification: notify_custom,
                GetParentContext: parent_context,
                GetRootContext: root_context,
                CloneContext: clone_context,
                ReleaseClonedContext: release_cloned,
                GetCurrentExecutionStats: execution_stats,
                GetTraceContext: trace_context,
                GetServerVarChanges: server_var_changes,
                CancelIo: cancel_io,
                MapHandler: map_handler,
                GetExtendedInterface: extended_interface,
            },
            GetOriginalUser: original_user,
        },
        GetNamedContextContainer: named_container,
        EnableFullDuplex: enable_full_duplex,
        InheritServerVariable: inherit_server_variable,
        PostCompletion3: post_completion3,
    },
    GetRequestStartTime: start_time,
    GetRequestElapsedTime: elapsed_time,
};

/// `IHttpUrlInfo`.
pub(crate) static URL_INFO_VTBL: IHttpUrlInfoVtbl = IHttpUrlInfoVtbl {
    GetModuleContextContainer: url_container,
    IsFrequentlyHit: frequently_hit,
};

/// `IMetadataInfo`.
pub(crate) static METADATA_VTBL: IMetadataInfoVtbl = IMetadataInfoVtbl {
    GetMetaPath: meta_path,
    GetVrPath: vr_path,
    GetVrToken: vr_token,
    GetModuleContextContainer: metadata_container,
};
