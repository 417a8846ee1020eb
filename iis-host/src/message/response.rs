//! [`ResponseHead`] and [`ConnectionFate`]: the response as the pipeline
//! decided it, and how its connection ended.

use std::fmt;

/// How the connection ends after a response.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionFate {
    /// The connection stays open for the next request.
    KeptAlive,
    /// The response was completed and the connection closed cleanly (FIN).
    Closed,
    /// The connection was aborted with a TCP RST.
    Reset,
}

impl fmt::Display for ConnectionFate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConnectionFate::KeptAlive => "kept-alive",
            ConnectionFate::Closed => "closed",
            ConnectionFate::Reset => "reset",
        })
    }
}

/// Status line and headers of a response, as the pipeline decided them.
///
/// The connection layer owns the message framing: it adds `Content-Length`,
/// `Transfer-Encoding: chunked` and `Connection` as needed, and drops any
/// `Transfer-Encoding` or `Connection` header found here (a `Connection: close`
/// here makes the connection close after the response).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHead {
    /// The status code, 100 to 999.
    pub status: u16,
    /// The reason phrase sent after the status code (may be empty).
    pub reason: String,
    /// The response headers in the order they are sent, names as given.
    pub headers: Vec<(String, Vec<u8>)>,
}

impl ResponseHead {
    /// A head with `status`, its canonical reason phrase (empty when unknown) and no headers.
    pub fn new(status: u16) -> Self {
        let reason = http::StatusCode::from_u16(status)
            .ok()
            .and_then(|code| code.canonical_reason())
            .unwrap_or("");
        ResponseHead {
            status,
            reason: reason.to_owned(),
            headers: Vec::new(),
        }
    }

    /// Appends a header and returns the head (builder style).
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The value of the first header named `name` (compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fate_displays_as_log_words() {
        assert_eq!(ConnectionFate::KeptAlive.to_string(), "kept-alive");
        assert_eq!(ConnectionFate::Closed.to_string(), "closed");
        assert_eq!(ConnectionFate::Reset.to_string(), "reset");
    }

    #[test]
    fn new_head_uses_canonical_reason() {
        assert_eq!(ResponseHead::new(404).reason, "Not Found");
        assert_eq!(ResponseHead::new(599).reason, "");
        let head = ResponseHead::new(200).with_header("X-A", "1");
        assert_eq!(head.header("x-a"), Some(&b"1"[..]));
    }
}
