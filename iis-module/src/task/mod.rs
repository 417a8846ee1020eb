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
pub(crate) use io::{Io, IoRef, release as release_child};
pub(crate) use waker::Shared;

use crate::request::{Flow, Pending};
use crate::{Error, HttpContext, Result};
use core::cell::{Cell, RefCell};
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
    /// The instance's task slot, which lives as long as the instance and
    /// is reached only by the thread dispatching to it.
    pub(crate) slot: NonNull<Cell<Option<NonNull<Task>>>>,
}

/// How many times a future woken while it is polled is polled again at
/// once before the SDK goes through IIS (`PostCompletion`) instead.
const REPOLLS: u32 = 16;

/// A running `async fn` hook: one allocation holding the task's own state
/// and what its future borrows, side by side.
///
/// Kept by its module instance's task slot as a raw pointer (never as a
/// `Box` or a reference to the whole, which would claim `lent` while the
/// future borrows it), reached by the thread IIS dispatches a notification
/// of the request to (one at a time). [`resume`] and [`end`] borrow
/// `state` alone; `lent` is reached only through the future's borrows and
/// [`IoRef`]s, until [`end`] has dropped the future.
pub(crate) struct Task {
    /// The state the SDK's polling uses: safe code behind one projection.
    /// (Declared first: were a `Task` dropped in place, its future would
    /// go before what it borrows.)
    state: State,
    lent: Lent,
}

/// What a task's future borrows: the context made for it, with the task's
/// I/O state, which the context's views reach through an [`IoRef`].
struct Lent {
    cx: HttpContext,
    io: RefCell<Io>,
}

/// A task's own state, which does not cover what its future borrows.
///
/// Its methods are safe: what they need from the caller is that it runs
/// inside a notification of the request, which holds wherever a task can
/// be reached, and an [`IoRef`] of the task's own `Io`, which only the
/// projections in [`start`] and [`resume`] make.
struct State {
    shared: Arc<Shared>,
    /// `'static` stands for "until the future is dropped, before the
    /// task's `lent` and before the module instance".
    future: Option<HookFuture<'static>>,
    /// What the future gave, held while an I/O operation it left in
    /// flight completes (IIS must not see the request move on before).
    outcome: Option<Outcome>,
    /// The hook, for reports.
    hook: &'static str,
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
    /// The task is over (its future dropped): how, and the hook's name.
    Ended(Outcome, &'static str),
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
    // SAFETY: the slot lives in the module instance, which outlives the
    // dispatch; only the dispatching thread touches it (`Owner`).
    let slot = unsafe { owner.slot.as_ref() };
    if slot.get().is_some() {
        return Err(Error::msg(
            "an async hook is already running for this request",
        ));
    }
    let shared = Arc::new(Shared::new(cx.raw()));
    // Allocated first, then written: the task is built in place.
    let task = NonNull::from(Box::leak(Box::write(
        Box::new_uninit(),
        Task {
            lent: Lent {
                io: RefCell::new(Io::new(Arc::clone(&shared))),
                cx: cx.for_task(),
            },
            state: State {
                shared,
                future: None,
                outcome: None,
                hook: name,
            },
        },
    )));
    // SAFETY: `task` is fresh and ours, and lives until `end` frees it
    // after dropping the future; the module instance outlives the task too
    // (`Dispose` ends it first). So the future may borrow both for what
    // `'static` stands for in `State::future`; while it lives, neither is
    // reached any other way (the dispatch reaches the instance field by
    // field and skips the module; the task's `lent` is reached field by
    // field here, then only through the future and `IoRef`s, which leave
    // its `io` where it is; its `state` is borrowed on its own).
    let (state, io) = unsafe {
        let task = task.as_ptr();
        let io = IoRef::new(&(*task).lent.io);
        let cx = &mut (*task).lent.cx;
        cx.set_io(Some(io));
        let future: HookFuture<'_> = hook(&mut *module, cx);
        let state = &mut (*task).state;
        state.future = Some(core::mem::transmute::<HookFuture<'_>, HookFuture<'static>>(
            future,
        ));
        (state, io)
    };
    match state.step(io) {
        Step::Pending => {
            // The client's disconnect cancels the task. (Checked after the
            // first poll: most hooks never get here.)
            let watcher: Arc<dyn crate::request::connection_slot::Watch> =
                Arc::clone(&state.shared) as _;
            slot.set(Some(task));
            if let Err(error) = cx.watch_disconnect(Arc::downgrade(&watcher)) {
                crate::panic::report!(
                    "iis-module: {name}: cannot watch for the client's disconnect: {error}"
                );
            }
            Ok(Flow::Pending(Pending::task()))
        }
        Step::Ended(outcome, _) => {
            // SAFETY: made above and never put in the slot; `state` is not
            // used again.
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

impl State {
    /// Polls the task inside a notification (its start, or
    /// `OnAsyncCompletion`); `io` is the task's own.
    fn step(&mut self, io: IoRef) -> Step {
        let shared = Arc::clone(&self.shared);
        let mut repolls = 0;
        loop {
            shared.state.store(RUNNING, Ordering::Release);
            io.with(Io::take_routed);
            if let Some(outcome) = self.outcome.take() {
                // Over, but IIS may not see the request move on while it
                // still owes a completion.
                let busy = io.with(|io| io.busy());
                if busy == Busy::Idle {
                    shared.state.store(ENDED, Ordering::Release);
                    return Step::Ended(outcome, self.hook);
                }
                self.outcome = Some(outcome);
                if busy == Busy::Notification {
                    shared.state.store(WAIT_IO, Ordering::Release);
                    return Step::Pending;
                }
                // A routine wakes the task; one that already did while it
                // ran is taken in by going round again.
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
                self.poll()
            };
            if let Some(outcome) = ended {
                self.drop_future(outcome);
                continue; // ends now, or once the I/O in flight completes
            }
            let busy = io.with(|io| io.busy());
            if busy == Busy::Notification {
                shared.state.store(WAIT_IO, Ordering::Release);
                return Step::Pending;
            }
            match shared.state.compare_exchange(
                RUNNING,
                WAIT_WAKE,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                // A full-duplex operation's routine wakes the task too.
                Ok(_) if busy == Busy::Routines || shared.has_wakers() => return Step::Pending,
                Ok(_) => {
                    // Nothing can wake the future: it is lost, unless its
                    // last waker dropped just now and posted (then that post
                    // polls it again, and the poll after it decides).
                    if shared
                        .state
                        .compare_exchange(WAIT_WAKE, RUNNING, Ordering::AcqRel, Ordering::Acquire)
                        .is_err()
                    {
                        return Step::Pending;
                    }
                    self.drop_future(Outcome::Lost);
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
                    self.drop_future(Outcome::Done(Err(error)));
                }
            }
        }
    }

    /// Polls the future once: its outcome if it is over.
    fn poll(&mut self) -> Option<Outcome> {
        let Some(future) = self.future.as_mut() else {
            return Some(Outcome::Done(Err(Error::msg("the task has no future"))));
        };
        let waker = self.shared.waker();
        let polled =
            crate::panic::contain(|| future.as_mut().poll(&mut Context::from_waker(&waker)));
        drop(waker);
        match polled {
            Ok(Poll::Pending) => None,
            Ok(Poll::Ready(result)) => Some(Outcome::Done(result)),
            Err(message) => Some(Outcome::Done(Err(Error::Panic(message)))),
        }
    }

    /// Drops the future (ending its borrows and what it owns) and keeps the
    /// outcome for the request.
    fn drop_future(&mut self, outcome: Outcome) {
        self.take_future();
        self.outcome = Some(outcome);
    }

    /// Drops the future, if it has not gone yet, containing a panic in its
    /// `Drop`.
    fn take_future(&mut self) {
        if let Some(future) = self.future.take()
            && crate::panic::contain(|| drop(future)).is_err()
        {
            crate::panic::report!("iis-module: an async hook's future panicked in Drop");
        }
    }

    /// Ends the task: marks it ended (so the wakers the future drops do
    /// not post), then drops the future, so that nothing borrows the task's
    /// `lent` any more.
    fn end(&mut self) {
        self.shared.state.store(ENDED, Ordering::Release);
        self.take_future();
    }
}

impl Drop for State {
    fn drop(&mut self) {
        if self.future.is_some() {
            self.end();
        }
    }
}

/// Delivers an `OnAsyncCompletion` to a task: the I/O operation it
/// completes (if any), then a step.
///
/// # Safety
/// `task` is the live task of the instance's slot, reached by nothing else
/// during the call; the caller is inside a notification of its request.
pub(crate) unsafe fn resume(
    task: NonNull<Task>,
    status: windows_core::HRESULT,
    bytes: u32,
) -> Step {
    let task = task.as_ptr();
    // SAFETY: the contract: live and not otherwise reached; its `state`
    // alone is borrowed mutably, its `io` (which stays where it is until
    // `end`) through an `IoRef`, as the future's borrows reach it.
    let (state, io) = unsafe { (&mut (*task).state, IoRef::new(&(*task).lent.io)) };
    io.with(|io| io.complete(status, bytes));
    state.step(io)
}

/// Frees a task (dropping its future first, if it has not gone yet),
/// giving back its context for the dispatch to finish the request with.
///
/// # Safety
/// `task` came from [`start`] (through the slot), is not used again, and
/// no reference into it is live.
pub(crate) unsafe fn end(task: NonNull<Task>) -> HttpContext {
    let task = task.as_ptr();
    // SAFETY: the contract: live, made by `Box::leak` in `start`, ours to
    // free. The future, the only borrower of `lent`, is dropped through the
    // `state` projection before the box claims the whole.
    let task = unsafe {
        (*task).state.end();
        Box::from_raw(task)
    };
    let Task {
        lent: Lent { mut cx, .. },
        ..
    } = *task;
    cx.set_io(None);
    cx
}
