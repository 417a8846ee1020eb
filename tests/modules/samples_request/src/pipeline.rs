//! `IHttpContext` samples about the request's course through the pipeline:
//! notifications disabled, merged and counted, child-request identity, and
//! the completion of asynchronous work.

use crate::stages;
use crate::util::{completion, plain_text, write_message};
use iis_module::prelude::*;
use iis_module::request::{ExecuteFlags, NextNotification};

/// One body line (the samples' single-buffer `WriteResponseMessage`).
fn write_line(cx: &mut HttpContext, text: &str) -> Result<()> {
    cx.response().write(text.as_bytes())
}

/// `IHttpContextDisableNotifications`: BeginRequest flushes its line, then
/// disables its own PostBeginRequest; AcquireRequestState adds a line and
/// finishes.
pub(crate) struct DisablePostBegin;

#[http_module]
impl HttpModule for DisablePostBegin {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        plain_text(cx)?;
        write_message(cx, "\nNotification: ", "OnBeginRequest")?;
        cx.response().flush()?;
        cx.disable_notifications(
            RequestNotifications::empty(),
            RequestNotifications::BEGIN_REQUEST,
        );
        Ok(Flow::Continue)
    }
    fn on_post_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        write_message(cx, "\nNotification: ", "OnPostBeginRequest")?;
        Ok(Flow::Continue)
    }
    fn on_acquire_request_state(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        write_message(cx, "\nNotification: ", "OnAcquireRequestState")?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpContextGetIsLastNotification`: whether notifications are still
/// pending for the module once it finishes the request.
pub(crate) struct LastNotification;

#[http_module]
impl HttpModule for LastNotification {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let pending = cx.more_notifications_pending(true);
        plain_text(cx)?;
        write_message(
            cx,
            "Last Notification: ",
            if pending { "Yes" } else { "No" },
        )?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpContextGetNextNotification`: Authenticate, PostAuthenticate,
/// Authorize and PostAuthorize each try to take over the next notification
/// and report what they got; MapRequestHandler finishes.
pub(crate) struct NextNotificationReport;

impl NextNotificationReport {
    fn report(cx: &mut HttpContext, heading: &str) -> Result<()> {
        let next = cx.next_notification();
        write_line(cx, heading)?;
        let (merged, notification, post) = match next {
            Some(NextNotification { notification, post }) => (true, notification.bits(), post),
            None => (false, 0, false),
        };
        write_line(
            cx,
            &format!("\tGetNextNotification return value: {merged}\n"),
        )?;
        write_line(cx, &format!("\tNotification: {notification:08x}\n"))?;
        write_line(
            cx,
            &format!("\tPost-notification: {}\n", if post { "Yes" } else { "No" }),
        )
    }
}

#[http_module]
impl HttpModule for NextNotificationReport {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        plain_text(cx)?;
        Ok(Flow::Continue)
    }
    fn on_authenticate_request(
        &mut self,
        cx: &mut HttpContext,
        _: &mut Authentication,
    ) -> Result<Flow> {
        Self::report(cx, "OnAuthenticateRequest\n")?;
        Ok(Flow::Continue)
    }
    fn on_post_authenticate_request(
        &mut self,
        cx: &mut HttpContext,
        _: &mut Event,
    ) -> Result<Flow> {
        Self::report(cx, "\nOnPostAuthenticateRequest\n")?;
        Ok(Flow::Continue)
    }
    fn on_authorize_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        Self::report(cx, "\nOnAuthorizeRequest\n")?;
        Ok(Flow::Continue)
    }
    fn on_post_authorize_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        Self::report(cx, "\nOnPostAuthorizeRequest\n")?;
        Ok(Flow::Continue)
    }
    fn on_map_request_handler(&mut self, _: &mut HttpContext, _: &mut MapHandler) -> Result<Flow> {
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpContextGetExecuteFlags`: at SendResponse, the execute flags, one
/// line each, or `N/A` for a request from a client.
pub(crate) struct ExecuteFlagsReport;

#[http_module]
impl HttpModule for ExecuteFlagsReport {
    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        plain_text(cx)?;
        write_line(cx, "Execute Flags:\n")?;
        let flags = cx.execute_flags();
        if flags.is_empty() {
            write_line(cx, "N/A\n")?;
        }
        for (flag, name) in [
            (ExecuteFlags::NO_HEADERS, "EXECUTE_FLAG_NO_HEADERS\n"),
            (
                ExecuteFlags::IGNORE_CURRENT_INTERCEPTOR,
                "EXECUTE_FLAG_IGNORE_CURRENT_INTERCEPTOR\n",
            ),
            (
                ExecuteFlags::IGNORE_APPPOOL,
                "EXECUTE_FLAG_IGNORE_APPPOOL\n",
            ),
            (
                ExecuteFlags::DISABLE_CUSTOM_ERROR,
                "EXECUTE_FLAG_DISABLE_CUSTOM_ERROR\n",
            ),
            (ExecuteFlags::SAME_URL, "EXECUTE_FLAG_SAME_URL\n"),
            (
                ExecuteFlags::BUFFER_RESPONSE,
                "EXECUTE_FLAG_BUFFER_RESPONSE\n",
            ),
            (
                ExecuteFlags::HTTP_CACHE_ELIGIBLE,
                "EXECUTE_FLAG_HTTP_CACHE_ELIGIBLE\n",
            ),
        ] {
            if flags.contains(flag) {
                write_line(cx, name)?;
            }
        }
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpContextGetParentContext`: how the parent context compares with
/// this one.
pub(crate) struct ParentContext;

#[http_module]
impl HttpModule for ParentContext {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        plain_text(cx)?;
        let text = match cx.parent() {
            None => "The parent context is null.",
            Some(parent) if parent == cx.id() => "The current context equals the parent context.",
            Some(_) => "The parent context differs from the current context.",
        };
        write_line(cx, text)?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpContextGetRootContext`: how the root context compares with this
/// one.
pub(crate) struct RootContext;

#[http_module]
impl HttpModule for RootContext {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        plain_text(cx)?;
        let text = match cx.root() {
            None => "The root context is null.",
            Some(root) if root == cx.id() => "The current context equals the root context.",
            Some(_) => "The root context differs from the current context.",
        };
        write_line(cx, text)?;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpContextCancelIo`: cancels pending I/O at every SendResponse.
pub(crate) struct CancelIoAtSend;

#[http_module]
impl HttpModule for CancelIoAtSend {
    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        cx.cancel_io()?;
        Ok(Flow::Continue)
    }
}

/// The body the completion samples write.
const HELLO: &[u8] = b"Hello World!";

/// `IHttpContextIndicateCompletion`: `Hello World!` written, then flushed,
/// both asynchronously. An operation IIS completes later leaves the request
/// pending, and its completion continues the pipeline (the sample's
/// `OnAsyncCompletion` calls `IndicateCompletion(RQ_NOTIFICATION_CONTINUE)`);
/// after a write that completes later the flush is not made. When both
/// complete in the call, the request finishes at BeginRequest.
pub(crate) struct WriteFlushIndicateCompletion;

#[http_module]
impl HttpModule for WriteFlushIndicateCompletion {
    async fn on_begin_request(&mut self, cx: &mut HttpContext) -> Result<Flow> {
        plain_text(cx)?;
        let (written, later) = completion(cx.response().write_async(HELLO)).await;
        if later {
            return Ok(Flow::Continue);
        }
        if written.is_err() {
            // The sample also sets the provider's error status, which an
            // `async fn` hook has no provider for.
            return Ok(Flow::FinishRequest);
        }
        let (_, later) = completion(cx.response().flush_async()).await;
        if later {
            return Ok(Flow::Continue);
        }
        // Flushed in the call, or failed (then the sample sets the error
        // status, as above): either way the request ends here.
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpContextPostCompletion`: `Hello World!` written asynchronously,
/// then the request finishes at BeginRequest.
///
/// When IIS completes the write later, the sample posts a completion
/// (`PostCompletion`) and returns `RQ_NOTIFICATION_FINISH_REQUEST` while
/// the write is in flight. An `async fn` hook cannot return before its I/O
/// completes: the request is pending until IIS's own completion of the
/// write, and then finishes, so no completion needs posting.
pub(crate) struct WriteThenFinish;

#[http_module]
impl HttpModule for WriteThenFinish {
    async fn on_begin_request(&mut self, cx: &mut HttpContext) -> Result<Flow> {
        plain_text(cx)?;
        // Success or failure, the sample finishes the request (a failure
        // also sets the provider's error status, which an `async fn` hook
        // has no provider for).
        let _ = cx.response().write_async(HELLO).await;
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpCompletionInfoIHttpCompletionInfo`: `Hello World!` written
/// asynchronously at BeginRequest, an asynchronous flush at
/// MapRequestHandler, and the request continues. Each operation IIS
/// completes later is reported to the event log when its completion
/// arrives, as the sample's `OnAsyncCompletion` does: the notification
/// that was pending and the completion status. The sample also logs the
/// completion's byte count, which the SDK's I/O futures do not give.
pub(crate) struct CompletionInfoLog(pub(crate) EventLog);

impl CompletionInfoLog {
    /// The entry for a completion of `notification` with `result`.
    fn report(&self, notification: RequestNotifications, result: &Result<()>) {
        let status = result.as_ref().err().map_or(0, |error| error.hresult().0);
        stages::log(
            &self.0,
            &[
                &format!("Notification: {}", notification.bits()),
                &format!("Completion Status: 0x{status:08x}"),
            ],
        );
    }
}

/// The sample's answer to an operation that failed in the call.
fn server_error(cx: &mut HttpContext) -> Result<()> {
    cx.response()
        .set_status_detail(StatusCode::INTERNAL_SERVER_ERROR, 0, "Server Error", false)
}

#[http_module]
impl HttpModule for CompletionInfoLog {
    async fn on_begin_request(&mut self, cx: &mut HttpContext) -> Result<Flow> {
        plain_text(cx)?;
        let (written, later) = completion(cx.response().write_async(HELLO)).await;
        if later {
            self.report(RequestNotifications::BEGIN_REQUEST, &written);
        } else if written.is_err() {
            server_error(cx)?;
            return Ok(Flow::FinishRequest);
        }
        Ok(Flow::Continue)
    }
    async fn on_map_request_handler(&mut self, cx: &mut HttpContext) -> Result<Flow> {
        let (flushed, later) = completion(cx.response().flush_async()).await;
        if later {
            self.report(RequestNotifications::MAP_REQUEST_HANDLER, &flushed);
        } else if flushed.is_err() {
            server_error(cx)?;
        }
        Ok(Flow::Continue)
    }
}
