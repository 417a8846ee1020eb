//! [`HostError`]: why a host could not be built, or a request gave no
//! HTTP response.

use std::path::PathBuf;

use iis_sys::HRESULT;

use crate::ffi::hex;
use crate::loader::LibraryProblem;
use crate::transcript::Transcript;

/// Why [`HostBuilder::build`](crate::HostBuilder::build) failed (the
/// equivalents of the IIS "module failed to load" events), or why a request
/// has no `http::Response` ([`HostError::NoResponse`], and with the `tower`
/// feature [`HostError::RequestBody`] and [`HostError::RequestLost`]).
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The module library file is not one this host can load (missing,
    /// truncated, another platform or architecture, no `RegisterModule`
    /// function): found by reading the file, before the platform loader
    /// opens it.
    #[error("the module DLL {} failed to load: {problem}", path.display())]
    BadLibrary {
        /// The library path.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        problem: LibraryProblem,
    },
    /// The platform loader failed to open the library (an unresolved
    /// dependency, say): its message, with the reason it gives.
    #[error("the module DLL {} failed to load: {}", path.display(), with_causes(source))]
    Load {
        /// The library path.
        path: PathBuf,
        /// The loader's error.
        #[source]
        source: libloading::Error,
    },
    /// The library does not export `RegisterModule`.
    #[error("the module DLL {} failed to load: it does not export RegisterModule", path.display())]
    MissingExport {
        /// The library path.
        path: PathBuf,
        /// The loader's error.
        #[source]
        source: libloading::Error,
    },
    /// `RegisterModule` returned a failure HRESULT.
    #[error("the module {module} ({}) failed to load: RegisterModule returned {}{}", origin.display(), hex(*hr), reasons(reported))]
    RegisterFailed {
        /// The module's name.
        module: String,
        /// The library path (for a [`module_fn`](crate::HostBuilder::module_fn), `<in-process>`).
        origin: PathBuf,
        /// What `RegisterModule` returned.
        hr: HRESULT,
        /// What the module's SDK reported meanwhile (why it failed), through
        /// iis-host's diagnostics extension.
        reported: Vec<String>,
    },
    /// Two modules were given the same name (IIS requires unique names).
    #[error("a module named {0} is already registered")]
    DuplicateName(String),
    /// The request ended without a response head: the client received no
    /// status line, so there is no `http::Response` to give (the transcript's
    /// [`status`](Transcript::status) is 0). This is what `ResetConnection`
    /// does; an HTTP client sees it as a connection error too. The
    /// transcript says what happened (its [`fate`](Transcript::fate),
    /// notifications and calls).
    #[error("no HTTP response: {}", no_response(.0))]
    NoResponse(Box<Transcript>),
    /// The request body given to `HostService` failed
    /// while it was read (`tower` feature).
    #[error("the request body could not be read: {0}")]
    RequestBody(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The request's task was dropped before the request ended (`tower`
    /// feature): the host was shut down under it.
    #[error("the request was dropped before it ended (the host shut down)")]
    RequestLost,
    /// A configuration schema of [`HostConfig::config_schemas`](crate::HostConfig::config_schemas)
    /// is not a valid IIS schema file, or an applicationHost.config given to
    /// [`HostBuilder::from_application_host`](crate::HostBuilder::from_application_host)
    /// cannot be read.
    #[error("invalid configuration: {0}")]
    Configuration(String),
    /// The worker pool the requests run on could not be started (its
    /// threads could not be spawned).
    #[error("the worker pool could not be started: {0}")]
    Pool(#[source] std::io::Error),
}

/// Why a transcript has no response, in words.
fn no_response(transcript: &Transcript) -> String {
    use crate::message::ConnectionFate;
    match transcript.fate {
        ConnectionFate::Reset => {
            "the connection was reset before a response head was sent".to_owned()
        }
        fate => format!(
            "no response head was sent (status {}, connection {fate})",
            transcript.status
        ),
    }
}

/// `: first; second` for the messages a module reported, or nothing.
fn reasons(reported: &[String]) -> String {
    if reported.is_empty() {
        String::new()
    } else {
        format!(": {}", reported.join("; "))
    }
}

/// An error's message followed by those of its causes (libloading keeps the
/// loader's own reason, e.g. `dlerror()`'s text, in the cause).
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(error) = cause {
        text.push_str(": ");
        text.push_str(&error.to_string());
        cause = error.source();
    }
    text
}
