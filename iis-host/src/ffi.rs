//! Small helpers shared by every host object: the HRESULT values IIS returns
//! (re-exported from iis-sys, where both sides of the ABI read them),
//! the panic guard of every slot, reading C strings a module passes in, and
//! the [`Arena`] that keeps the strings and structs the host hands out alive
//! until the request (or the host) ends.

use std::any::Any;
use std::ffi::CStr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, MutexGuard, PoisonError};

use iis_sys::{BOOL, HRESULT, PCSTR, PCWSTR};

pub(crate) use iis_sys::{
    E_FAIL, E_INVALIDARG, E_NOINTERFACE, E_NOTIMPL, E_POINTER, HRESULT_ERROR_ALREADY_ASSIGNED,
    HRESULT_ERROR_FILE_NOT_FOUND, HRESULT_ERROR_HANDLE_EOF, HRESULT_ERROR_INSUFFICIENT_BUFFER,
    HRESULT_ERROR_INVALID_INDEX, HRESULT_ERROR_INVALID_STATE, HRESULT_ERROR_NOT_FOUND, S_OK,
};

/// `TRUE`.
pub(crate) const TRUE: BOOL = BOOL(1);
/// `FALSE`.
pub(crate) const FALSE: BOOL = BOOL(0);

/// Formats an HRESULT the way IIS event messages do: `0x80004005`.
pub(crate) fn hex(hr: HRESULT) -> String {
    format!("0x{:08X}", hr.0 as u32)
}

/// Runs a slot body; a panic in host code becomes `fallback` instead of
/// unwinding into the module (every slot is `extern "C"`, where an unwind
/// would abort the process).
pub(crate) fn guard<R>(fallback: R, body: impl FnOnce() -> R) -> R {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| {
        log::error!("iis-host: a host slot panicked; returning a failure to the module");
        fallback
    })
}

/// Locks a mutex, ignoring poisoning: host state stays usable after a panic
/// that [`guard`] caught.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The bytes of a NUL-terminated string, `None` for a null pointer.
///
/// # Safety
///
/// `p` is null or points at a NUL-terminated string that stays valid and
/// unmodified for `'a`.
pub(crate) unsafe fn cstr<'a>(p: PCSTR) -> Option<&'a [u8]> {
    if p.0.is_null() {
        return None;
    }
    // SAFETY: non-null and NUL-terminated by the caller's contract.
    Some(unsafe { CStr::from_ptr(p.0.cast()) }.to_bytes())
}

/// `len` bytes at `p`; `Some(&[])` when `len` is 0 (even for a null `p`),
/// `None` for a null `p` with a non-zero `len`.
///
/// # Safety
///
/// `p` is null or points at `len` readable bytes valid for `'a`.
pub(crate) unsafe fn bytes<'a>(p: *const u8, len: usize) -> Option<&'a [u8]> {
    if len == 0 {
        return Some(&[]);
    }
    if p.is_null() {
        return None;
    }
    // SAFETY: non-null, `len` readable bytes by the caller's contract.
    Some(unsafe { std::slice::from_raw_parts(p, len) })
}

/// The UTF-16 units of a NUL-terminated wide string, `None` for null.
///
/// # Safety
///
/// `p` is null or points at a NUL-terminated UTF-16 string valid for `'a`.
pub(crate) unsafe fn wstr<'a>(p: PCWSTR) -> Option<&'a [u16]> {
    if p.0.is_null() {
        return None;
    }
    let mut len = 0usize;
    // SAFETY: the string is NUL-terminated, so every unit up to and including
    // the terminator is readable.
    while unsafe { *p.0.add(len) } != 0 {
        len += 1;
    }
    // SAFETY: `len` units were just read.
    Some(unsafe { std::slice::from_raw_parts(p.0, len) })
}

/// `len` UTF-16 units at `p` (see [`bytes`] for the null/zero rules).
///
/// # Safety
///
/// `p` is null or points at `len` readable units valid for `'a`.
pub(crate) unsafe fn wide<'a>(p: *const u16, len: usize) -> Option<&'a [u16]> {
    if len == 0 {
        return Some(&[]);
    }
    if p.is_null() {
        return None;
    }
    // SAFETY: non-null, `len` readable units by the caller's contract.
    Some(unsafe { std::slice::from_raw_parts(p, len) })
}

/// UTF-16 of `s`, without a terminator.
pub(crate) fn to_wide(s: &str) -> Vec<u16> {
    // A UTF-8 string has at least as many bytes as UTF-16 units: one allocation.
    let mut units = Vec::with_capacity(s.len());
    units.extend(s.encode_utf16());
    units
}

/// A lossy `String` of UTF-16 units.
pub(crate) fn from_wide(units: &[u16]) -> String {
    String::from_utf16_lossy(units)
}

/// A NUL-terminated UTF-16 string owned by the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WideStr(Box<[u16]>);

impl WideStr {
    /// The UTF-16 of `s` with a terminator.
    pub(crate) fn new(s: &str) -> Self {
        let mut units = to_wide(s);
        units.push(0);
        WideStr(units.into_boxed_slice())
    }

    /// The string as a `PCWSTR`, valid as long as `self`.
    pub(crate) fn ptr(&self) -> PCWSTR {
        PCWSTR(self.0.as_ptr())
    }

    /// The units without the terminator.
    pub(crate) fn units(&self) -> &[u16] {
        &self.0[..self.0.len() - 1]
    }
}

/// Writes `value` through `out` when `out` is non-null.
///
/// # Safety
///
/// `out` is null or valid for a write of `T`.
pub(crate) unsafe fn put<T>(out: *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: non-null and writable by the caller's contract.
        unsafe { out.write(value) };
    }
}

/// Memory the host hands to modules (strings, raw structs) and keeps until
/// the arena is dropped: at request end for a request's arena, at host drop
/// for the host's. Pointers into it stay valid that long, as the IIS docs
/// promise for the strings the request and response objects return.
#[derive(Default)]
pub(crate) struct Arena {
    items: Mutex<Vec<Kept>>,
}

impl std::fmt::Debug for Arena {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Arena")
            .field("items", &lock(&self.items).len())
            .finish()
    }
}

/// One allocation of an [`Arena`]. The `Box` contents never move, so the
/// pointers handed out stay valid while the box is in the vector.
enum Kept {
    Bytes(#[allow(dead_code)] Box<[u8]>),
    Wide(#[allow(dead_code)] Box<[u16]>),
    Value(#[allow(dead_code)] Box<dyn Any + Send>),
}

/// Makes a value holding raw pointers storable in an [`Arena`].
pub(crate) struct KeptValue<T>(pub(crate) T);

// SAFETY: a kept value is only ever read or written by modules through the
// pointer the host returned, never by the arena itself, which only drops it;
// the raw pointers inside have no drop glue.
unsafe impl<T> Send for KeptValue<T> {}

impl Arena {
    /// A copy of `bytes` with a NUL terminator; the pointer lives as long as the arena.
    pub(crate) fn cstr(&self, bytes: &[u8]) -> PCSTR {
        let mut owned = Vec::with_capacity(bytes.len() + 1);
        owned.extend_from_slice(bytes);
        owned.push(0);
        let boxed = owned.into_boxed_slice();
        let p = boxed.as_ptr();
        lock(&self.items).push(Kept::Bytes(boxed));
        PCSTR(p)
    }

    /// A copy of `units` with a NUL terminator.
    pub(crate) fn wstr(&self, units: &[u16]) -> PCWSTR {
        let mut owned = Vec::with_capacity(units.len() + 1);
        owned.extend_from_slice(units);
        owned.push(0);
        let boxed = owned.into_boxed_slice();
        let p = boxed.as_ptr();
        lock(&self.items).push(Kept::Wide(boxed));
        PCWSTR(p)
    }

    /// Keeps `value` and returns a pointer to it, valid as long as the arena.
    pub(crate) fn keep<T: 'static>(&self, value: T) -> *mut T {
        let mut boxed = Box::new(KeptValue(value));
        let p: *mut T = &mut boxed.0;
        lock(&self.items).push(Kept::Value(boxed));
        p
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hresults_format_as_iis_event_messages_do() {
        assert_eq!(hex(E_INVALIDARG), "0x80070057");
        assert_eq!(hex(HRESULT_ERROR_HANDLE_EOF), "0x80070026");
        assert_eq!(hex(E_NOTIMPL), "0x80004001");
    }

    #[test]
    fn arena_strings_are_nul_terminated_and_stable() {
        let arena = Arena::default();
        let a = arena.cstr(b"abc");
        let w = arena.wstr(&to_wide("xy"));
        for i in 0..100 {
            arena.cstr(format!("{i}").as_bytes());
        }
        // SAFETY: both pointers come from the live arena.
        unsafe {
            assert_eq!(cstr(a), Some(&b"abc"[..]));
            assert_eq!(wstr(w).map(from_wide).as_deref(), Some("xy"));
        }
    }
}
