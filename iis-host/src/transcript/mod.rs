//! What a run records: the [`Transcript`] of one request (what the client
//! received, the notifications in order, the module→host calls) and the
//! host-wide [`HostEvent`]s. Tests assert on these.

mod calls;
mod display;
mod event_log;
mod events;
mod log_record;
mod module_log;
mod notification;
mod response;

use std::fmt;

use crate::message::ConnectionFate;

pub use calls::{ApiCall, HeaderKey};
pub use event_log::{EventLogEntry, EventLogType};
pub use events::HostEvent;
pub use log_record::LogRecord;
pub use module_log::{LogLevel, ModuleLog};
pub use notification::{GlobalNotification, Notification};

/// What a request notification returned (`REQUEST_NOTIFICATION_STATUS`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestStatus {
    /// `RQ_NOTIFICATION_CONTINUE`.
    Continue,
    /// `RQ_NOTIFICATION_PENDING`.
    Pending,
    /// `RQ_NOTIFICATION_FINISH_REQUEST`.
    FinishRequest,
    /// A value outside the enum (treated as `CONTINUE`, as IIS does not define it).
    Other(i32),
}

impl RequestStatus {
    /// Classifies a raw `REQUEST_NOTIFICATION_STATUS`.
    pub fn from_raw(raw: iis_sys::REQUEST_NOTIFICATION_STATUS) -> Self {
        match raw.0 {
            0 => RequestStatus::Continue,
            1 => RequestStatus::Pending,
            2 => RequestStatus::FinishRequest,
            other => RequestStatus::Other(other),
        }
    }
}

impl fmt::Display for RequestStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestStatus::Continue => f.write_str("CONTINUE"),
            RequestStatus::Pending => f.write_str("PENDING"),
            RequestStatus::FinishRequest => f.write_str("FINISH_REQUEST"),
            RequestStatus::Other(v) => write!(f, "{v}"),
        }
    }
}

/// One call of a module's notification method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRecord {
    /// The module's name.
    pub module: String,
    /// The notification.
    pub notification: Notification,
    /// Whether it was the post-notification (`OnPost…`).
    pub post: bool,
    /// What the module returned.
    pub status: RequestStatus,
}

impl fmt::Display for NotificationRecord {
    /// `recorder: OnPostBeginRequest -> CONTINUE`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let post = if self.post { "Post" } else { "" };
        let name = match self.notification {
            Notification::CustomRequestNotification => "CustomRequestNotification",
            other => return write!(f, "{}: On{post}{other} -> {}", self.module, self.status),
        };
        write!(f, "{}: On{name} -> {}", self.module, self.status)
    }
}

/// Everything one request did, as the client and the modules saw it.
///
/// To compare the response as axum tests do, turn it into an
/// `http::Response<Bytes>` with [`into_response`](Self::into_response) (the
/// transcript rides along in the response's extensions); its `Display`
/// (`{}`, or `{:#}` with the calls and events) prints what a failing
/// assertion needs: the status line with IIS's substatus, the headers, the
/// body, the connection's fate and the notifications in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    /// The status code the client received (0 when no response head was sent,
    /// e.g. after `ResetConnection`).
    pub status: u16,
    /// The IIS substatus of the response when its head was sent (not on the wire).
    pub substatus: u16,
    /// The reason phrase the client received.
    pub reason: String,
    /// The response headers the client received, in order. For a buffered
    /// response this includes the `Content-Length` the connection layer adds;
    /// the other framing headers (`Transfer-Encoding`, `Connection`) are the
    /// connection layer's and are not listed.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The entity bytes the client received.
    pub body: Vec<u8>,
    /// How the connection ended.
    pub fate: ConnectionFate,
    /// The module notifications in call order.
    pub notifications: Vec<NotificationRecord>,
    /// The module→host calls that change observable state, in call order.
    pub calls: Vec<ApiCall>,
    /// Lifecycle events of this request (module instances, `PreBeginRequest`).
    pub events: Vec<HostEvent>,
    /// The log entry of the request, as prepared at the final send and
    /// changed by `ISendResponseProvider::SetLogData` (`None` when there
    /// was no final send, e.g. after `ResetConnection`).
    pub log: Option<LogRecord>,
}

impl Transcript {
    /// The value of the first response header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// The value of the first response header named `name`
    /// (case-insensitive) as text: `None` when there is none or it is not
    /// UTF-8.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.header(name).and_then(|v| std::str::from_utf8(v).ok())
    }

    /// What the module's SDK reported during the request (the errors it
    /// handled: why a hook's 500 happened, a misused API) and the `log`
    /// records the module forwarded, in order: the [`ApiCall::Log`] calls.
    pub fn module_log(&self) -> impl Iterator<Item = &ModuleLog> {
        self.calls.iter().filter_map(|call| match call {
            ApiCall::Log(record) => Some(record),
            _ => None,
        })
    }

    /// The body as (lossy) UTF-8.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The notification records rendered one per line (see [`NotificationRecord`]'s `Display`).
    pub fn notification_lines(&self) -> Vec<String> {
        self.notifications.iter().map(ToString::to_string).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_match_the_documented_forms() {
        let call = ApiCall::ResponseSetHeader {
            header: HeaderKey::Id(12),
            value: b"text/plain".to_vec(),
            replace: true,
        };
        assert_eq!(
            call.to_string(),
            r#"IHttpResponse::SetHeader(12, "text/plain", replace=true)"#
        );
        let write = ApiCall::ResponseWriteEntityChunks {
            bytes: b"Status: Before Reset\n".to_vec(),
        };
        assert_eq!(
            write.to_string(),
            r#"IHttpResponse::WriteEntityChunks("Status: Before Reset\n")"#
        );
        let record = NotificationRecord {
            module: "m".into(),
            notification: Notification::BeginRequest,
            post: true,
            status: RequestStatus::Continue,
        };
        assert_eq!(record.to_string(), "m: OnPostBeginRequest -> CONTINUE");
        assert_eq!(Notification::SendResponse.to_string(), "SendResponse");
    }
}
