//! Server variables (`IHttpContext::GetServerVariable`), computed from the
//! request as it stands, as IIS names them. Values set with
//! `SetServerVariable` take precedence.

use std::net::SocketAddr;

use crate::state::host::HostCore;
use crate::state::request::RequestData;

/// The value of server variable `name` (case-insensitive), `None` when
/// unknown (`HRESULT_FROM_WIN32(ERROR_INVALID_INDEX)`).
pub(crate) fn lookup(host: &HostCore, req: &RequestData, name: &str) -> Option<String> {
    if let Some((_, value)) = req
        .server_variables
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        return Some(String::from_utf16_lossy(value));
    }
    let upper = name.to_ascii_uppercase();
    let header = |h: &str| {
        req.headers
            .get(h)
            .map(|v| String::from_utf8_lossy(&v).into_owned())
    };
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let config = &host.config;
    let value = match upper.as_str() {
        "REQUEST_METHOD" | "HTTP_METHOD" => req.method.to_string(),
        "URL" | "SCRIPT_NAME" | "PATH_INFO" => req.decoded_path().into_owned(),
        "QUERY_STRING" => req.query().map(text).unwrap_or_default(),
        "UNENCODED_URL" | "HTTP_URL" | "CACHE_URL" | "REQUEST_URI" => text(&req.raw_url),
        "PATH_TRANSLATED" | "SCRIPT_TRANSLATED" => {
            physical_path(&config.physical_path, &req.decoded_path())
        }
        "APPL_PHYSICAL_PATH" => config.physical_path.clone(),
        "APPL_MD_PATH" => format!("/LM/W3SVC/{}/ROOT", config.site_id),
        "INSTANCE_ID" => config.site_id.to_string(),
        "INSTANCE_META_PATH" => format!("/LM/W3SVC/{}", config.site_id),
        "APP_POOL_ID" => config.app_pool_name.clone(),
        "REMOTE_ADDR" | "REMOTE_HOST" => ip(req.remote),
        "REMOTE_PORT" => req.remote.port().to_string(),
        "LOCAL_ADDR" => ip(req.local),
        "SERVER_PORT" => req.local.port().to_string(),
        "SERVER_NAME" => header("Host")
            .map(|h| strip_port(&h).to_owned())
            .unwrap_or_else(|| ip(req.local)),
        "SERVER_PROTOCOL" | "HTTP_VERSION" => format!("HTTP/{}.{}", req.version.0, req.version.1),
        "SERVER_SOFTWARE" => "Microsoft-IIS/10.0".to_owned(),
        "SERVER_PORT_SECURE" => "0".to_owned(),
        "HTTPS" => "off".to_owned(),
        "GATEWAY_INTERFACE" => "CGI/1.1".to_owned(),
        "CONTENT_LENGTH" => header("Content-Length").unwrap_or_else(|| "0".to_owned()),
        "CONTENT_TYPE" => header("Content-Type").unwrap_or_default(),
        "AUTH_TYPE" | "AUTH_USER" | "LOGON_USER" | "REMOTE_USER" | "AUTH_PASSWORD" => String::new(),
        "ALL_RAW" => req
            .headers
            .entries
            .iter()
            .map(|(n, v)| format!("{n}: {}\r\n", text(v)))
            .collect(),
        "ALL_HTTP" => req
            .headers
            .entries
            .iter()
            .map(|(n, v)| format!("HTTP_{}:{}\n", variable_name(n), text(v)))
            .collect(),
        other => {
            let header_name = other.strip_prefix("HTTP_")?;
            req.headers
                .entries
                .iter()
                .find(|(n, _)| variable_name(n) == header_name)
                .and_then(|(n, _)| header(n))?
        }
    };
    Some(value)
}

/// `Content-Type` → `CONTENT_TYPE`.
fn variable_name(header: &str) -> String {
    header.to_ascii_uppercase().replace('-', "_")
}

fn ip(addr: SocketAddr) -> String {
    addr.ip().to_string()
}

/// `host:port` → `host`; an IPv6 literal keeps its brackets (`[::1]:80` →
/// `[::1]`). Whatever the input (an in-process request's `Host` is not
/// checked as the HTTP layer checks it), never panics.
pub(crate) fn strip_port(authority: &str) -> &str {
    if authority.starts_with('[') {
        return authority
            .find(']')
            .map_or(authority, |close| &authority[..=close]);
    }
    authority
        .rsplit_once(':')
        .map_or(authority, |(host, _)| host)
}

/// The physical path of `url` under the application root, with the root's
/// separator (`\` for a Windows-style root, as IIS maps it).
pub(crate) fn physical_path(root: &str, url: &str) -> String {
    let mut path = String::with_capacity(root.len() + url.len() + 1);
    physical_pieces(root, url).for_each(|piece| path.push_str(piece));
    path
}

/// [`physical_path`] in UTF-16 (built without the UTF-8 first).
pub(crate) fn physical_path_wide(root: &str, url: &str) -> Vec<u16> {
    let mut path = Vec::new();
    physical_path_wide_in(root, url, &mut path);
    path
}

/// [`physical_path_wide`] written in `path` (emptied first).
pub(crate) fn physical_path_wide_in(root: &str, url: &str, path: &mut Vec<u16>) {
    path.clear();
    path.reserve(root.len() + url.len() + 1);
    // As `physical_pieces`, with ASCII pieces (most are) widened byte by byte.
    let push = |path: &mut Vec<u16>, piece: &str| {
        if piece.is_ascii() {
            path.extend(piece.bytes().map(u16::from));
        } else {
            path.extend(piece.encode_utf16());
        }
    };
    let separator = u16::from(if root.contains('\\') { b'\\' } else { b'/' });
    push(path, root.trim_end_matches(['\\', '/']));
    for segment in url.split('/').filter(|s| !s.is_empty()) {
        path.push(separator);
        push(path, segment);
    }
    if url.ends_with('/') {
        path.push(separator);
    }
}

/// The root of [`physical_path_wide_in`] in UTF-16 (its trailing
/// separators trimmed) and the separator its URLs map with.
pub(crate) fn physical_root(root: &str) -> (Vec<u16>, u16) {
    let mut wide = Vec::new();
    physical_path_wide_in(root, "", &mut wide);
    let separator = u16::from(if root.contains('\\') { b'\\' } else { b'/' });
    (wide, separator)
}

/// [`physical_path_wide_in`] from the host's root as [`physical_root`]
/// gave it.
pub(crate) fn physical_path_from_root(root: &(Vec<u16>, u16), url: &str, path: &mut Vec<u16>) {
    let (root, separator) = (&root.0, root.1);
    path.clear();
    path.reserve(root.len() + url.len() + 1);
    path.extend_from_slice(root);
    for segment in url.split('/').filter(|s| !s.is_empty()) {
        path.push(separator);
        if segment.is_ascii() {
            path.extend(segment.bytes().map(u16::from));
        } else {
            path.extend(segment.encode_utf16());
        }
    }
    if url.ends_with('/') {
        path.push(separator);
    }
}

/// The pieces [`physical_path`] joins: the root, then a separator before
/// each segment of `url`, and one after a trailing `/`.
fn physical_pieces<'a>(root: &'a str, url: &'a str) -> impl Iterator<Item = &'a str> {
    let separator = if root.contains('\\') { "\\" } else { "/" };
    let segments = url
        .split('/')
        .filter(|s| !s.is_empty())
        .flat_map(move |segment| [separator, segment]);
    let trailing = url.ends_with('/').then_some(separator);
    std::iter::once(root.trim_end_matches(['\\', '/']))
        .chain(segments)
        .chain(trailing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::to_wide;

    #[test]
    fn maps_urls_to_physical_paths() {
        assert_eq!(
            physical_path(r"C:\inetpub\wwwroot\", "/a/b.txt"),
            r"C:\inetpub\wwwroot\a\b.txt"
        );
        assert_eq!(
            physical_path(r"C:\inetpub\wwwroot", "/"),
            r"C:\inetpub\wwwroot\"
        );
        assert_eq!(physical_path("/srv/www", "/x/"), "/srv/www/x/");
        for root in [r"C:\inetpub\wwwroot\", r"C:\site", "/srv/www/", "/"] {
            for url in ["/", "/a/b.txt", "/a/b/", "/é/x", ""] {
                let mut from_root = Vec::new();
                physical_path_from_root(&physical_root(root), url, &mut from_root);
                assert_eq!(from_root, physical_path_wide(root, url), "{root} {url}");
            }
        }
        assert_eq!(
            physical_path_wide(r"C:\inetpub\wwwroot", "/a/b/"),
            to_wide(r"C:\inetpub\wwwroot\a\b\")
        );
    }

    #[test]
    fn names_and_hosts() {
        assert_eq!(variable_name("User-Agent"), "USER_AGENT");
        assert_eq!(strip_port("example.com:8080"), "example.com");
        assert_eq!(strip_port("[::1]:80"), "[::1]");
        assert_eq!(strip_port("example.com"), "example.com");
        // Malformed hosts (an in-process request is not checked by the
        // HTTP layer) come back as they are, without a panic.
        assert_eq!(strip_port("["), "[");
        assert_eq!(strip_port("[::1"), "[::1");
        assert_eq!(strip_port(":"), "");
    }
}
