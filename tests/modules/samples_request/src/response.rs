//! `IHttpResponse` samples: status, headers, body and the connection.

use crate::util::{plain_text, write_message};
use iis_module::prelude::*;

/// `IHttpResponseClear`: at SendResponse the buffered body is discarded.
pub(crate) struct ClearAtSend;

#[http_module]
impl HttpModule for ClearAtSend {
    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        cx.response().clear();
        Ok(Flow::Continue)
    }
}

/// `IHttpResponseClearHeaders`: at SendResponse every header is removed.
pub(crate) struct ClearHeadersAtSend;

#[http_module]
impl HttpModule for ClearHeadersAtSend {
    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        cx.response().clear_headers();
        Ok(Flow::Continue)
    }
}

/// `IHttpResponseDeleteHeader`: Server (by name) and Location (by id) are
/// deleted at BeginRequest.
pub(crate) struct DeleteResponseHeaders;

#[http_module]
impl HttpModule for DeleteResponseHeaders {
    fn on_begin_request(&mut self, cx: &mut HttpContext, provider: &mut Event) -> Result<Flow> {
        for name in [header::SERVER, LOCATION] {
            if let Err(error) = cx.response().delete_header(name) {
                provider.set_error_status(error.hresult());
                return Ok(Flow::FinishRequest);
            }
        }
        Ok(Flow::Continue)
    }
}

/// `IHttpResponseDisableBuffering`: every later write is sent at once.
pub(crate) struct DisableBuffering;

#[http_module]
impl HttpModule for DisableBuffering {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        cx.response().disable_buffering();
        Ok(Flow::Continue)
    }
}

/// `IHttpResponseDisableKernelCache`: not kernel-cacheable, reason 9.
pub(crate) struct DisableKernelCache;

#[http_module]
impl HttpModule for DisableKernelCache {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        cx.response().disable_kernel_cache(9);
        Ok(Flow::Continue)
    }
}

/// `IHttpResponseFlush`: the (empty) response is flushed at BeginRequest,
/// committing status and headers, then cleared.
pub(crate) struct FlushEarly;

#[http_module]
impl HttpModule for FlushEarly {
    fn on_begin_request(&mut self, cx: &mut HttpContext, provider: &mut Event) -> Result<Flow> {
        if let Err(error) = cx.response().flush() {
            provider.set_error_status(error.hresult());
            return Ok(Flow::FinishRequest);
        }
        cx.response().clear();
        Ok(Flow::Continue)
    }
}

/// `IHttpResponseGetHeader`: lists Server and Location if they are set.
pub(crate) struct ResponseHeaders;

#[http_module]
impl HttpModule for ResponseHeaders {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        plain_text(cx)?;
        for (label, name) in [("Server: ", header::SERVER), ("Location: ", LOCATION)] {
            let value = cx
                .response()
                .header(name)?
                .map(|v| String::from_utf8_lossy(v).into_owned());
            if let Some(value) = value {
                write_message(cx, label, &value)?;
            }
        }
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpResponseGetKernelCacheEnabled`: `enabled` or `disabled`.
pub(crate) struct KernelCacheEnabled;

#[http_module]
impl HttpModule for KernelCacheEnabled {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        plain_text(cx)?;
        let enabled = if cx.response().kernel_cache_enabled() {
            "enabled"
        } else {
            "disabled"
        };
        write_message(cx, "Kernel cache enabled: ", enabled)?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpResponseGetStatus`: `code.substatus reason`, then 200 OK.
pub(crate) struct StatusReport;

#[http_module]
impl HttpModule for StatusReport {
    fn on_begin_request(&mut self, cx: &mut HttpContext, provider: &mut Event) -> Result<Flow> {
        let status = cx.response().status()?;
        plain_text(cx)?;
        let text = format!(
            "{}.{} {}",
            status.code.as_u16(),
            status.substatus,
            String::from_utf8_lossy(&status.reason)
        );
        write_message(cx, "HTTP Status: ", &text)?;
        if let Err(error) = cx
            .response()
            .set_status_detail(StatusCode::OK, 0, "OK", false)
        {
            provider.set_error_status(error.hresult());
        }
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpResponseRedirect`: 302 to `/example/` with the query string.
pub(crate) struct RedirectToExample;

#[http_module]
impl HttpModule for RedirectToExample {
    fn on_begin_request(&mut self, cx: &mut HttpContext, provider: &mut Event) -> Result<Flow> {
        if let Err(error) = cx.response().redirect("/example/", true, true) {
            provider.set_error_status(error.hresult());
        }
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpResponseResetConnection`: at SendResponse, a body, then a reset.
pub(crate) struct ResetAtSend;

#[http_module]
impl HttpModule for ResetAtSend {
    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        plain_text(cx)?;
        write_message(cx, "Status: ", "Before Reset\n")?;
        let reset = cx.response().reset_connection();
        write_message(cx, "Status: ", "After Reset\n")?;
        Ok(reset.finish())
    }
}

/// `IHttpResponseSetHeader`: at SendResponse, `Refresh: 30` appended,
/// Content-Type and Server replaced.
pub(crate) struct SetResponseHeaders;

#[http_module]
impl HttpModule for SetResponseHeaders {
    fn on_send_response(
        &mut self,
        cx: &mut HttpContext,
        provider: &mut SendResponse,
    ) -> Result<Flow> {
        let response = cx.response();
        let outcome = response
            .append_header("Refresh", "30")
            .and_then(|()| response.set_header(CONTENT_TYPE, "text/plain"))
            .and_then(|()| response.set_header(header::SERVER, "MyServer/7.0"));
        if let Err(error) = outcome {
            provider.set_error_status(error.hresult());
            return Ok(Flow::FinishRequest);
        }
        Ok(Flow::Continue)
    }
}

/// `IHttpResponseSetNeedDisconnect`: the connection closes after the
/// response.
pub(crate) struct NeedDisconnect;

#[http_module]
impl HttpModule for NeedDisconnect {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        cx.response().set_need_disconnect();
        Ok(Flow::Continue)
    }
}

/// `IHttpResponseWriteEntityChunks`: two memory chunks in one call.
pub(crate) struct TwoChunks;

#[http_module]
impl HttpModule for TwoChunks {
    fn on_begin_request(&mut self, cx: &mut HttpContext, provider: &mut Event) -> Result<Flow> {
        plain_text(cx)?;
        if let Err(error) = cx
            .response()
            .write_chunks(&[b"First chunk data\n", b"Second chunk data\n"])
        {
            provider.set_error_status(error.hresult());
        }
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpResponseGetRawHttpResponse`: at SendResponse, how many entity
/// chunks HTTP.sys's response structure holds.
pub(crate) struct RawChunkCount;

#[http_module]
impl HttpModule for RawChunkCount {
    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        let count = cx.response().raw()?.entity_chunk_count();
        plain_text(cx)?;
        write_message(cx, "Data chunks in response buffer: ", &count.to_string())?;
        Ok(Flow::FinishRequest)
    }
}

/// The head a module writes itself once IIS's is suppressed.
fn own_head(body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nContent-type: text/plain\r\nContent-length: {}\r\n\r\n",
        body.len()
    )
}

/// `IHttpResponseGetHeadersSuppressed`: IIS's head suppressed, the module
/// writes its own, then `Hello World!`.
pub(crate) struct OwnHeadHelloWorld;

#[http_module]
impl HttpModule for OwnHeadHelloWorld {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let response = cx.response();
        response.clear();
        if !response.headers_suppressed() {
            response.suppress_headers();
        }
        let body = "Hello World!";
        write_message(cx, &own_head(body), body)?;
        Ok(Flow::FinishRequest)
    }
}

/// `ISendResponseProviderGetHeadersBeingSent`: at SendResponse, IIS's head
/// suppressed and the module's own written, with whether IIS was sending
/// headers in this send.
pub(crate) struct OwnHeadHeadersBeingSent;

#[http_module]
impl HttpModule for OwnHeadHeadersBeingSent {
    fn on_send_response(
        &mut self,
        cx: &mut HttpContext,
        provider: &mut SendResponse,
    ) -> Result<Flow> {
        cx.response().clear();
        cx.response().suppress_headers();
        let body = format!(
            "Headers being sent: {}",
            if provider.headers_being_sent() {
                "Yes"
            } else {
                "No"
            }
        );
        write_message(cx, &own_head(&body), &body)?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpResponseSetErrorDescription`: a 404.0 without a description gets
/// one.
pub(crate) struct NotFoundDescription;

#[http_module]
impl HttpModule for NotFoundDescription {
    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        let status = cx.response().status()?;
        if status.code == StatusCode::NOT_FOUND
            && status.substatus == 0
            && cx
                .response()
                .error_description()?
                .unwrap_or_default()
                .is_empty()
        {
            cx.response()
                .set_error_description("The file that you requested cannot be found.", true)?;
        }
        Ok(Flow::Continue)
    }
}

/// `IHttpResponseWriteEntityChunkByReference`: every fifth request (two
/// counts per request, as published), when its path has `.htm`, gets three
/// chunks written by reference, the first two at position 0 or appended
/// by turns, and finishes.
#[derive(Debug)]
pub(crate) struct ChunksByReference {
    /// The request count (shared by the module's instances).
    pub(crate) calls: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// The insert-position toggle.
    pub(crate) inserts: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// `_RaiseEvnt`: raise `NOTIFY_MY_CSTM_WECBR_EVNT` before each chunk.
    pub(crate) trace: bool,
}

/// `_RaiseEvnt`'s event (MyTrcEvnt.h): its provider and area, and the
/// insert position of the chunk about to be written. The published code
/// passes the position as the item's data pointer; the item carries the
/// position itself.
fn insert_event(position: i32) -> iis_module::server::TraceEventData {
    use iis_module::iis_sys::GUID;
    use iis_module::server::{TraceEventData, TraceItem, TraceValue};
    TraceEventData {
        provider: GUID::from_u128(0xeb881638_214a_4f2a_9b39_933770822d18),
        area: 1,
        area_guid: GUID::from_u128(0xacade3b2_b7d7_4339_956c_811b4edb1b24),
        event: 1,
        name: "NOTIFY_MY_CSTM_WECBR_EVNT".to_owned(),
        version: 2,
        verbosity: 1,
        activity: None,
        related_activity: None,
        timestamp: 0,
        flags: iis_module::server::TRACE_EVENT_FLAG_STATIC_DESCRIPTIVE_FIELDS,
        items: vec![TraceItem {
            name: "InsertPosition".to_owned(),
            value: TraceValue::Long(position),
            description: "Insert Position".to_owned(),
        }],
    }
}

/// `IHttpResponseGetCachePolicy`: whether the user-mode output cache may
/// keep the response.
pub(crate) struct UserCacheEnabled;

#[http_module]
impl HttpModule for UserCacheEnabled {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        plain_text(cx)?;
        let Some(enabled) = cx
            .response()
            .cache_policy()
            .map(|p| p.is_user_cache_enabled())
        else {
            return Ok(Flow::Continue);
        };
        write_message(
            cx,
            "User cache enabled: ",
            if enabled { "yes" } else { "no" },
        )?;
        Ok(Flow::FinishRequest)
    }
}

#[http_module]
impl HttpModule for ChunksByReference {
    fn on_begin_request(&mut self, cx: &mut HttpContext, provider: &mut Event) -> Result<Flow> {
        use std::sync::atomic::Ordering::SeqCst;
        let count = self.calls.fetch_add(2, SeqCst) + 2;
        let url = cx.request().url()?;
        log::debug!("{url}");
        if !url.contains(".htm") || !count.is_multiple_of(5) {
            return Ok(Flow::Continue);
        }
        let toggle = self.inserts.fetch_add(1, SeqCst) + 1;
        let position: i32 = (toggle % 2) as i32 - 1;
        let at = usize::try_from(position).ok();
        // Not the thread id: `std::thread::current` registers a thread-local
        // destructor in this library, which must not outlive its unloading.
        let thread = std::process::id();
        let chunks = [
            (
                format!("<p /> first chunk  callback count = {count} insertPos = {position}<br />"),
                at,
            ),
            (
                format!("<br /> <b> Adding 2nd chunk in Bold </b> File insertPos = {position}"),
                at,
            ),
            (
                format!(
                    " <p /> Last (3rd) Chunk added with default append chunk  GetCurrentThreadId = {thread}"
                ),
                None,
            ),
        ];
        for (text, at) in chunks {
            if self.trace {
                let position = at.map_or(-1, |p| p as i32);
                let raised = cx
                    .trace_context()
                    .map(|t| t.raise_event(&insert_event(position)))
                    .transpose();
                if let Err(error) = raised {
                    log::debug!("RaiseEvent: {error}");
                }
            }
            if let Err(error) = cx.response().write_by_reference(text.as_bytes(), at) {
                provider.set_error_status(error.hresult());
                return Ok(Flow::FinishRequest);
            }
        }
        Ok(Flow::FinishRequest)
    }
}
