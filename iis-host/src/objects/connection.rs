//! `IHttpConnection` and the state that outlives one request on a
//! keep-alive connection: connection-lifetime memory and the connection's
//! module contexts.
//!
//! Over TCP ([`Host::serve`](crate::Host::serve)) a connection is identified
//! by its client and server addresses and ends when a response ends it
//! (`Closed`/`Reset`), when the client goes away (while idle, or while a
//! request runs: the connection layer tells the host at once), or when the
//! host shuts down; then `NotifyDisconnect` and `CleanupStoredContext` are
//! called on its contexts and its memory is freed once no request uses it. An in-process [`Host::run`](crate::Host::run) is one request on a
//! fresh connection.

use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use iis_sys::{
    BOOL, IHttpConnection, IHttpConnectionModuleContextContainer, IHttpConnectionVtbl,
    define_member_fn,
};

use crate::ffi::{FALSE, lock};
use crate::objects::containers::connection_container;
use crate::objects::with_owner;
use crate::state::RequestCore;
use crate::state::object_data::{ConnectionShared, Pool};

impl ConnectionShared {
    /// A new connection.
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(ConnectionShared {
            container: connection_container(),
            memory: Pool::default(),
            connected: AtomicBool::new(true),
            in_use: AtomicUsize::new(0),
            last_used: Mutex::new(Instant::now()),
            spare: Mutex::default(),
        })
    }

    /// A request starts on the connection.
    pub(crate) fn begin_request(&self) {
        self.in_use.fetch_add(1, Ordering::SeqCst);
    }

    /// A request on the connection ended.
    pub(crate) fn end_request(&self) {
        *lock(&self.last_used) = Instant::now();
        self.in_use.fetch_sub(1, Ordering::SeqCst);
    }

    /// Whether the connection has certainly been closed by the connection
    /// layer: idle for longer than its idle timeout.
    pub(crate) fn is_stale(&self, idle_timeout: Duration) -> bool {
        !idle_timeout.is_zero()
            && self.in_use.load(Ordering::SeqCst) == 0
            && lock(&self.last_used).elapsed() > idle_timeout
    }

    /// Whether the connection is still open.
    pub(crate) fn is_connected(&self) -> bool {
        self.connected.load(Ordering::SeqCst)
    }

    /// Ends the connection: `NotifyDisconnect` and `CleanupStoredContext` on
    /// its contexts, once. Its memory is freed when the last request using
    /// it is gone.
    pub(crate) fn end(&self) {
        if self.connected.swap(false, Ordering::SeqCst) {
            self.container.data.notify_disconnect();
            self.container.data.cleanup();
        }
    }
}

define_member_fn! {
    /// `IsConnected`: false once the response reset the connection or the
    /// client went away.
    unsafe fn is_connected(this: *mut IHttpConnection) -> BOOL {
        with_owner!(this, FALSE, |core: RequestCore| {
            let open = core.with_state(|s| !s.resp.reset && !s.out.broken);
            (open && core.connection.is_connected()).into()
        })
    }

    /// `AllocateMemory`: connection-lifetime memory.
    unsafe fn allocate_memory(this: *mut IHttpConnection, size: u32) -> *mut c_void {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| core.connection.memory.allocate(size))
    }

    /// `GetModuleContextContainer`.
    unsafe fn container(this: *mut IHttpConnection) -> *mut IHttpConnectionModuleContextContainer {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| core.connection.container.iface())
    }
}

/// `IHttpConnection`.
pub(crate) static CONNECTION_VTBL: IHttpConnectionVtbl = IHttpConnectionVtbl {
    IsConnected: is_connected,
    AllocateMemory: allocate_memory,
    GetModuleContextContainer: container,
};
