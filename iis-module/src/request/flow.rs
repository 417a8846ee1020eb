//! What a hook tells the pipeline, and the owned handle that completes a
//! request a hook left pending.

use crate::diagnostics;
use crate::{Error, Result};
use core::ptr::NonNull;
use iis_sys::{
    BOOL, E_FAIL, IHttpContext, REQUEST_NOTIFICATION_STATUS, RQ_NOTIFICATION_CONTINUE,
    RQ_NOTIFICATION_FINISH_REQUEST, RQ_NOTIFICATION_PENDING, Ref,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU32, Ordering};

/// What a request hook returns (`REQUEST_NOTIFICATION_STATUS`).
#[derive(Debug)]
#[non_exhaustive]
pub enum Flow {
    /// Go on with the next module and notification
    /// (`RQ_NOTIFICATION_CONTINUE`).
    Continue,
    /// Stop processing; IIS runs the end-of-request notifications and sends
    /// the response (`RQ_NOTIFICATION_FINISH_REQUEST`).
    FinishRequest,
    /// The hook completes asynchronously (`RQ_NOTIFICATION_PENDING`); only
    /// [`HttpContext::pend`](crate::HttpContext::pend) makes one, together
    /// with the [`CompletionHandle`] that resumes the request.
    Pending(Pending),
}

impl Flow {
    /// The status IIS receives, settling a pending completion handle.
    pub(crate) fn into_status(self) -> REQUEST_NOTIFICATION_STATUS {
        match self {
            Flow::Continue => RQ_NOTIFICATION_CONTINUE,
            Flow::FinishRequest => RQ_NOTIFICATION_FINISH_REQUEST,
            Flow::Pending(pending) => pending.settle(),
        }
    }
}

// The life of one pending completion, shared by the hook's `Pending` token
// and the `CompletionHandle`.
const IN_HOOK: u8 = 0; // the hook that called `pend` is still running
const ARMED: u8 = 1; // the hook returned PENDING; the handle may call IIS
const BUSY: u8 = 2; // the handle is calling IIS right now
const DONE: u8 = 3; // completed (or posted)
const REVOKED: u8 = 4; // the hook did not return PENDING: the handle is inert
const EARLY_CONTINUE: u8 = 5; // completed with Continue before the hook returned
const EARLY_FINISH: u8 = 6; // completed with FinishRequest before the hook returned
const EARLY_POST: u8 = 7; // posted before the hook returned: posted once it returns PENDING
const EARLY_FAIL: u8 = 8; // dropped unused before the hook returned: the request fails

/// What the token and the handle share.
#[derive(Debug)]
struct Shared {
    context: NonNull<IHttpContext>,
    /// Where a dropped handle is reported (the scope of the hook that
    /// pended).
    scope: Option<diagnostics::Scope>,
    state: AtomicU8,
    /// The byte count of an early `post`.
    posted_bytes: AtomicU32,
}

// SAFETY: the context pointer is only used under the state protocol above,
// in the window where IIS allows calls from any thread.
unsafe impl Send for Shared {}
// SAFETY: as above; everything else is atomics.
unsafe impl Sync for Shared {}

/// The token inside [`Flow::Pending`]. Returning it makes the request
/// pending; dropping it instead revokes its [`CompletionHandle`] (logged as
/// an error), so the handle can never touch a request that went on.
#[derive(Debug)]
pub struct Pending {
    /// The handle's state; `None` for an `async fn` hook's task (which
    /// resumes itself) and once settled.
    state: Option<Arc<Shared>>,
}

impl Pending {
    /// The token of an `async fn` hook whose task went pending.
    pub(crate) fn task() -> Self {
        Self { state: None }
    }

    /// Ends the hook's side: PENDING, or the status of a completion that
    /// arrived while the hook was still running.
    fn settle(mut self) -> REQUEST_NOTIFICATION_STATUS {
        let Some(shared) = self.state.take() else {
            return RQ_NOTIFICATION_PENDING; // a task: it resumes itself
        };
        match shared
            .state
            .compare_exchange(IN_HOOK, ARMED, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => RQ_NOTIFICATION_PENDING,
            Err(EARLY_CONTINUE) => RQ_NOTIFICATION_CONTINUE,
            Err(EARLY_FINISH) => RQ_NOTIFICATION_FINISH_REQUEST,
            Err(EARLY_FAIL) => {
                // SAFETY: we are still inside the notification: the context
                // is alive, and the hook no longer uses it.
                fail_request(unsafe { Ref::from_non_null(shared.context) });
                RQ_NOTIFICATION_FINISH_REQUEST
            }
            Err(EARLY_POST) => {
                // The hook did return PENDING, so the early post may go to
                // IIS now; it queues it and calls OnAsyncCompletion later.
                shared.state.store(DONE, Ordering::Release);
                let bytes = shared.posted_bytes.load(Ordering::Acquire);
                // SAFETY: we are still inside the notification: the context
                // is alive.
                let hr = unsafe { Ref::from_non_null(shared.context).PostCompletion(bytes) };
                if hr.is_err() {
                    crate::panic::report!("iis-module: IHttpContext::PostCompletion failed: {hr}");
                    return RQ_NOTIFICATION_FINISH_REQUEST;
                }
                RQ_NOTIFICATION_PENDING
            }
            Err(_) => RQ_NOTIFICATION_PENDING,
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        let Some(state) = self.state.take() else {
            return;
        };
        crate::panic::report!(
            "iis-module: a hook called HttpContext::pend but did not return Flow::Pending; \
             its CompletionHandle is revoked"
        );
        // Whatever happened early (completion or post) is dropped with the
        // request's pending state: the hook did not return PENDING.
        shared_revoke(&state);
    }
}

fn shared_revoke(shared: &Shared) {
    loop {
        let current = shared.state.load(Ordering::Acquire);
        if current == ARMED || current == BUSY || current == DONE || current == REVOKED {
            return;
        }
        if shared
            .state
            .compare_exchange(current, REVOKED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            return;
        }
    }
}

/// An owned, `Send` handle that resumes a request a hook left pending
/// (`IHttpContext::IndicateCompletion` / `PostCompletion`).
///
/// Contract: it is created together with a [`Flow::Pending`] by
/// [`HttpContext::pend`](crate::HttpContext::pend). It acts only if the hook
/// returned that `Flow::Pending`, and only once (its methods consume it), so
/// it can never touch a request after it ended. Dropping it unused finishes
/// the request (and logs an error), so a request is never left hanging.
#[derive(Debug)]
pub struct CompletionHandle {
    shared: Arc<Shared>,
    used: bool,
}

/// Makes a linked `Pending` token and completion handle.
pub(crate) fn pend(context: NonNull<IHttpContext>) -> (Pending, CompletionHandle) {
    let shared = Arc::new(Shared {
        context,
        scope: diagnostics::Scope::current(),
        state: AtomicU8::new(IN_HOOK),
        posted_bytes: AtomicU32::new(0),
    });
    (
        Pending {
            state: Some(shared.clone()),
        },
        CompletionHandle {
            shared,
            used: false,
        },
    )
}

impl CompletionHandle {
    /// Resumes the request with `Continue` or `FinishRequest`
    /// (`IndicateCompletion`), without an `on_async_completion` call.
    ///
    /// # Errors
    /// [`Error::Module`] if the hook did not return the matching
    /// `Flow::Pending` (the request has moved on).
    #[doc(alias = "IndicateCompletion")]
    pub fn complete(mut self, finish: bool) -> Result<()> {
        self.used = true;
        let (early, status) = if finish {
            (EARLY_FINISH, RQ_NOTIFICATION_FINISH_REQUEST)
        } else {
            (EARLY_CONTINUE, RQ_NOTIFICATION_CONTINUE)
        };
        let shared = &self.shared;
        if shared
            .state
            .compare_exchange(IN_HOOK, early, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            return Ok(()); // the hook returns this status itself
        }
        if shared
            .state
            .compare_exchange(ARMED, BUSY, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return Err(revoked());
        }
        // SAFETY: state ARMED means the hook returned PENDING, so IIS keeps
        // the context alive until this completion.
        unsafe { Ref::from_non_null(shared.context).IndicateCompletion(status) };
        shared.state.store(DONE, Ordering::Release);
        Ok(())
    }

    /// Posts a completion of `bytes` (`PostCompletion`): IIS then calls the
    /// module's `on_async_completion` on one of its threads.
    ///
    /// # Errors
    /// [`Error::Module`] if revoked; [`Error::Server`] if IIS refuses.
    #[doc(alias = "PostCompletion")]
    pub fn post(mut self, bytes: u32) -> Result<()> {
        self.used = true;
        let shared = &self.shared;
        shared.posted_bytes.store(bytes, Ordering::Release);
        if shared
            .state
            .compare_exchange(IN_HOOK, EARLY_POST, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            return Ok(()); // posted by the SDK once the hook returns PENDING
        }
        if shared
            .state
            .compare_exchange(ARMED, BUSY, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return Err(revoked());
        }
        // SAFETY: ARMED: the hook returned PENDING, so the context is alive
        // until this completion; IIS queues it.
        let hr = unsafe { Ref::from_non_null(shared.context).PostCompletion(bytes) };
        shared.state.store(DONE, Ordering::Release);
        Error::check("IHttpContext::PostCompletion", hr)
    }
}

impl Drop for CompletionHandle {
    /// A handle dropped unused (the code that held it failed, or forgot it)
    /// fails its request: a 500 if the response head has not left, else a
    /// reset connection, so that the client never takes it for a success.
    fn drop(&mut self) {
        if self.used {
            return;
        }
        let shared = &self.shared;
        // Reported in the request's scope (this may be any thread) while the
        // request is known to be alive: the hook still runs, or the request
        // waits for this completion.
        let report = || {
            diagnostics::report_in(
                shared.scope,
                log::Level::Error,
                format_args!(
                    "iis-module: a CompletionHandle was dropped unused; the request fails"
                ),
            );
        };
        if shared
            .state
            .compare_exchange(IN_HOOK, EARLY_FAIL, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            report();
            return; // failed by the SDK once the hook returns
        }
        if shared
            .state
            .compare_exchange(ARMED, BUSY, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            crate::panic::report!(
                "iis-module: a CompletionHandle was dropped unused after its request moved on"
            );
            return; // revoked: the request has moved on
        }
        report();
        // SAFETY: ARMED: the hook returned PENDING, so IIS keeps the context
        // alive until this completion, and nothing else uses it meanwhile.
        unsafe {
            let context = Ref::from_non_null(shared.context);
            fail_request(context);
            context.IndicateCompletion(RQ_NOTIFICATION_FINISH_REQUEST);
        }
        shared.state.store(DONE, Ordering::Release);
    }
}

/// Fails a request whose module failed outside a hook's own error path: a
/// `500` if the response head has not left (what was buffered is cleared),
/// else `ResetConnection`, as a failure after the head must not end like a
/// complete response.
pub(crate) fn fail_request(context: Ref<'_, IHttpContext>) {
    let response = context.GetResponse();
    let head_sent = context.GetResponseHeadersSent().as_bool();
    let Some(response) = response else {
        return;
    };
    if head_sent {
        response.ResetConnection();
        return;
    }
    response.Clear();
    let _ = response.SetStatus(500, c"Internal Server Error", 0, E_FAIL, None, BOOL(0));
}

fn revoked() -> Error {
    Error::msg("the completion handle was revoked: its hook did not return Flow::Pending")
}
