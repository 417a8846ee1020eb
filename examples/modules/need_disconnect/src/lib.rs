//! The reset-connection module with `set_need_disconnect` in place of
//! `reset_connection`: the client receives the whole response, then the
//! server closes the connection instead of keeping it alive.
#![forbid(unsafe_code)]

use iis_module::prelude::*;

/// The module: stateless, one per request.
#[derive(Debug)]
pub struct NeedDisconnect;

#[http_module]
impl HttpModule for NeedDisconnect {
    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        let response = cx.response();
        response.clear();
        // Whatever the handler decided (iis-host answers 404 when no module
        // handles the request), this variant always sends its own 200.
        response.set_status(StatusCode::OK)?;
        response.set_header(CONTENT_TYPE, "text/plain")?;
        response.write(b"Status: Before Disconnect\n")?;
        response.set_need_disconnect();
        response.write(b"Status: After Disconnect\n")?;
        Ok(Flow::FinishRequest)
    }
}

/// `RegisterModule`: subscribes `NeedDisconnect` to SendResponse.
#[register_module]
fn register(module: &mut Registration) -> Result<()> {
    module.request_module(|| NeedDisconnect)
}
