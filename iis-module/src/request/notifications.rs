//! Where a request is in the pipeline, as its context tells and steers it:
//! disabling, merging and raising notifications, execution statistics, the
//! child-request family (`GetParentContext`, `GetRootContext`,
//! `GetExecuteFlags`) and `CancelIo`.

use super::HttpContext;
use crate::ffi;
use crate::server::custom::CustomProvider;
use crate::{Error, Result};
use iis_sys::RequestNotifications;
use iis_sys::{
    BOOL, CHttpModule, ExecuteFlags, IHttpEventProvider, PCWSTR, REQUEST_NOTIFICATION_STATUS,
    RQ_NOTIFICATION_CONTINUE, RQ_NOTIFICATION_FINISH_REQUEST,
};

/// The notification [`HttpContext::next_notification`] took over from the
/// pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextNotification {
    /// Its `RQ_*` bit.
    pub notification: RequestNotifications,
    /// Whether it is the post-notification.
    pub post: bool,
}

/// What [`HttpContext::execution_stats`] reports
/// (`GetCurrentExecutionStats`): the notification running now, and the
/// asynchronous one if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionStats {
    /// The notification being processed.
    pub notification: RequestNotifications,
    /// When it started (`GetTickCount` milliseconds).
    pub notification_start: u32,
    /// The module processing it.
    pub module: String,
    /// When that module's part started (`GetTickCount` milliseconds).
    pub module_start: u32,
    /// The asynchronous notification pending, if any (empty otherwise).
    pub async_notification: RequestNotifications,
    /// When it started.
    pub async_start: u32,
}

/// The identity of a request context, to compare contexts
/// ([`HttpContext::id`], [`HttpContext::parent`], [`HttpContext::root`])
/// without reaching them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContextId(usize);

fn status(finish_request: bool) -> REQUEST_NOTIFICATION_STATUS {
    if finish_request {
        RQ_NOTIFICATION_FINISH_REQUEST
    } else {
        RQ_NOTIFICATION_CONTINUE
    }
}

impl HttpContext {
    /// Stops this module's `notifications` (and post-notifications `post`)
    /// for the rest of the request, e.g. a post-notification the module
    /// subscribed to but no longer needs.
    #[doc(alias = "DisableNotifications")]
    pub fn disable_notifications(
        &mut self,
        notifications: RequestNotifications,
        post: RequestNotifications,
    ) {
        self.iface()
            .DisableNotifications(notifications.bits(), post.bits())
    }

    /// Takes over the next notification of the request if it goes to this
    /// same module (`GetNextNotification` with `RQ_NOTIFICATION_CONTINUE`):
    /// the pipeline then does not call it, and the module handles it in
    /// this call. `None` if the next notification is another module's (or
    /// none can be merged).
    #[doc(alias = "GetNextNotification")]
    pub fn next_notification(&mut self) -> Option<NextNotification> {
        let (mut notification, mut post) = (0u32, BOOL(0));
        let mut module: *mut CHttpModule = core::ptr::null_mut();
        let mut provider: *mut IHttpEventProvider = core::ptr::null_mut();
        let merged = self.iface().GetNextNotification(
            RQ_NOTIFICATION_CONTINUE,
            &mut notification,
            &mut post,
            &mut module,
            &mut provider,
        );
        merged.as_bool().then(|| NextNotification {
            notification: RequestNotifications::from_bits_retain(notification),
            post: post.as_bool(),
        })
    }

    /// Whether more notifications are pending for this module in this
    /// request if the current one returns `Continue` (`finish_request`
    /// false) or `FinishRequest` (true). IIS's method is named
    /// `GetIsLastNotification`, but it returns `TRUE` when more are
    /// pending, as its documentation says.
    #[doc(alias = "GetIsLastNotification")]
    pub fn more_notifications_pending(&self, finish_request: bool) -> bool {
        self.iface()
            .GetIsLastNotification(status(finish_request))
            .as_bool()
    }

    /// Raises a custom request notification of type `kind`: every module
    /// subscribed to it (`on_custom_request_notification`) runs now, in
    /// this call. Returns whether IIS expects to complete it
    /// asynchronously.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a type with NUL; [`Error::Server`] if
    /// IIS refuses, or with the HRESULT a handler passed to
    /// `SetErrorStatus`.
    #[doc(alias = "NotifyCustomNotification")]
    pub fn notify_custom_notification(&mut self, kind: &str) -> Result<bool> {
        let provider = CustomProvider::new(kind)?;
        let mut completion_expected = BOOL(0);
        let hr = self
            .iface()
            .NotifyCustomNotification(provider.iface(), &mut completion_expected);
        Error::check("IHttpContext::NotifyCustomNotification", hr)?;
        provider.error()?;
        Ok(completion_expected.as_bool())
    }

    /// The notification running now and the module running it.
    ///
    /// # Errors
    /// [`Error::Server`]; [`Error::Encoding`] for a module name that is not
    /// UTF-16.
    #[doc(alias = "GetCurrentExecutionStats")]
    pub fn execution_stats(&self) -> Result<ExecutionStats> {
        let (mut notification, mut notification_start) = (0u32, 0u32);
        let mut module = PCWSTR::null();
        let (mut module_start, mut async_notification, mut async_start) = (0u32, 0u32, 0u32);
        let hr = self.iface().GetCurrentExecutionStats(
            &mut notification,
            &mut notification_start,
            &mut module,
            &mut module_start,
            &mut async_notification,
            &mut async_start,
        );
        Error::check("IHttpContext::GetCurrentExecutionStats", hr)?;
        // SAFETY: IIS returns a NUL-terminated module name or null.
        let module = unsafe { ffi::wide_to_string(module, "module name") }?.unwrap_or_default();
        Ok(ExecutionStats {
            notification: RequestNotifications::from_bits_retain(notification),
            notification_start,
            module,
            module_start,
            async_notification: RequestNotifications::from_bits_retain(async_notification),
            async_start,
        })
    }

    /// The `EXECUTE_FLAG_*` this request was executed with: empty for a
    /// request from a client, set for a child request (`ExecuteRequest`).
    #[doc(alias = "GetExecuteFlags")]
    pub fn execute_flags(&self) -> ExecuteFlags {
        ExecuteFlags::from_bits_retain(self.iface().GetExecuteFlags())
    }

    /// This context's identity.
    pub fn id(&self) -> ContextId {
        ContextId(self.as_raw() as usize)
    }

    /// The parent context of a child request, `None` for a request from a
    /// client.
    #[doc(alias = "GetParentContext")]
    pub fn parent(&self) -> Option<ContextId> {
        let parent = self.iface().GetParentContext();
        (!parent.is_null()).then_some(ContextId(parent as usize))
    }

    /// The context of the request from the client this (child) request
    /// belongs to; the context itself for a request from a client.
    #[doc(alias = "GetRootContext")]
    pub fn root(&self) -> Option<ContextId> {
        let root = self.iface().GetRootContext();
        (!root.is_null()).then_some(ContextId(root as usize))
    }

    /// Cancels the request's pending asynchronous I/O.
    ///
    /// # Errors
    /// [`Error::Server`].
    #[doc(alias = "CancelIo")]
    pub fn cancel_io(&mut self) -> Result<()> {
        let hr = self.iface().CancelIo();
        Error::check("IHttpContext::CancelIo", hr)
    }
}
