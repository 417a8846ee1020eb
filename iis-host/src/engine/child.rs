//! Child requests: `IHttpContext::CloneContext`, `ExecuteRequest` and
//! `ReleaseClonedContext`, with `GetParentContext`, `GetRootContext` and
//! `GetExecuteFlags` answered from the family they build.
//!
//! What IIS documents, and iis-host does:
//! - a clone is a request of its own (its objects, module instances and
//!   state) on the parent's connection, made of what the `CLONE_FLAG_*`
//!   flags copy from the parent's request as it is at the call: `BASICS`
//!   the method and URL, `HEADERS` the headers (less `Range` and `If-*`
//!   with `NO_PRECONDITION`, less WebDAV's with `NO_DAV`), `ENTITY` the
//!   body received so far;
//! - `ExecuteRequest` runs only a clone of the calling request, once each,
//!   and only asynchronously (`fAsync = FALSE` is `ERROR_NOT_SUPPORTED`, as
//!   is someone else's clone); children nest ten deep at most
//!   (`ERROR_STACK_OVERFLOW`); a user passed in skips the child's
//!   authentication;
//! - the child's response goes to the client, unless
//!   `EXECUTE_FLAG_BUFFER_RESPONSE` keeps it in the child for the parent to
//!   read; `EXECUTE_FLAG_NO_HEADERS` sends its body without its status and
//!   headers.
//!
//! Where iis-host differs: the child runs to its end inside the call, on
//! the calling thread (its completion is then reported as IIS reports it:
//! `*pfCompletionExpected = TRUE`, and `OnAsyncCompletion` once the module
//! returns `RQ_NOTIFICATION_PENDING`); its response is written into the
//! parent's (status and headers, body appended), which the parent's final
//! send sends, where IIS sends it as the child runs.
//! `GL_PRE_BEGIN_REQUEST` is not raised for a child.

use std::sync::Arc;

use iis_sys::{
    CloneFlags, ExecuteFlags, HRESULT, HRESULT_ERROR_NOT_SUPPORTED, HRESULT_ERROR_STACK_OVERFLOW,
    IHttpContext, IHttpUser,
};

use super::{end_request, in_request, run};
use crate::block_on::block_on;
use crate::ffi::{Foreign, S_OK};
use crate::http::RecordingSink;
use crate::message::Request;
use crate::state::RequestCore;
use crate::state::headers::Side;
use crate::transcript::HostEvent;

/// How deep child requests nest (IIS's documented limit).
const MAX_DEPTH: usize = 10;

/// Headers a `CLONE_FLAG_NO_PRECONDITION` clone leaves out.
fn is_precondition(name: &str) -> bool {
    name.eq_ignore_ascii_case("range") || name.len() > 3 && name[..3].eq_ignore_ascii_case("if-")
}

/// WebDAV's request headers, which a `CLONE_FLAG_NO_DAV` clone leaves out.
fn is_dav(name: &str) -> bool {
    [
        "depth",
        "destination",
        "if",
        "lock-token",
        "overwrite",
        "timeout",
        "translate",
    ]
    .iter()
    .any(|dav| name.eq_ignore_ascii_case(dav))
}

/// `CloneContext`: a new request made of what `flags` copy from `parent`;
/// its context.
pub(crate) fn clone(parent: &RequestCore, flags: u32) -> *mut IHttpContext {
    let flags = CloneFlags::from_bits_truncate(flags);
    let (request, transcribe) = parent.with_state(|s| {
        let (method, target) = if flags.contains(CloneFlags::BASICS) {
            let mut target = s.req.path().to_vec();
            if let Some(query) = s.req.query() {
                target.push(b'?');
                target.extend_from_slice(query);
            }
            let method =
                http::Method::from_bytes(s.req.method.as_bytes()).unwrap_or(http::Method::GET);
            (method, target)
        } else {
            (http::Method::GET, b"/".to_vec())
        };
        let headers = if flags.contains(CloneFlags::HEADERS) {
            s.req
                .headers
                .entries
                .iter()
                .filter(|(name, _)| {
                    !(flags.contains(CloneFlags::NO_PRECONDITION) && is_precondition(name)
                        || flags.contains(CloneFlags::NO_DAV) && is_dav(name))
                })
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        let body = if flags.contains(CloneFlags::ENTITY) {
            s.req.entity.iter().copied().collect()
        } else {
            Vec::new()
        };
        let version = match s.req.version {
            (1, 0) => http::Version::HTTP_10,
            (2, _) => http::Version::HTTP_2,
            _ => http::Version::HTTP_11,
        };
        let request = Request {
            method,
            target,
            version,
            headers,
            body,
            body_stream: None,
            remote_addr: s.req.remote,
            local_addr: s.req.local,
        };
        (request, s.log.on)
    });
    let child = RequestCore::create(parent.host(), request, Arc::clone(&parent.connection));
    // SAFETY: just created; freed only by `release` (or the parent's end).
    let core = unsafe { &*child };
    core.with_state(|s| {
        s.log.on = transcribe;
        s.flow.family.parent = Some(Foreign(std::ptr::from_ref(parent).cast_mut()));
    });
    parent.with_state(|s| s.flow.family.children.push(Foreign(child)));
    core.context_ptr()
}

/// The clone of `parent` whose context is `context`, if it is one.
fn child_of(parent: &RequestCore, context: *mut IHttpContext) -> Option<&RequestCore> {
    let child = parent.with_state(|s| {
        s.flow
            .family
            .children
            .iter()
            // SAFETY: the parent's unreleased clones are live.
            .find(|c| unsafe { &*c.0 }.context_ptr() == context)
            .copied()
    })?;
    // SAFETY: as above; it stays live until released, which needs the
    // parent's module, busy in this call.
    Some(unsafe { &*child.0 })
}

/// How many parents `core` has.
fn depth(core: &RequestCore) -> usize {
    let mut depth = 0;
    let mut parent = core.with_state(|s| s.flow.family.parent);
    while let Some(up) = parent {
        depth += 1;
        // SAFETY: a parent outlives its children.
        parent = unsafe { &*up.0 }.with_state(|s| s.flow.family.parent);
    }
    depth
}

/// `ExecuteRequest`: runs the child to its end and delivers its response.
pub(crate) fn execute(
    parent: &RequestCore,
    is_async: bool,
    context: *mut IHttpContext,
    flags: u32,
    user: *mut IHttpUser,
) -> HRESULT {
    let Some(child) = child_of(parent, context) else {
        return HRESULT_ERROR_NOT_SUPPORTED;
    };
    if !is_async || child.with_state(|s| s.flow.family.executed.is_some()) {
        return HRESULT_ERROR_NOT_SUPPORTED;
    }
    if depth(child) > MAX_DEPTH {
        return HRESULT_ERROR_STACK_OVERFLOW;
    }
    child.with_state(|s| s.flow.family.executed = Some(flags));
    if !user.is_null() {
        // SAFETY: a live user the module passes; the reference taken here
        // is the one the child releases at its end.
        unsafe { ((*(*user).lpVtbl).ReferenceUser)(user) };
        child.set_user(user);
        child.with_state(|s| s.req.authenticated = true);
    }
    let mut sink = RecordingSink::new();
    block_on(in_request(child, run(child, &mut sink)));
    let flags = ExecuteFlags::from_bits_truncate(flags);
    if !flags.contains(ExecuteFlags::BUFFER_RESPONSE) {
        deliver(parent, &sink, flags.contains(ExecuteFlags::NO_HEADERS));
    }
    let url = child.with_state(|s| {
        let query = s
            .req
            .query()
            .map(|q| format!("?{}", String::from_utf8_lossy(q)));
        format!(
            "{}{}",
            String::from_utf8_lossy(s.req.path()),
            query.unwrap_or_default()
        )
    });
    parent.event(HostEvent::ChildRequest {
        url,
        status: sink.head().map_or(0, |head| head.status),
        flags: flags.bits(),
    });
    S_OK
}

/// The child's response, written into the parent's.
fn deliver(parent: &RequestCore, sink: &RecordingSink, no_headers: bool) {
    parent.with_state(|s| {
        if let Some(head) = sink.head().filter(|_| !no_headers) {
            s.resp.status = head.status;
            s.resp.substatus = 0;
            s.resp.reason = head.reason.clone();
            s.resp.status_set = true;
            for (name, value) in &head.headers {
                // Framing and the connection's own headers are the parent's.
                if ["content-length", "transfer-encoding", "connection", "date"]
                    .iter()
                    .any(|own| name.eq_ignore_ascii_case(own))
                {
                    continue;
                }
                s.resp.headers.set(Side::Response, name, value, true);
            }
        }
        if !sink.body().is_empty() {
            s.resp.chunks.push(sink.body().to_vec());
            s.resp.written = true;
        }
        s.resp.touch();
    });
}

/// `ReleaseClonedContext` on the child `context`: its end (contexts cleaned
/// up, instances disposed) and its memory.
pub(crate) fn release(child: &RequestCore) -> HRESULT {
    let Some(parent) = child.with_state(|s| s.flow.family.parent) else {
        return HRESULT_ERROR_NOT_SUPPORTED;
    };
    // SAFETY: a parent outlives its children.
    let parent = unsafe { &*parent.0 };
    let raw = std::ptr::from_ref(child).cast_mut();
    let known = parent.with_state(|s| {
        let before = s.flow.family.children.len();
        s.flow.family.children.retain(|c| c.0 != raw);
        s.flow.family.children.len() != before
    });
    if !known {
        return HRESULT_ERROR_NOT_SUPPORTED;
    }
    // SAFETY: taken out of the parent's family above, so freed once; the
    // module releasing it calls its objects no more.
    unsafe { free(raw) };
    S_OK
}

/// Ends and frees the clones a request's modules did not release.
pub(crate) fn release_all(parent: &RequestCore) {
    for child in parent.with_state(|s| std::mem::take(&mut s.flow.family.children)) {
        // SAFETY: taken out of the family, so freed once, at the parent's
        // end, when no module calls the parent's objects any more.
        unsafe { free(child.0) };
    }
}

/// Ends a clone (its own clones first) and frees it.
///
/// # Safety
/// `child` is a live clone, out of its parent's family, not used again.
unsafe fn free(child: *mut RequestCore) {
    // SAFETY: the contract.
    let core = unsafe { &*child };
    end_request(core);
    // SAFETY: the contract; its instances are disposed.
    unsafe { RequestCore::destroy(child) };
}
