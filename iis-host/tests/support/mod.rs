//! Raw test modules for iis-host, written directly against the iis-sys
//! vtables as a C++ module would be (no iis-module): a [`Script`] says what a
//! module subscribes to and what it does in each notification; [`module!`]
//! turns a `static` script into a `RegisterModule` function for
//! `HostBuilder::module_fn`.
//!
//! Module instances are allocated from the request's `IModuleAllocator`
//! (never freed by the module, as IIS frees request memory), factories and
//! global modules from the heap (freed in `Terminate`).

#![allow(dead_code)]

use std::ffi::c_void;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

/// The `IHttpServer` the last `RegisterModule` received.
pub static SERVER: AtomicPtr<IHttpServer> = AtomicPtr::new(std::ptr::null_mut());

use iis_host::Notification;
use iis_sys::*;

/// What a client gets for `request` (which should close the connection)
/// from `host` served on a loopback port.
pub fn over_tcp(host: iis_host::Host, request: &[u8]) -> String {
    use std::io::{Read, Write};
    let host = std::sync::Arc::new(host);
    let server = host.serve("127.0.0.1:0").unwrap();
    let mut stream = std::net::TcpStream::connect(server.local_addr()).unwrap();
    stream.write_all(request).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// Counts what the host did to a script's objects.
#[derive(Debug)]
pub struct Counters {
    pub created: AtomicUsize,
    pub disposed: AtomicUsize,
    pub terminated: AtomicUsize,
    pub global_terminated: AtomicUsize,
}

impl Counters {
    pub const fn new() -> Self {
        Counters {
            created: AtomicUsize::new(0),
            disposed: AtomicUsize::new(0),
            terminated: AtomicUsize::new(0),
            global_terminated: AtomicUsize::new(0),
        }
    }

    pub fn get(&self) -> (usize, usize, usize, usize) {
        (
            self.created.load(Ordering::SeqCst),
            self.disposed.load(Ordering::SeqCst),
            self.terminated.load(Ordering::SeqCst),
            self.global_terminated.load(Ordering::SeqCst),
        )
    }
}

/// One request notification as a module sees it.
#[derive(Debug, Clone, Copy)]
pub struct Call {
    pub context: *mut IHttpContext,
    pub notification: Notification,
    pub post: bool,
    pub provider: *mut c_void,
    /// For `AsyncCompletion`: the completion's byte count.
    pub bytes: u32,
    /// For `AsyncCompletion`: the completion's status.
    pub status: HRESULT,
}

/// A global notification as a module sees it.
#[derive(Debug, Clone, Copy)]
pub struct GlobalCall {
    pub notification: iis_host::GlobalNotification,
    pub provider: *mut c_void,
}

/// What a test module does.
pub struct Script {
    /// `dwRequestNotifications`.
    pub request: u32,
    /// `dwPostRequestNotifications`.
    pub post: u32,
    /// `dwGlobalNotifications` (0: no global module).
    pub global: u32,
    /// `SetPriorityForRequestNotification(request | post mask, alias)`.
    pub priority: Option<&'static str>,
    /// What `RegisterModule` returns when it fails on purpose.
    pub fail_with: Option<HRESULT>,
    /// What `RegisterModule` returns after registering its factory and
    /// global module (a registration that fails half-way).
    pub fail_after_registering: Option<HRESULT>,
    /// `SetRequestNotifications` and `SetGlobalNotifications` twice, each
    /// with a new object (the second replaces the first).
    pub register_twice: bool,
    /// What `GetHttpModule` returns when it fails on purpose.
    pub fail_get_module: Option<HRESULT>,
    /// Each request notification.
    pub on_request: fn(&Call) -> REQUEST_NOTIFICATION_STATUS,
    /// Each global notification.
    pub on_global: fn(&GlobalCall) -> GLOBAL_NOTIFICATION_STATUS,
    pub counters: &'static Counters,
}

pub fn continue_request(_: &Call) -> REQUEST_NOTIFICATION_STATUS {
    RQ_NOTIFICATION_CONTINUE
}

pub fn continue_global(_: &GlobalCall) -> GLOBAL_NOTIFICATION_STATUS {
    GL_NOTIFICATION_CONTINUE
}

impl Script {
    pub const fn new(request: u32, post: u32, counters: &'static Counters) -> Self {
        Script {
            request,
            post,
            global: 0,
            priority: None,
            fail_with: None,
            fail_after_registering: None,
            register_twice: false,
            fail_get_module: None,
            on_request: continue_request,
            on_global: continue_global,
            counters,
        }
    }
}

/// `RegisterModule` of a `static` [`Script`].
#[macro_export]
macro_rules! module {
    ($name:ident, $script:expr) => {
        unsafe extern "system" fn $name(
            version: u32,
            info: *mut iis_sys::IHttpModuleRegistrationInfo,
            server: *mut iis_sys::IHttpServer,
        ) -> iis_sys::HRESULT {
            let script: &'static $crate::support::Script = &$script;
            // SAFETY: called by the host as RegisterModule, with live objects.
            unsafe { $crate::support::register(script, version, info, server) }
        }
    };
}

#[repr(C)]
struct Factory {
    vtbl: &'static IHttpModuleFactoryVtbl,
    script: &'static Script,
}

#[repr(C)]
struct Module {
    vtbl: &'static CHttpModuleVtbl,
    script: &'static Script,
}

#[repr(C)]
struct Global {
    vtbl: &'static CGlobalModuleVtbl,
    script: &'static Script,
}

/// What every test module's `RegisterModule` does.
///
/// # Safety
///
/// `info` and `server` are the host's live objects.
pub unsafe fn register(
    script: &'static Script,
    _version: u32,
    info: *mut IHttpModuleRegistrationInfo,
    server: *mut IHttpServer,
) -> HRESULT {
    SERVER.store(server, Ordering::SeqCst);
    if let Some(hr) = script.fail_with {
        return hr;
    }
    for _ in 0..if script.register_twice { 2 } else { 1 } {
        // SAFETY: the contract.
        let hr = unsafe { register_once(script, info) };
        if hr.is_err() {
            return hr;
        }
    }
    script.fail_after_registering.unwrap_or(HRESULT(0))
}

/// Registers a new factory and global module as `script` says.
///
/// # Safety
///
/// `info` is the host's live registration object.
unsafe fn register_once(
    script: &'static Script,
    info: *mut IHttpModuleRegistrationInfo,
) -> HRESULT {
    // SAFETY: `info` is the host's registration object for this call.
    let v = unsafe { &*(*info).lpVtbl };
    if script.request != 0 || script.post != 0 {
        let factory = Box::into_raw(Box::new(Factory {
            vtbl: &FACTORY_VTBL,
            script,
        }));
        // SAFETY: a live registration object and a factory living until Terminate.
        let hr = unsafe {
            (v.SetRequestNotifications)(info, factory.cast(), script.request, script.post)
        };
        if hr.is_err() {
            return hr;
        }
        if let Some(alias) = script.priority {
            let wide: Vec<u16> = alias.encode_utf16().chain([0]).collect();
            // SAFETY: a live registration object and a NUL-terminated alias.
            let hr = unsafe {
                (v.SetPriorityForRequestNotification)(
                    info,
                    script.request | script.post,
                    PCWSTR(wide.as_ptr()),
                )
            };
            if hr.is_err() {
                return hr;
            }
        }
    }
    if script.global != 0 {
        let global = Box::into_raw(Box::new(Global {
            vtbl: &GLOBAL_VTBL,
            script,
        }));
        // SAFETY: a live registration object and a global module living until Terminate.
        let hr = unsafe { (v.SetGlobalNotifications)(info, global.cast(), script.global) };
        if hr.is_err() {
            return hr;
        }
    }
    HRESULT(0)
}

define_member_fn! {
    unsafe fn get_http_module(this: *mut IHttpModuleFactory, out: *mut *mut CHttpModule, allocator: *mut IModuleAllocator) -> HRESULT {
        // SAFETY: `this` is our factory; `allocator` the host's; `out` writable.
        unsafe {
            let factory = &*this.cast::<Factory>();
            if let Some(hr) = factory.script.fail_get_module {
                return hr;
            }
            let memory = ((*(*allocator).lpVtbl).AllocateMemory)(allocator, std::mem::size_of::<Module>() as u32);
            if memory.is_null() {
                return HRESULT(0x8007_000E_u32 as i32);
            }
            memory.cast::<Module>().write(Module { vtbl: &MODULE_VTBL, script: factory.script });
            factory.script.counters.created.fetch_add(1, Ordering::SeqCst);
            out.write(memory.cast());
        }
        HRESULT(0)
    }

    unsafe fn terminate_factory(this: *mut IHttpModuleFactory) {
        // SAFETY: `this` is the factory leaked in `register`, terminated once.
        let factory = unsafe { Box::from_raw(this.cast::<Factory>()) };
        factory.script.counters.terminated.fetch_add(1, Ordering::SeqCst);
    }

    unsafe fn dispose(this: *mut CHttpModule) {
        // SAFETY: `this` is one of our module instances (request memory: not freed here).
        let module = unsafe { &*this.cast::<Module>() };
        module.script.counters.disposed.fetch_add(1, Ordering::SeqCst);
    }

    unsafe fn destructor(this: *mut CHttpModule, _flags: u32) -> *mut c_void {
        this.cast()
    }

    unsafe fn async_completion(this: *mut CHttpModule, context: *mut IHttpContext, _notification: u32, post: BOOL, provider: *mut IHttpEventProvider, info: *mut IHttpCompletionInfo) -> REQUEST_NOTIFICATION_STATUS {
        // SAFETY: our module instance and the host's completion info.
        let (module, bytes, status) = unsafe {
            let v = &*(*info).lpVtbl;
            (&*this.cast::<Module>(), (v.GetCompletionBytes)(info), (v.GetCompletionStatus)(info))
        };
        (module.script.on_request)(&Call { context, notification: Notification::AsyncCompletion, post: post.as_bool(), provider: provider.cast(), bytes, status })
    }

    unsafe fn terminate_global(this: *mut CGlobalModule) {
        // SAFETY: `this` is the global module leaked in `register`, terminated once.
        let global = unsafe { Box::from_raw(this.cast::<Global>()) };
        global.script.counters.global_terminated.fetch_add(1, Ordering::SeqCst);
    }
}

/// Forwards a request notification to the module's script.
///
/// # Safety
///
/// `this` is one of our module instances.
unsafe fn forward(
    this: *mut CHttpModule,
    context: *mut IHttpContext,
    notification: Notification,
    post: bool,
    provider: *mut c_void,
) -> REQUEST_NOTIFICATION_STATUS {
    // SAFETY: forwarded contract.
    let module = unsafe { &*this.cast::<Module>() };
    (module.script.on_request)(&Call {
        context,
        notification,
        post,
        provider,
        bytes: 0,
        status: S_OK,
    })
}

macro_rules! request_slots {
    ($($name:ident: $provider:ty => $notification:ident, $post:expr;)*) => {
        define_member_fn! {$(
            unsafe fn $name(this: *mut CHttpModule, context: *mut IHttpContext, provider: *mut $provider) -> REQUEST_NOTIFICATION_STATUS {
                // SAFETY: the host calls this slot on one of our instances.
                unsafe { forward(this, context, Notification::$notification, $post, provider.cast()) }
            }
        )*}
    };
}

request_slots! {
    on_begin: IHttpEventProvider => BeginRequest, false;
    on_post_begin: IHttpEventProvider => BeginRequest, true;
    on_authenticate: IAuthenticationProvider => AuthenticateRequest, false;
    on_post_authenticate: IHttpEventProvider => AuthenticateRequest, true;
    on_authorize: IHttpEventProvider => AuthorizeRequest, false;
    on_post_authorize: IHttpEventProvider => AuthorizeRequest, true;
    on_resolve: IHttpEventProvider => ResolveRequestCache, false;
    on_post_resolve: IHttpEventProvider => ResolveRequestCache, true;
    on_map_handler: IMapHandlerProvider => MapRequestHandler, false;
    on_post_map_handler: IHttpEventProvider => MapRequestHandler, true;
    on_acquire: IHttpEventProvider => AcquireRequestState, false;
    on_post_acquire: IHttpEventProvider => AcquireRequestState, true;
    on_pre_execute: IHttpEventProvider => PreExecuteRequestHandler, false;
    on_post_pre_execute: IHttpEventProvider => PreExecuteRequestHandler, true;
    on_execute: IHttpEventProvider => ExecuteRequestHandler, false;
    on_post_execute: IHttpEventProvider => ExecuteRequestHandler, true;
    on_release: IHttpEventProvider => ReleaseRequestState, false;
    on_post_release: IHttpEventProvider => ReleaseRequestState, true;
    on_update: IHttpEventProvider => UpdateRequestCache, false;
    on_post_update: IHttpEventProvider => UpdateRequestCache, true;
    on_log: IHttpEventProvider => LogRequest, false;
    on_post_log: IHttpEventProvider => LogRequest, true;
    on_end: IHttpEventProvider => EndRequest, false;
    on_post_end: IHttpEventProvider => EndRequest, true;
    on_send_response: ISendResponseProvider => SendResponse, false;
    on_map_path: IMapPathProvider => MapPath, false;
    on_read_entity: IReadEntityProvider => ReadEntity, false;
    on_custom: ICustomNotificationProvider => CustomRequestNotification, false;
}

static FACTORY_VTBL: IHttpModuleFactoryVtbl = IHttpModuleFactoryVtbl {
    GetHttpModule: get_http_module,
    Terminate: terminate_factory,
};

static MODULE_VTBL: CHttpModuleVtbl = CHttpModuleVtbl {
    OnBeginRequest: on_begin,
    OnPostBeginRequest: on_post_begin,
    OnAuthenticateRequest: on_authenticate,
    OnPostAuthenticateRequest: on_post_authenticate,
    OnAuthorizeRequest: on_authorize,
    OnPostAuthorizeRequest: on_post_authorize,
    OnResolveRequestCache: on_resolve,
    OnPostResolveRequestCache: on_post_resolve,
    OnMapRequestHandler: on_map_handler,
    OnPostMapRequestHandler: on_post_map_handler,
    OnAcquireRequestState: on_acquire,
    OnPostAcquireRequestState: on_post_acquire,
    OnPreExecuteRequestHandler: on_pre_execute,
    OnPostPreExecuteRequestHandler: on_post_pre_execute,
    OnExecuteRequestHandler: on_execute,
    OnPostExecuteRequestHandler: on_post_execute,
    OnReleaseRequestState: on_release,
    OnPostReleaseRequestState: on_post_release,
    OnUpdateRequestCache: on_update,
    OnPostUpdateRequestCache: on_post_update,
    OnLogRequest: on_log,
    OnPostLogRequest: on_post_log,
    OnEndRequest: on_end,
    OnPostEndRequest: on_post_end,
    OnSendResponse: on_send_response,
    OnMapPath: on_map_path,
    OnReadEntity: on_read_entity,
    OnCustomRequestNotification: on_custom,
    OnAsyncCompletion: async_completion,
    Dispose: dispose,
    ScalarDeletingDestructor: destructor,
};

/// Forwards a global notification to the module's script.
///
/// # Safety
///
/// `this` is one of our global modules.
unsafe fn forward_global(
    this: *mut CGlobalModule,
    notification: iis_host::GlobalNotification,
    provider: *mut c_void,
) -> GLOBAL_NOTIFICATION_STATUS {
    // SAFETY: forwarded contract.
    let global = unsafe { &*this.cast::<Global>() };
    (global.script.on_global)(&GlobalCall {
        notification,
        provider,
    })
}

macro_rules! global_slots {
    ($($name:ident: $provider:ty => $notification:ident;)*) => {
        define_member_fn! {$(
            unsafe fn $name(this: *mut CGlobalModule, provider: *mut $provider) -> GLOBAL_NOTIFICATION_STATUS {
                // SAFETY: the host calls this slot on one of our global modules.
                unsafe { forward_global(this, iis_host::GlobalNotification::$notification, provider.cast()) }
            }
        )*}
    };
}

global_slots! {
    on_stop_listening: IGlobalStopListeningProvider => StopListening;
    on_configuration_change: IGlobalConfigurationChangeProvider => ConfigurationChange;
    on_file_change: IGlobalFileChangeProvider => FileChange;
    on_pre_begin: IPreBeginRequestProvider => PreBeginRequest;
    on_application_start: IHttpApplicationProvider => ApplicationStart;
    on_application_stop: IHttpApplicationProvider => ApplicationStop;
    on_global_custom: ICustomNotificationProvider => CustomNotification;
}

macro_rules! ignored_slots {
    ($($name:ident: $provider:ty;)*) => {
        define_member_fn! {$(
            unsafe fn $name(_this: *mut CGlobalModule, _provider: $provider) -> GLOBAL_NOTIFICATION_STATUS {
                GL_NOTIFICATION_CONTINUE
            }
        )*}
    };
}

ignored_slots! {
    on_cache_operation: *mut ICacheProvider;
    on_resolve_modules: *mut IHttpApplicationResolveModulesProvider;
    on_rsca_query: *mut IGlobalRSCAQueryProvider;
    on_trace_event: *mut IGlobalTraceEventProvider;
    on_thread_cleanup: *mut IGlobalThreadCleanupProvider;
    on_preload: *mut IGlobalApplicationPreloadProvider;
    on_suspend: *mut *mut IGlobalSuspendProcessCallback;
}

define_member_fn! {
    unsafe fn global_none(_this: *mut CGlobalModule) -> GLOBAL_NOTIFICATION_STATUS {
        GL_NOTIFICATION_CONTINUE
    }
}

static GLOBAL_VTBL: CGlobalModuleVtbl = CGlobalModuleVtbl {
    OnGlobalStopListening: on_stop_listening,
    OnGlobalCacheCleanup: global_none,
    OnGlobalCacheOperation: on_cache_operation,
    OnGlobalHealthCheck: global_none,
    OnGlobalConfigurationChange: on_configuration_change,
    OnGlobalFileChange: on_file_change,
    OnGlobalPreBeginRequest: on_pre_begin,
    OnGlobalApplicationStart: on_application_start,
    OnGlobalApplicationResolveModules: on_resolve_modules,
    OnGlobalApplicationStop: on_application_stop,
    OnGlobalRSCAQuery: on_rsca_query,
    OnGlobalTraceEvent: on_trace_event,
    OnGlobalCustomNotification: on_global_custom,
    Terminate: terminate_global,
    OnGlobalThreadCleanup: on_thread_cleanup,
    OnGlobalApplicationPreload: on_preload,
    OnSuspendProcess: on_suspend,
};

/// Reads a NUL-terminated UTF-16 string.
///
/// # Safety
///
/// `p` is a NUL-terminated UTF-16 string.
pub unsafe fn wide_to_string(p: PCWSTR) -> String {
    let mut len = 0;
    // SAFETY: NUL-terminated by the caller's contract.
    while unsafe { *p.0.add(len) } != 0 {
        len += 1;
    }
    // SAFETY: `len` units were just read.
    String::from_utf16_lossy(unsafe { std::slice::from_raw_parts(p.0, len) })
}

/// A pointer that may cross threads (a module hands its context to a worker).
#[derive(Debug, Clone, Copy)]
pub struct SendPtr<T>(pub *mut T);
// SAFETY: IIS objects are free-threaded; the tests keep the request alive
// (it is pending) while the worker uses the pointer.
unsafe impl<T> Send for SendPtr<T> {}

pub mod calls;

/// An `IHttpStoredContext` counting its `CleanupStoredContext` calls.
#[repr(C)]
pub struct Stored {
    vtbl: &'static IHttpStoredContextVtbl,
    cleanups: &'static AtomicUsize,
}

define_member_fn! {
    unsafe fn cleanup_stored(this: *mut IHttpStoredContext) {
        // SAFETY: a `Stored` leaked by `store`, cleaned up once by contract.
        let stored = unsafe { Box::from_raw(this.cast::<Stored>()) };
        stored.cleanups.fetch_add(1, Ordering::SeqCst);
    }
}

static STORED_VTBL: IHttpStoredContextVtbl = IHttpStoredContextVtbl {
    CleanupStoredContext: cleanup_stored,
};

/// Stores a counting context in `container` under `id`.
pub fn store(
    container: *mut IHttpModuleContextContainer,
    id: usize,
    cleanups: &'static AtomicUsize,
) -> HRESULT {
    let stored = Box::into_raw(Box::new(Stored {
        vtbl: &STORED_VTBL,
        cleanups,
    }));
    // SAFETY: a live container; the context lives until CleanupStoredContext;
    // the host's containers take any id as a key.
    let hr =
        unsafe { ((*(*container).lpVtbl).SetModuleContext)(container, stored.cast(), test_id(id)) };
    if hr.is_err() {
        // SAFETY: not stored, so still ours.
        drop(unsafe { Box::from_raw(stored) });
    }
    hr
}

/// Whether `container` holds a context under `id`.
pub fn has_context(container: *mut IHttpModuleContextContainer, id: usize) -> bool {
    // SAFETY: a live container, which takes any id as a key.
    !unsafe { ((*(*container).lpVtbl).GetModuleContext)(container, test_id(id)) }.is_null()
}

/// A test's module id: the host's containers take any value as a key.
///
/// # Safety
/// Passed only to the host's containers.
unsafe fn test_id(id: usize) -> HTTP_MODULE_ID {
    // SAFETY: the contract.
    unsafe { HTTP_MODULE_ID::from_raw(id as *mut core::ffi::c_void) }
}

/// An `IHttpConnectionStoredContext` counting its `NotifyDisconnect` and
/// `CleanupStoredContext` calls.
#[repr(C)]
pub struct DisconnectWatch {
    vtbl: &'static IHttpConnectionStoredContextVtbl,
    disconnects: &'static AtomicUsize,
    cleanups: &'static AtomicUsize,
}

define_member_fn! {
    unsafe fn watch_cleanup(this: *mut IHttpStoredContext) {
        // SAFETY: a `DisconnectWatch` leaked by `watch_disconnect`, cleaned up once.
        let watch = unsafe { Box::from_raw(this.cast::<DisconnectWatch>()) };
        watch.cleanups.fetch_add(1, Ordering::SeqCst);
    }

    unsafe fn watch_notify(this: *mut IHttpConnectionStoredContext) {
        // SAFETY: a live `DisconnectWatch` (not yet cleaned up).
        let watch = unsafe { &*this.cast::<DisconnectWatch>() };
        watch.disconnects.fetch_add(1, Ordering::SeqCst);
    }
}

static WATCH_VTBL: IHttpConnectionStoredContextVtbl = IHttpConnectionStoredContextVtbl {
    base: IHttpStoredContextVtbl {
        CleanupStoredContext: watch_cleanup,
    },
    NotifyDisconnect: watch_notify,
};

/// Stores a [`DisconnectWatch`] on the request's connection under `id`
/// (`SetConnectionModuleContext`).
pub fn watch_disconnect(
    context: *mut IHttpContext,
    id: usize,
    disconnects: &'static AtomicUsize,
    cleanups: &'static AtomicUsize,
) -> HRESULT {
    let watch = Box::into_raw(Box::new(DisconnectWatch {
        vtbl: &WATCH_VTBL,
        disconnects,
        cleanups,
    }));
    let container =
        calls::connection_container(context).cast::<IHttpConnectionModuleContextContainer>();
    // SAFETY: the request's live connection container; the context lives
    // until CleanupStoredContext.
    let hr = unsafe {
        ((*(*container).lpVtbl).SetConnectionModuleContext)(container, watch.cast(), test_id(id))
    };
    if hr.is_err() {
        // SAFETY: not stored, so still ours.
        drop(unsafe { Box::from_raw(watch) });
    }
    hr
}

/// Whether the request's client is still connected (`IHttpConnection::IsConnected`).
pub fn is_connected(context: *mut IHttpContext) -> bool {
    // SAFETY: a live context and its connection.
    unsafe {
        let connection = ((*(*context).lpVtbl).GetConnection)(context);
        ((*(*connection).lpVtbl).IsConnected)(connection).as_bool()
    }
}

/// A host of the module `register` (named `name`) with `server` limits and
/// 8 pool threads, serving on loopback.
pub fn serve(
    name: &str,
    register: PFN_REGISTERMODULE,
    server: iis_host::http::ServerConfig,
) -> (std::sync::Arc<iis_host::Host>, iis_host::ServeHandle) {
    let config = iis_host::HostConfig {
        worker_threads: 8,
        server,
        ..iis_host::HostConfig::default()
    };
    let host = std::sync::Arc::new(
        iis_host::Host::builder()
            .config(config)
            .module_fn(name, register)
            .build()
            .expect("the module registers"),
    );
    let server = host.serve("127.0.0.1:0").expect("serves");
    (host, server)
}
