//! Hello, world! as an IIS native module: in `ExecuteRequestHandler` (the
//! stage where IIS runs the handler that produces the response) it sets
//! `Content-Type: text/plain` and writes `Hello, world!\n`; IIS answers 200
//! and sends the buffered response at the end of the request.
//!
//! It is the module of the loopback throughput benchmark
//! (`tests/benches/loopback_rps.rs`, see docs/benchmarks.md).
#![forbid(unsafe_code)]

use iis_module::prelude::*;

/// The response body.
pub const BODY: &[u8] = b"Hello, world!\n";

/// The module: stateless, one per request.
#[derive(Debug)]
pub struct HelloWorld;

#[http_module]
impl HttpModule for HelloWorld {
    fn on_execute_request_handler(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let response = cx.response();
        response.set_header(CONTENT_TYPE, "text/plain")?;
        // 'static bytes: no copy into request memory.
        response.write_static(BODY)?;
        Ok(Flow::Continue)
    }
}

/// `RegisterModule`: subscribes `HelloWorld` to ExecuteRequestHandler.
#[register_module]
fn register(module: &mut Registration) -> Result<()> {
    module.request_module(|| HelloWorld)
}
