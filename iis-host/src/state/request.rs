//! [`RequestState`]: everything mutable about one request, behind the
//! request's mutex. Module calls lock it briefly; the host never holds it
//! while calling into a module.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::ffi::c_void;
use std::net::SocketAddr;
use std::task::Waker;
use std::time::Instant;

use iis_sys::{
    CHttpModule, HRESULT, HTTP_REQUEST, HTTP_RESPONSE, IHttpFileInfo, IHttpUser, IScriptMapInfo,
};

use crate::ffi::Foreign;
use crate::ffi::S_OK;
use crate::message::{BodyStream, ConnectionFate, Request, ResponseHead};
use crate::state::headers::HeaderList;
use crate::state::request_core::RequestCore;
use crate::transcript::{ApiCall, HostEvent, LogRecord, Notification, NotificationRecord};
use crate::url::{canonical_path, target_parts};

/// The request as the modules see it (and may change it).
#[derive(Debug)]
pub(crate) struct RequestData {
    /// The method (`SetHttpMethod` changes it); a standard one not copied.
    pub(crate) method: Cow<'static, str>,
    /// The URL path and query (without `?`, `None` when the URL has none)
    /// as `SetUrl` set them; until then, they are read in `raw_url`
    /// ([`path`](Self::path), [`query`](Self::query)).
    set_url: Option<(Vec<u8>, Option<Vec<u8>>)>,
    /// The path as HTTP.sys cooks it ([`decoded_path`](Self::decoded_path)),
    /// worked out when the URL is set (received, or `SetUrl`), not at each
    /// read.
    cooked: String,
    /// The request-target exactly as received (`UNENCODED_URL`, `pRawUrl`).
    pub(crate) raw_url: Vec<u8>,
    /// Whether `SetUrl` was called.
    pub(crate) url_changed: bool,
    /// `(major, minor)`.
    pub(crate) version: (u16, u16),
    /// The request headers.
    pub(crate) headers: HeaderList,
    /// The entity not yet read by `ReadEntityBody` (inserted bodies first,
    /// then a body received whole).
    pub(crate) entity: VecDeque<u8>,
    /// The length of a body received whole.
    pub(crate) received: u64,
    /// The body as it arrives, read after `entity`.
    pub(crate) stream: Option<BodyStream>,
    /// Values set with `SetServerVariable` (name, UTF-16 value).
    pub(crate) server_variables: Vec<(String, Vec<u16>)>,
    /// The client's address.
    pub(crate) remote: SocketAddr,
    /// The server's address.
    pub(crate) local: SocketAddr,
    /// Bumped on every change, so that `GetRawHttpRequest` rebuilds its snapshot.
    pub(crate) revision: u64,
    /// The last `HTTP_REQUEST` snapshot and the revision it shows.
    pub(crate) raw: Option<(u64, Foreign<HTTP_REQUEST>)>,
    /// The user set by an authentication module (null: anonymous).
    pub(crate) user: Foreign<IHttpUser>,
    /// `IMapHandlerProvider::SetScriptName`.
    pub(crate) script_name: Option<Vec<u16>>,
    /// `IMapHandlerProvider::SetScriptMap`.
    pub(crate) script_map: Foreign<IScriptMapInfo>,
    /// `IMapHandlerProvider::SetFileInfo`.
    pub(crate) file_info: Foreign<IHttpFileInfo>,
    /// AuthenticateRequest ran: `GetUser` gives the anonymous user when no
    /// module set one (before it, there is no user yet).
    pub(crate) authenticated: bool,
    /// The URL of the request mapped to a physical path (through
    /// `RQ_MAP_PATH`), until `SetUrl` changes the URL.
    pub(crate) physical: Option<Vec<u16>>,
    /// An empty buffer (from a request before on the connection) for the
    /// physical path.
    pub(crate) physical_buffer: Vec<u16>,
    /// `GetForwardedUrl`: the last `SetUrl` to an absolute URL on another host.
    pub(crate) forwarded_url: Option<Vec<u16>>,
}

/// The name of `method`: a standard method's without a copy.
fn method_name(method: &http::Method) -> Cow<'static, str> {
    const STANDARD: [&str; 9] = [
        "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT",
    ];
    STANDARD
        .into_iter()
        .find(|&name| name == method.as_str())
        .map_or_else(|| Cow::Owned(method.as_str().to_owned()), Cow::Borrowed)
}

impl RequestData {
    /// The request as it arrived.
    pub(crate) fn new(request: Request) -> Self {
        let version = match request.version {
            http::Version::HTTP_09 => (0, 9),
            http::Version::HTTP_10 => (1, 0),
            http::Version::HTTP_2 => (2, 0),
            http::Version::HTTP_3 => (3, 0),
            _ => (1, 1),
        };
        let received = request.body.len() as u64;
        RequestData {
            method: method_name(&request.method),
            set_url: None,
            cooked: String::new(),
            raw_url: request.target,
            url_changed: false,
            version,
            headers: HeaderList::from_entries(request.headers),
            entity: request.body.into(),
            received,
            stream: request.body_stream,
            server_variables: Vec::new(),
            remote: request.remote_addr,
            local: request.local_addr,
            revision: 0,
            raw: None,
            user: Foreign(std::ptr::null_mut()),
            script_name: None,
            script_map: Foreign(std::ptr::null_mut()),
            file_info: Foreign(std::ptr::null_mut()),
            authenticated: false,
            physical: None,
            physical_buffer: Vec::new(),
            forwarded_url: None,
        }
    }

    /// The URL path as HTTP.sys cooks it (decoded, dot segments removed;
    /// lossy UTF-8), as the `URL` server variable shows it. A path that
    /// climbs above the root (refused before the pipeline for a client's
    /// request; possible through `SetUrl`) is the root.
    pub(crate) fn decoded_path(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.cooked)
    }

    /// Works out [`decoded_path`](Self::decoded_path) for the URL as it is
    /// now, in the buffer it had.
    fn cook(&mut self) {
        let mut cooked = std::mem::take(&mut self.cooked);
        cooked.clear();
        cooked.push_str(&canonical_path(self.path()).unwrap_or(Cow::Borrowed("/")));
        self.cooked = cooked;
    }

    /// The URL path as received or as set by `SetUrl` (percent-encoded form).
    pub(crate) fn path(&self) -> &[u8] {
        match &self.set_url {
            Some((path, _)) => path,
            None => target_parts(&self.raw_url).0,
        }
    }

    /// The query string without `?`, `None` when the URL has none.
    pub(crate) fn query(&self) -> Option<&[u8]> {
        match &self.set_url {
            Some((_, query)) => query.as_deref(),
            None => target_parts(&self.raw_url).1,
        }
    }

    /// `SetUrl`: the new path, and the new query if the URL has one; a URL
    /// without one keeps the query unless `reset_query`.
    pub(crate) fn set_url(&mut self, path: Vec<u8>, query: Option<Vec<u8>>, reset_query: bool) {
        let query = match query {
            None if !reset_query => self.query().map(<[u8]>::to_vec),
            query => query,
        };
        self.set_url = Some((path, query));
        self.cook();
    }

    /// Marks a change.
    pub(crate) fn touch(&mut self) {
        self.revision += 1;
    }

    /// The entity bytes received from the client so far.
    pub(crate) fn bytes_received(&self) -> u64 {
        self.received + self.stream.as_ref().map_or(0, BodyStream::received)
    }
}

/// The response as the modules build it.
#[derive(Debug)]
pub(crate) struct ResponseData {
    /// The status code (default 200).
    pub(crate) status: u16,
    /// The IIS substatus.
    pub(crate) substatus: u16,
    /// The reason phrase.
    pub(crate) reason: String,
    /// `hrErrorToReport` of the last `SetStatus`.
    pub(crate) error_hr: HRESULT,
    /// `fTrySkipCustomErrors` of the last `SetStatus`.
    pub(crate) skip_custom_errors: bool,
    /// Which module set the status, in which notification (`GetStatus`).
    pub(crate) status_source: Option<(String, u32)>,
    /// Whether a module called `SetStatus` (or `Redirect`).
    pub(crate) status_set: bool,
    /// The response headers.
    pub(crate) headers: HeaderList,
    /// `IHttpResponse4::SetTrailer`'s trailers (HTTP/2 requests only).
    pub(crate) trailers: Vec<(String, Vec<u8>)>,
    /// The buffered entity chunks not yet sent.
    pub(crate) chunks: Vec<Vec<u8>>,
    /// An emptied chunk buffer (a chunk sent before, or left by the request
    /// before on the connection) that the next chunk is copied into.
    pub(crate) spare_chunk: Vec<u8>,
    /// Whether a module wrote any entity (for the unhandled-request 404).
    pub(crate) written: bool,
    /// Response buffering (`DisableBuffering` turns it off).
    pub(crate) buffering: bool,
    /// `SuppressHeaders` was called.
    pub(crate) suppress_headers: bool,
    /// `DisableKernelCache` was not called.
    pub(crate) kernel_cache: bool,
    /// `SetErrorDescription`.
    pub(crate) error_description: Option<Vec<u16>>,
    /// What the error page says when no module set a description: the text
    /// of the built-in handler that answered (`404.3`, `403.14`, …).
    pub(crate) handler_description: Option<&'static str>,
    /// `ResetConnection` was called.
    pub(crate) reset: bool,
    /// `SetNeedDisconnect` was called.
    pub(crate) need_disconnect: bool,
    /// `CloseConnection` was called.
    pub(crate) close_connection: bool,
    /// The final send happened: what modules write afterwards is not sent.
    pub(crate) complete: bool,
    /// Bumped on every change, so that `GetRawHttpResponse` rebuilds its snapshot.
    pub(crate) revision: u64,
    /// The last `HTTP_RESPONSE` snapshot and the revision it shows.
    pub(crate) raw: Option<(u64, Foreign<HTTP_RESPONSE>)>,
}

impl Default for ResponseData {
    fn default() -> Self {
        ResponseData::new(HeaderList::default(), Vec::new(), String::new(), Vec::new())
    }
}

impl ResponseData {
    /// A `200 OK` response with no headers and no entity yet, in these
    /// buffers (empty, from a request before on the connection, or new).
    fn new(
        headers: HeaderList,
        chunks: Vec<Vec<u8>>,
        mut reason: String,
        spare_chunk: Vec<u8>,
    ) -> Self {
        reason.clear();
        reason.push_str("OK");
        ResponseData {
            status: 200,
            substatus: 0,
            reason,
            error_hr: S_OK,
            skip_custom_errors: false,
            status_source: None,
            status_set: false,
            headers,
            trailers: Vec::new(),
            chunks,
            spare_chunk,
            written: false,
            buffering: true,
            suppress_headers: false,
            kernel_cache: true,
            error_description: None,
            handler_description: None,
            reset: false,
            need_disconnect: false,
            close_connection: false,
            complete: false,
            revision: 0,
            raw: None,
        }
    }

    /// A copy of `bytes` for the chunk list, in the spare chunk buffer if
    /// there is one.
    pub(crate) fn chunk_of(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut chunk = std::mem::take(&mut self.spare_chunk);
        chunk.clear();
        chunk.extend_from_slice(bytes);
        chunk
    }

    /// Keeps `chunk` (sent) for the next copy, unless it is large.
    pub(crate) fn keep_chunk(&mut self, mut chunk: Vec<u8>) {
        if chunk.capacity() <= SPARE_CHUNK_BYTES {
            chunk.clear();
            self.spare_chunk = chunk;
        }
    }

    /// The bytes buffered and not yet sent.
    pub(crate) fn buffered_len(&self) -> usize {
        self.chunks.iter().map(Vec::len).sum()
    }

    /// Marks a change.
    pub(crate) fn touch(&mut self) {
        self.revision += 1;
    }

    /// The fate the response asks for.
    pub(crate) fn fate(&self) -> ConnectionFate {
        if self.reset {
            ConnectionFate::Reset
        } else if self.need_disconnect || self.close_connection {
            ConnectionFate::Closed
        } else {
            ConnectionFate::KeptAlive
        }
    }
}

/// What goes to the connection layer, in order; written by the pipeline.
#[derive(Debug)]
pub(crate) enum OutItem {
    /// The response head, for a buffered response its entity length, and
    /// the IIS substatus (not on the wire).
    Head(ResponseHead, Option<u64>, u16),
    /// Entity bytes.
    Body(Vec<u8>),
}

/// The sending side: what is queued for and what reached the connection layer.
#[derive(Debug, Default)]
pub(crate) struct Output {
    /// Queued for the connection layer.
    pub(crate) queue: Vec<OutItem>,
    /// Whether the head was queued (`GetResponseHeadersSent`).
    pub(crate) head_sent: bool,
    /// A send is running its `SendResponse` notification (re-entrant `Flush` is a no-op).
    pub(crate) sending: bool,
    /// The head passed to the connection layer.
    pub(crate) sent_head: Option<(ResponseHead, Option<u64>, u16)>,
    /// The entity bytes passed to the connection layer (when the request
    /// is transcribed).
    pub(crate) sent_body: Vec<u8>,
    /// The connection layer refused a write: the client is gone.
    pub(crate) broken: bool,
    /// The log entry, prepared at the final send (`objects::log_data`).
    pub(crate) log: Option<LogRecord>,
}

/// A completion for a parked request.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Completion {
    /// `IndicateCompletion(status)`: continue with this status.
    Indicated(iis_sys::REQUEST_NOTIFICATION_STATUS),
    /// `PostCompletion(bytes)`, or an asynchronous read, write or flush
    /// that completed: `OnAsyncCompletion` (or the operation's completion
    /// routine) gets its bytes and status.
    Async(AsyncResult),
}

/// What an asynchronous operation (or `PostCompletion`) completed with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AsyncResult {
    /// `IHttpCompletionInfo::GetCompletionBytes`.
    pub(crate) bytes: u32,
    /// `IHttpCompletionInfo::GetCompletionStatus`.
    pub(crate) status: HRESULT,
    /// The completion routine the callback form of the operation was given
    /// (`IHttpRequest3::ReadEntityBody`, `IHttpResponse2::WriteEntityChunks`
    /// or `Flush`), called instead of `OnAsyncCompletion`, with its context.
    pub(crate) routine: Option<(CompletionRoutine, Foreign<c_void>)>,
}

/// An asynchronous `ReadEntityBody` waiting for the body's next bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PendingRead {
    /// The module's buffer (valid until the read completes).
    pub(crate) buffer: Foreign<u8>,
    /// Its size.
    pub(crate) size: u32,
    /// The completion routine of the callback form, with its context.
    pub(crate) routine: Option<(CompletionRoutine, Foreign<c_void>)>,
}

/// A `PFN_ASYNC_COMPLETION` that is not null.
pub(crate) type CompletionRoutine =
    unsafe extern "system" fn(
        *mut iis_sys::IHttpContext3,
        *mut iis_sys::IHttpCompletionInfo2,
        *mut c_void,
    ) -> iis_sys::REQUEST_NOTIFICATION_STATUS;

/// One module notification in progress (for `GetCurrentExecutionStats`,
/// `DisableNotifications` and `GetStatus`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    /// The module's index.
    pub(crate) module: usize,
    /// The notification.
    pub(crate) notification: Notification,
    /// Whether it is the post-notification.
    pub(crate) post: bool,
    /// When it started.
    pub(crate) started: Instant,
}

/// What a request keeps for one of its modules.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ModuleSlot {
    /// The module's instance, created lazily.
    pub(crate) instance: Option<Foreign<CHttpModule>>,
    /// The instance's place in the order of creation (the `Dispose` order).
    pub(crate) rank: usize,
    /// Its `GetHttpModule` failed (not called again).
    pub(crate) failed: bool,
    /// `DisableNotifications` masks: (request, post).
    pub(crate) disabled: (u32, u32),
}

/// The control side of the request.
#[derive(Debug)]
pub(crate) struct Flow {
    /// What the request keeps for each module, by module index.
    pub(crate) modules: Vec<ModuleSlot>,
    /// How many module instances were created.
    pub(crate) created: usize,
    /// A module stayed pending past the timeout: the request state is leaked.
    pub(crate) abandoned: bool,
    /// The notifications in progress, innermost last.
    pub(crate) frames: Vec<Frame>,
    /// Notifications a module took over with `GetNextNotification`
    /// (module, notification, post): the pipeline skips them.
    pub(crate) merged: Vec<(usize, Notification, bool)>,
    /// Completions not yet consumed.
    pub(crate) completions: VecDeque<Completion>,
    /// The asynchronous read waiting for body bytes to arrive.
    pub(crate) pending_read: Option<PendingRead>,
    /// The parked request's waker: a pipeline notification returned
    /// `PENDING` and waits for a completion (or for output to write).
    pub(crate) waker: Option<Waker>,
    /// `SetRequestHandled` was called.
    pub(crate) handled: bool,
    /// `IHttpEventProvider::SetErrorStatus` of the current notification.
    pub(crate) error_status: HRESULT,
    /// Where the request sits among child requests.
    pub(crate) family: Family,
}

/// A request's place among child requests (`CloneContext`).
#[derive(Default)]
pub(crate) struct Family {
    /// The request this one was cloned from; `None` for a client's request.
    pub(crate) parent: Option<Foreign<RequestCore>>,
    /// Clones of this request not yet released (`ReleaseClonedContext`).
    pub(crate) children: Vec<Foreign<RequestCore>>,
    /// `ExecuteRequest`'s flags, once this child was executed.
    pub(crate) executed: Option<u32>,
}

impl std::fmt::Debug for Family {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Family")
            .field("parent", &self.parent.map(|p| p.0))
            .field("children", &self.children.len())
            .field("executed", &self.executed)
            .finish()
    }
}

/// The records a transcript is made of (kept only when `on`: a server's
/// requests keep none).
#[derive(Debug, Default)]
pub(crate) struct Log {
    /// Whether records are kept.
    pub(crate) on: bool,
    /// Module notifications in order.
    pub(crate) notifications: Vec<NotificationRecord>,
    /// Module→host calls in order.
    pub(crate) calls: Vec<ApiCall>,
    /// Lifecycle events.
    pub(crate) events: Vec<HostEvent>,
}

impl Log {
    /// Records a module→host call.
    pub(crate) fn call(&mut self, call: ApiCall) {
        if self.on {
            self.calls.push(call);
        }
    }

    /// Records a lifecycle event.
    pub(crate) fn event(&mut self, event: HostEvent) {
        if self.on {
            self.events.push(event);
        }
    }

    /// Records a module notification.
    pub(crate) fn notification(&mut self, record: NotificationRecord) {
        if self.on {
            self.notifications.push(record);
        }
    }
}

/// Everything mutable about one request.
#[derive(Debug)]
pub(crate) struct RequestState {
    /// The request side.
    pub(crate) req: RequestData,
    /// The response side.
    pub(crate) resp: ResponseData,
    /// The sending side.
    pub(crate) out: Output,
    /// The control side.
    pub(crate) flow: Flow,
    /// The records.
    pub(crate) log: Log,
}

impl Flow {
    /// The live module instance created first, with its module index.
    pub(crate) fn first_created(&self) -> Option<(usize, Foreign<CHttpModule>)> {
        self.modules
            .iter()
            .enumerate()
            .filter_map(|(index, slot)| Some((slot.rank, index, slot.instance?)))
            .min_by_key(|&(rank, _, _)| rank)
            .map(|(_, index, module)| (index, module))
    }
}

/// Buffers a finished request leaves to the next one on its connection
/// (empty, their capacity kept), so a kept-alive connection's requests
/// allocate them once.
#[derive(Debug, Default)]
pub(crate) struct Spare {
    modules: Vec<ModuleSlot>,
    frames: Vec<Frame>,
    /// The response header list, emptied ([`HeaderList::recycle`]).
    headers: HeaderList,
    /// The response's entity chunk list, reason phrase and spare chunk.
    chunks: Vec<Vec<u8>>,
    reason: String,
    chunk: Vec<u8>,
    /// The physical path's buffer.
    physical: Vec<u16>,
    /// The cooked path's buffer.
    cooked: String,
    /// The request's target and header list (its entries' buffers), which
    /// the transport may read the next request's head into
    /// ([`Spare::take_head`]).
    head: Option<HeadBuffers>,
    /// The allocation of the request's [`RequestCore`], dropped
    /// ([`RequestCore::destroy_keeping`]), for the next request's.
    pub(crate) core: Option<Box<std::mem::MaybeUninit<RequestCore>>>,
}

/// A request's target and header list, as the transport gave them.
pub(crate) type HeadBuffers = (Vec<u8>, Vec<(String, Vec<u8>)>);

impl Spare {
    /// The request's target and header list, for the transport.
    pub(crate) fn take_head(&mut self) -> Option<HeadBuffers> {
        self.head.take()
    }
}

/// The most entries a spare buffer keeps capacity for; a larger one is
/// dropped (memory per connection stays small).
const SPARE_ENTRIES: usize = 64;

/// The largest chunk buffer kept for the next chunk.
const SPARE_CHUNK_BYTES: usize = 16 * 1024;

/// The longest physical path whose buffer is kept, in UTF-16 units.
const SPARE_PATH_UNITS: usize = 1024;

/// `buffer`, emptied, unless it grew past `most` items.
fn emptied<T>(buffer: &mut Vec<T>, most: usize) -> Vec<T> {
    if buffer.capacity() > most {
        return Vec::new();
    }
    let mut buffer = std::mem::take(buffer);
    buffer.clear();
    buffer
}

impl RequestState {
    /// The state of a new request for `modules` modules, in the buffers
    /// `spare` (from the previous request on the connection, or new).
    pub(crate) fn new(request: Request, modules: usize, spare: Spare) -> Self {
        let Spare {
            modules: mut slots,
            frames,
            headers,
            chunks,
            reason,
            chunk,
            physical,
            cooked,
            head: _,
            core: _,
        } = spare;
        let mut req = RequestData::new(request);
        req.cooked = cooked;
        req.cook();
        req.physical_buffer = physical;
        slots.resize(modules, ModuleSlot::default());
        RequestState {
            req,
            resp: ResponseData::new(headers, chunks, reason, chunk),
            out: Output::default(),
            flow: Flow {
                modules: slots,
                created: 0,
                abandoned: false,
                frames,
                merged: Vec::new(),
                completions: VecDeque::new(),
                pending_read: None,
                waker: None,
                handled: false,
                error_status: S_OK,
                family: Family::default(),
            },
            log: Log::default(),
        }
    }

    /// Empties the buffers a finished request can leave to the next one
    /// on its connection ([`Spare`]).
    pub(crate) fn spare(&mut self) -> Spare {
        Spare {
            modules: emptied(&mut self.flow.modules, SPARE_ENTRIES),
            frames: emptied(&mut self.flow.frames, SPARE_ENTRIES),
            headers: {
                let mut headers = std::mem::take(&mut self.resp.headers);
                headers.recycle();
                headers
            },
            chunks: emptied(&mut self.resp.chunks, SPARE_ENTRIES),
            reason: std::mem::take(&mut self.resp.reason),
            chunk: std::mem::take(&mut self.resp.spare_chunk),
            physical: emptied(
                &mut self.req.physical.take().unwrap_or_default(),
                SPARE_PATH_UNITS,
            ),
            cooked: Some(std::mem::take(&mut self.req.cooked))
                .filter(|cooked| cooked.capacity() <= SPARE_PATH_UNITS)
                .unwrap_or_default(),
            head: Some((
                std::mem::take(&mut self.req.raw_url),
                std::mem::take(&mut self.req.headers.entries),
            )),
            core: None,
        }
    }

    /// Whether a module took care of the request (the unhandled-request 404
    /// is not sent): `SetRequestHandled`, `SetStatus`, an entity write, a
    /// `Redirect`, a flush or a reset.
    pub(crate) fn handled(&self) -> bool {
        self.flow.handled
            || self.resp.status_set
            || self.resp.written
            || self.out.head_sent
            || self.resp.reset
    }

    /// The innermost notification in progress.
    pub(crate) fn current(&self) -> Option<Frame> {
        self.flow.frames.last().copied()
    }
}
