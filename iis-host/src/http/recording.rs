//! [`RecordingSink`]: an in-memory [`ResponseSink`] for in-process runs.

use std::io;

use super::{ConnectionFate, ResponseHead, ResponseSink};

/// An in-memory [`ResponseSink`]: records the head, the body bytes and the fate.
///
/// It enforces the call order of the contract (one head, before any body, nothing
/// after `finish`), returning [`io::ErrorKind::InvalidInput`] otherwise, so a run
/// against it catches the same misuse a TCP connection would. The fate passed to
/// `finish` is recorded and returned as is.
///
/// ```
/// use iis_host::http::{ConnectionFate, RecordingSink, ResponseHead, ResponseSink};
/// let mut sink = RecordingSink::new();
/// sink.send_head(&ResponseHead::new(200), Some(2)).unwrap();
/// sink.send_body(b"ok").unwrap();
/// sink.finish(ConnectionFate::KeptAlive).unwrap();
/// assert_eq!(sink.head().unwrap().status, 200);
/// assert_eq!(sink.body(), b"ok");
/// assert_eq!(sink.fate(), Some(ConnectionFate::KeptAlive));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordingSink {
    head: Option<ResponseHead>,
    content_length: Option<u64>,
    body: Vec<u8>,
    body_calls: usize,
    fate: Option<ConnectionFate>,
}

impl RecordingSink {
    /// An empty recorder: no head, no body, not finished.
    pub fn new() -> Self {
        Self::default()
    }

    /// The head passed to `send_head`, if it was called.
    pub fn head(&self) -> Option<&ResponseHead> {
        self.head.as_ref()
    }

    /// Whether `send_head` was called.
    pub fn head_sent(&self) -> bool {
        self.head.is_some()
    }

    /// The `content_length` passed to `send_head` (`None` also when no head was sent).
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// All body bytes passed to `send_body`, concatenated.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// How many times `send_body` was called.
    pub fn body_calls(&self) -> usize {
        self.body_calls
    }

    /// The fate passed to `finish`, if it was called.
    pub fn fate(&self) -> Option<ConnectionFate> {
        self.fate
    }

    /// Whether `finish` was called.
    pub fn is_finished(&self) -> bool {
        self.fate.is_some()
    }

    /// Takes the recorded body out, leaving it empty.
    pub fn take_body(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.body)
    }

    fn ensure_open(&self) -> io::Result<()> {
        if self.fate.is_some() {
            return Err(misuse("the response is already finished"));
        }
        Ok(())
    }
}

impl ResponseSink for RecordingSink {
    fn send_head(&mut self, head: &ResponseHead, content_length: Option<u64>) -> io::Result<()> {
        self.ensure_open()?;
        if self.head.is_some() {
            return Err(misuse("the response head was already sent"));
        }
        self.head = Some(head.clone());
        self.content_length = content_length;
        Ok(())
    }

    fn send_body(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.ensure_open()?;
        if self.head.is_none() {
            return Err(misuse("body sent before the response head"));
        }
        self.body.extend_from_slice(bytes);
        self.body_calls += 1;
        Ok(())
    }

    fn finish(&mut self, fate: ConnectionFate) -> io::Result<ConnectionFate> {
        self.ensure_open()?;
        self.fate = Some(fate);
        Ok(fate)
    }
}

/// The error for a call out of the contract's order.
pub(crate) fn misuse(message: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_head_body_and_fate() {
        let mut sink = RecordingSink::new();
        assert!(!sink.head_sent());
        sink.send_head(&ResponseHead::new(201), None).unwrap();
        sink.send_body(b"ab").unwrap();
        sink.send_body(b"c").unwrap();
        assert_eq!(
            sink.finish(ConnectionFate::Reset).unwrap(),
            ConnectionFate::Reset
        );
        assert!(sink.head_sent() && sink.is_finished());
        assert_eq!(sink.content_length(), None);
        assert_eq!(sink.body(), b"abc");
        assert_eq!(sink.body_calls(), 2);
        assert_eq!(sink.take_body(), b"abc");
        assert!(sink.body().is_empty());
    }

    #[test]
    fn rejects_calls_out_of_order() {
        let mut sink = RecordingSink::new();
        let kind = |r: io::Result<()>| r.unwrap_err().kind();
        assert_eq!(kind(sink.send_body(b"x")), io::ErrorKind::InvalidInput);
        sink.send_head(&ResponseHead::new(200), Some(0)).unwrap();
        assert_eq!(
            kind(sink.send_head(&ResponseHead::new(200), Some(0))),
            io::ErrorKind::InvalidInput
        );
        sink.finish(ConnectionFate::Closed).unwrap();
        assert_eq!(kind(sink.send_body(b"x")), io::ErrorKind::InvalidInput);
        assert!(sink.finish(ConnectionFate::Closed).is_err());
        assert_eq!(sink.fate(), Some(ConnectionFate::Closed));
    }
}
