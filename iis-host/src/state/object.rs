//! The shape of a host object ([`Obj`]: a vtable pointer, then its data)
//! and the pointer from an object to its owner ([`Back`]). The vtables
//! themselves are in `objects`.

use std::ffi::c_void;

/// A C++-compatible object the host implements: the vtable pointer at offset
/// 0, as MSVC lays out a polymorphic object, then the host's data.
#[repr(C)]
pub(crate) struct Obj<T> {
    vtbl: *const c_void,
    pub(crate) data: T,
}

// SAFETY: the vtable pointer refers to an immutable `static`; sharing or
// sending it is as safe as sharing `T`.
unsafe impl<T: Send> Send for Obj<T> {}
// SAFETY: as above.
unsafe impl<T: Sync> Sync for Obj<T> {}

impl<T> Obj<T> {
    /// An object with vtable `vtbl` (a `static` of the interface's vtable struct).
    pub(crate) const fn new<V>(vtbl: &'static V, data: T) -> Self {
        Obj {
            vtbl: (vtbl as *const V).cast(),
            data,
        }
    }

    /// The object as an interface pointer, e.g. `*mut IHttpResponse`.
    pub(crate) fn iface<I>(&self) -> *mut I {
        (self as *const Self).cast_mut().cast()
    }

    /// The data of the object behind an interface pointer.
    ///
    /// # Safety
    ///
    /// `this` is null or points at a live `Obj<T>` (the host only hands out
    /// such pointers, and a module only calls a slot through the vtable of the
    /// object it was given).
    pub(crate) unsafe fn data<'a>(this: *mut c_void) -> Option<&'a T> {
        if this.is_null() {
            return None;
        }
        // SAFETY: a live `Obj<T>` by the caller's contract.
        Some(unsafe { &(*this.cast::<Obj<T>>()).data })
    }
}

/// Whether `p` is an object whose vtable is `vtbl` (used to validate the input
/// of `IHttpServer2::GetExtendedInterface`).
///
/// # Safety
///
/// `p` is null or points at a C++ object (a readable vtable pointer at offset 0).
pub(crate) unsafe fn has_vtable(p: *mut c_void, vtbl: *const c_void) -> bool {
    if p.is_null() {
        return false;
    }
    // SAFETY: every C++ polymorphic object starts with its vtable pointer.
    let actual = unsafe { p.cast::<*const c_void>().read() };
    std::ptr::eq(actual, vtbl)
}

/// A pointer from an object to the structure that owns it, set once before
/// the object is handed out and valid as long as the object.
pub(crate) struct Back<O>(pub(crate) *const O);

// SAFETY: a `Back` is used exactly like `&O`, which is `Send` when `O: Sync`.
unsafe impl<O: Sync> Send for Back<O> {}
// SAFETY: as above: `&O` is `Sync` when `O: Sync`.
unsafe impl<O: Sync> Sync for Back<O> {}

impl<O> Back<O> {
    /// Not yet bound.
    pub(crate) const fn unbound() -> Self {
        Back(std::ptr::null())
    }
}

/// The owner of the object behind `this`, through its [`Back`] pointer.
///
/// # Safety
///
/// `this` is null or points at a live `Obj<Back<O>>` whose owner is alive.
pub(crate) unsafe fn owner<'a, O>(this: *mut c_void) -> Option<&'a O> {
    // SAFETY: forwarded contract.
    let back = unsafe { Obj::<Back<O>>::data(this) }?;
    // SAFETY: bound to the live owner before the object was handed out.
    unsafe { back.0.as_ref() }
}
