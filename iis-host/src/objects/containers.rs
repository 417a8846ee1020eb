//! Module context storage: `IHttpModuleContextContainer` (request, site,
//! application, URL, metadata), `IHttpConnectionModuleContextContainer`,
//! `IDispensedHttpModuleContextContainer` (`IHttpServer::DispenseContainer`)
//! and `INamedContextContainer` (`IHttpContext3::GetNamedContextContainer`).
//!
//! Contexts are keyed by `HTTP_MODULE_ID` (or by name); a container calls
//! `CleanupStoredContext` on each stored context exactly once, when the
//! request, connection, application or site ends, or when a dispensed
//! container is released.

use std::sync::atomic::{AtomicUsize, Ordering};

use iis_sys::{
    HRESULT, HTTP_MODULE_ID, IDispensedHttpModuleContextContainer,
    IDispensedHttpModuleContextContainerVtbl, IHttpConnectionModuleContextContainer,
    IHttpConnectionModuleContextContainerVtbl, IHttpConnectionStoredContext,
    IHttpModuleContextContainer, IHttpModuleContextContainerVtbl, IHttpStoredContext,
    INamedContextContainer, INamedContextContainerVtbl, PCWSTR, define_member_fn,
};

use crate::ffi::{E_INVALIDARG, E_POINTER, HRESULT_ERROR_ALREADY_ASSIGNED, S_OK, lock, wstr};
use crate::objects::{Foreign, Obj, with_data};
use crate::state::object_data::{ContainerData, Entry, NamedData};

/// How many dispensed containers are not yet released (host-wide).
pub(crate) static DISPENSED_LIVE: AtomicUsize = AtomicUsize::new(0);

impl ContainerData {
    fn get(&self, id: HTTP_MODULE_ID) -> *mut IHttpStoredContext {
        lock(&self.entries)
            .iter()
            .find(|e| e.id == id)
            .map_or(std::ptr::null_mut(), |e| e.context.0)
    }

    fn set(
        &self,
        context: *mut IHttpStoredContext,
        id: HTTP_MODULE_ID,
        connection: bool,
    ) -> HRESULT {
        if context.is_null() || id.is_null() {
            return E_INVALIDARG;
        }
        let mut entries = lock(&self.entries);
        if entries.iter().any(|e| e.id == id) {
            return HRESULT_ERROR_ALREADY_ASSIGNED;
        }
        entries.push(Entry {
            id,
            context: Foreign(context),
            connection,
        });
        S_OK
    }

    /// Calls `NotifyDisconnect` on every context stored with
    /// `SetConnectionModuleContext` (the client went away).
    pub(crate) fn notify_disconnect(&self) {
        let connection: Vec<Entry> = lock(&self.entries)
            .iter()
            .filter(|e| e.connection)
            .copied()
            .collect();
        for entry in connection {
            let context = entry.context.0.cast::<IHttpConnectionStoredContext>();
            // SAFETY: the module stored a live `IHttpConnectionStoredContext`
            // and keeps it alive until `CleanupStoredContext`, not yet called.
            unsafe { ((*(*context).lpVtbl).NotifyDisconnect)(context) };
        }
    }

    /// Calls `CleanupStoredContext` once on every stored context and forgets
    /// them (a second call finds none).
    pub(crate) fn cleanup(&self) {
        let entries = std::mem::take(&mut *lock(&self.entries));
        for entry in entries {
            let context = entry.context.0;
            // SAFETY: the module stored a live context and keeps it alive
            // until this call, which happens once since the entry is gone.
            unsafe { ((*(*context).lpVtbl).CleanupStoredContext)(context) };
        }
    }
}

define_member_fn! {
    /// `GetModuleContext`.
    unsafe fn get_module_context(this: *mut IHttpModuleContextContainer, id: HTTP_MODULE_ID) -> *mut IHttpStoredContext {
        with_data!(this, std::ptr::null_mut(), |data: ContainerData| data.get(id))
    }

    /// `SetModuleContext`.
    unsafe fn set_module_context(this: *mut IHttpModuleContextContainer, context: *mut IHttpStoredContext, id: HTTP_MODULE_ID) -> HRESULT {
        with_data!(this, E_POINTER, |data: ContainerData| data.set(context, id, false))
    }

    /// `IHttpConnectionModuleContextContainer::GetConnectionModuleContext`.
    unsafe fn get_connection_context(this: *mut IHttpConnectionModuleContextContainer, id: HTTP_MODULE_ID) -> *mut IHttpConnectionStoredContext {
        with_data!(this, std::ptr::null_mut(), |data: ContainerData| data.get(id).cast())
    }

    /// `IHttpConnectionModuleContextContainer::SetConnectionModuleContext`.
    unsafe fn set_connection_context(this: *mut IHttpConnectionModuleContextContainer, context: *mut IHttpConnectionStoredContext, id: HTTP_MODULE_ID) -> HRESULT {
        with_data!(this, E_POINTER, |data: ContainerData| data.set(context.cast(), id, true))
    }

    /// `IDispensedHttpModuleContextContainer::ReleaseContainer`: cleans up
    /// the stored contexts and frees the container.
    unsafe fn release_container(this: *mut IDispensedHttpModuleContextContainer) {
        if this.is_null() {
            return;
        }
        crate::ffi::guard((), || {
            // SAFETY: `this` is a container from `dispense`, released once by
            // the module's contract; it was leaked from a `Box` there.
            let boxed = unsafe { Box::from_raw(this.cast::<Obj<ContainerData>>()) };
            boxed.data.cleanup();
            DISPENSED_LIVE.fetch_sub(1, Ordering::SeqCst);
        })
    }
}

/// `IHttpModuleContextContainer` of requests, sites, applications, URLs and metadata.
pub(crate) static CONTAINER_VTBL: IHttpModuleContextContainerVtbl =
    IHttpModuleContextContainerVtbl {
        GetModuleContext: get_module_context,
        SetModuleContext: set_module_context,
    };

/// `IHttpConnectionModuleContextContainer`.
pub(crate) static CONNECTION_CONTAINER_VTBL: IHttpConnectionModuleContextContainerVtbl =
    IHttpConnectionModuleContextContainerVtbl {
        base: IHttpModuleContextContainerVtbl {
            GetModuleContext: get_module_context,
            SetModuleContext: set_module_context,
        },
        GetConnectionModuleContext: get_connection_context,
        SetConnectionModuleContext: set_connection_context,
    };

/// `IDispensedHttpModuleContextContainer`.
static DISPENSED_VTBL: IDispensedHttpModuleContextContainerVtbl =
    IDispensedHttpModuleContextContainerVtbl {
        base: IHttpModuleContextContainerVtbl {
            GetModuleContext: get_module_context,
            SetModuleContext: set_module_context,
        },
        ReleaseContainer: release_container,
    };

/// A plain container object.
pub(crate) fn container() -> Obj<ContainerData> {
    Obj::new(&CONTAINER_VTBL, ContainerData::default())
}

/// A connection container object.
pub(crate) fn connection_container() -> Obj<ContainerData> {
    Obj::new(&CONNECTION_CONTAINER_VTBL, ContainerData::default())
}

/// `IHttpServer::DispenseContainer`: a new container the module owns until
/// it calls `ReleaseContainer`.
pub(crate) fn dispense() -> *mut IDispensedHttpModuleContextContainer {
    DISPENSED_LIVE.fetch_add(1, Ordering::SeqCst);
    let boxed = Box::new(Obj::new(&DISPENSED_VTBL, ContainerData::default()));
    Box::into_raw(boxed).cast()
}

impl NamedData {
    /// Calls `CleanupStoredContext` once on every stored context.
    pub(crate) fn cleanup(&self) {
        let entries = std::mem::take(&mut *lock(&self.entries));
        for (_, context) in entries {
            // SAFETY: as in `ContainerData::cleanup`.
            unsafe { ((*(*context.0).lpVtbl).CleanupStoredContext)(context.0) };
        }
    }
}

define_member_fn! {
    /// `INamedContextContainer::GetNamedContext`.
    unsafe fn get_named_context(this: *mut INamedContextContainer, name: PCWSTR) -> *mut IHttpStoredContext {
        with_data!(this, std::ptr::null_mut(), |data: NamedData| {
            // SAFETY: a module passes a NUL-terminated name or null.
            let Some(name) = (unsafe { wstr(name) }) else { return std::ptr::null_mut() };
            lock(&data.entries)
                .iter()
                .find(|(n, _)| n == name)
                .map_or(std::ptr::null_mut(), |(_, c)| c.0)
        })
    }

    /// `INamedContextContainer::SetNamedContext`.
    unsafe fn set_named_context(this: *mut INamedContextContainer, context: *mut IHttpStoredContext, name: PCWSTR) -> HRESULT {
        with_data!(this, E_POINTER, |data: NamedData| {
            // SAFETY: a module passes a NUL-terminated name or null.
            let Some(name) = (unsafe { wstr(name) }) else { return E_INVALIDARG };
            if context.is_null() {
                return E_INVALIDARG;
            }
            let mut entries = lock(&data.entries);
            if entries.iter().any(|(n, _)| n == name) {
                return HRESULT_ERROR_ALREADY_ASSIGNED;
            }
            entries.push((name.to_vec(), Foreign(context)));
            S_OK
        })
    }
}

/// `INamedContextContainer`.
pub(crate) static NAMED_VTBL: INamedContextContainerVtbl = INamedContextContainerVtbl {
    GetNamedContext: get_named_context,
    SetNamedContext: set_named_context,
};
