//! A [`Transcript`] as the `http::Response<Bytes>` the client received, for
//! tests that compare responses the way axum's do.

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::{Response, StatusCode};

use super::Transcript;
use crate::error::HostError;

impl Transcript {
    /// The response the client received, as an `http::Response<Bytes>`:
    /// [`status`](Self::status) as an `http::StatusCode`,
    /// [`headers`](Self::headers) as an `http::HeaderMap` (in order,
    /// repeated names kept), [`body`](Self::body) as `Bytes`, and a clone
    /// of this transcript in the response's extensions, so the IIS facts
    /// (substatus, reason phrase, connection fate, notifications, calls,
    /// log entry) stay at hand:
    ///
    /// ```no_run
    /// use iis_host::{Host, Transcript};
    ///
    /// let host = Host::builder()
    ///     .module(iis_host::testing::build_cdylib("hello_world")?)
    ///     .build()?;
    ///
    /// let response = host.get("/hello").into_response()?;
    /// assert_eq!(response.status(), http::StatusCode::OK);
    /// assert_eq!(response.headers()["content-type"], "text/plain");
    /// assert_eq!(response.body(), "Hello, world!\n");
    /// let transcript = response.extensions().get::<Transcript>().unwrap();
    /// assert_eq!(transcript.substatus, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// The version is `HTTP/1.1`; the reason phrase, which `http::Response`
    /// does not carry, is the transcript's [`reason`](Self::reason).
    ///
    /// A header the `http` crate cannot represent — a name that is not an
    /// HTTP token, or a value with control characters other than tab (a
    /// C++ module can set either) — is left out of the `HeaderMap`; it
    /// stays in the transcript's [`headers`](Self::headers), and the
    /// transcript's `Display` shows it escaped.
    ///
    /// This clones the body and the transcript;
    /// [`into_response`](Self::into_response) does not.
    ///
    /// # Errors
    ///
    /// [`HostError::NoResponse`] (carrying the transcript) when the client
    /// received no response head: [`status`](Self::status) is 0, as after
    /// `ResetConnection`. A status cannot be invented for a reset; an HTTP
    /// client reports it as an error too.
    pub fn response(&self) -> Result<Response<Bytes>, HostError> {
        self.clone().into_response()
    }

    /// [`response`](Self::response), consuming the transcript (which moves
    /// into the response's extensions, or into the error).
    ///
    /// # Errors
    ///
    /// [`HostError::NoResponse`] when no response head was sent (status 0).
    pub fn into_response(self) -> Result<Response<Bytes>, HostError> {
        // `SetStatus` only accepts 100..=999, as does `StatusCode`; 0 means
        // that no head was sent.
        let Ok(status) = StatusCode::from_u16(self.status) else {
            return Err(HostError::NoResponse(Box::new(self)));
        };
        let headers = header_map(&self.headers);
        let body = Bytes::from(self.body.clone());
        let mut response = Response::new(body);
        *response.status_mut() = status;
        *response.headers_mut() = headers;
        response.extensions_mut().insert(self);
        Ok(response)
    }
}

impl TryFrom<Transcript> for Response<Bytes> {
    type Error = HostError;

    /// [`Transcript::into_response`].
    fn try_from(transcript: Transcript) -> Result<Self, Self::Error> {
        transcript.into_response()
    }
}

/// The headers `http` can represent, in order; the others are left out.
fn header_map(headers: &[(String, Vec<u8>)]) -> HeaderMap {
    let mut map = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value),
        ) else {
            continue;
        };
        map.append(name, value);
    }
    map
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::message::ConnectionFate;

    pub(crate) fn transcript(status: u16, headers: &[(&str, &[u8])], body: &[u8]) -> Transcript {
        Transcript {
            status,
            substatus: 0,
            reason: StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("")
                .to_owned(),
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.to_vec()))
                .collect(),
            body: body.to_vec(),
            fate: ConnectionFate::KeptAlive,
            notifications: Vec::new(),
            calls: Vec::new(),
            events: Vec::new(),
            log: None,
        }
    }

    #[test]
    fn response_has_the_status_headers_body_and_the_transcript() {
        let t = transcript(
            201,
            &[
                ("Content-Type", b"text/plain"),
                ("Set-Cookie", b"a=1"),
                ("Set-Cookie", b"b=2"),
                ("Content-Length", b"2"),
            ],
            b"ok",
        );
        let response = t.response().expect("a head was sent");
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.version(), http::Version::HTTP_11);
        assert_eq!(response.headers()["content-type"], "text/plain");
        let cookies: Vec<_> = response.headers().get_all("set-cookie").iter().collect();
        assert_eq!(cookies, ["a=1", "b=2"]);
        assert_eq!(response.headers().len(), 4);
        assert_eq!(response.body(), "ok");
        assert_eq!(response.extensions().get::<Transcript>(), Some(&t));
        let moved = Response::<Bytes>::try_from(t.clone()).unwrap();
        assert_eq!(moved.extensions().get::<Transcript>(), Some(&t));
    }

    #[test]
    fn no_response_head_is_an_error_carrying_the_transcript() {
        let mut t = transcript(0, &[], b"");
        t.fate = ConnectionFate::Reset;
        let error = t.response().expect_err("a reset has no status");
        assert_eq!(
            error.to_string(),
            "no HTTP response: the connection was reset before a response head was sent"
        );
        match error {
            HostError::NoResponse(carried) => assert_eq!(*carried, t),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn headers_http_cannot_represent_are_left_out() {
        let t = transcript(
            200,
            &[
                ("Bad Name", b"x"),
                ("X-Bad-Value", b"a\nb"),
                ("X-Good", b"caf\xc3\xa9"),
            ],
            b"",
        );
        let response = t.into_response().unwrap();
        let names: Vec<_> = response.headers().keys().map(|n| n.as_str()).collect();
        assert_eq!(names, ["x-good"]);
        assert_eq!(response.headers()["x-good"].as_bytes(), b"caf\xc3\xa9");
        let kept = response.extensions().get::<Transcript>().unwrap();
        assert_eq!(kept.headers.len(), 3, "the transcript keeps them all");
    }
}
