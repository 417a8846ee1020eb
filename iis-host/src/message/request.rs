//! [`Request`]: a parsed HTTP/1.1 request as the pipeline receives it.

use std::net::SocketAddr;

use super::BodyStream;

/// A parsed HTTP/1.1 request as the pipeline receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The request method.
    pub method: http::Method,
    /// The raw request-target bytes, e.g. `b"/a%20b?x=1"`.
    pub target: Vec<u8>,
    /// The protocol version: [`http::Version::HTTP_10`] or [`http::Version::HTTP_11`].
    pub version: http::Version,
    /// The request headers in wire order, names as sent (case preserved).
    pub headers: Vec<(String, Vec<u8>)>,
    /// The entity body, de-chunked: the whole of it, or, with
    /// [`body_stream`](Self::body_stream), what arrived with the head (empty).
    pub body: Vec<u8>,
    /// The rest of the body as it arrives, for a handler that
    /// [streams bodies](crate::http::Handler::streams_body) (the pipeline does);
    /// `None` when [`body`](Self::body) is the whole body.
    pub body_stream: Option<BodyStream>,
    /// The client's address.
    pub remote_addr: SocketAddr,
    /// The server's address the client connected to.
    pub local_addr: SocketAddr,
}

impl Request {
    /// The value of the first header named `name` (compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }
}
