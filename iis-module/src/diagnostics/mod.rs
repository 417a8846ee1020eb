//! Where the errors the SDK handles go, and (opt in) the module's own `log`
//! records: one channel, [`report`], chosen by who loaded the module.
//!
//! The SDK turns many errors into an outcome IIS understands (a hook's `Err`
//! or panic becomes a 500; a global hook's `Err` continues the notification;
//! a request that reset its connection is finished; a dropped
//! `CompletionHandle` fails its request). Each of them is also *reported*,
//! through [`report`], so a developer can see why:
//!
//! 1. **A host that records diagnostics** (iis-host) answers the
//!    [`IHostLog`] extension (`IHttpServer2::GetExtendedInterface` with the
//!    server as input, as the event-log extension): the record goes to the
//!    host, which puts it in the transcript of the request it belongs to and
//!    on `iis-host serve`'s console.
//! 2. **Anywhere else** (IIS answers `E_NOINTERFACE`) the record becomes a
//!    [`log`] record of target `iis_module`: the module's logger gets it, and
//!    with the [`log` bridge](crate::Registration::forward_log) that is the
//!    Windows event log. A failed request hook also leaves a `QuickTrace`
//!    entry in IIS's failed-request tracing, and a failed `RegisterModule` an
//!    event-log entry, whatever the logger.
//!
//! To know the server (and the module) without a parameter on every call,
//! the SDK sets a [`Scope`] on the thread for as long as IIS calls into the
//! module (a notification, `RegisterModule`): a record made on that thread
//! meanwhile, by the SDK or through the bridge by the module, reaches that
//! server. The scope holds the server only while IIS's call runs, so no
//! pointer outlives the server.

mod log_bridge;

pub(crate) use log_bridge::install;

use crate::HttpServer;
use crate::ffi::vcall;
use crate::panic::contain;
use core::cell::Cell;
use core::fmt;
use core::ptr::NonNull;
use iis_sys::{HTTP_MODULE_ID, IHostLog, IHttpServer, Interface, PCSTR};

/// The server and module IIS is calling into on this thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Scope {
    /// The `IHttpServer` of `RegisterModule`, alive while IIS calls us.
    pub(crate) server: NonNull<IHttpServer>,
    /// The module's `HTTP_MODULE_ID`.
    pub(crate) module: HTTP_MODULE_ID,
}

// SAFETY: the server object is free-threaded (every IIS server object is)
// and lives as long as the process that calls the module; the module id is
// an opaque value.
unsafe impl Send for Scope {}
// SAFETY: as above; a scope only reads.
unsafe impl Sync for Scope {}

thread_local! {
    static CURRENT: Cell<Option<Scope>> = const { Cell::new(None) };
}

/// Restores the thread's previous scope on drop.
pub(crate) struct ScopeGuard(Option<Scope>);

impl Scope {
    /// The scope of a call from IIS with `server` (none without one).
    pub(crate) fn new(
        server: Option<NonNull<IHttpServer>>,
        module: HTTP_MODULE_ID,
    ) -> Option<Self> {
        server.map(|server| Scope { server, module })
    }

    /// Makes `scope` the thread's until the guard drops (for the length of
    /// one call from IIS, whose server is alive throughout).
    pub(crate) fn enter(scope: Option<Scope>) -> ScopeGuard {
        ScopeGuard(CURRENT.with(|c| c.replace(scope)))
    }

    /// The thread's scope, if IIS is calling into the module on it.
    pub(crate) fn current() -> Option<Scope> {
        CURRENT.with(Cell::get)
    }
}

impl Drop for ScopeGuard {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.0));
    }
}

/// An iis-host (or other host) extension of `server`, if it has one:
/// `IHttpServer2::GetExtendedInterface(IID_IHttpServer, server, I::IID)`.
pub(crate) fn host_extension<I: Interface>(server: &HttpServer) -> Option<NonNull<I>> {
    // The server, given as the input object of its own interface; a host
    // that does not know `I` answers a failing HRESULT.
    crate::server::extended_interface::<IHttpServer, I>(*server, server.iface())
        .map(iis_sys::Ref::as_non_null)
}

/// Sends one record to the host of `scope`; `false` when it has no
/// [`IHostLog`] (IIS), or refused the record.
pub(crate) fn send_to_host(scope: Scope, level: log::Level, target: &str, message: &str) -> bool {
    // SAFETY: the scope's server is alive (it is only set while IIS calls
    // into the module).
    let server = unsafe { HttpServer::from_raw(scope.server) };
    let Some(host) = host_extension::<IHostLog>(&server) else {
        return false;
    };
    let (Ok(target_len), Ok(message_len)) =
        (u32::try_from(target.len()), u32::try_from(message.len()))
    else {
        return false;
    };
    // SAFETY: the extension lives as long as the server; both strings are
    // valid for their byte lengths across the call.
    let hr = unsafe {
        vcall!(
            host.as_ptr(),
            Log(
                scope.module,
                level as u32,
                PCSTR(target.as_ptr()),
                target_len,
                PCSTR(message.as_ptr()),
                message_len
            )
        )
    };
    hr.is_ok()
}

/// Reports an error (or warning) the SDK handled: to the host of the
/// thread's [`Scope`] when it records diagnostics, else as a `log` record
/// of target `iis_module` (through the module's logger, which may panic:
/// contained).
pub(crate) fn report(level: log::Level, args: fmt::Arguments<'_>) {
    report_in(Scope::current(), level, args);
}

/// [`report`] in an explicit scope (a record made off IIS's thread, for a
/// request known to be alive).
pub(crate) fn report_in(scope: Option<Scope>, level: log::Level, args: fmt::Arguments<'_>) {
    let _ = contain(|| {
        if let Some(scope) = scope {
            let message = args.to_string();
            if send_to_host(scope, level, "iis_module", &message) {
                return;
            }
        }
        log::log!(target: "iis_module", level, "{args}");
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_lasts_as_long_as_its_guard() {
        assert_eq!(Scope::current(), None);
        let outer = Scope::new(
            Some(NonNull::dangling()),
            crate::registration::unissued_module_id(),
        );
        {
            let _guard = Scope::enter(outer);
            assert_eq!(Scope::current(), outer);
            {
                let _inner = Scope::enter(None);
                assert_eq!(Scope::current(), None);
            }
            assert_eq!(Scope::current(), outer);
        }
        assert_eq!(Scope::current(), None);
    }
}
