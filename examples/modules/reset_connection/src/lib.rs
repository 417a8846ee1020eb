//! The module of IIS's `IHttpResponse::ResetConnection` documentation, in
//! safe Rust: on SendResponse it clears the response, sets
//! `Content-Type: text/plain`, writes "Status: Before Reset", resets the
//! connection, writes "Status: After Reset" (accepted by IIS, never sent),
//! and finishes the request. The client sees a TCP reset and no body.
#![forbid(unsafe_code)]

use iis_module::prelude::*;

/// The module: stateless, one per request.
#[derive(Debug)]
pub struct ResetConnection;

#[http_module]
impl HttpModule for ResetConnection {
    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        let response = cx.response();
        response.clear();
        response.set_header(CONTENT_TYPE, "text/plain")?;
        // `write_static`: literals live for the whole process, so IIS may
        // keep pointing at them (no copy into request memory, as the C++
        // sample writes from a buffer without copying it).
        response.write_static(b"Status: Before Reset\n")?;
        let reset = response.reset_connection();
        response.write_static(b"Status: After Reset\n")?; // accepted, never reaches the client
        Ok(reset.finish())
    }
}

/// `RegisterModule`: subscribes `ResetConnection` to SendResponse.
#[register_module]
fn register(module: &mut Registration) -> Result<()> {
    module.request_module(|| ResetConnection)
}
