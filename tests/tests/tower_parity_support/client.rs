//! A small HTTP/1.1 client over a raw TCP socket, so the tests choose every
//! byte of the request (repeated headers, chunked bodies, invalid
//! percent-encoding, `Expect: 100-continue`) and see every byte of the
//! response (interim responses, framing, when each chunk arrived).

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// How long a read may wait before the exchange fails.
const READ_TIMEOUT: Duration = Duration::from_secs(20);

/// A request as it goes on the wire: its head and its body bytes.
#[derive(Clone)]
pub struct RawRequest {
    method: String,
    target: String,
    version: &'static str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    expect_continue: bool,
}

impl RawRequest {
    /// `method target HTTP/1.1` with `Host: localhost`.
    pub fn new(method: &str, target: &str) -> Self {
        Self {
            method: method.to_owned(),
            target: target.to_owned(),
            version: "HTTP/1.1",
            headers: vec![("Host".to_owned(), "localhost".to_owned())],
            body: Vec::new(),
            expect_continue: false,
        }
    }

    /// A `GET`.
    pub fn get(target: &str) -> Self {
        Self::new("GET", target)
    }

    /// Adds a header line (a name given twice gives two lines).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sends HTTP/1.0 instead.
    pub fn http10(mut self) -> Self {
        self.version = "HTTP/1.0";
        self
    }

    /// A body with its `Content-Type` (if any) and `Content-Length`.
    pub fn body(self, content_type: Option<&str>, body: &[u8]) -> Self {
        let mut request = match content_type {
            Some(content_type) => self.header("Content-Type", content_type),
            None => self,
        };
        request = request.header("Content-Length", &body.len().to_string());
        request.body = body.to_vec();
        request
    }

    /// A body with its `Content-Type`, sent chunked in pieces of `piece`
    /// bytes (with a chunk extension on the first, which servers ignore).
    pub fn chunked_body(self, content_type: &str, body: &[u8], piece: usize) -> Self {
        let mut request = self
            .header("Content-Type", content_type)
            .header("Transfer-Encoding", "chunked");
        let mut framed = Vec::with_capacity(body.len() + body.len() / piece * 12 + 16);
        for (i, chunk) in body.chunks(piece).enumerate() {
            let extension = if i == 0 { ";note=first" } else { "" };
            framed.extend_from_slice(format!("{:x}{extension}\r\n", chunk.len()).as_bytes());
            framed.extend_from_slice(chunk);
            framed.extend_from_slice(b"\r\n");
        }
        framed.extend_from_slice(b"0\r\n\r\n");
        request.body = framed;
        request
    }

    /// Sends the head with `Expect: 100-continue`, and the body only after
    /// the server's `100 Continue`.
    pub fn expect_continue(mut self) -> Self {
        self.headers
            .push(("Expect".to_owned(), "100-continue".to_owned()));
        self.expect_continue = true;
        self
    }

    /// The request line, for messages.
    pub fn line(&self) -> String {
        let target = if self.target.len() > 60 {
            format!("{}… ({} bytes)", &self.target[..60], self.target.len())
        } else {
            self.target.clone()
        };
        format!("{} {target}", self.method)
    }

    fn head_bytes(&self) -> Vec<u8> {
        let mut head = format!("{} {} {}\r\n", self.method, self.target, self.version);
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        head.into_bytes()
    }
}

/// How the response body was delimited on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// No body could follow (HEAD, 204, 304).
    None,
    /// `Content-Length`.
    Length,
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// Until the server closed the connection.
    Close,
}

/// A response as the client received it.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// The status code of the final response.
    pub status: u16,
    /// Its reason phrase.
    pub reason: String,
    /// The status codes of the interim (1xx) responses before it.
    pub interim: Vec<u16>,
    /// The header lines, in order, names as sent.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
    /// How the body was delimited.
    pub framing: Framing,
    /// For a chunked body: when each chunk had arrived (since the request
    /// was sent) and its bytes.
    pub chunks: Vec<(Duration, Vec<u8>)>,
    /// When the response had ended (since the request was sent).
    pub ended: Duration,
}

impl RawResponse {
    /// The values of the header `name` (any case), in order.
    pub fn header_values(&self, name: &str) -> Vec<&[u8]> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
            .collect()
    }

    /// The body as text (lossy), for messages.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `request` to `addr` on a new connection and reads one response.
/// The body is written from a thread of its own, so a server that answers
/// before it has read the whole body (a `413`) is seen as the client sees
/// it, not deadlocked on a full socket.
///
/// # Errors
/// If the connection fails or the response is not HTTP/1.1.
pub fn send(addr: SocketAddr, request: &RawRequest) -> io::Result<RawResponse> {
    let stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    stream.set_nodelay(true)?;
    let started = Instant::now();
    let mut reader = Reader::new(stream.try_clone()?);
    let mut writer = stream.try_clone()?;
    let mut interim = Vec::new();
    let sending = if request.expect_continue {
        writer.write_all(&request.head_bytes())?;
        let head = reader.head()?;
        interim.push(head.status);
        if head.status != 100 {
            return Err(io::Error::other(format!(
                "expected 100 Continue, got {}",
                head.status
            )));
        }
        let body = request.body.clone();
        std::thread::spawn(move || writer.write_all(&body))
    } else {
        let mut bytes = request.head_bytes();
        bytes.extend_from_slice(&request.body);
        std::thread::spawn(move || writer.write_all(&bytes))
    };
    let response = read_response(&mut reader, request.method == "HEAD", interim, started);
    // Whatever the writer still had to send, the exchange is over.
    let _ = stream.shutdown(Shutdown::Both);
    let _ = sending.join();
    response
}

fn read_response(
    reader: &mut Reader,
    head_request: bool,
    mut interim: Vec<u16>,
    started: Instant,
) -> io::Result<RawResponse> {
    let head = loop {
        let head = reader.head()?;
        if (100..200).contains(&head.status) && head.status != 101 {
            interim.push(head.status);
            continue;
        }
        break head;
    };
    let value = |name: &str| {
        head.headers
            .iter()
            .rev()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).trim().to_ascii_lowercase())
    };
    let mut chunks = Vec::new();
    let (framing, body) = if head_request || matches!(head.status, 204 | 304) {
        (Framing::None, Vec::new())
    } else if value("transfer-encoding").is_some_and(|te| te.ends_with("chunked")) {
        let mut body = Vec::new();
        loop {
            let line = reader.line()?;
            let size = line.split(';').next().unwrap_or_default().trim();
            let size = usize::from_str_radix(size, 16)
                .map_err(|_| io::Error::other(format!("bad chunk size line {line:?}")))?;
            if size == 0 {
                // Trailers, up to the empty line.
                while !reader.line()?.is_empty() {}
                break;
            }
            let chunk = reader.exact(size)?;
            if !reader.line()?.is_empty() {
                return Err(io::Error::other("chunk not followed by CRLF"));
            }
            body.extend_from_slice(&chunk);
            chunks.push((started.elapsed(), chunk));
        }
        (Framing::Chunked, body)
    } else if let Some(length) = value("content-length") {
        let length = length
            .parse()
            .map_err(|_| io::Error::other(format!("bad Content-Length {length:?}")))?;
        (Framing::Length, reader.exact(length)?)
    } else {
        (Framing::Close, reader.rest()?)
    };
    Ok(RawResponse {
        status: head.status,
        reason: head.reason,
        interim,
        headers: head.headers,
        body,
        framing,
        chunks,
        ended: started.elapsed(),
    })
}

/// A parsed status line and header lines.
struct Head {
    status: u16,
    reason: String,
    headers: Vec<(String, Vec<u8>)>,
}

/// Buffered reads off the socket.
struct Reader {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl Reader {
    fn new(stream: TcpStream) -> Self {
        Self {
            stream,
            buffer: Vec::new(),
        }
    }

    /// Reads more into the buffer; an error at the end of the stream.
    fn fill(&mut self) -> io::Result<()> {
        let mut piece = [0u8; 64 * 1024];
        let n = self.stream.read(&mut piece)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.buffer.extend_from_slice(&piece[..n]);
        Ok(())
    }

    fn head(&mut self) -> io::Result<Head> {
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 64];
            let mut response = httparse::Response::new(&mut headers);
            match response.parse(&self.buffer) {
                Ok(httparse::Status::Complete(length)) => {
                    let head = Head {
                        status: response.code.unwrap_or_default(),
                        reason: response.reason.unwrap_or_default().to_owned(),
                        headers: response
                            .headers
                            .iter()
                            .map(|h| (h.name.to_owned(), h.value.to_vec()))
                            .collect(),
                    };
                    self.buffer.drain(..length);
                    return Ok(head);
                }
                Ok(httparse::Status::Partial) => self.fill()?,
                Err(error) => return Err(io::Error::other(format!("bad response head: {error}"))),
            }
        }
    }

    /// A line without its CRLF.
    fn line(&mut self) -> io::Result<String> {
        loop {
            if let Some(end) = self.buffer.windows(2).position(|w| w == b"\r\n") {
                let line = String::from_utf8_lossy(&self.buffer[..end]).into_owned();
                self.buffer.drain(..end + 2);
                return Ok(line);
            }
            self.fill()?;
        }
    }

    fn exact(&mut self, length: usize) -> io::Result<Vec<u8>> {
        while self.buffer.len() < length {
            self.fill()?;
        }
        Ok(self.buffer.drain(..length).collect())
    }

    fn rest(&mut self) -> io::Result<Vec<u8>> {
        loop {
            match self.fill() {
                Ok(()) => {}
                Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => {
                    return Ok(std::mem::take(&mut self.buffer));
                }
                Err(error) => return Err(error),
            }
        }
    }
}

/// A connection left open mid-request: closing it is the client leaving.
pub struct OpenRequest {
    stream: TcpStream,
}

impl OpenRequest {
    /// Sends `request`'s head and body, and reads nothing.
    ///
    /// # Errors
    /// If the connection fails.
    pub fn start(addr: SocketAddr, request: &RawRequest) -> io::Result<Self> {
        let mut stream = TcpStream::connect(addr)?;
        let mut bytes = request.head_bytes();
        bytes.extend_from_slice(&request.body);
        stream.write_all(&bytes)?;
        Ok(Self { stream })
    }

    /// Whether the server has sent nothing yet (nor closed).
    pub fn nothing_received(&self) -> bool {
        self.stream.set_nonblocking(true).expect("non-blocking");
        let mut byte = [0u8; 1];
        let nothing = matches!(
            self.stream.peek(&mut byte),
            Err(ref e) if e.kind() == io::ErrorKind::WouldBlock
        );
        self.stream.set_nonblocking(false).expect("blocking");
        nothing
    }

    /// Closes the connection (FIN) before any answer: the client left.
    pub fn leave(self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}
