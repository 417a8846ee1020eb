//! A reverse-proxy module: the out-of-process setup that IIS users run
//! today in front of an HTTP application (ARR, HttpPlatformHandler, the
//! ASP.NET Core Module out-of-process), for the `axum_in_iis` benchmark
//! (tests/benches/axum_in_iis.rs, docs/benchmarks.md section 6).
//!
//! Every request IIS maps to the module is forwarded to one HTTP/1.1
//! backend (the "backend process" role): method, path and query, headers
//! minus the hop-by-hop ones, plus `X-Forwarded-For`, and the request body
//! as it arrives. The backend's status, headers (minus the hop-by-hop
//! ones) and body come back, the body streamed (or buffered by IIS when its
//! length is known, as iis-tower does for any service). Connections to the
//! backend are kept alive in a pool (hyper-util's legacy `Client`), one per
//! request in flight, reused across requests. A backend that cannot be
//! reached gives `502 Bad Gateway`.
//!
//! The module is an iis-tower service, so the proxy's client runs on the
//! module's own tokio runtime, and IIS's threads are free while a request
//! waits for the backend (as ARR's asynchronous WinHTTP calls leave them).
//!
//! The backend's address (`host:port`) comes from the environment variable
//! [`BACKEND_VARIABLE`], read when IIS loads the module, as HttpPlatformHandler
//! and the ASP.NET Core Module pass the port between the module and the
//! process they start.

#![deny(unsafe_code)]

mod proxy;

use iis_module::prelude::*;

/// The environment variable that holds the backend's `host:port`, e.g.
/// `127.0.0.1:5000`.
pub const BACKEND_VARIABLE: &str = "IIS_REVERSE_PROXY_BACKEND";

#[register_module]
fn register(module: &mut Registration) -> Result<()> {
    let backend = std::env::var(BACKEND_VARIABLE)
        .map_err(|e| Error::msg(format!("reverse_proxy: {BACKEND_VARIABLE}: {e}")))?;
    let proxy = proxy::Proxy::new(&backend)
        .map_err(|e| Error::msg(format!("reverse_proxy: backend {backend:?}: {e}")))?;
    iis_tower::serve(module, proxy)
}
