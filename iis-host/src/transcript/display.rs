//! `Display` for [`Transcript`]: what a failing test needs to see.

use std::fmt::{self, Write as _};

use super::Transcript;

/// The most body bytes shown; the rest is counted.
const BODY_LIMIT: usize = 8 * 1024;

impl fmt::Display for Transcript {
    /// The response as the client received it, then the connection's fate
    /// and the notifications in call order; the alternate form (`{:#}`)
    /// adds the module→host calls and the request's events:
    ///
    /// ```text
    /// HTTP/1.1 200 OK (IIS 200.0)
    /// Content-Type: text/plain
    /// Content-Length: 14
    ///
    /// Hello, world!
    /// connection: kept-alive
    /// notifications:
    ///   hello_world: OnExecuteRequestHandler -> CONTINUE
    /// ```
    ///
    /// The status line shows IIS's `status.substatus`; when no response
    /// head was sent (status 0, e.g. after `ResetConnection`) it reads
    /// `no response (no status line was sent)`. Header names and values
    /// that are not printable UTF-8 are escaped (`\n`, `\xff`). A UTF-8
    /// body is shown as text (control characters other than tab, CR and
    /// LF escaped), a `\ No newline at end of body` line marking a missing
    /// final newline; any other body is shown as an escaped byte string.
    /// Bodies longer than 8 KiB are cut, with the number of bytes left
    /// out. The output depends only on the transcript.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.status == 0 {
            f.write_str("no response (no status line was sent)\n")?;
        } else {
            write!(f, "HTTP/1.1 {}", self.status)?;
            if !self.reason.is_empty() {
                f.write_char(' ')?;
                escaped_text(f, &self.reason, false)?;
            }
            writeln!(f, " (IIS {}.{})", self.status, self.substatus)?;
        }
        for (name, value) in &self.headers {
            escaped_text(f, name, false)?;
            f.write_str(": ")?;
            match std::str::from_utf8(value) {
                Ok(text) => escaped_text(f, text, false)?,
                Err(_) => write!(f, "{}", value.escape_ascii())?,
            }
            f.write_char('\n')?;
        }
        if self.status != 0 || !self.body.is_empty() {
            f.write_char('\n')?;
            body(f, &self.body)?;
        }
        writeln!(f, "connection: {}", self.fate)?;
        section(f, "notifications", &self.notifications)?;
        let logged: Vec<_> = self.module_log().collect();
        if !logged.is_empty() {
            section(f, "module log", &logged)?;
        }
        if f.alternate() {
            section(f, "calls", &self.calls)?;
            section(f, "events", &self.events)?;
        }
        Ok(())
    }
}

/// `title:` then one indented line per item (nothing when there are none).
fn section<T: fmt::Display>(f: &mut fmt::Formatter<'_>, title: &str, items: &[T]) -> fmt::Result {
    if items.is_empty() {
        return writeln!(f, "{title}: none");
    }
    writeln!(f, "{title}:")?;
    for item in items {
        writeln!(f, "  {item}")?;
    }
    Ok(())
}

/// The body: text, or escaped bytes; cut after [`BODY_LIMIT`] bytes.
fn body(f: &mut fmt::Formatter<'_>, body: &[u8]) -> fmt::Result {
    if body.is_empty() {
        return Ok(());
    }
    let Ok(text) = std::str::from_utf8(body) else {
        let shown = &body[..body.len().min(BODY_LIMIT)];
        write!(
            f,
            "{} bytes, not UTF-8: b\"{}\"",
            body.len(),
            shown.escape_ascii()
        )?;
        if shown.len() < body.len() {
            write!(f, " … ({} more bytes)", body.len() - shown.len())?;
        }
        return f.write_char('\n');
    };
    let mut cut = text.len().min(BODY_LIMIT);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let shown = &text[..cut];
    escaped_text(f, shown, true)?;
    if cut < text.len() {
        if !shown.ends_with('\n') {
            f.write_char('\n')?;
        }
        writeln!(f, "… ({} more bytes)", text.len() - cut)
    } else if shown.ends_with('\n') {
        Ok(())
    } else {
        f.write_str("\n\\ No newline at end of body\n")
    }
}

/// `text` with control characters escaped (but tab, and with `lines` CR
/// and LF, kept).
fn escaped_text(f: &mut fmt::Formatter<'_>, text: &str, lines: bool) -> fmt::Result {
    for c in text.chars() {
        let kept = c == '\t' || (lines && (c == '\n' || c == '\r'));
        if c.is_control() && !kept {
            write!(f, "{}", c.escape_default())?;
        } else {
            f.write_char(c)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::message::ConnectionFate;
    use crate::transcript::response::tests::transcript;
    use crate::transcript::{ApiCall, Notification, NotificationRecord, RequestStatus};

    #[test]
    fn display_shows_status_headers_body_fate_and_notifications() {
        let mut t = transcript(
            404,
            &[("Content-Type", b"text/plain"), ("X-Odd", b"a\nb\xff")],
            b"gone",
        );
        t.substatus = 2;
        t.notifications.push(NotificationRecord {
            module: "m".into(),
            notification: Notification::BeginRequest,
            post: false,
            status: RequestStatus::FinishRequest,
        });
        t.calls.push(ApiCall::ResponseWriteEntityChunks {
            bytes: b"gone".to_vec(),
        });
        assert_eq!(
            t.to_string(),
            "HTTP/1.1 404 Not Found (IIS 404.2)\n\
             Content-Type: text/plain\n\
             X-Odd: a\\nb\\xff\n\
             \n\
             gone\n\
             \\ No newline at end of body\n\
             connection: kept-alive\n\
             notifications:\n  m: OnBeginRequest -> FINISH_REQUEST\n"
        );
        assert!(
            format!("{t:#}")
                .ends_with("calls:\n  IHttpResponse::WriteEntityChunks(\"gone\")\nevents: none\n")
        );
    }

    #[test]
    fn display_of_a_reset_says_no_response_was_sent() {
        let mut t = transcript(0, &[], b"");
        t.fate = ConnectionFate::Reset;
        assert_eq!(
            t.to_string(),
            "no response (no status line was sent)\n\
             connection: reset\n\
             notifications: none\n"
        );
    }

    #[test]
    fn display_escapes_binary_bodies_and_cuts_long_ones() {
        let t = transcript(200, &[], b"\x89PNG\r\n");
        assert!(
            t.to_string()
                .contains("\n6 bytes, not UTF-8: b\"\\x89PNG\\r\\n\"\n"),
            "{t}"
        );
        let long = "é".repeat(5000);
        let t = transcript(200, &[], long.as_bytes());
        let shown = t.to_string();
        assert!(shown.contains("\n… (1808 more bytes)\n"), "{shown}");
        assert_eq!(shown.matches('é').count(), 4096);
        let text = transcript(200, &[], b"a\x1b[31mb\r\n");
        assert!(text.to_string().contains("\na\\u{1b}[31mb\r\n"));
    }
}
