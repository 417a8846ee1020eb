//! `IHttpContext`: the request being processed and everything around it.

use super::connection::HttpConnection;
use super::connection_slot::{self, ClientDisconnect};
use super::flow::{self, CompletionHandle, Flow};
use super::memory::RequestPool;
use super::{HttpRequest, HttpResponse, stored};
use crate::ModuleId;
use crate::ffi;
use crate::server::{HttpApplication, HttpServer, HttpSite, HttpUser, extended_interface};
use crate::task::{IoRef, Owner};
use crate::{Error, Result};
use core::marker::PhantomData;
use core::ptr::NonNull;
use iis_sys::Ref;
use iis_sys::{
    HTTP_MODULE_ID, IHttpContext, IHttpContext3, IHttpContext4, IHttpModuleContextContainer,
    IHttpRequest3, IHttpResponse2, IHttpUrlInfo,
};
use windows_core::{HRESULT, PCSTR, PCWSTR, PWSTR};

/// `HRESULT_FROM_WIN32(ERROR_INVALID_INDEX)`: no such server variable.
const HRESULT_INVALID_INDEX: i32 = iis_sys::HRESULT_ERROR_INVALID_INDEX.0;
/// `HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER)`.
const HRESULT_INSUFFICIENT_BUFFER: i32 = iis_sys::HRESULT_ERROR_INSUFFICIENT_BUFFER.0;

/// The request being processed (`IHttpContext`), lent to a hook for one
/// notification.
///
/// ```no_run
/// # use iis_module::prelude::*;
/// # fn hook(cx: &mut HttpContext) -> Result<Flow> {
/// let who = cx.server_variable("REMOTE_ADDR")?.unwrap_or_default();
/// let (request, response) = cx.parts();
/// let path = request.url()?;
/// response.set_header("X-Seen-By", format!("{who} {path}"))?;
/// Ok(Flow::Continue)
/// # }
/// ```
#[derive(Debug)]
pub struct HttpContext {
    /// `'static` stands for the life of this view (`from_raw`'s contract):
    /// it is handed out only shortened to a borrow of the view
    /// ([`iface`](Self::iface)), or to the request's other views.
    raw: Ref<'static, IHttpContext>,
    pool: RequestPool,
    /// Fetched (`GetRequest`) on first use: most hooks never look at it.
    request: Option<HttpRequest>,
    /// Fetched (`GetResponse`) on first use.
    response: Option<HttpResponse>,
    server: Option<HttpServer>,
    module: HTTP_MODULE_ID,
    /// The module instance of the dispatch that lent this context, for an
    /// `async fn` hook to start its task in; `None` elsewhere.
    owner: Option<Owner>,
    /// The I/O state of the task whose context this is (`async fn` hooks).
    io: Option<IoRef>,
    /// `Send` (an `async fn` hook's future holds `&mut HttpContext` across
    /// threads) but not `Sync`: IIS objects take one caller at a time.
    _not_sync: PhantomData<core::cell::Cell<()>>,
}

// SAFETY: a context is reached only through `&mut HttpContext` lent by the
// SDK for a notification, or held by an `async fn` hook's future, which the
// SDK polls only inside the request's notifications; either way one thread
// at a time calls the IIS objects it points to, which IIS allows from any
// thread while the request is the module's.
unsafe impl Send for HttpContext {}

impl HttpContext {
    /// Builds the view of a live context. It makes no host call: the
    /// request and response are fetched when a hook first asks for them.
    ///
    /// # Safety
    /// `raw` is a live `IHttpContext` for the life of the returned value;
    /// `server` (if any) is the live server; `module` is this module's id.
    #[inline]
    pub(crate) unsafe fn from_raw(
        raw: *mut IHttpContext,
        server: Option<HttpServer>,
        module: HTTP_MODULE_ID,
    ) -> Result<Self> {
        // Not `ok_or`: an eagerly built `Error` costs every notification a
        // call to its drop glue.
        // SAFETY: null, or live for the life of the view (our contract),
        // which `'static` stands for in the field.
        let Some(raw) = (unsafe { Ref::from_raw(raw) }) else {
            return Err(Error::NullPointer {
                operation: "IHttpContext",
            });
        };
        Ok(Self {
            raw,
            pool: RequestPool::new(raw),
            request: None,
            response: None,
            server,
            module,
            owner: None,
            io: None,
            _not_sync: PhantomData,
        })
    }

    /// The context a dispatch lends its hook: `owner` is the module
    /// instance it runs on.
    pub(crate) fn with_owner(mut self, owner: Owner) -> Self {
        self.owner = Some(owner);
        self
    }

    /// The module instance that lent this context, if a dispatch did.
    pub(crate) fn owner(&self) -> Option<Owner> {
        self.owner
    }

    /// A fresh context for a task on the same request (no owner, no views).
    pub(crate) fn for_task(&self) -> Self {
        Self {
            raw: self.raw,
            pool: self.pool,
            request: None,
            response: None,
            server: self.server,
            module: self.module,
            owner: None,
            io: None,
            _not_sync: PhantomData,
        }
    }

    /// Gives a task's context its I/O state (or takes it back).
    pub(crate) fn set_io(&mut self, io: Option<IoRef>) {
        self.io = io;
        if let Some(request) = &mut self.request {
            request.set_io(io);
        }
        if let Some(response) = &mut self.response {
            response.set_io(io);
        }
    }

    /// The `IHttpContext`.
    pub(crate) fn raw(&self) -> NonNull<IHttpContext> {
        self.raw.as_non_null()
    }

    /// The id of the module the view was lent to.
    pub(crate) fn module_id(&self) -> HTTP_MODULE_ID {
        self.module
    }

    /// The I/O state of the task whose context this is, if any.
    pub(crate) fn io(&self) -> Option<IoRef> {
        self.io
    }

    /// The request pool, for SDK views that copy into request memory.
    pub(crate) fn pool(&self) -> RequestPool {
        self.pool
    }

    /// The raw `IHttpContext`, for calls the safe API does not wrap.
    pub fn as_raw(&self) -> *mut IHttpContext {
        self.raw.as_ptr()
    }

    /// The `IHttpContext`, live while `self` is (`from_raw`'s contract).
    #[inline(always)]
    pub(crate) fn iface(&self) -> Ref<'_, IHttpContext> {
        self.raw
    }

    /// The request, fetching it from IIS on first use.
    ///
    /// # Errors
    /// [`Error::NullPointer`] if IIS has none (it always has one for the
    /// context of a notification).
    pub(crate) fn try_request(&mut self) -> Result<&mut HttpRequest> {
        if self.request.is_none() {
            // IIS's request lives as long as the context, and so as long
            // as this view (`'static` stands for it, as in `raw`).
            let Some(raw) = self.raw.GetRequest() else {
                return Err(Error::NullPointer {
                    operation: "IHttpContext::GetRequest",
                });
            };
            self.request = Some(HttpRequest::new(raw, self.pool));
            if let Some(request) = &mut self.request {
                request.set_io(self.io);
            }
        }
        Ok(self.request.as_mut().expect("fetched above"))
    }

    /// The response, fetching it from IIS on first use.
    ///
    /// # Errors
    /// [`Error::NullPointer`] if IIS has none (it always has one for the
    /// context of a notification).
    pub(crate) fn try_response(&mut self) -> Result<&mut HttpResponse> {
        if self.response.is_none() {
            // As in `try_request`.
            let Some(raw) = self.raw.GetResponse() else {
                return Err(Error::NullPointer {
                    operation: "IHttpContext::GetResponse",
                });
            };
            self.response = Some(HttpResponse::new(raw, self.pool, self.server));
            if let Some(response) = &mut self.response {
                response.set_io(self.io);
            }
        }
        Ok(self.response.as_mut().expect("fetched above"))
    }

    /// The request.
    ///
    /// # Panics
    /// If IIS returns no request (`GetRequest` gives null), which it never
    /// does for the context of a notification. In a hook the panic is
    /// caught like any other: the request gets a 500.
    #[doc(alias = "GetRequest")]
    pub fn request(&mut self) -> &mut HttpRequest {
        self.try_request().unwrap_or_else(|e| panic!("{e}"))
    }

    /// The response.
    ///
    /// # Panics
    /// If IIS returns no response (`GetResponse` gives null), which it never
    /// does for the context of a notification. In a hook the panic is
    /// caught like any other: the request gets a 500.
    #[doc(alias = "GetResponse")]
    pub fn response(&mut self) -> &mut HttpResponse {
        self.try_response().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Request and response at once.
    ///
    /// # Panics
    /// As [`request`](Self::request) and [`response`](Self::response).
    pub fn parts(&mut self) -> (&mut HttpRequest, &mut HttpResponse) {
        self.request();
        self.response();
        match (&mut self.request, &mut self.response) {
            (Some(request), Some(response)) => (request, response),
            _ => unreachable!("both fetched above"),
        }
    }

    /// The worker process, if the module was registered with one.
    pub fn server(&self) -> Option<HttpServer> {
        self.server
    }

    /// Whether the hook reset the connection (only possible through the
    /// response, so `false` when it never fetched one).
    pub(crate) fn response_was_reset(&self) -> bool {
        self.response.as_ref().is_some_and(HttpResponse::was_reset)
    }

    /// A server variable (`REMOTE_ADDR`, `HTTP_USER_AGENT`, `URL`, …) as
    /// text, or `None` if the server has no such variable.
    ///
    /// # Errors
    /// [`Error::Encoding`] if not valid UTF-16; [`Error::InvalidInput`] for a
    /// name with NUL; [`Error::Server`].
    #[doc(alias = "GetServerVariable")]
    pub fn server_variable(&self, name: &str) -> Result<Option<String>> {
        let name = self.pool.c_str(name.as_bytes(), "server variable name")?;
        let mut value = PCWSTR::null();
        let mut len = 0u32;
        let hr = self.iface().GetServerVariable(name, &mut value, &mut len);
        if hr.0 == HRESULT_INVALID_INDEX {
            return Ok(None);
        }
        Error::check("IHttpContext::GetServerVariable", hr)?;
        // SAFETY: IIS returns a NUL-terminated value or null.
        unsafe { ffi::wide_to_string(value, "server variable") }
    }

    /// A server variable as the raw bytes IIS holds (for values that need
    /// not be UTF-8), or `None` if there is no such variable.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a name with NUL; [`Error::Server`].
    #[doc(alias = "GetServerVariable")]
    pub fn server_variable_bytes(&self, name: &str) -> Result<Option<&[u8]>> {
        let name = self.pool.c_str(name.as_bytes(), "server variable name")?;
        let mut value = PCSTR::null();
        let mut len = 0u32;
        let hr = self.iface().GetServerVariableA(name, &mut value, &mut len);
        if hr.0 == HRESULT_INVALID_INDEX {
            return Ok(None);
        }
        Error::check("IHttpContext::GetServerVariable", hr)?;
        // SAFETY: IIS returns the value with its length, valid for the request.
        Ok(unsafe { ffi::bytes(value, len as usize) })
    }

    /// Sets a server variable for later modules and handlers.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for NUL; [`Error::Server`].
    #[doc(alias = "SetServerVariable")]
    pub fn set_server_variable(&mut self, name: &str, value: &str) -> Result<()> {
        let name = self.pool.c_str(name.as_bytes(), "server variable name")?;
        let (value, _) = self.pool.wide(value, "server variable value")?;
        let hr = self.iface().SetServerVariable(name, value);
        Error::check("IHttpContext::SetServerVariable", hr)
    }

    /// `len` bytes of request memory, zeroed, valid until the request ends
    /// (IIS frees it).
    ///
    /// # Errors
    /// [`Error::TooLong`] above 4 GiB; [`Error::NullPointer`] when out of
    /// memory.
    #[doc(alias = "AllocateRequestMemory")]
    pub fn request_memory(&mut self, len: usize) -> Result<&mut [u8]> {
        self.pool
            .filled(len, core::iter::repeat_n(0, len), "request memory")
    }

    /// Marks the request as handled: IIS will not answer 404 for it.
    #[doc(alias = "SetRequestHandled")]
    pub fn set_request_handled(&mut self) {
        self.iface().SetRequestHandled()
    }

    /// Whether the response headers have been sent already.
    #[doc(alias = "GetResponseHeadersSent")]
    pub fn response_headers_sent(&self) -> bool {
        self.iface().GetResponseHeadersSent().as_bool()
    }

    /// The physical path the request maps to.
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetPhysicalPath")]
    pub fn physical_path(&self) -> Result<Option<String>> {
        let mut len = 0u32;
        let path = self.iface().GetPhysicalPath(&mut len);
        // SAFETY: NUL-terminated or null.
        unsafe { ffi::wide_to_string(path, "physical path") }
    }

    /// The script name of the request: its URL path, or what a
    /// MapRequestHandler module set
    /// ([`MapHandler::set_script_name`](crate::request::MapHandler::set_script_name)).
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetScriptName")]
    pub fn script_name(&self) -> Result<Option<String>> {
        let mut len = 0u32;
        let name = self.iface().GetScriptName(&mut len);
        // SAFETY: NUL-terminated or null.
        unsafe { ffi::wide_to_string(name, "script name") }
    }

    /// The physical path of the script (the file the handler serves).
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetScriptTranslated")]
    pub fn script_translated(&self) -> Result<Option<String>> {
        let mut len = 0u32;
        let path = self.iface().GetScriptTranslated(&mut len);
        // SAFETY: NUL-terminated or null.
        unsafe { ffi::wide_to_string(path, "script translated") }
    }

    /// What IIS's URL cache knows about the request's URL.
    #[doc(alias = "GetUrlInfo")]
    pub fn url_info(&self) -> Option<UrlInfo<'_>> {
        // SAFETY: the URL info lives as long as the request, and so as long
        // as `&self`.
        unsafe { Ref::from_raw(self.iface().GetUrlInfo()) }.map(|raw| UrlInfo {
            raw,
            _cx: PhantomData,
        })
    }

    /// The client connection.
    #[doc(alias = "GetConnection")]
    pub fn connection(&mut self) -> Option<HttpConnection<'_>> {
        self.iface().GetConnection().map(HttpConnection::new)
    }

    /// Maps a URL to its physical path (raises `on_map_path`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`]; [`Error::Encoding`]; [`Error::Server`].
    #[doc(alias = "MapPath")]
    pub fn map_path(&mut self, url: &str) -> Result<String> {
        let (url, _) = self.pool.wide(url, "URL")?;
        // One call for most paths (each call raises `on_map_path`); a second
        // with the size IIS asked for when the path is longer.
        let mut size = 1024u32;
        for _ in 0..2 {
            let raw = self.pool.alloc(size as usize + 1, "physical path")?;
            let buf = raw
                .as_ptr()
                .wrapping_add(raw.as_ptr().align_offset(2))
                .cast::<u16>();
            let mut len = size;
            // SAFETY: `buf` is 2-aligned with room for `size` bytes.
            let hr = unsafe { self.iface().MapPath(ffi::pcwstr(url), PWSTR(buf), &mut len) };
            if hr.0 == HRESULT_INSUFFICIENT_BUFFER && len > size {
                size = len;
                continue;
            }
            Error::check("IHttpContext::MapPath", hr)?;
            // SAFETY: IIS wrote a NUL-terminated path into `buf`.
            return Ok(
                unsafe { ffi::wide_to_string(PCWSTR(buf), "physical path") }?.unwrap_or_default(),
            );
        }
        Err(Error::Server {
            operation: "IHttpContext::MapPath",
            hresult: HRESULT(HRESULT_INSUFFICIENT_BUFFER),
        })
    }

    /// The user of the request, if IIS has one.
    #[doc(alias = "GetUser")]
    pub fn user(&self) -> Option<HttpUser<'_>> {
        // SAFETY: the user lives as long as the request, and so `&self`.
        unsafe { Ref::from_raw(self.iface().GetUser()) }.map(HttpUser::new)
    }

    /// The site of the request.
    #[doc(alias = "GetSite")]
    pub fn site(&self) -> Option<HttpSite<'_>> {
        self.iface().GetSite().map(HttpSite::new)
    }

    /// The application of the request.
    #[doc(alias = "GetApplication")]
    pub fn application(&self) -> Option<HttpApplication<'_>> {
        self.iface()
            .GetApplication()
            .map(|a| HttpApplication::new(a, self.module))
    }

    fn request_container(&self) -> Result<Ref<'_, IHttpModuleContextContainer>> {
        let container = self.iface().GetModuleContextContainer();
        container.ok_or(Error::NullPointer {
            operation: "IHttpContext::GetModuleContextContainer",
        })
    }

    /// This module's slot on the client connection (stored on first use),
    /// and whether the client is still connected
    /// (`IHttpConnection::IsConnected`).
    fn connection_slot(&self) -> Result<(&connection_slot::ConnectionSlot, bool)> {
        let connection = self.iface().GetConnection();
        let connection = connection.ok_or(Error::NullPointer {
            operation: "IHttpContext::GetConnection",
        })?;
        let (container, connected) = (
            connection.GetModuleContextContainer(),
            connection.IsConnected().as_bool(),
        );
        let container = container.ok_or(Error::NullPointer {
            operation: "IHttpConnection::GetModuleContextContainer",
        })?;
        let slot = connection_slot::get_or_insert(container, ModuleId(self.module))?;
        Ok((slot, connected))
    }

    /// A signal that the client disconnected (IIS calls the module's
    /// connection context's `NotifyDisconnect`): await it beside slow work,
    /// or ask it from any thread.
    ///
    /// # Errors
    /// [`Error::NullPointer`] without a connection; [`Error::Server`].
    #[doc(alias = "IHttpConnectionStoredContext")]
    pub fn client_disconnect(&self) -> Result<ClientDisconnect> {
        let (slot, connected) = self.connection_slot()?;
        Ok(ClientDisconnect::new(slot, connected))
    }

    /// Has a running task cancelled when the client disconnects.
    pub(crate) fn watch_disconnect(
        &self,
        watcher: std::sync::Weak<dyn connection_slot::Watch>,
    ) -> Result<()> {
        let (slot, connected) = self.connection_slot()?;
        if !connected {
            if let Some(watcher) = watcher.upgrade() {
                watcher.disconnected();
            }
            return Ok(());
        }
        slot.watch(watcher);
        Ok(())
    }

    /// This module's value for the current request, if one was stored.
    ///
    /// # Errors
    /// [`Error::ContextType`] if a different type is stored.
    #[doc(alias = "GetModuleContext")]
    pub fn request_context<T: Send + 'static>(&mut self) -> Result<Option<&mut T>> {
        let container = self.request_container()?;
        let value = stored::get::<T>(container, ModuleId(self.module))?;
        // SAFETY: the value lives until the request ends; `&mut self` makes
        // this the only borrow of this module's request value for its length.
        Ok(value.map(|value| unsafe { &mut *value.as_ptr() }))
    }

    /// Stores this module's value for the current request; IIS drops it
    /// when the request ends. IIS does not replace a stored value: if this
    /// module stored one already, `value` is dropped and the call fails, as
    /// `SetModuleContext` does (so `?` never hides it). To keep the stored
    /// value, use [`request_context_or_insert_with`](Self::request_context_or_insert_with).
    ///
    /// # Errors
    /// [`Error::Server`] with `HRESULT_FROM_WIN32(ERROR_ALREADY_ASSIGNED)`
    /// when a value is stored already; [`Error::Server`] if IIS refuses
    /// otherwise.
    #[doc(alias = "SetModuleContext")]
    pub fn set_request_context<T: Send + 'static>(&mut self, value: T) -> Result<()> {
        let container = self.request_container()?;
        if stored::store(container, ModuleId(self.module), value)? {
            return Ok(());
        }
        Err(Error::Server {
            operation: "IHttpModuleContextContainer::SetModuleContext",
            hresult: iis_sys::HRESULT_ERROR_ALREADY_ASSIGNED,
        })
    }

    /// This module's value for the current request, stored first from
    /// `init()` if there is none yet; IIS drops it when the request ends.
    ///
    /// ```no_run
    /// # use iis_module::prelude::*;
    /// # fn hook(cx: &mut HttpContext) -> Result<()> {
    /// let hits: &mut u32 = cx.request_context_or_insert_with(|| 0)?;
    /// *hits += 1;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::ContextType`] if a value of another type is stored;
    /// [`Error::Server`]; [`Error::NullPointer`] if IIS does not return what
    /// it stored.
    #[doc(alias = "GetModuleContext")]
    #[doc(alias = "SetModuleContext")]
    pub fn request_context_or_insert_with<T: Send + 'static>(
        &mut self,
        init: impl FnOnce() -> T,
    ) -> Result<&mut T> {
        let container = self.request_container()?;
        let value = stored::get_or_insert_with(container, ModuleId(self.module), init)?;
        // SAFETY: the value lives until the request ends, and `&mut self`
        // makes this the only borrow of this module's request value for its
        // length.
        Ok(unsafe { &mut *value.as_ptr() })
    }

    /// This module's value for the client connection, created by `init` on
    /// first use; dropped when the connection closes. Shared (`&T`) because
    /// HTTP/2 runs several requests of one connection at once.
    ///
    /// # Errors
    /// [`Error::ContextType`]; [`Error::NullPointer`]; [`Error::Server`].
    #[doc(alias = "IHttpConnection")]
    pub fn connection_context_or_insert_with<T: Send + Sync + 'static>(
        &self,
        init: impl FnOnce() -> T,
    ) -> Result<&T> {
        self.connection_slot()?.0.value(init)
    }

    /// Leaves the request pending: return the [`Flow`] from the hook and use
    /// the [`CompletionHandle`] (from any thread) to resume it.
    ///
    /// ```no_run
    /// # use iis_module::prelude::*;
    /// # fn hook(cx: &mut HttpContext) -> Result<Flow> {
    /// let (flow, handle) = cx.pend();
    /// std::thread::spawn(move || {
    ///     // … slow work …
    ///     let _ = handle.complete(false); // continue the pipeline
    /// });
    /// Ok(flow)
    /// # }
    /// ```
    #[doc(alias = "IndicateCompletion")]
    #[doc(alias = "PostCompletion")]
    pub fn pend(&mut self) -> (Flow, CompletionHandle) {
        let (pending, handle) = flow::pend(self.raw.as_non_null());
        (Flow::Pending(pending), handle)
    }

    /// Writes a line to IIS's failed-request trace (FREB) for this request
    /// (`IHttpTraceContext::QuickTrace`); `level` is the trace verbosity
    /// (1 fatal … 5 verbose).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for text with NUL; [`Error::NullPointer`]
    /// without a trace context; [`Error::Server`].
    #[doc(alias = "QuickTrace")]
    #[doc(alias = "GetTraceContext")]
    pub fn quick_trace(
        &mut self,
        data1: &str,
        data2: &str,
        error: HRESULT,
        level: u8,
    ) -> Result<()> {
        let trace = self.iface().GetTraceContext();
        let trace = trace.ok_or(Error::NullPointer {
            operation: "IHttpContext::GetTraceContext",
        })?;
        let (data1, _) = self.pool.wide(data1, "trace data")?;
        let (data2, _) = self.pool.wide(data2, "trace data")?;
        let hr = trace.QuickTrace(data1, data2, error, level);
        Error::check("IHttpTraceContext::QuickTrace", hr)
    }

    /// Milliseconds since the request started (`IHttpContext4`), or `None`
    /// on servers without it.
    #[doc(alias = "GetRequestElapsedTime")]
    pub fn elapsed_ms(&self) -> Option<u64> {
        let cx4 = extended_interface::<_, IHttpContext4>(self.server?, self.iface())?;
        Some(cx4.GetRequestElapsedTime())
    }

    /// Makes the request full duplex (`IHttpContext3::EnableFullDuplex`):
    /// the request body can be read while the response is written, as
    /// WebSockets and other bidirectional streams need.
    ///
    /// In an `async fn` hook this also lets a
    /// [`read_body_async`](HttpRequest::read_body_async) and a
    /// [`write_async`](HttpResponse::write_async) or
    /// [`flush_async`](HttpResponse::flush_async) be in flight together
    /// (take both halves with [`parts`](Self::parts) and await them with a
    /// `join` or `select`); without it, each waits for the other to
    /// complete. Each then completes through its own completion routine (the
    /// callback forms `IHttpRequest3::ReadEntityBody` and
    /// `IHttpResponse2::WriteEntityChunks`/`Flush`), which wakes the hook's
    /// future. Call it before the first body read or write; the response is
    /// best unbuffered too ([`HttpResponse::disable_buffering`]), so that
    /// what is written leaves at once.
    ///
    /// # Errors
    /// [`Error::Unsupported`] on a server without `IHttpContext3`,
    /// `IHttpRequest3` or `IHttpResponse2` (before IIS 8).
    #[doc(alias = "EnableFullDuplex")]
    pub fn enable_full_duplex(&mut self) -> Result<()> {
        let unsupported = |interface| Error::Unsupported { interface };
        let server = self.server.ok_or(unsupported("IHttpContext3"))?;
        // The task's streams first: they need `&mut self`.
        let streams = match self.io {
            Some(io) => {
                let request =
                    extended_interface::<_, IHttpRequest3>(server, self.try_request()?.iface())
                        .ok_or(unsupported("IHttpRequest3"))?
                        .as_non_null();
                let response =
                    extended_interface::<_, IHttpResponse2>(server, self.try_response()?.iface())
                        .ok_or(unsupported("IHttpResponse2"))?
                        .as_non_null();
                Some((io, request, response))
            }
            None => None,
        };
        let cx3 = extended_interface::<_, IHttpContext3>(server, self.iface())
            .ok_or(unsupported("IHttpContext3"))?;
        if let Some((io, request, response)) = streams {
            io.with(|io| io.enable_duplex(request, response));
        }
        cx3.EnableFullDuplex();
        Ok(())
    }
}

/// IIS's URL-cache entry of a request's URL (`IHttpUrlInfo`), from
/// [`HttpContext::url_info`].
#[derive(Debug)]
pub struct UrlInfo<'a> {
    raw: Ref<'a, IHttpUrlInfo>,
    _cx: PhantomData<&'a HttpContext>,
}

impl UrlInfo<'_> {
    /// The raw `IHttpUrlInfo`.
    pub fn as_raw(&self) -> *mut IHttpUrlInfo {
        self.raw.as_ptr()
    }

    /// Whether IIS sees the URL requested often (a candidate for caching).
    #[doc(alias = "IsFrequentlyHit")]
    pub fn is_frequently_hit(&self) -> bool {
        self.raw.IsFrequentlyHit().as_bool()
    }
}
