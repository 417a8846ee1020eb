//! Bench 1: the cost of one request notification dispatched through the
//! SDK's thunk, against a hand-written raw `extern` thunk that does what an
//! empty C++ hook does (return `RQ_NOTIFICATION_CONTINUE`).
//!
//! Both are called through their `CHttpModule` vtable slot (`OnBeginRequest`)
//! with the same live `IHttpContext` and event provider of a real iis-host
//! request, so the SDK pays its real host calls (`GetRequest`/`GetResponse`)
//! and nothing is mocked:
//!
//! 1. One host loads, in-process (`HostBuilder::module_fn`), (a) the SDK
//!    module [`Empty`] (an empty `on_begin_request`), through a registration
//!    proxy that forwards every call to the host and remembers the factory
//!    the SDK hands to `SetRequestNotifications`; (b) a raw *probe* module
//!    (hand-written 31-slot vtable) whose `OnBeginRequest` sends the context
//!    and provider pointers over a channel and returns
//!    `RQ_NOTIFICATION_PENDING`, which parks the request.
//! 2. `host.get("/")` runs on its own thread; once the pointers arrive, this
//!    thread gets an SDK instance from the remembered factory
//!    (`GetHttpModule`) and makes a raw object, and criterion calls their
//!    `OnBeginRequest` slots (plus a third, diagnostic variant: the raw thunk
//!    making the same two host calls as the SDK).
//! 3. An interleaved A/B loop prints the ratio SDK/raw measured in this run,
//!    and a counting global allocator (this thread only) the heap
//!    allocations per notification, and per request cycle (`GetHttpModule`
//!    with a request-pool `IModuleAllocator`, `OnBeginRequest`, `Dispose`).
//! 4. `IHttpContext::IndicateCompletion(CONTINUE)` resumes the request, which
//!    finishes as usual; the host shuts down (`Terminate` on both factories).
//!
//! `cargo bench -p iis-module-tests --bench notification_dispatch`; without
//! `--bench` (e.g. `cargo test --benches`) it runs as a quick smoke test.
//! Results and method: docs/benchmarks.md.

use criterion::Criterion;
mod subjects;

use iis_host::{Host, HostConfig, HostEvent};
use iis_sys::{
    CGlobalModule, CHttpModule, CHttpModuleVtbl, HRESULT, HTTP_MODULE_ID, IHttpContext,
    IHttpEventProvider, IHttpModuleFactory, IHttpModuleFactoryVtbl, IHttpModuleRegistrationInfo,
    IHttpModuleRegistrationInfo2, IHttpModuleRegistrationInfo2Vtbl,
    IHttpModuleRegistrationInfoVtbl, IHttpServer, IModuleAllocator, IModuleAllocatorVtbl, PCWSTR,
    REQUEST_NOTIFICATION_STATUS, RQ_BEGIN_REQUEST, RQ_NOTIFICATION_CONTINUE,
    RQ_NOTIFICATION_PENDING, define_member_fn,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use std::ptr::null_mut;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};
use subjects::{RegisterModule, raw_continue, raw_object, raw_vtable};

// ---------------------------------------------------------------------------
// Allocation counting: this thread's allocations (the host's request thread
// is parked meanwhile, but counting per thread keeps it out for certain).

/// Counts the calling thread's allocations, then delegates to the system.
struct CountingAllocator;

thread_local! {
    static THREAD_ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call is delegated to `System` unchanged; the counter is a
// const-initialised thread-local, which never allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = THREAD_ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let _ = THREAD_ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = THREAD_ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn thread_allocations() -> u64 {
    THREAD_ALLOCATIONS.with(Cell::get)
}

// ---------------------------------------------------------------------------
// (a) The SDK module: an empty hook.

// The SDK side is `subjects::Empty`, with its `RegisterModule`.

/// The factory the SDK registered for [`Empty`] (seen by [`CapturingInfo`]).
static SDK_FACTORY: AtomicPtr<IHttpModuleFactory> = AtomicPtr::new(null_mut());

/// An `IHttpModuleRegistrationInfo2` that forwards every call to the host's
/// and remembers the factory of `SetRequestNotifications`: the SDK registers
/// with the host exactly as from a DLL, and the bench learns its factory.
#[repr(C)]
struct CapturingInfo {
    vtbl: *const IHttpModuleRegistrationInfo2Vtbl,
    inner: *mut IHttpModuleRegistrationInfo2,
}

/// The host's registration info behind a [`CapturingInfo`].
///
/// # Safety
/// `this` is a live [`CapturingInfo`].
unsafe fn inner(this: *mut IHttpModuleRegistrationInfo) -> *mut IHttpModuleRegistrationInfo2 {
    // SAFETY: per the contract.
    unsafe { (*this.cast::<CapturingInfo>()).inner }
}

/// The vtable of the host's registration info behind a [`CapturingInfo`].
///
/// # Safety
/// `this` is a live [`CapturingInfo`].
unsafe fn inner_vtbl(this: *mut IHttpModuleRegistrationInfo) -> IHttpModuleRegistrationInfo2Vtbl {
    // SAFETY: the inner object is the host's live registration info.
    unsafe { *(*inner(this)).lpVtbl }
}

define_member_fn! {
    unsafe fn info_get_name(this: *mut IHttpModuleRegistrationInfo) -> PCWSTR {
        // SAFETY: forwarded to the host's live object (all slots below too).
        unsafe { (inner_vtbl(this).base.GetName)(inner(this).cast()) }
    }
    unsafe fn info_get_id(this: *mut IHttpModuleRegistrationInfo) -> HTTP_MODULE_ID {
        // SAFETY: as above.
        unsafe { (inner_vtbl(this).base.GetId)(inner(this).cast()) }
    }
    unsafe fn info_set_request_notifications(
        this: *mut IHttpModuleRegistrationInfo,
        factory: *mut IHttpModuleFactory,
        notifications: u32,
        post: u32
    ) -> HRESULT {
        // SAFETY: as above.
        let hr = unsafe {
            (inner_vtbl(this).base.SetRequestNotifications)(inner(this).cast(), factory, notifications, post)
        };
        if hr.is_ok() {
            SDK_FACTORY.store(factory, Ordering::SeqCst);
        }
        hr
    }
    unsafe fn info_set_global_notifications(
        this: *mut IHttpModuleRegistrationInfo,
        module: *mut CGlobalModule,
        notifications: u32
    ) -> HRESULT {
        // SAFETY: as above.
        unsafe { (inner_vtbl(this).base.SetGlobalNotifications)(inner(this).cast(), module, notifications) }
    }
    unsafe fn info_set_request_priority(this: *mut IHttpModuleRegistrationInfo, notification: u32, priority: PCWSTR) -> HRESULT {
        // SAFETY: as above.
        unsafe {
            (inner_vtbl(this).base.SetPriorityForRequestNotification)(inner(this).cast(), notification, priority)
        }
    }
    unsafe fn info_set_global_priority(this: *mut IHttpModuleRegistrationInfo, notification: u32, priority: PCWSTR) -> HRESULT {
        // SAFETY: as above.
        unsafe {
            (inner_vtbl(this).base.SetPriorityForGlobalNotification)(inner(this).cast(), notification, priority)
        }
    }
    unsafe fn info_set_post_request_priority(
        this: *mut IHttpModuleRegistrationInfo2,
        notification: u32,
        priority: PCWSTR
    ) -> HRESULT {
        let this = this.cast::<IHttpModuleRegistrationInfo>();
        // SAFETY: as above.
        unsafe { (inner_vtbl(this).SetPriorityForPostRequestNotification)(inner(this), notification, priority) }
    }
}

static CAPTURING_VTBL: IHttpModuleRegistrationInfo2Vtbl = IHttpModuleRegistrationInfo2Vtbl {
    base: IHttpModuleRegistrationInfoVtbl {
        GetName: info_get_name,
        GetId: info_get_id,
        SetRequestNotifications: info_set_request_notifications,
        SetGlobalNotifications: info_set_global_notifications,
        SetPriorityForRequestNotification: info_set_request_priority,
        SetPriorityForGlobalNotification: info_set_global_priority,
    },
    SetPriorityForPostRequestNotification: info_set_post_request_priority,
};

/// The `PFN_REGISTERMODULE` given to the host for [`Empty`]: the SDK's
/// `RegisterModule`, with the host's registration info behind a
/// [`CapturingInfo`].
///
/// # Safety
/// Called by the host with its live registration info (an
/// `IHttpModuleRegistrationInfo2`, as IIS 7.5+ and iis-host hand out) and server.
unsafe extern "system" fn register_sdk(
    version: u32,
    info: *mut IHttpModuleRegistrationInfo,
    server: *mut IHttpServer,
) -> HRESULT {
    let mut proxy = CapturingInfo {
        vtbl: &CAPTURING_VTBL,
        inner: info.cast(),
    };
    let proxy: *mut CapturingInfo = &mut proxy;
    // SAFETY: the proxy outlives the call (the SDK keeps no pointer to the
    // registration info after RegisterModule returns); `server` is the host's.
    unsafe { RegisterModule(version, proxy.cast(), server) }
}

// ---------------------------------------------------------------------------
// (b) Raw modules, written against iis-sys alone, as a C++ author would.

define_member_fn! {
    /// The raw thunk measured: `OnBeginRequest` of an empty C++ module.
    unsafe fn raw_begin_request(
        _this: *mut CHttpModule,
        _cx: *mut IHttpContext,
        _provider: *mut IHttpEventProvider
    ) -> REQUEST_NOTIFICATION_STATUS {
        RQ_NOTIFICATION_CONTINUE
    }

    /// Diagnostic: the raw thunk making the two host calls the SDK makes to
    /// build its view (`GetRequest`, `GetResponse`), and nothing else.
    unsafe fn raw_begin_request_with_views(
        _this: *mut CHttpModule,
        cx: *mut IHttpContext,
        _provider: *mut IHttpEventProvider
    ) -> REQUEST_NOTIFICATION_STATUS {
        // SAFETY: the host calls (and the bench calls) this slot with the
        // live context of the current notification.
        let (request, response) = unsafe {
            let vtbl = &*(*cx).lpVtbl;
            ((vtbl.GetRequest)(cx), (vtbl.GetResponse)(cx))
        };
        if request.is_null() || response.is_null() {
            return iis_sys::RQ_NOTIFICATION_FINISH_REQUEST;
        }
        RQ_NOTIFICATION_CONTINUE
    }

    /// The probe's `OnBeginRequest`: hands the live context and provider to
    /// the bench and parks the request.
    unsafe fn probe_begin_request(
        _this: *mut CHttpModule,
        cx: *mut IHttpContext,
        provider: *mut IHttpEventProvider
    ) -> REQUEST_NOTIFICATION_STATUS {
        let sender = PROBE.lock().unwrap_or_else(|e| e.into_inner()).take();
        match sender {
            Some(sender) if sender.send(Live { cx, provider }).is_ok() => RQ_NOTIFICATION_PENDING,
            _ => RQ_NOTIFICATION_CONTINUE,
        }
    }
}

/// No `OnSendResponse` hook of its own (the bench measures `OnBeginRequest`).
const NO_SEND: iis_sys::member_fn!((*mut CHttpModule, *mut IHttpContext, *mut iis_sys::ISendResponseProvider) -> REQUEST_NOTIFICATION_STATUS) =
    raw_continue::<iis_sys::ISendResponseProvider>;

static RAW_VTBL: CHttpModuleVtbl = raw_vtable(raw_begin_request, NO_SEND);
static RAW_WITH_VIEWS_VTBL: CHttpModuleVtbl = raw_vtable(raw_begin_request_with_views, NO_SEND);
static PROBE_VTBL: CHttpModuleVtbl = raw_vtable(probe_begin_request, NO_SEND);

/// The context and provider of the parked request.
#[derive(Clone, Copy)]
struct Live {
    cx: *mut IHttpContext,
    provider: *mut IHttpEventProvider,
}

// SAFETY: IIS objects are free-threaded for the life of the request (a
// module may complete a pending request from any thread); the request
// thread is parked while the bench thread uses them.
unsafe impl Send for Live {}

/// Where the probe sends the pointers (taken once).
static PROBE: Mutex<Option<mpsc::Sender<Live>>> = Mutex::new(None);

define_member_fn! {
    unsafe fn probe_get_http_module(
        _this: *mut IHttpModuleFactory,
        module: *mut *mut CHttpModule,
        _allocator: *mut IModuleAllocator
    ) -> HRESULT {
        if module.is_null() {
            return iis_sys::E_POINTER;
        }
        // SAFETY: non-null out-pointer from the host.
        unsafe { *module = raw_object(&PROBE_VTBL) };
        iis_sys::S_OK
    }

    unsafe fn probe_terminate(this: *mut IHttpModuleFactory) {
        // SAFETY: the factory is the Box made by `register_probe`, which the
        // host terminates exactly once.
        drop(unsafe { Box::from_raw(this.cast::<ProbeFactory>()) });
    }
}

/// The probe's `IHttpModuleFactory`.
#[repr(C)]
struct ProbeFactory {
    vtbl: *const IHttpModuleFactoryVtbl,
}

static PROBE_FACTORY_VTBL: IHttpModuleFactoryVtbl = IHttpModuleFactoryVtbl {
    GetHttpModule: probe_get_http_module,
    Terminate: probe_terminate,
};

/// The probe's `RegisterModule`: BeginRequest only.
///
/// # Safety
/// Called by the host with its live registration info.
unsafe extern "system" fn register_probe(
    _version: u32,
    info: *mut IHttpModuleRegistrationInfo,
    _server: *mut IHttpServer,
) -> HRESULT {
    let factory = Box::into_raw(Box::new(ProbeFactory {
        vtbl: &PROBE_FACTORY_VTBL,
    }));
    // SAFETY: the host's live registration info; on success the host owns
    // the factory until Terminate.
    let hr = unsafe {
        ((*(*info).lpVtbl).SetRequestNotifications)(info, factory.cast(), RQ_BEGIN_REQUEST, 0)
    };
    if hr.is_err() {
        // SAFETY: refused, so still ours.
        drop(unsafe { Box::from_raw(factory) });
    }
    hr
}

// ---------------------------------------------------------------------------
// A request-pool `IModuleAllocator`, as IIS hands to `GetHttpModule`.

/// Bump allocation from one fixed block, like IIS's request pool (which
/// frees everything at request end, never block by block); `reset` plays
/// the end of a request. No heap allocation.
#[repr(C)]
struct PoolAllocator {
    vtbl: *const IModuleAllocatorVtbl,
    block: [u64; 64],
    used: usize,
}

define_member_fn! {
    unsafe fn pool_allocate(this: *mut IModuleAllocator, size: u32) -> *mut core::ffi::c_void {
        // SAFETY: only called on a live PoolAllocator.
        let pool = unsafe { &mut *this.cast::<PoolAllocator>() };
        let start = pool.used.next_multiple_of(16);
        let end = start + size as usize;
        if end > core::mem::size_of_val(&pool.block) {
            return null_mut();
        }
        pool.used = end;
        // SAFETY: `start..end` is inside the block.
        unsafe { pool.block.as_mut_ptr().cast::<u8>().add(start).cast() }
    }
}

static POOL_ALLOCATOR_VTBL: IModuleAllocatorVtbl = IModuleAllocatorVtbl {
    AllocateMemory: pool_allocate,
};

impl PoolAllocator {
    fn new() -> Box<Self> {
        Box::new(Self {
            vtbl: &POOL_ALLOCATOR_VTBL,
            block: [0; 64],
            used: 0,
        })
    }
}

// ---------------------------------------------------------------------------
// The measurement.

/// Calls `module`'s `OnBeginRequest` slot through its vtable, as IIS does.
///
/// # Safety
/// `module` is a live `CHttpModule`; `live` the parked request's pointers.
#[inline(always)]
unsafe fn begin_request(module: *mut CHttpModule, live: Live) -> REQUEST_NOTIFICATION_STATUS {
    // SAFETY: per the contract; the pointers go through `black_box` so the
    // slot is loaded and called indirectly, never inlined.
    unsafe {
        let module = black_box(module);
        let slot = (*(*module).lpVtbl).OnBeginRequest;
        slot(module, black_box(live.cx), black_box(live.provider))
    }
}

/// The modules measured, each a live `CHttpModule` on the parked request.
struct Subjects {
    live: Live,
    sdk: *mut CHttpModule,
    raw: *mut CHttpModule,
    raw_views: *mut CHttpModule,
}

impl Subjects {
    fn all(&self) -> [(&'static str, *mut CHttpModule); 3] {
        [
            ("sdk", self.sdk),
            ("raw", self.raw),
            ("raw_with_views", self.raw_views),
        ]
    }
}

/// Nanoseconds per call of `calls` consecutive calls.
fn time_calls(module: *mut CHttpModule, live: Live, calls: u32) -> f64 {
    let start = Instant::now();
    for _ in 0..calls {
        // SAFETY: live module and request (see `Subjects`).
        black_box(unsafe { begin_request(module, live) });
    }
    start.elapsed().as_nanos() as f64 / f64::from(calls)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Interleaved A/B rounds (so frequency drift hits all variants alike) and
/// the allocation count; printed as the summary quoted in docs/benchmarks.md.
fn summary(s: &Subjects, rounds: usize, calls: u32) {
    let mut ns: [Vec<f64>; 3] = std::array::from_fn(|_| Vec::with_capacity(rounds));
    let mut ratios = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        for (i, (_, module)) in s.all().iter().enumerate() {
            ns[i].push(time_calls(*module, s.live, calls));
        }
        let round = ns[0].last().copied().unwrap_or(0.0) / ns[1].last().copied().unwrap_or(1.0);
        ratios.push(round);
    }
    println!();
    println!("summary: {rounds} interleaved rounds x {calls} calls, median ns/notification");
    let mut medians = [0.0; 3];
    for (i, (name, module)) in s.all().iter().enumerate() {
        medians[i] = median(&mut ns[i]);
        let allocations = {
            let before = thread_allocations();
            time_calls(*module, s.live, calls);
            thread_allocations() - before
        };
        println!(
            "  {name:<15} {:>8.2} ns   allocations/notification: {} ({allocations} in {calls} calls)",
            medians[i],
            allocations as f64 / f64::from(calls),
        );
    }
    // A whole request of the SDK module: GetHttpModule (with a request-pool
    // allocator, as IIS passes), one notification, Dispose.
    let factory = SDK_FACTORY.load(Ordering::SeqCst);
    let mut pool = PoolAllocator::new();
    let before = thread_allocations();
    for _ in 0..calls {
        pool.used = 0; // the previous request ended
        let allocator: *mut PoolAllocator = &mut *pool;
        let mut module = null_mut();
        // SAFETY: the SDK's live factory; a live allocator; the instance is
        // used on the parked request and disposed once.
        unsafe {
            let hr = ((*(*factory).lpVtbl).GetHttpModule)(factory, &mut module, allocator.cast());
            assert!(hr.is_ok() && !module.is_null());
            black_box(begin_request(module, s.live));
            ((*(*module).lpVtbl).Dispose)(module);
        }
    }
    let allocations = thread_allocations() - before;
    assert!(
        pool.used > 0,
        "the SDK put its instance in the request pool"
    );
    assert_eq!(allocations, 0, "the SDK allocated on the heap per request");
    println!(
        "  sdk request cycle (GetHttpModule + OnBeginRequest + Dispose): allocations/request: {} ({allocations} in {calls} requests)",
        allocations as f64 / f64::from(calls),
    );
    println!(
        "  ratio sdk/raw: {:.2} (median of per-round ratios; ratio of medians {:.2})",
        median(&mut ratios),
        medians[0] / medians[1]
    );
    println!(
        "  sdk - raw_with_views: {:.2} ns (the SDK's own work beyond its two host calls)",
        medians[0] - medians[2]
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not.
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();

    let (sender, receiver) = mpsc::channel();
    *PROBE.lock().unwrap_or_else(|e| e.into_inner()) = Some(sender);
    // The request stays parked for the whole bench, however long criterion
    // is told to run: no pending timeout (IIS has none either), so the
    // context cannot be torn down under the bench.
    let config = HostConfig {
        pending_timeout: None,
        ..HostConfig::default()
    };
    let host = Host::builder()
        .config(config)
        .module_fn("EmptySdkModule", register_sdk)
        .module_fn("RawProbe", register_probe)
        .build()
        .expect("both modules register");
    let host = Arc::new(host);
    let request = {
        let host = Arc::clone(&host);
        std::thread::spawn(move || host.get("/"))
    };
    let live = receiver
        .recv_timeout(Duration::from_secs(30))
        .expect("the probe parks the request");

    let factory = SDK_FACTORY.load(Ordering::SeqCst);
    assert!(!factory.is_null(), "the SDK registered a factory");
    let mut sdk: *mut CHttpModule = null_mut();
    // SAFETY: the SDK's live factory (the host keeps it until shutdown). The
    // allocator may be null: the SDK then boxes the instance (and frees it
    // in Dispose); the request cycle in `summary` passes a pool allocator.
    let hr = unsafe { ((*(*factory).lpVtbl).GetHttpModule)(factory, &mut sdk, null_mut()) };
    assert!(hr.is_ok() && !sdk.is_null(), "GetHttpModule: {hr:?}");
    let subjects = Subjects {
        live,
        sdk,
        raw: raw_object(&RAW_VTBL),
        raw_views: raw_object(&RAW_WITH_VIEWS_VTBL),
    };
    for (name, module) in subjects.all() {
        // SAFETY: live module and request.
        let status = unsafe { begin_request(module, live) };
        assert_eq!(status, RQ_NOTIFICATION_CONTINUE, "{name}");
    }

    let mut group = criterion.benchmark_group("on_begin_request");
    for (name, module) in subjects.all() {
        group.bench_function(name, |b| {
            // SAFETY: live module and request for the whole bench.
            b.iter(|| unsafe { begin_request(module, live) })
        });
    }
    group.finish();
    if bench_mode {
        summary(&subjects, 31, 200_000);
    } else {
        summary(&subjects, 1, 1_000);
    }

    for (_, module) in subjects.all() {
        // SAFETY: each object is live and disposed exactly once, here.
        unsafe { ((*(*module).lpVtbl).Dispose)(module) };
    }
    // SAFETY: the parked request's live context; resumes it.
    unsafe { ((*(*live.cx).lpVtbl).IndicateCompletion)(live.cx, RQ_NOTIFICATION_CONTINUE) };
    let transcript = request.join().expect("the request thread");
    assert!(
        transcript
            .notifications
            .iter()
            .any(|n| n.status == iis_host::RequestStatus::Pending),
        "the probe pended: {:#?}",
        transcript.notification_lines()
    );
    host.shutdown();
    let terminated = host
        .events()
        .iter()
        .filter(|e| matches!(e, HostEvent::FactoryTerminate { .. }))
        .count();
    println!(
        "request finished with {}; {terminated} factories terminated",
        transcript.status
    );
    criterion.final_summary();
}
