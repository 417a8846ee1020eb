//! Compile-time checks: each misuse below must fail to compile (run by
//! `cargo test` as `compile_fail` doc tests).
//!
//! A module whose impl block lacks `#[http_module]` cannot be registered
//! (its subscriptions would be unknown):
//!
//! ```compile_fail,E0277
//! use iis_module::prelude::*;
//! struct M;
//! impl HttpModule for M {}
//! #[register_module]
//! fn register(module: &mut Registration) -> Result<()> {
//!     module.request_module(|| M)
//! }
//! ```
//!
//! The registration function must take `&mut Registration`:
//!
//! ```compile_fail,E0308
//! use iis_module::prelude::*;
//! #[register_module]
//! fn register(module: &Registration) -> Result<()> {
//!     let _ = module;
//!     Ok(())
//! }
//! ```
//!
//! …and return `Result<()>`:
//!
//! ```compile_fail
//! use iis_module::prelude::*;
//! #[register_module]
//! fn register(module: &mut Registration) {
//!     let _ = module;
//! }
//! ```
//!
//! It cannot be `async`, generic, or take attribute arguments:
//!
//! ```compile_fail
//! use iis_module::prelude::*;
//! #[register_module]
//! async fn register(module: &mut Registration) -> Result<()> {
//!     let _ = module;
//!     Ok(())
//! }
//! ```
//!
//! ```compile_fail
//! use iis_module::prelude::*;
//! #[register_module(priority = "FIRST")]
//! fn register(module: &mut Registration) -> Result<()> {
//!     let _ = module;
//!     Ok(())
//! }
//! ```
//!
//! `#[http_module]` goes on an `impl HttpModule` block only:
//!
//! ```compile_fail
//! use iis_module::prelude::*;
//! #[http_module]
//! struct M;
//! ```
//!
//! ```compile_fail
//! use iis_module::prelude::*;
//! struct G;
//! #[http_module]
//! impl GlobalModule for G {}
//! ```
//!
//! A hook that resets the connection and ignores the token is an error
//! where `unused_must_use` is denied (and a warning everywhere else):
//!
//! ```compile_fail
//! #![deny(unused_must_use)]
//! use iis_module::prelude::*;
//! fn hook(cx: &mut HttpContext) -> Result<Flow> {
//!     cx.response().reset_connection();
//!     Ok(Flow::Continue)
//! }
//! ```
//!
//! Two threads cannot use one context at once: `HttpContext` is `Send` (an
//! `async fn` hook's future moves between IIS threads; a scoped thread may
//! borrow it exclusively) but not `Sync`.
//!
//! ```compile_fail,E0277
//! use iis_module::prelude::*;
//! fn hook(cx: &HttpContext) {
//!     std::thread::scope(|s| {
//!         s.spawn(|| cx.response_headers_sent());
//!         s.spawn(|| cx.response_headers_sent());
//!     });
//! }
//! ```
