//! IIS's custom error module (`CustomErrorModule`, configured by
//! `system.webServer/httpErrors`): the page an error response gets.
//!
//! What IIS does, and what this emulates:
//!
//! - The module runs in the SendResponse notification, after every other
//!   module's SendResponse hook, and acts on a status of 400 or more
//!   (`httpErrors` reference, `existingResponse`).
//! - `errorMode` picks the page: `DetailedLocalOnly` (the default) sends the
//!   detailed page to a request from the local machine and the custom page to
//!   others; `Custom` the custom page to all; `Detailed` the detailed page
//!   to all ([`ErrorMode`]).
//! - `existingResponse="Auto"` (the default, the only one emulated) decides
//!   whether the module's own response stays: a status set with
//!   `SetStatus(…, fTrySkipCustomErrors = TRUE)` keeps it; otherwise the
//!   custom page replaces it; and in detailed mode a response that has a body
//!   keeps it, one without gets the detailed page (Microsoft's
//!   `HttpErrorsSection` class reference, `ExistingResponse` remarks).
//! - The detailed page is built from `IHttpResponse::GetStatus` (status,
//!   substatus, `hrErrorToReport`, the module and notification that set the
//!   status) and `GetErrorDescription`; the ASP.NET Core Module relies on
//!   this: with its error page disabled it only calls `SetStatus(500, …,
//!   E_FAIL)` and leaves the page to IIS, and when it writes its own page it
//!   sets the status with `fTrySkipCustomErrors` so that IIS keeps it
//!   (`ServerErrorHandler.h` in dotnet/aspnetcore).
//!
//! Differences: the page is chosen once, when the whole response is in
//! hand (the final send with the head not yet sent): a response whose head
//! left early (a `Flush`) is not replaced. IIS's custom pages are files per
//! status (`%SystemDrive%\inetpub\custerr\<language>\404.htm`) showing the
//! status only; iis-host's short page shows status and substatus, and no
//! `<error>` entries, `ExecuteURL` or `Redirect` are emulated.

use crate::config::ErrorMode;
use crate::objects::headers::Side;
use crate::objects::response::html_encode;
use crate::state::request::{RequestData, RequestState};
use crate::transcript::Notification;

/// Puts the page IIS's custom error module would on the response, if it
/// would: at the final send, after the SendResponse modules, before the head
/// is queued (`s.out.head_sent` is false).
pub(crate) fn apply(s: &mut RequestState, mode: ErrorMode) {
    let resp = &s.resp;
    if resp.status < 400 || resp.skip_custom_errors || resp.suppress_headers || resp.reset {
        return;
    }
    let detailed = match mode {
        ErrorMode::Detailed => true,
        ErrorMode::Custom => false,
        ErrorMode::DetailedLocalOnly => is_local(&s.req),
    };
    let has_body = resp.chunks.iter().any(|chunk| !chunk.is_empty());
    if detailed && has_body {
        return;
    }
    let page = if detailed {
        detailed_page(s)
    } else {
        short_page(s.resp.status, s.resp.substatus)
    };
    s.resp
        .headers
        .set(Side::Response, "Content-Type", b"text/html", true);
    s.resp.chunks = vec![page.into_bytes()];
    s.resp.touch();
}

/// Whether the request comes from the local machine: a loopback client
/// address, or the address the client connected to.
fn is_local(req: &RequestData) -> bool {
    let remote = req.remote.ip().to_canonical();
    remote.is_loopback() || remote == req.local.ip().to_canonical()
}

/// The status text IIS shows for `status`.
fn status_text(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|code| code.canonical_reason())
        .unwrap_or("Error")
}

/// The description the detailed page shows when no module set one.
fn default_description(status: u16) -> &'static str {
    match status {
        400 => "The request could not be understood by the server.",
        401 => {
            "You do not have permission to view this directory or page using the credentials that you supplied."
        }
        403 => "You do not have permission to view this directory or page.",
        404 => crate::handlers::NOT_FOUND,
        405 => {
            "The page you are looking for cannot be displayed because an invalid method (HTTP verb) is being used."
        }
        500 => "The page cannot be displayed because an internal server error has occurred.",
        503 => "The service is unavailable.",
        _ if status < 500 => "The request cannot be served.",
        _ => "The server could not complete the request.",
    }
}

/// The notification whose `RQ_*` bit is `mask`, by name.
fn notification_name(mask: u32) -> Option<String> {
    Notification::STAGES
        .into_iter()
        .chain([
            Notification::SendResponse,
            Notification::MapPath,
            Notification::ReadEntity,
            Notification::CustomRequestNotification,
        ])
        .find(|n| n.mask() == mask)
        .map(|n| n.to_string())
}

/// The page's opening: doctype, head with the title, body.
fn open_page(out: &mut String, title: &str) {
    out.push_str("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\r\n");
    out.push_str("<html xmlns=\"http://www.w3.org/1999/xhtml\">\r\n<head>\r\n");
    out.push_str(
        "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\"/>\r\n",
    );
    out.push_str(&format!("<title>{title}</title>\r\n</head>\r\n<body>\r\n"));
}

/// The short page (IIS's custom error for a remote client): status and
/// substatus, nothing about the server.
fn short_page(status: u16, substatus: u16) -> String {
    let text = status_text(status);
    let mut out = String::new();
    open_page(&mut out, &format!("{status}.{substatus} - {text}"));
    out.push_str(&format!(
        "<h2>HTTP Error {status}.{substatus} - {text}</h2>\r\n"
    ));
    out.push_str(
        "<h3>The server could not display the page you asked for.</h3>\r\n</body>\r\n</html>\r\n",
    );
    out
}

/// The detailed page (IIS's for a local client): status and substatus,
/// the error description, and where the error came from.
fn detailed_page(s: &RequestState) -> String {
    let resp = &s.resp;
    let (status, substatus) = (resp.status, resp.substatus);
    let text = status_text(status);
    // Stored as the module passed it: HTML-encoded by the host when the
    // module asked (`fHtmlEncode`), its own HTML otherwise (IIS's contract).
    let description = match &resp.error_description {
        Some(units) if !units.is_empty() => String::from_utf16_lossy(units),
        _ => resp
            .handler_description
            .unwrap_or_else(|| default_description(status))
            .to_owned(),
    };
    let mut rows: Vec<(&str, String)> = Vec::new();
    if let Some((module, mask)) = &resp.status_source {
        rows.push(("Module", html_encode(module)));
        if let Some(name) = notification_name(*mask) {
            rows.push(("Notification", name));
        }
    }
    rows.push(("Error Code", format!("0x{:08x}", resp.error_hr.0 as u32)));
    let host = s
        .req
        .headers
        .get("Host")
        .map(|h| String::from_utf8_lossy(&h).into_owned())
        .unwrap_or_else(|| s.req.local.to_string());
    rows.push((
        "Requested URL",
        html_encode(&format!("http://{host}{}", s.req.decoded_path())),
    ));
    if let Some(physical) = &s.req.physical {
        rows.push((
            "Physical Path",
            html_encode(&String::from_utf16_lossy(physical)),
        ));
    }
    let mut out = String::new();
    open_page(
        &mut out,
        &format!("IIS 10.0 Detailed Error - {status}.{substatus} - {text}"),
    );
    out.push_str("<div id=\"content\">\r\n<div class=\"content-container\">\r\n");
    out.push_str(&format!(
        "<h3>HTTP Error {status}.{substatus} - {text}</h3>\r\n<h4>{description}</h4>\r\n</div>\r\n"
    ));
    out.push_str(
        "<div class=\"content-container\">\r\n<h4>Detailed Error Information:</h4>\r\n<table>\r\n",
    );
    for (name, value) in rows {
        out.push_str(&format!("<tr><th>{name}</th><td>{value}</td></tr>\r\n"));
    }
    out.push_str("</table>\r\n</div>\r\n</div>\r\n</body>\r\n</html>\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_short_page_names_status_and_substatus_only() {
        let page = short_page(500, 19);
        assert!(
            page.contains("HTTP Error 500.19 - Internal Server Error"),
            "{page}"
        );
        assert!(!page.contains("Error Code"), "{page}");
    }

    #[test]
    fn notifications_are_named_by_their_bit() {
        assert_eq!(
            notification_name(Notification::AuthorizeRequest.mask()).as_deref(),
            Some("AuthorizeRequest")
        );
        assert_eq!(notification_name(0), None);
    }
}
