//! Child requests: a copy of the request being processed
//! (`IHttpContext::CloneContext`), changed and run through the pipeline
//! (`ExecuteRequest`) from an `async fn` hook, then released
//! (`ReleaseClonedContext`).

use super::{HttpContext, HttpRequest, HttpResponse};
use crate::task::ExecuteChild;
use crate::{Error, Result};
use core::marker::PhantomData;
use core::ptr::NonNull;
use iis_sys::{CloneFlags, ExecuteFlags, IHttpContext};

/// A clone of the request being processed, from
/// [`HttpContext::clone_request`]: change it (its URL, method, headers)
/// through [`request`](Self::request), run it through the pipeline as a
/// child request with [`execute`](Self::execute), and read a response kept
/// with [`ExecuteFlags::BUFFER_RESPONSE`] through
/// [`response`](Self::response). Dropping it releases the clone
/// (`IHttpContext::ReleaseClonedContext`), once IIS is done with it.
///
/// ```no_run
/// # use iis_module::prelude::*;
/// # use iis_module::request::{CloneFlags, ExecuteFlags};
/// # async fn hook(cx: &mut HttpContext) -> Result<Flow> {
/// let mut child = cx.clone_request(CloneFlags::BASICS | CloneFlags::HEADERS)?;
/// child.request().set_url("/fragments/header.html", true)?;
/// child.execute(ExecuteFlags::NO_HEADERS).await?; // its body joins ours
/// drop(child);
/// cx.response().write(b"<p>and the rest of the page</p>")?;
/// # Ok(Flow::FinishRequest) }
/// ```
#[doc(alias = "ReleaseClonedContext")]
#[derive(Debug)]
pub struct ChildRequest<'a> {
    /// The view of the clone.
    cx: HttpContext,
    /// The request it was cloned from, which executes it.
    parent: NonNull<IHttpContext>,
    /// The parent's task I/O, which tracks the execution in flight.
    parent_io: Option<crate::task::IoRef>,
    _parent: PhantomData<&'a mut HttpContext>,
}

// SAFETY: as for `HttpContext`: the pointers are the request's IIS objects
// and its task's I/O state, used by one thread at a time (the hook's, or
// the poller of its future, inside the request's notifications).
unsafe impl Send for ChildRequest<'_> {}

impl HttpContext {
    /// A clone of this request, with what `flags` copy (`BASICS`: method
    /// and URL; `HEADERS`; `ENTITY`: the body read so far; …), to run as a
    /// child request ([`ChildRequest`]).
    ///
    /// # Errors
    /// [`Error::Server`] if IIS refuses; [`Error::NullPointer`] if it
    /// returns no context.
    #[doc(alias = "CloneContext")]
    pub fn clone_request(&mut self, flags: CloneFlags) -> Result<ChildRequest<'_>> {
        let mut clone: *mut IHttpContext = core::ptr::null_mut();
        let hr = self.iface().CloneContext(flags.bits(), &mut clone);
        Error::check("IHttpContext::CloneContext", hr)?;
        let server = self.server();
        // SAFETY: IIS's clone lives until `ReleaseClonedContext`, which only
        // the returned value's drop calls; the server is the live one.
        let cx = unsafe { HttpContext::from_raw(clone, server, self.module_id()) }?;
        Ok(ChildRequest {
            cx,
            parent: self.raw(),
            parent_io: self.io(),
            _parent: PhantomData,
        })
    }
}

impl ChildRequest<'_> {
    /// The clone's context.
    pub fn context(&mut self) -> &mut HttpContext {
        &mut self.cx
    }

    /// The clone's request, to change before it runs.
    pub fn request(&mut self) -> &mut HttpRequest {
        self.cx.request()
    }

    /// The clone's response: after [`execute`](Self::execute) with
    /// [`ExecuteFlags::BUFFER_RESPONSE`], what the child answered.
    pub fn response(&mut self) -> &mut HttpResponse {
        self.cx.response()
    }

    /// Runs the clone through the pipeline as a child request
    /// (`ExecuteRequest`, asynchronous as IIS requires), inside an `async
    /// fn` hook; completes when the child has. By default its response
    /// becomes the client's: its status, headers and body, or the body
    /// alone with [`ExecuteFlags::NO_HEADERS`]; with
    /// [`ExecuteFlags::BUFFER_RESPONSE`] it stays in the clone. A clone runs
    /// once; children nest ten deep at most.
    ///
    /// # Errors
    /// [`Error::Module`] outside an `async fn` hook; [`Error::Server`] if
    /// IIS refuses (`ERROR_NOT_SUPPORTED`: run already;
    /// `ERROR_STACK_OVERFLOW`: nested too deep) or the child fails.
    #[doc(alias = "ExecuteRequest")]
    pub fn execute(&mut self, flags: ExecuteFlags) -> ExecuteChild<'_> {
        ExecuteChild::new(self.parent, self.cx.raw(), self.parent_io, flags)
    }
}

impl Drop for ChildRequest<'_> {
    fn drop(&mut self) {
        let child = self.cx.raw();
        if let Some(io) = self.parent_io
            && io.with(|io| io.release_when_done(child))
        {
            return; // still running: released once IIS completes it
        }
        // SAFETY: the clone is live and released once, here; nothing uses
        // this view afterwards.
        unsafe { crate::task::release_child(child) };
    }
}
