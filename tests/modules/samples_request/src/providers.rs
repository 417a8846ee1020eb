//! Samples of the event providers: `ISendResponseProvider`,
//! `IReadEntityProvider`, `IMapPathProvider` and `IMapHandlerProvider`.

use crate::util::{plain_text, write_message};
use iis_module::prelude::*;

/// `HTTP_SEND_RESPONSE_FLAG_DISCONNECT`.
const DISCONNECT: u32 = 0x1;
/// `HTTP_SEND_RESPONSE_FLAG_MORE_DATA`.
const MORE_DATA: u32 = 0x4;
/// `HTTP_SEND_RESPONSE_FLAG_BUFFER_DATA`.
const BUFFER_DATA: u32 = 0x8;

/// `ISendResponseProviderGetFlags`: adds DISCONNECT and BUFFER_DATA to the
/// send, and answers with the flags now set.
pub(crate) struct SendFlags;

#[http_module]
impl HttpModule for SendFlags {
    fn on_send_response(
        &mut self,
        cx: &mut HttpContext,
        provider: &mut SendResponse,
    ) -> Result<Flow> {
        provider.set_flags(provider.flags() | DISCONNECT | BUFFER_DATA);
        let flags = provider.flags();
        plain_text(cx)?;
        let mut text = format!("0x{flags:x}\n");
        for (flag, name) in [
            (DISCONNECT, "\nHTTP_SEND_RESPONSE_FLAG_DISCONNECT"),
            (MORE_DATA, "\nHTTP_SEND_RESPONSE_FLAG_MORE_DATA"),
            (BUFFER_DATA, "\nHTTP_SEND_RESPONSE_FLAG_BUFFER_DATA"),
        ] {
            if flags & flag != 0 {
                text.push_str(name);
            }
        }
        write_message(cx, "\nFlags: ", &text)?;
        Ok(Flow::FinishRequest)
    }
}

/// `IReadEntityProviderSetEntity`: whatever the client sent, readers of
/// the entity get `Name=Value`.
pub(crate) struct ReplaceEntity;

#[http_module]
impl HttpModule for ReplaceEntity {
    fn on_read_entity(&mut self, cx: &mut HttpContext, provider: &mut ReadEntity) -> Result<Flow> {
        if let Err(error) = provider.set_entity(cx, b"Name=Value") {
            provider.set_error_status(error.hresult());
            return Ok(Flow::FinishRequest);
        }
        Ok(Flow::Continue)
    }
}

/// `IMapPathProviderGetPhysicalPath` and `IMapPathProviderGetUrl`: when a
/// URL is mapped, the response becomes the physical path (or URL) and the
/// request finishes before the handler.
pub(crate) struct MapPathReport {
    /// Report the URL rather than the physical path.
    pub(crate) url: bool,
    /// Whether a mapping was reported.
    pub(crate) reported: bool,
}

#[http_module]
impl HttpModule for MapPathReport {
    fn on_map_path(&mut self, cx: &mut HttpContext, provider: &mut MapPath) -> Result<Flow> {
        self.reported = false;
        let (label, value) = if self.url {
            ("URL: ", provider.url()?)
        } else {
            ("Physical path: ", provider.physical_path()?)
        };
        plain_text(cx)?;
        write_message(cx, label, &value)?;
        self.reported = true;
        Ok(Flow::Continue)
    }
    fn on_pre_execute_request_handler(
        &mut self,
        _: &mut HttpContext,
        _: &mut Event,
    ) -> Result<Flow> {
        Ok(if self.reported {
            Flow::FinishRequest
        } else {
            Flow::Continue
        })
    }
}

/// `IMapPathProviderSetPhysicalPath`: every URL maps to `C:\TEMP`.
pub(crate) struct MapToTemp;

#[http_module]
impl HttpModule for MapToTemp {
    fn on_map_path(&mut self, _: &mut HttpContext, provider: &mut MapPath) -> Result<Flow> {
        if let Err(error) = provider.set_physical_path(r"C:\TEMP") {
            provider.set_error_status(error.hresult());
            return Ok(Flow::FinishRequest);
        }
        Ok(Flow::Continue)
    }
}

/// `IMapHandlerProviderSetScriptName`: `/default.htm` is handled as
/// `/example/default.htm`.
pub(crate) struct ExampleScriptName;

#[http_module]
impl HttpModule for ExampleScriptName {
    fn on_map_request_handler(
        &mut self,
        cx: &mut HttpContext,
        provider: &mut MapHandler,
    ) -> Result<Flow> {
        if cx.script_name()?.as_deref() == Some("/default.htm")
            && let Err(error) = provider.set_script_name("/example/default.htm")
        {
            provider.set_error_status(error.hresult());
            return Ok(Flow::FinishRequest);
        }
        Ok(Flow::Continue)
    }
}

/// `_MapPath`, as intended: each mapping is traced (and its URL logged),
/// and the request goes on.
pub(crate) struct TraceMapPath;

#[http_module]
impl HttpModule for TraceMapPath {
    fn on_map_path(&mut self, cx: &mut HttpContext, _: &mut MapPath) -> Result<Flow> {
        let ok = iis_module::HRESULT(0);
        cx.quick_trace("OnMapPath start", "", ok, 4)?;
        log::debug!("{}", cx.request().url()?);
        cx.quick_trace("End OnMapPath ", "", ok, 4)?;
        Ok(Flow::Continue)
    }
}

/// `_ReadEntity`, as intended: each mapping's URL is logged, and the
/// request goes on.
pub(crate) struct LogMapPath;

#[http_module]
impl HttpModule for LogMapPath {
    fn on_map_path(&mut self, cx: &mut HttpContext, _: &mut MapPath) -> Result<Flow> {
        log::debug!("{}", cx.request().url()?);
        Ok(Flow::Continue)
    }
}

/// `ISendResponseProviderGetLogData`: at the final send, once the log data
/// is ready, the response becomes the log entry's server name and the
/// entry's server port becomes 8080.
pub(crate) struct ServerNameFromLog;

#[http_module]
impl HttpModule for ServerNameFromLog {
    fn on_send_response(
        &mut self,
        cx: &mut HttpContext,
        provider: &mut SendResponse,
    ) -> Result<Flow> {
        if !provider.ready_to_log() {
            return Ok(Flow::Continue);
        }
        let Some(mut log) = provider.log_data()? else {
            return Ok(Flow::Continue);
        };
        plain_text(cx)?;
        // As the sample, which ignores the writes' results.
        let response = cx.response();
        let _ = response.write(b"Server name: ");
        let _ = response.write(&log.server_name);
        log.server_port = 8080;
        if let Err(error) = provider.set_log_data(cx, &log) {
            provider.set_error_status(error.hresult());
            return Ok(Flow::FinishRequest);
        }
        Ok(Flow::Continue)
    }
}
