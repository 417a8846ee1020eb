//! Test helpers that are not samples: modules that make iis-host raise
//! what a sample listens to, as IIS itself would (names start with
//! `helper:`).

use iis_module::prelude::*;

/// `helper:MapPath`: maps `/fragment.htm` at `BeginRequest` (IIS maps URLs
/// for its own handlers; iis-host raises `RQ_MAP_PATH` only for
/// `IHttpContext::MapPath`).
pub struct MapPathCaller;

#[http_module]
impl HttpModule for MapPathCaller {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        cx.map_path("/fragment.htm")?;
        Ok(Flow::Continue)
    }
}

/// Registers the helper called `name`, if it is one.
pub fn register(name: &str, module: &mut Registration) -> Option<Result<()>> {
    Some(match name {
        "helper:MapPath" => module.request_module(|| MapPathCaller),
        _ => return None,
    })
}
