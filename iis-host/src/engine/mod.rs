//! The engine layer: the integrated pipeline, one request through the global
//! PreBeginRequest, the twelve stages with their post-notifications, the
//! final send, and the request's end (contexts cleaned up, instances
//! disposed, memory freed); dispatch, completions and the worker pool. It
//! runs over the request's state (`state`) and calls modules through the ABI
//! objects (`objects`), which call back only through [`api`]. Requests come
//! from the transport ([`crate::http`]) or the host API.
//!
//! # Order
//!
//! `GL_PRE_BEGIN_REQUEST`; then BeginRequest, AuthenticateRequest,
//! AuthorizeRequest, ResolveRequestCache, MapRequestHandler,
//! AcquireRequestState, PreExecuteRequestHandler, ExecuteRequestHandler,
//! ReleaseRequestState, UpdateRequestCache, each as pre-notification for
//! every subscribed module, then post-notification for every module that
//! subscribed to it; then the final send (SendResponse); then LogRequest and
//! EndRequest (with their post-notifications). If no module handled the
//! request by the end of ExecuteRequestHandler (see
//! [`RequestState::handled`](crate::state::request::RequestState::handled)), the
//! handler IIS mapped answers it (`handler`: the static file handler, a
//! `404.0` for a handler iis-host does not have).
//!
//! `RQ_NOTIFICATION_FINISH_REQUEST` stops the current notification (later
//! modules and its post-notification are skipped) and jumps to the final send
//! and LogRequest/EndRequest, which always run (a FINISH in LogRequest jumps
//! to EndRequest).
//!
//! At the end: `CleanupStoredContext` on the request's stored contexts, then
//! `Dispose` on every module instance (in creation order), then
//! `DereferenceUser` on a module-supplied user and `DereferenceCacheData` on
//! a file info a module set with `SetFileInfo`; the request pool is freed
//! last.

pub(crate) mod api;
mod child;
mod dispatch;
mod error_page;
mod global;
mod handler;
mod next;
pub(crate) mod pool;
mod send;

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

pub(crate) use self::dispatch::{Outcome, raise};
pub(crate) use self::global::notify_global;
pub(crate) use crate::state::current::with_current;

use crate::http::{ConnectionFate, Request, ResponseHead, ResponseSink};
use crate::objects::Foreign;
use crate::objects::providers;
use crate::state::current::CurrentGuard;
use crate::state::host::HostCore;
use crate::state::object_data::ConnectionShared;
use crate::state::request::{HeadBuffers, RequestState};
use crate::state::request_core::{RequestCore, dereference_user};
use crate::transcript::{GlobalNotification, HostEvent, Notification, Transcript};
use crate::url::{canonical_path, target_parts};

/// Which connection a request belongs to.
pub(crate) enum ConnectionMode<'a> {
    /// A connection of its own, ended with the request (in-process runs).
    Single,
    /// The connection of its client address, kept while responses keep it alive.
    Keyed,
    /// As `Keyed`, with the connection also kept by the transport between
    /// its requests: looked up by its address only when the transport holds
    /// none yet, or one that has ended since (the same lookup then gives
    /// the next one, as for `Keyed`).
    Held(&'a mut Option<Arc<ConnectionShared>>),
}

/// The connection of `key`, created on its first request; connections the
/// connection layer has certainly closed (idle past its timeout) are ended.
fn keyed_connection(host: &HostCore, key: (SocketAddr, SocketAddr)) -> Arc<ConnectionShared> {
    let idle = host.config.server.read_timeout;
    let mut stale = Vec::new();
    let connection = {
        let mut connections = crate::ffi::lock(&host.connections);
        if !connections.contains_key(&key) {
            connections.retain(|_, c| {
                let keep = !c.is_stale(idle);
                if !keep {
                    stale.push(Arc::clone(c));
                }
                keep
            });
        }
        Arc::clone(connections.entry(key).or_insert_with(ConnectionShared::new))
    };
    for connection in stale {
        connection.end();
    }
    connection
}

/// The request a task runs, which it frees at the end (or leaks when a
/// module abandoned it).
struct Owned(*mut RequestCore);

// SAFETY: `RequestCore` is `Sync` (its state is behind locks); the task that
// owns the pointer moves with it between pool threads.
unsafe impl Send for Owned {}

pin_project_lite::pin_project! {
    /// `future` with `core` as the request of whichever thread polls it
    /// ([`in_request`]).
    struct InRequest<'a, F> {
        core: &'a RequestCore,
        #[pin]
        future: F,
    }
}

impl<F: Future> Future for InRequest<'_, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _current = CurrentGuard::set(this.core);
        this.future.poll(cx)
    }
}

/// Runs `future` with `core` as the request of whichever thread polls it
/// (pinned where it is: an async fn would keep a second copy of it).
fn in_request<F: Future>(core: &RequestCore, future: F) -> InRequest<'_, F> {
    InRequest { core, future }
}

/// Runs one request through the pipeline, answering into `sink`. With a
/// `transcript`, it records the calls, events, notifications and body sent
/// (a server's requests record none: they may be of any size and nobody
/// reads them; nothing of a transcript is moved around for them either).
/// The caller has counted the request in ([`HostCore::enter`]).
pub(crate) async fn execute<S: ResponseSink + ?Sized>(
    host: &HostCore,
    request: Request,
    sink: &mut S,
    mode: ConnectionMode<'_>,
    mut transcript: Option<&mut Transcript>,
) {
    // HTTP.sys refuses these before IIS sees them (our transport, whose
    // requests come `Held`, already did; this is for requests run
    // in-process or handed over by another transport).
    let checked = matches!(mode, ConnectionMode::Held(_));
    if !checked && canonical_path(target_parts(&request.target).0).is_err() {
        let refused = refuse(sink, 400, b"Bad Request - Invalid URL");
        if let Some(transcript) = transcript {
            *transcript = refused;
        }
        return;
    }
    configuration_changes(host);
    host.stats.requests.fetch_add(1, Ordering::SeqCst);
    let key = (request.remote_addr, request.local_addr);
    let single = matches!(mode, ConnectionMode::Single);
    let connection = match mode {
        ConnectionMode::Single => ConnectionShared::new(),
        ConnectionMode::Keyed => keyed_connection(host, key),
        ConnectionMode::Held(held) => match held {
            Some(connection) if connection.is_connected() => Arc::clone(connection),
            _ => Arc::clone(held.insert(keyed_connection(host, key))),
        },
    };
    connection.begin_request();
    let raw = Owned(RequestCore::create(host, request, Arc::clone(&connection)));
    // SAFETY: `raw` stays valid until `destroy` below.
    let core = unsafe { &*raw.0 };
    let transcribe = transcript.is_some();
    core.with_state(|s| s.log.on = transcribe);
    let (fate, abandoned) = in_request(core, async {
        let fate = run(core, sink).await;
        let abandoned = core.with_state(|s| s.flow.abandoned);
        if !abandoned {
            end_request(core);
        }
        if let Some(transcript) = transcript.as_deref_mut() {
            *transcript = transcribed(core, fate);
        }
        (fate, abandoned)
    })
    .await;
    connection.end_request();
    let ends_connection = single || fate != ConnectionFate::KeptAlive;
    if ends_connection && !abandoned {
        if !single {
            crate::ffi::lock(&host.connections).remove(&key);
        }
        connection.end();
    }
    if !abandoned {
        if ends_connection {
            // SAFETY: the request is over: its instances are disposed and no
            // module may call its objects any more.
            unsafe { RequestCore::destroy(raw.0) };
        } else {
            // The next request on the connection reuses the buffers, and
            // the request's allocation.
            let mut spare = core.with_state(RequestState::spare);
            // SAFETY: as for `destroy` above.
            spare.core = Some(unsafe { RequestCore::destroy_keeping(raw.0) });
            *crate::ffi::lock(&connection.spare) = spare;
        }
    }
}

/// The head buffers (target, header list) the last request on
/// `connection` left, for the transport to read the next head into.
pub(crate) fn head_buffers(connection: &ConnectionShared) -> Option<HeadBuffers> {
    crate::ffi::lock(&connection.spare).take_head()
}

/// `GL_CONFIGURATION_CHANGE` for every configuration file read before that
/// changed since (IIS watches its configuration files and notifies before
/// the next request uses them), with the file's configuration path.
fn configuration_changes(host: &HostCore) {
    for path in host.config_sources.changed() {
        let units = crate::ffi::to_wide(&path);
        let provider = crate::objects::providers::configuration_change(host, &units);
        notify_global(
            host,
            GlobalNotification::ConfigurationChange,
            provider.iface(),
            None,
        );
    }
}

/// Whether a module gets `stage` (`post`: its post-notification); when none
/// does, raising it would call nobody and is skipped (no provider built).
fn subscribed(core: &RequestCore, stage: Notification, post: bool) -> bool {
    core.modules.subscribed(stage, post)
}

/// Raises one stage's notification (`post`: its post-notification) with the
/// stage's provider.
async fn raise_stage<S: ResponseSink + ?Sized>(
    core: &RequestCore,
    stage: Notification,
    post: bool,
    sink: &mut S,
) -> Outcome {
    let provider = providers::for_stage(core, stage, post);
    raise(core, stage, post, Foreign(provider.iface()), Some(sink)).await
}

/// The stages and the final send; the fate applied.
async fn run<S: ResponseSink + ?Sized>(core: &RequestCore, sink: &mut S) -> ConnectionFate {
    let (is_child, preauthenticated) =
        core.with_state(|s| (s.flow.family.parent.is_some(), s.req.authenticated));
    if !is_child {
        let pre_begin = providers::pre_begin(core);
        notify_global(
            core.host(),
            GlobalNotification::PreBeginRequest,
            pre_begin.iface(),
            Some(core),
        );
    }
    let (main, end) = Notification::STAGES.split_at(10);
    'stages: for &stage in main {
        if stage == Notification::MapRequestHandler {
            // Handler mapping needs the physical path of the URL (RQ_MAP_PATH).
            crate::objects::context::map_physical(core);
        }
        if stage == Notification::AuthenticateRequest && preauthenticated {
            // A child request run with a user skips authentication.
            continue;
        }
        for post in [false, true] {
            let outcome = if subscribed(core, stage, post) {
                raise_stage(core, stage, post, sink).await
            } else {
                Outcome::Continue
            };
            if stage == Notification::AuthenticateRequest && !post {
                // No module set a user: anonymous authentication applies.
                core.with_state(|s| s.req.authenticated = true);
            }
            if stage == Notification::MapRequestHandler && post {
                // The handler is chosen: GetScriptMap keeps it from now on.
                crate::objects::script_map::choose(core);
            }
            if outcome == Outcome::Finish {
                break 'stages;
            }
            if stage == Notification::ExecuteRequestHandler
                && !post
                && !core.with_state(|s| s.handled())
            {
                handler::execute(core);
            }
        }
    }
    send::final_send(core, &mut *sink).await;
    send::drain(core, sink).await;
    for &stage in end {
        for post in [false, true] {
            if subscribed(core, stage, post)
                && raise_stage(core, stage, post, sink).await == Outcome::Finish
            {
                break;
            }
        }
    }
    send::finish(core, sink).await
}

/// Ends the child requests still there, cleans up the request's contexts,
/// disposes its module instances and releases a module-supplied user.
fn end_request(core: &RequestCore) {
    child::release_all(core);
    core.container.data.cleanup();
    core.url_container.data.cleanup();
    core.metadata_container.data.cleanup();
    core.named.data.cleanup();
    // In the order they were created (each forgotten, recorded and the
    // next found under one lock).
    let mut next = core.with_state(|s| s.flow.first_created());
    while let Some((index, module)) = next {
        // SAFETY: a live instance of this request, disposed once (it is
        // forgotten right after).
        unsafe { ((*(*module.0).lpVtbl).Dispose)(module.0) };
        core.host()
            .stats
            .instances_disposed
            .fetch_add(1, Ordering::SeqCst);
        next = core.with_state(|s| {
            s.flow.modules[index].instance = None;
            if s.log.on {
                s.log.event(HostEvent::Dispose {
                    module: core.modules[index].name.clone(),
                });
            }
            s.flow.first_created()
        });
    }
    let (user, file_info) = core.with_state(|s| {
        let none = crate::objects::Foreign(std::ptr::null_mut());
        (
            std::mem::replace(
                &mut s.req.user,
                crate::objects::Foreign(std::ptr::null_mut()),
            ),
            std::mem::replace(&mut s.req.file_info, none),
        )
    });
    dereference_user(user);
    providers::dereference_file_info(file_info);
}

/// A transcript that records nothing but how the connection ended.
pub(crate) fn untranscribed(fate: ConnectionFate) -> Transcript {
    Transcript {
        status: 0,
        substatus: 0,
        reason: String::new(),
        headers: Vec::new(),
        body: Vec::new(),
        fate,
        notifications: Vec::new(),
        calls: Vec::new(),
        events: Vec::new(),
        log: None,
    }
}

/// The transcript of a finished request.
fn transcribed(core: &RequestCore, fate: ConnectionFate) -> Transcript {
    core.with_state(|s| {
        let (status, reason, headers, substatus) = match &s.out.sent_head {
            Some((head, length, substatus)) => {
                let mut headers = head.headers.clone();
                if let Some(length) = length
                    && !headers
                        .iter()
                        .any(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                {
                    headers.push(("Content-Length".to_owned(), length.to_string().into_bytes()));
                }
                (head.status, head.reason.clone(), headers, *substatus)
            }
            None => (0, String::new(), Vec::new(), 0),
        };
        Transcript {
            status,
            substatus,
            reason,
            headers,
            body: std::mem::take(&mut s.out.sent_body),
            fate,
            notifications: std::mem::take(&mut s.log.notifications),
            calls: std::mem::take(&mut s.log.calls),
            events: std::mem::take(&mut s.log.events),
            log: s.out.log.take(),
        }
    })
}

/// A request answered without running any module: `503` after shutdown
/// began, `400` for a URL HTTP.sys refuses.
pub(crate) fn refuse<S: ResponseSink + ?Sized>(
    sink: &mut S,
    status: u16,
    body: &[u8],
) -> Transcript {
    let head = ResponseHead::new(status).with_header("Content-Type", "text/plain");
    let sent = sink
        .send_head(&head, Some(body.len() as u64))
        .and_then(|()| sink.send_body(body));
    let fate = sink
        .finish(ConnectionFate::Closed)
        .unwrap_or(ConnectionFate::Closed);
    let mut headers = head.headers.clone();
    headers.push((
        "Content-Length".to_owned(),
        body.len().to_string().into_bytes(),
    ));
    Transcript {
        status,
        reason: head.reason,
        headers,
        body: if sent.is_ok() {
            body.to_vec()
        } else {
            Vec::new()
        },
        ..untranscribed(fate)
    }
}
