//! The module's context on a client connection: one
//! `IHttpConnectionStoredContext` per module per connection (stored with
//! `SetConnectionModuleContext`), holding the module's own value
//! ([`HttpContext::connection_context_or_insert_with`](crate::HttpContext::connection_context_or_insert_with))
//! and whatever waits for the client to disconnect (`NotifyDisconnect`):
//! running `async fn` hooks, which are cancelled, and
//! [`ClientDisconnect`] signals.

use crate::{Error, ModuleId, Result};
use core::any::{Any, type_name};
use core::future::Future;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll, Waker};
use iis_sys::Ref;
use iis_sys::{
    HRESULT_ERROR_ALREADY_ASSIGNED, IHttpConnectionModuleContextContainer,
    IHttpConnectionStoredContext, IHttpConnectionStoredContextVtbl, IHttpStoredContext,
    IHttpStoredContextVtbl, define_member_fn,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

/// Something told when the client disconnects.
pub(crate) trait Watch: Send + Sync {
    fn disconnected(&self);
}

/// The stored object: the vtable pointer first, as IIS expects.
#[repr(C)]
pub(crate) struct ConnectionSlot {
    vtbl: *const IHttpConnectionStoredContextVtbl,
    value: OnceLock<Box<dyn Any + Send + Sync>>,
    watchers: Mutex<Vec<Weak<dyn Watch>>>,
}

// SAFETY: the vtable pointer is to a static; the rest is `Send + Sync`.
unsafe impl Send for ConnectionSlot {}
// SAFETY: as above.
unsafe impl Sync for ConnectionSlot {}

static SLOT_VTABLE: IHttpConnectionStoredContextVtbl = IHttpConnectionStoredContextVtbl {
    base: IHttpStoredContextVtbl {
        CleanupStoredContext: cleanup,
    },
    NotifyDisconnect: notify_disconnect,
};

define_member_fn! {
    unsafe fn cleanup(this: *mut IHttpStoredContext) {
        if this.is_null() {
            return;
        }
        // SAFETY: only slots made by `get_or_insert` have this vtable; IIS
        // cleans each up once, after the connection's last request.
        let slot = unsafe { Box::from_raw(this.cast::<ConnectionSlot>()) };
        if crate::panic::contain(|| drop(slot)).is_err() {
            crate::panic::report!("iis-module: a connection context panicked in Drop");
        }
    }

    unsafe fn notify_disconnect(this: *mut IHttpConnectionStoredContext) {
        // SAFETY: as above; the slot lives until its cleanup.
        let Some(slot) = (unsafe { this.cast::<ConnectionSlot>().as_ref() }) else {
            return;
        };
        let watchers = std::mem::take(&mut *slot.lock());
        for watcher in watchers.iter().filter_map(Weak::upgrade) {
            if crate::panic::contain(|| watcher.disconnected()).is_err() {
                crate::panic::report!("iis-module: a disconnect watcher panicked");
            }
        }
    }
}

impl ConnectionSlot {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Weak<dyn Watch>>> {
        self.watchers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Tells `watcher` when the client disconnects (if it is still alive).
    pub(crate) fn watch(&self, watcher: Weak<dyn Watch>) {
        let mut watchers = self.lock();
        watchers.retain(|w| w.strong_count() > 0);
        watchers.push(watcher);
    }

    /// The module's value, made by `init` on first use.
    ///
    /// # Errors
    /// [`Error::ContextType`] if a value of another type is stored.
    pub(crate) fn value<T: Send + Sync + 'static>(&self, init: impl FnOnce() -> T) -> Result<&T> {
        self.value
            .get_or_init(|| Box::new(init()))
            .downcast_ref::<T>()
            .ok_or(Error::ContextType {
                expected: type_name::<T>(),
            })
    }
}

/// This module's slot in a connection's container, stored first if the
/// module has none there yet; it lives as long as the connection, and so
/// at least as long as the container's handle.
///
/// # Errors
/// [`Error::ContextType`] if the module stored something else there
/// through the raw API; [`Error::Server`].
pub(crate) fn get_or_insert<'a>(
    container: Ref<'a, IHttpConnectionModuleContextContainer>,
    module: ModuleId,
) -> Result<&'a ConnectionSlot> {
    let found = || {
        let Some(stored) = NonNull::new(container.GetConnectionModuleContext(module.0)) else {
            return Ok(None);
        };
        // SAFETY: every stored context starts with its vtable pointer (read
        // alone: another object may be smaller than a slot).
        let vtbl = unsafe {
            stored
                .cast::<*const IHttpConnectionStoredContextVtbl>()
                .read()
        };
        if !core::ptr::eq(vtbl, &SLOT_VTABLE) {
            return Err(Error::ContextType {
                expected: "iis-module's connection context",
            });
        }
        // SAFETY: the vtable identifies a slot made below, which lives as
        // long as the connection, and so outlives `container`.
        Ok(Some(unsafe { stored.cast::<ConnectionSlot>().as_ref() }))
    };
    if let Some(slot) = found()? {
        return Ok(slot);
    }
    let fresh = Box::into_raw(Box::new(ConnectionSlot {
        vtbl: &SLOT_VTABLE,
        value: OnceLock::new(),
        watchers: Mutex::new(Vec::new()),
    }));
    // SAFETY: a valid IHttpConnectionStoredContext whose ownership passes
    // to the container on success; a module id IIS gave (`ModuleId`).
    let hr = unsafe { container.SetConnectionModuleContext(fresh.cast(), module.0) };
    if hr.is_err() {
        // SAFETY: refused, so still ours.
        drop(unsafe { Box::from_raw(fresh) });
        if hr != HRESULT_ERROR_ALREADY_ASSIGNED {
            return Err(Error::Server {
                operation: "IHttpConnectionModuleContextContainer::SetConnectionModuleContext",
                hresult: hr,
            });
        }
    }
    found()?.ok_or(Error::NullPointer {
        operation: "IHttpConnectionModuleContextContainer::GetConnectionModuleContext",
    })
}

/// Resolves when the client of a request disconnects (IIS's
/// `IHttpConnectionStoredContext::NotifyDisconnect`), from
/// [`HttpContext::client_disconnect`](crate::HttpContext::client_disconnect).
///
/// Await it (a `select!` beside slow work stops that work when nobody is
/// left to answer), or ask [`is_disconnected`](Self::is_disconnected) from
/// any thread. An `async fn` hook needs none of this to be cancelled: the
/// SDK drops its future when the client goes.
#[derive(Debug, Clone)]
pub struct ClientDisconnect {
    signal: Arc<Signal>,
}

#[derive(Debug, Default)]
struct Signal {
    gone: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl Watch for Signal {
    fn disconnected(&self) {
        self.gone.store(true, Ordering::Release);
        let waker = self
            .waker
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl ClientDisconnect {
    /// A signal watched through `slot`, already set if the client is gone.
    pub(crate) fn new(slot: &ConnectionSlot, connected: bool) -> Self {
        let signal = Arc::new(Signal::default());
        if connected {
            let watcher: Arc<dyn Watch> = signal.clone();
            slot.watch(Arc::downgrade(&watcher));
        } else {
            signal.gone.store(true, Ordering::Release);
        }
        Self { signal }
    }

    /// Whether the client has disconnected.
    pub fn is_disconnected(&self) -> bool {
        self.signal.gone.load(Ordering::Acquire)
    }
}

impl Future for ClientDisconnect {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.is_disconnected() {
            return Poll::Ready(());
        }
        *self
            .signal
            .waker
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(cx.waker().clone());
        // Set between the check and the store: its waker was not there yet.
        if self.is_disconnected() {
            return Poll::Ready(());
        }
        Poll::Pending
    }
}
