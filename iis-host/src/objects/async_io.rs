//! How a read, write or flush completes: inline (`fAsync = FALSE`, or
//! nothing to wait for), or later through the pipeline's completion queue.
//!
//! With `fAsync = TRUE` the operation does its work now (the bytes are
//! copied into or out of the module's buffers) and reports
//! `*pfCompletionPending` / `*pfCompletionExpected` = `TRUE`; its result
//! reaches the module once the hook has returned `RQ_NOTIFICATION_PENDING`,
//! on a pool thread, through `OnAsyncCompletion` or the completion routine
//! the callback form was given. The request's output is written before the
//! completion is delivered, so a write completes when its bytes have left.

use std::ffi::c_void;

use iis_sys::{BOOL, HRESULT, PFN_ASYNC_COMPLETION};

use crate::engine::api::complete;
use crate::ffi::{FALSE, S_OK, TRUE, put};
use crate::objects::Foreign;
use crate::state::RequestCore;
use crate::state::request::{AsyncResult, Completion, CompletionRoutine};

/// How an operation reports its result.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Completes {
    /// In the call (`fAsync = FALSE`).
    Inline,
    /// Later, through the completion queue, to the completion routine if
    /// the callback form was given one.
    Later(Option<(CompletionRoutine, Foreign<c_void>)>),
}

impl Completes {
    /// The mode of a call with `fAsync = is_async` (and, for the callback
    /// forms, `routine` and its `context`).
    pub(crate) fn of(is_async: BOOL, routine: PFN_ASYNC_COMPLETION, context: *mut c_void) -> Self {
        if is_async.as_bool() {
            Completes::Later(routine.map(|r| (r, Foreign(context))))
        } else {
            Completes::Inline
        }
    }

    /// Reports an operation that moved `bytes` with `status`: inline, it
    /// writes the count to `count` and returns `status`; later, it queues
    /// the completion, writes 0 and returns `S_OK`. `pending` (the
    /// `pfCompletionPending`/`pfCompletionExpected` out-pointer) says which.
    ///
    /// # Safety
    ///
    /// `count` and `pending` are null or writable.
    pub(crate) unsafe fn report(
        self,
        core: &RequestCore,
        bytes: u32,
        status: HRESULT,
        count: *mut u32,
        pending: *mut BOOL,
    ) -> HRESULT {
        match self {
            Completes::Inline => {
                // SAFETY: forwarded contract.
                unsafe {
                    put(count, bytes);
                    put(pending, FALSE);
                }
                status
            }
            Completes::Later(routine) => {
                // SAFETY: forwarded contract.
                unsafe {
                    put(count, 0);
                    put(pending, TRUE);
                }
                let result = AsyncResult {
                    bytes,
                    status,
                    routine,
                };
                complete(core, Completion::Async(result));
                S_OK
            }
        }
    }
}
