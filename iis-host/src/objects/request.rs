//! `IHttpRequest4` (27 slots; `IHttpRequest` to `IHttpRequest3` by plain
//! cast or `IHttpServer2::GetExtendedInterface`): the request a module reads
//! and rewrites.
//!
//! `ReadEntityBody` with `fAsync = TRUE` completes later, through
//! `OnAsyncCompletion` or the completion routine of
//! `IHttpRequest3::ReadEntityBody` ([`Completes`]); with `FALSE`, in the
//! call. Each read raises `RQ_READ_ENTITY`.

use std::ffi::c_void;
use std::task::Waker;

use iis_sys::{
    BOOL, HRESULT, HRESULT_ERROR_CONNECTION_ABORTED, HRESULT_ERROR_INVALID_DATA,
    HRESULT_ERROR_TIMEOUT, HTTP_HEADER_ID, HTTP_REQUEST, HTTP_SSL_CLIENT_CERT_INFO, IHttpRequest,
    IHttpRequest2, IHttpRequest2Vtbl, IHttpRequest3, IHttpRequest3Vtbl, IHttpRequest4,
    IHttpRequest4Vtbl, IHttpRequestVtbl, PCSTR, PCWSTR, PFN_ASYNC_COMPLETION, SOCKADDR,
    define_member_fn,
};

use crate::engine::api::notify;
use crate::ffi::{
    E_INVALIDARG, E_NOTIMPL, FALSE, HRESULT_ERROR_HANDLE_EOF, HRESULT_ERROR_NOT_FOUND, S_OK, TRUE,
    bytes, cstr, put, to_wide, wide, wstr,
};
use crate::message::syntax::is_token;
use crate::message::{BodyRead, BodyStream};
use crate::objects::async_io::Completes;
use crate::objects::headers::{Side, delete_header, get_header, name_arg, set_header};
use crate::objects::providers::read_entity;
use crate::objects::server_variables::strip_port;
use crate::objects::{Foreign, raw, with_owner};
use crate::state::RequestCore;
use crate::state::request::{AsyncResult, PendingRead, RequestData};
use crate::transcript::{ApiCall, HeaderKey, Notification};
use crate::url::{canonical_path, split_target};

/// `SetUrl`: the new path (and query, if the URL has one; with
/// `fResetQueryString` a URL without one clears the old query).
fn set_url(core: &RequestCore, url: &[u8], reset_query: bool) -> HRESULT {
    if url.is_empty() || url.contains(&0) {
        return E_INVALIDARG;
    }
    let (path, query) = split_target(url);
    // A URL whose `..` climbs above the root names nothing IIS serves.
    if canonical_path(&path).is_err() {
        return E_INVALIDARG;
    }
    core.with_state(|s| {
        s.req.forwarded_url = forwarded(&s.req, url);
        s.req.set_url(path, query, reset_query);
        s.req.url_changed = true;
        s.req.physical = None;
        s.req.touch();
        s.log.call(ApiCall::RequestSetUrl {
            url: String::from_utf8_lossy(url).into_owned(),
            reset_query,
        });
    });
    S_OK
}

/// The URL `GetForwardedUrl` returns after `SetUrl(url)`: `url` when it is
/// absolute and names a host other than this server (the request's `Host`,
/// `localhost`, a loopback or the local address); `None` for a local URL.
fn forwarded(req: &RequestData, url: &[u8]) -> Option<Vec<u16>> {
    let text = String::from_utf8_lossy(url);
    let lower = text.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("https://"))?;
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host = strip_port(authority);
    let own = req
        .headers
        .get("Host")
        .map(|h| strip_port(&String::from_utf8_lossy(&h)).to_ascii_lowercase());
    let local = host == "localhost"
        || own.as_deref() == Some(host)
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || ip == req.local.ip());
    (!local).then(|| to_wide(&text))
}

/// What a read of the entity found.
enum Taken {
    /// This many bytes are in the module's buffer.
    Filled(usize),
    /// The entity has ended.
    End,
    /// The entity never ended (`HRESULT` of why).
    Failed(HRESULT),
    /// Nothing yet: an asynchronous read completes when bytes arrive.
    Later,
}

/// The `HRESULT` a read gets when the body broke off.
fn broken_body(kind: std::io::ErrorKind) -> HRESULT {
    match kind {
        std::io::ErrorKind::TimedOut => HRESULT_ERROR_TIMEOUT,
        std::io::ErrorKind::InvalidData => HRESULT_ERROR_INVALID_DATA,
        _ => HRESULT_ERROR_CONNECTION_ABORTED,
    }
}

/// Fills `out` from the entity: the bytes inserted or received whole first,
/// then the body stream. With nothing there yet, a synchronous read waits
/// (holding its thread, as in IIS); an asynchronous one is left `Later`.
fn take_entity(core: &RequestCore, out: &mut [u8], wait: bool) -> Taken {
    let (n, stream) = core.with_state(|s| {
        let n = out.len().min(s.req.entity.len());
        for (slot, byte) in out.iter_mut().zip(s.req.entity.drain(..n)) {
            *slot = byte;
        }
        (n, s.req.stream.clone())
    });
    if n > 0 {
        return Taken::Filled(n);
    }
    let Some(stream) = stream else {
        return Taken::End;
    };
    let read = match stream.read(out, None) {
        BodyRead::Empty if wait => {
            let stall = Some(core.host().config.server.read_timeout).filter(|t| !t.is_zero());
            blocking(|| stream.read_blocking(out, stall))
        }
        read => read,
    };
    match read {
        BodyRead::Data(n) => Taken::Filled(n),
        BodyRead::End => Taken::End,
        BodyRead::Failed(kind) => Taken::Failed(broken_body(kind)),
        BodyRead::Empty => Taken::Later,
    }
}

/// Runs `wait` on this thread; on a pool worker, the pool first hands the
/// worker's other tasks to a new thread (as IIS's pool grows while its
/// threads block), so that the connection feeding the body keeps running.
fn blocking<R>(wait: impl FnOnce() -> R) -> R {
    match tokio::runtime::Handle::try_current() {
        Ok(pool) if pool.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(wait)
        }
        _ => wait(),
    }
}

/// Raises `RQ_READ_ENTITY` for `count` bytes read into `buffer` (of `size`);
/// the count the module leaves.
fn read_entity_notification(core: &RequestCore, buffer: *mut c_void, count: u32, size: u32) -> u32 {
    if core
        .modules
        .request_order(Notification::ReadEntity, false)
        .is_empty()
    {
        return count;
    }
    let provider = read_entity(core, buffer, count, size);
    notify(core, Notification::ReadEntity, false, provider.iface());
    let (entity, length, _) = provider.data.entity();
    let count = length.min(size);
    if entity != buffer && !entity.is_null() {
        // SAFETY: the module's `SetEntity` buffer holds `length` bytes;
        // `buffer` has room for `size`; `copy` allows overlap.
        unsafe { std::ptr::copy(entity.cast::<u8>(), buffer.cast::<u8>(), count as usize) };
    }
    count
}

/// `ReadEntityBody`, raising `RQ_READ_ENTITY` for the bytes read. The end
/// of the entity (`ERROR_HANDLE_EOF`) and a body that broke off are reported
/// inline in every mode; an asynchronous read with no bytes there yet
/// completes when they arrive ([`pending_read`]).
fn read_entity_body(
    core: &RequestCore,
    buffer: *mut c_void,
    size: u32,
    completes: Completes,
    read: *mut u32,
    pending: *mut BOOL,
) -> HRESULT {
    if read.is_null() || (buffer.is_null() && size > 0) {
        return E_INVALIDARG;
    }
    // SAFETY: `read` is non-null and writable, `pending` null or writable.
    unsafe {
        read.write(0);
        put(pending, FALSE);
    }
    if size == 0 {
        return S_OK;
    }
    // SAFETY: the module's buffer has room for `size` bytes and stays valid
    // until the read completes (slot contract).
    let out = unsafe { std::slice::from_raw_parts_mut(buffer.cast::<u8>(), size as usize) };
    let wait = matches!(completes, Completes::Inline);
    match take_entity(core, out, wait) {
        Taken::Filled(n) => {
            let count = read_entity_notification(core, buffer, n as u32, size);
            // SAFETY: `read` and `pending` are writable or null (slot contract).
            unsafe { completes.report(core, count, S_OK, read, pending) }
        }
        Taken::End => HRESULT_ERROR_HANDLE_EOF,
        Taken::Failed(hr) => hr,
        Taken::Later => {
            let Completes::Later(routine) = completes else {
                unreachable!("a synchronous read waits")
            };
            core.with_state(|s| {
                s.flow.pending_read = Some(PendingRead {
                    buffer: Foreign(buffer.cast()),
                    size,
                    routine,
                })
            });
            // SAFETY: `pending` is null or writable.
            unsafe { put(pending, TRUE) };
            S_OK
        }
    }
}

/// Completes the request's outstanding asynchronous read once bytes arrived,
/// the body ended or broke off (registering `waker` for the bytes while
/// none is there); `None` while it waits, or when no read is outstanding.
pub(crate) fn pending_read(core: &RequestCore, waker: &Waker) -> Option<AsyncResult> {
    let (read, stream) = core.with_state(|s| (s.flow.pending_read, s.req.stream.clone()));
    let (read, stream) = (read?, stream?);
    // SAFETY: the buffer of the outstanding read, valid until it completes.
    let out = unsafe { std::slice::from_raw_parts_mut(read.buffer.0, read.size as usize) };
    let (bytes, status) = match stream.read(out, Some(waker)) {
        BodyRead::Empty => return None,
        BodyRead::Data(n) => {
            let count = read_entity_notification(core, read.buffer.0.cast(), n as u32, read.size);
            (count, S_OK)
        }
        BodyRead::End => (0, HRESULT_ERROR_HANDLE_EOF),
        BodyRead::Failed(kind) => (0, broken_body(kind)),
    };
    core.with_state(|s| s.flow.pending_read = None);
    Some(AsyncResult {
        bytes,
        status,
        routine: read.routine,
    })
}

define_member_fn! {
    /// `GetRawHttpRequest() const`.
    unsafe fn raw_request_const(this: *mut IHttpRequest) -> *const HTTP_REQUEST {
        with_owner!(this, std::ptr::null(), |core: RequestCore| core.with_state(|s| raw::request(core, &mut s.req)).cast_const())
    }
    /// `GetRawHttpRequest()`.
    unsafe fn raw_request(this: *mut IHttpRequest) -> *mut HTTP_REQUEST {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| core.with_state(|s| raw::request(core, &mut s.req)))
    }
    /// `GetHeader(HTTP_HEADER_ID, USHORT*)`.
    unsafe fn get_header_id(this: *mut IHttpRequest, id: HTTP_HEADER_ID, length: *mut u16) -> PCSTR {
        with_owner!(this, PCSTR::null(), |core: RequestCore| get_header(core, Side::Request, Some(HeaderKey::Id(id)), length))
    }
    /// `GetHeader(PCSTR, USHORT*)`.
    unsafe fn get_header_name(this: *mut IHttpRequest, name: PCSTR, length: *mut u16) -> PCSTR {
        // SAFETY: a module passes a NUL-terminated name or null.
        with_owner!(this, PCSTR::null(), |core: RequestCore| get_header(core, Side::Request, unsafe { name_arg(name) }, length))
    }
    /// `SetHeader(HTTP_HEADER_ID, PCSTR, USHORT, BOOL)`.
    unsafe fn set_header_id(this: *mut IHttpRequest, id: HTTP_HEADER_ID, value: PCSTR, len: u16, replace: BOOL) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            // SAFETY: the module passes `len` readable bytes.
            let value = unsafe { bytes(value.0, len.into()) };
            set_header(core, Side::Request, Some(HeaderKey::Id(id)), value, replace.as_bool())
        })
    }
    /// `SetHeader(PCSTR, PCSTR, USHORT, BOOL)`.
    unsafe fn set_header_name(this: *mut IHttpRequest, name: PCSTR, value: PCSTR, len: u16, replace: BOOL) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            // SAFETY: a NUL-terminated name and `len` readable value bytes.
            let (key, value) = unsafe { (name_arg(name), bytes(value.0, len.into())) };
            set_header(core, Side::Request, key, value, replace.as_bool())
        })
    }
    /// `DeleteHeader(HTTP_HEADER_ID)`.
    unsafe fn delete_header_id(this: *mut IHttpRequest, id: HTTP_HEADER_ID) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| delete_header(core, Side::Request, Some(HeaderKey::Id(id))))
    }
    /// `DeleteHeader(PCSTR)`.
    unsafe fn delete_header_name(this: *mut IHttpRequest, name: PCSTR) -> HRESULT {
        // SAFETY: a module passes a NUL-terminated name or null.
        with_owner!(this, E_INVALIDARG, |core: RequestCore| delete_header(core, Side::Request, unsafe { name_arg(name) }))
    }
    /// `GetHttpMethod`.
    unsafe fn get_method(this: *mut IHttpRequest) -> PCSTR {
        with_owner!(this, PCSTR::null(), |core: RequestCore| {
            let method = core.with_state(|s| s.req.method.clone());
            core.arena.cstr(method.as_bytes())
        })
    }
    /// `SetHttpMethod`.
    unsafe fn set_method(this: *mut IHttpRequest, method: PCSTR) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            // SAFETY: a module passes a NUL-terminated method or null.
            let Some(method) = (unsafe { cstr(method) }) else { return E_INVALIDARG };
            if !is_token(method) {
                return E_INVALIDARG;
            }
            let method = String::from_utf8_lossy(method).into_owned();
            core.with_state(|s| {
                s.req.method = method.clone().into();
                s.req.touch();
                s.log.call(ApiCall::RequestSetHttpMethod { method });
            });
            S_OK
        })
    }
    /// `SetUrl(PCSTR, DWORD, BOOL)` (a length of 0 means NUL-terminated).
    unsafe fn set_url_a(this: *mut IHttpRequest, url: PCSTR, len: u32, reset_query: BOOL) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            // SAFETY: `len` readable bytes, or a NUL-terminated string for 0.
            let url = unsafe { if len == 0 { cstr(url) } else { bytes(url.0, len as usize) } };
            let Some(url) = url else { return E_INVALIDARG };
            set_url(core, url, reset_query.as_bool())
        })
    }
    /// `SetUrl(PCWSTR, DWORD, BOOL)` (a length of 0 means NUL-terminated).
    unsafe fn set_url_w(this: *mut IHttpRequest, url: PCWSTR, len: u32, reset_query: BOOL) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            // SAFETY: `len` readable units, or a NUL-terminated string for 0.
            let url = unsafe { if len == 0 { wstr(url) } else { wide(url.0, len as usize) } };
            let Some(url) = url else { return E_INVALIDARG };
            let Ok(url) = String::from_utf16(url) else { return E_INVALIDARG };
            set_url(core, url.as_bytes(), reset_query.as_bool())
        })
    }
    /// `GetUrlChanged`.
    unsafe fn url_changed(this: *mut IHttpRequest) -> BOOL {
        with_owner!(this, FALSE, |core: RequestCore| core.with_state(|s| s.req.url_changed).into())
    }
    /// `GetForwardedUrl`: the URL of the last `SetUrl` when it named another
    /// host, else null (as documented: a local URL gives null).
    unsafe fn forwarded_url(this: *mut IHttpRequest) -> PCWSTR {
        with_owner!(this, PCWSTR::null(), |core: RequestCore| {
            match core.with_state(|s| s.req.forwarded_url.clone()) {
                Some(url) => core.arena.wstr(&url),
                None => PCWSTR::null(),
            }
        })
    }
    /// `GetLocalAddress`: a Windows `SOCKADDR_IN`/`SOCKADDR_IN6`.
    unsafe fn local_address(this: *mut IHttpRequest) -> *mut SOCKADDR {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| core.local_address())
    }
    /// `GetRemoteAddress`: a Windows `SOCKADDR_IN`/`SOCKADDR_IN6`.
    unsafe fn remote_address(this: *mut IHttpRequest) -> *mut SOCKADDR {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| core.remote_address())
    }
    /// `ReadEntityBody(pvBuffer, cbBuffer, fAsync, pcbBytesReceived, pfCompletionPending)`.
    unsafe fn read_body(this: *mut IHttpRequest, buffer: *mut c_void, size: u32, is_async: BOOL, read: *mut u32, pending: *mut BOOL) -> HRESULT {
        let completes = Completes::of(is_async, None, std::ptr::null_mut());
        with_owner!(this, E_INVALIDARG, |core: RequestCore| read_entity_body(core, buffer, size, completes, read, pending))
    }
    /// `InsertEntityBody`: the bytes are read first by later `ReadEntityBody` calls (copied).
    unsafe fn insert_body(this: *mut IHttpRequest, buffer: *mut c_void, size: u32) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            // SAFETY: the module passes `size` readable bytes.
            let Some(data) = (unsafe { bytes(buffer.cast(), size as usize) }) else { return E_INVALIDARG };
            core.with_state(|s| {
                for &b in data.iter().rev() {
                    s.req.entity.push_front(b);
                }
                s.log.call(ApiCall::RequestInsertEntityBody { bytes: data.to_vec() });
            });
            S_OK
        })
    }
    /// `GetRemainingEntityBytes`: what is buffered, plus what the body
    /// stream has yet to give (see [`BodyStream::remaining`](crate::http::BodyStream)).
    unsafe fn remaining(this: *mut IHttpRequest) -> u32 {
        with_owner!(this, 0, |core: RequestCore| core.with_state(|s| {
            let buffered = u32::try_from(s.req.entity.len()).unwrap_or(u32::MAX);
            let streamed = s.req.stream.as_ref().map_or(0, BodyStream::remaining);
            buffered.saturating_add(streamed)
        }))
    }
    /// `GetHttpVersion`.
    unsafe fn version(this: *mut IHttpRequest, major: *mut u16, minor: *mut u16) {
        with_owner!(this, (), |core: RequestCore| {
            let (ma, mi) = core.with_state(|s| s.req.version);
            // SAFETY: the out-pointers are null or writable.
            unsafe {
                put(major, ma);
                put(minor, mi);
            }
        })
    }
    /// `GetClientCertificate`: iis-host serves plain HTTP, so there is never one.
    unsafe fn client_certificate(_this: *mut IHttpRequest, info: *mut *mut HTTP_SSL_CLIENT_CERT_INFO, negotiated: *mut BOOL) -> HRESULT {
        // SAFETY: the out-pointers are null or writable.
        unsafe {
            put(info, std::ptr::null_mut());
            put(negotiated, FALSE);
        }
        HRESULT_ERROR_NOT_FOUND
    }
    /// `NegotiateClientCertificate`: no TLS.
    unsafe fn negotiate_certificate(_this: *mut IHttpRequest, _async: BOOL, _pending: *mut BOOL) -> HRESULT {
        E_NOTIMPL
    }
    /// `GetSiteId`.
    unsafe fn site_id(this: *mut IHttpRequest) -> u32 {
        with_owner!(this, 0, |core: RequestCore| core.host().config.site_id)
    }
    /// `GetHeaderChanges`: not emulated.
    unsafe fn header_changes(
        _this: *mut IHttpRequest,
        _snapshot: u32,
        _count: *mut u32,
        _known: *mut PCSTR,
        _unknown_count: *mut u32,
        _unknown_names: *mut *mut PCSTR,
        _unknown_values: *mut *mut PCSTR,
        _diff_known: *mut u32,
        _diff_unknown_count: *mut u32,
        _diff_unknown: *mut *mut u32,
    ) -> HRESULT {
        E_NOTIMPL
    }
    /// `IHttpRequest2::GetChannelBindingToken`: no TLS.
    unsafe fn channel_binding(_this: *mut IHttpRequest2, _token: *mut *mut u8, _len: *mut u32) -> HRESULT {
        E_NOTIMPL
    }
    /// `IHttpRequest3::ReadEntityBody(…, pfnCompletion, pvContext, …)`: synchronous.
    unsafe fn read_body3(this: *mut IHttpRequest3, buffer: *mut c_void, size: u32, is_async: BOOL, routine: PFN_ASYNC_COMPLETION, context: *mut c_void, read: *mut u32, pending: *mut BOOL) -> HRESULT {
        let completes = Completes::of(is_async, routine, context);
        with_owner!(this, E_INVALIDARG, |core: RequestCore| read_entity_body(core, buffer, size, completes, read, pending))
    }
    /// `IHttpRequest4::ReadEntityBody(…, ulFlags, …)`: as the classic read
    /// (`OnAsyncCompletion` when asynchronous). httpserv.h names the
    /// argument `ulFlags` and defines no flags; iis-host ignores it.
    unsafe fn read_body4(this: *mut IHttpRequest4, buffer: *mut c_void, size: u32, is_async: BOOL, _flags: u32, read: *mut u32, pending: *mut BOOL) -> HRESULT {
        let completes = Completes::of(is_async, None, std::ptr::null_mut());
        with_owner!(this, E_INVALIDARG, |core: RequestCore| read_entity_body(core, buffer, size, completes, read, pending))
    }
}

/// `IHttpRequest4`.
pub(crate) static REQUEST_VTBL: IHttpRequest4Vtbl = IHttpRequest4Vtbl {
    base: IHttpRequest3Vtbl {
        base: IHttpRequest2Vtbl {
            base: IHttpRequestVtbl {
                GetRawHttpRequestConst: raw_request_const,
                GetRawHttpRequest: raw_request,
                GetHeader: get_header_id,
                GetHeaderByName: get_header_name,
                SetHeader: set_header_id,
                SetHeaderByName: set_header_name,
                DeleteHeader: delete_header_id,
                DeleteHeaderByName: delete_header_name,
                GetHttpMethod: get_method,
                SetHttpMethod: set_method,
                SetUrlA: set_url_a,
                SetUrl: set_url_w,
                GetUrlChanged: url_changed,
                GetForwardedUrl: forwarded_url,
                GetLocalAddress: local_address,
                GetRemoteAddress: remote_address,
                ReadEntityBody: read_body,
                InsertEntityBody: insert_body,
                GetRemainingEntityBytes: remaining,
                GetHttpVersion: version,
                GetClientCertificate: client_certificate,
                NegotiateClientCertificate: negotiate_certificate,
                GetSiteId: site_id,
                GetHeaderChanges: header_changes,
            },
            GetChannelBindingToken: channel_binding,
        },
        ReadEntityBody3: read_body3,
    },
    ReadEntityBody4: read_body4,
};
