//! Calling modules: lazy instances through the factory, one notification
//! across the subscribed modules in order, `RQ_NOTIFICATION_PENDING` with
//! `IndicateCompletion`/`PostCompletion` and `OnAsyncCompletion`.

use std::ffi::c_void;
use std::future::Future;
use std::sync::atomic::Ordering;
use std::task::Poll;
use std::time::Instant;

use iis_sys::{
    CHttpModule, E_POINTER, IHttpCompletionInfo, IHttpCompletionInfo2, IHttpContext,
    IHttpEventProvider, REQUEST_NOTIFICATION_STATUS,
};

use crate::engine::pool::now;
use crate::engine::send::{drain, fail_with_500, put_and_flush, sending_synchronously};
use crate::ffi::{hex, lock};
use crate::http::{RecordingSink, ResponseSink};
use crate::objects::Foreign;
use crate::objects::providers::completion;
use crate::state::RequestCore;
use crate::state::request::{Completion, Frame, ModuleSlot, RequestState};
use crate::transcript::{HostEvent, Notification, NotificationRecord, RequestStatus};

/// What the rest of the pipeline does after a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Go on.
    Continue,
    /// A module returned `RQ_NOTIFICATION_FINISH_REQUEST` (or the host failed the request).
    Finish,
}

/// The module instance of module `index` for this request, created through
/// its factory at the first notification it gets; `None` if `GetHttpModule`
/// failed (now or earlier).
fn instance(core: &RequestCore, index: usize) -> Option<Foreign<CHttpModule>> {
    // One creation at a time: a worker thread's Flush may raise SendResponse
    // while the pipeline thread raises another notification.
    let _creating = lock(&core.creating);
    let ModuleSlot {
        instance: existing,
        failed,
        ..
    } = core.with_state(|s| s.flow.modules[index]);
    if existing.is_some() || failed {
        return existing;
    }
    let module = &core.modules[index];
    let factory = module.registered.factory;
    let mut out: *mut CHttpModule = std::ptr::null_mut();
    // SAFETY: the factory the module registered, alive until Terminate (after
    // every request); `out` and the allocator are valid for the call.
    let hr = unsafe {
        ((*(*factory.0).lpVtbl).GetHttpModule)(factory.0, &mut out, core.allocator.iface())
    };
    let record = |s: &mut crate::state::request::RequestState| {
        if s.log.on {
            s.log.event(HostEvent::GetHttpModule {
                module: module.name.clone(),
                hr: hex(hr),
            });
        }
    };
    if hr.is_err() || out.is_null() {
        core.with_state(|s| {
            record(s);
            s.flow.modules[index].failed = true;
            // What IIS's error page reports for the failure.
            s.resp.error_hr = if hr.is_err() { hr } else { E_POINTER };
        });
        return None;
    }
    core.host()
        .stats
        .instances_created
        .fetch_add(1, Ordering::SeqCst);
    core.with_state(|s| {
        record(s);
        let slot = &mut s.flow.modules[index];
        slot.instance = Some(Foreign(out));
        slot.rank = s.flow.created;
        s.flow.created += 1;
    });
    Some(Foreign(out))
}

/// Builds `call_slot` from iis-sys's table of request notifications.
macro_rules! request_call_slot {
    ($(
        $variant:ident = $mask:ident:
            $(#[$pre_doc:meta])*
            $hook:ident / $slot:ident ($alias:literal): $provider:ident($raw:ty)
            $(,
                $(#[$post_doc:meta])*
                $post_hook:ident / $post_slot:ident ($post_alias:literal): $post_provider:ident($post_raw:ty)
            )?;
    )*) => {
        /// Calls the `CHttpModule` slot of `notification` (`post`: its
        /// post-notification; a notification without one gets its only slot).
        ///
        /// # Safety
        ///
        /// `module` is a live module instance; `context` and `provider` are live host
        /// objects of the interface types the slot expects.
        unsafe fn call_slot(
            module: *mut CHttpModule,
            notification: Notification,
            post: bool,
            context: *mut IHttpContext,
            provider: *mut c_void,
        ) -> REQUEST_NOTIFICATION_STATUS {
            use iis_sys::*;
            let post = post && notification.has_post();
            // SAFETY: a module instance starts with its vtable pointer.
            let v = unsafe { &*(*module).lpVtbl };
            // SAFETY: the slot matching the notification, called with the provider
            // type the table gives it (the caller built it for this notification).
            unsafe {
                match (notification, post) {
                    $(
                        (Notification::$variant, false) => (v.$slot)(module, context, provider.cast::<$raw>()),
                        $(
                            (Notification::$variant, true) => {
                                (v.$post_slot)(module, context, provider.cast::<$post_raw>())
                            }
                        )?
                    )*
                    (Notification::AsyncCompletion, _) | (_, true) => RQ_NOTIFICATION_CONTINUE,
                }
            }
        }
    };
}

iis_sys::request_notifications!(request_call_slot);

/// Raises `notification` (`post`: its post-notification) inside a module's
/// call (e.g. SendResponse from `Flush`, MapPath from `MapPath`): output
/// stays queued for the pipeline, and `RQ_NOTIFICATION_PENDING` counts as
/// `CONTINUE` (recorded as [`HostEvent::NestedPendingIgnored`]).
pub(crate) fn notify(
    core: &RequestCore,
    notification: Notification,
    post: bool,
    provider: *mut c_void,
) -> Outcome {
    let nested = raise::<RecordingSink>(core, notification, post, Foreign(provider), None);
    // Without a sink nothing waits, so the future is ready at once.
    now(nested).unwrap_or(Outcome::Continue)
}

/// Runs `notification` (`post`: its post-notification) on every module that
/// subscribed, in order. `provider` is the provider object for the
/// notification's slot.
///
/// With `sink` (a notification the pipeline raises itself), queued output is
/// written after each module, and a module's `RQ_NOTIFICATION_PENDING` parks
/// the request until its completion. Without, see [`notify`].
pub(crate) async fn raise<S: ResponseSink + ?Sized>(
    core: &RequestCore,
    notification: Notification,
    post: bool,
    provider: Foreign<c_void>,
    mut sink: Option<&mut S>,
) -> Outcome {
    let bit = notification.mask();
    for &index in core.modules.request_order(notification, post) {
        let skipped = core.with_state(|s| {
            let (pre_mask, post_mask) = s.flow.modules[index].disabled;
            (if post { post_mask } else { pre_mask }) & bit != 0
                || take_merged(s, index, notification, post)
        });
        if skipped {
            continue;
        }
        let Some(module) = instance(core, index) else {
            fail_with_500(core);
            core.with_state(|s| {
                s.resp.status_source = Some((core.modules[index].name.clone(), bit));
            });
            return Outcome::Finish;
        };
        let status = call_module(
            core,
            index,
            module,
            notification,
            post,
            provider,
            sink.as_deref_mut(),
        )
        .await;
        if let Some(sink) = sink.as_deref_mut() {
            drain(core, sink).await;
        }
        if status == RequestStatus::FinishRequest {
            return Outcome::Finish;
        }
    }
    Outcome::Continue
}

/// Whether module `index` took over this notification with
/// `GetNextNotification` (then it is skipped, once).
fn take_merged(
    s: &mut crate::state::request::RequestState,
    index: usize,
    notification: Notification,
    post: bool,
) -> bool {
    let at = s
        .flow
        .merged
        .iter()
        .position(|&m| m == (index, notification, post));
    at.map(|i| s.flow.merged.remove(i)).is_some()
}

/// Calls one module, following `PENDING` through to its completion.
async fn call_module<S: ResponseSink + ?Sized>(
    core: &RequestCore,
    index: usize,
    module: Foreign<CHttpModule>,
    notification: Notification,
    post: bool,
    provider: Foreign<c_void>,
    mut sink: Option<&mut S>,
) -> RequestStatus {
    let name = &core.modules[index].name;
    core.with_state(|s| {
        if sink.is_some() {
            // A completion left over from an earlier notification (a module
            // completing without returning PENDING) must not complete this one.
            s.flow.completions.clear();
        }
        s.flow.frames.push(Frame {
            module: index,
            notification,
            post,
            started: Instant::now(),
        })
    });
    let record_in = |s: &mut RequestState, n: Notification, status: RequestStatus| {
        if s.log.on {
            s.log.notification(NotificationRecord {
                module: name.clone(),
                notification: n,
                post,
                status,
            })
        }
    };
    let record = |n: Notification, status: RequestStatus| {
        core.with_state(|s| record_in(s, n, status));
    };
    let raw = sending_synchronously(core, sink.as_deref_mut(), || {
        // SAFETY: a live instance of this request; the context and provider
        // are this request's objects for this notification.
        unsafe { call_slot(module.0, notification, post, core.context_ptr(), provider.0) }
    });
    let mut status = RequestStatus::from_raw(raw);
    if status != RequestStatus::Pending {
        // The usual case: recorded and the frame ended under one lock.
        core.with_state(|s| {
            record_in(s, notification, status);
            s.flow.frames.pop();
        });
        return status;
    }
    record(notification, status);
    while status == RequestStatus::Pending {
        let Some(sink) = sink.as_deref_mut() else {
            core.event(HostEvent::NestedPendingIgnored {
                module: name.clone(),
                notification,
            });
            status = RequestStatus::Continue;
            break;
        };
        match completion_or_timeout(core, sink).await {
            Some(Completion::Indicated(next)) => {
                status = match RequestStatus::from_raw(next) {
                    RequestStatus::Pending => RequestStatus::Continue,
                    other => other,
                };
            }
            Some(Completion::Async(result)) => {
                let info = completion(result.bytes, result.status);
                let raw = sending_synchronously(core, Some(&mut *sink), || match result.routine {
                    // SAFETY: the routine and context the module passed with
                    // the operation; the context object is this request's
                    // `IHttpContext4` (so also an `IHttpContext3`), the
                    // completion info lives on this frame.
                    Some((routine, context)) => unsafe {
                        routine(
                            core.context_ptr().cast(),
                            info.iface::<IHttpCompletionInfo2>(),
                            context.0,
                        )
                    },
                    // SAFETY: as above; `OnAsyncCompletion` gets the
                    // notification's mask and provider.
                    None => unsafe {
                        ((*(*module.0).lpVtbl).OnAsyncCompletion)(
                            module.0,
                            core.context_ptr(),
                            notification.mask(),
                            post.into(),
                            provider.0.cast::<IHttpEventProvider>(),
                            info.iface::<IHttpCompletionInfo>(),
                        )
                    },
                });
                status = RequestStatus::from_raw(raw);
                record(Notification::AsyncCompletion, status);
            }
            None => {
                core.event(HostEvent::PendingTimedOut {
                    module: name.clone(),
                    notification,
                });
                core.with_state(|s| s.flow.abandoned = true);
                fail_with_500(core);
                status = RequestStatus::FinishRequest;
            }
        }
    }
    core.with_state(|s| s.flow.frames.pop());
    status
}

/// The next completion; `None` after the pending timeout.
async fn completion_or_timeout<S: ResponseSink + ?Sized>(
    core: &RequestCore,
    sink: &mut S,
) -> Option<Completion> {
    match core.host().config.pending_timeout {
        None => Some(next_completion(core, sink).await),
        Some(timeout) => tokio::time::timeout(timeout, next_completion(core, sink))
            .await
            .ok(),
    }
}

/// Waits (holding no thread) for `IndicateCompletion`/`PostCompletion` or
/// an I/O completion, writing output queued meanwhile (e.g. by a worker
/// thread's `Flush`): a completion is delivered once the output before it
/// has left.
fn next_completion<'a, S: ResponseSink + ?Sized>(
    core: &'a RequestCore,
    sink: &'a mut S,
) -> impl Future<Output = Completion> + 'a {
    std::future::poll_fn(move |cx| {
        loop {
            core.with_state(|s| s.flow.waker = Some(cx.waker().clone()));
            if put_and_flush(core, sink, cx).is_pending() {
                return Poll::Pending;
            }
            let mut state = lock(&core.state);
            if !state.out.queue.is_empty() {
                continue;
            }
            if let Some(completion) = state.flow.completions.pop_front() {
                state.flow.waker = None;
                return Poll::Ready(completion);
            }
            drop(state);
            if let Some(read) = crate::objects::request::pending_read(core, cx.waker()) {
                return Poll::Ready(Completion::Async(read));
            }
            return Poll::Pending;
        }
    })
}

/// `IHttpContext::IndicateCompletion` / `PostCompletion`: hands a completion
/// to the parked request (from any thread).
pub(crate) fn complete(core: &RequestCore, completion: Completion) {
    core.with_state(|s| s.flow.completions.push_back(completion));
    core.wake();
}
