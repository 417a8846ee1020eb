//! The host side of the httpserv.h ABI: one Rust struct per C++ interface the
//! host implements, each starting with a pointer to a static vtable whose
//! every slot is a real function (`define_member_fn!`, so `thiscall` on x86).
//!
//! An object is an [`Obj`]: the vtable pointer, then its data. Most objects
//! are fields of the request's [`RequestCore`](crate::pipeline::RequestCore)
//! or of the host's [`HostCore`](crate::host::HostCore) and reach it through a
//! [`Back`] pointer; containers carry their map inline.

pub(crate) mod allocator;
pub(crate) mod application;
pub(crate) mod async_io;
pub(crate) mod cache;
pub(crate) mod cache_policy;
pub(crate) mod connection;
pub(crate) mod containers;
pub(crate) mod context;
pub(crate) mod event_log;
pub(crate) mod file_info;
pub(crate) mod global_providers;
pub(crate) mod headers;
pub(crate) mod log_data;
pub(crate) mod providers;
pub(crate) mod raw;
pub(crate) mod registration;
pub(crate) mod request;
pub(crate) mod response;
pub(crate) mod script_map;
pub(crate) mod server;
pub(crate) mod server_variables;
pub(crate) mod trace;
pub(crate) mod user;

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

/// A pointer to an object a module owns (a module instance, a stored context,
/// a user). IIS calls such objects from any thread, so modules make them
/// free-threaded; the host only passes the pointer back into the module.
#[derive(Debug)]
pub(crate) struct Foreign<T>(pub(crate) *mut T);

impl<T> Clone for Foreign<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Foreign<T> {}
impl<T> PartialEq for Foreign<T> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

// SAFETY: see the type docs: the pointee is the module's and free-threaded by
// the IIS module contract; the host never dereferences it except to call it.
unsafe impl<T> Send for Foreign<T> {}
// SAFETY: as above.
unsafe impl<T> Sync for Foreign<T> {}

impl<T> Foreign<T> {
    /// Whether the pointer is null.
    pub(crate) fn is_null(self) -> bool {
        self.0.is_null()
    }
}

/// Runs `$body` with `$owner` bound to the owner of the object behind `$this`
/// (a [`Back`]-carrying object), inside the panic [`guard`](crate::ffi::guard);
/// `$fallback` when `$this` is null or the body panics.
macro_rules! with_owner {
    ($this:expr, $fallback:expr, |$owner:ident: $ty:ty| $body:expr) => {{
        // SAFETY: the module calls this slot on an object the host handed out
        // (`this` is the object whose vtable holds the slot), and its owner
        // outlives every call the module may legally make on it.
        match unsafe { $crate::objects::owner::<$ty>(($this).cast()) } {
            Some($owner) => $crate::ffi::guard($fallback, || $body),
            None => $fallback,
        }
    }};
}
pub(crate) use with_owner;

/// Like [`with_owner`] for objects carrying their data inline (`Obj<T>`).
macro_rules! with_data {
    ($this:expr, $fallback:expr, |$data:ident: $ty:ty| $body:expr) => {{
        // SAFETY: the module calls this slot on an object the host handed out,
        // alive while the module may legally call it.
        match unsafe { $crate::objects::Obj::<$ty>::data(($this).cast()) } {
            Some($data) => $crate::ffi::guard($fallback, || $body),
            None => $fallback,
        }
    }};
}
pub(crate) use with_data;
