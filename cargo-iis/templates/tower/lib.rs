//! {{name}}: an axum `Router` served inside IIS, in-process, through
//! iis-tower (on a tokio runtime the module owns).
#![forbid(unsafe_code)]

use axum::Router;
use axum::routing::get;
use iis_module::prelude::*;

/// The application: any tower service over `http::Request` works.
fn app() -> Router {
    Router::new().route("/hello", get(|| async { "Hello from axum in IIS\n" }))
}

/// The exported `RegisterModule` IIS calls when it loads the DLL.
#[register_module]
fn register(module: &mut Registration) -> Result<()> {
    iis_tower::serve(module, app())
}
