//! What tests/tower_parity.rs needs besides its table: a raw HTTP/1.1
//! client, and the view of a response the two servers are compared on.

pub mod client;

use client::{Framing, RawResponse};
use std::collections::BTreeMap;

/// Headers left out of the comparison, and why.
///
/// * `date`: each server stamps the time it answered (hyper adds it; IIS
///   does too, iis-host does not), so it differs between any two answers.
/// * `server`: who answered (`Microsoft-IIS/10.0` on the IIS side, none from
///   hyper) — what the issue asks to ignore.
/// * `transfer-encoding`: framing, chosen by the connection layer (HTTP.sys
///   or hyper), not by the application; the bodies are compared
///   de-chunked instead. `content-length` is compared whenever both
///   answers are length-delimited or it describes a HEAD response.
/// * `connection`: whether the connection stays open is the connection
///   layer's too (iis-tower passes no `Connection` of the service's on,
///   as a hop-by-hop header). The two decide differently where either is
///   right: hyper answers an HTTP/1.0 request in HTTP/1.0 and closes
///   without saying so, HTTP.sys (and iis-host) answers in HTTP/1.1 with
///   `Connection: close`; and iis-host closes after a response that
///   started before the request body had all arrived (a `415` before the
///   body was read, a `413`), which depends on the timing of the body's
///   packets, where hyper reads a small unread body away and keeps the
///   connection. The status line's version is not compared for the same
///   reason.
const NOT_COMPARED: [&str; 4] = ["date", "server", "transfer-encoding", "connection"];

/// What is compared of a response: status code and reason, interim responses,
/// headers (lower-cased names; several lines of one name in order) and the
/// de-chunked body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compared {
    pub status: u16,
    pub reason: String,
    pub interim: Vec<u16>,
    pub headers: BTreeMap<String, Vec<String>>,
    pub body: Vec<u8>,
}

impl Compared {
    /// The comparable view of `response`. `chunked_elsewhere`: the other
    /// server's answer was chunked, so a `Content-Length` here is framing
    /// too (the same body, delimited the other way).
    pub fn of(response: &RawResponse, chunked_elsewhere: bool) -> Self {
        let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, value) in &response.headers {
            let name = name.to_ascii_lowercase();
            if NOT_COMPARED.contains(&name.as_str()) {
                continue;
            }
            let framing_only = response.framing != Framing::None
                && (response.framing == Framing::Chunked || chunked_elsewhere);
            if name == "content-length" && framing_only {
                continue;
            }
            headers
                .entry(name)
                .or_default()
                .push(String::from_utf8_lossy(value).into_owned());
        }
        Self {
            status: response.status,
            reason: response.reason.clone(),
            interim: response.interim.clone(),
            headers,
            body: response.body.clone(),
        }
    }

    /// What differs from `other`, one line per difference.
    pub fn differences(&self, other: &Self) -> Vec<String> {
        let mut found = Vec::new();
        if (self.status, &self.reason) != (other.status, &other.reason) {
            found.push(format!(
                "status {} {:?} vs {} {:?}",
                self.status, self.reason, other.status, other.reason
            ));
        }
        if self.interim != other.interim {
            found.push(format!(
                "interim responses {:?} vs {:?}",
                self.interim, other.interim
            ));
        }
        let names: std::collections::BTreeSet<&String> =
            self.headers.keys().chain(other.headers.keys()).collect();
        for name in names {
            let (mine, theirs) = (self.headers.get(name), other.headers.get(name));
            if mine != theirs {
                found.push(format!("header {name}: {mine:?} vs {theirs:?}"));
            }
        }
        if self.body != other.body {
            found.push(format!(
                "body ({} bytes) {:?} vs ({} bytes) {:?}",
                self.body.len(),
                excerpt(&self.body),
                other.body.len(),
                excerpt(&other.body)
            ));
        }
        found
    }
}

/// The start of a body, for messages.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(160)]).into_owned();
    if body.len() > 160 {
        format!("{text}…")
    } else {
        text
    }
}
