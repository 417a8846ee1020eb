//! `async fn` hooks: the futures they await ([`ReadBody`], [`WriteBody`],
//! [`FlushResponse`], [`ExecuteChild`], returned by
//! [`HttpRequest::read_body_async`](crate::HttpRequest::read_body_async) and
//! its kin) and the type of a hook's own future ([`HookFuture`]).
//!
//! A hook's future runs as a *task* owned by the module
//! instance: the SDK polls it inside the notification that started it, and
//! again inside each `OnAsyncCompletion` for the request. In between the
//! request is `RQ_NOTIFICATION_PENDING` and no IIS thread is held; a waker
//! (from any thread, any runtime) posts a completion to resume it, and an
//! asynchronous I/O operation resumes it when IIS completes it.
//!
//! The future borrows the module instance and a context made for the task;
//! both outlive it, as the task is dropped before the instance (at the
//! latest in `Dispose`) and nothing else touches the instance while the
//! request is pending.

mod io;
mod waker;

use io::Busy;
pub use io::{ExecuteChild, FlushResponse, ReadBody, WriteBody};
pub(crate) use io::{Io, release as release_child};
pub(crate) use waker::Shared;

use crate::request::{Flow, Pending};
use crate::{Error, HttpContext, Result};
use core::future::Future;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use waker::{ENDED, POSTED, RUNNING, RUNNING_WOKEN, WAIT_IO, WAIT_WAKE};

/// The future of an `async fn` hook, as `#[http_module]` boxes it.
pub type HookFuture<'a> = Pin<Box<dyn Future<Output = Result<Flow>> + Send + 'a>>;

/// What a hook's `async fn` body is turned into by `#[http_module]`.
pub type AsyncHook<T> = for<'a> fn(&'a mut T, &'a mut HttpContext) -> HookFuture<'a>;

/// Where a module instance keeps its task (if an `async fn` hook is
/// running); lent to the hooks of one dispatch through their context.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Owner {
    /// The module the hook was called on (to check `start`'s caller).
    pub(crate) module: *const (),
    pub(crate) slot: NonNull<Option<NonNull<Task>>>,
}

/// How many times a future woken while it is polled is polled again at
/// once before the SDK goes through IIS (`PostCompletion`) instead.
const REPOLLS: u32 = 16;

/// A running `async fn` hook.
pub(crate) struct Task {
    shared: Arc<Shared>,
    /// The context the future borrows (it lives here, not on a stack).
    cx: HttpContext,
    /// The buffers of the future's I/O, reached through `cx`.
    io: Io,
    /// `'static` stands for "until this task is dropped".
    future: Option<HookFuture<'static>>,
    /// What the future gave, held while an I/O operation it left in
    /// flight completes (IIS must not see the request move on before).
    outcome: Option<Outcome>,
    /// The hook, for reports.
    pub(crate) hook: &'static str,
}

/// How a task ended.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// The future returned.
    Done(Result<Flow>),
    /// The client disconnected; the future was dropped.
    Cancelled,
    /// The future waits on nothing that can wake it.
    Lost,
}

/// What one step of a task came to.
#[derive(Debug)]
pub(crate) enum Step {
    /// The request stays pending.
    Pending,
    /// The task is over (its future dropped).
    Ended(Outcome),
}

/// Starts an `async fn` hook: polls its future once; if it is not done,
/// the request goes pending and the task lives in the module instance.
///
/// `module` must be the instance the hook was called on and `cx` the
/// hook's context, which is checked: the future may borrow both for as
/// long as the task runs.
///
/// # Errors
/// [`Error::Module`] if called outside a request hook's dispatch, on
/// another module value, or while a task is already running; whatever the
/// future returns.
pub(crate) fn start<T: Send + 'static>(
    module: &mut T,
    cx: &mut HttpContext,
    hook: AsyncHook<T>,
    name: &'static str,
) -> Result<Flow> {
    let Some(owner) = cx.owner() else {
        return Err(Error::msg(
            "an async hook can start only from the hook IIS called (not inside another async hook)",
        ));
    };
    let module: *mut T = module;
    if !core::ptr::eq(module.cast_const().cast::<()>(), owner.module) {
        return Err(Error::msg(
            "an async hook must run on the module instance IIS called",
        ));
    }
    let slot = owner.slot.as_ptr();
    // SAFETY: the slot lives in the module instance, which outlives the
    // dispatch; only the dispatching thread touches it.
    if unsafe { (*slot).is_some() } {
        return Err(Error::msg(
            "an async hook is already running for this request",
        ));
    }
    let shared = Arc::new(Shared::new(cx.raw()));
    let task = Box::into_raw(Box::new(Task {
        io: Io::new(Arc::clone(&shared)),
        shared,
        cx: cx.for_task(),
        future: None,
        outcome: None,
        hook: name,
    }));
    // SAFETY: `task` is fresh and ours. The future borrows the module and
    // the task's context for an unbounded lifetime: both outlive the future,
    // which is dropped before the task is freed and before the instance is
    // (`end`, `Dispose`); while it lives, neither is reached any other way
    // (the dispatch reaches the instance field by field and skips the
    // module; the task's fields are reached one by one). The context gets
    // the task's `Io`, which lives as long as the task.
    let future = unsafe {
        (*task).cx.set_io(Some(NonNull::from(&mut (*task).io)));
        let future: HookFuture<'_> = hook(&mut *module, &mut (*task).cx);
        core::mem::transmute::<HookFuture<'_>, HookFuture<'static>>(future)
    };
    // SAFETY: as above; no reference to the task is live.
    unsafe { (*task).future = Some(future) };
    // SAFETY: `task` came from `Box::into_raw` above.
    let task = unsafe { NonNull::new_unchecked(task) };
    // SAFETY: a live task, polled inside the notification.
    match unsafe { step(task) } {
        Step::Pending => {
            // SAFETY: as above; the slot is the instance's.
            unsafe { *slot = Some(task) };
            // The client's disconnect cancels the task. (Checked after the
            // first poll: most hooks never get here.)
            // SAFETY: live task; `shared` is never mutated.
            let shared = unsafe { Arc::clone(&(*task.as_ptr()).shared) };
            let watcher: Arc<dyn crate::request::connection_slot::Watch> = shared;
            if let Err(error) = cx.watch_disconnect(Arc::downgrade(&watcher)) {
                crate::panic::report!(
                    "iis-module: {name}: cannot watch for the client's disconnect: {error}"
                );
            }
            Ok(Flow::Pending(Pending::task()))
        }
        Step::Ended(outcome) => {
            // SAFETY: the future is gone; nothing borrows the task.
            let _ = unsafe { end(task) };
            outcome.into_result(name)
        }
    }
}

impl Outcome {
    /// The outcome as a hook's result.
    pub(crate) fn into_result(self, hook: &str) -> Result<Flow> {
        match self {
            Outcome::Done(result) => result,
            Outcome::Cancelled => Err(Error::msg(format!(
                "{hook}: the client disconnected; the hook's future was dropped"
            ))),
            Outcome::Lost => Err(Error::msg(format!(
                "{hook}: the hook's future is pending on nothing that can wake it \
                 (every Waker it was given was dropped)"
            ))),
        }
    }
}

/// Polls a task inside a notification (its start, or `OnAsyncCompletion`).
///
/// # Safety
/// `task` is live and no reference to it or its fields is held; the
/// caller is inside a notification of the task's request.
pub(crate) unsafe fn step(task: NonNull<Task>) -> Step {
    let task = task.as_ptr();
    // SAFETY: live task (the contract); `shared` is never mutated.
    let shared = unsafe { Arc::clone(&(*task).shared) };
    let mut repolls = 0;
    loop {
        shared.state.store(RUNNING, Ordering::Release);
        // SAFETY: live task; its fields are reached one by one, and only
        // the future's borrows reach its context and I/O state.
        unsafe { (*task).io.take_routed() };
        // SAFETY: as above.
        let outcome = unsafe { (*task).outcome.take() };
        if let Some(outcome) = outcome {
            // Over, but IIS may not see the request move on while it still
            // owes a completion.
            // SAFETY: as above.
            let busy = unsafe { (*task).io.busy() };
            if busy == Busy::Idle {
                shared.state.store(ENDED, Ordering::Release);
                return Step::Ended(outcome);
            }
            // SAFETY: as above.
            unsafe { (*task).outcome = Some(outcome) };
            if busy == Busy::Notification {
                shared.state.store(WAIT_IO, Ordering::Release);
                return Step::Pending;
            }
            // A routine wakes the task; one that already did while it ran
            // is taken in by going round again.
            if shared
                .state
                .compare_exchange(RUNNING, WAIT_WAKE, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                return Step::Pending;
            }
            continue;
        }
        let ended = if shared.is_cancelled() {
            Some(Outcome::Cancelled)
        } else {
            // SAFETY: as above: the future field alone, for the poll.
            unsafe { poll(task, &shared) }
        };
        if let Some(outcome) = ended {
            // SAFETY: as above.
            unsafe { drop_future(task, outcome) };
            continue; // ends now, or once the I/O in flight completes
        }
        // SAFETY: as above.
        let busy = unsafe { (*task).io.busy() };
        if busy == Busy::Notification {
            shared.state.store(WAIT_IO, Ordering::Release);
            return Step::Pending;
        }
        match shared
            .state
            .compare_exchange(RUNNING, WAIT_WAKE, Ordering::AcqRel, Ordering::Acquire)
        {
            // A full-duplex operation's routine wakes the task too.
            Ok(_) if busy == Busy::Routines || shared.has_wakers() => return Step::Pending,
            Ok(_) => {
                // Nothing can wake the future: it is lost, unless its last
                // waker dropped just now and posted (then that post polls it
                // again, and the poll after it decides).
                if shared
                    .state
                    .compare_exchange(WAIT_WAKE, RUNNING, Ordering::AcqRel, Ordering::Acquire)
                    .is_err()
                {
                    return Step::Pending;
                }
                // SAFETY: as above.
                unsafe { drop_future(task, Outcome::Lost) };
            }
            Err(RUNNING_WOKEN) if repolls < REPOLLS => repolls += 1,
            Err(_) => {
                // Woken during each poll: let IIS schedule the next one.
                shared.state.store(POSTED, Ordering::Release);
                let hresult = shared.post();
                if hresult.is_ok() {
                    return Step::Pending;
                }
                let error = Error::Server {
                    operation: "IHttpContext::PostCompletion",
                    hresult,
                };
                // SAFETY: as above.
                unsafe { drop_future(task, Outcome::Done(Err(error))) };
            }
        }
    }
}

/// Polls the future once: its outcome if it is over.
///
/// # Safety
/// As [`step`]; `task` is live and nothing borrows its future.
unsafe fn poll(task: *mut Task, shared: &Arc<Shared>) -> Option<Outcome> {
    // SAFETY: the contract; the future reaches the context and the I/O
    // state through its own borrows, not through this one.
    let future = unsafe { &mut (*task).future };
    let Some(future) = future.as_mut() else {
        return Some(Outcome::Done(Err(Error::msg("the task has no future"))));
    };
    let waker = shared.waker();
    let polled = crate::panic::contain(|| future.as_mut().poll(&mut Context::from_waker(&waker)));
    drop(waker);
    match polled {
        Ok(Poll::Pending) => None,
        Ok(Poll::Ready(result)) => Some(Outcome::Done(result)),
        Err(message) => Some(Outcome::Done(Err(Error::Panic(message)))),
    }
}

/// Drops the future (ending its borrows and what it owns) and keeps the
/// outcome for the request.
///
/// # Safety
/// As [`poll`].
unsafe fn drop_future(task: *mut Task, outcome: Outcome) {
    // SAFETY: the contract.
    let dropped = crate::panic::contain(|| unsafe { (*task).future = None });
    if dropped.is_err() {
        crate::panic::report!("iis-module: an async hook's future panicked in Drop");
    }
    // SAFETY: the contract.
    unsafe { (*task).outcome = Some(outcome) };
}

/// Delivers an `OnAsyncCompletion` to a task: the I/O operation it
/// completes (if any), then a step.
///
/// # Safety
/// As [`step`].
pub(crate) unsafe fn resume(
    task: NonNull<Task>,
    status: windows_core::HRESULT,
    bytes: u32,
) -> Step {
    // SAFETY: live task, not borrowed (the contract).
    unsafe { (*task.as_ptr()).io.complete(status, bytes) };
    // SAFETY: the contract.
    unsafe { step(task) }
}

/// Frees a task whose future is gone (or drops it first, in `Dispose`),
/// giving back its context for the dispatch to finish the request with.
///
/// # Safety
/// `task` came from [`start`], is not used again, and no reference into it
/// is live.
pub(crate) unsafe fn end(task: NonNull<Task>) -> HttpContext {
    // SAFETY: the contract: ours to free.
    let task = unsafe { Box::from_raw(task.as_ptr()) };
    task.shared.state.store(ENDED, Ordering::Release);
    let Task { future, mut cx, .. } = *task;
    if crate::panic::contain(|| drop(future)).is_err() {
        crate::panic::report!("iis-module: an async hook's future panicked in Drop");
    }
    cx.set_io(None);
    cx
}
