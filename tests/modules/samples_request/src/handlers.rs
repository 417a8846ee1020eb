//! Samples about the request's handler: its handler mapping
//! (`IScriptMapInfo`), whether it runs, and the file it serves.

use crate::util::{plain_text, write_message};
use iis_module::prelude::*;

/// `IHttpContextGetScriptMap`: after handler mapping, a mapping with a verb
/// list answers with it and the request finishes.
pub(crate) struct AllowedVerbs;

#[http_module]
impl HttpModule for AllowedVerbs {
    fn on_post_map_request_handler(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let verbs = match cx.script_map() {
            Some(map) => map.allowed_verbs()?,
            None => None,
        };
        let Some(verbs) = verbs else {
            return Ok(Flow::Continue);
        };
        plain_text(cx)?;
        write_message(cx, "Allowed Verbs: ", &verbs)?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpContextSetRequestHandled`: before the handler runs, a request
/// mapped to classic ASP's script processor is answered here and marked
/// handled, so that the ASP handler does not run.
pub(crate) struct AspHandled;

#[http_module]
impl HttpModule for AspHandled {
    fn on_pre_execute_request_handler(
        &mut self,
        cx: &mut HttpContext,
        _: &mut Event,
    ) -> Result<Flow> {
        let processor = match cx.script_map() {
            Some(map) => map.script_processor()?,
            None => None,
        };
        if processor.is_some_and(|p| p.contains(r"\asp.dll")) {
            plain_text(cx)?;
            // As the sample, which ignores the write's result.
            let _ = cx.response().write(b"ASP requests have been handled.");
            cx.set_request_handled();
        }
        Ok(Flow::Continue)
    }
}

/// `IMapHandlerProviderSetFileInfo`: `/default.htm` is handled with the
/// file of `/example/default.htm`, from the server's file cache.
pub(crate) struct ExampleFileInfo {
    /// The worker process, whose file cache opens the file.
    pub(crate) server: HttpServer,
}

#[http_module]
impl HttpModule for ExampleFileInfo {
    fn on_map_request_handler(
        &mut self,
        cx: &mut HttpContext,
        provider: &mut MapHandler,
    ) -> Result<Flow> {
        if cx.script_name()?.as_deref() != Some("/default.htm") {
            return Ok(Flow::Continue);
        }
        const URL: &str = "/example/default.htm";
        // As the sample: a failure to map or open the file leaves the
        // request alone.
        if let Ok(path) = cx.map_path(URL)
            && let Ok(file) = self.server.file_info(&path, Some(URL))
        {
            provider.set_file_info(cx, file);
        }
        Ok(Flow::Continue)
    }
}
