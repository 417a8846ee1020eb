//! [`HostEvent`]: lifecycle events of modules and the host.

use std::fmt;

use super::{ApiCall, GlobalNotification, Notification};

/// A lifecycle event: module instances, global notifications, factory
/// termination, and what the host noticed about a module's behaviour.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostEvent {
    /// `RegisterModule` succeeded for a module.
    ModuleRegistered {
        /// The module's name.
        module: String,
    },
    /// `IHttpModuleFactory::GetHttpModule` was called for a request.
    GetHttpModule {
        /// The module's name.
        module: String,
        /// What it returned, as IIS prints it (`0x00000000` on success).
        hr: String,
    },
    /// `CHttpModule::Dispose` was called at request end.
    Dispose {
        /// The module's name.
        module: String,
    },
    /// A global module was notified.
    GlobalNotification {
        /// The module's name.
        module: String,
        /// The notification.
        notification: GlobalNotification,
        /// Whether it returned `GL_NOTIFICATION_HANDLED`.
        handled: bool,
    },
    /// `IHttpModuleFactory::Terminate` was called at shutdown.
    FactoryTerminate {
        /// The module's name.
        module: String,
    },
    /// `CGlobalModule::Terminate` was called at shutdown.
    GlobalTerminate {
        /// The module's name.
        module: String,
    },
    /// A module→host call made outside any request (e.g. from a global module).
    Call(ApiCall),
    /// A module returned `RQ_NOTIFICATION_PENDING` and did not complete within
    /// [`HostConfig::pending_timeout`](crate::HostConfig::pending_timeout); the
    /// request was finished with a `500` and its state leaked, so that a late
    /// completion stays memory-safe.
    PendingTimedOut {
        /// The module's name.
        module: String,
        /// The notification that was pending.
        notification: Notification,
    },
    /// A module returned `RQ_NOTIFICATION_PENDING` from a notification the
    /// host raises inside another call (`Flush`, `MapPath`, `ReadEntityBody`,
    /// `NotifyCustomNotification`); iis-host treats it as `CONTINUE`.
    NestedPendingIgnored {
        /// The module's name.
        module: String,
        /// The notification.
        notification: Notification,
    },
    /// The connection layer refused a write (the client went away).
    SendFailed {
        /// The I/O error.
        error: String,
    },
    /// A module ran a child request (`IHttpContext::ExecuteRequest`).
    ChildRequest {
        /// The child's URL (path and query).
        url: String,
        /// The status the child's response got.
        status: u16,
        /// The `EXECUTE_FLAG_*` flags.
        flags: u32,
    },
}

impl fmt::Display for HostEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostEvent::ModuleRegistered { module } => write!(f, "{module}: RegisterModule"),
            HostEvent::GetHttpModule { module, hr } => write!(f, "{module}: GetHttpModule -> {hr}"),
            HostEvent::Dispose { module } => write!(f, "{module}: Dispose"),
            HostEvent::GlobalNotification {
                module,
                notification,
                handled,
            } => {
                let status = if *handled { "HANDLED" } else { "CONTINUE" };
                write!(f, "{module}: OnGlobal{notification} -> {status}")
            }
            HostEvent::FactoryTerminate { module } => {
                write!(f, "{module}: IHttpModuleFactory::Terminate")
            }
            HostEvent::GlobalTerminate { module } => {
                write!(f, "{module}: CGlobalModule::Terminate")
            }
            HostEvent::Call(call) => write!(f, "{call}"),
            HostEvent::PendingTimedOut {
                module,
                notification,
            } => {
                write!(
                    f,
                    "{module}: On{notification} stayed PENDING past the timeout"
                )
            }
            HostEvent::NestedPendingIgnored {
                module,
                notification,
            } => {
                write!(
                    f,
                    "{module}: On{notification} returned PENDING (treated as CONTINUE)"
                )
            }
            HostEvent::SendFailed { error } => write!(f, "send failed: {error}"),
            HostEvent::ChildRequest { url, status, flags } => {
                write!(f, "child request {url} -> {status} (flags {flags:#x})")
            }
        }
    }
}
