//! The module's tokio runtime: started when IIS loads the module, drained
//! and shut down when IIS stops listening (or terminates the module), so
//! the worker process can recycle with no thread of the DLL left running.

use iis_module::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::runtime::{Handle, Runtime};

/// The runtime and the requests in flight on it.
#[derive(Debug)]
pub(crate) struct ModuleRuntime {
    runtime: Mutex<Option<Runtime>>,
    handle: Handle,
    /// Set when shutdown begins: new requests are refused.
    draining: AtomicBool,
    in_flight: AtomicUsize,
    idle: (Mutex<()>, Condvar),
}

impl ModuleRuntime {
    /// Starts the runtime (`threads` workers, or one per CPU).
    pub(crate) fn start(threads: Option<usize>) -> Result<Self> {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        if let Some(threads) = threads {
            builder.worker_threads(threads);
        }
        let runtime = builder
            .thread_name("iis-tower")
            .enable_all()
            .build()
            .map_err(|e| Error::msg(format!("iis-tower: cannot start the tokio runtime: {e}")))?;
        Ok(Self {
            handle: runtime.handle().clone(),
            runtime: Mutex::new(Some(runtime)),
            draining: AtomicBool::new(false),
            in_flight: AtomicUsize::new(0),
            idle: (Mutex::new(()), Condvar::new()),
        })
    }

    /// The runtime's handle, to spawn the services' futures on.
    pub(crate) fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Counts a request in flight; `None` once shutdown has begun.
    pub(crate) fn enter(self: &Arc<Self>) -> Option<InFlight> {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        if self.draining.load(Ordering::Acquire) {
            self.leave();
            return None;
        }
        Some(InFlight(Arc::clone(self)))
    }

    fn leave(&self) {
        if self.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            let _guard = self.idle.0.lock().unwrap_or_else(PoisonError::into_inner);
            self.idle.1.notify_all();
        }
    }

    /// Refuses new requests, waits up to `timeout` for those in flight,
    /// then shuts the runtime down (once; later calls return at once).
    pub(crate) fn shut_down(&self, timeout: Duration) {
        self.draining.store(true, Ordering::Release);
        let deadline = Instant::now() + timeout;
        let mut guard = self.idle.0.lock().unwrap_or_else(PoisonError::into_inner);
        while self.in_flight.load(Ordering::Acquire) > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                log::warn!(
                    "iis-tower: {} requests still in flight after {timeout:?}; shutting down",
                    self.in_flight.load(Ordering::Acquire)
                );
                break;
            }
            guard = self
                .idle
                .1
                .wait_timeout(guard, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        drop(guard);
        let runtime = self
            .runtime
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(runtime) = runtime {
            // On a thread of its own: shutting a runtime down blocks, which
            // tokio refuses on a thread that runs one (IIS's thread may).
            let _ =
                std::thread::spawn(move || runtime.shutdown_timeout(Duration::from_secs(5))).join();
        }
    }
}

/// A request in flight on the runtime, until dropped.
#[derive(Debug)]
pub(crate) struct InFlight(Arc<ModuleRuntime>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.leave();
    }
}

/// The global module that shuts the runtime down when IIS stops listening,
/// or at the latest when IIS terminates the module.
#[derive(Debug)]
pub(crate) struct Lifecycle {
    runtime: Arc<ModuleRuntime>,
    timeout: Duration,
}

impl Lifecycle {
    pub(crate) fn new(runtime: Arc<ModuleRuntime>, timeout: Duration) -> Self {
        Self { runtime, timeout }
    }
}

#[global_module]
impl GlobalModule for Lifecycle {
    fn on_stop_listening(&self, _: &mut StopListening) -> Result<GlobalFlow> {
        self.runtime.shut_down(self.timeout);
        Ok(GlobalFlow::Continue)
    }
}

impl Drop for Lifecycle {
    fn drop(&mut self) {
        self.runtime.shut_down(self.timeout);
    }
}
