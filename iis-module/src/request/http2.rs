//! `IHttpResponse4`: the HTTP/2 additions to a response (trailers, stream
//! reset, GOAWAY).

use super::HttpResponse;
use super::headers::{self, HeaderKey};
use super::memory::RequestPool;
use crate::ffi;
use crate::{Error, Result};
use core::marker::PhantomData;
use iis_sys::IHttpResponse4;
use iis_sys::Ref;
use windows_core::{BOOL, PCSTR};

/// The HTTP/2 additions of `IHttpResponse4`, from [`HttpResponse::http2`].
#[derive(Debug)]
pub struct Http2Response<'a> {
    raw: Ref<'a, IHttpResponse4>,
    pool: RequestPool,
    _response: PhantomData<&'a mut HttpResponse>,
}

impl<'a> Http2Response<'a> {
    /// A view of `raw`, borrowed from its response.
    pub(super) fn new(raw: Ref<'a, IHttpResponse4>, pool: RequestPool) -> Self {
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
        // SAFETY: the value pointer is valid for `len` bytes (its length,
        // checked by validate_value).
        let hr = unsafe {
            self.raw
                .SetTrailer(ffi::pcstr(name), PCSTR(value.as_ptr()), len, BOOL(1))
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
        let hr = self.raw.DeleteTrailer(name);
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
        let value = self.raw.GetTrailer(name, &mut len);
        // SAFETY: IIS returns the value with its length.
        Ok(unsafe { ffi::bytes(value, len.into()) })
    }

    /// Resets the HTTP/2 stream with an error code (RST_STREAM).
    #[doc(alias = "ResetStream")]
    pub fn reset_stream(&mut self, error_code: u32) {
        self.raw.ResetStream(error_code)
    }

    /// Sends GOAWAY after this response.
    #[doc(alias = "SetNeedGoAway")]
    pub fn set_need_goaway(&mut self) {
        self.raw.SetNeedGoAway()
    }
}
