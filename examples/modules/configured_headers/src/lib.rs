//! A security-headers module configured the IIS way: the headers it adds,
//! their values, `Strict-Transport-Security` and when to apply them come
//! from the `system.webServer/configuredHeaders` section
//! ([`section::ConfiguredHeaders`]), which IIS merges per site and per path
//! from applicationHost.config, `<location>` and `web.config`.
//!
//! It runs in SendResponse, when the handler's status is known and the head
//! has not left. A configuration error (an invalid value in a web.config)
//! fails the hook: the SDK answers 500 with the error's HRESULT and logs
//! which path, section and attribute are wrong.
#![forbid(unsafe_code)]

pub mod section;

use iis_module::prelude::*;
use section::{ConfiguredHeaders, Existing};

/// The module: stateless, one per request.
#[derive(Debug)]
pub struct ConfiguredHeadersModule;

#[http_module]
impl HttpModule for ConfiguredHeadersModule {
    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        let config: ConfiguredHeaders = cx.config()?;
        let response = cx.response();
        if !config.applies_to(response.status()?.code.as_u16()) {
            return Ok(Flow::Continue);
        }
        let hsts = config.hsts.enabled.then(|| {
            (
                "Strict-Transport-Security".to_owned(),
                config.hsts.header_value(),
            )
        });
        for (name, value) in config.headers.iter().cloned().chain(hsts) {
            if config.existing == Existing::Keep && response.header(name.as_str())?.is_some() {
                continue;
            }
            response.set_header(name.as_str(), value)?;
        }
        Ok(Flow::Continue)
    }
}

/// `RegisterModule`: subscribes the module to SendResponse.
#[register_module]
fn register(module: &mut Registration) -> Result<()> {
    module.request_module(|| ConfiguredHeadersModule)
}
