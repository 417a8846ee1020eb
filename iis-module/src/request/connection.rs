//! `IHttpConnection`: the client connection a request arrived on.

use crate::{Error, Result};
use core::marker::PhantomData;
use core::ptr::NonNull;
use iis_sys::IHttpConnection;
use iis_sys::Ref;

/// The client connection of a request (`IHttpConnection`), from
/// [`HttpContext::connection`](crate::HttpContext::connection).
#[derive(Debug)]
pub struct HttpConnection<'a> {
    raw: Ref<'a, IHttpConnection>,
    _cx: PhantomData<&'a mut ()>,
}

impl<'a> HttpConnection<'a> {
    pub(crate) fn new(raw: Ref<'a, IHttpConnection>) -> Self {
        Self {
            raw,
            _cx: PhantomData,
        }
    }

    /// The raw `IHttpConnection`.
    pub fn as_raw(&self) -> *mut IHttpConnection {
        self.raw.as_ptr()
    }

    /// Whether the client is still connected.
    #[doc(alias = "IsConnected")]
    pub fn is_connected(&self) -> bool {
        self.raw.IsConnected().as_bool()
    }

    /// `len` bytes of connection memory, zeroed. IIS keeps it until the
    /// connection closes (it outlives the request); the slice is lent for
    /// as long as this view.
    ///
    /// # Errors
    /// [`Error::TooLong`] above 4 GiB; [`Error::NullPointer`] when out of
    /// memory.
    #[doc(alias = "AllocateMemory")]
    pub fn allocate(&mut self, len: usize) -> Result<&mut [u8]> {
        let size = u32::try_from(len).map_err(|_| Error::TooLong {
            what: "connection memory",
            len,
            max: u32::MAX as usize,
        })?;
        let ptr = self.raw.AllocateMemory(size.max(1));
        let ptr = NonNull::new(ptr.cast::<u8>()).ok_or(Error::NullPointer {
            operation: "IHttpConnection::AllocateMemory",
        })?;
        // SAFETY: fresh connection memory of `len` bytes, ours alone, valid
        // until the connection closes (longer than this borrow of the
        // request); zeroed first.
        unsafe {
            ptr.as_ptr().write_bytes(0, len);
            Ok(core::slice::from_raw_parts_mut(ptr.as_ptr(), len))
        }
    }
}
