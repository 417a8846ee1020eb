//! The `http::Request` a service gets for an IIS request, and the
//! extensions that carry what IIS knows about it.

use crate::body::{Ask, RequestBody};
use bytes::Bytes;
use iis_module::{Error, HttpContext, Result};
use std::net::SocketAddr;
use tokio::sync::{mpsc, oneshot};

/// The client's address (`IHttpRequest::GetRemoteAddress`), as axum's
/// `ConnectInfo` gives it elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteAddr(pub SocketAddr);

/// The server's address the request arrived on
/// (`IHttpRequest::GetLocalAddress`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalAddr(pub SocketAddr);

/// The request target exactly as the client sent it; the request's URI is
/// the URL after any rewrite (URL Rewrite, another module's `SetUrl`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawUrl(pub Bytes);

/// The user IIS authenticated (Windows, Basic, client certificate, or a
/// module's own): present only when the request is not anonymous.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowsUser {
    /// The user's name (`IHttpUser::GetUserName`), e.g. `DOMAIN\user`.
    pub name: String,
    /// How it was authenticated (`GetAuthenticationType`): `Negotiate`,
    /// `NTLM`, `Basic`, …
    pub authentication_type: String,
}

/// The Windows token of the authenticated user (Windows only): a duplicate
/// of IIS's impersonation token that the service owns, for
/// `ImpersonateLoggedOnUser` or access checks, valid after the request too.
/// Present when [`WindowsUser`] is and IIS has a token for the user.
#[cfg(windows)]
#[derive(Debug, Clone)]
pub struct WindowsToken(pub std::sync::Arc<std::os::windows::io::OwnedHandle>);

/// The IIS site of the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The site's id (`IHttpSite::GetSiteId`).
    pub id: u32,
    /// The site's name (`GetSiteName`).
    pub name: String,
}

/// The IIS application of the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    /// The application's id (`IHttpApplication::GetApplicationId`), its
    /// configuration path: `/LM/W3SVC/1/ROOT/app`.
    pub id: String,
    /// Its folder on disk (`GetApplicationPhysicalPath`).
    pub physical_path: String,
}

/// Reads IIS server variables (`IHttpContext::GetServerVariable`) for the
/// request, on demand: `AUTH_TYPE`, `HTTPS`, `LOGON_USER`, `APPL_MD_PATH`,
/// anything IIS or another module set.
#[derive(Debug, Clone)]
pub struct ServerVariables {
    asks: mpsc::UnboundedSender<Ask>,
}

impl ServerVariables {
    /// The variable `name`, `None` if IIS has none (or the request ended).
    pub async fn get(&self, name: &str) -> Option<String> {
        let (reply, answer) = oneshot::channel();
        self.asks.send(Ask::Variable(name.to_owned(), reply)).ok()?;
        answer.await.ok().flatten()
    }
}

/// Builds the service's request for the IIS request of `cx`.
pub(crate) fn build(
    cx: &mut HttpContext,
    asks: &mpsc::UnboundedSender<Ask>,
) -> Result<http::Request<RequestBody>> {
    let request = cx.request();
    let raw = request.raw()?;
    let mut builder = http::Request::builder()
        .method(request.method()?)
        .version(raw.version());
    let raw_url = Bytes::copy_from_slice(request.raw_url()?);
    let uri = if request.url_changed() {
        let query = request.query()?;
        let mut target = encode_path(&request.url()?);
        if !query.is_empty() {
            target.push('?');
            target.push_str(&query);
        }
        target
    } else {
        String::from_utf8_lossy(&raw_url).into_owned()
    };
    builder = builder.uri(uri);
    let mut length = None;
    if let Some(headers) = builder.headers_mut() {
        for (name, value) in raw.headers() {
            let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                http::HeaderValue::from_bytes(value),
            ) else {
                log::warn!("iis-tower: request header {name:?} is not valid HTTP; left out");
                continue;
            };
            if name == http::header::CONTENT_LENGTH {
                length = value.to_str().ok().and_then(|v| v.parse().ok());
            }
            headers.append(name, value);
        }
    }
    // An HTTP/1 request with neither header has no body (RFC 9112, 6.3):
    // its body is empty and ended, not of unknown length. Over HTTP/2 and
    // later the frames, not the headers, tell.
    let chunked = builder
        .headers_ref()
        .is_some_and(|h| h.contains_key(http::header::TRANSFER_ENCODING));
    if length.is_none() && raw.version() < http::Version::HTTP_2 && !chunked {
        length = Some(0);
    }
    let remote = request.remote_addr();
    let local = request.local_addr();
    let mut http_request = builder
        .body(RequestBody::new(asks.clone(), length))
        .map_err(|e| Error::msg(format!("iis-tower: the request does not map to HTTP: {e}")))?;
    let extensions = http_request.extensions_mut();
    extensions.insert(RawUrl(raw_url));
    if let Some(remote) = remote {
        extensions.insert(RemoteAddr(remote));
    }
    if let Some(local) = local {
        extensions.insert(LocalAddr(local));
    }
    if let Some(user) = cx.user() {
        let name = user.name().unwrap_or_default();
        if !name.is_empty() {
            extensions.insert(WindowsUser {
                name,
                authentication_type: user.authentication_type().unwrap_or_default(),
            });
            #[cfg(windows)]
            match user.impersonation_token_owned() {
                Some(Ok(token)) => {
                    extensions.insert(WindowsToken(std::sync::Arc::new(token)));
                }
                Some(Err(error)) => {
                    log::warn!("iis-tower: the user's token could not be duplicated: {error}");
                }
                None => {}
            }
        }
    }
    if let Some(site) = cx.site() {
        extensions.insert(Site {
            id: site.id(),
            name: site.name().unwrap_or_default(),
        });
    }
    if let Some(application) = cx.application() {
        extensions.insert(Application {
            id: application.id().unwrap_or_default(),
            physical_path: application.physical_path().unwrap_or_default(),
        });
    }
    extensions.insert(ServerVariables { asks: asks.clone() });
    Ok(http_request)
}

/// A decoded path percent-encoded again for a URI: what is not allowed in
/// a path segment, and `%` itself.
fn encode_path(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&byte);
        if keep {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::encode_path;

    #[test]
    fn rewritten_paths_are_encoded_again() {
        assert_eq!(encode_path("/a b/ü%"), "/a%20b/%C3%BC%25");
        assert_eq!(encode_path("/users/7:x@y"), "/users/7:x@y");
    }
}
