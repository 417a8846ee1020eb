//! Typed module context storage (`IHttpStoredContext` in an
//! `IHttpModuleContextContainer`): one value per module per request,
//! connection, site or application, dropped exactly once when IIS calls
//! `CleanupStoredContext`.

use crate::{Error, ModuleId, Result};
use core::any::{TypeId, type_name};
use core::ptr::NonNull;
use iis_sys::Ref;
use iis_sys::{
    HRESULT_ERROR_ALREADY_ASSIGNED, IHttpModuleContextContainer, IHttpStoredContext,
    IHttpStoredContextVtbl, define_member_fn,
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

/// The value of type `T` this module stored in `container`, if any; the
/// pointer is valid until the container cleans up (the end of its
/// request, connection, application or dispensed container).
///
/// # Errors
/// [`Error::ContextType`] if a value of another type is stored.
pub(crate) fn get<T: 'static>(
    container: Ref<'_, IHttpModuleContextContainer>,
    module: ModuleId,
) -> Result<Option<NonNull<T>>> {
    let stored = container.GetModuleContext(module.0);
    let Some(stored) = NonNull::new(stored) else {
        return Ok(None);
    };
    let header = stored.cast::<Header>();
    // SAFETY: every IHttpStoredContext begins with its vtable pointer (read
    // alone: the object may be smaller than a `Header`).
    let vtbl = unsafe { stored.cast::<*const IHttpStoredContextVtbl>().read() };
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
/// first, `init()`'s is dropped and that one is returned); the pointer is
/// valid as [`get`]'s.
///
/// # Errors
/// [`Error::ContextType`] if a value of another type is stored;
/// [`Error::Server`]; [`Error::NullPointer`] if IIS does not return what it
/// stored.
pub(crate) fn get_or_insert_with<T: 'static>(
    container: Ref<'_, IHttpModuleContextContainer>,
    module: ModuleId,
    init: impl FnOnce() -> T,
) -> Result<NonNull<T>> {
    if let Some(value) = get::<T>(container, module)? {
        return Ok(value);
    }
    store(container, module, init())?;
    get::<T>(container, module)?.ok_or(Error::NullPointer {
        operation: "IHttpModuleContextContainer::GetModuleContext",
    })
}

/// Stores `value` for this module in `container`; if the module already
/// has one there, `value` is dropped and the existing one is kept.
///
/// # Errors
/// [`Error::Server`] if IIS refuses it for another reason.
pub(crate) fn store<T: 'static>(
    container: Ref<'_, IHttpModuleContextContainer>,
    module: ModuleId,
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
    // SAFETY: a valid IHttpStoredContext whose ownership passes to the
    // container on success; a module id IIS gave (`ModuleId`).
    let hr = unsafe { container.SetModuleContext(boxed.cast(), module.0) };
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
