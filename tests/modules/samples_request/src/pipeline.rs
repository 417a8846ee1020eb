//! `IHttpContext` samples about the request's course through the pipeline:
//! notifications disabled, merged and counted, child-request identity, and
//! the completion of asynchronous work.

use crate::util::{plain_text, write_message};
use iis_module::prelude::*;
use iis_module::{ExecuteFlags, NextNotification};

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

/// `IHttpContextIndicateCompletion` and `IHttpContextPostCompletion`:
/// `Hello World!` written and flushed; the writes complete synchronously,
/// so no completion is pending and the request finishes.
pub(crate) struct WriteAndFlush {
    /// `IHttpContextPostCompletion` does not flush.
    pub(crate) flush: bool,
}

#[http_module]
impl HttpModule for WriteAndFlush {
    fn on_begin_request(&mut self, cx: &mut HttpContext, provider: &mut Event) -> Result<Flow> {
        plain_text(cx)?;
        let outcome = cx.response().write(b"Hello World!").and_then(|()| {
            if self.flush {
                cx.response().flush()
            } else {
                Ok(())
            }
        });
        if let Err(error) = outcome {
            provider.set_error_status(error.hresult());
        }
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpCompletionInfoIHttpCompletionInfo`: `Hello World!` at
/// BeginRequest, a flush at MapRequestHandler, and the request continues
/// (the writes complete synchronously: no completion to log).
pub(crate) struct WriteThenFlushLater;

#[http_module]
impl HttpModule for WriteThenFlushLater {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        plain_text(cx)?;
        if cx.response().write(b"Hello World!").is_err() {
            cx.response().set_status_detail(
                StatusCode::INTERNAL_SERVER_ERROR,
                0,
                "Server Error",
                false,
            )?;
            return Ok(Flow::FinishRequest);
        }
        Ok(Flow::Continue)
    }
    fn on_map_request_handler(&mut self, cx: &mut HttpContext, _: &mut MapHandler) -> Result<Flow> {
        if cx.response().flush().is_err() {
            cx.response().set_status_detail(
                StatusCode::INTERNAL_SERVER_ERROR,
                0,
                "Server Error",
                false,
            )?;
        }
        Ok(Flow::Continue)
    }
}
