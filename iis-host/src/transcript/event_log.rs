//! [`EventLogEntry`]: what a module wrote to the Windows event log.

use std::fmt;

/// The type of an event-log entry (`ReportEventW`'s `wType`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventLogType {
    /// `EVENTLOG_SUCCESS` (0).
    Success,
    /// `EVENTLOG_ERROR_TYPE` (1).
    Error,
    /// `EVENTLOG_WARNING_TYPE` (2).
    Warning,
    /// `EVENTLOG_INFORMATION_TYPE` (4).
    Information,
    /// `EVENTLOG_AUDIT_SUCCESS` (8).
    AuditSuccess,
    /// `EVENTLOG_AUDIT_FAILURE` (16).
    AuditFailure,
    /// Any other value.
    Other(u16),
}

impl EventLogType {
    /// Classifies a raw `wType`.
    pub fn from_raw(raw: u16) -> Self {
        match raw {
            0 => EventLogType::Success,
            1 => EventLogType::Error,
            2 => EventLogType::Warning,
            4 => EventLogType::Information,
            8 => EventLogType::AuditSuccess,
            16 => EventLogType::AuditFailure,
            other => EventLogType::Other(other),
        }
    }
}

impl fmt::Display for EventLogType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventLogType::Success => f.write_str("EVENTLOG_SUCCESS"),
            EventLogType::Error => f.write_str("EVENTLOG_ERROR_TYPE"),
            EventLogType::Warning => f.write_str("EVENTLOG_WARNING_TYPE"),
            EventLogType::Information => f.write_str("EVENTLOG_INFORMATION_TYPE"),
            EventLogType::AuditSuccess => f.write_str("EVENTLOG_AUDIT_SUCCESS"),
            EventLogType::AuditFailure => f.write_str("EVENTLOG_AUDIT_FAILURE"),
            EventLogType::Other(v) => write!(f, "{v}"),
        }
    }
}

/// One entry a module wrote to the Windows event log, through the host's
/// event-log extension (see [`Host::event_log`](crate::Host::event_log)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventLogEntry {
    /// The event source (`RegisterEventSource`'s `lpSourceName`).
    pub source: String,
    /// `wType`.
    pub kind: EventLogType,
    /// `wCategory`.
    pub category: u16,
    /// `dwEventID`.
    pub event_id: u32,
    /// The insertion strings (`lpStrings`).
    pub strings: Vec<String>,
    /// The raw data (`lpRawData`).
    pub data: Vec<u8>,
}

impl EventLogEntry {
    /// The strings joined with `\n`: the message of a one-string entry.
    pub fn text(&self) -> String {
        self.strings.join("\n")
    }
}

impl fmt::Display for EventLogEntry {
    /// `ReportEventW("IISADMIN", EVENTLOG_INFORMATION_TYPE, 0, 0, ["Hello World!"])`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ReportEventW({:?}, {}, {}, {}, {:?}",
            self.source, self.kind, self.category, self.event_id, self.strings
        )?;
        if !self.data.is_empty() {
            write!(f, ", {} bytes", self.data.len())?;
        }
        f.write_str(")")
    }
}
