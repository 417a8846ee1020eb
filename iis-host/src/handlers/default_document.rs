//! IIS's `DefaultDocumentModule` (with `DirectoryListingModule`, directory
//! browsing off as IIS installs it): a request for a directory.
//!
//! * Without the trailing slash: IIS's courtesy redirect, `301` to the same
//!   URL with the slash (query string kept), as an absolute URL on the
//!   request's `Host`, so that relative links in the document resolve.
//! * With it: the first of the default documents (`defaultDocument/files`,
//!   in order) that exists in the directory is served as its URL would be
//!   (the static file handler here: iis-host runs no ASP or ASP.NET, so a
//!   `Default.asp` found first gets the static handler's `404.3`).
//! * None exists: `403.14`, directory listing denied.

use super::{Answer, Entity, Resource, static_file};

/// IIS's default documents (applicationHost.config's
/// `system.webServer/defaultDocument/files`), in order; `default.aspx`
/// is added by the ASP.NET installation.
pub(crate) const DEFAULT_DOCUMENTS: &[&str] = &[
    "Default.htm",
    "Default.asp",
    "index.htm",
    "index.html",
    "iisstart.htm",
    "default.aspx",
];

/// The answer for a request whose physical path is a directory.
pub(crate) fn answer(resource: &Resource<'_>) -> Answer {
    if !resource.url.ends_with('/') {
        return redirect_to_slash(resource);
    }
    let Ok(entries) = std::fs::read_dir(&resource.physical) else {
        return directory_listing_denied();
    };
    // Windows file names are case-insensitive: `Default.htm` finds
    // `default.htm`. Read the directory once and match names so on every OS.
    let names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    for document in resource.default_documents {
        if let Some(name) = names.iter().find(|n| n.eq_ignore_ascii_case(document)) {
            let file = Resource {
                physical: resource.physical.join(name),
                ..resource.clone()
            };
            return static_file::answer(&file);
        }
    }
    directory_listing_denied()
}

/// `403.14`.
fn directory_listing_denied() -> Answer {
    Answer::error(
        403,
        14,
        "Forbidden",
        "The Web server is configured to not list the contents of this directory.",
    )
}

/// IIS's `301` from `/dir` to `/dir/`.
fn redirect_to_slash(resource: &Resource<'_>) -> Answer {
    let mut target = format!("{}/", resource.url);
    if let Some(query) = resource.query {
        target.push('?');
        target.push_str(query);
    }
    let location = match resource.host {
        Some(host) => format!("http://{host}{target}"),
        None => target,
    };
    let body = format!(
        "<head><title>Document Moved</title></head>\n<body><h1>Object Moved</h1>This document may be found <a HREF=\"{location}\">here</a></body>"
    );
    Answer {
        status: 301,
        substatus: 0,
        reason: "Moved Permanently",
        headers: vec![
            ("Location", location),
            ("Content-Type", "text/html; charset=UTF-8".to_owned()),
        ],
        entity: Entity::Bytes(body.into_bytes()),
    }
}
