//! The event providers handed to notifications: `IHttpEventProvider` and its
//! derived interfaces, and `IHttpCompletionInfo2` for `OnAsyncCompletion`.
//!
//! A provider lives on the dispatching frame for one notification. Every
//! provider's data starts with a [`ProviderBase`], so the one
//! `SetErrorStatus` slot (which, as the IIS docs say, "does not directly
//! affect request processing") serves all of them: it is recorded.

use std::ffi::c_void;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use iis_sys::{
    HRESULT, HTTP_LOG_DATA, IAuthenticationProvider, IAuthenticationProviderVtbl,
    IGlobalConfigurationChangeProvider, IGlobalConfigurationChangeProviderVtbl,
    IGlobalFileChangeProvider, IGlobalFileChangeProviderVtbl, IGlobalStopListeningProvider,
    IGlobalStopListeningProviderVtbl, IHttpApplication, IHttpApplicationProvider,
    IHttpApplicationProviderVtbl, IHttpCompletionInfo, IHttpCompletionInfo2,
    IHttpCompletionInfo2Vtbl, IHttpCompletionInfoVtbl, IHttpContext, IHttpEventProvider,
    IHttpEventProviderVtbl, IHttpFileInfo, IHttpFileMonitor, IHttpUser, IMapHandlerProvider,
    IMapHandlerProviderVtbl, IMapPathProvider, IMapPathProviderVtbl, IPreBeginRequestProvider,
    IPreBeginRequestProviderVtbl, IReadEntityProvider, IReadEntityProviderVtbl, IScriptMapInfo,
    ISendResponseProvider, ISendResponseProviderVtbl, PCWSTR, define_member_fn,
};

use crate::ffi::{
    E_INVALIDARG, FALSE, HRESULT_ERROR_INVALID_STATE, S_OK, TRUE, hex, lock, put, wide,
};
use crate::objects::log_data::{self, LogView};
use crate::objects::{Back, Foreign, Obj, with_data};
use crate::state::RequestCore;
use crate::state::host::HostCore;
use crate::transcript::ApiCall;

/// The first field of every provider's data.
#[repr(C)]
pub(crate) struct ProviderBase {
    /// The request, for request notifications (null for global ones).
    pub(crate) request: Back<RequestCore>,
    /// The host.
    pub(crate) host: Back<HostCore>,
}

impl ProviderBase {
    /// A base for a request notification.
    pub(crate) fn request(core: &RequestCore) -> Self {
        ProviderBase {
            request: Back(core),
            host: Back(core.host()),
        }
    }

    /// A base for a global notification.
    pub(crate) fn global(host: &HostCore) -> Self {
        ProviderBase {
            request: Back(std::ptr::null()),
            host: Back(host),
        }
    }

    fn record(&self, call: ApiCall) {
        // SAFETY: the base points at the live request (or null) and the live
        // host for the duration of the notification.
        match unsafe { self.request.0.as_ref() } {
            Some(core) => core.record(call),
            // SAFETY: as above.
            None => unsafe { &*self.host.0 }.record(call),
        }
    }

    fn core(&self) -> Option<&RequestCore> {
        // SAFETY: as in `record`.
        unsafe { self.request.0.as_ref() }
    }
}

define_member_fn! {
    /// `IHttpEventProvider::SetErrorStatus`: recorded (and returned by `GetStatus`).
    unsafe fn set_error_status(this: *mut IHttpEventProvider, hr: HRESULT) {
        with_data!(this, (), |base: ProviderBase| {
            base.record(ApiCall::ProviderSetErrorStatus { hr: hex(hr) });
            if let Some(core) = base.core() {
                core.with_state(|s| s.flow.error_status = hr);
            }
        })
    }
}

const EVENT_BASE: IHttpEventProviderVtbl = IHttpEventProviderVtbl {
    SetErrorStatus: set_error_status,
};

/// `IHttpEventProvider` (most pre/post notifications).
pub(crate) static EVENT_VTBL: IHttpEventProviderVtbl = EVENT_BASE;

/// A plain event provider.
pub(crate) fn event(core: &RequestCore) -> Obj<ProviderBase> {
    Obj::new(&EVENT_VTBL, ProviderBase::request(core))
}

define_member_fn! {
    /// `IAuthenticationProvider::SetUser`: the request's user from now on;
    /// iis-host calls `DereferenceUser` on it when it is replaced or the request ends.
    unsafe fn set_user(this: *mut IAuthenticationProvider, user: *mut IHttpUser) {
        with_data!(this, (), |base: ProviderBase| {
            base.record(ApiCall::ProviderSetUser);
            if let Some(core) = base.core() {
                core.set_user(user);
            }
        })
    }

    /// `IMapHandlerProvider::SetScriptName`.
    unsafe fn set_script_name(this: *mut IMapHandlerProvider, name: PCWSTR, len: u32) -> HRESULT {
        with_data!(this, E_INVALIDARG, |base: ProviderBase| {
            // SAFETY: the module passes `len` readable units.
            let Some(units) = (unsafe { wide(name.0, len as usize) }) else { return E_INVALIDARG };
            let units = units.to_vec();
            if let Some(core) = base.core() {
                core.with_state(|s| s.req.script_name = Some(units));
            }
            S_OK
        })
    }

    /// `IMapHandlerProvider::SetScriptMap`.
    unsafe fn set_script_map(this: *mut IMapHandlerProvider, map: *mut IScriptMapInfo) {
        with_data!(this, (), |base: ProviderBase| {
            if let Some(core) = base.core() {
                core.with_state(|s| s.req.script_map = Foreign(map));
            }
        })
    }

    /// `IMapHandlerProvider::SetFileInfo`: the request's file from now on
    /// (`IHttpContext::GetFileInfo`). The caller's reference passes to the
    /// request, which releases it (`DereferenceCacheData`) when another
    /// file replaces it or the request ends.
    unsafe fn set_file_info(this: *mut IMapHandlerProvider, info: *mut IHttpFileInfo) {
        with_data!(this, (), |base: ProviderBase| {
            if let Some(core) = base.core() {
                let previous = core.with_state(|s| std::mem::replace(&mut s.req.file_info, Foreign(info)));
                dereference_file_info(previous);
            }
        })
    }
}

/// `IAuthenticationProvider` (AuthenticateRequest).
pub(crate) static AUTHENTICATION_VTBL: IAuthenticationProviderVtbl = IAuthenticationProviderVtbl {
    base: EVENT_BASE,
    SetUser: set_user,
};

/// `IMapHandlerProvider` (MapRequestHandler).
pub(crate) static MAP_HANDLER_VTBL: IMapHandlerProviderVtbl = IMapHandlerProviderVtbl {
    base: EVENT_BASE,
    SetScriptName: set_script_name,
    SetScriptMap: set_script_map,
    SetFileInfo: set_file_info,
};

/// The host's provider object for a raw provider interface of the stage
/// notifications: their data is a [`ProviderBase`] and nothing else.
trait StageProvider {
    /// A provider of this interface for a notification of `core`.
    fn for_request(core: &RequestCore) -> Obj<ProviderBase>;
}

impl StageProvider for IHttpEventProvider {
    fn for_request(core: &RequestCore) -> Obj<ProviderBase> {
        event(core)
    }
}

impl StageProvider for IAuthenticationProvider {
    fn for_request(core: &RequestCore) -> Obj<ProviderBase> {
        Obj::new(&AUTHENTICATION_VTBL, ProviderBase::request(core))
    }
}

impl StageProvider for IMapHandlerProvider {
    fn for_request(core: &RequestCore) -> Obj<ProviderBase> {
        Obj::new(&MAP_HANDLER_VTBL, ProviderBase::request(core))
    }
}

/// Builds `for_stage` from iis-sys's table of request notifications.
macro_rules! stage_providers {
    ($(
        $variant:ident = $mask:ident:
            $(#[$pre_doc:meta])*
            $hook:ident / $slot:ident ($alias:literal): $provider:ident($raw:ty)
            $(,
                $(#[$post_doc:meta])*
                $post_hook:ident / $post_slot:ident ($post_alias:literal): $post_provider:ident($post_raw:ty)
            )?;
    )*) => {
        /// The provider of a stage notification (`post`: of its
        /// post-notification), with the interface the table gives its slot;
        /// a plain event provider for the other notifications, whose callers
        /// build their own.
        pub(crate) fn for_stage(
            core: &RequestCore,
            notification: crate::Notification,
            post: bool,
        ) -> Obj<ProviderBase> {
            use crate::Notification;
            match (notification, post) {
                // Only the stages (rows with a post part) expand here.
                $($(
                    (Notification::$variant, false) => <$raw as StageProvider>::for_request(core),
                    (Notification::$variant, true) => <$post_raw as StageProvider>::for_request(core),
                )?)*
                _ => event(core),
            }
        }
    };
}

iis_sys::request_notifications!(stage_providers);

/// Releases the reference a module handed over with `SetFileInfo`.
pub(crate) fn dereference_file_info(info: Foreign<IHttpFileInfo>) {
    if !info.is_null() {
        // SAFETY: a file info a module passed with its reference (the host's
        // file cache's, or the module's own), alive until this release.
        unsafe { ((*(*info.0).lpVtbl).base.DereferenceCacheData)(info.0.cast()) };
    }
}

/// `ISendResponseProvider` data.
#[repr(C)]
pub(crate) struct SendResponseData {
    base: ProviderBase,
    headers_being_sent: bool,
    flags: AtomicU32,
    /// The final send: the log data is ready.
    ready_to_log: bool,
    /// The `GetLogData` views handed out, alive until the notification ends.
    /// Boxed: modules hold their addresses while the list grows.
    #[allow(clippy::vec_box)]
    log_views: Mutex<Vec<Box<LogView>>>,
}

define_member_fn! {
    /// `GetHeadersBeingSent`.
    unsafe fn headers_being_sent(this: *mut ISendResponseProvider) -> iis_sys::BOOL {
        with_data!(this, FALSE, |data: SendResponseData| data.headers_being_sent.into())
    }

    /// `GetFlags`: the `HTTP_SEND_RESPONSE_FLAG_*` of this send.
    unsafe fn get_flags(this: *mut ISendResponseProvider) -> u32 {
        with_data!(this, 0, |data: SendResponseData| data.flags.load(Ordering::SeqCst))
    }

    /// `SetFlags`: recorded and stored; the send honours
    /// `HTTP_SEND_RESPONSE_FLAG_DISCONNECT` (the connection closes after the
    /// response); the connection layer frames the response itself.
    unsafe fn set_flags(this: *mut ISendResponseProvider, flags: u32) {
        with_data!(this, (), |data: SendResponseData| {
            data.base.record(ApiCall::ProviderSetFlags { flags });
            data.flags.store(flags, Ordering::SeqCst);
        })
    }

    /// `GetLogData`: at the final send, an `HTTP_LOG_FIELDS_DATA` of the
    /// request's log entry (valid until the notification ends); null before.
    unsafe fn get_log_data(this: *mut ISendResponseProvider) -> *mut HTTP_LOG_DATA {
        with_data!(this, std::ptr::null_mut(), |data: SendResponseData| {
            let Some(core) = data.base.core() else { return std::ptr::null_mut() };
            if !data.ready_to_log {
                return std::ptr::null_mut();
            }
            let Some(record) = core.with_state(|s| s.out.log.clone()) else {
                return std::ptr::null_mut();
            };
            let mut view = LogView::new(&record);
            let p = view.as_log_data();
            lock(&data.log_views).push(view);
            p
        })
    }

    /// `SetLogData(pLogData)`: at the final send, the module's
    /// `HTTP_LOG_FIELDS_DATA` (copied) becomes the request's log entry;
    /// `E_INVALIDARG` for anything else, and
    /// `HRESULT_FROM_WIN32(ERROR_INVALID_STATE)` before the final send,
    /// when there is no log entry yet.
    unsafe fn set_log_data(this: *mut ISendResponseProvider, log: *mut HTTP_LOG_DATA) -> HRESULT {
        with_data!(this, E_INVALIDARG, |data: SendResponseData| {
            let Some(core) = data.base.core() else { return E_INVALIDARG };
            if !data.ready_to_log {
                return HRESULT_ERROR_INVALID_STATE;
            }
            // SAFETY: the module passes null or its log data, readable as
            // its type and lengths say.
            let Some(record) = (unsafe { log_data::read(log) }) else { return E_INVALIDARG };
            data.base.record(ApiCall::ProviderSetLogData);
            core.with_state(|s| s.out.log = Some(record));
            S_OK
        })
    }

    /// `GetReadyToLogData`: `TRUE` at the final send.
    unsafe fn ready_to_log(this: *mut ISendResponseProvider) -> iis_sys::BOOL {
        with_data!(this, FALSE, |data: SendResponseData| data.ready_to_log.into())
    }
}

/// `ISendResponseProvider` (SendResponse).
static SEND_RESPONSE_VTBL: ISendResponseProviderVtbl = ISendResponseProviderVtbl {
    base: EVENT_BASE,
    GetHeadersBeingSent: headers_being_sent,
    GetFlags: get_flags,
    SetFlags: set_flags,
    GetLogData: get_log_data,
    SetLogData: set_log_data,
    GetReadyToLogData: ready_to_log,
};

/// `HTTP_SEND_RESPONSE_FLAG_DISCONNECT`.
pub(crate) const SEND_DISCONNECT: u32 = 0x0000_0001;
/// `HTTP_SEND_RESPONSE_FLAG_MORE_DATA`.
pub(crate) const SEND_MORE_DATA: u32 = 0x0000_0004;

impl SendResponseData {
    /// The send's flags after the notification.
    pub(crate) fn flags(&self) -> u32 {
        self.flags.load(Ordering::SeqCst)
    }
}

/// A SendResponse provider; `ready_to_log` for the final send, whose log
/// entry (`RequestState::out.log`) is prepared before the notification.
pub(crate) fn send_response(
    core: &RequestCore,
    headers_being_sent: bool,
    flags: u32,
    ready_to_log: bool,
) -> Obj<SendResponseData> {
    Obj::new(
        &SEND_RESPONSE_VTBL,
        SendResponseData {
            base: ProviderBase::request(core),
            headers_being_sent,
            flags: AtomicU32::new(flags),
            ready_to_log,
            log_views: Mutex::new(Vec::new()),
        },
    )
}

/// `IMapPathProvider` data.
#[repr(C)]
pub(crate) struct MapPathData {
    base: ProviderBase,
    /// The URL, NUL-terminated.
    url: Box<[u16]>,
    /// The physical path, NUL-terminated; replaced by `SetPhysicalPath`.
    physical: Mutex<Box<[u16]>>,
}

impl MapPathData {
    /// The physical path after the notification (without the terminator).
    pub(crate) fn physical(&self) -> Vec<u16> {
        let path = lock(&self.physical);
        path[..path.len() - 1].to_vec()
    }
}

fn terminated(units: &[u16]) -> Box<[u16]> {
    let mut v = units.to_vec();
    v.push(0);
    v.into_boxed_slice()
}

define_member_fn! {
    /// `IMapPathProvider::GetUrl`.
    unsafe fn map_get_url(this: *mut IMapPathProvider) -> PCWSTR {
        with_data!(this, PCWSTR::null(), |data: MapPathData| PCWSTR(data.url.as_ptr()))
    }

    /// `IMapPathProvider::GetPhysicalPath` (valid until `SetPhysicalPath`).
    unsafe fn map_get_physical(this: *mut IMapPathProvider) -> PCWSTR {
        with_data!(this, PCWSTR::null(), |data: MapPathData| {
            let path = lock(&data.physical);
            let p = path.as_ptr();
            // The string lives in the provider; keep a copy alive in the
            // request arena so the pointer survives a later SetPhysicalPath.
            match data.base.core() {
                Some(core) => core.arena.wstr(&path[..path.len() - 1]),
                None => PCWSTR(p),
            }
        })
    }

    /// `IMapPathProvider::SetPhysicalPath(pszPhysicalPath, cchPhysicalPath)`.
    unsafe fn map_set_physical(this: *mut IMapPathProvider, path: PCWSTR, len: u32) -> HRESULT {
        with_data!(this, E_INVALIDARG, |data: MapPathData| {
            // SAFETY: the module passes `len` readable units.
            let Some(units) = (unsafe { wide(path.0, len as usize) }) else { return E_INVALIDARG };
            *lock(&data.physical) = terminated(units);
            S_OK
        })
    }
}

/// `IMapPathProvider` (MapPath).
static MAP_PATH_VTBL: IMapPathProviderVtbl = IMapPathProviderVtbl {
    base: EVENT_BASE,
    GetUrl: map_get_url,
    GetPhysicalPath: map_get_physical,
    SetPhysicalPath: map_set_physical,
};

/// A MapPath provider for `url` mapped to `physical`.
pub(crate) fn map_path(core: &RequestCore, url: &[u16], physical: &[u16]) -> Obj<MapPathData> {
    Obj::new(
        &MAP_PATH_VTBL,
        MapPathData {
            base: ProviderBase::request(core),
            url: terminated(url),
            physical: Mutex::new(terminated(physical)),
        },
    )
}

/// `IReadEntityProvider` data: the entity just read into the caller's buffer.
#[repr(C)]
pub(crate) struct ReadEntityData {
    base: ProviderBase,
    /// (buffer address, data length, buffer length).
    entity: Mutex<(usize, u32, u32)>,
}

impl ReadEntityData {
    /// The entity after the notification.
    pub(crate) fn entity(&self) -> (*mut c_void, u32, u32) {
        let (p, data, buffer) = *lock(&self.entity);
        (p as *mut c_void, data, buffer)
    }
}

define_member_fn! {
    /// `IReadEntityProvider::GetEntity(ppBuffer, pcbData, pcbBuffer)`.
    unsafe fn get_entity(this: *mut IReadEntityProvider, buffer: *mut *mut c_void, data_len: *mut u32, buffer_len: *mut u32) {
        with_data!(this, (), |data: ReadEntityData| {
            let (p, d, b) = data.entity();
            // SAFETY: the out-pointers are null or writable, per the slot contract.
            unsafe {
                put(buffer, p);
                put(data_len, d);
                put(buffer_len, b);
            }
        })
    }

    /// `IReadEntityProvider::SetEntity(pBuffer, cbData, cbBuffer)`.
    unsafe fn set_entity(this: *mut IReadEntityProvider, buffer: *mut c_void, data_len: u32, buffer_len: u32) {
        with_data!(this, (), |data: ReadEntityData| {
            *lock(&data.entity) = (buffer as usize, data_len, buffer_len);
        })
    }
}

/// `IReadEntityProvider` (ReadEntity).
static READ_ENTITY_VTBL: IReadEntityProviderVtbl = IReadEntityProviderVtbl {
    base: EVENT_BASE,
    GetEntity: get_entity,
    SetEntity: set_entity,
};

/// A ReadEntity provider over the caller's buffer.
pub(crate) fn read_entity(
    core: &RequestCore,
    buffer: *mut c_void,
    data_len: u32,
    buffer_len: u32,
) -> Obj<ReadEntityData> {
    Obj::new(
        &READ_ENTITY_VTBL,
        ReadEntityData {
            base: ProviderBase::request(core),
            entity: Mutex::new((buffer as usize, data_len, buffer_len)),
        },
    )
}

define_member_fn! {
    /// `IPreBeginRequestProvider::GetHttpContext`.
    unsafe fn pre_begin_context(this: *mut IPreBeginRequestProvider) -> *mut IHttpContext {
        with_data!(this, std::ptr::null_mut(), |base: ProviderBase| {
            base.core().map_or(std::ptr::null_mut(), RequestCore::context_ptr)
        })
    }

    /// `IHttpApplicationProvider::GetApplication`.
    unsafe fn provider_application(this: *mut IHttpApplicationProvider) -> *mut IHttpApplication {
        with_data!(this, std::ptr::null_mut(), |base: ProviderBase| {
            // SAFETY: the host outlives every notification.
            unsafe { &*base.host.0 }.application_ptr()
        })
    }

    /// `IGlobalStopListeningProvider::DrainRequestsGracefully`: iis-host
    /// always lets running requests finish.
    unsafe fn drain_gracefully(_this: *mut IGlobalStopListeningProvider) -> iis_sys::BOOL {
        TRUE
    }
}

/// `IPreBeginRequestProvider` (GL_PRE_BEGIN_REQUEST).
static PRE_BEGIN_VTBL: IPreBeginRequestProviderVtbl = IPreBeginRequestProviderVtbl {
    base: EVENT_BASE,
    GetHttpContext: pre_begin_context,
};

/// `IHttpApplicationProvider` (GL_APPLICATION_START / GL_APPLICATION_STOP).
static APPLICATION_VTBL: IHttpApplicationProviderVtbl = IHttpApplicationProviderVtbl {
    base: EVENT_BASE,
    GetApplication: provider_application,
};

/// `IGlobalStopListeningProvider` (GL_STOP_LISTENING).
static STOP_LISTENING_VTBL: IGlobalStopListeningProviderVtbl = IGlobalStopListeningProviderVtbl {
    base: EVENT_BASE,
    DrainRequestsGracefully: drain_gracefully,
};

/// A PreBeginRequest provider.
pub(crate) fn pre_begin(core: &RequestCore) -> Obj<ProviderBase> {
    Obj::new(&PRE_BEGIN_VTBL, ProviderBase::request(core))
}

/// An ApplicationStart/ApplicationStop provider.
pub(crate) fn application(host: &HostCore) -> Obj<ProviderBase> {
    Obj::new(&APPLICATION_VTBL, ProviderBase::global(host))
}

/// A StopListening provider.
pub(crate) fn stop_listening(host: &HostCore) -> Obj<ProviderBase> {
    Obj::new(&STOP_LISTENING_VTBL, ProviderBase::global(host))
}

/// Data of the providers that carry a path (configuration and file change).
#[repr(C)]
pub(crate) struct PathData {
    base: ProviderBase,
    path: Box<[u16]>,
}

define_member_fn! {
    /// `IGlobalConfigurationChangeProvider::GetChangePath`.
    unsafe fn change_path(this: *mut IGlobalConfigurationChangeProvider) -> PCWSTR {
        with_data!(this, PCWSTR::null(), |data: PathData| PCWSTR(data.path.as_ptr()))
    }

    /// `IGlobalFileChangeProvider::GetFileName`.
    unsafe fn file_name(this: *mut IGlobalFileChangeProvider) -> PCWSTR {
        with_data!(this, PCWSTR::null(), |data: PathData| PCWSTR(data.path.as_ptr()))
    }

    /// `IGlobalFileChangeProvider::GetFileMonitor`: iis-host has no file
    /// monitors (`RegisterFileChangeMonitor` is not emulated).
    unsafe fn file_monitor(_this: *mut IGlobalFileChangeProvider) -> *mut IHttpFileMonitor {
        std::ptr::null_mut()
    }
}

/// `IGlobalConfigurationChangeProvider`.
static CONFIGURATION_CHANGE_VTBL: IGlobalConfigurationChangeProviderVtbl =
    IGlobalConfigurationChangeProviderVtbl {
        base: EVENT_BASE,
        GetChangePath: change_path,
    };

/// `IGlobalFileChangeProvider`.
static FILE_CHANGE_VTBL: IGlobalFileChangeProviderVtbl = IGlobalFileChangeProviderVtbl {
    base: EVENT_BASE,
    GetFileName: file_name,
    GetFileMonitor: file_monitor,
};

/// A ConfigurationChange provider for `path`.
pub(crate) fn configuration_change(host: &HostCore, path: &[u16]) -> Obj<PathData> {
    Obj::new(
        &CONFIGURATION_CHANGE_VTBL,
        PathData {
            base: ProviderBase::global(host),
            path: terminated(path),
        },
    )
}

/// A FileChange provider for `path`.
pub(crate) fn file_change(host: &HostCore, path: &[u16]) -> Obj<PathData> {
    Obj::new(
        &FILE_CHANGE_VTBL,
        PathData {
            base: ProviderBase::global(host),
            path: terminated(path),
        },
    )
}

/// `IHttpCompletionInfo2` data.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CompletionData {
    /// `GetCompletionBytes`.
    pub(crate) bytes: u32,
    /// `GetCompletionStatus`.
    pub(crate) status: HRESULT,
}

define_member_fn! {
    /// `GetCompletionBytes`.
    unsafe fn completion_bytes(this: *mut IHttpCompletionInfo) -> u32 {
        with_data!(this, 0, |data: CompletionData| data.bytes)
    }

    /// `GetCompletionStatus`.
    unsafe fn completion_status(this: *mut IHttpCompletionInfo) -> HRESULT {
        with_data!(this, S_OK, |data: CompletionData| data.status)
    }

    /// `IHttpCompletionInfo2::GetCompletedOperation`: 0. Microsoft documents
    /// it as "the number of bytes completed" and publishes no operation
    /// codes, so iis-host does not invent any; a module tells its
    /// operations apart by their completion routines.
    unsafe fn completed_operation(_this: *mut IHttpCompletionInfo2) -> u32 {
        0
    }
}

/// `IHttpCompletionInfo2` (a plain cast gives `IHttpCompletionInfo`).
pub(crate) static COMPLETION_VTBL: IHttpCompletionInfo2Vtbl = IHttpCompletionInfo2Vtbl {
    base: IHttpCompletionInfoVtbl {
        GetCompletionBytes: completion_bytes,
        GetCompletionStatus: completion_status,
    },
    GetCompletedOperation: completed_operation,
};

/// Completion info for `PostCompletion(bytes)`.
pub(crate) fn completion(bytes: u32, status: HRESULT) -> Obj<CompletionData> {
    Obj::new(&COMPLETION_VTBL, CompletionData { bytes, status })
}
