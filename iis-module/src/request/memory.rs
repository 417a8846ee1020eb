//! Request-pool memory (`IHttpContext::AllocateRequestMemory`): what the SDK
//! hands to IIS when IIS may keep reading it after the call returns. IIS
//! frees it when the request ends, so nothing here is ever freed by Rust.

use crate::{Error, Result};
use core::ffi::CStr;
use core::ptr::NonNull;
use iis_sys::{IHttpContext, Ref, WStr};

/// The request pool of one request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestPool {
    context: NonNull<IHttpContext>,
}

impl RequestPool {
    /// # Safety
    /// `context` is a live `IHttpContext` for as long as the pool is used.
    pub(crate) unsafe fn new(context: NonNull<IHttpContext>) -> Self {
        Self { context }
    }

    /// The context, live while the pool is used (`new`'s contract).
    #[inline(always)]
    fn context(&self) -> Ref<'_, IHttpContext> {
        // SAFETY: `new`'s contract: the context is live for as long as the
        // pool is used, which includes this borrow.
        unsafe { Ref::from_non_null(self.context) }
    }

    /// `len` bytes (8-byte aligned, as IIS allocates) valid until the
    /// request ends.
    pub(crate) fn alloc(&self, len: usize, what: &'static str) -> Result<NonNull<u8>> {
        let len32 = u32::try_from(len).map_err(|_| Error::TooLong {
            what,
            len,
            max: u32::MAX as usize,
        })?;
        let ptr = self.context().AllocateRequestMemory(len32.max(1));
        NonNull::new(ptr.cast::<u8>()).ok_or(Error::NullPointer {
            operation: "IHttpContext::AllocateRequestMemory",
        })
    }

    /// Room for `n` values of `T` in the request pool, aligned for `T`
    /// (uninitialised).
    pub(crate) fn alloc_array<T>(&self, n: usize, what: &'static str) -> Result<NonNull<T>> {
        let align = core::mem::align_of::<T>();
        let bytes = n
            .checked_mul(core::mem::size_of::<T>())
            .and_then(|b| b.checked_add(align - 1))
            .ok_or(Error::TooLong {
                what,
                len: n,
                max: u32::MAX as usize,
            })?;
        let raw = self.alloc(bytes, what)?;
        let offset = raw.as_ptr().align_offset(align);
        // SAFETY: `offset < align`, and the allocation has `align - 1`
        // spare bytes, so `n` values fit after the offset.
        let aligned = unsafe { raw.as_ptr().add(offset) };
        NonNull::new(aligned.cast::<T>()).ok_or(Error::NullPointer {
            operation: "IHttpContext::AllocateRequestMemory",
        })
    }

    /// A copy of `bytes` in the request pool.
    pub(crate) fn copy(&self, bytes: &[u8], what: &'static str) -> Result<NonNull<u8>> {
        let dst = self.alloc(bytes.len(), what)?;
        // SAFETY: `dst` has room for `bytes.len()` bytes and is fresh
        // memory, so the ranges cannot overlap.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), dst.as_ptr(), bytes.len()) };
        Ok(dst)
    }

    /// A NUL-terminated copy of `s`; fails if `s` contains NUL. The copy
    /// lives until the request ends; it is lent for as long as the pool.
    pub(crate) fn c_str(&self, s: &[u8], what: &'static str) -> Result<&CStr> {
        if s.contains(&0) {
            return Err(Error::InvalidInput {
                what,
                reason: "contains NUL",
            });
        }
        let dst = self.alloc(s.len() + 1, what)?;
        // SAFETY: `dst` has room for `s.len() + 1` fresh bytes, written here
        // (`s` without NUL, then the NUL), valid until the request ends.
        Ok(unsafe {
            core::ptr::copy_nonoverlapping(s.as_ptr(), dst.as_ptr(), s.len());
            dst.as_ptr().add(s.len()).write(0);
            CStr::from_bytes_with_nul_unchecked(core::slice::from_raw_parts(
                dst.as_ptr(),
                s.len() + 1,
            ))
        })
    }

    /// A NUL-terminated UTF-16 copy of `s` and its length in units; fails
    /// if `s` contains NUL. The copy lives until the request ends; it is
    /// lent for as long as the pool.
    pub(crate) fn wide(&self, s: &str, what: &'static str) -> Result<(&WStr, u32)> {
        if s.contains('\0') {
            return Err(Error::InvalidInput {
                what,
                reason: "contains NUL",
            });
        }
        let units = s.encode_utf16().count();
        // One spare byte so the UTF-16 string can start 2-aligned whatever
        // alignment the pool gives.
        let raw = self.alloc((units + 1) * 2 + 1, what)?;
        let offset = raw.as_ptr().align_offset(2);
        // SAFETY: `offset` is 0 or 1 and the allocation has a spare byte.
        let dst = unsafe { raw.as_ptr().add(offset) }.cast::<u16>();
        for (i, unit) in s.encode_utf16().chain([0]).enumerate() {
            // SAFETY: `dst` is 2-aligned with room for `units + 1` u16s.
            unsafe { dst.add(i).write(unit) };
        }
        let len = u32::try_from(units).map_err(|_| Error::TooLong {
            what,
            len: units,
            max: u32::MAX as usize,
        })?;
        // SAFETY: the `units + 1` units written above, valid until the
        // request ends.
        let units = unsafe { core::slice::from_raw_parts(dst, units + 1) };
        let text = WStr::from_units_with_nul(units).ok_or(Error::InvalidInput {
            what,
            reason: "not NUL-terminated",
        })?;
        Ok((text, len))
    }
}
