//! `IHttpRequest` samples: reading and changing the request.

use crate::util::{plain_text, write_message};
use iis_module::prelude::*;

/// `IHttpRequestGetHeader`: User-Agent and Accept-Language, or `(none)`.
pub(crate) struct RequestHeaders;

#[http_module]
impl HttpModule for RequestHeaders {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        plain_text(cx)?;
        let agent = text_or_none(cx.request().header("User-Agent")?);
        write_message(cx, "User-Agent: ", &agent)?;
        let language = text_or_none(cx.request().header("Accept-Language")?);
        write_message(cx, "\nAccept-Language: ", &language)?;
        Ok(Flow::FinishRequest)
    }
}

fn text_or_none(value: Option<&[u8]>) -> String {
    value.map_or_else(
        || "(none)".to_owned(),
        |v| String::from_utf8_lossy(v).into_owned(),
    )
}

/// `IHttpRequestGetHttpVersion`: `HTTP/major.minor`.
pub(crate) struct HttpVersion;

#[http_module]
impl HttpModule for HttpVersion {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let version = match cx.request().version() {
            http::Version::HTTP_09 => "HTTP/0.9",
            http::Version::HTTP_10 => "HTTP/1.0",
            http::Version::HTTP_2 => "HTTP/2.0",
            http::Version::HTTP_3 => "HTTP/3.0",
            _ => "HTTP/1.1",
        };
        plain_text(cx)?;
        write_message(cx, "HTTP version: ", version)?;
        Ok(Flow::FinishRequest)
    }
}

/// The samples' `byteToHexChar` rendering of an IPv4 address: `7F.00.00.01`.
/// Like them it reads the first four address bytes whatever the family.
fn dotted_hex(addr: Option<std::net::SocketAddr>) -> Option<String> {
    let octets = match addr? {
        std::net::SocketAddr::V4(v4) => v4.ip().octets(),
        std::net::SocketAddr::V6(v6) => {
            let all = v6.ip().octets();
            [all[0], all[1], all[2], all[3]]
        }
    };
    Some(
        octets
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join("."),
    )
}

/// `IHttpRequestGetLocalAddress`: the server address, in dotted hex.
pub(crate) struct LocalAddress;

#[http_module]
impl HttpModule for LocalAddress {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let Some(address) = dotted_hex(cx.request().local_addr()) else {
            return Ok(Flow::Continue);
        };
        plain_text(cx)?;
        write_message(cx, "IP Address: ", &address)?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpRequestGetRemoteAddress`: the client address, in dotted hex.
pub(crate) struct RemoteAddress;

#[http_module]
impl HttpModule for RemoteAddress {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let Some(address) = dotted_hex(cx.request().remote_addr()) else {
            return Ok(Flow::Continue);
        };
        plain_text(cx)?;
        write_message(cx, "IP Address: ", &address)?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpRequestGetRawHttpRequest`: reads verb and version from HTTP.sys's
/// structure; nothing visible.
pub(crate) struct RawRequestRead;

#[http_module]
impl HttpModule for RawRequestRead {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let raw = cx.request().raw()?;
        log::debug!("verb {:?}, version {:?}", raw.verb(), raw.version());
        Ok(Flow::Continue)
    }
}

/// `IHttpRequestGetRemainingEntityBytes`: the unread entity length.
pub(crate) struct RemainingEntityBytes;

#[http_module]
impl HttpModule for RemainingEntityBytes {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let remaining = cx.request().remaining_body_bytes();
        plain_text(cx)?;
        write_message(cx, "Remaining entity bytes: ", &remaining.to_string())?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpRequestGetSiteId`: the site id.
pub(crate) struct SiteId;

#[http_module]
impl HttpModule for SiteId {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let id = cx.request().site_id();
        plain_text(cx)?;
        write_message(cx, "Site ID: ", &id.to_string())?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpRequestGetUrlChanged`: at SendResponse, whether a module rewrote
/// the URL.
pub(crate) struct UrlChanged;

#[http_module]
impl HttpModule for UrlChanged {
    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        let changed = cx.request().url_changed();
        plain_text(cx)?;
        write_message(cx, "Url changed: ", if changed { "true" } else { "false" })?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpRequestInsertEntityBody` (and `IHttpRequestSetEntityBody`, which
/// meant the same but calls a method httpserv.h lacks): `Hello world!` in
/// front of the entity body the handler reads.
pub(crate) struct InsertEntityBody;

#[http_module]
impl HttpModule for InsertEntityBody {
    fn on_begin_request(&mut self, cx: &mut HttpContext, provider: &mut Event) -> Result<Flow> {
        if let Err(error) = cx.request().insert_entity_body(b"Hello world!") {
            provider.set_error_status(error.hresult());
            return Ok(Flow::FinishRequest);
        }
        Ok(Flow::Continue)
    }
}

/// `IHttpRequestReadEntityBody`: echoes a request body, read in 1 KB
/// pieces; requests without one continue.
pub(crate) struct EchoEntityBody;

#[http_module]
impl HttpModule for EchoEntityBody {
    fn on_begin_request(&mut self, cx: &mut HttpContext, provider: &mut Event) -> Result<Flow> {
        plain_text(cx)?;
        if cx.request().remaining_body_bytes() == 0 {
            return Ok(Flow::Continue);
        }
        let mut buffer = [0u8; 1024];
        while cx.request().remaining_body_bytes() != 0 {
            let read = match cx.request().read_body(&mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(error) => {
                    provider.set_error_status(error.hresult());
                    return Ok(Flow::FinishRequest);
                }
            };
            if let Err(error) = cx.response().write(&buffer[..read]) {
                provider.set_error_status(error.hresult());
                return Ok(Flow::FinishRequest);
            }
        }
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpRequestDeleteHeader`: later modules no longer see User-Agent and
/// Accept-Language.
pub(crate) struct DeleteRequestHeaders;

#[http_module]
impl HttpModule for DeleteRequestHeaders {
    fn on_begin_request(&mut self, cx: &mut HttpContext, provider: &mut Event) -> Result<Flow> {
        for name in ["User-Agent", "Accept-Language"] {
            if let Err(error) = cx.request().delete_header(name) {
                provider.set_error_status(error.hresult());
                return Ok(Flow::FinishRequest);
            }
        }
        Ok(Flow::Continue)
    }
}

/// `IHttpRequestSetHeader`: later modules see User-Agent `Test Browser`
/// and Accept-Language `en-ie`.
pub(crate) struct SetRequestHeaders;

#[http_module]
impl HttpModule for SetRequestHeaders {
    fn on_begin_request(&mut self, cx: &mut HttpContext, provider: &mut Event) -> Result<Flow> {
        for (name, value) in [("User-Agent", "Test Browser"), ("Accept-Language", "en-ie")] {
            if let Err(error) = cx.request().set_header(name, value, true) {
                provider.set_error_status(error.hresult());
                return Ok(Flow::FinishRequest);
            }
        }
        Ok(Flow::Continue)
    }
}

/// `IHttpRequestSetHttpMethod`: the request goes on as `OPTIONS`.
pub(crate) struct SetMethodOptions;

#[http_module]
impl HttpModule for SetMethodOptions {
    fn on_begin_request(&mut self, cx: &mut HttpContext, provider: &mut Event) -> Result<Flow> {
        if let Err(error) = cx.request().set_method(&Method::OPTIONS) {
            provider.set_error_status(error.hresult());
            return Ok(Flow::FinishRequest);
        }
        Ok(Flow::Continue)
    }
}

/// `IHttpRequestSetUrl`: every request is rewritten to
/// `/example/default.aspx`, query string reset.
pub(crate) struct RewriteUrl;

#[http_module]
impl HttpModule for RewriteUrl {
    fn on_begin_request(&mut self, cx: &mut HttpContext, provider: &mut Event) -> Result<Flow> {
        if let Err(error) = cx.request().set_url("/example/default.aspx", true) {
            provider.set_error_status(error.hresult());
            return Ok(Flow::FinishRequest);
        }
        Ok(Flow::Continue)
    }
}

/// `IHttpRequestGetForwardedUrl`: at SendResponse the URL is set to
/// `http://www.microsoft.com/`; a forwarded URL replaces the response.
pub(crate) struct ForwardedUrl;

#[http_module]
impl HttpModule for ForwardedUrl {
    fn on_send_response(
        &mut self,
        cx: &mut HttpContext,
        provider: &mut SendResponse,
    ) -> Result<Flow> {
        if let Err(error) = cx.request().set_url("http://www.microsoft.com/", true) {
            provider.set_error_status(error.hresult());
            return Ok(Flow::FinishRequest);
        }
        let Some(url) = cx.request().forwarded_url()? else {
            return Ok(Flow::Continue);
        };
        plain_text(cx)?;
        write_message(cx, "Forwarded URL: ", &url)?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpRequestGetClientCertificate`: traces the URL; over TLS, the
/// client certificate's size and CRC-32; never changes the response.
pub(crate) struct ClientCertificateTrace {
    pub(crate) calls: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

#[http_module]
impl HttpModule for ClientCertificateTrace {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let count = self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        let raw = cx.request().raw()?;
        log::debug!("cnt = {count} URI: {}", raw.full_url()?);
        if !raw.is_secure() {
            log::debug!("connection is not using SSL");
            return Ok(Flow::Continue);
        }
        match cx.request().client_certificate() {
            Ok(Some(cert)) => log::debug!(
                "cert size: {} Previously negotiated {} crc: {:08x}",
                cert.encoded.len(),
                cert.negotiated,
                crc32(cert.encoded)
            ),
            Ok(None) => log::debug!("Cert not found"),
            Err(error) => log::debug!("GetClientCertificate: {error}"),
        }
        Ok(Flow::Continue)
    }
}

/// The CRC-32 (IEEE) the sample's crc.cpp computes.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
