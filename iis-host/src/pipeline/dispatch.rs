//! Calling modules: lazy instances through the factory, one notification
//! across the subscribed modules in order, `RQ_NOTIFICATION_PENDING` with
//! `IndicateCompletion`/`PostCompletion` and `OnAsyncCompletion`.

use std::ffi::c_void;
use std::sync::atomic::Ordering;
use std::time::Instant;

use iis_sys::{
    CHttpModule, IHttpCompletionInfo, IHttpContext, IHttpEventProvider, REQUEST_NOTIFICATION_STATUS,
};

use crate::ffi::{hex, lock};
use crate::http::ResponseSink;
use crate::loader::request_order;
use crate::objects::Foreign;
use crate::objects::providers::completion;
use crate::pipeline::RequestCore;
use crate::pipeline::request_state::{Completion, Frame};
use crate::pipeline::send::{drain, fail_with_500};
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
    let (existing, failed) = core.with_state(|s| (s.flow.instances[index], s.flow.failed[index]));
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
    core.event(HostEvent::GetHttpModule {
        module: module.name.clone(),
        hr: hex(hr),
    });
    if hr.is_err() || out.is_null() {
        core.with_state(|s| s.flow.failed[index] = true);
        return None;
    }
    core.host()
        .stats
        .instances_created
        .fetch_add(1, Ordering::SeqCst);
    core.with_state(|s| {
        s.flow.instances[index] = Some(Foreign(out));
        s.flow.created.push(index);
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

/// Runs `notification` (`post`: its post-notification) on every module that
/// subscribed, in order. `provider` is the provider object for the
/// notification's slot.
///
/// With `sink` (a notification the pipeline raises itself), queued output is
/// written after each module and `RQ_NOTIFICATION_PENDING` waits for the
/// module's completion. Without (a notification raised inside a module's call,
/// e.g. SendResponse from `Flush`), output stays queued and `PENDING` counts
/// as `CONTINUE` (recorded as [`HostEvent::NestedPendingIgnored`]).
pub(crate) fn notify<'s>(
    core: &RequestCore,
    notification: Notification,
    post: bool,
    provider: *mut c_void,
    mut sink: Option<&mut (dyn ResponseSink + 's)>,
) -> Outcome {
    let bit = notification.mask();
    for index in request_order(&core.modules, notification, post) {
        let disabled = core.with_state(|s| {
            let (pre_mask, post_mask) = s.flow.disabled[index];
            (if post { post_mask } else { pre_mask }) & bit != 0
        });
        if disabled || core.with_state(|s| take_merged(s, index, notification, post)) {
            continue;
        }
        let Some(module) = instance(core, index) else {
            fail_with_500(core);
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
        );
        if let Some(sink) = sink.as_deref_mut() {
            drain(core, sink);
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
    s: &mut crate::pipeline::request_state::RequestState,
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
fn call_module<'s>(
    core: &RequestCore,
    index: usize,
    module: Foreign<CHttpModule>,
    notification: Notification,
    post: bool,
    provider: *mut c_void,
    mut sink: Option<&mut (dyn ResponseSink + 's)>,
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
    let record = |n: Notification, status: RequestStatus| {
        core.with_state(|s| {
            s.log.notifications.push(NotificationRecord {
                module: name.clone(),
                notification: n,
                post,
                status,
            })
        })
    };
    // SAFETY: a live instance of this request; the context and provider are
    // this request's objects for this notification.
    let raw = unsafe { call_slot(module.0, notification, post, core.context_ptr(), provider) };
    let mut status = RequestStatus::from_raw(raw);
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
        match wait_for_completion(core, sink) {
            Some(Completion::Indicated(next)) => {
                status = match RequestStatus::from_raw(next) {
                    RequestStatus::Pending => RequestStatus::Continue,
                    other => other,
                };
            }
            Some(Completion::Posted(bytes)) => {
                let info = completion(bytes);
                // SAFETY: as above; `OnAsyncCompletion` gets the notification's
                // mask and provider and a completion info living on this frame.
                let raw = unsafe {
                    ((*(*module.0).lpVtbl).OnAsyncCompletion)(
                        module.0,
                        core.context_ptr(),
                        notification.mask(),
                        post.into(),
                        provider.cast::<IHttpEventProvider>(),
                        info.iface::<IHttpCompletionInfo>(),
                    )
                };
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

/// Waits for `IndicateCompletion`/`PostCompletion`, writing output queued
/// meanwhile (e.g. by a worker thread's `Flush`); `None` after the pending
/// timeout.
fn wait_for_completion(core: &RequestCore, sink: &mut dyn ResponseSink) -> Option<Completion> {
    let timeout = core.host().config.pending_timeout;
    let deadline = timeout.map(|t| Instant::now() + t);
    let mut state = lock(&core.state);
    state.flow.waiting = true;
    loop {
        if !state.out.queue.is_empty() {
            drop(state);
            drain(core, sink);
            state = lock(&core.state);
            continue;
        }
        if let Some(completion) = state.flow.completions.pop_front() {
            state.flow.waiting = false;
            return Some(completion);
        }
        state = match deadline {
            None => core
                .wake
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner),
            Some(deadline) => {
                let now = Instant::now();
                if now >= deadline {
                    state.flow.waiting = false;
                    return None;
                }
                core.wake
                    .wait_timeout(state, deadline - now)
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .0
            }
        };
    }
}

/// `IHttpContext::IndicateCompletion` / `PostCompletion`: hands a completion
/// to the waiting pipeline (from any thread).
pub(crate) fn complete(core: &RequestCore, completion: Completion) {
    core.with_state(|s| s.flow.completions.push_back(completion));
    core.wake.notify_all();
}
