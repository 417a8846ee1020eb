//! The few helpers every wrapper uses to call through a C++ vtable and to
//! read the strings IIS returns.

use crate::{Error, Result};
use iis_sys::WStr;
use windows_core::{PCSTR, PCWSTR};

/// Calls a C++ virtual method: `vcall!(ptr, Method(args…))`.
///
/// `ptr` is a `*mut I…` whose vtable has the field `Method` (inherited slots
/// through `base.`: `vcall!(ptr, base.Clear())`). The `this` argument is
/// passed first, cast to the type the slot expects. Must be used inside an
/// `unsafe` block whose SAFETY comment establishes that `ptr` is a live
/// object of that interface.
macro_rules! vcall {
    ($this:expr, $($field:ident).+ ( $($arg:expr),* $(,)? )) => {{
        let this = $this;
        ((*(*this).lpVtbl).$($field).+)(this.cast(), $($arg),*)
    }};
}
pub(crate) use vcall;

/// `s` as the raw `PCSTR` of an `unsafe` generated method.
pub(crate) fn pcstr(s: &core::ffi::CStr) -> PCSTR {
    PCSTR(s.as_ptr().cast())
}

/// `s` as the raw `PCWSTR` of an `unsafe` generated method.
pub(crate) fn pcwstr(s: &WStr) -> PCWSTR {
    PCWSTR(s.as_ptr())
}

/// Copies a string IIS lent (a generated method's `Option<&WStr>`), or
/// `None` for none.
pub(crate) fn wstr_to_string(s: Option<&WStr>, what: &'static str) -> Result<Option<String>> {
    s.map(|s| {
        String::from_utf16(s.as_units()).map_err(|_| Error::Encoding {
            what,
            encoding: "UTF-16",
            from_client: false,
        })
    })
    .transpose()
}

/// Copies a NUL-terminated UTF-16 string IIS returned, or `None` for null.
///
/// # Safety
/// `ptr` is null or points to a NUL-terminated UTF-16 string that stays
/// valid for the call.
pub(crate) unsafe fn wide_to_string(ptr: PCWSTR, what: &'static str) -> Result<Option<String>> {
    // SAFETY: non-null here, and NUL-terminated and valid for the call by
    // the caller's contract.
    let text = (!ptr.is_null()).then(|| unsafe { WStr::from_ptr(ptr.0) });
    wstr_to_string(text, what)
}

/// Borrows `len` UTF-16 units IIS returned, or `None` for null.
///
/// # Safety
/// `ptr` is null or valid for reads of `len` units for `'a`.
pub(crate) unsafe fn wide_units<'a>(ptr: PCWSTR, len: usize) -> Option<&'a [u16]> {
    if ptr.is_null() {
        None
    } else {
        // SAFETY: the caller guarantees `len` readable units for 'a.
        Some(unsafe { core::slice::from_raw_parts(ptr.0, len) })
    }
}

/// Borrows `len` bytes IIS returned, or `None` for null.
///
/// # Safety
/// `ptr` is null or valid for reads of `len` bytes for `'a`.
pub(crate) unsafe fn bytes<'a>(ptr: PCSTR, len: usize) -> Option<&'a [u8]> {
    if ptr.is_null() {
        None
    } else {
        // SAFETY: the caller guarantees `len` readable bytes for 'a.
        Some(unsafe { core::slice::from_raw_parts(ptr.0, len) })
    }
}

/// Borrows a NUL-terminated narrow string IIS returned, or `None` for null.
///
/// # Safety
/// `ptr` is null or NUL-terminated and valid for `'a`.
pub(crate) unsafe fn c_bytes<'a>(ptr: PCSTR) -> Option<&'a [u8]> {
    if ptr.is_null() {
        None
    } else {
        // SAFETY: NUL-terminated and valid for 'a by the caller's contract.
        Some(unsafe { core::ffi::CStr::from_ptr(ptr.0.cast()) }.to_bytes())
    }
}

/// Decodes bytes from the server or a module as UTF-8, or reports which
/// value was not.
pub(crate) fn utf8<'a>(bytes: &'a [u8], what: &'static str) -> Result<&'a str> {
    core::str::from_utf8(bytes).map_err(|_| Error::Encoding {
        what,
        encoding: "UTF-8",
        from_client: false,
    })
}

/// Decodes bytes the client sent (request headers) as UTF-8, or reports
/// which value was not, as the client's fault (a `400` if it fails a hook).
pub(crate) fn client_utf8<'a>(bytes: &'a [u8], what: &'static str) -> Result<&'a str> {
    core::str::from_utf8(bytes).map_err(|_| Error::Encoding {
        what,
        encoding: "UTF-8",
        from_client: true,
    })
}

/// A NUL-terminated UTF-16 copy of `s` in a fixed stack buffer, so that
/// passing short strings to IIS allocates nothing.
pub(crate) struct WideBuf<const N: usize> {
    buf: [u16; N],
}

impl<const N: usize> WideBuf<N> {
    /// Encodes `s`; fails if it has a NUL or does not fit.
    pub(crate) fn new(s: &str, what: &'static str) -> Result<Self> {
        let mut buf = [0u16; N];
        for (len, unit) in s.encode_utf16().enumerate() {
            if unit == 0 {
                return Err(Error::InvalidInput {
                    what,
                    reason: "contains NUL",
                });
            }
            if len + 1 >= N {
                return Err(Error::TooLong {
                    what,
                    len: s.len(),
                    max: N - 1,
                });
            }
            buf[len] = unit;
        }
        Ok(Self { buf })
    }

    /// The string as IIS takes it; valid while `self` lives.
    pub(crate) fn as_pcwstr(&self) -> PCWSTR {
        PCWSTR(self.buf.as_ptr())
    }

    /// The string as the generated methods take it (the units up to the
    /// first NUL, which `new` puts after the text); borrowed from `self`.
    pub(crate) fn as_wstr(&self) -> &WStr {
        let len = self.buf.iter().position(|&u| u == 0).unwrap_or(N - 1);
        WStr::from_units_with_nul(&self.buf[..=len]).expect("`new` leaves a NUL after the text")
    }
}
