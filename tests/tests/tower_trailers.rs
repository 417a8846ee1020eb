//! Trailers from a tower service: over HTTP/1.1, where IIS has no way to
//! send them, the body arrives whole and neither the trailers nor their
//! `Trailer` declaration go out; over HTTP/2 they go to
//! `IHttpResponse4::SetTrailer`. (A module of its own, registered
//! in-process: its `RegisterModule` is this test binary's.)

use bytes::Bytes;
use http_body::{Body, Frame};
use iis_host::{ApiCall, Host};
use iis_module::prelude::*;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A body of two lines, then a trailer counting them (`x-line-count`);
/// of a known length (which iis-tower sends whole) or not (streamed).
struct Lines(Vec<Frame<Bytes>>, bool);

impl Body for Lines {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let next = (!self.0.is_empty()).then(|| Ok(self.0.remove(0)));
        Poll::Ready(next)
    }

    fn size_hint(&self) -> http_body::SizeHint {
        let known = self
            .0
            .iter()
            .filter_map(Frame::data_ref)
            .map(Bytes::len)
            .sum::<usize>();
        match self.1 {
            true => http_body::SizeHint::with_exact(known as u64),
            false => http_body::SizeHint::default(),
        }
    }
}

fn lines_with_trailer(known_length: bool) -> http::Response<Lines> {
    let mut trailers = http::HeaderMap::new();
    trailers.insert("x-line-count", http::HeaderValue::from_static("2"));
    let frames = vec![
        Frame::data(Bytes::from_static(b"one\n")),
        Frame::data(Bytes::from_static(b"two\n")),
        Frame::trailers(trailers),
    ];
    http::Response::builder()
        .header(http::header::TRAILER, "x-line-count")
        .body(Lines(frames, known_length))
        .expect("valid response")
}

#[register_module]
fn register(module: &mut Registration) -> Result<()> {
    iis_tower::serve(
        module,
        tower::service_fn(
            |request: http::Request<iis_tower::RequestBody>| async move {
                Ok::<_, Infallible>(lines_with_trailer(request.uri().path() == "/whole"))
            },
        ),
    )
}

fn host() -> Host {
    Host::builder()
        .module_fn("Trailers", RegisterModule)
        .build()
        .expect("registers")
}

#[test]
fn over_http_1_1_trailers_are_left_out_and_the_body_is_whole() {
    for path in ["/", "/whole"] {
        let t = host().get(path);
        assert_eq!(
            (t.status, t.body_text().as_str()),
            (200, "one\ntwo\n"),
            "{t}"
        );
        assert_eq!(t.header("Trailer"), None, "{t}");
        assert!(
            !t.calls.iter().any(|c| c.to_string().contains("SetTrailer")),
            "{t}"
        );
    }
}

#[test]
fn over_http_2_trailers_go_to_set_trailer() {
    // Streamed, and sent whole (a known length within the buffer limit).
    for path in ["/", "/whole"] {
        let request = http::Request::builder()
            .version(http::Version::HTTP_2)
            .uri(path)
            .header("Host", "localhost")
            .body(Vec::new())
            .expect("valid request");
        let t = host().run(request);
        assert_eq!(
            (t.status, t.body_text().as_str()),
            (200, "one\ntwo\n"),
            "{t}"
        );
        assert_eq!(t.header("Trailer"), Some(&b"x-line-count"[..]), "{t}");
        let set_trailer = t
            .calls
            .iter()
            .map(ApiCall::to_string)
            .find(|c| c.contains("SetTrailer"));
        assert_eq!(
            set_trailer.as_deref(),
            Some(r#"IHttpResponse4::SetTrailer(x-line-count, "2")"#),
            "{path}: {t}"
        );
    }
}
