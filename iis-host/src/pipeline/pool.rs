//! The worker pool: where notifications run, as on IIS's thread pool.
//!
//! A request is a future: its stages run inside `poll` on a pool thread, and
//! a module that returns `RQ_NOTIFICATION_PENDING` makes it return
//! `Pending`, so a parked request holds no thread. `IndicateCompletion`,
//! `PostCompletion` and the completion of an asynchronous read or write wake
//! it ([`RequestCore::wake`](super::RequestCore::wake)); the pool resumes it
//! on whichever of its threads is free, which then calls the module's
//! `OnAsyncCompletion`.
//!
//! The pool is a tokio multi-thread runtime with
//! [`HostConfig::worker_threads`](crate::HostConfig::worker_threads) threads
//! named `iis-host-worker` (the only threads the engine starts; its timers
//! and, for [`Host::serve`](crate::Host::serve), its connections run on them
//! too).

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;

/// The name of the pool's threads.
pub(crate) const WORKER_NAME: &str = "iis-host-worker";

/// The pool of `threads` workers.
pub(crate) fn start(threads: usize) -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .thread_name(WORKER_NAME)
        .enable_all()
        .build()
}

/// Wakes a thread blocked in [`block_on`].
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs `future` to its end on the calling thread, which sleeps while it
/// waits (in any context, inside another runtime too).
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::thread::park();
    }
}

/// The output of a future that never waits (a notification raised inside a
/// module's call, which cannot pend); `None` if it would have waited.
pub(crate) fn now<F: Future>(future: F) -> Option<F::Output> {
    let mut cx = Context::from_waker(Waker::noop());
    match pin!(future).poll(&mut cx) {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    }
}
