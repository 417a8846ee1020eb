//! `IHttpResponse`: status, headers, body, and the fate of the connection.

use super::headers::{self, HeaderKey, HeaderRef, Side};
use super::http2::Http2Response;
use super::memory::RequestPool;
use crate::ffi;
use crate::server::{HttpServer, extended_interface};
use crate::task::{FlushResponse, IoRef, WriteBody};
use crate::{Error, Flow, Result};
use core::marker::PhantomData;
use http::StatusCode;
use iis_sys::{
    HTTP_DATA_CHUNK, HTTP_DATA_CHUNK_0, HTTP_DATA_CHUNK_0_0, HttpDataChunkFromMemory,
    IHttpResponse, IHttpResponse4, Ref,
};
use windows_core::{BOOL, HRESULT, PCSTR, PCWSTR};

/// The response of the current request (`IHttpResponse`).
///
/// Borrowed from [`HttpContext::response`](crate::HttpContext::response) for
/// the length of one notification.
///
/// ```no_run
/// # use iis_module::prelude::*;
/// # fn hook(cx: &mut HttpContext) -> Result<Flow> {
/// let response = cx.response();
/// response.set_status(StatusCode::OK)?;
/// response.set_header(CONTENT_TYPE, "text/plain")?;
/// response.write(b"hello\n")?;
/// Ok(Flow::FinishRequest)
/// # }
/// ```
#[derive(Debug)]
pub struct HttpResponse {
    /// `'static` stands for the life of this view, which the context's
    /// view lends (see `HttpContext`'s `raw`).
    raw: Ref<'static, IHttpResponse>,
    pool: RequestPool,
    server: Option<HttpServer>,
    reset: bool,
    /// The I/O state of the task whose context this view belongs to.
    io: Option<IoRef>,
    _not_sync: PhantomData<core::cell::Cell<()>>,
}

// SAFETY: as for `HttpContext`, which lends this view: one thread at a time,
// inside the request's notifications.
unsafe impl Send for HttpResponse {}

/// The status line IIS will send ([`HttpResponse::status`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseStatus {
    /// The status code.
    pub code: StatusCode,
    /// IIS's substatus (the `.3` of `404.3`).
    pub substatus: u16,
    /// The reason phrase, as bytes.
    pub reason: Vec<u8>,
}

/// Proof that [`HttpResponse::reset_connection`] was called: the only thing
/// left to do is [`finish`](ConnectionReset::finish) the request.
#[must_use = "after reset_connection the hook must return `Ok(reset.finish())`"]
#[derive(Debug)]
pub struct ConnectionReset(());

impl ConnectionReset {
    /// The flow a hook must return after resetting the connection.
    pub fn finish(self) -> Flow {
        Flow::FinishRequest
    }
}

impl HttpResponse {
    /// The view of `raw`, the response of the request whose pool is
    /// `pool`; `server` (if any) is the live server.
    pub(crate) fn new(
        raw: Ref<'static, IHttpResponse>,
        pool: RequestPool,
        server: Option<HttpServer>,
    ) -> Self {
        Self {
            raw,
            pool,
            server,
            reset: false,
            io: None,
            _not_sync: PhantomData,
        }
    }

    /// Gives the view its task's I/O state (`async fn` hooks).
    pub(crate) fn set_io(&mut self, io: Option<IoRef>) {
        self.io = io;
    }

    /// The I/O state of the task whose context lent this view.
    pub(crate) fn io(&self) -> Option<IoRef> {
        self.io
    }

    /// The raw `IHttpResponse`, for calls the safe API does not wrap.
    pub fn as_raw(&self) -> *mut IHttpResponse {
        self.raw.as_ptr()
    }

    /// The response, live while `self` is (`new`'s contract).
    #[inline(always)]
    pub(crate) fn iface(&self) -> Ref<'_, IHttpResponse> {
        self.raw
    }

    /// Whether [`reset_connection`](Self::reset_connection) was called in
    /// this notification.
    pub(crate) fn was_reset(&self) -> bool {
        self.reset
    }

    /// The current status code, substatus and reason.
    ///
    /// # Errors
    /// [`Error::InvalidStatus`] if the server holds a code outside 100..=999.
    #[doc(alias = "GetStatus")]
    pub fn status(&self) -> Result<ResponseStatus> {
        let (mut code, mut substatus, mut reason_len) = (0u16, 0u16, 0u16);
        let mut reason = PCSTR::null();
        let mut hr = HRESULT(0);
        let mut module = PCWSTR::null();
        let mut notification = 0u32;
        let mut exception = core::ptr::null_mut();
        let mut skip = BOOL(0);
        self.iface().GetStatus(
            &mut code,
            &mut substatus,
            &mut reason,
            &mut reason_len,
            &mut hr,
            &mut module,
            &mut notification,
            &mut exception,
            &mut skip,
        );
        // SAFETY: IIS returns the reason with its length, valid during the call.
        let reason = unsafe { ffi::bytes(reason, reason_len.into()) }
            .unwrap_or_default()
            .to_vec();
        Ok(ResponseStatus {
            code: StatusCode::from_u16(code).map_err(|_| Error::InvalidStatus(code))?,
            substatus,
            reason,
        })
    }

    /// Sets the status code with its standard reason phrase.
    ///
    /// # Errors
    /// [`Error::InvalidStatus`] for a status that cannot end a response
    /// (see [`set_status_detail`](Self::set_status_detail));
    /// [`Error::Server`] if IIS refuses.
    #[doc(alias = "SetStatus")]
    pub fn set_status(&mut self, status: StatusCode) -> Result<()> {
        let reason = status.canonical_reason().unwrap_or("");
        self.set_status_detail(status, 0, reason, false)
    }

    /// Sets the status from a raw code, validating it.
    ///
    /// # Errors
    /// [`Error::InvalidStatus`] for a code that is not a final HTTP status
    /// (200–599) or 101 (see [`set_status_detail`](Self::set_status_detail)).
    #[doc(alias = "SetStatus")]
    pub fn set_status_code(&mut self, code: u16) -> Result<()> {
        let status = StatusCode::from_u16(code).map_err(|_| Error::InvalidStatus(code))?;
        self.set_status(status)
    }

    /// Sets status, IIS substatus, reason phrase, and whether IIS may skip
    /// its custom error pages (`fTrySkipCustomErrors`).
    ///
    /// The status is the final one of the response: 200–599, or 101
    /// (Switching Protocols, the WebSocket upgrade a module answers with
    /// before it goes full duplex). An interim status (100, 102, 103) would
    /// leave the client waiting for the real answer, or take the next
    /// pipelined response for this one; codes over 599 are not HTTP.
    ///
    /// # Errors
    /// [`Error::InvalidStatus`] for any other status;
    /// [`Error::InvalidInput`] for a reason with CR, LF or NUL;
    /// [`Error::TooLong`] over 65,535 bytes; [`Error::Server`].
    #[doc(alias = "SetStatus")]
    pub fn set_status_detail(
        &mut self,
        status: StatusCode,
        substatus: u16,
        reason: &str,
        skip_custom_errors: bool,
    ) -> Result<()> {
        self.set_status_raw(
            status.as_u16(),
            substatus,
            reason,
            HRESULT(0),
            skip_custom_errors,
        )
    }

    pub(crate) fn set_status_raw(
        &mut self,
        code: u16,
        substatus: u16,
        reason: &str,
        error: HRESULT,
        skip_custom_errors: bool,
    ) -> Result<()> {
        if !is_final_status(code) {
            return Err(Error::InvalidStatus(code));
        }
        headers::validate_text(reason.as_bytes(), "status reason")?;
        let reason = self.pool.c_str(reason.as_bytes(), "status reason")?;
        let hr = self.iface().SetStatus(
            code,
            reason,
            substatus,
            error,
            None,
            BOOL::from(skip_custom_errors),
        );
        Error::check("IHttpResponse::SetStatus", hr)
    }

    /// Sets a header, replacing any existing value.
    ///
    /// Well-known headers go through IIS's `HTTP_HEADER_ID` form, others by
    /// name.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for names that are not HTTP tokens or values
    /// with CR, LF, NUL or control characters; [`Error::TooLong`] for values
    /// over 65,535 bytes; [`Error::Server`].
    #[doc(alias = "SetHeader")]
    pub fn set_header(&mut self, name: impl HeaderKey, value: impl AsRef<[u8]>) -> Result<()> {
        let (name, validate) = headers::key_name(&name);
        self.put_header(name, validate, value.as_ref(), true)
    }

    /// Adds a header value, keeping existing ones (`fReplace = FALSE`).
    ///
    /// # Errors
    /// As [`set_header`](Self::set_header).
    #[doc(alias = "SetHeader")]
    pub fn append_header(&mut self, name: impl HeaderKey, value: impl AsRef<[u8]>) -> Result<()> {
        let (name, validate) = headers::key_name(&name);
        self.put_header(name, validate, value.as_ref(), false)
    }

    fn put_header(
        &mut self,
        name: &str,
        validate: bool,
        value: &[u8],
        replace: bool,
    ) -> Result<()> {
        // `validate_value` refuses what IIS would take for a second header
        // (CR, LF) and a length over the `USHORT` IIS takes; IIS copies the
        // value, which only needs to live for the call.
        headers::validate_value(value)?;
        let replace = BOOL::from(replace);
        let response = self.iface();
        let hr = match headers::resolve_name(name, validate, Side::Response, &self.pool)? {
            HeaderRef::Id(id) => response.SetHeader(id, value, replace),
            HeaderRef::Name(name) => response.SetHeaderByName(name, value, replace),
        };
        Error::check("IHttpResponse::SetHeader", hr)
    }

    /// A response header's value as bytes, if set.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an invalid name.
    #[doc(alias = "GetHeader")]
    pub fn header(&self, name: impl HeaderKey) -> Result<Option<&[u8]>> {
        let (name, validate) = headers::key_name(&name);
        let mut len = 0u16;
        let value = match headers::resolve_name(name, validate, Side::Response, &self.pool)? {
            HeaderRef::Id(id) => self.iface().GetHeader(id, &mut len),
            HeaderRef::Name(name) => self.iface().GetHeaderByName(name, &mut len),
        };
        // SAFETY: IIS returns the value with its length; it stays valid
        // until the header changes, which needs `&mut self`.
        Ok(unsafe { ffi::bytes(value, len.into()) })
    }

    /// A response header's value as text, if set.
    ///
    /// # Errors
    /// [`Error::Encoding`] if the value is not UTF-8 (use
    /// [`header`](Self::header)).
    #[doc(alias = "GetHeader")]
    pub fn header_str(&self, name: impl HeaderKey) -> Result<Option<&str>> {
        self.header(name)?
            .map(|v| ffi::utf8(v, "header value"))
            .transpose()
    }

    /// Removes a header.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an invalid name; [`Error::Server`].
    #[doc(alias = "DeleteHeader")]
    pub fn delete_header(&mut self, name: impl HeaderKey) -> Result<()> {
        let (name, validate) = headers::key_name(&name);
        let hr = match headers::resolve_name(name, validate, Side::Response, &self.pool)? {
            HeaderRef::Id(id) => self.iface().DeleteHeader(id),
            HeaderRef::Name(name) => self.iface().DeleteHeaderByName(name),
        };
        Error::check("IHttpResponse::DeleteHeader", hr)
    }

    /// Discards the buffered body (headers stay).
    #[doc(alias = "Clear")]
    pub fn clear(&mut self) {
        self.iface().Clear()
    }

    /// Discards every response header.
    #[doc(alias = "ClearHeaders")]
    pub fn clear_headers(&mut self) {
        self.iface().ClearHeaders()
    }

    /// Appends `bytes` to the body (synchronously).
    ///
    /// IIS is done with `bytes` when the call returns: a buffered response
    /// copies them, an unbuffered one sends them first. So memory stays
    /// bounded however much is written: stream with
    /// [`disable_buffering`](Self::disable_buffering) or a
    /// [`flush`](Self::flush) per piece, or asynchronously with
    /// [`write_async`](Self::write_async) in an `async fn` hook.
    ///
    /// # Errors
    /// [`Error::TooLong`] above 4 GiB; [`Error::Server`].
    #[doc(alias = "WriteEntityChunks")]
    pub fn write(&mut self, bytes: &[u8]) -> Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        self.write_chunk(bytes.as_ptr().cast_mut(), bytes.len())
    }

    /// Appends `'static` bytes to the body: the same as
    /// [`write`](Self::write), which copies nothing either.
    ///
    /// # Errors
    /// [`Error::TooLong`] above 4 GiB; [`Error::Server`].
    #[doc(alias = "WriteEntityChunks")]
    pub fn write_static(&mut self, bytes: &'static [u8]) -> Result<()> {
        self.write(bytes)
    }

    /// Appends several chunks to the body in one `WriteEntityChunks` call
    /// (`nChunks` = `chunks.len()`), in order, synchronously as
    /// [`write`](Self::write) does.
    ///
    /// # Errors
    /// [`Error::TooLong`] for a chunk above 4 GiB or more than `u32::MAX`
    /// chunks; [`Error::Server`].
    #[doc(alias = "WriteEntityChunks")]
    pub fn write_chunks(&mut self, chunks: &[&[u8]]) -> Result<()> {
        if chunks.is_empty() {
            return Ok(());
        }
        let count = u32::try_from(chunks.len()).map_err(|_| Error::TooLong {
            what: "entity chunk count",
            len: chunks.len(),
            max: u32::MAX as usize,
        })?;
        let mut array = Vec::with_capacity(chunks.len());
        for bytes in chunks {
            let len = u32::try_from(bytes.len()).map_err(|_| Error::TooLong {
                what: "entity chunk",
                len: bytes.len(),
                max: u32::MAX as usize,
            })?;
            array.push(memory_chunk(bytes.as_ptr().cast_mut(), len));
        }
        let mut sent = 0u32;
        let mut completion_expected = BOOL(0);
        // SAFETY: `count` chunks over borrowed bytes, which IIS copies
        // (buffered) or sends (unbuffered) before a synchronous call returns.
        let hr = unsafe {
            self.iface().WriteEntityChunks(
                array.as_mut_ptr(),
                count,
                BOOL(0),
                BOOL(1),
                &mut sent,
                &mut completion_expected,
            )
        };
        Error::check("IHttpResponse::WriteEntityChunks", hr)
    }

    /// Appends `bytes` to the body asynchronously (`WriteEntityChunks` with
    /// `fAsync = TRUE`), inside an `async fn` hook: the request is pending,
    /// and no IIS thread held, until IIS has taken them. The bytes are
    /// copied into a buffer the hook's task owns and reuses, which IIS may
    /// read until the write completes, even if this future is dropped. In a
    /// full-duplex request
    /// ([`HttpContext::enable_full_duplex`](crate::HttpContext::enable_full_duplex))
    /// it uses the callback form, `IHttpResponse2::WriteEntityChunks`, and
    /// may be in flight while a read is.
    ///
    /// # Errors
    /// [`Error::Module`] outside an `async fn` hook; [`Error::TooLong`]
    /// above 4 GiB; [`Error::Server`] (e.g. the client has gone).
    #[doc(
        alias = "WriteEntityChunks",
        alias = "IHttpResponse2::WriteEntityChunks"
    )]
    pub fn write_async<'a>(&'a mut self, bytes: &'a [u8]) -> WriteBody<'a> {
        WriteBody {
            response: self,
            bytes,
            ticket: None,
        }
    }

    /// Puts `bytes` in the body at chunk `position` (`None` appends; `Some(0)`
    /// goes before everything buffered) without IIS copying them
    /// (`WriteEntityChunkByReference`). They are copied into request memory
    /// first, which lives until the response is sent.
    ///
    /// # Errors
    /// [`Error::TooLong`] above 4 GiB or for a position over `i32::MAX`;
    /// [`Error::Server`].
    #[doc(alias = "WriteEntityChunkByReference")]
    pub fn write_by_reference(&mut self, bytes: &[u8], position: Option<usize>) -> Result<()> {
        let position = match position {
            None => -1,
            Some(p) => i32::try_from(p).map_err(|_| Error::TooLong {
                what: "insert position",
                len: p,
                max: i32::MAX as usize,
            })?,
        };
        let len = u32::try_from(bytes.len()).map_err(|_| Error::TooLong {
            what: "entity chunk",
            len: bytes.len(),
            max: u32::MAX as usize,
        })?;
        let copy = self.pool.copy(bytes, "entity chunk")?;
        let mut chunk = memory_chunk(copy.as_ptr(), len);
        // SAFETY: one chunk whose memory lives in the request pool until the
        // request ends, longer than IIS holds the reference.
        let hr = unsafe {
            self.iface()
                .WriteEntityChunkByReference(&mut chunk, position)
        };
        Error::check("IHttpResponse::WriteEntityChunkByReference", hr)
    }

    /// A read-only view of the HTTP.sys `HTTP_RESPONSE` IIS builds for the
    /// response.
    ///
    /// # Errors
    /// [`Error::NullPointer`] if IIS has none.
    #[doc(alias = "GetRawHttpResponse")]
    pub fn raw(&self) -> Result<RawResponse<'_>> {
        let raw = self.iface().GetRawHttpResponse();
        // SAFETY: IIS's HTTP_RESPONSE lives as long as the response; it is
        // read only while `self` is borrowed (changes need `&mut self`).
        unsafe { raw.as_ref() }
            .map(|r| RawResponse { raw: &r.Base })
            .ok_or(Error::NullPointer {
                operation: "IHttpResponse::GetRawHttpResponse",
            })
    }

    fn write_chunk(&mut self, data: *mut u8, len: usize) -> Result<()> {
        let len = u32::try_from(len).map_err(|_| Error::TooLong {
            what: "entity chunk",
            len,
            max: u32::MAX as usize,
        })?;
        let mut chunk = memory_chunk(data, len);
        let mut sent = 0u32;
        let mut completion_expected = BOOL(0);
        // SAFETY: one chunk over bytes that IIS copies (buffered) or sends
        // (unbuffered) before a synchronous call returns; more data may
        // follow.
        let hr = unsafe {
            self.iface().WriteEntityChunks(
                &mut chunk,
                1,
                BOOL(0),
                BOOL(1),
                &mut sent,
                &mut completion_expected,
            )
        };
        Error::check("IHttpResponse::WriteEntityChunks", hr)
    }

    /// Sends the headers and what is buffered now; later writes follow.
    ///
    /// # Errors
    /// [`Error::Server`] (e.g. the client has gone).
    #[doc(alias = "Flush")]
    pub fn flush(&mut self) -> Result<()> {
        let mut sent = 0u32;
        let mut completion_expected = BOOL(0);
        let hr = self
            .iface()
            .Flush(BOOL(0), BOOL(1), &mut sent, &mut completion_expected);
        Error::check("IHttpResponse::Flush", hr)
    }

    /// Sends the headers and what is buffered, asynchronously (`Flush`
    /// with `fAsync = TRUE`), inside an `async fn` hook; later writes
    /// follow. In a full-duplex request it uses the callback form,
    /// `IHttpResponse2::Flush`, as [`write_async`](Self::write_async) does.
    ///
    /// # Errors
    /// [`Error::Module`] outside an `async fn` hook; [`Error::Server`]
    /// (e.g. the client has gone).
    #[doc(alias = "Flush", alias = "IHttpResponse2::Flush")]
    pub fn flush_async(&mut self) -> FlushResponse<'_> {
        FlushResponse {
            response: self,
            ticket: None,
        }
    }

    /// Redirects the client to `url` (302 unless the status was set and
    /// `reset_status` is false).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a URL with CR, LF, NUL or control
    /// characters; [`Error::TooLong`] over 65,535 bytes; [`Error::Server`].
    #[doc(alias = "Redirect")]
    pub fn redirect(&mut self, url: &str, reset_status: bool, include_query: bool) -> Result<()> {
        headers::validate_text(url.as_bytes(), "redirect URL")?;
        let url = self.pool.c_str(url.as_bytes(), "redirect URL")?;
        let hr = self
            .iface()
            .Redirect(url, BOOL::from(reset_status), BOOL::from(include_query));
        Error::check("IHttpResponse::Redirect", hr)
    }

    /// Sends every write as it happens instead of buffering the response.
    #[doc(alias = "DisableBuffering")]
    pub fn disable_buffering(&mut self) {
        self.iface().DisableBuffering()
    }

    /// Sends no response headers at all.
    #[doc(alias = "SuppressHeaders")]
    pub fn suppress_headers(&mut self) {
        self.iface().SuppressHeaders()
    }

    /// Whether headers are suppressed.
    #[doc(alias = "GetHeadersSuppressed")]
    pub fn headers_suppressed(&self) -> bool {
        self.iface().GetHeadersSuppressed().as_bool()
    }

    /// Keeps this response out of the HTTP.sys kernel cache, giving IIS's
    /// reason code.
    #[doc(alias = "DisableKernelCache")]
    pub fn disable_kernel_cache(&mut self, reason: u32) {
        self.iface().DisableKernelCache(reason)
    }

    /// Whether the kernel cache may store this response.
    #[doc(alias = "GetKernelCacheEnabled")]
    pub fn kernel_cache_enabled(&self) -> bool {
        self.iface().GetKernelCacheEnabled().as_bool()
    }

    /// Sends the response, then closes the connection (no keep-alive).
    #[doc(alias = "SetNeedDisconnect")]
    pub fn set_need_disconnect(&mut self) {
        self.iface().SetNeedDisconnect()
    }

    /// Closes the connection once the response is sent.
    #[doc(alias = "CloseConnection")]
    pub fn close_connection(&mut self) {
        self.iface().CloseConnection()
    }

    /// Aborts the connection with a TCP reset: nothing buffered reaches the
    /// client.
    ///
    /// The hook must then finish the request: return the returned token's
    /// [`finish`](ConnectionReset::finish). A hook that returns anything else
    /// is logged as an error and the SDK finishes the request anyway.
    #[doc(alias = "ResetConnection")]
    pub fn reset_connection(&mut self) -> ConnectionReset {
        self.iface().ResetConnection();
        self.reset = true;
        ConnectionReset(())
    }

    /// Sets the text IIS shows on its detailed error page.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for text with NUL; [`Error::Server`].
    #[doc(alias = "SetErrorDescription")]
    pub fn set_error_description(&mut self, text: &str, html_encode: bool) -> Result<()> {
        let (text, len) = self.pool.wide(text, "error description")?;
        // SAFETY: `text` holds `len` units (and a NUL).
        let hr = unsafe {
            self.iface()
                .SetErrorDescription(PCWSTR(text.as_ptr()), len, BOOL::from(html_encode))
        };
        Error::check("IHttpResponse::SetErrorDescription", hr)
    }

    /// The text of IIS's detailed error page, if set.
    ///
    /// # Errors
    /// [`Error::Encoding`] for invalid UTF-16.
    #[doc(alias = "GetErrorDescription")]
    pub fn error_description(&self) -> Result<Option<String>> {
        let mut len = 0u32;
        let text = self.iface().GetErrorDescription(&mut len);
        // SAFETY: IIS returns a NUL-terminated string or null.
        unsafe { ffi::wide_to_string(text, "error description") }
    }

    /// The HTTP/2 features of `IHttpResponse4` (trailers, stream reset,
    /// GOAWAY), or `None` on servers without it (before IIS 10).
    #[doc(alias = "IHttpResponse4")]
    pub fn http2(&mut self) -> Option<Http2Response<'_>> {
        let server = self.server?;
        let raw = extended_interface::<_, IHttpResponse4>(server, self.iface())?;
        Some(Http2Response::new(raw, self.pool))
    }
}

/// The HTTP.sys view of a response (`HTTP_RESPONSE`), from
/// [`HttpResponse::raw`].
#[derive(Debug, Clone, Copy)]
pub struct RawResponse<'a> {
    raw: &'a iis_sys::HTTP_RESPONSE_V1,
}

impl RawResponse<'_> {
    /// The status code (`StatusCode`).
    pub fn status_code(&self) -> u16 {
        self.raw.StatusCode
    }

    /// How many entity chunks are buffered (`EntityChunkCount`).
    pub fn entity_chunk_count(&self) -> usize {
        self.raw.EntityChunkCount.into()
    }

    /// Every response header set so far, in the order of IIS's table: the
    /// known headers (`KnownHeaders`, by `HTTP_HEADER_ID`) with their
    /// canonical names, then the others (`pUnknownHeaders`) as the modules
    /// named them. The counterpart of
    /// [`RawRequest::headers`](crate::request::RawRequest::headers).
    ///
    /// ```no_run
    /// # use iis_module::prelude::*;
    /// # fn hook(cx: &mut HttpContext) -> Result<()> {
    /// for (name, value) in cx.response().raw()?.headers() {
    ///     println!("{name}: {}", String::from_utf8_lossy(value));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn headers(&self) -> impl Iterator<Item = (&str, &[u8])> + '_ {
        let headers = &self.raw.Headers;
        // SAFETY: IIS's table, alive as long as the response (this view
        // borrows it); changes need `&mut HttpResponse`.
        unsafe {
            crate::request::http_request::header_table(
                &headers.KnownHeaders,
                &iis_sys::HTTP_RESPONSE_HEADER_NAMES,
                headers.pUnknownHeaders,
                headers.UnknownHeaderCount,
            )
        }
    }
}

/// An `HttpDataChunkFromMemory` chunk of `len` bytes at `data`.
pub(crate) fn memory_chunk(data: *mut u8, len: u32) -> HTTP_DATA_CHUNK {
    HTTP_DATA_CHUNK {
        DataChunkType: HttpDataChunkFromMemory,
        Anonymous: HTTP_DATA_CHUNK_0 {
            FromMemory: HTTP_DATA_CHUNK_0_0 {
                pBuffer: data.cast(),
                BufferLength: len,
            },
        },
    }
}

/// Whether `code` can end a response: 200–599, or 101 (the upgrade).
fn is_final_status(code: u16) -> bool {
    code == 101 || (200..=599).contains(&code)
}

#[cfg(test)]
mod status_tests {
    use super::is_final_status;

    #[test]
    fn only_final_statuses_and_the_upgrade_end_a_response() {
        for code in [101, 200, 204, 304, 404, 500, 599] {
            assert!(is_final_status(code), "{code}");
        }
        for code in [0, 99, 100, 102, 103, 199, 600, 999] {
            assert!(!is_final_status(code), "{code}");
        }
    }
}
