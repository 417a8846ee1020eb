//! The OLE Automation string and variant functions of the configuration
//! interfaces: `SysAllocStringLen`, `SysFreeString`, `SysStringLen`,
//! `VariantClear`.
//!
//! A `BSTR` crosses the ABI with an ownership rule: whoever returns one
//! allocated it with `SysAllocString*`, and the receiver frees it with
//! `SysFreeString` (the same for a `VARIANT` and `VariantClear`). Module and
//! server must use one allocator, so this is declared once, here:
//!
//! * on Windows these are OleAut32's functions, as IIS and every COM client
//!   use them;
//! * elsewhere (where iis-host loads modules as shared libraries) there is no
//!   OleAut32, and these are its stand-in with the same memory layout (a
//!   4-byte byte count before the UTF-16 text, a NUL after it) over the C
//!   allocator (`malloc`/`free`), which a host process and the module
//!   libraries it loads share.

use crate::HRESULT;
use crate::oaut::{BSTR, VARIANT};

#[cfg(windows)]
mod imp {
    use crate::HRESULT;
    use crate::oaut::{BSTR, VARIANT};
    windows_link::link!("oleaut32.dll" "system" fn SysAllocStringLen(text: *const u16, len: u32) -> BSTR);
    windows_link::link!("oleaut32.dll" "system" fn SysFreeString(text: BSTR));
    windows_link::link!("oleaut32.dll" "system" fn SysStringLen(text: BSTR) -> u32);
    windows_link::link!("oleaut32.dll" "system" fn VariantClear(variant: *mut VARIANT) -> HRESULT);
    pub(super) use {
        SysAllocStringLen as alloc, SysFreeString as free, SysStringLen as len,
        VariantClear as clear,
    };
}

/// `SysAllocStringLen`: a new `BSTR` holding `len` UTF-16 units copied from
/// `text` (or zeroed when `text` is null); null when out of memory.
///
/// # Safety
/// `text` is null or valid for reading `len` units.
pub unsafe fn SysAllocStringLen(text: *const u16, len: u32) -> BSTR {
    #[cfg(windows)]
    // SAFETY: forwarded contract.
    return unsafe { imp::alloc(text, len) };
    #[cfg(not(windows))]
    // SAFETY: forwarded contract.
    return unsafe { portable::alloc(text, len) };
}

/// `SysFreeString`: frees a `BSTR` (null is allowed).
///
/// # Safety
/// `text` is null or a `BSTR` from [`SysAllocStringLen`] (or from the other
/// side of the ABI) not freed yet.
pub unsafe fn SysFreeString(text: BSTR) {
    #[cfg(windows)]
    // SAFETY: forwarded contract.
    unsafe {
        imp::free(text)
    };
    #[cfg(not(windows))]
    // SAFETY: forwarded contract.
    unsafe {
        portable::free(text)
    };
}

/// `SysStringLen`: the length of a `BSTR` in UTF-16 units (0 for null).
///
/// # Safety
/// `text` is null or a live `BSTR`.
pub unsafe fn SysStringLen(text: BSTR) -> u32 {
    #[cfg(windows)]
    // SAFETY: forwarded contract.
    return unsafe { imp::len(text) };
    #[cfg(not(windows))]
    // SAFETY: forwarded contract.
    return unsafe { portable::len(text) };
}

/// `VariantClear`: frees what a `VARIANT` owns (a `BSTR`, an interface
/// reference) and sets it to `VT_EMPTY`.
///
/// # Safety
/// `variant` points at an initialised `VARIANT` whose payload matches its
/// `vt` tag.
pub unsafe fn VariantClear(variant: *mut VARIANT) -> HRESULT {
    #[cfg(windows)]
    // SAFETY: forwarded contract.
    return unsafe { imp::clear(variant) };
    #[cfg(not(windows))]
    // SAFETY: forwarded contract.
    return unsafe { portable::clear(variant) };
}

#[cfg(not(windows))]
mod portable {
    use crate::oaut::{BSTR, VARIANT};
    use crate::{HRESULT, IUnknownVtbl, VT_BSTR, VT_DISPATCH, VT_EMPTY, VT_UNKNOWN};
    use core::ffi::c_void;

    unsafe extern "C" {
        safe fn malloc(size: usize) -> *mut c_void;
        #[link_name = "free"]
        fn c_free(ptr: *mut c_void);
    }

    /// The byte count prefix sits 4 bytes before the text, as in OleAut32.
    const PREFIX: usize = 4;

    pub(crate) unsafe fn alloc(text: *const u16, len: u32) -> BSTR {
        let bytes = (len as usize) * 2;
        let Some(total) = bytes.checked_add(PREFIX + 2) else {
            return core::ptr::null();
        };
        if bytes > u32::MAX as usize {
            return core::ptr::null();
        }
        let block = malloc(total).cast::<u8>();
        if block.is_null() {
            return core::ptr::null();
        }
        // SAFETY: `block` holds `total` bytes; malloc's alignment (at least
        // 8) makes the prefix a valid u32 slot and the text u16-aligned; the
        // caller guarantees `text` is readable for `len` units.
        unsafe {
            block.cast::<u32>().write(bytes as u32);
            let body = block.add(PREFIX).cast::<u16>();
            if text.is_null() {
                core::ptr::write_bytes(body, 0, len as usize);
            } else {
                core::ptr::copy_nonoverlapping(text, body, len as usize);
            }
            body.add(len as usize).write(0);
            body
        }
    }

    pub(crate) unsafe fn free(text: BSTR) {
        if !text.is_null() {
            // SAFETY: a BSTR from `alloc` starts PREFIX bytes into a malloc block.
            unsafe { free_block(text) }
        }
    }

    /// # Safety
    /// `text` is a live BSTR from [`alloc`].
    unsafe fn free_block(text: BSTR) {
        // SAFETY: see `free`.
        unsafe { c_free(text.cast::<u8>().sub(PREFIX).cast_mut().cast()) }
    }

    pub(crate) unsafe fn len(text: BSTR) -> u32 {
        if text.is_null() {
            return 0;
        }
        // SAFETY: a live BSTR has its byte count in the 4 bytes before it.
        unsafe { text.cast::<u8>().sub(PREFIX).cast::<u32>().read() / 2 }
    }

    pub(crate) unsafe fn clear(variant: *mut VARIANT) -> HRESULT {
        // SAFETY: the caller guarantees an initialised VARIANT whose payload
        // matches its tag; a BSTR is ours to free, an interface ours to
        // release (its vtable starts with IUnknown's).
        unsafe {
            let inner = &mut (*variant).Anonymous.Anonymous;
            match i32::from(inner.vt) {
                VT_BSTR => self::free(inner.Anonymous.bstrVal),
                VT_UNKNOWN | VT_DISPATCH => {
                    let unknown = inner.Anonymous.punkVal;
                    if !unknown.is_null() {
                        let vtbl = *unknown.cast::<*const IUnknownVtbl>();
                        ((*vtbl).Release)(unknown);
                    }
                }
                _ => {}
            }
            inner.vt = VT_EMPTY as u16;
            inner.Anonymous.llVal = 0;
        }
        HRESULT(0)
    }
}
