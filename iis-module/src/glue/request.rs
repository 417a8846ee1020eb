//! The glue that makes a Rust request module a C++ `CHttpModule`: the object
//! layout, the dispatch every thunk goes through (panic containment, error
//! reporting), and the `IHttpModuleFactory` that creates instances.

use super::provider::Provider;
use crate::diagnostics::Scope;
use crate::panic::{contain, report};
use crate::request::allocator::{self, ModuleAllocator, PoolLife};
use crate::request::{Completion, HttpModule};
use crate::task::{self, Owner, Step, Task};
use crate::{Error, Flow, HttpContext, HttpServer};
use core::cell::{Cell, UnsafeCell};
use core::marker::PhantomData;
use core::ptr::NonNull;
use iis_sys::*;

/// A request module instance as IIS sees it: the vtable pointer first, as
/// in every MSVC object, then what the SDK needs, then the user's module.
///
/// A thunk holds `&ModuleObject` for its call: what changes is in `Cell`s,
/// and the module in an `UnsafeCell`, so the shared reference stays sound
/// while a pending `async fn` hook's future borrows the module mutably and
/// the task machinery writes the task slot through [`Owner::slot`].
#[repr(C)]
pub(crate) struct ModuleObject<T> {
    vtbl: *const CHttpModuleVtbl,
    server: Option<HttpServer>,
    module_id: HTTP_MODULE_ID,
    /// Set once a hook panicked or failed: the instance gets no more hooks.
    failed: Cell<bool>,
    /// The running `async fn` hook, if any: its future borrows `module`.
    task: Cell<Option<NonNull<Task>>>,
    /// The life of the pool memory the factory allocated for the instance.
    pool: Cell<Option<PoolLife>>,
    /// Where the object itself lives, which says how `Dispose` ends it.
    storage: Storage,
    module: UnsafeCell<T>,
}

/// Where a [`ModuleObject`] lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Storage {
    /// Request-pool memory from `IModuleAllocator::AllocateMemory`: IIS
    /// frees it when the request ends, after `Dispose`, so `Dispose` only
    /// drops the object in place.
    Pool,
    /// A `Box` (no allocator, or it failed): `Dispose` frees it.
    Heap,
}

impl<T> ModuleObject<T> {
    /// Puts `object` in request-pool memory from `allocator`, aligned for
    /// it, or on the heap when there is no allocator or it gives no memory.
    ///
    /// # Safety
    /// `allocator` is null or the live allocator of the current
    /// `GetHttpModule` call, whose memory IIS keeps until the request ends
    /// (after it has called `Dispose` on the instance).
    unsafe fn place(mut object: Self, allocator: *mut IModuleAllocator) -> *mut Self {
        let layout = core::alloc::Layout::new::<Self>();
        // Room to align the object whatever alignment the pool gives.
        let size = layout.size() + (layout.align() - 1);
        if !allocator.is_null()
            && let Ok(size) = u32::try_from(size)
        {
            // SAFETY: the live allocator of this call (our contract), not
            // null (checked).
            let raw = unsafe { Ref::from_non_null(NonNull::new_unchecked(allocator)) }
                .AllocateMemory(size);
            if !raw.is_null() {
                let raw = raw.cast::<u8>();
                let offset = raw.align_offset(layout.align());
                if offset < layout.align() {
                    let at = raw.wrapping_add(offset).cast::<Self>();
                    object.storage = Storage::Pool;
                    // SAFETY: `offset < align` and the block has `align - 1`
                    // spare bytes, so `at` is an aligned `Self`'s room in
                    // the fresh block.
                    unsafe { at.write(object) };
                    return at;
                }
            }
        }
        object.storage = Storage::Heap;
        Box::into_raw(Box::new(object))
    }
}

/// The diagnostics scope of a call from IIS into the instance (see
/// [`crate::diagnostics`]).
fn scope_of<T>(object: &ModuleObject<T>) -> Option<Scope> {
    Scope::new(object.server.map(|s| s.raw()), object.module_id)
}

/// A call from IIS into an instance: the instance, and the context of the
/// notification (null or live for it).
struct Call<'a, T> {
    object: &'a ModuleObject<T>,
    cx: *mut IHttpContext,
}

impl<'a, T> Call<'a, T> {
    /// # Safety
    /// `this` was created by [`Factory::get_http_module`] for `T` and is
    /// not disposed of before `'a` ends; `cx` is null or live for the
    /// notification, which outlives `'a`.
    #[inline(always)]
    unsafe fn new(this: *mut CHttpModule, cx: *mut IHttpContext) -> Self {
        // SAFETY: the contract; a shared reference is sound alongside a
        // future's borrow of the module (see `ModuleObject`).
        let object = unsafe { &*this.cast::<ModuleObject<T>>() };
        Self { object, cx }
    }

    /// The view a dispatch lends its hook: the context, with the
    /// instance's task slot for an `async fn` hook.
    fn context(&self) -> crate::Result<HttpContext> {
        let object = self.object;
        let owner = Owner {
            module: object.module.get().cast_const().cast::<()>(),
            // `Cell` is `repr(transparent)`: its address is the slot's.
            slot: NonNull::from(&object.task),
        };
        // SAFETY: `cx` is null or live for the notification (`new`'s
        // contract).
        let cx = unsafe { HttpContext::from_raw(self.cx, object.server, object.module_id) }?;
        Ok(cx.with_owner(owner))
    }
}

/// Runs one hook: builds the views on the stack (no heap allocation),
/// catches panics, turns `Err` and panics into a 500, and enforces that a
/// reset connection finishes the request.
///
/// # Safety
/// `this` was created by [`Factory::get_http_module`] for `T`; `cx` and
/// `provider` are null or live for the notification.
pub(crate) unsafe fn dispatch<T: HttpModule, P: Provider>(
    this: *mut CHttpModule,
    cx: *mut IHttpContext,
    provider: *mut P::Raw,
    hook: impl FnOnce(&mut T, &mut HttpContext, &mut P) -> crate::Result<Flow>,
    name: &'static str,
) -> REQUEST_NOTIFICATION_STATUS {
    // SAFETY: per the contract `this` is a live ModuleObject<T>, which IIS
    // disposes of only after the notification, and `cx` null or live.
    let call = unsafe { Call::<T>::new(this, cx) };
    let object = call.object;
    if object.failed.get() {
        return RQ_NOTIFICATION_CONTINUE;
    }
    let _scope = Scope::enter(scope_of(object));
    let mut context = match call.context() {
        Ok(context) => context,
        Err(error) => {
            report!(
                "iis-module: {}::{name}: {error}",
                core::any::type_name::<T>()
            );
            object.failed.set(true);
            return RQ_NOTIFICATION_FINISH_REQUEST;
        }
    };
    let Some(provider) = NonNull::new(provider) else {
        let error = Error::NullPointer {
            operation: "event provider",
        };
        fail::<T>(&object.failed, &mut context, name, &error);
        return RQ_NOTIFICATION_FINISH_REQUEST;
    };
    // SAFETY: live provider for the notification, which outlives the view.
    let mut provider = P::new(unsafe { Ref::from_non_null(provider) });
    // SAFETY: no task is running (IIS sends no notification but
    // `OnAsyncCompletion` while one is pending), so nothing else borrows
    // the module.
    let module = unsafe { &mut *object.module.get() };
    let outcome = contain(|| hook(module, &mut context, &mut provider));
    finish_hook(object, outcome, &mut context, name)
}

/// Turns what a hook (or a task) gave into the status IIS gets: a 500 or a
/// reset for an `Err` or a panic, `FINISH_REQUEST` after a reset
/// connection. A task left behind by a hook that did not return its
/// pending flow is ended here, so nothing outlives the notification.
///
/// The usual case (a flow, no task left, no reset) is inlined into every
/// thunk; the rest is out of line.
#[inline(always)]
fn finish_hook<T>(
    object: &ModuleObject<T>,
    outcome: Result<crate::Result<Flow>, String>,
    context: &mut HttpContext,
    name: &'static str,
) -> REQUEST_NOTIFICATION_STATUS {
    match outcome {
        Ok(Ok(flow)) => {
            let status = flow.into_status();
            let task_left = status != RQ_NOTIFICATION_PENDING && object.task.get().is_some();
            if task_left || context.response_was_reset() {
                finish_unusual(object, status, context, name)
            } else {
                status
            }
        }
        Ok(Err(error)) => failed(object, context, name, error),
        Err(message) => failed(object, context, name, Error::Panic(message)),
    }
}

/// [`finish_hook`] for a flow that left a task behind or follows a reset.
#[cold]
#[inline(never)]
fn finish_unusual<T>(
    object: &ModuleObject<T>,
    status: REQUEST_NOTIFICATION_STATUS,
    context: &mut HttpContext,
    name: &'static str,
) -> REQUEST_NOTIFICATION_STATUS {
    if status != RQ_NOTIFICATION_PENDING
        && let Some(task) = object.task.take()
    {
        report!(
            "iis-module: {}::{name} started an async hook but did not return its \
             pending flow; the hook is dropped",
            core::any::type_name::<T>()
        );
        // SAFETY: the slot's task, taken out: used no more.
        let _ = unsafe { task::end(task) };
    }
    if context.response_was_reset() && status != RQ_NOTIFICATION_FINISH_REQUEST {
        report!(
            "iis-module: {}::{name} reset the connection but did not finish the \
             request; finishing it",
            core::any::type_name::<T>()
        );
        return RQ_NOTIFICATION_FINISH_REQUEST;
    }
    status
}

/// [`finish_hook`] for an `Err` or a panic.
#[cold]
#[inline(never)]
fn failed<T>(
    object: &ModuleObject<T>,
    context: &mut HttpContext,
    name: &'static str,
    error: Error,
) -> REQUEST_NOTIFICATION_STATUS {
    fail::<T>(&object.failed, context, name, &error);
    RQ_NOTIFICATION_FINISH_REQUEST
}

/// Reports a failed hook: a log record, and a 500 (a 400 for the client's
/// undecodable input, [`Error::is_bad_request`]) carrying the HRESULT and
/// description IIS shows in its detailed error and failed-request trace, or,
/// once the response head has left, a reset connection.
fn fail<T>(failed: &Cell<bool>, cx: &mut HttpContext, hook: &str, error: &Error) {
    failed.set(true);
    let module = core::any::type_name::<T>();
    report!("iis-module: {module}::{hook} failed: {error}");
    // Level 2: error, in IIS's failed-request tracing.
    let _ = cx.quick_trace(
        &format!("{module}::{hook}"),
        &error.to_string(),
        error.hresult(),
        2,
    );
    if cx.response_was_reset() {
        return;
    }
    let head_sent = cx.response_headers_sent();
    // Not `response()`: this runs outside the hook's `catch_unwind`, so a
    // null response must not panic here.
    let Ok(response) = cx.try_response() else {
        return;
    };
    if head_sent {
        // Part of the response has left: only an abort tells the client it
        // is incomplete (a proper end would pass it off as complete).
        let _ = response.reset_connection();
        return;
    }
    response.clear();
    // The client's undecodable input is its fault (400), anything else the
    // server's (500); no body and no `fTrySkipCustomErrors`, so IIS's error
    // page shows the description to a local client.
    let (status, reason) = if error.is_bad_request() {
        (400, "Bad Request")
    } else {
        (500, "Internal Server Error")
    };
    let _ = response.set_status_raw(status, 0, reason, error.hresult(), false);
    let _ = response.set_error_description(&format!("{module}::{hook}: {error}"), true);
}

define_member_fn! {
    pub(crate) unsafe fn on_async_completion[T: HttpModule](
        this: *mut CHttpModule,
        cx: *mut IHttpContext,
        notification: u32,
        post: BOOL,
        provider: *mut IHttpEventProvider,
        info: *mut IHttpCompletionInfo
    ) -> REQUEST_NOTIFICATION_STATUS {
        // SAFETY: IIS calls this slot on our live objects, disposed of only
        // after the notification, with its context (null or live).
        let call = unsafe { Call::<T>::new(this, cx) };
        let object = call.object;
        if object.failed.get() {
            return RQ_NOTIFICATION_CONTINUE;
        }
        let _scope = Scope::enter(scope_of(object));
        // SAFETY: null or live for the notification.
        let completion = unsafe { Completion::new(info, provider, notification, post.as_bool()) };
        if let Some(task) = object.task.get() {
            // SAFETY: the instance's live task, polled inside the
            // notification; nothing borrows it.
            return match unsafe { task::resume(task, completion.status(), completion.bytes()) } {
                Step::Pending => RQ_NOTIFICATION_PENDING,
                Step::Ended(outcome, hook) => {
                    object.task.set(None);
                    // SAFETY: the slot's task, taken out and used no more
                    // (its future is gone).
                    let mut context = unsafe { task::end(task) };
                    let outcome = Ok(outcome.into_result(hook));
                    finish_hook(object, outcome, &mut context, hook)
                }
            };
        }
        let Ok(mut context) = call.context() else {
            object.failed.set(true);
            return RQ_NOTIFICATION_FINISH_REQUEST;
        };
        let mut completion = completion;
        // SAFETY: no task, so nothing else borrows the module.
        let module = unsafe { &mut *object.module.get() };
        let outcome = contain(|| module.on_async_completion(&mut context, &mut completion));
        finish_hook(object, outcome, &mut context, "on_async_completion")
    }

    pub(crate) unsafe fn dispose[T: HttpModule](this: *mut CHttpModule) {
        let object = this.cast::<ModuleObject<T>>();
        // SAFETY: IIS disposes of each instance exactly once, so this is
        // still the live object `ModuleObject::place` made; the reference
        // ends before the object does, below.
        let live = unsafe { &*object };
        let _scope = Scope::enter(scope_of(live));
        // A task still there (its request ended while it was pending) goes
        // first: its future borrows the module.
        if let Some(task) = live.task.take() {
            // SAFETY: the slot's task, taken out: used no more.
            let _ = unsafe { task::end(task) };
        }
        let (pool, storage) = (live.pool.take(), live.storage);
        let dropped = contain(|| match storage {
            // SAFETY: a live, initialised object in request-pool memory,
            // dropped exactly once (here); IIS frees the memory itself
            // when the request ends, after Dispose.
            Storage::Pool => unsafe { core::ptr::drop_in_place(object) },
            // SAFETY: made by `Box::new` in `place`, freed exactly once.
            Storage::Heap => drop(unsafe { Box::from_raw(object) }),
        });
        if dropped.is_err() {
            report!("iis-module: {} panicked in Drop", core::any::type_name::<T>());
        }
        // The request pool goes when the request ends, after Dispose.
        if let Some(pool) = pool {
            allocator::end(&pool);
        }
    }

    pub(crate) unsafe fn scalar_deleting_destructor[T: HttpModule](
        this: *mut CHttpModule,
        flags: u32
    ) -> *mut core::ffi::c_void {
        // IIS only calls Dispose; a host that deletes through the destructor
        // slot gets the same single drop (`flags & 1`: free the memory).
        if flags & 1 != 0 {
            // SAFETY: as for Dispose: our object, destroyed exactly once.
            unsafe { dispose::<T>(this) };
        }
        this.cast()
    }
}

/// The `IHttpModuleFactory` of one module type: creates an instance per
/// request with the user's factory closure.
#[repr(C)]
pub(crate) struct Factory<T, F> {
    vtbl: *const IHttpModuleFactoryVtbl,
    server: Option<HttpServer>,
    module_id: HTTP_MODULE_ID,
    make: F,
    _module: PhantomData<fn() -> T>,
}

/// What a factory closure is: make an instance, with the request's allocator.
pub(crate) trait MakeModule<T>: Send + Sync + 'static {
    fn make(&self, allocator: &mut ModuleAllocator<'_>) -> crate::Result<T>;
}

impl<T, F> MakeModule<T> for F
where
    F: Fn(&mut ModuleAllocator<'_>) -> crate::Result<T> + Send + Sync + 'static,
{
    fn make(&self, allocator: &mut ModuleAllocator<'_>) -> crate::Result<T> {
        self(allocator)
    }
}

impl<T: HttpModule, F: MakeModule<T>> Factory<T, F> {
    const VTABLE: IHttpModuleFactoryVtbl = IHttpModuleFactoryVtbl {
        GetHttpModule: get_http_module::<T, F>,
        Terminate: terminate::<T, F>,
    };

    /// A heap factory IIS owns until it calls `Terminate`.
    pub(crate) fn new_raw(
        make: F,
        server: Option<HttpServer>,
        module_id: HTTP_MODULE_ID,
    ) -> *mut IHttpModuleFactory {
        Box::into_raw(Box::new(Self {
            vtbl: &Self::VTABLE,
            server,
            module_id,
            make,
            _module: PhantomData,
        }))
        .cast()
    }

    /// Frees a factory IIS never took (registration failed).
    ///
    /// # Safety
    /// `raw` came from [`new_raw`](Self::new_raw) and was not handed to IIS.
    pub(crate) unsafe fn free_raw(raw: *mut IHttpModuleFactory) {
        // SAFETY: per the contract we still own it.
        drop(unsafe { Box::from_raw(raw.cast::<Self>()) });
    }
}

define_member_fn! {
    unsafe fn get_http_module[T: HttpModule, F: MakeModule<T>](
        this: *mut IHttpModuleFactory,
        module: *mut *mut CHttpModule,
        allocator: *mut IModuleAllocator
    ) -> HRESULT {
        if module.is_null() {
            return crate::error::E_POINTER;
        }
        // SAFETY: IIS calls this on the factory it was given; shared access
        // only (IIS may call it from several threads at once).
        let factory = unsafe { &*this.cast::<Factory<T, F>>() };
        let _scope = Scope::enter(Scope::new(factory.server.map(|s| s.raw()), factory.module_id));
        let mut pool = None;
        // SAFETY: the allocator IIS passed for this call (or null).
        let mut lent = unsafe { ModuleAllocator::new(allocator, &mut pool) };
        match contain(|| factory.make.make(&mut lent)) {
            Ok(Err(error)) => {
                report!(
                    "iis-module: the factory of {} failed: {error}",
                    core::any::type_name::<T>()
                );
                if let Some(pool) = &pool {
                    allocator::end(pool);
                }
                error.hresult()
            }
            Ok(Ok(instance)) => {
                let object = ModuleObject {
                    vtbl: &ModuleObject::<T>::VTABLE,
                    server: factory.server,
                    module_id: factory.module_id,
                    failed: Cell::new(false),
                    task: Cell::new(None),
                    pool: Cell::new(pool),
                    storage: Storage::Heap,
                    module: UnsafeCell::new(instance),
                };
                // SAFETY: the allocator IIS passed for this call (or null);
                // IIS keeps its memory until the request ends, after
                // Dispose (the ASP.NET Core Module relies on the same).
                let object = unsafe { ModuleObject::place(object, allocator) };
                // SAFETY: non-null out-pointer checked above.
                unsafe { *module = object.cast() };
                HRESULT(0)
            }
            Err(message) => {
                if let Some(pool) = &pool {
                    allocator::end(pool);
                }
                report!(
                    "iis-module: the factory of {} panicked: {message}",
                    core::any::type_name::<T>()
                );
                crate::error::E_FAIL
            }
        }
    }

    unsafe fn terminate[T: HttpModule, F: MakeModule<T>](this: *mut IHttpModuleFactory) {
        // SAFETY: IIS terminates each factory once, at shutdown.
        let factory = unsafe { Box::from_raw(this.cast::<Factory<T, F>>()) };
        let _scope = Scope::enter(Scope::new(factory.server.map(|s| s.raw()), factory.module_id));
        if contain(|| drop(factory)).is_err() {
            report!("iis-module: a module factory panicked in Drop");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A module that counts its drops; over-aligned, to check the pool
    /// placement honours alignment.
    #[repr(align(64))]
    struct Counted(Arc<AtomicUsize>);

    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    impl HttpModule for Counted {}

    /// An `IModuleAllocator` over a buffer whose blocks start 8 bytes past a
    /// 64-byte boundary (a pool only guarantees 8 or 16), or one that has no
    /// memory to give.
    #[repr(C)]
    struct TestAllocator {
        vtbl: *const IModuleAllocatorVtbl,
        buf: Box<[u8]>,
        used: usize,
        calls: usize,
        exhausted: bool,
    }

    define_member_fn! {
        unsafe fn test_allocate(this: *mut IModuleAllocator, size: u32) -> *mut core::ffi::c_void {
            // SAFETY: only called on a live TestAllocator (below).
            let this = unsafe { &mut *this.cast::<TestAllocator>() };
            this.calls += 1;
            if this.exhausted {
                return core::ptr::null_mut();
            }
            let start = this.buf.as_ptr().align_offset(64) + 8 + this.used;
            this.used += size as usize + 64;
            assert!(start + size as usize <= this.buf.len());
            this.buf[start..start + size as usize].as_mut_ptr().cast()
        }
    }

    static TEST_ALLOCATOR_VTBL: IModuleAllocatorVtbl = IModuleAllocatorVtbl {
        AllocateMemory: test_allocate,
    };

    impl TestAllocator {
        fn new(exhausted: bool) -> Self {
            Self {
                vtbl: &TEST_ALLOCATOR_VTBL,
                buf: vec![0; 4096].into_boxed_slice(),
                used: 0,
                calls: 0,
                exhausted,
            }
        }

        fn holds(&self, p: *const u8) -> bool {
            self.buf.as_ptr_range().contains(&p)
        }
    }

    /// One instance's life through the factory's and the module's vtables:
    /// where the instance was, and how often it was dropped after `Dispose`.
    fn instance_life(allocator: Option<&mut TestAllocator>) -> (*const u8, usize) {
        let drops = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&drops);
        let factory = Factory::<Counted, _>::new_raw(
            move |_: &mut ModuleAllocator<'_>| Ok(Counted(Arc::clone(&counter))),
            None,
            crate::registration::unissued_module_id(),
        );
        let allocator: *mut IModuleAllocator =
            allocator.map_or(core::ptr::null_mut(), |a| (a as *mut TestAllocator).cast());
        let mut module: *mut CHttpModule = core::ptr::null_mut();
        // SAFETY: our live factory; a valid out-pointer; a live allocator or null.
        let hr = unsafe { ((*(*factory).lpVtbl).GetHttpModule)(factory, &mut module, allocator) };
        assert!(hr.is_ok() && !module.is_null(), "{hr:?}");
        let at = module.cast::<u8>().cast_const();
        // The object (and so the module inside it) is aligned for its type.
        assert_eq!(
            at as usize % core::mem::align_of::<ModuleObject<Counted>>(),
            0
        );
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        // SAFETY: the live instance, disposed once as IIS does.
        unsafe { ((*(*module).lpVtbl).Dispose)(module) };
        let dropped = drops.load(Ordering::SeqCst);
        // SAFETY: the live factory, terminated once.
        unsafe { ((*(*factory).lpVtbl).Terminate)(factory) };
        (at, dropped)
    }

    #[test]
    fn instances_live_in_request_pool_memory_aligned_and_are_dropped_once() {
        let mut pool = TestAllocator::new(false);
        let (at, drops) = instance_life(Some(&mut pool));
        assert_eq!(pool.calls, 1);
        assert!(pool.holds(at), "the instance is in the allocator's memory");
        assert_eq!(drops, 1);
    }

    #[test]
    fn instances_fall_back_to_the_heap_without_pool_memory() {
        let mut exhausted = TestAllocator::new(true);
        let (at, drops) = instance_life(Some(&mut exhausted));
        assert_eq!(exhausted.calls, 1);
        assert!(!exhausted.holds(at));
        assert_eq!(drops, 1);
        let (_, drops) = instance_life(None);
        assert_eq!(drops, 1);
    }
}
