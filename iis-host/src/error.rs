//! [`HostError`]: why a host could not be built.

use std::path::PathBuf;

use iis_sys::HRESULT;

use crate::ffi::hex;

/// Why [`HostBuilder::build`](crate::HostBuilder::build) failed: the
/// equivalents of the IIS "module failed to load" events.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The module library could not be loaded (missing file, wrong
    /// architecture, unresolved dependency).
    #[error("the module DLL {} failed to load: {source}", path.display())]
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
    #[error("the module {module} ({}) failed to load: RegisterModule returned {}", origin.display(), hex(*hr))]
    RegisterFailed {
        /// The module's name.
        module: String,
        /// The library path (for a [`module_fn`](crate::HostBuilder::module_fn), `<in-process>`).
        origin: PathBuf,
        /// What `RegisterModule` returned.
        hr: HRESULT,
    },
    /// Two modules were given the same name (IIS requires unique names).
    #[error("a module named {0} is already registered")]
    DuplicateName(String),
}
