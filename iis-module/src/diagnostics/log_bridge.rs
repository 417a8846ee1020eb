//! The opt-in bridge from the [`log`] crate to the SDK's channel
//! ([`Registration::forward_log`](crate::Registration::forward_log)).
//!
//! A module DLL links its own copy of `log`, so its records never reach the
//! logger of the process that loaded it (iis-host's test binary, `w3wp`).
//! The bridge is the DLL's logger: a record made while IIS calls into the
//! module goes to the host that records diagnostics ([`IHostLog`]), else,
//! on Windows, to the Windows event log under the module's name.

use super::{Scope, send_to_host};
use crate::{Error, HttpServer, Result};
use core::sync::atomic::{AtomicBool, Ordering};

/// The DLL's logger.
struct Bridge;

static BRIDGE: Bridge = Bridge;

/// Whether [`BRIDGE`] is the DLL's logger (set once, by the first
/// `forward_log`).
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// The Windows event source records go to when no host records them (IIS).
#[cfg(windows)]
static NATIVE: std::sync::OnceLock<crate::event_log::EventLog> = std::sync::OnceLock::new();

impl log::Log for Bridge {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let message = record.args().to_string();
        let to_host = Scope::current()
            .is_some_and(|scope| send_to_host(scope, record.level(), record.target(), &message));
        if !to_host {
            native(record, &message);
        }
    }

    fn flush(&self) {}
}

/// A record no host took: to the Windows event log, once opened.
#[cfg(windows)]
fn native(record: &log::Record<'_>, message: &str) {
    if let Some(event_log) = NATIVE.get() {
        let kind = match record.level() {
            log::Level::Error => crate::event_log::EventType::Error,
            log::Level::Warn => crate::event_log::EventType::Warning,
            _ => crate::event_log::EventType::Information,
        };
        let text = format!("{}: {message}", record.target());
        let _ = event_log.report(kind, 0, &[&text]);
    }
}

/// A record no host took: nowhere to go off Windows.
#[cfg(not(windows))]
fn native(_: &log::Record<'_>, _: &str) {}

/// Makes the bridge the DLL's `log` logger (once; later calls only set the
/// level) with `max` as the most verbose level it forwards; on IIS, opens
/// the event source `source` for the records no host takes.
#[cfg_attr(not(windows), allow(unused_variables))]
pub(crate) fn install(server: &HttpServer, source: &str, max: log::LevelFilter) -> Result<()> {
    if !INSTALLED.load(Ordering::Acquire) {
        log::set_logger(&BRIDGE).map_err(|_| Error::InvalidInput {
            what: "log bridge",
            reason: "the module already installed another `log` logger",
        })?;
        INSTALLED.store(true, Ordering::Release);
    }
    log::set_max_level(max);
    #[cfg(windows)]
    if super::host_extension::<iis_sys::IHostLog>(server).is_none() && NATIVE.get().is_none() {
        let event_log = crate::event_log::EventLog::open(server, source)?;
        // A host with the event-log extension but not IHostLog would hand
        // out a pointer that lives only as long as its server: kept only
        // when the entries go to the Windows event log itself.
        if !event_log.is_host_recorded() {
            let _ = NATIVE.set(event_log);
        }
    }
    Ok(())
}
