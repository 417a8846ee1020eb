//! An axum application running inside IIS, in-process: the router of the
//! `app` module served through `iis-tower`, on a tokio runtime the module owns.
//!
//! Install the DLL as a module and map it as the handler of a site,
//! application or path (see docs/hosting-tower.md); `cargo run --example
//! axum_app` serves it through iis-host.

#![deny(unsafe_code)]

mod app;

use iis_module::prelude::*;

#[register_module]
fn register(module: &mut Registration) -> Result<()> {
    iis_tower::serve(module, app::router())
}
