//! {{name}}: `POST /echo` answers with the request's body, read and written
//! with asynchronous I/O: while it waits for the client, the request is
//! pending and holds none of IIS's threads.
#![forbid(unsafe_code)]

use iis_module::prelude::*;

/// The largest body it echoes.
const LIMIT: usize = 64 * 1024;

/// The module: IIS creates one per request.
struct Echo;

// An `async fn` hook runs as a task that IIS polls; awaiting returns
// RQ_NOTIFICATION_PENDING and the completion resumes it.
#[http_module]
impl HttpModule for Echo {
    async fn on_execute_request_handler(&mut self, cx: &mut HttpContext) -> Result<Flow> {
        if cx.request().method()? != Method::POST || cx.request().url()? != "/echo" {
            return Ok(Flow::Continue);
        }
        let body = cx.request().read_body_to_end_async(LIMIT).await?;
        let response = cx.response();
        response.set_header(CONTENT_TYPE, "application/octet-stream")?;
        response.write_async(&body).await?;
        Ok(Flow::FinishRequest)
    }
}

/// The exported `RegisterModule` IIS calls when it loads the DLL.
#[register_module]
fn register(module: &mut Registration) -> Result<()> {
    module.request_module(|| Echo)
}
