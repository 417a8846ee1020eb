//! [`ModuleLog`]: what a module's SDK reported (the errors it handled) and
//! the `log` records the module forwarded.

use std::fmt;

/// The level of a [`ModuleLog`] record, as the `log` crate names it.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LogLevel {
    /// An error: a request failed, an API was misused.
    Error,
    /// A warning.
    Warn,
    /// Information.
    Info,
    /// Debugging detail.
    Debug,
    /// Tracing detail.
    Trace,
}

impl LogLevel {
    /// Classifies an `IHostLog::Log` level (`HOST_LOG_ERROR` …
    /// `HOST_LOG_TRACE`); `None` for any other value.
    pub fn from_raw(raw: u32) -> Option<Self> {
        Some(match raw {
            iis_sys::HOST_LOG_ERROR => LogLevel::Error,
            iis_sys::HOST_LOG_WARN => LogLevel::Warn,
            iis_sys::HOST_LOG_INFO => LogLevel::Info,
            iis_sys::HOST_LOG_DEBUG => LogLevel::Debug,
            iis_sys::HOST_LOG_TRACE => LogLevel::Trace,
            _ => return None,
        })
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        })
    }
}

/// One record a module sent through iis-host's diagnostics extension
/// (`iis_sys::IHostLog`): an error the iis-module SDK handled (target
/// `iis_module`: a hook's `Err` or panic turned into a 500, a global hook's
/// `Err`, a reset connection whose request was not finished, a dropped
/// `CompletionHandle`…), or a `log` record the module forwarded
/// (`Registration::forward_log`, its own target).
///
/// It is an [`ApiCall::Log`](crate::ApiCall::Log) in the transcript of the
/// request it was made in ([`Transcript::module_log`](crate::Transcript::module_log)),
/// or a [`HostEvent::Call`](crate::HostEvent::Call) outside requests; every
/// record is also in [`Host::module_log`](crate::Host::module_log) and goes
/// to [`HostConfig::on_module_log`](crate::HostConfig::on_module_log)
/// (`iis-host serve` prints it).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleLog {
    /// The module's name (`None` when the module id it sent is unknown).
    pub module: Option<String>,
    /// The level.
    pub level: LogLevel,
    /// Where the record comes from: `iis_module` for the SDK, the module's
    /// path (`log`'s target) for its own records.
    pub target: String,
    /// The message.
    pub message: String,
}

impl ModuleLog {
    /// A record (for tests of code that consumes records).
    pub fn new(
        module: Option<String>,
        level: LogLevel,
        target: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ModuleLog {
            module,
            level,
            target: target.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ModuleLog {
    /// `error [fails] iis_module: iis_test_modules::Fails::on_begin_request failed: …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.level)?;
        if let Some(module) = &self.module {
            write!(f, " [{module}]")?;
        }
        write!(f, " {}: {}", self.target, self.message)
    }
}
