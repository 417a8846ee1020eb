//! Bench 3: instructions per request in a module's entry points, SDK vs a
//! hand-written raw module, counted by callgrind in one run.
//! `scripts/callgrind-dispatch.sh` builds and runs it and prints the table;
//! method and results: docs/benchmarks.md.
//!
//! One iis-host request is driven to its `SendResponse` notification, where
//! a raw *driver* module (registered first) gets the live `IHttpContext`,
//! the `ISendResponseProvider` and (from its factory) the request's
//! `IModuleAllocator`. There, on the host's request thread, it runs
//! `ROUNDS` interleaved rounds of:
//!
//! - `callgrind_sdk_request`: one request of the shipped
//!   `reset_connection` module (its release cdylib, loaded with
//!   `libloading`, registered through a capturing registration info with
//!   the host's real `IHttpServer`): `GetHttpModule` (with the host's
//!   allocator) + `OnSendResponse` + `Dispose`, through the vtables;
//! - `callgrind_raw_request`: the same for a raw module written against
//!   iis-sys alone the way the C++ sample is (`new` in `GetHttpModule`,
//!   `GetResponse`, `Clear`, `SetHeader(HttpHeaderContentType)`,
//!   `WriteEntityChunks` of a stack buffer, `ResetConnection`,
//!   `WriteEntityChunks`, `delete this` in `Dispose`);
//! - `callgrind_sdk_empty` / `callgrind_raw_empty` /
//!   `callgrind_raw_empty_views`: one `OnBeginRequest` slot call of an
//!   empty SDK hook ([`Empty`], compiled into this binary), of an empty raw
//!   thunk, and of the raw thunk making the two getters (`GetRequest`,
//!   `GetResponse`) the SDK used to call on every notification.
//!
//! Host calls are included on both sides: both modules make them on the same
//! live request. Each `callgrind_*` function is `#[inline(never)]` and
//! `#[no_mangle]`, so callgrind's inclusive cost of it is exactly the
//! entry points it calls. Without valgrind the binary runs the same rounds
//! and checks that both modules made the calls of the C++ sample.

mod subjects;

use iis_host::{Host, HostConfig};
use iis_sys::{
    BOOL, CGlobalModule, CHttpModule, CHttpModuleVtbl, HRESULT, HTTP_DATA_CHUNK, HTTP_DATA_CHUNK_0,
    HTTP_DATA_CHUNK_0_0, HTTP_MODULE_ID, HttpDataChunkFromMemory, HttpHeaderContentType,
    IHttpContext, IHttpEventProvider, IHttpModuleFactory, IHttpModuleFactoryVtbl,
    IHttpModuleRegistrationInfo, IHttpModuleRegistrationInfoVtbl, IHttpServer, IModuleAllocator,
    ISendResponseProvider, PCSTR, PCWSTR, PFN_REGISTERMODULE, REQUEST_NOTIFICATION_STATUS,
    RQ_NOTIFICATION_CONTINUE, RQ_NOTIFICATION_FINISH_REQUEST, RQ_SEND_RESPONSE, define_member_fn,
};
use std::hint::black_box;
use std::ptr::null_mut;
use std::sync::Mutex;
use std::sync::atomic::{AtomicPtr, AtomicU32, Ordering};
use subjects::{RegisterModule, raw_continue, raw_object, raw_vtable};

/// Interleaved rounds (each: one request of each module, one call of each
/// empty hook). Callgrind reports totals; the script divides by this.
const ROUNDS: u32 = 2_000;

// ---------------------------------------------------------------------------
// The SDK side.

// The SDK side is `subjects::Empty`, with its `RegisterModule`.

/// The factory the last stand-alone registration captured.
static CAPTURED: AtomicPtr<IHttpModuleFactory> = AtomicPtr::new(null_mut());
/// The driver's registration info, which the capturing one asks for the
/// module's name and id.
static DRIVER_INFO: AtomicPtr<IHttpModuleRegistrationInfo> = AtomicPtr::new(null_mut());

define_member_fn! {
    unsafe fn capture_get_name(_this: *mut IHttpModuleRegistrationInfo) -> PCWSTR {
        let info = DRIVER_INFO.load(Ordering::SeqCst);
        // SAFETY: the host's live registration info of the driver (only
        // used during the driver's RegisterModule).
        unsafe { ((*(*info).lpVtbl).GetName)(info) }
    }
    unsafe fn capture_get_id(_this: *mut IHttpModuleRegistrationInfo) -> HTTP_MODULE_ID {
        let info = DRIVER_INFO.load(Ordering::SeqCst);
        // SAFETY: as above.
        unsafe { ((*(*info).lpVtbl).GetId)(info) }
    }
    unsafe fn capture_set_request_notifications(
        _this: *mut IHttpModuleRegistrationInfo,
        factory: *mut IHttpModuleFactory,
        _notifications: u32,
        _post: u32
    ) -> HRESULT {
        CAPTURED.store(factory, Ordering::SeqCst);
        iis_sys::S_OK
    }
    unsafe fn capture_unused_global(
        _this: *mut IHttpModuleRegistrationInfo,
        _module: *mut CGlobalModule,
        _notifications: u32
    ) -> HRESULT {
        iis_sys::E_NOTIMPL
    }
    unsafe fn capture_unused_priority(
        _this: *mut IHttpModuleRegistrationInfo,
        _notification: u32,
        _priority: PCWSTR
    ) -> HRESULT {
        iis_sys::E_NOTIMPL
    }
}

static CAPTURE_VTBL: IHttpModuleRegistrationInfoVtbl = IHttpModuleRegistrationInfoVtbl {
    GetName: capture_get_name,
    GetId: capture_get_id,
    SetRequestNotifications: capture_set_request_notifications,
    SetGlobalNotifications: capture_unused_global,
    SetPriorityForRequestNotification: capture_unused_priority,
    SetPriorityForGlobalNotification: capture_unused_priority,
};

/// Runs an SDK `RegisterModule` against a registration info that only
/// captures the factory (the host never sees it, so it never calls it:
/// only the driver does), with the host's live server.
///
/// # Safety
/// Called during the driver's `RegisterModule`, with the host's server.
unsafe fn sdk_factory(
    register: PFN_REGISTERMODULE,
    version: u32,
    server: *mut IHttpServer,
) -> *mut IHttpModuleFactory {
    let mut info = IHttpModuleRegistrationInfo {
        lpVtbl: &CAPTURE_VTBL,
    };
    CAPTURED.store(null_mut(), Ordering::SeqCst);
    // SAFETY: a live registration info for the call; the host's server.
    let hr = unsafe { register(version, &mut info, server) };
    let factory = CAPTURED.swap(null_mut(), Ordering::SeqCst);
    assert!(hr.is_ok() && !factory.is_null(), "RegisterModule: {hr:?}");
    factory
}

// ---------------------------------------------------------------------------
// The raw reset-connection module, as the C++ sample writes it.

define_member_fn! {
    unsafe fn raw_begin_with_views(
        _this: *mut CHttpModule,
        cx: *mut IHttpContext,
        _provider: *mut IHttpEventProvider
    ) -> REQUEST_NOTIFICATION_STATUS {
        // SAFETY: the live context of the notification.
        let (request, response) = unsafe {
            let vtbl = &*(*cx).lpVtbl;
            ((vtbl.GetRequest)(cx), (vtbl.GetResponse)(cx))
        };
        if request.is_null() || response.is_null() {
            return RQ_NOTIFICATION_FINISH_REQUEST;
        }
        RQ_NOTIFICATION_CONTINUE
    }

    /// `CMyHttpModule::OnSendResponse` of the ResetConnection sample.
    unsafe fn raw_send_response(
        _this: *mut CHttpModule,
        cx: *mut IHttpContext,
        _provider: *mut ISendResponseProvider
    ) -> REQUEST_NOTIFICATION_STATUS {
        // SAFETY: the live context of the notification and its response.
        unsafe {
            let response = ((*(*cx).lpVtbl).GetResponse)(cx);
            if response.is_null() {
                return RQ_NOTIFICATION_CONTINUE;
            }
            let vtbl = &*(*response).lpVtbl;
            (vtbl.Clear)(response);
            let hr = (vtbl.SetHeader)(response, HttpHeaderContentType, PCSTR(c"text/plain".as_ptr().cast()), 10, BOOL(1));
            if hr.is_err() {
                return RQ_NOTIFICATION_FINISH_REQUEST;
            }
            for (text, reset) in [(&b"Status: Before Reset\n"[..], true), (&b"Status: After Reset\n"[..], false)] {
                let mut buffer = [0u8; 32];
                buffer[..text.len()].copy_from_slice(text);
                let mut chunk = HTTP_DATA_CHUNK {
                    DataChunkType: HttpDataChunkFromMemory,
                    Anonymous: HTTP_DATA_CHUNK_0 {
                        FromMemory: HTTP_DATA_CHUNK_0_0 {
                            pBuffer: buffer.as_mut_ptr().cast(),
                            BufferLength: text.len() as u32,
                        },
                    },
                };
                let (mut sent, mut completion) = (0u32, BOOL(0));
                let hr = (vtbl.WriteEntityChunks)(response, &mut chunk, 1, BOOL(0), BOOL(1), &mut sent, &mut completion);
                if hr.is_err() {
                    return RQ_NOTIFICATION_FINISH_REQUEST;
                }
                if reset {
                    (vtbl.ResetConnection)(response);
                }
            }
        }
        RQ_NOTIFICATION_FINISH_REQUEST
    }
}

static RAW_RESET_VTBL: CHttpModuleVtbl =
    raw_vtable(raw_continue::<IHttpEventProvider>, raw_send_response);
static RAW_EMPTY_VTBL: CHttpModuleVtbl = raw_vtable(
    raw_continue::<IHttpEventProvider>,
    raw_continue::<ISendResponseProvider>,
);
static RAW_VIEWS_VTBL: CHttpModuleVtbl =
    raw_vtable(raw_begin_with_views, raw_continue::<ISendResponseProvider>);
static DRIVER_VTBL: CHttpModuleVtbl =
    raw_vtable(raw_continue::<IHttpEventProvider>, driver_send_response);

define_member_fn! {
    /// The raw reset-connection factory: `new` per request.
    unsafe fn raw_get_http_module(
        _this: *mut IHttpModuleFactory,
        module: *mut *mut CHttpModule,
        _allocator: *mut IModuleAllocator
    ) -> HRESULT {
        if module.is_null() {
            return iis_sys::E_POINTER;
        }
        // SAFETY: non-null out-pointer.
        unsafe { *module = raw_object(&RAW_RESET_VTBL) };
        iis_sys::S_OK
    }

    /// The driver's factory: also remembers the request's allocator.
    unsafe fn driver_get_http_module(
        _this: *mut IHttpModuleFactory,
        module: *mut *mut CHttpModule,
        allocator: *mut IModuleAllocator
    ) -> HRESULT {
        if module.is_null() {
            return iis_sys::E_POINTER;
        }
        REQUEST_ALLOCATOR.store(allocator, Ordering::SeqCst);
        // SAFETY: non-null out-pointer.
        unsafe { *module = raw_object(&DRIVER_VTBL) };
        iis_sys::S_OK
    }

    unsafe fn static_terminate(_this: *mut IHttpModuleFactory) {}
}

/// A factory object (static: nothing to free).
#[repr(C)]
struct RawFactory {
    vtbl: &'static IHttpModuleFactoryVtbl,
}

// SAFETY: immutable after construction; only its vtable is read.
unsafe impl Sync for RawFactory {}

static RAW_FACTORY: RawFactory = RawFactory {
    vtbl: &IHttpModuleFactoryVtbl {
        GetHttpModule: raw_get_http_module,
        Terminate: static_terminate,
    },
};
static DRIVER_FACTORY: RawFactory = RawFactory {
    vtbl: &IHttpModuleFactoryVtbl {
        GetHttpModule: driver_get_http_module,
        Terminate: static_terminate,
    },
};

// ---------------------------------------------------------------------------
// The driver.

/// The request's `IModuleAllocator`, from the driver's `GetHttpModule`.
static REQUEST_ALLOCATOR: AtomicPtr<IModuleAllocator> = AtomicPtr::new(null_mut());
/// What the driver measures, set up by [`register_driver`].
static SUBJECTS: Mutex<Option<Subjects>> = Mutex::new(None);
/// Rounds the driver ran (checked by `main`).
static RAN: AtomicU32 = AtomicU32::new(0);

/// The factories and instances measured.
struct Subjects {
    sdk_reset: *mut IHttpModuleFactory,
    raw_reset: *mut IHttpModuleFactory,
    sdk_empty: *mut IHttpModuleFactory,
    _library: libloading::Library,
}

// SAFETY: the factories are free-threaded (IIS calls them from any thread).
unsafe impl Send for Subjects {}

/// One request of the module of `factory`: `GetHttpModule`,
/// `OnSendResponse`, `Dispose`, through the vtables.
///
/// # Safety
/// A live factory; the live context, provider and allocator of a request in
/// its SendResponse notification.
#[inline(always)]
unsafe fn one_request(
    factory: *mut IHttpModuleFactory,
    cx: *mut IHttpContext,
    provider: *mut ISendResponseProvider,
    allocator: *mut IModuleAllocator,
) -> REQUEST_NOTIFICATION_STATUS {
    // SAFETY: per the contract.
    unsafe {
        let factory = black_box(factory);
        let mut module = null_mut();
        let hr = ((*(*factory).lpVtbl).GetHttpModule)(factory, &mut module, black_box(allocator));
        if hr.is_err() || module.is_null() {
            return RQ_NOTIFICATION_CONTINUE;
        }
        let status =
            ((*(*module).lpVtbl).OnSendResponse)(module, black_box(cx), black_box(provider));
        ((*(*module).lpVtbl).Dispose)(module);
        status
    }
}

/// One `OnBeginRequest` slot call of `module`.
///
/// # Safety
/// A live module; the live context and provider of a notification.
#[inline(always)]
unsafe fn one_begin(
    module: *mut CHttpModule,
    cx: *mut IHttpContext,
    provider: *mut IHttpEventProvider,
) -> REQUEST_NOTIFICATION_STATUS {
    // SAFETY: per the contract.
    unsafe {
        let module = black_box(module);
        ((*(*module).lpVtbl).OnBeginRequest)(module, black_box(cx), black_box(provider))
    }
}

macro_rules! measured {
    ($($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) => $body:ident;)*) => {$(
        $(#[$doc])*
        ///
        /// # Safety
        /// As the function it calls.
        #[inline(never)]
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name($($arg: $ty),*) -> REQUEST_NOTIFICATION_STATUS {
            // A distinct body per function: identical ones would be merged
            // into one symbol, and callgrind could not tell them apart.
            black_box(stringify!($name));
            // SAFETY: per the contract.
            unsafe { $body($($arg),*) }
        }
    )*};
}

measured! {
    /// A request of the SDK's reset_connection module.
    fn callgrind_sdk_request(f: *mut IHttpModuleFactory, cx: *mut IHttpContext, p: *mut ISendResponseProvider, a: *mut IModuleAllocator) => one_request;
    /// A request of the raw reset_connection module.
    fn callgrind_raw_request(f: *mut IHttpModuleFactory, cx: *mut IHttpContext, p: *mut ISendResponseProvider, a: *mut IModuleAllocator) => one_request;
    /// An empty SDK hook.
    fn callgrind_sdk_empty(m: *mut CHttpModule, cx: *mut IHttpContext, p: *mut IHttpEventProvider) => one_begin;
    /// An empty raw thunk.
    fn callgrind_raw_empty(m: *mut CHttpModule, cx: *mut IHttpContext, p: *mut IHttpEventProvider) => one_begin;
    /// A raw thunk calling `GetRequest` and `GetResponse`.
    fn callgrind_raw_empty_views(m: *mut CHttpModule, cx: *mut IHttpContext, p: *mut IHttpEventProvider) => one_begin;
}

define_member_fn! {
    /// The driver's `OnSendResponse`: runs every round on this live request.
    unsafe fn driver_send_response(
        _this: *mut CHttpModule,
        cx: *mut IHttpContext,
        provider: *mut ISendResponseProvider
    ) -> REQUEST_NOTIFICATION_STATUS {
        let guard = SUBJECTS.lock().unwrap_or_else(|e| e.into_inner());
        let Some(s) = guard.as_ref() else {
            return RQ_NOTIFICATION_CONTINUE;
        };
        let allocator = REQUEST_ALLOCATOR.load(Ordering::SeqCst);
        let event = provider.cast::<IHttpEventProvider>();
        let mut empty = null_mut();
        // SAFETY: the SDK's live factory; the request's allocator.
        let hr = unsafe { ((*(*s.sdk_empty).lpVtbl).GetHttpModule)(s.sdk_empty, &mut empty, allocator) };
        assert!(hr.is_ok() && !empty.is_null());
        let (raw_empty, raw_views) = (raw_object(&RAW_EMPTY_VTBL), raw_object(&RAW_VIEWS_VTBL));
        for _ in 0..ROUNDS {
            // SAFETY: live factories and modules; this notification's
            // context, provider (an ISendResponseProvider is an
            // IHttpEventProvider: its vtable starts with the base's) and
            // allocator.
            let statuses = unsafe {
                [
                    callgrind_sdk_request(s.sdk_reset, cx, provider, allocator),
                    callgrind_raw_request(s.raw_reset, cx, provider, allocator),
                    callgrind_sdk_empty(empty, cx, event),
                    callgrind_raw_empty(raw_empty, cx, event),
                    callgrind_raw_empty_views(raw_views, cx, event),
                ]
            };
            assert_eq!(
                statuses,
                [
                    RQ_NOTIFICATION_FINISH_REQUEST,
                    RQ_NOTIFICATION_FINISH_REQUEST,
                    RQ_NOTIFICATION_CONTINUE,
                    RQ_NOTIFICATION_CONTINUE,
                    RQ_NOTIFICATION_CONTINUE
                ]
            );
            RAN.fetch_add(1, Ordering::SeqCst);
        }
        for module in [empty, raw_empty, raw_views] {
            // SAFETY: live instances, disposed once.
            unsafe { ((*(*module).lpVtbl).Dispose)(module) };
        }
        RQ_NOTIFICATION_CONTINUE
    }
}

/// The driver's `RegisterModule`: SendResponse; also loads the
/// reset_connection cdylib and captures the SDK factories.
///
/// # Safety
/// Called by the host with its live registration info and server.
unsafe extern "system" fn register_driver(
    version: u32,
    info: *mut IHttpModuleRegistrationInfo,
    server: *mut IHttpServer,
) -> HRESULT {
    DRIVER_INFO.store(info, Ordering::SeqCst);
    let path = iis_module_tests::example_library("reset_connection");
    // SAFETY: the module library initialises nothing on load.
    let library = unsafe { libloading::Library::new(&path) }.expect("load reset_connection");
    // SAFETY: the SDK exports `RegisterModule` with this signature.
    let register_reset: PFN_REGISTERMODULE =
        *unsafe { library.get::<PFN_REGISTERMODULE>(b"RegisterModule\0") }.expect("RegisterModule");
    // SAFETY: during the driver's RegisterModule, with the host's server.
    let (sdk_reset, sdk_empty) = unsafe {
        (
            sdk_factory(register_reset, version, server),
            sdk_factory(RegisterModule, version, server),
        )
    };
    *SUBJECTS.lock().unwrap_or_else(|e| e.into_inner()) = Some(Subjects {
        sdk_reset,
        raw_reset: (&raw const RAW_FACTORY).cast_mut().cast(),
        sdk_empty,
        _library: library,
    });
    // SAFETY: the host's live registration info; the factory is a static.
    unsafe {
        ((*(*info).lpVtbl).SetRequestNotifications)(
            info,
            (&raw const DRIVER_FACTORY).cast_mut().cast(),
            RQ_SEND_RESPONSE,
            0,
        )
    }
}

fn main() {
    let host = Host::builder()
        .config(HostConfig::default())
        .module_fn("Driver", register_driver)
        .build()
        .expect("the driver registers");
    let transcript = host.get("/");
    assert_eq!(RAN.load(Ordering::SeqCst), ROUNDS, "{transcript}");
    // Both modules made the C++ sample's calls, every round.
    let calls: Vec<String> = transcript.calls.iter().map(ToString::to_string).collect();
    let request = [
        "IHttpResponse::Clear()",
        r#"IHttpResponse::SetHeader(12, "text/plain", replace=true)"#,
        r#"IHttpResponse::WriteEntityChunks("Status: Before Reset\n")"#,
        "IHttpResponse::ResetConnection()",
        r#"IHttpResponse::WriteEntityChunks("Status: After Reset\n")"#,
    ];
    assert_eq!(calls.len(), 2 * request.len() * ROUNDS as usize);
    for (i, call) in calls.iter().enumerate() {
        assert_eq!(call, request[i % request.len()], "call {i}");
    }
    let Some(s) = SUBJECTS.lock().unwrap_or_else(|e| e.into_inner()).take() else {
        unreachable!("registered");
    };
    for factory in [s.sdk_reset, s.sdk_empty] {
        // SAFETY: the SDK factories the host never saw, terminated once.
        unsafe { ((*(*factory).lpVtbl).Terminate)(factory) };
    }
    host.shutdown();
    println!(
        "callgrind_dispatch: {ROUNDS} rounds on one live request; both modules made the calls of the C++ sample"
    );
}
