//! The entry points of the fuzz targets (`fuzz/`, compiled only under
//! `cargo fuzz`, which sets `cfg(fuzzing)`; not an API): the parsers that
//! read what a client sends, fed the fuzzer's bytes. Each returns normally
//! for any input; a panic, an endless loop or a broken invariant (asserted
//! here) is a finding.

use std::time::Instant;

use http::{Method, Version};

use super::body::{BodyLimits, check_declared_length, read_body};
use super::head::{BodyFraming, Head, read_head, valid_host};
use super::input::InBuf;
use crate::block_on::block_on;
use crate::url::{canonical_path, percent_decode, split_target};

/// HTTP.sys's default `MaxRequestBytes`, the head limit the server uses.
const MAX_HEAD: usize = 16 * 1024;

/// Small enough for the fuzzer's inputs to reach it.
const LIMITS: BodyLimits = BodyLimits {
    max_body_bytes: 64 * 1024,
    max_trailer_bytes: 4 * 1024,
    stall: None,
};

/// `data` as a keep-alive connection's bytes: heads and bodies, one request
/// after another, until the parser refuses something or the bytes end.
pub fn requests(data: &[u8]) {
    block_on(async {
        let mut reader = data;
        let mut inbuf = InBuf::new();
        loop {
            let mut started = None;
            let Ok(head) = read_head(&mut reader, &mut inbuf, MAX_HEAD, None, &mut started).await
            else {
                return;
            };
            assert!(
                head.target.len() <= MAX_HEAD,
                "a target longer than the head"
            );
            if check_declared_length(&head, LIMITS.max_body_bytes).is_err() {
                return;
            }
            let Ok(body) = read_body(&mut reader, &mut inbuf, &head, LIMITS).await else {
                return;
            };
            assert!(
                body.len() as u64 <= LIMITS.max_body_bytes,
                "a body over the limit"
            );
            if let BodyFraming::Length(n) = head.framing {
                assert_eq!(body.len() as u64, n, "a body other than its Content-Length");
            }
        }
    });
}

/// `data` as a chunked request body (and its trailers).
pub fn chunked_body(data: &[u8]) {
    let head = Head {
        method: Method::POST,
        target: b"/".to_vec(),
        version: Version::HTTP_11,
        headers: Vec::new(),
        framing: BodyFraming::Chunked,
        expect_continue: false,
        keep_alive: true,
        started: Instant::now(),
    };
    let mut reader = data;
    let mut inbuf = InBuf::new();
    if let Ok(body) = block_on(read_body(&mut reader, &mut inbuf, &head, LIMITS)) {
        // Framing only takes bytes away.
        assert!(
            body.len() <= data.len(),
            "a body longer than its chunked form"
        );
        assert!(
            body.len() as u64 <= LIMITS.max_body_bytes,
            "a body over the limit"
        );
    }
}

/// `data` as a request-target: split, decoded and canonicalized as
/// HTTP.sys cooks it, and as a `Host` value.
pub fn url(data: &[u8]) {
    let (path, _query) = split_target(data);
    if let Ok(cooked) = canonical_path(&path) {
        // No dot segment survives, so nothing climbs out of the root.
        assert!(
            !cooked
                .split('/')
                .any(|segment| segment == "." || segment == ".."),
            "a dot segment in {cooked:?}"
        );
        // Cooking is idempotent once `%` is out of the way.
        if !cooked.contains('%') && !cooked.contains('\u{fffd}') {
            assert_eq!(canonical_path(cooked.as_bytes()).as_deref(), Ok(&*cooked));
        }
    }
    assert!(
        percent_decode(data).len() <= data.len(),
        "decoding grew the input"
    );
    let _ = valid_host(data);
}
