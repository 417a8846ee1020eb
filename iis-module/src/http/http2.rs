//! `IHttpResponse4`: the HTTP/2 additions to a response (trailers, stream
//! reset, GOAWAY).

use super::HttpResponse;
use super::headers::{self, HeaderKey};
use super::memory::RequestPool;
use crate::ffi::{self, vcall};
use crate::{Error, Result};
use core::marker::PhantomData;
use core::ptr::NonNull;
use iis_sys::IHttpResponse4;
use windows_core::{BOOL, PCSTR};

/// The HTTP/2 additions of `IHttpResponse4`, from [`HttpResponse::http2`].
#[derive(Debug)]
pub struct Http2Response<'a> {
    raw: NonNull<IHttpResponse4>,
    pool: RequestPool,
    _response: PhantomData<&'a mut HttpResponse>,
}

impl Http2Response<'_> {
    /// A view of `raw`, borrowed from its response.
    pub(super) fn new(raw: NonNull<IHttpResponse4>, pool: RequestPool) -> Self {
        Self {
            raw,
            pool,
            _response: PhantomData,
        }
    }

    /// Sets a trailer (sent after the body on HTTP/2).
    ///
    /// # Errors
    /// As [`HttpResponse::set_header`].
    #[doc(alias = "SetTrailer")]
    pub fn set_trailer(&mut self, name: impl HeaderKey, value: impl AsRef<[u8]>) -> Result<()> {
        let (name, value) = (name.header_name(), value.as_ref());
        headers::validate_name(name)?;
        let len = headers::validate_value(value)?;
        let name = self.pool.c_str(name.as_bytes(), "trailer name")?;
        // SAFETY: live IHttpResponse4; NUL-terminated name, value of `len` bytes.
        let hr = unsafe {
            vcall!(
                self.raw.as_ptr(),
                SetTrailer(name, PCSTR(value.as_ptr()), len, BOOL(1))
            )
        };
        Error::check("IHttpResponse4::SetTrailer", hr)
    }

    /// Removes a trailer.
    ///
    /// # Errors
    /// [`Error::InvalidInput`]; [`Error::Server`].
    #[doc(alias = "DeleteTrailer")]
    pub fn delete_trailer(&mut self, name: impl HeaderKey) -> Result<()> {
        let name = name.header_name();
        headers::validate_name(name)?;
        let name = self.pool.c_str(name.as_bytes(), "trailer name")?;
        // SAFETY: live IHttpResponse4; NUL-terminated name.
        let hr = unsafe { vcall!(self.raw.as_ptr(), DeleteTrailer(name)) };
        Error::check("IHttpResponse4::DeleteTrailer", hr)
    }

    /// A trailer's value, if set.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an invalid name.
    #[doc(alias = "GetTrailer")]
    pub fn trailer(&self, name: impl HeaderKey) -> Result<Option<&[u8]>> {
        let name = name.header_name();
        headers::validate_name(name)?;
        let name = self.pool.c_str(name.as_bytes(), "trailer name")?;
        let mut len = 0u16;
        // SAFETY: live IHttpResponse4; NUL-terminated name; out-pointer.
        let value = unsafe { vcall!(self.raw.as_ptr(), GetTrailer(name, &mut len)) };
        // SAFETY: IIS returns the value with its length.
        Ok(unsafe { ffi::bytes(value, len.into()) })
    }

    /// Resets the HTTP/2 stream with an error code (RST_STREAM).
    #[doc(alias = "ResetStream")]
    pub fn reset_stream(&mut self, error_code: u32) {
        // SAFETY: live IHttpResponse4; integer argument.
        unsafe { vcall!(self.raw.as_ptr(), ResetStream(error_code)) }
    }

    /// Sends GOAWAY after this response.
    #[doc(alias = "SetNeedGoAway")]
    pub fn set_need_goaway(&mut self) {
        // SAFETY: live IHttpResponse4; no arguments.
        unsafe { vcall!(self.raw.as_ptr(), SetNeedGoAway()) }
    }
}
