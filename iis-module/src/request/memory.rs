//! Request-pool memory (`IHttpContext::AllocateRequestMemory`): what the SDK
//! hands to IIS when IIS may keep reading it after the call returns. IIS
//! frees it when the request ends, so nothing here is ever freed by Rust.

use crate::{Error, Result};
use core::ffi::CStr;
use core::mem::MaybeUninit;
use core::ptr::NonNull;
use iis_sys::{IHttpContext, Ref, WStr};

/// The request pool of one request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestPool {
    /// `'static` stands for the life of the context's view that made the
    /// pool and the views it lends it to.
    context: Ref<'static, IHttpContext>,
}

impl RequestPool {
    /// The pool of `context`'s request.
    pub(crate) fn new(context: Ref<'static, IHttpContext>) -> Self {
        Self { context }
    }

    /// The context, live while the pool is used (`new`'s contract).
    #[inline(always)]
    fn context(&self) -> Ref<'_, IHttpContext> {
        self.context
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
    /// (uninitialised): fresh memory, valid until the request ends, lent
    /// for as long as this borrow of the pool.
    #[allow(
        clippy::mut_from_ref,
        reason = "each call returns fresh memory: no two results alias"
    )]
    pub(crate) fn uninit<T>(&self, n: usize, what: &'static str) -> Result<&mut [MaybeUninit<T>]> {
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
        // In bounds: `offset < align`, and the allocation has `align - 1`
        // spare bytes, so `n` values fit after the offset.
        let aligned = raw
            .as_ptr()
            .wrapping_add(raw.as_ptr().align_offset(align))
            .cast::<MaybeUninit<T>>();
        // SAFETY: `aligned` is aligned for `T` with room for `n` of them
        // (above), in fresh pool memory nothing else reaches, which IIS
        // frees only when the request ends, after this borrow; a
        // `MaybeUninit` needs no initialisation.
        Ok(unsafe { core::slice::from_raw_parts_mut(aligned, n) })
    }

    /// A copy of `bytes` in the request pool.
    pub(crate) fn copy(&self, bytes: &[u8], what: &'static str) -> Result<NonNull<u8>> {
        let dst = self.uninit::<u8>(bytes.len(), what)?;
        Ok(NonNull::from(dst.write_copy_of_slice(bytes)).cast())
    }

    /// `n` values from `values` in the request pool, valid until the
    /// request ends, lent for as long as this borrow of the pool.
    ///
    /// # Errors
    /// As [`uninit`](Self::uninit); [`Error::InvalidInput`] (a bug of the
    /// caller) if `values` does not yield exactly `n` values.
    #[allow(
        clippy::mut_from_ref,
        reason = "each call returns fresh memory: no two results alias"
    )]
    pub(crate) fn filled<T>(
        &self,
        n: usize,
        values: impl IntoIterator<Item = T>,
        what: &'static str,
    ) -> Result<&mut [T]> {
        let dst = self.uninit::<T>(n, what)?;
        let mut written = 0;
        for (slot, value) in dst.iter_mut().zip(values) {
            slot.write(value);
            written += 1;
        }
        if written < n {
            return Err(Error::InvalidInput {
                what,
                reason: "fewer values than room",
            });
        }
        // SAFETY: the loop wrote all `n` slots (checked just above).
        Ok(unsafe { dst.assume_init_mut() })
    }

    /// A NUL-terminated copy of `s`; fails if `s` contains NUL. The copy
    /// lives until the request ends; it is lent for as long as the pool.
    pub(crate) fn c_str(&self, s: &[u8], what: &'static str) -> Result<&CStr> {
        let contains_nul = || Error::InvalidInput {
            what,
            reason: "contains NUL",
        };
        if s.contains(&0) {
            return Err(contains_nul());
        }
        let bytes = self.filled(s.len() + 1, s.iter().copied().chain([0]), what)?;
        CStr::from_bytes_with_nul(bytes).map_err(|_| contains_nul())
    }

    /// A NUL-terminated UTF-16 copy of `s` and its length in units; fails
    /// if `s` contains NUL. The copy lives until the request ends; it is
    /// lent for as long as the pool.
    pub(crate) fn wide(&self, s: &str, what: &'static str) -> Result<(&WStr, u32)> {
        let contains_nul = || Error::InvalidInput {
            what,
            reason: "contains NUL",
        };
        if s.contains('\0') {
            return Err(contains_nul());
        }
        let units = s.encode_utf16().count();
        let len = u32::try_from(units).map_err(|_| Error::TooLong {
            what,
            len: units,
            max: u32::MAX as usize,
        })?;
        let dst = self.filled(units + 1, s.encode_utf16().chain([0]), what)?;
        let text = WStr::from_units_with_nul(dst).ok_or_else(contains_nul)?;
        Ok((text, len))
    }
}
