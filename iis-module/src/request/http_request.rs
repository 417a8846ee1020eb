//! `IHttpRequest`: method, URL, headers, addresses and the entity body.

use super::headers::{self, HeaderKey, HeaderRef, Side};
use super::memory::RequestPool;
use crate::ffi::{self};
use crate::task::{IoRef, ReadBody};
use crate::{Error, Result};
use core::marker::PhantomData;
use http::{Method, Version};
use iis_sys::Ref;
use iis_sys::{AF_INET, AF_INET6, HRESULT_ERROR_HANDLE_EOF, HRESULT_ERROR_NOT_FOUND, IHttpRequest};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use windows_core::BOOL;

/// The request being processed (`IHttpRequest`).
///
/// Borrowed from [`HttpContext::request`](crate::HttpContext::request) for
/// the length of one notification.
///
/// ```no_run
/// # use iis_module::prelude::*;
/// # fn hook(cx: &mut HttpContext) -> Result<Flow> {
/// let request = cx.request();
/// if request.method()? == Method::POST && request.header_str("X-Block")?.is_some() {
///     cx.response().set_status(StatusCode::FORBIDDEN)?;
///     return Ok(Flow::FinishRequest);
/// }
/// Ok(Flow::Continue)
/// # }
/// ```
#[derive(Debug)]
pub struct HttpRequest {
    /// `'static` stands for the life of this view, which the context's
    /// view lends (see `HttpContext`'s `raw`).
    raw: Ref<'static, IHttpRequest>,
    pool: RequestPool,
    /// The I/O state of the task whose context this view belongs to.
    io: Option<IoRef>,
    _not_sync: PhantomData<core::cell::Cell<()>>,
}

// SAFETY: as for `HttpContext`, which lends this view: one thread at a time,
// inside the request's notifications.
unsafe impl Send for HttpRequest {}

impl HttpRequest {
    /// The view of `raw`, the request of the request whose pool is `pool`.
    pub(crate) fn new(raw: Ref<'static, IHttpRequest>, pool: RequestPool) -> Self {
        Self {
            raw,
            pool,
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

    /// The raw `IHttpRequest`, for calls the safe API does not wrap.
    pub fn as_raw(&self) -> *mut IHttpRequest {
        self.raw.as_ptr()
    }

    /// The `IHttpRequest`, live while `self` is (`new`'s contract).
    #[inline(always)]
    pub(crate) fn iface(&self) -> Ref<'_, IHttpRequest> {
        self.raw
    }

    /// The HTTP method.
    ///
    /// # Errors
    /// [`Error::NullPointer`]; [`Error::InvalidInput`] if the server holds a
    /// method that is not an HTTP token.
    #[doc(alias = "GetHttpMethod")]
    pub fn method(&self) -> Result<Method> {
        let method = self.iface().GetHttpMethod();
        // SAFETY: IIS returns a NUL-terminated method or null.
        let bytes = unsafe { ffi::c_bytes(method) }.ok_or(Error::NullPointer {
            operation: "IHttpRequest::GetHttpMethod",
        })?;
        Method::from_bytes(bytes).map_err(|_| Error::InvalidInput {
            what: "HTTP method",
            reason: "not an HTTP token",
        })
    }

    /// Changes the HTTP method seen by later modules and the handler.
    ///
    /// # Errors
    /// [`Error::Server`].
    #[doc(alias = "SetHttpMethod")]
    pub fn set_method(&mut self, method: &Method) -> Result<()> {
        let method = self.pool.c_str(method.as_str().as_bytes(), "HTTP method")?;
        let hr = self.iface().SetHttpMethod(method);
        Error::check("IHttpRequest::SetHttpMethod", hr)
    }

    fn raw_request(&self) -> Result<&iis_sys::HTTP_REQUEST_V1> {
        let raw = self.iface().GetRawHttpRequest();
        // SAFETY: IIS's HTTP_REQUEST lives as long as the request; we only
        // read it while `self` is borrowed.
        unsafe { raw.as_ref() }
            .map(|r| &r.Base)
            .ok_or(Error::NullPointer {
                operation: "IHttpRequest::GetRawHttpRequest",
            })
    }

    /// A read-only view of the HTTP.sys `HTTP_REQUEST` structure IIS keeps
    /// for the request: verb, version, URLs, TLS.
    ///
    /// # Errors
    /// [`Error::NullPointer`] if IIS has none.
    #[doc(alias = "GetRawHttpRequest")]
    pub fn raw(&self) -> Result<RawRequest<'_>> {
        Ok(RawRequest {
            raw: self.raw_request()?,
        })
    }

    /// The request target exactly as the client sent it (`/a%20b?x=1`).
    ///
    /// # Errors
    /// [`Error::NullPointer`].
    #[doc(alias = "GetRawHttpRequest")]
    pub fn raw_url(&self) -> Result<&[u8]> {
        Ok(self.raw()?.counted(Counted::RawUrl).unwrap_or_default())
    }

    /// The decoded path of the URL (`/a b`), without the query string.
    ///
    /// # Errors
    /// [`Error::NullPointer`]; [`Error::Encoding`] (with `from_client`: a
    /// `400` if a hook returns it).
    #[doc(alias = "GetRawHttpRequest")]
    pub fn url(&self) -> Result<String> {
        self.raw()?.cooked(Cooked::AbsPath, "URL path")
    }

    /// The query string without the leading `?` (empty if none).
    ///
    /// # Errors
    /// [`Error::NullPointer`]; [`Error::Encoding`] (with `from_client`: a
    /// `400` if a hook returns it).
    #[doc(alias = "GetRawHttpRequest")]
    pub fn query(&self) -> Result<String> {
        let query = self.raw()?.cooked(Cooked::QueryString, "query string")?;
        Ok(query.strip_prefix('?').map(str::to_string).unwrap_or(query))
    }

    /// Rewrites the URL (path and optionally query) for the rest of the
    /// pipeline.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for CR, LF, NUL or control characters;
    /// [`Error::TooLong`] over 65,535 bytes; [`Error::Server`].
    #[doc(alias = "SetUrl")]
    pub fn set_url(&mut self, url: &str, reset_query: bool) -> Result<()> {
        let len = u32::from(headers::validate_text(url.as_bytes(), "URL")?);
        let url = self.pool.c_str(url.as_bytes(), "URL")?;
        // SAFETY: a NUL-terminated pool string of `len` bytes.
        let hr = unsafe {
            self.iface()
                .SetUrlA(ffi::pcstr(url), len, BOOL::from(reset_query))
        };
        Error::check("IHttpRequest::SetUrl", hr)
    }

    /// A request header's value as bytes, if present.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an invalid name.
    #[doc(alias = "GetHeader")]
    pub fn header(&self, name: impl HeaderKey) -> Result<Option<&[u8]>> {
        let (name, validate) = headers::key_name(&name);
        let mut len = 0u16;
        let value = match headers::resolve_name(name, validate, Side::Request, &self.pool)? {
            HeaderRef::Id(id) => self.iface().GetHeader(id, &mut len),
            HeaderRef::Name(name) => self.iface().GetHeaderByName(name, &mut len),
        };
        // SAFETY: IIS returns the value with its length; valid until the
        // header changes, which needs `&mut self`.
        Ok(unsafe { ffi::bytes(value, len.into()) }.filter(|v| !v.is_empty()))
    }

    /// A request header's value as text, if present.
    ///
    /// # Errors
    /// [`Error::Encoding`] (with `from_client`) if the client sent a value
    /// that is not UTF-8 (use [`header`](Self::header) for the bytes): a
    /// hook that returns it with `?` answers `400 Bad Request`.
    /// [`Error::InvalidInput`] for an invalid name.
    #[doc(alias = "GetHeader")]
    pub fn header_str(&self, name: impl HeaderKey) -> Result<Option<&str>> {
        self.header(name)?
            .map(|v| ffi::client_utf8(v, "request header value"))
            .transpose()
    }

    /// Sets (or with `replace = false`, appends to) a request header, as seen
    /// by later modules and the handler.
    ///
    /// # Errors
    /// As [`HttpResponse::set_header`](crate::HttpResponse::set_header).
    #[doc(alias = "SetHeader")]
    pub fn set_header(
        &mut self,
        name: impl HeaderKey,
        value: impl AsRef<[u8]>,
        replace: bool,
    ) -> Result<()> {
        let ((name, validate), value) = (headers::key_name(&name), value.as_ref());
        headers::validate_value(value)?;
        let replace = BOOL::from(replace);
        let request = self.iface();
        // IIS copies the value, which only needs to live for the call.
        let hr = match headers::resolve_name(name, validate, Side::Request, &self.pool)? {
            HeaderRef::Id(id) => request.SetHeader(id, value, replace),
            HeaderRef::Name(name) => request.SetHeaderByName(name, value, replace),
        };
        Error::check("IHttpRequest::SetHeader", hr)
    }

    /// Removes a request header.
    ///
    /// # Errors
    /// [`Error::InvalidInput`]; [`Error::Server`].
    #[doc(alias = "DeleteHeader")]
    pub fn delete_header(&mut self, name: impl HeaderKey) -> Result<()> {
        let (name, validate) = headers::key_name(&name);
        let hr = match headers::resolve_name(name, validate, Side::Request, &self.pool)? {
            HeaderRef::Id(id) => self.iface().DeleteHeader(id),
            HeaderRef::Name(name) => self.iface().DeleteHeaderByName(name),
        };
        Error::check("IHttpRequest::DeleteHeader", hr)
    }

    /// The HTTP version of the request.
    #[doc(alias = "GetHttpVersion")]
    pub fn version(&self) -> Version {
        let (mut major, mut minor) = (0u16, 0u16);
        self.iface().GetHttpVersion(&mut major, &mut minor);
        version_of(major, minor)
    }

    /// The client's address.
    #[doc(alias = "GetRemoteAddress")]
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        socket_addr(self.iface(), true)
    }

    /// The server address the request arrived on.
    #[doc(alias = "GetLocalAddress")]
    pub fn local_addr(&self) -> Option<SocketAddr> {
        socket_addr(self.iface(), false)
    }

    /// Reads entity body bytes into `buf`; `Ok(0)` at the end of the body.
    ///
    /// # Errors
    /// [`Error::Server`] (e.g. the client disconnected).
    #[doc(alias = "ReadEntityBody")]
    pub fn read_body(&mut self, buf: &mut [u8]) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let len = u32::try_from(buf.len()).unwrap_or(u32::MAX);
        let (mut received, mut pending) = (0u32, BOOL(0));
        // SAFETY: `buf` is writable for `len` bytes; a synchronous read
        // completes before returning.
        let hr = unsafe {
            self.iface().ReadEntityBody(
                buf.as_mut_ptr().cast(),
                len,
                BOOL(0),
                &mut received,
                &mut pending,
            )
        };
        if hr == HRESULT_ERROR_HANDLE_EOF {
            return Ok(0);
        }
        Error::check("IHttpRequest::ReadEntityBody", hr)?;
        Ok(received as usize)
    }

    /// Reads the rest of the entity body.
    ///
    /// # Errors
    /// As [`read_body`](Self::read_body).
    pub fn read_body_to_end(&mut self) -> Result<Vec<u8>> {
        let mut body = Vec::with_capacity(self.remaining_body_bytes() as usize);
        let mut buf = [0u8; 8192];
        loop {
            let n = self.read_body(&mut buf)?;
            if n == 0 {
                return Ok(body);
            }
            body.extend_from_slice(&buf[..n]);
        }
    }

    /// Reads entity body bytes into `buf` asynchronously (`ReadEntityBody`
    /// with `fAsync = TRUE`), inside an `async fn` hook; `Ok(0)` at the end
    /// of the body. IIS reads into a buffer the hook's task owns; bytes a
    /// dropped read received go to the next read. In a full-duplex request
    /// ([`HttpContext::enable_full_duplex`](crate::HttpContext::enable_full_duplex))
    /// it uses the callback form, `IHttpRequest3::ReadEntityBody`, and may
    /// be in flight while a write is.
    ///
    /// # Errors
    /// [`Error::Module`] outside an `async fn` hook; [`Error::Server`]
    /// (e.g. the client disconnected).
    #[doc(alias = "ReadEntityBody", alias = "IHttpRequest3::ReadEntityBody")]
    pub fn read_body_async<'a>(&'a mut self, buf: &'a mut [u8]) -> ReadBody<'a> {
        ReadBody { request: self, buf }
    }

    /// Reads the rest of the entity body asynchronously, at most `limit`
    /// bytes.
    ///
    /// # Errors
    /// As [`read_body_async`](Self::read_body_async); [`Error::TooLong`]
    /// if the body is longer than `limit`.
    #[doc(alias = "ReadEntityBody")]
    pub async fn read_body_to_end_async(&mut self, limit: usize) -> Result<Vec<u8>> {
        let mut body = Vec::with_capacity((self.remaining_body_bytes() as usize).min(limit));
        let mut buf = [0u8; 16 * 1024];
        loop {
            let n = self.read_body_async(&mut buf).await?;
            if n == 0 {
                return Ok(body);
            }
            if body.len() + n > limit {
                return Err(Error::TooLong {
                    what: "entity body",
                    len: body.len() + n,
                    max: limit,
                });
            }
            body.extend_from_slice(&buf[..n]);
        }
    }

    /// How many entity body bytes the client has yet to send.
    #[doc(alias = "GetRemainingEntityBytes")]
    pub fn remaining_body_bytes(&self) -> u32 {
        self.iface().GetRemainingEntityBytes()
    }

    /// Puts bytes in front of the entity body the handler will read (the
    /// bytes are copied into request memory, which IIS keeps).
    ///
    /// # Errors
    /// [`Error::TooLong`] above 4 GiB; [`Error::Server`].
    #[doc(alias = "InsertEntityBody")]
    pub fn insert_entity_body(&mut self, bytes: &[u8]) -> Result<()> {
        let len = u32::try_from(bytes.len()).map_err(|_| Error::TooLong {
            what: "entity body",
            len: bytes.len(),
            max: u32::MAX as usize,
        })?;
        let copy = self.pool.copy(bytes, "entity body")?;
        // SAFETY: `len` bytes of pool memory, which outlives the request.
        let hr = unsafe { self.iface().InsertEntityBody(copy.as_ptr().cast(), len) };
        Error::check("IHttpRequest::InsertEntityBody", hr)
    }

    /// The IIS site id the request belongs to.
    #[doc(alias = "GetSiteId")]
    pub fn site_id(&self) -> u32 {
        self.iface().GetSiteId()
    }

    /// The URL the request is forwarded to: what the last
    /// [`set_url`](Self::set_url) set when it named another host (an
    /// absolute URL); `None` after a local URL or none.
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetForwardedUrl")]
    pub fn forwarded_url(&self) -> Result<Option<String>> {
        let url = self.iface().GetForwardedUrl();
        // SAFETY: NUL-terminated or null.
        Ok(unsafe { ffi::wide_to_string(url, "forwarded URL") }?.filter(|u| !u.is_empty()))
    }

    /// The certificate the client presented over TLS, or `None` (plain
    /// HTTP, or the client sent none).
    ///
    /// # Errors
    /// [`Error::Server`].
    #[doc(alias = "GetClientCertificate")]
    pub fn client_certificate(&self) -> Result<Option<ClientCertificate<'_>>> {
        let mut info = core::ptr::null_mut();
        let mut negotiated = BOOL(0);
        let hr = self
            .iface()
            .GetClientCertificate(&mut info, &mut negotiated);
        if hr == HRESULT_ERROR_NOT_FOUND {
            return Ok(None);
        }
        Error::check("IHttpRequest::GetClientCertificate", hr)?;
        // SAFETY: IIS keeps the certificate info for the request.
        let Some(info) = (unsafe { info.as_ref() }) else {
            return Ok(None);
        };
        // SAFETY: http.h gives the encoded certificate with its size.
        let encoded = unsafe {
            ffi::bytes(
                windows_core::PCSTR(info.pCertEncoded),
                info.CertEncodedSize as usize,
            )
        }
        .unwrap_or_default();
        Ok(Some(ClientCertificate {
            encoded,
            flags: info.CertFlags,
            negotiated: negotiated.as_bool(),
        }))
    }

    /// Asks a TLS client for its certificate (renegotiation), synchronously.
    ///
    /// # Errors
    /// [`Error::Server`] (e.g. plain HTTP).
    #[doc(alias = "NegotiateClientCertificate")]
    pub fn negotiate_client_certificate(&mut self) -> Result<()> {
        let mut pending = BOOL(0);
        let hr = self
            .iface()
            .NegotiateClientCertificate(BOOL(0), &mut pending);
        Error::check("IHttpRequest::NegotiateClientCertificate", hr)
    }

    /// Whether an earlier module rewrote the URL.
    #[doc(alias = "GetUrlChanged")]
    pub fn url_changed(&self) -> bool {
        self.iface().GetUrlChanged().as_bool()
    }
}

/// A TLS client certificate (`HTTP_SSL_CLIENT_CERT_INFO`), from
/// [`HttpRequest::client_certificate`].
#[derive(Debug, Clone, Copy)]
pub struct ClientCertificate<'a> {
    /// The DER-encoded certificate (`pCertEncoded`).
    pub encoded: &'a [u8],
    /// HTTP.sys's `CertFlags` (the chain-verification result).
    pub flags: u32,
    /// Whether the certificate was negotiated before this call.
    pub negotiated: bool,
}

/// The HTTP.sys view of a request (`HTTP_REQUEST`), from
/// [`HttpRequest::raw`]; borrowed from the request for as long as nothing
/// changes it.
#[derive(Debug, Clone, Copy)]
pub struct RawRequest<'a> {
    /// The structure IIS keeps for the request (only [`HttpRequest::raw`]
    /// makes the view): each of its pointers is null or readable for its
    /// length (http.h's), for `'a`.
    raw: &'a iis_sys::HTTP_REQUEST_V1,
}

/// A counted narrow string of `HTTP_REQUEST`.
#[derive(Debug, Clone, Copy)]
enum Counted {
    /// `pRawUrl`, `RawUrlLength`.
    RawUrl,
    /// `pUnknownVerb`, `UnknownVerbLength`.
    UnknownVerb,
}

/// A counted UTF-16 string of `HTTP_REQUEST`'s `CookedUrl`.
#[derive(Debug, Clone, Copy)]
enum Cooked {
    /// `pFullUrl`, `FullUrlLength`.
    FullUrl,
    /// `pAbsPath`, `AbsPathLength`.
    AbsPath,
    /// `pQueryString`, `QueryStringLength`.
    QueryString,
}

impl<'a> RawRequest<'a> {
    /// One of the structure's counted narrow strings (`None` for null).
    fn counted(&self, which: Counted) -> Option<&'a [u8]> {
        let raw = self.raw;
        let (ptr, len) = match which {
            Counted::RawUrl => (raw.pRawUrl, raw.RawUrlLength),
            Counted::UnknownVerb => (raw.pUnknownVerb, raw.UnknownVerbLength),
        };
        // SAFETY: a pointer of the structure with its length in bytes,
        // readable for `'a` (the field's invariant).
        unsafe { ffi::bytes(ptr, len.into()) }
    }

    /// One of the cooked URL's counted UTF-16 strings, decoded (empty for
    /// null): the client's URL as HTTP.sys decoded it, so a failure is the
    /// client's.
    fn cooked(&self, which: Cooked, what: &'static str) -> Result<String> {
        let url = &self.raw.CookedUrl;
        let (ptr, len) = match which {
            Cooked::FullUrl => (url.pFullUrl, url.FullUrlLength),
            Cooked::AbsPath => (url.pAbsPath, url.AbsPathLength),
            Cooked::QueryString => (url.pQueryString, url.QueryStringLength),
        };
        // SAFETY: a pointer of the structure with its length in bytes
        // (whole units: `len / 2`), readable for `'a` (the field's
        // invariant).
        let units = unsafe { ffi::wide_units(ptr, usize::from(len) / 2) };
        String::from_utf16(units.unwrap_or_default()).map_err(|_| Error::Encoding {
            what,
            encoding: "UTF-16",
            from_client: true,
        })
    }

    /// The verb HTTP.sys parsed (`Verb`, or `pUnknownVerb` for
    /// `HttpVerbUnknown`); `None` for an unparsed or invalid verb.
    pub fn verb(&self) -> Option<Method> {
        use iis_sys::*;
        const KNOWN: [(HTTP_VERB, &str); 17] = [
            (HttpVerbOPTIONS, "OPTIONS"),
            (HttpVerbGET, "GET"),
            (HttpVerbHEAD, "HEAD"),
            (HttpVerbPOST, "POST"),
            (HttpVerbPUT, "PUT"),
            (HttpVerbDELETE, "DELETE"),
            (HttpVerbTRACE, "TRACE"),
            (HttpVerbCONNECT, "CONNECT"),
            (HttpVerbTRACK, "TRACK"),
            (HttpVerbMOVE, "MOVE"),
            (HttpVerbCOPY, "COPY"),
            (HttpVerbPROPFIND, "PROPFIND"),
            (HttpVerbPROPPATCH, "PROPPATCH"),
            (HttpVerbMKCOL, "MKCOL"),
            (HttpVerbLOCK, "LOCK"),
            (HttpVerbUNLOCK, "UNLOCK"),
            (HttpVerbSEARCH, "SEARCH"),
        ];
        let verb = self.raw.Verb;
        if let Some((_, name)) = KNOWN.iter().find(|(v, _)| *v == verb) {
            return Method::from_bytes(name.as_bytes()).ok();
        }
        if verb != HttpVerbUnknown {
            return None;
        }
        Method::from_bytes(self.counted(Counted::UnknownVerb)?).ok()
    }

    /// The protocol version (`Version`).
    pub fn version(&self) -> Version {
        version_of(self.raw.Version.MajorVersion, self.raw.Version.MinorVersion)
    }

    /// The full URL HTTP.sys reconstructed (`CookedUrl.pFullUrl`,
    /// `http://host/path?query`).
    ///
    /// # Errors
    /// [`Error::Encoding`].
    pub fn full_url(&self) -> Result<String> {
        self.cooked(Cooked::FullUrl, "full URL")
    }

    /// Whether the connection uses TLS (`pSslInfo` is set).
    pub fn is_secure(&self) -> bool {
        !self.raw.pSslInfo.is_null()
    }

    /// The entity bytes HTTP.sys received with the request head
    /// (`BytesReceived`).
    pub fn bytes_received(&self) -> u64 {
        self.raw.BytesReceived
    }

    /// Every request header as HTTP.sys parsed it, in the order of its
    /// table: the known headers (`KnownHeaders`, by `HTTP_HEADER_ID`) with
    /// their canonical names, then the others (`pUnknownHeaders`) as sent.
    /// A header whose pointer is null is skipped.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &[u8])> + '_ {
        let headers = &self.raw.Headers;
        // SAFETY: HTTP.sys's table, alive with the request (as long as this
        // view).
        unsafe {
            header_table(
                &headers.KnownHeaders,
                &iis_sys::HTTP_REQUEST_HEADER_NAMES,
                headers.pUnknownHeaders,
                headers.UnknownHeaderCount,
            )
        }
    }
}

/// The headers of an http.h header table: the known ones (by
/// `HTTP_HEADER_ID`, named from `names`), then the unknown ones as sent;
/// one whose pointer is null is skipped, as is an unknown one whose name is
/// not UTF-8.
///
/// # Safety
/// Every non-null value pointer in `known` has its length readable, and
/// `unknown` is null or `count` entries whose names and values are too,
/// all alive for `'a`.
pub(crate) unsafe fn header_table<'a>(
    known: &'a [iis_sys::HTTP_KNOWN_HEADER],
    names: &'static [&'static str],
    unknown: *const iis_sys::HTTP_UNKNOWN_HEADER,
    count: u16,
) -> impl Iterator<Item = (&'a str, &'a [u8])> + 'a {
    let known = known.iter().zip(names).filter_map(|(header, name)| {
        // SAFETY: each value with its length, alive for `'a` (the contract).
        let value = unsafe { ffi::bytes(header.pRawValue, usize::from(header.RawValueLength)) }?;
        Some((*name, value))
    });
    let unknown: &[iis_sys::HTTP_UNKNOWN_HEADER] = if unknown.is_null() || count == 0 {
        &[]
    } else {
        // SAFETY: `count` entries at `unknown`, alive for `'a` (the contract).
        unsafe { core::slice::from_raw_parts(unknown, usize::from(count)) }
    };
    let unknown = unknown.iter().filter_map(|header| {
        // SAFETY: as above: name and value with their lengths.
        let (name, value) = unsafe {
            (
                ffi::bytes(header.pName, usize::from(header.NameLength))?,
                ffi::bytes(header.pRawValue, usize::from(header.RawValueLength))
                    .unwrap_or_default(),
            )
        };
        Some((core::str::from_utf8(name).ok()?, value))
    });
    known.chain(unknown)
}

/// An HTTP version from its numbers.
fn version_of(major: u16, minor: u16) -> Version {
    match (major, minor) {
        (0, 9) => Version::HTTP_09,
        (1, 0) => Version::HTTP_10,
        (2, _) => Version::HTTP_2,
        (3, _) => Version::HTTP_3,
        _ => Version::HTTP_11,
    }
}

/// Reads the IPv4 or IPv6 address of `request`: the client's
/// (`GetRemoteAddress`) if `remote`, else the server's (`GetLocalAddress`).
fn socket_addr(request: Ref<'_, IHttpRequest>, remote: bool) -> Option<SocketAddr> {
    let addr = if remote {
        request.GetRemoteAddress()
    } else {
        request.GetLocalAddress()
    };
    if addr.is_null() {
        return None;
    }
    // SAFETY: IIS returns null or a `SOCKADDR_IN` (16 bytes) or
    // `SOCKADDR_IN6` (28 bytes), as its family says, alive with the
    // request; either starts with 16 readable bytes. Copied, so alignment
    // does not matter.
    let head: [u8; 16] = unsafe { addr.cast::<[u8; 16]>().read_unaligned() };
    // The family, native order; then the port, network order.
    let family = i32::from(u16::from_ne_bytes([head[0], head[1]]));
    let port = u16::from_be_bytes([head[2], head[3]]);
    if family == AF_INET {
        let octets: [u8; 4] = head[4..8].try_into().ok()?;
        Some(SocketAddr::V4(SocketAddrV4::new(
            Ipv4Addr::from(octets),
            port,
        )))
    } else if family == AF_INET6 {
        // SAFETY: the family says this is a `SOCKADDR_IN6` (28 bytes), as
        // above.
        let full: [u8; 28] = unsafe { addr.cast::<[u8; 28]>().read_unaligned() };
        let flowinfo = u32::from_ne_bytes(full[4..8].try_into().ok()?);
        let octets: [u8; 16] = full[8..24].try_into().ok()?;
        Some(SocketAddr::V6(SocketAddrV6::new(
            Ipv6Addr::from(octets),
            port,
            flowinfo,
            0,
        )))
    } else {
        None
    }
}
