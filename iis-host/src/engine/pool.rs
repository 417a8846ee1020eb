//! The worker pool: where notifications run, as on IIS's thread pool.
//!
//! A request is a future: its stages run inside `poll` on a pool thread, and
//! a module that returns `RQ_NOTIFICATION_PENDING` makes it return
//! `Pending`, so a parked request holds no thread. `IndicateCompletion`,
//! `PostCompletion` and the completion of an asynchronous read or write wake
//! it ([`RequestCore::wake`](crate::state::RequestCore::wake)); the pool resumes it
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
use std::task::{Context, Poll, Waker};

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

/// The output of a future that never waits (a notification raised inside a
/// module's call, which cannot pend); `None` if it would have waited.
pub(crate) fn now<F: Future>(future: F) -> Option<F::Output> {
    let mut cx = Context::from_waker(Waker::noop());
    match pin!(future).poll(&mut cx) {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    }
}
