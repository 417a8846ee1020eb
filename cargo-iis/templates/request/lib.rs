//! {{name}}: answers `GET /hello`, and leaves every other request to the
//! rest of IIS.
#![forbid(unsafe_code)]

use iis_module::prelude::*;

/// The module: IIS creates one per request.
struct Hello;

// Subscribes the module to exactly the hooks the block implements.
#[http_module]
impl HttpModule for Hello {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        if cx.request().url()? != "/hello" {
            return Ok(Flow::Continue);
        }
        let response = cx.response();
        response.set_status(StatusCode::OK)?;
        response.set_header(CONTENT_TYPE, "text/plain; charset=utf-8")?;
        response.write(b"Hello from Rust\n")?;
        // The response is complete: IIS skips to the end of the request.
        Ok(Flow::FinishRequest)
    }
}

/// The exported `RegisterModule` IIS calls when it loads the DLL.
#[register_module]
fn register(module: &mut Registration) -> Result<()> {
    module.request_module(|| Hello)
}
