//! Typed module context storage (`IHttpStoredContext` in an
//! `IHttpModuleContextContainer`): one value per module per request,
//! connection, site or application, dropped exactly once when IIS calls
//! `CleanupStoredContext`.

use crate::{Error, Result};
use core::any::{TypeId, type_name};
use core::ptr::NonNull;
use iis_sys::Ref;
use iis_sys::{
    HRESULT_ERROR_ALREADY_ASSIGNED, HTTP_MODULE_ID, IHttpModuleContextContainer,
    IHttpStoredContext, IHttpStoredContextVtbl, define_member_fn,
};

/// The header every stored value starts with: the C++ object (vtable
/// pointer) and what the SDK needs to recognise and drop it.
#[repr(C)]
struct Header {
    vtbl: *const IHttpStoredContextVtbl,
    type_id: TypeId,
    drop: unsafe fn(NonNull<Header>),
}

#[repr(C)]
struct Stored<T> {
    header: Header,
    value: T,
}

/// One vtable for every stored type, so the SDK can tell its own objects
/// from anything else in a container by address.
static STORED_VTABLE: IHttpStoredContextVtbl = IHttpStoredContextVtbl {
    CleanupStoredContext: cleanup,
};

define_member_fn! {
    unsafe fn cleanup(this: *mut IHttpStoredContext) {
        let Some(header) = NonNull::new(this.cast::<Header>()) else {
            return;
        };
        // SAFETY: only objects made by `store` have this vtable; IIS calls
        // cleanup exactly once. A panicking Drop must not unwind into IIS.
        let outcome = crate::panic::contain(|| unsafe { (header.as_ref().drop)(header) });
        if outcome.is_err() {
            crate::panic::report!("iis-module: a stored module context panicked in Drop");
        }
    }
}

/// # Safety
/// `header` starts a `Stored<T>` made by `store`, never used again after.
unsafe fn drop_stored<T>(header: NonNull<Header>) {
    // SAFETY: made by `Box::new(Stored<T>)` in `store`, freed exactly once.
    drop(unsafe { Box::from_raw(header.cast::<Stored<T>>().as_ptr()) });
}

/// The value of type `T` this module stored in `container`, if any.
///
/// # Safety
/// `container` is live; the returned pointer is valid until the container
/// cleans up (end of its request/connection/application).
pub(crate) unsafe fn get<T: 'static>(
    container: NonNull<IHttpModuleContextContainer>,
    module: HTTP_MODULE_ID,
) -> Result<Option<NonNull<T>>> {
    // SAFETY: live container per the contract; this module's id.
    let stored = unsafe { Ref::from_non_null(container).GetModuleContext(module) };
    let Some(stored) = NonNull::new(stored) else {
        return Ok(None);
    };
    let header = stored.cast::<Header>();
    // SAFETY: every IHttpStoredContext begins with its vtable pointer.
    let vtbl = unsafe { header.as_ref().vtbl };
    let mismatch = Err(Error::ContextType {
        expected: type_name::<T>(),
    });
    if !core::ptr::eq(vtbl, &STORED_VTABLE) {
        return mismatch;
    }
    // SAFETY: the vtable identifies a `Header` made by `store`.
    if unsafe { header.as_ref().type_id } != TypeId::of::<T>() {
        return mismatch;
    }
    // SAFETY: same type, so the object is a `Stored<T>`.
    let value = unsafe { &raw mut (*header.cast::<Stored<T>>().as_ptr()).value };
    Ok(NonNull::new(value))
}

/// The value of type `T` this module stored in `container`, stored first
/// from `init()` if the module has none there yet (if another value gets in
/// first, `init()`'s is dropped and that one is returned).
///
/// # Safety
/// `container` is live, and neither it nor the values it stores are
/// cleaned up before `'a` ends (the end of the request, connection,
/// application or dispensed container that owns it). `T: Sync` is what lets
/// the returned `&T` be shared with the other requests that reach the same
/// container.
///
/// # Errors
/// [`Error::ContextType`] if a value of another type is stored;
/// [`Error::Server`]; [`Error::NullPointer`] if IIS does not return what it
/// stored.
pub(crate) unsafe fn get_or_insert_with<'a, T: Send + Sync + 'static>(
    container: NonNull<IHttpModuleContextContainer>,
    module: HTTP_MODULE_ID,
    init: impl FnOnce() -> T,
) -> Result<&'a T> {
    // SAFETY: live container, per the contract.
    if let Some(value) = unsafe { get::<T>(container, module)? } {
        // SAFETY: the stored value lives for `'a`, per the contract.
        return Ok(unsafe { value.as_ref() });
    }
    // SAFETY: live container, per the contract.
    unsafe { store(container, module, init())? };
    // SAFETY: as above.
    let value = unsafe { get::<T>(container, module)? }.ok_or(Error::NullPointer {
        operation: "IHttpModuleContextContainer::GetModuleContext",
    })?;
    // SAFETY: the stored value lives for `'a`, per the contract.
    Ok(unsafe { value.as_ref() })
}

/// Stores `value` for this module in `container`; if the module already
/// has one there, `value` is dropped and the existing one is kept.
///
/// # Safety
/// `container` is live.
pub(crate) unsafe fn store<T: 'static>(
    container: NonNull<IHttpModuleContextContainer>,
    module: HTTP_MODULE_ID,
    value: T,
) -> Result<bool> {
    let boxed = Box::into_raw(Box::new(Stored {
        header: Header {
            vtbl: &STORED_VTABLE,
            type_id: TypeId::of::<T>(),
            drop: drop_stored::<T>,
        },
        value,
    }));
    // SAFETY: live container; the object is a valid IHttpStoredContext
    // whose ownership passes to the container on success.
    let hr = unsafe { Ref::from_non_null(container).SetModuleContext(boxed.cast(), module) };
    if hr.is_ok() {
        return Ok(true);
    }
    // SAFETY: the container refused it, so we still own the box.
    drop(unsafe { Box::from_raw(boxed) });
    // The module already has a context in this container.
    if hr == HRESULT_ERROR_ALREADY_ASSIGNED {
        Ok(false)
    } else {
        Err(Error::Server {
            operation: "IHttpModuleContextContainer::SetModuleContext",
            hresult: hr,
        })
    }
}
