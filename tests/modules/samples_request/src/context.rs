//! `IHttpContext` samples that read the request's surroundings and answer
//! with what they found.

use crate::util::{plain_text, write_message};
use iis_module::prelude::*;

/// `IHttpContextGetRequest` and `IHttpContextGetResponse`: the verb, at
/// BeginRequest.
pub(crate) struct HttpMethodReport;

#[http_module]
impl HttpModule for HttpMethodReport {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let method = cx.request().method()?;
        plain_text(cx)?;
        write_message(cx, "HTTP Method: ", method.as_str())?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpContextAllocateRequestMemory`: request memory the size of the
/// User-Agent, nothing visible.
pub(crate) struct AllocateRequestMemory;

#[http_module]
impl HttpModule for AllocateRequestMemory {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let len = cx.request().header("User-Agent")?.map_or(0, <[u8]>::len);
        if len > 0 {
            let agent = cx
                .request()
                .header("User-Agent")?
                .unwrap_or_default()
                .to_vec();
            cx.request_memory(len + 1)?[..len].copy_from_slice(&agent);
        }
        Ok(Flow::Continue)
    }
}

/// `IHttpContextGetApplication`: the application's physical path.
pub(crate) struct ApplicationPhysicalPath;

#[http_module]
impl HttpModule for ApplicationPhysicalPath {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let Some(path) = cx.application().map(|a| a.physical_path()).transpose()? else {
            return Ok(Flow::Continue);
        };
        plain_text(cx)?;
        write_message(cx, "Application physical path: ", &path)?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpContextGetMetadata`, `IHttpContextGetServerVarChanges`,
/// `IHttpRequestGetHeaderChanges`, `IHttpResponseGetHeaderChanges`: the
/// published skeletons, whose hooks only continue.
pub(crate) struct Skeleton;

#[http_module]
impl HttpModule for Skeleton {
    fn on_send_response(&mut self, _: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        Ok(Flow::Continue)
    }
}

/// `IHttpContextGetMetadata`'s skeleton also subscribes to BeginRequest.
pub(crate) struct BeginAndSendSkeleton;

#[http_module]
impl HttpModule for BeginAndSendSkeleton {
    fn on_begin_request(&mut self, _: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        Ok(Flow::Continue)
    }
    fn on_send_response(&mut self, _: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        Ok(Flow::Continue)
    }
}

/// `IHttpContextGetPhysicalPath`: at SendResponse the body becomes the
/// request's physical path (no Content-Type set).
pub(crate) struct PhysicalPath;

#[http_module]
impl HttpModule for PhysicalPath {
    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        let Some(path) = cx.physical_path()? else {
            return Ok(Flow::Continue);
        };
        cx.response().clear();
        write_message(cx, "Physical Path: ", &path)?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpContextGetResponseHeadersSent`: whether the head left already.
pub(crate) struct ResponseHeadersSent;

#[http_module]
impl HttpModule for ResponseHeadersSent {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        plain_text(cx)?;
        let sent = if cx.response_headers_sent() {
            "Yes"
        } else {
            "No"
        };
        write_message(cx, "Headers sent: ", sent)?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpContextGetServerVariable`: `SERVER_NAME`.
pub(crate) struct ServerName;

#[http_module]
impl HttpModule for ServerName {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let Some(name) = cx.server_variable("SERVER_NAME")? else {
            return Ok(Flow::Continue);
        };
        plain_text(cx)?;
        write_message(cx, "Server Name: ", &name)?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpContextSetServerVariable`: `SERVER_NAME` becomes `Example Value`
/// for the rest of the request.
pub(crate) struct SetServerName;

#[http_module]
impl HttpModule for SetServerName {
    fn on_begin_request(&mut self, cx: &mut HttpContext, provider: &mut Event) -> Result<Flow> {
        if let Err(error) = cx.set_server_variable("SERVER_NAME", "Example Value") {
            provider.set_error_status(error.hresult());
            return Ok(Flow::FinishRequest);
        }
        Ok(Flow::Continue)
    }
}

/// `IHttpContextGetSite`: the site name (no Content-Type set).
pub(crate) struct SiteName;

#[http_module]
impl HttpModule for SiteName {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let Some(name) = cx.site().map(|s| s.name()).transpose()? else {
            return Ok(Flow::Continue);
        };
        cx.response().clear();
        write_message(cx, "Site Name: ", &name)?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpContextMapPath` (and `_New/IHttpContextMapHandler`, the same
/// file): where `/` maps to.
pub(crate) struct MapRoot;

#[http_module]
impl HttpModule for MapRoot {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let path = match cx.map_path("/") {
            Ok(path) => path,
            Err(_) => {
                cx.response().set_status_detail(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    0,
                    "Server Error",
                    false,
                )?;
                return Ok(Flow::FinishRequest);
            }
        };
        plain_text(cx)?;
        write_message(cx, "Path: ", &path)?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpModuleRegistrationInfoGetName`: the name IIS registered the
/// module under.
pub(crate) struct ModuleName(pub(crate) String);

#[http_module]
impl HttpModule for ModuleName {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        plain_text(cx)?;
        let name = if self.0.is_empty() { "n/a" } else { &self.0 };
        write_message(cx, "Module name: ", name)?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpEventProviderSetErrorStatus`: `Hello World!`, and the write's
/// HRESULT (`S_OK`) reported through the provider.
pub(crate) struct ReportWriteStatus;

#[http_module]
impl HttpModule for ReportWriteStatus {
    fn on_begin_request(&mut self, cx: &mut HttpContext, provider: &mut Event) -> Result<Flow> {
        plain_text(cx)?;
        let hr = match cx.response().write(b"Hello World!") {
            Ok(()) => iis_module::HRESULT(0),
            Err(error) => error.hresult(),
        };
        provider.set_error_status(hr);
        Ok(Flow::FinishRequest)
    }
}

/// `CHttpModuleHelloWorld`: `Hello World!` at BeginRequest, or a 500
/// `Server Error` if the write fails.
pub(crate) struct HelloWorld;

#[http_module]
impl HttpModule for HelloWorld {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        plain_text(cx)?;
        if let Err(error) = cx.response().write(b"Hello World!") {
            let hr = error.hresult();
            log::debug!("write failed: {hr}");
            cx.response().set_status_detail(
                StatusCode::INTERNAL_SERVER_ERROR,
                0,
                "Server Error",
                false,
            )?;
        }
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpContextGetScriptName`: after handler mapping, the script name
/// (no Content-Type set).
pub(crate) struct ScriptName;

#[http_module]
impl HttpModule for ScriptName {
    fn on_post_map_request_handler(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let Some(name) = cx.script_name()? else {
            return Ok(Flow::Continue);
        };
        write_message(cx, "Script Name: ", &name)?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpContextGetScriptTranslated`: after handler mapping, the script's
/// physical path (no Content-Type set).
pub(crate) struct ScriptTranslated;

#[http_module]
impl HttpModule for ScriptTranslated {
    fn on_post_map_request_handler(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let Some(path) = cx.script_translated()? else {
            return Ok(Flow::Continue);
        };
        write_message(cx, "Script Translated: ", &path)?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpContextGetTraceContext`: the request's trace activity id, as
/// `StringFromGUID2` writes it.
pub(crate) struct TraceActivity;

#[http_module]
impl HttpModule for TraceActivity {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let Some(id) = cx.trace_context().and_then(|t| t.activity_id()) else {
            return Ok(Flow::Continue);
        };
        plain_text(cx)?;
        write_message(
            cx,
            "Trace Activity ID: ",
            &iis_module::server::guid_string(&id),
        )?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpContextGetUrlInfo`: whether the URL is frequently hit.
pub(crate) struct FrequentlyHit;

#[http_module]
impl HttpModule for FrequentlyHit {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let Some(hit) = cx.url_info().map(|u| u.is_frequently_hit()) else {
            return Ok(Flow::Continue);
        };
        plain_text(cx)?;
        write_message(cx, "Frequently Hit: ", if hit { "Yes" } else { "No" })?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpContextGetUser`: at SendResponse, the user name, or `ANONYMOUS`
/// (no Content-Type set).
pub(crate) struct UserName;

#[http_module]
impl HttpModule for UserName {
    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        cx.response().clear();
        let Some(name) = cx.user().map(|u| u.name()).transpose()? else {
            return Ok(Flow::Continue);
        };
        if name.is_empty() {
            write_message(cx, "User name: ", "ANONYMOUS")?;
            return Ok(Flow::Continue);
        }
        write_message(cx, "User name: ", &name)?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpContextGetConnection` and `IHttpConnectionIsConnected`: at
/// SendResponse, `Client connected: Yes` replaces the response of a
/// connected client.
pub(crate) struct ClientConnected;

#[http_module]
impl HttpModule for ClientConnected {
    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        if cx.connection().is_some_and(|c| c.is_connected()) {
            plain_text(cx)?;
            write_message(cx, "Client connected: ", "Yes")?;
        }
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpConnectionAllocateMemory`: the User-Agent, copied into
/// connection memory, answers requests that have one.
pub(crate) struct UserAgentInConnectionMemory;

#[http_module]
impl HttpModule for UserAgentInConnectionMemory {
    fn on_begin_request(&mut self, cx: &mut HttpContext, provider: &mut Event) -> Result<Flow> {
        let Some(agent) = cx.request().header("User-Agent")?.map(<[u8]>::to_vec) else {
            return Ok(Flow::Continue);
        };
        let Some(mut connection) = cx.connection() else {
            return Ok(Flow::Continue);
        };
        let copy = match connection.allocate(agent.len() + 1) {
            Ok(memory) => {
                memory[..agent.len()].copy_from_slice(&agent);
                String::from_utf8_lossy(&memory[..agent.len()]).into_owned()
            }
            Err(error) => {
                provider.set_error_status(error.hresult());
                return Ok(Flow::FinishRequest);
            }
        };
        plain_text(cx)?;
        write_message(cx, "User-Agent: ", &copy)?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpContextGetFileInfo`: at SendResponse, the path of the file the
/// request maps to replaces the response; requests without a file are left
/// alone.
pub(crate) struct FilePath;

#[http_module]
impl HttpModule for FilePath {
    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        let Some(path) = cx.file_info().map(|f| f.path()).transpose()?.flatten() else {
            return Ok(Flow::Continue);
        };
        plain_text(cx)?;
        write_message(cx, "File path: ", &path)?;
        Ok(Flow::FinishRequest)
    }
}
