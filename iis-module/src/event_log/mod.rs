//! The Windows event log, as IIS modules write to it
//! (`RegisterEventSourceW` / `ReportEventW` / `DeregisterEventSource`).
//!
//! See [`EventLog`] for where entries go and the host extension's ABI.

#[cfg(windows)]
#[allow(
    non_snake_case,
    non_camel_case_types,
    dead_code,
    missing_docs,
    clippy::all,
    clippy::undocumented_unsafe_blocks
)]
mod win32;

use crate::ffi::vcall;
use crate::{Error, HttpServer, Result};
use core::ffi::c_void;
use core::ptr::NonNull;
use iis_sys::{GUID, IHostEventLog, Interface, PCWSTR};

/// The IID of iis-host's event-log extension (see [`EventLog`] and
/// [`iis_sys::IHostEventLog`]): `{9A0DFA18-0ED6-4AF1-9AFD-5194646C493E}`.
pub const HOST_EVENT_LOG_IID: GUID = <IHostEventLog as Interface>::IID;

/// The longest string `ReportEventW` accepts, in UTF-16 units.
pub const MAX_EVENT_STRING: usize = 31_839;

/// The type of an event-log entry (`wType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventType {
    /// `EVENTLOG_SUCCESS`.
    Success,
    /// `EVENTLOG_ERROR_TYPE`.
    Error,
    /// `EVENTLOG_WARNING_TYPE`.
    Warning,
    /// `EVENTLOG_INFORMATION_TYPE`.
    Information,
}

impl EventType {
    /// The `wType` value.
    pub const fn raw(self) -> u16 {
        match self {
            EventType::Success => 0,
            EventType::Error => 1,
            EventType::Warning => 2,
            EventType::Information => 4,
        }
    }
}

enum Backend {
    Host(NonNull<IHostEventLog>),
    #[cfg(windows)]
    Windows(win32::HANDLE),
    #[cfg_attr(windows, allow(dead_code))]
    Log,
}

/// An event source of the Windows event log (`RegisterEventSourceW`),
/// opened by a module for its life: `Send + Sync`, closed
/// (`DeregisterEventSource`) on drop.
///
/// Where an entry goes depends on who loaded the module:
///
/// 1. **A host that records event-log entries** (iis-host): at
///    [`EventLog::open`] the SDK asks the server for the host extension
///    [`HOST_EVENT_LOG_IID`] through `IHttpServer2::GetExtendedInterface`
///    (the `HttpGetExtendedInterface` pattern, with the server itself as
///    input). A host that answers gets every entry through it, so a test can
///    assert what the module logged.
/// 2. **IIS on Windows** answers `E_NOINTERFACE`, so the SDK registers the
///    event source with `RegisterEventSourceW` and writes with
///    `ReportEventW`: the entries appear in the Application log, exactly as
///    those of a C++ module.
/// 3. **Anywhere else** (a host without the extension, off Windows) each
///    entry becomes a [`log`] record (target `iis_module::event_log`).
///
/// # The host extension's ABI
///
/// `IHttpServer2::GetExtendedInterface(IID_IHttpServer, pServer,
/// HOST_EVENT_LOG_IID, &out)` returns an object whose first field points at
/// a one-slot vtable, a member function (`thiscall` on x86):
///
/// ```text
/// HRESULT ReportEvent(PCWSTR pszSource, WORD wType, WORD wCategory,
///                     DWORD dwEventID, WORD wNumStrings,
///                     const PCWSTR *lpStrings, DWORD dwDataSize,
///                     const VOID *lpRawData);
/// ```
///
/// the arguments of `ReportEventW` with the source name in place of the
/// handle. The object lives as long as the server. iis-host implements it
/// (`iis_host::EventLogEntry`); any other host may.
///
/// ```no_run
/// use iis_module::prelude::*;
///
/// struct HelloWorld(EventLog);
///
/// #[global_module]
/// impl GlobalModule for HelloWorld {
///     fn on_pre_begin_request(&self, _: &mut PreBeginRequest) -> Result<GlobalFlow> {
///         self.0.info("Hello World!")?;
///         Ok(GlobalFlow::Continue)
///     }
/// }
///
/// #[register_module]
/// fn register(module: &mut Registration) -> Result<()> {
///     let log = EventLog::open(&module.server(), "IISADMIN")?;
///     module.global_module(HelloWorld(log))
/// }
/// ```
pub struct EventLog {
    source: String,
    wide_source: Vec<u16>,
    backend: Backend,
}

impl core::fmt::Debug for EventLog {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let backend = match self.backend {
            Backend::Host(_) => "host",
            #[cfg(windows)]
            Backend::Windows(_) => "windows",
            Backend::Log => "log",
        };
        f.debug_struct("EventLog")
            .field("source", &self.source)
            .field("backend", &backend)
            .finish()
    }
}

// SAFETY: the host extension object lives as long as the server and its
// slot may be called from any thread (iis-host's is free-threaded, as every
// IIS server object); an event-log handle may be used from any thread.
unsafe impl Send for EventLog {}
// SAFETY: as above; `report` only reads `self`.
unsafe impl Sync for EventLog {}

fn wide(s: &str, what: &'static str) -> Result<Vec<u16>> {
    if s.contains('\0') {
        return Err(Error::InvalidInput {
            what,
            reason: "contains NUL",
        });
    }
    let mut units: Vec<u16> = s.encode_utf16().collect();
    if units.len() > MAX_EVENT_STRING {
        return Err(Error::TooLong {
            what,
            len: units.len(),
            max: MAX_EVENT_STRING,
        });
    }
    units.push(0);
    Ok(units)
}

/// The host's event-log extension, if the server has one.
fn host_extension(server: &HttpServer) -> Option<NonNull<IHostEventLog>> {
    crate::diagnostics::host_extension::<IHostEventLog>(server)
}

impl EventLog {
    /// Opens the event source `source` (`IISADMIN` in Microsoft's samples)
    /// on the local machine.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a name with NUL; [`Error::Server`] with
    /// the Windows error if `RegisterEventSourceW` fails.
    #[doc(alias = "RegisterEventSource")]
    #[doc(alias = "RegisterEventSourceW")]
    pub fn open(server: &HttpServer, source: &str) -> Result<Self> {
        let wide_source = wide(source, "event source")?;
        let backend = match host_extension(server) {
            Some(host) => Backend::Host(host),
            None => Self::native(&wide_source)?,
        };
        Ok(Self {
            source: source.to_owned(),
            wide_source,
            backend,
        })
    }

    #[cfg(windows)]
    fn native(source: &[u16]) -> Result<Backend> {
        // SAFETY: a null server name means the local machine; `source` is
        // NUL-terminated UTF-16 living across the call.
        let handle = unsafe { win32::RegisterEventSourceW(core::ptr::null(), source.as_ptr()) };
        if handle.is_null() {
            return Err(Error::Server {
                operation: "RegisterEventSourceW",
                hresult: last_error(),
            });
        }
        Ok(Backend::Windows(handle))
    }

    #[cfg(not(windows))]
    fn native(_: &[u16]) -> Result<Backend> {
        Ok(Backend::Log)
    }

    /// The source name.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether entries reach the host (iis-host records them) rather than
    /// the Windows event log or the `log` crate.
    pub fn is_host_recorded(&self) -> bool {
        matches!(self.backend, Backend::Host(_))
    }

    /// Writes an entry with category 0, no raw data and no user SID.
    ///
    /// # Errors
    /// As [`report_raw`](Self::report_raw).
    #[doc(alias = "ReportEvent")]
    #[doc(alias = "ReportEventW")]
    pub fn report(&self, kind: EventType, event_id: u32, strings: &[&str]) -> Result<()> {
        self.report_raw(kind, 0, event_id, strings, &[])
    }

    /// An information entry of one string, event id 0 (what the samples'
    /// `WriteEventViewerLog` writes).
    ///
    /// # Errors
    /// As [`report_raw`](Self::report_raw).
    pub fn info(&self, message: &str) -> Result<()> {
        self.report(EventType::Information, 0, &[message])
    }

    /// A warning entry of one string, event id 0.
    ///
    /// # Errors
    /// As [`report_raw`](Self::report_raw).
    pub fn warning(&self, message: &str) -> Result<()> {
        self.report(EventType::Warning, 0, &[message])
    }

    /// An error entry of one string, event id 0.
    ///
    /// # Errors
    /// As [`report_raw`](Self::report_raw).
    pub fn error(&self, message: &str) -> Result<()> {
        self.report(EventType::Error, 0, &[message])
    }

    /// Writes an entry: its type, category, event id, insertion strings and
    /// raw binary data (no user SID).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a string with NUL; [`Error::TooLong`] for
    /// a string over [`MAX_EVENT_STRING`] units, more than 65,535 strings or
    /// data over 4 GiB; [`Error::Server`] if the host or `ReportEventW`
    /// fails.
    #[doc(alias = "ReportEventW")]
    pub fn report_raw(
        &self,
        kind: EventType,
        category: u16,
        event_id: u32,
        strings: &[&str],
        data: &[u8],
    ) -> Result<()> {
        let count = u16::try_from(strings.len()).map_err(|_| Error::TooLong {
            what: "event strings",
            len: strings.len(),
            max: u16::MAX as usize,
        })?;
        let size = u32::try_from(data.len()).map_err(|_| Error::TooLong {
            what: "event data",
            len: data.len(),
            max: u32::MAX as usize,
        })?;
        let owned = strings
            .iter()
            .map(|s| wide(s, "event string"))
            .collect::<Result<Vec<_>>>()?;
        let pointers: Vec<PCWSTR> = owned.iter().map(|s| PCWSTR(s.as_ptr())).collect();
        let data_ptr = if data.is_empty() {
            core::ptr::null()
        } else {
            data.as_ptr().cast::<c_void>()
        };
        match self.backend {
            Backend::Host(host) => {
                // SAFETY: live extension object (it lives as long as the
                // server); every pointer is valid across the call: the
                // NUL-terminated source and strings, `count` string
                // pointers, `size` data bytes.
                let hr = unsafe {
                    vcall!(
                        host.as_ptr(),
                        ReportEvent(
                            PCWSTR(self.wide_source.as_ptr()),
                            kind.raw(),
                            category,
                            event_id,
                            count,
                            pointers.as_ptr(),
                            size,
                            data_ptr
                        )
                    )
                };
                Error::check("IHostEventLog::ReportEvent", hr)
            }
            #[cfg(windows)]
            Backend::Windows(handle) => {
                let pointers: Vec<*const u16> = pointers.iter().map(|p| p.0).collect();
                // SAFETY: `handle` came from RegisterEventSourceW and is
                // open until drop; the strings and data are valid across
                // the call; a null SID is allowed.
                let ok = unsafe {
                    win32::ReportEventW(
                        handle,
                        kind.raw(),
                        category,
                        event_id,
                        core::ptr::null_mut(),
                        count,
                        size,
                        pointers.as_ptr(),
                        data_ptr,
                    )
                };
                if ok == 0 {
                    return Err(Error::Server {
                        operation: "ReportEventW",
                        hresult: last_error(),
                    });
                }
                Ok(())
            }
            Backend::Log => {
                let text = strings.join("\n");
                let level = match kind {
                    EventType::Error => log::Level::Error,
                    EventType::Warning => log::Level::Warn,
                    _ => log::Level::Info,
                };
                log::log!(target: "iis_module::event_log", level, "{} [{event_id}]: {text}", self.source);
                Ok(())
            }
        }
    }
}

impl Drop for EventLog {
    fn drop(&mut self) {
        #[cfg(windows)]
        if let Backend::Windows(handle) = self.backend {
            // SAFETY: the handle came from RegisterEventSourceW and is
            // closed exactly once, here.
            unsafe { win32::DeregisterEventSource(handle) };
        }
    }
}

/// `HRESULT_FROM_WIN32(GetLastError())`.
#[cfg(windows)]
fn last_error() -> iis_sys::HRESULT {
    // std reads the calling thread's `GetLastError()`.
    let code = std::io::Error::last_os_error()
        .raw_os_error()
        .map_or(0, |code| code as u32);
    if code == 0 {
        return crate::error::E_FAIL;
    }
    iis_sys::HRESULT(((code & 0xFFFF) | 0x8007_0000) as i32)
}

impl HttpServer {
    /// Opens the event source `source` of the Windows event log (see
    /// [`EventLog`]).
    ///
    /// # Errors
    /// As [`EventLog::open`].
    #[doc(alias = "RegisterEventSource")]
    pub fn event_log(&self, source: &str) -> Result<EventLog> {
        EventLog::open(self, source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_strings_are_validated() {
        assert!(matches!(
            wide("a\0b", "event string"),
            Err(Error::InvalidInput { .. })
        ));
        let long = "x".repeat(MAX_EVENT_STRING + 1);
        assert!(matches!(
            wide(&long, "event string"),
            Err(Error::TooLong { .. })
        ));
        assert_eq!(
            wide("ok", "s").unwrap(),
            [u16::from(b'o'), u16::from(b'k'), 0]
        );
        assert_eq!(EventType::Information.raw(), 4);
    }
}
