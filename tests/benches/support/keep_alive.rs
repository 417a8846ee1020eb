//! The benches' load client: one keep-alive HTTP/1.1 connection over std
//! sockets (`TCP_NODELAY`), a request written as raw bytes, its response
//! read by its `Content-Length` into a reused buffer and handed, borrowed,
//! to a check. It allocates nothing per request, so a bench that counts
//! the process's allocations counts the server's.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::ops::Range;
use std::time::Duration;

/// One keep-alive connection and its read buffer.
pub struct Client {
    addr: SocketAddr,
    stream: TcpStream,
    buf: Vec<u8>,
    /// Bytes of `buf` read but not yet consumed.
    filled: usize,
    /// Times the server closed the connection after a response (and the
    /// client connected again).
    pub reconnects: usize,
}

/// A response as read, borrowed from the client's buffer.
pub struct Response<'a> {
    pub status: u16,
    pub content_type: Option<&'a [u8]>,
    pub body: &'a [u8],
    /// The whole response, head and body (for error messages).
    pub raw: &'a [u8],
}

impl Response<'_> {
    /// An error quoting this response.
    pub fn unexpected(&self, what: &str) -> io::Error {
        invalid(format!(
            "{what}: unexpected response {:?}",
            String::from_utf8_lossy(self.raw)
        ))
    }
}

impl Client {
    pub fn connect(addr: SocketAddr) -> io::Result<Client> {
        Ok(Client {
            addr,
            stream: open(addr)?,
            buf: vec![0; 4096],
            filled: 0,
            reconnects: 0,
        })
    }

    /// Sends `request`, reads its response and gives it to `check`;
    /// reconnects when the server closed the connection after it.
    pub fn exchange<T>(
        &mut self,
        request: &[u8],
        check: impl FnOnce(&Response<'_>) -> io::Result<T>,
    ) -> io::Result<T> {
        self.stream.write_all(request)?;
        let head = loop {
            if let Some(head) = parse_head(&self.buf[..self.filled])? {
                break head;
            }
            self.fill()?;
        };
        let end = head.len + head.content_length;
        while self.filled < end {
            self.fill()?;
        }
        let checked = check(&Response {
            status: head.status,
            content_type: head.content_type.map(|range| &self.buf[range]),
            body: &self.buf[head.len..end],
            raw: &self.buf[..end],
        })?;
        self.buf.copy_within(end..self.filled, 0);
        self.filled -= end;
        if head.close {
            self.stream = open(self.addr)?;
            self.filled = 0;
            self.reconnects += 1;
        }
        Ok(checked)
    }

    fn fill(&mut self) -> io::Result<()> {
        if self.filled == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        match self.stream.read(&mut self.buf[self.filled..])? {
            0 => Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                self.filled += n;
                Ok(())
            }
        }
    }
}

fn open(addr: SocketAddr) -> io::Result<TcpStream> {
    let stream = TcpStream::connect(addr)?;
    stream.set_nodelay(true)?;
    // A hung server fails the bench instead of blocking it.
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    Ok(stream)
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// What the client needs of a response's head.
struct Head {
    /// The head's length in bytes.
    len: usize,
    status: u16,
    content_length: usize,
    /// Where the `Content-Type` value is in the buffer.
    content_type: Option<Range<usize>>,
    /// The server closes the connection after this response.
    close: bool,
}

/// The head of the response at the start of `bytes`, if complete.
fn parse_head(bytes: &[u8]) -> io::Result<Option<Head>> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut headers);
    let len = match response.parse(bytes) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => return Err(invalid(format!("bad response head: {e}"))),
    };
    let (mut content_length, mut content_type, mut close) = (None, None, false);
    for header in response.headers.iter() {
        if header.name.eq_ignore_ascii_case("content-length") {
            content_length = std::str::from_utf8(header.value)
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok());
        } else if header.name.eq_ignore_ascii_case("content-type") {
            let start = header.value.as_ptr() as usize - bytes.as_ptr() as usize;
            content_type = Some(start..start + header.value.len());
        } else if header.name.eq_ignore_ascii_case("connection") {
            close = header.value.eq_ignore_ascii_case(b"close");
        }
    }
    let content_length = content_length.ok_or_else(|| {
        invalid(format!(
            "no Content-Length in {:?}",
            String::from_utf8_lossy(&bytes[..len])
        ))
    })?;
    Ok(Some(Head {
        len,
        status: response.code.unwrap_or(0),
        content_length,
        content_type,
        close,
    }))
}
