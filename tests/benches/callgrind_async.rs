//! Bench 5: what an `async fn` hook costs per request, against a
//! synchronous hook and against the hand-written pend/post path, in
//! instructions (counted by callgrind) and heap allocations (counted by this
//! binary's global allocator), all in one run.
//! `scripts/callgrind-async.sh` runs it under callgrind and prints the
//! table; method and results: docs/benchmarks.md, section 5.
//!
//! Four SDK modules, compiled into this binary, give the same answer (`200`,
//! body `ok\n`) in `on_execute_request_handler`, each through another path:
//!
//! - `sync`: a synchronous hook writes the answer;
//! - `pend_post`: a synchronous hook calls `cx.pend()` and posts at once
//!   (`CompletionHandle::post(0)`, which the SDK hands to IIS once the hook
//!   has returned `PENDING`); `on_async_completion` writes the answer;
//! - `async_ready`: an `async fn` hook writes the answer without waiting;
//! - `async_wait`: an `async fn` hook first awaits [`WaitOnce`], which
//!   parks its waker and is woken once the hook has returned `PENDING`
//!   (the SDK then calls `PostCompletion`, and polls again in
//!   `OnAsyncCompletion`); then it writes the answer.
//!
//! Two raw modules (iis-sys alone, as a C++ author writes them, with the
//! instance in the request's pool memory (`IModuleAllocator`) as the SDK
//! puts its own, and `WriteEntityChunks` of the bytes) are the baselines
//! that split a path's cost into the host's part and the SDK's:
//!
//! - `raw_sync`: `OnExecuteRequestHandler` writes the answer;
//! - `raw_pend_post`: `OnExecuteRequestHandler` calls `PostCompletion(0)`
//!   and returns `PENDING`; `OnAsyncCompletion` writes the answer.
//!
//! A seventh, `sync_again`, is `sync` again on a host of its own: the
//! control, whose distance from `sync` is the method's resolution.
//!
//! `pend_post`, `async_wait` and `raw_pend_post` take the same trip through
//! the host (one `PENDING`, one `PostCompletion`, one `OnAsyncCompletion`),
//! the others none; every round checks that from the transcripts (same
//! notifications, statuses and calls within each group), and checks every
//! answer.
//!
//! Each module has a host of its own, and every request is a whole iis-host
//! request (`Host::handle`: all its notifications, the response, the
//! transcript), run on this thread: the host's pool threads stay idle, so
//! callgrind's per-thread collection sees all of it. The wake of
//! `async_wait` happens on this thread too: the client's [`Client`] sink
//! wakes the parked waker when the host polls it while it waits for the
//! pending request's completion, which is after the hook returned and
//! before the host looks for a completion.
//!
//! Each request is made by a `callgrind_async_*` function (one per module,
//! `#[inline(never)]`, `#[no_mangle]`), so callgrind's inclusive cost of it
//! is one whole request, and nothing of the client's. (The script also
//! toggles collection off inside glibc's `malloc`/`free` family, whose cost
//! depends on the heap's history; the allocations are counted instead.)
//! Allocations are counted around the same calls, on this thread and
//! process-wide. `--bench` (what the script passes) runs [`ROUNDS`]
//! interleaved rounds; without it (a smoke test, e.g.
//! `cargo test --benches`) a few. `--show` prints the transcripts of the
//! first round; `--only NAME` runs one module, without warm-up.

// The raw hooks and vtable of the other benches (this one places its raw
// instances in pool memory, so it does not use their `new`/`delete`).
#[allow(dead_code)]
#[path = "subjects/raw.rs"]
mod raw;

use iis_host::http::{ConnectionFate, Request, ResponseHead, ResponseSink};
use iis_host::{ApiCall, Host, HostConfig, Notification, RequestStatus, Transcript};
use iis_module::prelude::*;
use iis_sys::{
    BOOL, CHttpModule, CHttpModuleVtbl, HRESULT, HTTP_DATA_CHUNK, HTTP_DATA_CHUNK_0,
    HTTP_DATA_CHUNK_0_0, HttpDataChunkFromMemory, IHttpCompletionInfo, IHttpContext,
    IHttpEventProvider, IHttpModuleFactory, IHttpModuleFactoryVtbl, IHttpModuleRegistrationInfo,
    IHttpServer, IModuleAllocator, ISendResponseProvider, PFN_REGISTERMODULE,
    REQUEST_NOTIFICATION_STATUS, RQ_EXECUTE_REQUEST_HANDLER, RQ_NOTIFICATION_FINISH_REQUEST,
    RQ_NOTIFICATION_PENDING, define_member_fn,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::Future;
use std::hint::black_box;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// Interleaved rounds with `--bench` (each: one request of each module).
const ROUNDS: usize = 1_000;
/// Rounds of the smoke test (without `--bench`).
const SMOKE_ROUNDS: usize = 20;
/// Untimed requests per module before the rounds (the connection's state,
/// lazily initialised statics, the allocator's caches).
const WARM_UP: usize = 20;

// ---------------------------------------------------------------------------
// Allocation counting.

/// Counts allocations (process-wide and per thread), then delegates to the
/// system allocator.
struct CountingAllocator;

/// Allocations made by any thread.
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Allocations made by this thread.
    static THREAD_ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_allocation() {
    ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    let _ = THREAD_ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every call is delegated to `System` unchanged; the counters are an
// atomic and a const-initialised thread-local, neither of which allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_allocation();
        // SAFETY: the caller's contract is `System.alloc`'s.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_allocation();
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_allocation();
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// (process-wide, this thread's) allocations so far.
fn allocations() -> (usize, usize) {
    (
        ALLOCATIONS.load(Ordering::Relaxed),
        THREAD_ALLOCATIONS.with(Cell::get),
    )
}

// ---------------------------------------------------------------------------
// The four modules.

/// What every module answers, wherever it answers it.
fn answer(cx: &mut HttpContext) -> Result<Flow> {
    cx.response().write(b"ok\n")?;
    Ok(Flow::FinishRequest)
}

/// A synchronous hook.
struct SyncHook;

#[http_module]
impl HttpModule for SyncHook {
    fn on_execute_request_handler(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        answer(cx)
    }
}

/// The hand-written asynchronous path: pend, post, answer in
/// `on_async_completion`.
struct PendPost;

#[http_module]
impl HttpModule for PendPost {
    fn on_execute_request_handler(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let (flow, handle) = cx.pend();
        handle.post(0)?;
        Ok(flow)
    }

    fn on_async_completion(&mut self, cx: &mut HttpContext, _: &mut Completion) -> Result<Flow> {
        answer(cx)
    }
}

/// An `async fn` hook that never waits.
struct AsyncReady;

#[http_module]
impl HttpModule for AsyncReady {
    async fn on_execute_request_handler(&mut self, cx: &mut HttpContext) -> Result<Flow> {
        answer(cx)
    }
}

/// An `async fn` hook that waits once, resumed through IIS.
struct AsyncWait;

#[http_module]
impl HttpModule for AsyncWait {
    async fn on_execute_request_handler(&mut self, cx: &mut HttpContext) -> Result<Flow> {
        WaitOnce { parked: false }.await;
        answer(cx)
    }
}

thread_local! {
    /// The waker [`WaitOnce`] parked, until the [`Client`] wakes it.
    static PARKED: Cell<Option<Waker>> = const { Cell::new(None) };
}

/// Pending on its first poll (its waker parked in [`PARKED`]), ready on
/// the next.
struct WaitOnce {
    parked: bool,
}

impl Future for WaitOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.parked {
            return Poll::Ready(());
        }
        self.parked = true;
        PARKED.set(Some(cx.waker().clone()));
        Poll::Pending
    }
}

/// `RegisterModule`: one module per configured name.
#[register_module]
fn register(module: &mut Registration) -> Result<()> {
    match module.name()?.as_str() {
        "sync" | "sync_again" => module.request_module(|| SyncHook),
        "pend_post" => module.request_module(|| PendPost),
        "async_ready" => module.request_module(|| AsyncReady),
        "async_wait" => module.request_module(|| AsyncWait),
        other => Err(Error::msg(format!("no module named {other}"))),
    }
}

// ---------------------------------------------------------------------------
// The raw baselines.

/// The answer's bytes, which IIS copies (the response is buffered) before a
/// synchronous `WriteEntityChunks` returns.
static OK: [u8; 3] = *b"ok\n";

/// Writes the answer the way the SDK's `write` does (one chunk from
/// memory, synchronous, more data may follow) and finishes the request.
///
/// # Safety
/// `cx` is the live context of a notification.
unsafe fn raw_answer(cx: *mut IHttpContext) -> REQUEST_NOTIFICATION_STATUS {
    // SAFETY: the live context (the contract).
    let response = unsafe { ((*(*cx).lpVtbl).GetResponse)(cx) };
    if response.is_null() {
        return RQ_NOTIFICATION_FINISH_REQUEST;
    }
    let mut chunk = HTTP_DATA_CHUNK {
        DataChunkType: HttpDataChunkFromMemory,
        Anonymous: HTTP_DATA_CHUNK_0 {
            FromMemory: HTTP_DATA_CHUNK_0_0 {
                pBuffer: OK.as_ptr().cast_mut().cast(),
                BufferLength: OK.len() as u32,
            },
        },
    };
    let (mut sent, mut completion) = (0u32, BOOL(0));
    // SAFETY: IIS's live response; one chunk over static bytes, which IIS
    // only reads. (A failed write shows in the answer, which every round
    // checks.)
    let _ = unsafe {
        ((*(*response).lpVtbl).WriteEntityChunks)(
            response,
            &mut chunk,
            1,
            BOOL(0),
            BOOL(1),
            &mut sent,
            &mut completion,
        )
    };
    RQ_NOTIFICATION_FINISH_REQUEST
}

define_member_fn! {
    /// `raw_sync`'s `OnExecuteRequestHandler`: answers.
    unsafe fn raw_sync_execute(
        _this: *mut CHttpModule,
        cx: *mut IHttpContext,
        _provider: *mut IHttpEventProvider
    ) -> REQUEST_NOTIFICATION_STATUS {
        // SAFETY: the host calls this with the notification's live context.
        unsafe { raw_answer(cx) }
    }

    /// `raw_pend_post`'s `OnExecuteRequestHandler`: posts a completion and
    /// pends.
    unsafe fn raw_pend_execute(
        _this: *mut CHttpModule,
        cx: *mut IHttpContext,
        _provider: *mut IHttpEventProvider
    ) -> REQUEST_NOTIFICATION_STATUS {
        // SAFETY: the live context; IIS calls `OnAsyncCompletion` for the
        // completion once this notification has returned `PENDING`.
        let hr = unsafe { ((*(*cx).lpVtbl).PostCompletion)(cx, 0) };
        if hr.is_err() {
            return RQ_NOTIFICATION_FINISH_REQUEST;
        }
        RQ_NOTIFICATION_PENDING
    }

    /// `raw_pend_post`'s `OnAsyncCompletion`: answers.
    unsafe fn raw_pend_completion(
        _this: *mut CHttpModule,
        cx: *mut IHttpContext,
        _notification: u32,
        _post: BOOL,
        _provider: *mut IHttpEventProvider,
        _info: *mut IHttpCompletionInfo
    ) -> REQUEST_NOTIFICATION_STATUS {
        // SAFETY: the host calls this with the pending request's live context.
        unsafe { raw_answer(cx) }
    }

    /// `raw_sync`'s factory.
    unsafe fn raw_sync_get_http_module(
        _this: *mut IHttpModuleFactory,
        module: *mut *mut CHttpModule,
        allocator: *mut IModuleAllocator
    ) -> HRESULT {
        // SAFETY: the host's arguments for this call.
        unsafe { raw_place(module, allocator, &RAW_SYNC_VTBL) }
    }

    /// `raw_pend_post`'s factory.
    unsafe fn raw_pend_get_http_module(
        _this: *mut IHttpModuleFactory,
        module: *mut *mut CHttpModule,
        allocator: *mut IModuleAllocator
    ) -> HRESULT {
        // SAFETY: the host's arguments for this call.
        unsafe { raw_place(module, allocator, &RAW_PEND_VTBL) }
    }

    /// `Dispose` of an instance in pool memory: nothing to free (IIS frees
    /// the pool when the request ends).
    unsafe fn raw_pool_dispose(_this: *mut CHttpModule) {}

    unsafe fn raw_pool_destructor(this: *mut CHttpModule, _flags: u32) -> *mut core::ffi::c_void {
        this.cast()
    }

    unsafe fn raw_terminate(_this: *mut IHttpModuleFactory) {}
}

/// A raw instance with `vtbl` in the request's pool memory, as the SDK
/// places its instances: `new (pAllocator->AllocateMemory(…)) CModule`.
///
/// # Safety
/// `module` is null or writable; `allocator` is null or the live allocator
/// of the current `GetHttpModule` call.
unsafe fn raw_place(
    module: *mut *mut CHttpModule,
    allocator: *mut IModuleAllocator,
    vtbl: &'static CHttpModuleVtbl,
) -> HRESULT {
    if module.is_null() || allocator.is_null() {
        return iis_sys::E_POINTER;
    }
    let size = core::mem::size_of::<CHttpModule>() as u32;
    // SAFETY: the live allocator of this call (the contract).
    let memory = unsafe { ((*(*allocator).lpVtbl).AllocateMemory)(allocator, size) };
    let object = memory.cast::<CHttpModule>();
    if object.is_null() || !object.is_aligned() {
        return iis_sys::E_FAIL;
    }
    // SAFETY: fresh pool memory, large enough and aligned for the object;
    // a non-null out-pointer.
    unsafe {
        object.write(CHttpModule { lpVtbl: vtbl });
        *module = object;
    }
    iis_sys::S_OK
}

/// Every slot an empty hook; each raw module replaces the ones it uses.
const RAW_EMPTY: CHttpModuleVtbl = raw::raw_vtable(
    raw::raw_continue::<IHttpEventProvider>,
    raw::raw_continue::<ISendResponseProvider>,
);
static RAW_SYNC_VTBL: CHttpModuleVtbl = CHttpModuleVtbl {
    OnExecuteRequestHandler: raw_sync_execute,
    Dispose: raw_pool_dispose,
    ScalarDeletingDestructor: raw_pool_destructor,
    ..RAW_EMPTY
};
static RAW_PEND_VTBL: CHttpModuleVtbl = CHttpModuleVtbl {
    OnExecuteRequestHandler: raw_pend_execute,
    OnAsyncCompletion: raw_pend_completion,
    Dispose: raw_pool_dispose,
    ScalarDeletingDestructor: raw_pool_destructor,
    ..RAW_EMPTY
};

/// A raw factory object (static: nothing to free).
#[repr(C)]
struct RawFactory {
    vtbl: &'static IHttpModuleFactoryVtbl,
}

// SAFETY: immutable; only its vtable is read.
unsafe impl Sync for RawFactory {}

static RAW_SYNC_FACTORY: RawFactory = RawFactory {
    vtbl: &IHttpModuleFactoryVtbl {
        GetHttpModule: raw_sync_get_http_module,
        Terminate: raw_terminate,
    },
};
static RAW_PEND_FACTORY: RawFactory = RawFactory {
    vtbl: &IHttpModuleFactoryVtbl {
        GetHttpModule: raw_pend_get_http_module,
        Terminate: raw_terminate,
    },
};

/// Subscribes `factory` to ExecuteRequestHandler.
///
/// # Safety
/// `info` is the host's live registration info.
unsafe fn raw_register(
    info: *mut IHttpModuleRegistrationInfo,
    factory: &'static RawFactory,
) -> HRESULT {
    let factory: *const RawFactory = factory;
    // SAFETY: the live registration info (the contract); the factory is a
    // static the host may use until it terminates it (a no-op).
    unsafe {
        ((*(*info).lpVtbl).SetRequestNotifications)(
            info,
            factory.cast_mut().cast(),
            RQ_EXECUTE_REQUEST_HANDLER,
            0,
        )
    }
}

/// `RegisterModule` of `raw_sync`.
///
/// # Safety
/// Called by the host with its live registration info.
unsafe extern "system" fn register_raw_sync(
    _version: u32,
    info: *mut IHttpModuleRegistrationInfo,
    _server: *mut IHttpServer,
) -> HRESULT {
    // SAFETY: the contract.
    unsafe { raw_register(info, &RAW_SYNC_FACTORY) }
}

/// `RegisterModule` of `raw_pend_post`.
///
/// # Safety
/// Called by the host with its live registration info.
unsafe extern "system" fn register_raw_pend_post(
    _version: u32,
    info: *mut IHttpModuleRegistrationInfo,
    _server: *mut IHttpServer,
) -> HRESULT {
    // SAFETY: the contract.
    unsafe { raw_register(info, &RAW_PEND_FACTORY) }
}

// ---------------------------------------------------------------------------
// The client.

/// The client's end of the connection: takes the response (the host's
/// transcript records it) and, when the host polls it while the request is
/// pending, wakes a parked waker, as an event loop would on its next turn.
#[derive(Debug, Default)]
struct Client {
    /// Wakes delivered.
    wakes: usize,
}

impl ResponseSink for Client {
    fn send_head(&mut self, _: &ResponseHead, _: Option<u64>) -> io::Result<()> {
        Ok(())
    }

    fn send_body(&mut self, _: &[u8]) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self, fate: ConnectionFate) -> io::Result<ConnectionFate> {
        Ok(fate)
    }

    fn poll_flush(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(waker) = PARKED.take() {
            self.wakes += 1;
            waker.wake();
        }
        Poll::Ready(Ok(()))
    }
}

/// `GET / HTTP/1.1`, `Host: localhost`, from one client address (so the
/// host keeps its connection alive between the requests).
fn request() -> Request {
    Request {
        method: http::Method::GET,
        target: b"/".to_vec(),
        version: http::Version::HTTP_11,
        headers: vec![("Host".to_owned(), b"localhost".to_vec())],
        body: Vec::new(),
        body_stream: None,
        remote_addr: SocketAddr::from(([127, 0, 0, 1], 50_000)),
        local_addr: SocketAddr::from(([127, 0, 0, 1], 80)),
    }
}

// ---------------------------------------------------------------------------
// What callgrind measures.

macro_rules! measured {
    ($($(#[$doc:meta])* fn $name:ident;)*) => {$(
        $(#[$doc])*
        #[inline(never)]
        #[unsafe(no_mangle)]
        fn $name(host: &Host, request: Request, client: &mut Client) -> Transcript {
            // A distinct body per function: identical ones would be merged
            // into one symbol, and callgrind could not tell them apart.
            black_box(stringify!($name));
            host.handle(black_box(request), client)
        }
    )*};
}

measured! {
    /// A request of `sync`.
    fn callgrind_async_sync;
    /// A request of `pend_post`.
    fn callgrind_async_pend_post;
    /// A request of `async_ready`.
    fn callgrind_async_ready;
    /// A request of `async_wait`.
    fn callgrind_async_wait;
    /// A request of `raw_sync`.
    fn callgrind_async_raw_sync;
    /// A request of `raw_pend_post`.
    fn callgrind_async_raw_pend_post;
    /// A request of `sync_again`.
    fn callgrind_async_sync_again;
}

/// A measured request function.
type Measured = fn(&Host, Request, &mut Client) -> Transcript;

/// A module measured: its name, host and measured request function.
struct Subject {
    name: &'static str,
    host: Host,
    run: Measured,
    /// Whether it takes the host's asynchronous round trip.
    round_trip: bool,
    /// Allocations over the rounds (this thread's, process-wide).
    allocations: (usize, usize),
}

impl Subject {
    fn new(
        name: &'static str,
        register: PFN_REGISTERMODULE,
        run: Measured,
        round_trip: bool,
    ) -> Self {
        let config = HostConfig {
            // A check fails after this rather than hang, should the wake
            // ever not come.
            pending_timeout: Some(Duration::from_secs(10)),
            // Requests run on this thread (`Host::handle`); the pool only
            // holds the timers.
            worker_threads: 1,
            ..HostConfig::default()
        };
        let host = Host::builder()
            .config(config)
            .module_fn(name, register)
            .build()
            .unwrap_or_else(|e| panic!("{name} registers: {e}"));
        Self {
            name,
            host,
            run,
            round_trip,
            allocations: (0, 0),
        }
    }
}

/// The modules, in the order of the table.
fn subjects(only: Option<&str>) -> Vec<Subject> {
    let all: [(&'static str, PFN_REGISTERMODULE, Measured, bool); 7] = [
        ("sync", RegisterModule, callgrind_async_sync, false),
        ("pend_post", RegisterModule, callgrind_async_pend_post, true),
        ("async_ready", RegisterModule, callgrind_async_ready, false),
        ("async_wait", RegisterModule, callgrind_async_wait, true),
        (
            "raw_sync",
            register_raw_sync,
            callgrind_async_raw_sync,
            false,
        ),
        (
            "raw_pend_post",
            register_raw_pend_post,
            callgrind_async_raw_pend_post,
            true,
        ),
        // The same module as `sync`, on a host of its own: what two
        // identical modules measure apart is the method's resolution.
        (
            "sync_again",
            RegisterModule,
            callgrind_async_sync_again,
            false,
        ),
    ];
    all.into_iter()
        .filter(|(name, ..)| only.is_none_or(|only| only == *name))
        .map(|(name, register, run, round_trip)| Subject::new(name, register, run, round_trip))
        .collect()
}

/// The notifications of a request without the module's name:
/// (notification, post, status).
fn notifications(t: &Transcript) -> Vec<(Notification, bool, RequestStatus)> {
    t.notifications
        .iter()
        .map(|n| (n.notification, n.post, n.status))
        .collect()
}

/// Checks one subject's request: the answer, and the host trip it took.
fn check(subject: &Subject, t: &Transcript, wakes: usize) {
    let name = subject.name;
    assert_eq!(
        (t.status, t.body.as_slice()),
        (200, &b"ok\n"[..]),
        "{name}: {t}"
    );
    let pending = t
        .notifications
        .iter()
        .filter(|n| n.notification == Notification::ExecuteRequestHandler)
        .filter(|n| n.status == RequestStatus::Pending)
        .count();
    let completions = t
        .notifications
        .iter()
        .filter(|n| n.notification == Notification::AsyncCompletion)
        .count();
    let posts = t
        .calls
        .iter()
        .filter(|c| matches!(c, ApiCall::ContextPostCompletion { bytes: 0 }))
        .count();
    let trip = usize::from(subject.round_trip);
    assert_eq!(
        (pending, posts, completions),
        (trip, trip, trip),
        "{name}: PENDING, PostCompletion, OnAsyncCompletion: {t}"
    );
    // Only `async_wait`'s waker is parked, and the client wakes it once.
    let wakes_expected = usize::from(name == "async_wait");
    assert_eq!(wakes, wakes_expected, "{name}: wakes from the client: {t}");
}

/// The modules that take the same trip (all with the host's round trip,
/// all without) show the same notifications with the same statuses, and
/// make the same calls.
fn check_same_trips(subjects: &[Subject], transcripts: &[Transcript]) {
    for round_trip in [false, true] {
        let mut group = subjects
            .iter()
            .zip(transcripts)
            .filter(|(s, _)| s.round_trip == round_trip);
        let Some((first, a)) = group.next() else {
            continue;
        };
        for (other, b) in group {
            assert_eq!(
                notifications(a),
                notifications(b),
                "{} and {} take different trips:\n{a}\n{b}",
                first.name,
                other.name,
            );
            assert_eq!(
                a.calls, b.calls,
                "{} and {} make different calls",
                first.name, other.name
            );
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let full = args.iter().any(|a| a == "--bench");
    let show = args.iter().any(|a| a == "--show");
    // `--only NAME`: that module alone, without the untimed warm-up (for
    // the script's per-module breakdown).
    let only = args.iter().position(|a| a == "--only").map(|i| {
        args.get(i + 1)
            .expect("--only takes a module name")
            .as_str()
    });
    let rounds = if full { ROUNDS } else { SMOKE_ROUNDS };
    let warm_up = if only.is_some() { 0 } else { WARM_UP };
    let mut subjects = subjects(only);
    assert!(!subjects.is_empty(), "no module named {only:?}");
    let mut client = Client::default();
    for subject in &subjects {
        for _ in 0..warm_up {
            let before = client.wakes;
            let t = subject.host.handle(request(), &mut client);
            check(subject, &t, client.wakes - before);
        }
    }
    for round in 0..rounds {
        let mut transcripts = Vec::with_capacity(subjects.len());
        for subject in &mut subjects {
            let request = request();
            let wakes = client.wakes;
            let before = allocations();
            let t = (subject.run)(&subject.host, request, &mut client);
            let after = allocations();
            subject.allocations.0 += after.1 - before.1;
            subject.allocations.1 += after.0 - before.0;
            check(subject, &t, client.wakes - wakes);
            transcripts.push(t);
        }
        check_same_trips(&subjects, &transcripts);
        if show && round == 0 {
            for (subject, t) in subjects.iter().zip(&transcripts) {
                println!("--- {}\n{t}calls: {:?}\n", subject.name, t.calls);
            }
        }
    }
    println!(
        "callgrind_async: rounds={rounds} (one whole request per module each, after {warm_up} \
         untimed); answers and host trips checked"
    );
    for subject in &subjects {
        let (thread, process) = subject.allocations;
        // Read by scripts/callgrind-async.sh.
        println!(
            "allocations {} {:.2} (process-wide: {:.2})",
            subject.name,
            thread as f64 / rounds as f64,
            process as f64 / rounds as f64,
        );
    }
    for subject in subjects {
        let stats = subject.host.stats();
        assert_eq!(
            stats.instances_created, stats.instances_disposed,
            "{}",
            subject.name
        );
        subject.host.shutdown();
    }
}
