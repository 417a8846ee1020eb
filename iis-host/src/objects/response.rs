//! `IHttpResponse4` (36 slots; `IHttpResponse2`/`3` by plain cast or
//! `IHttpServer2::GetExtendedInterface`): the response a module builds.
//!
//! Buffered by default: writes are copied (both `WriteEntityChunks` and
//! `WriteEntityChunkByReference`, so a module's memory may go away after the
//! call) and sent at the end of the request or on `Flush`; with
//! `DisableBuffering` each write is sent at once. With `fAsync = TRUE`,
//! writes and flushes complete later, through `OnAsyncCompletion` or the
//! completion routine of the `IHttpResponse2` forms
//! ([`Completes`]); with `FALSE`, in the call.
//! Only `HttpDataChunkFromMemory` chunks are supported.

use std::ffi::c_void;

use iis_sys::{
    BOOL, HRESULT, HRESULT_ERROR_NOT_SUPPORTED, HTTP_DATA_CHUNK, HTTP_HEADER_ID, HTTP_RESPONSE,
    IAppHostConfigException, IHttpCachePolicy, IHttpResponse, IHttpResponse2, IHttpResponse2Vtbl,
    IHttpResponse3, IHttpResponse3Vtbl, IHttpResponse4, IHttpResponse4Vtbl, IHttpResponseVtbl,
    PCSTR, PCWSTR, PFN_ASYNC_COMPLETION, define_member_fn,
};

use crate::engine::api::send;
use crate::ffi::{
    E_INVALIDARG, E_NOTIMPL, FALSE, S_OK, TRUE, bytes, cstr, from_wide, put, to_wide, wide,
};
use crate::objects::async_io::Completes;
use crate::objects::headers::{Side, delete_header, get_header, name_arg, set_header, valid_value};
use crate::objects::{raw, with_owner};
use crate::state::RequestCore;
use crate::transcript::{ApiCall, HeaderKey};

/// The memory chunks of a write, checked by [`chunk_bytes`].
#[derive(Clone, Copy)]
struct Chunks<'a>(&'a [HTTP_DATA_CHUNK]);

impl<'a> Chunks<'a> {
    /// Each chunk's bytes, where the module has them.
    fn slices(self) -> impl Iterator<Item = &'a [u8]> {
        self.0.iter().map(|chunk| {
            // SAFETY: checked by `chunk_bytes`: a `FromMemory` chunk, so
            // the union holds `FromMemory`.
            let memory = unsafe { chunk.Anonymous.FromMemory };
            // SAFETY: checked by `chunk_bytes`: the buffer is non-null (or
            // empty) and holds `BufferLength` bytes readable for `'a`.
            unsafe { bytes(memory.pBuffer.cast(), memory.BufferLength as usize) }
                .unwrap_or_default()
        })
    }

    /// The bytes of all the chunks.
    fn len(self) -> usize {
        self.slices().map(<[u8]>::len).sum()
    }
}

/// The `count` chunks at `chunks`, checked: `Err` for an unsupported chunk
/// type or a bad pointer. Their bytes are read where they are
/// ([`Chunks::slices`]), during the module's call.
///
/// # Safety
///
/// `chunks` is null or points at `count` readable `HTTP_DATA_CHUNK`s whose
/// memory buffers are readable, all for `'a`.
unsafe fn chunk_bytes<'a>(
    chunks: *const HTTP_DATA_CHUNK,
    count: u32,
) -> Result<Chunks<'a>, HRESULT> {
    if count == 0 {
        return Ok(Chunks(&[]));
    }
    if chunks.is_null() {
        return Err(E_INVALIDARG);
    }
    // SAFETY: `count` readable chunks by the caller's contract.
    let chunks = unsafe { std::slice::from_raw_parts(chunks, count as usize) };
    for chunk in chunks {
        if chunk.DataChunkType != iis_sys::HttpDataChunkFromMemory {
            return Err(E_NOTIMPL);
        }
        // SAFETY: a FromMemory chunk: the union holds `FromMemory`.
        let memory = unsafe { chunk.Anonymous.FromMemory };
        if memory.pBuffer.is_null() && memory.BufferLength != 0 {
            return Err(E_INVALIDARG);
        }
    }
    Ok(Chunks(chunks))
}

/// Appends (or inserts at chunk `position`) the entity chunks `data`, each
/// copied as one buffered chunk (`HTTP_RESPONSE::EntityChunkCount`); sends
/// at once when buffering is off.
fn write(core: &RequestCore, data: Chunks<'_>, position: Option<i32>) {
    let unbuffered = core.with_state(|s| {
        if s.log.on {
            let bytes = data.slices().flatten().copied().collect();
            s.log.call(match position {
                None => ApiCall::ResponseWriteEntityChunks { bytes },
                Some(p) => ApiCall::ResponseWriteEntityChunkByReference { bytes, position: p },
            });
        }
        for (i, chunk) in data.slices().filter(|c| !c.is_empty()).enumerate() {
            match position {
                Some(p) if p >= 0 && (p as usize) < s.resp.chunks.len() => {
                    let chunk = s.resp.chunk_of(chunk);
                    s.resp.chunks.insert(p as usize + i, chunk)
                }
                _ => {
                    let chunk = s.resp.chunk_of(chunk);
                    s.resp.chunks.push(chunk)
                }
            }
        }
        s.resp.written = true;
        s.resp.touch();
        !s.resp.buffering
    });
    if unbuffered {
        send(core);
    }
}

fn write_chunks(
    core: &RequestCore,
    chunks: *mut HTTP_DATA_CHUNK,
    count: u32,
    completes: Completes,
    sent: *mut u32,
    expected: *mut BOOL,
) -> HRESULT {
    // SAFETY: the module passes `count` readable chunks.
    let data = match unsafe { chunk_bytes(chunks, count) } {
        Ok(data) => data,
        Err(hr) => return hr,
    };
    let length = u32::try_from(data.len()).unwrap_or(u32::MAX);
    write(core, data, None);
    // SAFETY: the out-pointers are null or writable.
    unsafe { completes.report(core, length, S_OK, sent, expected) }
}

fn flush(core: &RequestCore, completes: Completes, sent: *mut u32, expected: *mut BOOL) -> HRESULT {
    let pending = core.with_state(|s| {
        s.log.call(ApiCall::ResponseFlush);
        s.resp.buffered_len()
    });
    send(core);
    let flushed = u32::try_from(pending).unwrap_or(u32::MAX);
    // SAFETY: the out-pointers are null or writable.
    unsafe { completes.report(core, flushed, S_OK, sent, expected) }
}

fn flag(
    core: &RequestCore,
    call: ApiCall,
    f: impl FnOnce(&mut crate::state::request::ResponseData),
) {
    core.with_state(|s| {
        f(&mut s.resp);
        s.resp.touch();
        s.log.call(call);
    });
}

fn redirect(
    core: &RequestCore,
    url: &[u8],
    reset_status: bool,
    include_parameters: bool,
) -> HRESULT {
    if url.is_empty() || !valid_value(url) {
        return E_INVALIDARG;
    }
    let url_text = String::from_utf8_lossy(url).into_owned();
    core.with_state(|s| {
        let mut location = url_text.clone();
        if include_parameters && let Some(query) = s.req.query() {
            location.push(if location.contains('?') { '&' } else { '?' });
            location.push_str(&String::from_utf8_lossy(query));
        }
        if reset_status || !(300..400).contains(&s.resp.status) {
            s.resp.status = 302;
            s.resp.substatus = 0;
            s.resp.reason = "Redirect".to_owned();
        }
        s.resp.headers.set(Side::Response, "Location", location.as_bytes(), true);
        s.resp.headers.set(Side::Response, "Content-Type", b"text/html; charset=UTF-8", true);
        let body = format!(
            "<head><title>Document Moved</title></head>\n<body><h1>Object Moved</h1>This document may be found <a HREF=\"{}\">here</a></body>",
            location.replace('"', "%22")
        );
        s.resp.chunks = vec![body.into_bytes()];
        s.resp.status_set = true;
        s.resp.written = true;
        s.resp.touch();
        s.log.call(ApiCall::ResponseRedirect {
            url: url_text,
            reset_status,
            include_parameters,
        });
    });
    S_OK
}

/// HTML-encodes `text` (`&`, `<`, `>`, `"`): `SetErrorDescription`'s
/// `fHtmlEncode`, and every value the error pages show.
pub(crate) fn html_encode(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

define_member_fn! {
    unsafe fn raw_response_const(this: *mut IHttpResponse) -> *const HTTP_RESPONSE {
        with_owner!(this, std::ptr::null(), |core: RequestCore| core.with_state(|s| {
            let version = s.req.version;
            raw::response(core, &mut s.resp, version).cast_const()
        }))
    }
    unsafe fn raw_response(this: *mut IHttpResponse) -> *mut HTTP_RESPONSE {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| core.with_state(|s| {
            let version = s.req.version;
            raw::response(core, &mut s.resp, version)
        }))
    }
    unsafe fn cache_policy(this: *mut IHttpResponse) -> *mut IHttpCachePolicy {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| core.cache_policy.iface())
    }
    /// `SetStatus(statusCode, pszReason, usSubStatus, hrErrorToReport, pException, fTrySkipCustomErrors)`.
    unsafe fn set_status(this: *mut IHttpResponse, status: u16, reason: PCSTR, substatus: u16, hr: HRESULT, _exception: *mut IAppHostConfigException, skip: BOOL) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            if !(100..=999).contains(&status) {
                return E_INVALIDARG;
            }
            // SAFETY: a module passes a NUL-terminated reason or null.
            let reason = match unsafe { cstr(reason) } {
                Some(r) if valid_value(r) => String::from_utf8_lossy(r).into_owned(),
                Some(_) => return E_INVALIDARG,
                None => http::StatusCode::from_u16(status).ok().and_then(|c| c.canonical_reason()).unwrap_or("").to_owned(),
            };
            let source = core.with_state(|s| s.current().map(|f| (core.modules[f.module].name.clone(), f.notification.mask())));
            flag(core, ApiCall::ResponseSetStatus { status, reason: reason.clone(), substatus, skip_custom_errors: skip.as_bool() }, |r| {
                r.status = status;
                r.reason = reason;
                r.substatus = substatus;
                r.error_hr = hr;
                r.skip_custom_errors = skip.as_bool();
                r.status_source = source;
                r.status_set = true;
                r.handler_description = None;
            });
            S_OK
        })
    }
    unsafe fn set_header_id(this: *mut IHttpResponse, id: HTTP_HEADER_ID, value: PCSTR, len: u16, replace: BOOL) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            // SAFETY: the module passes `len` readable bytes.
            let value = unsafe { bytes(value.0, len.into()) };
            set_header(core, Side::Response, Some(HeaderKey::Id(id)), value, replace.as_bool())
        })
    }
    unsafe fn set_header_name(this: *mut IHttpResponse, name: PCSTR, value: PCSTR, len: u16, replace: BOOL) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            // SAFETY: a NUL-terminated name and `len` readable value bytes.
            let (key, value) = unsafe { (name_arg(name), bytes(value.0, len.into())) };
            set_header(core, Side::Response, key, value, replace.as_bool())
        })
    }
    unsafe fn delete_header_id(this: *mut IHttpResponse, id: HTTP_HEADER_ID) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| delete_header(core, Side::Response, Some(HeaderKey::Id(id))))
    }
    unsafe fn delete_header_name(this: *mut IHttpResponse, name: PCSTR) -> HRESULT {
        // SAFETY: a module passes a NUL-terminated name or null.
        with_owner!(this, E_INVALIDARG, |core: RequestCore| delete_header(core, Side::Response, unsafe { name_arg(name) }))
    }
    unsafe fn get_header_id(this: *mut IHttpResponse, id: HTTP_HEADER_ID, length: *mut u16) -> PCSTR {
        with_owner!(this, PCSTR::null(), |core: RequestCore| get_header(core, Side::Response, Some(HeaderKey::Id(id)), length))
    }
    unsafe fn get_header_name(this: *mut IHttpResponse, name: PCSTR, length: *mut u16) -> PCSTR {
        // SAFETY: a module passes a NUL-terminated name or null.
        with_owner!(this, PCSTR::null(), |core: RequestCore| get_header(core, Side::Response, unsafe { name_arg(name) }, length))
    }
    /// `Clear`: drops the buffered entity.
    unsafe fn clear(this: *mut IHttpResponse) {
        with_owner!(this, (), |core: RequestCore| flag(core, ApiCall::ResponseClear, |r| r.chunks.clear()))
    }
    /// `ClearHeaders`.
    unsafe fn clear_headers(this: *mut IHttpResponse) {
        with_owner!(this, (), |core: RequestCore| flag(core, ApiCall::ResponseClearHeaders, |r| r.headers.entries.clear()))
    }
    /// `SetNeedDisconnect`: the response is sent, then the connection closed.
    unsafe fn set_need_disconnect(this: *mut IHttpResponse) {
        with_owner!(this, (), |core: RequestCore| flag(core, ApiCall::ResponseSetNeedDisconnect, |r| r.need_disconnect = true))
    }
    /// `ResetConnection`: nothing not yet written reaches the client; RST.
    unsafe fn reset_connection(this: *mut IHttpResponse) {
        with_owner!(this, (), |core: RequestCore| core.with_state(|s| {
            // What is buffered never leaves; what a flush already sent (queued
            // for the connection) has left in IIS, and leaves here too.
            s.resp.reset = true;
            s.resp.chunks.clear();
            s.resp.touch();
            s.log.call(ApiCall::ResponseResetConnection);
        }))
    }
    unsafe fn disable_kernel_cache(this: *mut IHttpResponse, reason: u32) {
        with_owner!(this, (), |core: RequestCore| flag(core, ApiCall::ResponseDisableKernelCache { reason }, |r| r.kernel_cache = false))
    }
    unsafe fn kernel_cache_enabled(this: *mut IHttpResponse) -> BOOL {
        with_owner!(this, FALSE, |core: RequestCore| core.with_state(|s| s.resp.kernel_cache).into())
    }
    /// `SuppressHeaders`: recorded; the connection layer still sends a head.
    unsafe fn suppress_headers(this: *mut IHttpResponse) {
        with_owner!(this, (), |core: RequestCore| flag(core, ApiCall::ResponseSuppressHeaders, |r| r.suppress_headers = true))
    }
    unsafe fn headers_suppressed(this: *mut IHttpResponse) -> BOOL {
        with_owner!(this, FALSE, |core: RequestCore| core.with_state(|s| s.resp.suppress_headers).into())
    }
    /// `Flush(fAsync, fMoreData, pcbSent, pfCompletionExpected)`.
    unsafe fn flush1(this: *mut IHttpResponse, is_async: BOOL, _more: BOOL, sent: *mut u32, expected: *mut BOOL) -> HRESULT {
        let completes = Completes::of(is_async, None, std::ptr::null_mut());
        with_owner!(this, E_INVALIDARG, |core: RequestCore| flush(core, completes, sent, expected))
    }
    /// `Redirect(pszUrl, fResetStatusCode, fIncludeParameters)`.
    unsafe fn redirect1(this: *mut IHttpResponse, url: PCSTR, reset_status: BOOL, include_parameters: BOOL) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            // SAFETY: a module passes a NUL-terminated URL or null.
            let Some(url) = (unsafe { cstr(url) }) else { return E_INVALIDARG };
            redirect(core, url, reset_status.as_bool(), include_parameters.as_bool())
        })
    }
    /// `WriteEntityChunkByReference(pDataChunk, lInsertPosition)` (copied).
    unsafe fn write_by_reference(this: *mut IHttpResponse, chunk: *mut HTTP_DATA_CHUNK, position: i32) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            if chunk.is_null() {
                return E_INVALIDARG;
            }
            // SAFETY: the module passes one readable chunk.
            match unsafe { chunk_bytes(chunk, 1) } {
                Ok(data) => {
                    write(core, data, Some(position));
                    S_OK
                }
                Err(hr) => hr,
            }
        })
    }
    /// `WriteEntityChunks(pDataChunks, nChunks, fAsync, fMoreData, pcbSent, pfCompletionExpected)`.
    unsafe fn write_chunks1(this: *mut IHttpResponse, chunks: *mut HTTP_DATA_CHUNK, count: u32, is_async: BOOL, _more: BOOL, sent: *mut u32, expected: *mut BOOL) -> HRESULT {
        let completes = Completes::of(is_async, None, std::ptr::null_mut());
        with_owner!(this, E_INVALIDARG, |core: RequestCore| write_chunks(core, chunks, count, completes, sent, expected))
    }
    unsafe fn disable_buffering(this: *mut IHttpResponse) {
        with_owner!(this, (), |core: RequestCore| flag(core, ApiCall::ResponseDisableBuffering, |r| r.buffering = false))
    }
    /// `GetStatus`: every out-pointer may be null.
    unsafe fn get_status(
        this: *mut IHttpResponse,
        status: *mut u16,
        substatus: *mut u16,
        reason: *mut PCSTR,
        reason_length: *mut u16,
        hr: *mut HRESULT,
        module: *mut PCWSTR,
        notification: *mut u32,
        exception: *mut *mut IAppHostConfigException,
        skip: *mut BOOL,
    ) {
        with_owner!(this, (), |core: RequestCore| {
            let (st, sub, rs, h, source, sk) = core.with_state(|s| {
                let r = &s.resp;
                (r.status, r.substatus, r.reason.clone(), r.error_hr, r.status_source.clone(), r.skip_custom_errors)
            });
            let (module_name, mask) = match source {
                Some((name, mask)) => (core.arena.wstr(&to_wide(&name)), mask),
                None => (PCWSTR::null(), 0),
            };
            // SAFETY: every out-pointer is null or writable.
            unsafe {
                put(status, st);
                put(substatus, sub);
                put(reason, core.arena.cstr(rs.as_bytes()));
                put(reason_length, u16::try_from(rs.len()).unwrap_or(u16::MAX));
                put(hr, h);
                put(module, module_name);
                put(notification, mask);
                put(exception, std::ptr::null_mut());
                put(skip, if sk { TRUE } else { FALSE });
            }
        })
    }
    /// `SetErrorDescription(pszDescription, cchDescription, fHtmlEncode)`.
    unsafe fn set_error_description(this: *mut IHttpResponse, text: PCWSTR, len: u32, encode: BOOL) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            // SAFETY: the module passes `len` readable units.
            let Some(units) = (unsafe { wide(text.0, len as usize) }) else { return E_INVALIDARG };
            let mut description = from_wide(units);
            if encode.as_bool() {
                description = html_encode(&description);
            }
            let stored = to_wide(&description);
            flag(core, ApiCall::ResponseSetErrorDescription { description }, |r| r.error_description = Some(stored));
            S_OK
        })
    }
    /// `GetErrorDescription(pcchDescription)`.
    unsafe fn get_error_description(this: *mut IHttpResponse, len: *mut u32) -> PCWSTR {
        with_owner!(this, PCWSTR::null(), |core: RequestCore| {
            let description = core.with_state(|s| s.resp.error_description.clone());
            let (p, n) = match description {
                Some(units) => (core.arena.wstr(&units), units.len()),
                None => (PCWSTR::null(), 0),
            };
            // SAFETY: `len` is null or writable.
            unsafe { put(len, n as u32) };
            p
        })
    }
    /// `GetHeaderChanges`: not emulated.
    unsafe fn header_changes(
        _this: *mut IHttpResponse,
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
    /// `CloseConnection`: read as "close the connection after this response"
    /// (see the crate docs).
    unsafe fn close_connection(this: *mut IHttpResponse) {
        with_owner!(this, (), |core: RequestCore| flag(core, ApiCall::ResponseCloseConnection, |r| r.close_connection = true))
    }
    /// `IHttpResponse2::WriteEntityChunks(…, pfnCompletion, pvContext, …)`.
    unsafe fn write_chunks2(this: *mut IHttpResponse2, chunks: *mut HTTP_DATA_CHUNK, count: u32, is_async: BOOL, _more: BOOL, routine: PFN_ASYNC_COMPLETION, context: *mut c_void, sent: *mut u32, expected: *mut BOOL) -> HRESULT {
        let completes = Completes::of(is_async, routine, context);
        with_owner!(this, E_INVALIDARG, |core: RequestCore| write_chunks(core, chunks, count, completes, sent, expected))
    }
    /// `IHttpResponse2::Flush(…, pfnCompletion, pvContext, …)`.
    unsafe fn flush2(this: *mut IHttpResponse2, is_async: BOOL, _more: BOOL, routine: PFN_ASYNC_COMPLETION, context: *mut c_void, sent: *mut u32, expected: *mut BOOL) -> HRESULT {
        let completes = Completes::of(is_async, routine, context);
        with_owner!(this, E_INVALIDARG, |core: RequestCore| flush(core, completes, sent, expected))
    }
    /// `IHttpResponse3::PushPromise`: HTTP/2 only.
    unsafe fn push_promise(_this: *mut IHttpResponse3, _method: PCSTR, _path: PCWSTR, _query: PCWSTR, _count: u32, _names: *mut PCSTR, _values: *mut PCSTR) -> HRESULT {
        E_NOTIMPL
    }
    /// `IHttpResponse4::DeleteTrailer`.
    unsafe fn delete_trailer(this: *mut IHttpResponse4, name: PCSTR) -> HRESULT {
        // SAFETY: a module passes a NUL-terminated name or null.
        let Some(HeaderKey::Name(name)) = (unsafe { name_arg(name) }) else {
            return E_INVALIDARG;
        };
        with_owner!(this, E_INVALIDARG, |core: RequestCore| core.with_state(|s| {
            s.resp.trailers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
            S_OK
        }))
    }
    /// `IHttpResponse4::GetTrailer`: the value (in the request's arena), or
    /// null.
    unsafe fn get_trailer(this: *mut IHttpResponse4, name: PCSTR, len: *mut u16) -> PCSTR {
        // SAFETY: a module passes a NUL-terminated name or null.
        let name = unsafe { name_arg(name) };
        let value = with_owner!(this, None, |core: RequestCore| core.with_state(|s| {
            let Some(HeaderKey::Name(name)) = &name else { return None };
            let found = s.resp.trailers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name));
            found.map(|(_, value)| (core.arena.cstr(value), value.len()))
        }));
        let (pointer, length) = value.unwrap_or((PCSTR::null(), 0));
        // SAFETY: `len` is null or writable.
        unsafe { put(len, u16::try_from(length).unwrap_or(u16::MAX)) };
        pointer
    }
    /// `IHttpResponse4::ResetStream`: HTTP/2 only; no effect on HTTP/1.1.
    unsafe fn reset_stream(_this: *mut IHttpResponse4, _error: u32) {}
    /// `IHttpResponse4::SetNeedGoAway`: HTTP/2 only; no effect on HTTP/1.1.
    unsafe fn set_need_go_away(_this: *mut IHttpResponse4) {}
    /// `IHttpResponse4::SetTrailer`: kept (and recorded) for an HTTP/2
    /// request; iis-host speaks HTTP/1.1 on the wire, so they reach the
    /// transcript, not a client. Refused on HTTP/1.x, where IIS has no way
    /// to send a trailer (IIS's own HRESULT there is not documented).
    unsafe fn set_trailer(this: *mut IHttpResponse4, name: PCSTR, value: PCSTR, len: u16, replace: BOOL) -> HRESULT {
        // SAFETY: a NUL-terminated name and `len` readable value bytes.
        let (name, value) = unsafe { (name_arg(name), bytes(value.0, len.into())) };
        let (Some(HeaderKey::Name(name)), Some(value)) = (name, value) else {
            return E_INVALIDARG;
        };
        if !valid_value(value) {
            return E_INVALIDARG;
        }
        with_owner!(this, E_INVALIDARG, |core: RequestCore| core.with_state(|s| {
            if s.req.version.0 < 2 {
                return HRESULT_ERROR_NOT_SUPPORTED;
            }
            if replace.as_bool() {
                s.resp.trailers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
            }
            s.resp.trailers.push((name.clone(), value.to_vec()));
            s.log.call(ApiCall::ResponseSetTrailer { name, value: value.to_vec() });
            S_OK
        }))
    }
}

/// `IHttpResponse4`.
pub(crate) static RESPONSE_VTBL: IHttpResponse4Vtbl = IHttpResponse4Vtbl {
    base: IHttpResponse3Vtbl {
        base: IHttpResponse2Vtbl {
            base: IHttpResponseVtbl {
                GetRawHttpResponseConst: raw_response_const,
                GetRawHttpResponse: raw_response,
                GetCachePolicy: cache_policy,
                SetStatus: set_status,
                SetHeader: set_header_id,
                SetHeaderByName: set_header_name,
                DeleteHeader: delete_header_id,
                DeleteHeaderByName: delete_header_name,
                GetHeader: get_header_id,
                GetHeaderByName: get_header_name,
                Clear: clear,
                ClearHeaders: clear_headers,
                SetNeedDisconnect: set_need_disconnect,
                ResetConnection: reset_connection,
                DisableKernelCache: disable_kernel_cache,
                GetKernelCacheEnabled: kernel_cache_enabled,
                SuppressHeaders: suppress_headers,
                GetHeadersSuppressed: headers_suppressed,
                Flush: flush1,
                Redirect: redirect1,
                WriteEntityChunkByReference: write_by_reference,
                WriteEntityChunks: write_chunks1,
                DisableBuffering: disable_buffering,
                GetStatus: get_status,
                SetErrorDescription: set_error_description,
                GetErrorDescription: get_error_description,
                GetHeaderChanges: header_changes,
                CloseConnection: close_connection,
            },
            WriteEntityChunks2: write_chunks2,
            Flush2: flush2,
        },
        PushPromise: push_promise,
    },
    DeleteTrailer: delete_trailer,
    GetTrailer: get_trailer,
    ResetStream: reset_stream,
    SetNeedGoAway: set_need_go_away,
    SetTrailer: set_trailer,
};
