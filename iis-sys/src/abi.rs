//! The calling conventions of the IIS native module ABI.
//!
//! C++ virtual member functions use `thiscall` on 32-bit x86 Windows (this in
//! ECX, callee pops) and the platform C convention everywhere else (x64,
//! ARM64, and Linux, where iis-host runs). Rust rejects `extern "thiscall"`
//! outside x86, so the choice is made once here, by `cfg`, and every vtable
//! field and every implementation uses these macros: x86 is right by
//! construction.

/// The type of a C++ virtual member function pointer:
/// `member_fn!((*mut IHttpResponse, u16) -> HRESULT)`.
///
/// The first parameter is the `this` pointer. Expands to
/// `unsafe extern "thiscall" fn(..)` on x86 and `unsafe extern "C" fn(..)`
/// elsewhere.
#[cfg(target_arch = "x86")]
#[macro_export]
macro_rules! member_fn {
    (($($arg:ty),* $(,)?) $(-> $ret:ty)?) => {
        unsafe extern "thiscall" fn($($arg),*) $(-> $ret)?
    };
}

/// The type of a C++ virtual member function pointer:
/// `member_fn!((*mut IHttpResponse, u16) -> HRESULT)`.
///
/// The first parameter is the `this` pointer. Expands to
/// `unsafe extern "thiscall" fn(..)` on x86 and `unsafe extern "C" fn(..)`
/// elsewhere.
#[cfg(not(target_arch = "x86"))]
#[macro_export]
macro_rules! member_fn {
    (($($arg:ty),* $(,)?) $(-> $ret:ty)?) => {
        unsafe extern "C" fn($($arg),*) $(-> $ret)?
    };
}

/// Defines functions with the C++ member-function ABI, to fill vtable slots:
///
/// ```
/// use iis_sys::{define_member_fn, IHttpResponse};
/// define_member_fn! {
///     /// Slot implementation: the `this` pointer comes first.
///     unsafe fn clear(_this: *mut IHttpResponse) {}
/// }
/// let slot: iis_sys::member_fn!((*mut IHttpResponse)) = clear;
/// # let _ = slot;
/// ```
///
/// Generic functions take their parameters in brackets after the name:
/// `unsafe fn on_event[M: Module](this: *mut CHttpModule) -> u32 { … }`.
#[macro_export]
macro_rules! define_member_fn {
    ($(
        $(#[$attr:meta])*
        $vis:vis unsafe fn $name:ident $([$($gen:tt)*])? ($($arg:ident : $argty:ty),* $(,)?) $(-> $ret:ty)? $body:block
    )*) => {$(
        $(#[$attr])*
        #[cfg(target_arch = "x86")]
        $vis unsafe extern "thiscall" fn $name $(<$($gen)*>)? ($($arg: $argty),*) $(-> $ret)? $body

        $(#[$attr])*
        #[cfg(not(target_arch = "x86"))]
        $vis unsafe extern "C" fn $name $(<$($gen)*>)? ($($arg: $argty),*) $(-> $ret)? $body
    )*};
}
