//! The state a server shares with its connection tasks: configuration, handler,
//! the shutdown signal, and the count of open connections.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::{Handler, ServerConfig};

/// What a server and its connection tasks share.
pub(crate) struct Shared {
    pub(crate) config: ServerConfig,
    pub(crate) handler: Arc<dyn Handler>,
    pub(crate) shutting_down: AtomicBool,
    /// Turns `true` when the shutdown starts: it ends the accept loop and
    /// every wait for a request.
    shutdown: watch::Sender<bool>,
    registry: Mutex<Registry>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct Registry {
    active: usize,
    next_id: u64,
}

impl Shared {
    pub(crate) fn new(config: ServerConfig, handler: Arc<dyn Handler>) -> Self {
        Shared {
            config,
            handler,
            shutting_down: AtomicBool::new(false),
            shutdown: watch::Sender::new(false),
            registry: Mutex::new(Registry::default()),
            changed: Condvar::new(),
        }
    }

    fn registry(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }

    /// Resolves once the shutdown has started.
    pub(crate) async fn shutdown_started(&self) {
        let mut started = self.shutdown.subscribe();
        // The sender lives as long as `self`, so this only ends at `true`.
        let _ = started.wait_for(|&started| started).await;
    }

    /// Counts a new connection and returns its id, or `None` at `max_connections`.
    pub(crate) fn try_admit(&self) -> Option<u64> {
        let mut registry = self.registry();
        if registry.active >= self.config.max_connections {
            return None;
        }
        registry.active += 1;
        registry.next_id += 1;
        Some(registry.next_id)
    }

    /// Forgets a connection that ended.
    pub(crate) fn release(&self) {
        self.registry().active -= 1;
        self.changed.notify_all();
    }

    /// The number of open connections.
    pub(crate) fn active(&self) -> usize {
        self.registry().active
    }

    /// Waits until no connection is open, at most `timeout` (forever if `None`).
    /// Returns whether none is.
    pub(crate) fn wait_idle(&self, timeout: Option<Duration>) -> bool {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut registry = self.registry();
        while registry.active > 0 {
            registry = match deadline {
                None => self
                    .changed
                    .wait(registry)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return false;
                    }
                    self.changed
                        .wait_timeout(registry, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
        }
        true
    }

    /// Starts the shutdown: no new connection is served, connections waiting for or
    /// reading a request are closed, and the accept loop ends.
    pub(crate) fn begin_shutdown(&self) {
        if self.shutting_down.swap(true, Ordering::SeqCst) {
            return;
        }
        self.shutdown.send_replace(true);
        self.changed.notify_all();
    }
}

/// Starts a server's shutdown from any thread (e.g. a Ctrl-C handler).
///
/// Cheap to clone. Shutting down stops accepting connections, closes the idle ones and
/// those still receiving a request, and lets each request whose handler is running
/// finish (its response then carries `Connection: close` when not yet sent).
#[derive(Clone)]
pub struct ShutdownTrigger {
    pub(crate) shared: Arc<Shared>,
}

impl ShutdownTrigger {
    /// Starts the shutdown and returns at once (it does not wait for connections).
    /// Calling it again does nothing.
    pub fn shutdown(&self) {
        self.shared.begin_shutdown();
    }

    /// Whether the shutdown has started.
    pub fn is_shutting_down(&self) -> bool {
        self.shared.is_shutting_down()
    }
}

impl fmt::Debug for ShutdownTrigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShutdownTrigger")
            .field("shutting_down", &self.is_shutting_down())
            .finish()
    }
}
