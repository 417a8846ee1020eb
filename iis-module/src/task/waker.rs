//! What a task shares with the threads that may wake it: its state, the
//! count of its live wakers, and whether the client has gone. A wake from
//! any thread becomes one `IHttpContext::PostCompletion`, which makes IIS
//! call `OnAsyncCompletion`, where the SDK polls the future again.

use crate::panic::report;
use crate::request::connection_slot::Watch;
use crate::request::flow::fail_request;
use core::mem::ManuallyDrop;
use core::ptr::NonNull;
use core::task::{RawWaker, RawWakerVTable, Waker};
use iis_sys::{IHttpContext, RQ_NOTIFICATION_FINISH_REQUEST};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use windows_core::HRESULT;

// The life of a task between polls. Only the polling thread (inside an IIS
// notification) leaves `RUNNING`/`RUNNING_WOKEN`; any thread may move
// `WAIT_WAKE` to `POSTED`, and whoever does calls `PostCompletion`.
/// Being polled, inside a notification.
pub(super) const RUNNING: u8 = 0;
/// Woken while being polled: poll again.
pub(super) const RUNNING_WOKEN: u8 = 1;
/// Pending on a waker: the first wake posts a completion.
pub(super) const WAIT_WAKE: u8 = 2;
/// Pending on an IIS I/O operation, whose completion polls again; wakes
/// meanwhile change nothing (that poll sees what they announced).
pub(super) const WAIT_IO: u8 = 3;
/// A completion was posted; `OnAsyncCompletion` is on its way.
pub(super) const POSTED: u8 = 4;
/// Finished or dropped: wakes do nothing.
pub(super) const ENDED: u8 = 5;

/// A direction of a full-duplex request's I/O: each has its own operation
/// in flight and its own completion routine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lane {
    Read,
    Send,
}

/// The part of a task that wakers, the disconnect watch and the completion
/// routines of full-duplex I/O hold.
#[derive(Debug)]
pub(crate) struct Shared {
    context: NonNull<IHttpContext>,
    pub(super) state: AtomicU8,
    /// Live `Waker`s (each poll's and its clones): none while the future waits on no I/O means nothing can ever wake it
    /// (a lost completion).
    wakers: AtomicUsize,
    /// The client disconnected: drop the future at the next poll.
    cancelled: AtomicBool,
    /// What the completion routines reported and the task has not taken
    /// in yet: `(status, bytes)` of the read, then of the send.
    routed: Mutex<[Option<(HRESULT, u32)>; 2]>,
}

// SAFETY: the context pointer is used only for `PostCompletion` (and, if
// that fails, to end the request), by the one thread that moved the state
// from `WAIT_WAKE` to `POSTED`: then the request is pending on exactly this
// completion, so IIS keeps the context alive and calls nothing else on it.
unsafe impl Send for Shared {}
// SAFETY: as above; everything else is atomics.
unsafe impl Sync for Shared {}

impl Shared {
    pub(super) fn new(context: NonNull<IHttpContext>) -> Self {
        Self {
            context,
            state: AtomicU8::new(RUNNING),
            wakers: AtomicUsize::new(0),
            cancelled: AtomicBool::new(false),
            routed: Mutex::new([None, None]),
        }
    }

    /// A completion routine's result: kept for the task, which is woken.
    pub(super) fn routed(&self, lane: Lane, status: HRESULT, bytes: u32) {
        let mut routed = self.routed.lock().unwrap_or_else(PoisonError::into_inner);
        routed[lane as usize] = Some((status, bytes));
        drop(routed);
        self.wake();
    }

    /// The routines' results since the last call.
    pub(super) fn take_routed(&self) -> [(Lane, Option<(HRESULT, u32)>); 2] {
        let mut routed = self.routed.lock().unwrap_or_else(PoisonError::into_inner);
        [
            (Lane::Read, routed[0].take()),
            (Lane::Send, routed[1].take()),
        ]
    }

    /// The waker of a poll, counted as a live waker until dropped: a
    /// reference to this `Shared` behind [`VTABLE`] (no allocation).
    pub(super) fn waker(self: &Arc<Self>) -> Waker {
        self.wakers.fetch_add(1, Ordering::AcqRel);
        // SAFETY: `raw` makes the reference the vtable's functions expect,
        // which they release exactly once.
        unsafe { Waker::from_raw(raw(Arc::clone(self))) }
    }

    /// Whether any waker the future kept is alive.
    pub(super) fn has_wakers(&self) -> bool {
        self.wakers.load(Ordering::Acquire) > 0
    }

    pub(super) fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Acquire)
    }

    fn wake(&self) {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            let next = match state {
                RUNNING => RUNNING_WOKEN,
                WAIT_WAKE => POSTED,
                _ => return,
            };
            match self
                .state
                .compare_exchange_weak(state, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) if next == POSTED => return self.post_or_end(),
                Ok(_) => return,
                Err(now) => state = now,
            }
        }
    }

    /// The last waker going away while the task waits on wakers means
    /// nothing may ever wake it: resume it once more, so that a poll finds
    /// out. Only that poll can tell (the future parks with its new waker,
    /// or keeps none and is lost): by the time this count reaches zero, a
    /// completion posted earlier may have polled the task again and parked
    /// it with a fresh waker, which a verdict here would miss. While the
    /// task runs, the poller looks at the count itself.
    fn waker_dropped(&self) {
        if self.wakers.fetch_sub(1, Ordering::AcqRel) == 1
            && self
                .state
                .compare_exchange(WAIT_WAKE, POSTED, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            self.post_or_end();
        }
    }

    /// Resumes the pending request: IIS calls `OnAsyncCompletion`, which
    /// polls the task. Only the thread that moved the state to `POSTED`
    /// calls this.
    pub(super) fn post(&self) -> windows_core::HRESULT {
        // SAFETY: the request is pending on this completion (see the `Send`
        // impl), so the context is alive and ours to call, and IIS takes the
        // completion it waits for.
        unsafe { iis_sys::Ref::from_non_null(self.context).PostCompletion(0) }
    }

    /// [`post`](Self::post) from a waker, outside any notification: if IIS
    /// refuses, the request fails here, as nothing else can resume it.
    fn post_or_end(&self) {
        let hr = self.post();
        if hr.is_ok() {
            return;
        }
        report!("iis-module: IHttpContext::PostCompletion failed ({hr}): the request fails");
        self.state.store(ENDED, Ordering::Release);
        // SAFETY: as in `post`: the request still waits for us, so ending
        // it is the one call IIS gets for it.
        unsafe {
            let context = iis_sys::Ref::from_non_null(self.context);
            fail_request(context);
            context.IndicateCompletion(RQ_NOTIFICATION_FINISH_REQUEST);
        }
    }
}

impl Watch for Shared {
    /// The client is gone: the future is dropped at its next poll, which
    /// this brings about.
    fn disconnected(&self) {
        self.cancelled.store(true, Ordering::Release);
        self.wake();
    }
}

// A task's `Waker`s are hand-made rather than `std::task::Wake` ones: a
// `Wake` type would need an allocation of its own per waker (the `Arc` it
// is), and it sees no clone, so it could not count live wakers; these are
// the task's own `Arc<Shared>`, counted by `Shared::wakers`.

/// The functions of a task's wakers.
///
/// # Safety (all four)
/// `data` is an `Arc<Shared>` reference made by [`raw`] and not yet
/// released: each waker owns one, and counts once in `Shared::wakers`.
static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

/// The raw waker owning `shared` (one reference).
fn raw(shared: Arc<Shared>) -> RawWaker {
    RawWaker::new(Arc::into_raw(shared).cast::<()>(), &VTABLE)
}

unsafe fn clone(data: *const ()) -> RawWaker {
    // SAFETY: the vtable's contract; borrowed, not released (the waker
    // keeps its reference).
    let shared = ManuallyDrop::new(unsafe { Arc::from_raw(data.cast::<Shared>()) });
    shared.wakers.fetch_add(1, Ordering::AcqRel);
    raw(Arc::clone(&shared))
}

unsafe fn wake(data: *const ()) {
    // SAFETY: the vtable's contract; `wake` consumes the waker, whose
    // reference is released here.
    let shared = unsafe { Arc::from_raw(data.cast::<Shared>()) };
    shared.wake();
    shared.waker_dropped();
}

unsafe fn wake_by_ref(data: *const ()) {
    // SAFETY: the vtable's contract; borrowed for the call.
    unsafe { &*data.cast::<Shared>() }.wake();
}

unsafe fn drop_waker(data: *const ()) {
    // SAFETY: the vtable's contract; the waker's reference, released
    // exactly once, here.
    unsafe { Arc::from_raw(data.cast::<Shared>()) }.waker_dropped();
}
