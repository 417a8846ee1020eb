//! Write IIS native modules in safe Rust.
//!
//! IIS loads native modules (the C++ `httpserv.h` API) into `w3wp.exe`. This
//! crate lets you write them with no `unsafe`:
//!
//! - implement [`HttpModule`] (one instance per request) or
//!   [`GlobalModule`] (one per process) and mark the impl block with
//!   `#[http_module]` / `#[global_module]`: the notifications IIS sends are
//!   derived from the hooks you implement; a request hook may be an
//!   `async fn` (see [`HttpModule`]);
//! - register it from a function marked [`#[register_module]`](register_module),
//!   which exports the `RegisterModule` entry point IIS calls;
//! - build a `cdylib`: that is the DLL IIS loads.
//!
//! ```no_run
//! use iis_module::prelude::*;
//!
//! struct ResetConnection;
//!
//! #[http_module]
//! impl HttpModule for ResetConnection {
//!     fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
//!         let response = cx.response();
//!         response.clear();
//!         response.set_header(CONTENT_TYPE, "text/plain")?;
//!         response.write(b"Status: Before Reset\n")?;
//!         let reset = response.reset_connection();
//!         response.write(b"Status: After Reset\n")?; // accepted, never reaches the client
//!         Ok(reset.finish())
//!     }
//! }
//!
//! #[register_module]
//! fn register(module: &mut Registration) -> Result<()> {
//!     module.request_module(|| ResetConnection)
//! }
//! ```
//!
//! # What the SDK guarantees
//!
//! - A panic or `Err` in a hook never reaches IIS: request hooks answer 500
//!   and finish the request, global hooks continue, `RegisterModule` fails
//!   with an HRESULT (IIS's "module failed to load" event).
//! - Header names and values, URLs and reasons are validated: CR, LF, NUL
//!   (response splitting) and lengths over the C types are typed errors,
//!   never truncation.
//! - Response bytes stay valid as long as IIS reads them, whatever its
//!   buffering mode: a synchronous write is done with them when it returns,
//!   an asynchronous one reads a buffer its task owns.
//! - An `async fn` hook holds no IIS thread while it waits; a client that
//!   disconnects drops its future, and a future that can never be woken
//!   fails its request instead of hanging it.
//! - After [`HttpResponse::reset_connection`] the request is finished.
//! - The SDK allocates nothing on the heap to dispatch a notification.
//!
//! Every wrapper names the C++ method it calls in a `doc(alias)`, so
//! searching rustdoc for `SetHeader` finds [`HttpResponse::set_header`];
//! `as_raw` on each view reaches the [`iis_sys`] object for the rest.
//!
//! # Where things are
//!
//! The crate root holds what every module uses; the rest is in one module
//! per domain, and [`prelude`] imports the usual set in one line.
//!
//! | module | what | folder |
//! |---|---|---|
//! | root | [`HttpModule`], [`GlobalModule`], [`HttpContext`], [`HttpRequest`], [`HttpResponse`], [`HttpServer`], [`Flow`], [`GlobalFlow`], [`Registration`], [`ModuleId`], [`Priority`], [`Error`], [`Result`], [`HRESULT`], the attributes | re-exported from their domain; `registration.rs` and `error.rs` are the root's own |
//! | [`request`] | request modules and the request they see: the hooks, their providers, context, request, response, connection, child requests | `request/` (a response is written in `request/response.rs`; a request notification enters in `glue/request.rs`) |
//! | [`server`] | the worker process: [`HttpServer`], caches, file and token entries, sites, applications, users, tracing | `server/` |
//! | [`global`] | global modules: the hooks and their event providers | `global/` (a global notification enters in `glue/global.rs`) |
//! | [`task`] | `async fn` hooks: the futures they await | `task/` |
//! | [`config`] | a module's configuration section and schema | `config/` |
//! | [`event_log`] | the Windows event log | `event_log/` |
//! | [`iis_sys`] | the raw ABI, for what the safe API does not wrap | the `iis-sys` crate |
//!
//! Crate-private: `glue/` (the C++ objects IIS calls and where every
//! notification enters), `ffi.rs`, `panic.rs`, `diagnostics/`.
// docs.rs builds with `--cfg docsrs` on nightly: cfg-gated items get their badge there.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

mod diagnostics;
mod error;
mod ffi;
mod glue;
mod panic;
mod registration;

#[cfg(doctest)]
mod misuse;

pub mod config;
pub mod event_log;
pub mod global;
pub mod prelude;
pub mod request;
pub mod server;
pub mod task;

pub use error::{Error, Result};
pub use global::{GlobalFlow, GlobalModule};
pub use iis_module_macros::{global_module, http_module, register_module};
pub use iis_sys;
pub use registration::{ModuleId, Priority, Registration};
pub use request::{Flow, HttpContext, HttpModule, HttpRequest, HttpResponse};
pub use server::HttpServer;
pub use windows_core::HRESULT;

/// The [`log`] crate the SDK reports through, for a module's own records:
/// `iis_module::log::warn!(…)` (or a `log = "0.4"` dependency of its own,
/// the same crate). Records reach the host or the Windows event log once
/// the module calls [`Registration::forward_log`].
pub use log;

/// What `#[register_module]` expands to calls; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::registration::register_module;
    pub use crate::request::module::hook_providers;
    pub use crate::task::{AsyncHook, HookFuture};

    /// Runs an `async fn` hook (what `#[http_module]` generates for one).
    pub fn start_async_hook<T: Send + 'static>(
        module: &mut T,
        cx: &mut crate::HttpContext,
        hook: AsyncHook<T>,
        name: &'static str,
    ) -> crate::Result<crate::Flow> {
        crate::task::start(module, cx, hook, name)
    }
    pub use iis_sys::{HRESULT, IHttpModuleRegistrationInfo, IHttpServer};
}
