//! The state a server shares with its connection threads: configuration, handler,
//! the shutdown flag, and the registry of open connections that shutdown wakes.

use std::collections::HashMap;
use std::fmt;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::{Handler, ServerConfig};

/// How long shutdown waits for its wake-up connection to the listener.
const WAKE_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// What a server and its connection threads share.
pub(crate) struct Shared {
    pub(crate) config: ServerConfig,
    pub(crate) handler: Arc<dyn Handler>,
    pub(crate) shutting_down: AtomicBool,
    registry: Mutex<Registry>,
    changed: Condvar,
    /// An address that reaches the listener, to wake a blocked `accept`.
    wake_addr: SocketAddr,
}

#[derive(Debug, Default)]
struct Registry {
    active: usize,
    next_id: u64,
    /// A duplicate of each connection's socket while it waits for or reads a request
    /// (never while its handler runs), so shutdown can end the wait.
    wakers: HashMap<u64, TcpStream>,
}

impl Shared {
    pub(crate) fn new(
        config: ServerConfig,
        handler: Arc<dyn Handler>,
        wake_addr: SocketAddr,
    ) -> Self {
        Shared {
            config,
            handler,
            shutting_down: AtomicBool::new(false),
            registry: Mutex::new(Registry::default()),
            changed: Condvar::new(),
            wake_addr,
        }
    }

    fn registry(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
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

    /// Forgets a connection whose thread ends.
    pub(crate) fn release(&self, id: u64) {
        let waker = {
            let mut registry = self.registry();
            registry.active -= 1;
            registry.wakers.remove(&id)
        };
        drop(waker);
        self.changed.notify_all();
    }

    /// Lets shutdown wake connection `id` while it waits on `stream`. Returns `false`
    /// if the server is shutting down (the connection should close).
    pub(crate) fn set_waker(&self, id: u64, stream: &TcpStream) -> bool {
        match stream.try_clone() {
            Ok(clone) => {
                self.registry().wakers.insert(id, clone);
            }
            Err(e) => log::debug!("connection {id}: no shutdown waker: {e}"),
        }
        // Checked after registering: either shutdown sees the waker or we see the flag.
        !self.is_shutting_down()
    }

    /// Drops the waker of connection `id` (its handler is about to run).
    pub(crate) fn clear_waker(&self, id: u64) {
        let waker = self.registry().wakers.remove(&id);
        drop(waker);
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
    /// reading a request are closed, and the accept loop is woken.
    pub(crate) fn begin_shutdown(&self) {
        if self.shutting_down.swap(true, Ordering::SeqCst) {
            return;
        }
        for waker in self.registry().wakers.values() {
            let _ = waker.shutdown(Shutdown::Both);
        }
        match TcpStream::connect_timeout(&self.wake_addr, WAKE_CONNECT_TIMEOUT) {
            Ok(_) => {}
            Err(e) => log::warn!("could not wake the accept loop at {}: {e}", self.wake_addr),
        }
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
