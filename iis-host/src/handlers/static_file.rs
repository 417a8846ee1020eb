//! IIS's `StaticFileModule`: a file under the site's physical path, sent
//! whole with its MIME type, `Last-Modified`, `ETag` and
//! `Accept-Ranges: bytes`.
//!
//! What IIS does, and iis-host with it:
//!
//! * `GET` and `HEAD` of a file send it (`HEAD`: the same head, with the
//!   file's `Content-Length`, and no entity);
//! * a file whose extension the MIME map (`system.webServer/staticContent`)
//!   does not list is not served: `404.3`, "the static file handler did not
//!   have the file in its MimeMap", whatever the method;
//! * another method on a file it would serve is `405.0` with
//!   `Allow: GET, HEAD, OPTIONS, TRACE`;
//! * a missing file is `404.0`;
//! * `If-None-Match` with the file's `ETag`, or `If-Modified-Since` not
//!   older than the file, is `304 Not Modified` without an entity.
//!
//! The `ETag` is IIS's: the file's last-write time as a hexadecimal
//! `FILETIME`, a colon and a change number (`"1d9a2b3c4d5e6f7:0"`), the same
//! as `IHttpFileInfo::GetETag`. Not emulated: byte ranges (`Range` gets the
//! whole file, `200`), `If-Range`, compression, the kernel and output caches,
//! and MIME maps from configuration (the table below is IIS's default for
//! the common types). File names are looked up as the host's file system
//! does (case-sensitive on Linux, where Windows is not), except the
//! default documents' names; the file sent is the one the URL maps to
//! (after `RQ_MAP_PATH`), not one a module set with
//! `IMapHandlerProvider::SetFileInfo`.

use std::time::{SystemTime, UNIX_EPOCH};

use super::{Answer, Entity, Resource};

/// The methods IIS's static file handler names in the `Allow` header of its
/// `405.0`.
pub(crate) const ALLOW: &str = "GET, HEAD, OPTIONS, TRACE";

/// The MIME types of `staticContent`'s default `mimeMap` entries that
/// iis-host knows (extension without dot, lower case → type), as
/// applicationHost.config of IIS 10 lists them (`.webp`, for one, is not
/// there: IIS answers `404.3` for it until a `mimeMap` adds it).
const MIME_MAP: &[(&str, &str)] = &[
    ("bmp", "image/bmp"),
    ("css", "text/css"),
    ("doc", "application/msword"),
    ("gif", "image/gif"),
    ("gz", "application/x-gzip"),
    ("htm", "text/html"),
    ("html", "text/html"),
    ("ico", "image/x-icon"),
    ("jpeg", "image/jpeg"),
    ("jpg", "image/jpeg"),
    ("js", "application/javascript"),
    ("json", "application/json"),
    ("mp3", "audio/mpeg"),
    ("mp4", "video/mp4"),
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("svg", "image/svg+xml"),
    ("txt", "text/plain"),
    ("wasm", "application/wasm"),
    ("xml", "text/xml"),
    ("zip", "application/x-zip-compressed"),
];

/// The MIME type of a file name, from its extension; `None` for an
/// extension the map does not list (or none).
pub(crate) fn mime_type(file_name: &str) -> Option<&'static str> {
    let (_, extension) = file_name.rsplit_once('.')?;
    MIME_MAP
        .iter()
        .find(|(e, _)| e.eq_ignore_ascii_case(extension))
        .map(|&(_, t)| t)
}

/// 100 ns ticks since 1601 (`FILETIME`) of a time.
pub(crate) fn filetime(time: SystemTime) -> u64 {
    const UNIX_FROM_1601: u64 = 11_644_473_600;
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    (since.as_secs() + UNIX_FROM_1601) * 10_000_000 + u64::from(since.subsec_nanos() / 100)
}

/// IIS's `ETag` of a file last written at `modified` (quotes included).
pub(crate) fn etag(modified: SystemTime) -> String {
    format!("\"{:x}:0\"", filetime(modified))
}

/// Whether the client's cached copy is current: `If-None-Match` names the
/// `ETag` (or `*`), or, without `If-None-Match`, `If-Modified-Since` is not
/// older than the file (to the second, as HTTP dates go).
fn not_modified(resource: &Resource<'_>, tag: &str, modified: SystemTime) -> bool {
    if let Some(tags) = resource.if_none_match {
        return tags.split(',').map(str::trim).any(|t| t == "*" || t == tag);
    }
    let Some(since) = resource
        .if_modified_since
        .and_then(|d| httpdate::parse_http_date(d).ok())
    else {
        return false;
    };
    let seconds = |t: SystemTime| t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    seconds(modified) <= seconds(since)
}

/// The answer for a request whose physical path is not a directory.
pub(crate) fn answer(resource: &Resource<'_>) -> Answer {
    let Ok(meta) = std::fs::metadata(&resource.physical) else {
        return Answer::not_found();
    };
    if !meta.is_file() {
        return Answer::not_found();
    }
    let name = resource
        .physical
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some(content_type) = mime_type(&name) else {
        return Answer::error(
            404,
            3,
            "Not Found",
            "The page you are requesting cannot be served because of the extension configuration. If the page is a script, add a handler. If the file should be downloaded, add a MIME map.",
        );
    };
    let head = resource.method.eq_ignore_ascii_case("HEAD");
    if !head && !resource.method.eq_ignore_ascii_case("GET") {
        let mut answer = Answer::error(
            405,
            0,
            "Method Not Allowed",
            "The page you are looking for cannot be displayed because an invalid method (HTTP verb) is being used.",
        );
        answer.headers.push(("Allow", ALLOW.to_owned()));
        return answer;
    }
    let modified = meta.modified().unwrap_or(UNIX_EPOCH);
    let tag = etag(modified);
    let mut headers = vec![
        ("Content-Type", content_type.to_owned()),
        ("Last-Modified", httpdate::fmt_http_date(modified)),
        ("Accept-Ranges", "bytes".to_owned()),
        ("ETag", tag.clone()),
    ];
    if not_modified(resource, &tag, modified) {
        headers.remove(0);
        return Answer {
            status: 304,
            substatus: 0,
            reason: "Not Modified",
            headers,
            entity: Entity::Empty,
        };
    }
    let entity = if head {
        headers.push(("Content-Length", meta.len().to_string()));
        Entity::Empty
    } else {
        match std::fs::read(&resource.physical) {
            Ok(bytes) => Entity::Bytes(bytes),
            Err(_) => return Answer::not_found(),
        }
    };
    Answer {
        status: 200,
        substatus: 0,
        reason: "OK",
        headers,
        entity,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mime_map_knows_the_common_types_and_nothing_else() {
        assert_eq!(mime_type("index.HTML"), Some("text/html"));
        assert_eq!(mime_type("a.b.js"), Some("application/javascript"));
        assert_eq!(mime_type("app.wasm"), Some("application/wasm"));
        assert_eq!(mime_type("secret.config"), None);
        assert_eq!(mime_type("README"), None);
    }

    #[test]
    fn etags_are_the_hex_filetime_and_a_change_number() {
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1);
        assert_eq!(etag(t), format!("\"{:x}:0\"", 116_444_736_010_000_000u64));
    }
}
