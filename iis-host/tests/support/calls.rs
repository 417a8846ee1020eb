//! Host calls through the vtables, as a C++ module makes them.

use super::*;

pub fn response(context: *mut IHttpContext) -> *mut IHttpResponse {
    // SAFETY: a live context from the host.
    unsafe { ((*(*context).lpVtbl).GetResponse)(context) }
}

pub fn request(context: *mut IHttpContext) -> *mut IHttpRequest {
    // SAFETY: a live context from the host.
    unsafe { ((*(*context).lpVtbl).GetRequest)(context) }
}

/// A chunk over `bytes` (which must outlive its use).
fn memory_chunk(bytes: &[u8]) -> HTTP_DATA_CHUNK {
    HTTP_DATA_CHUNK {
        DataChunkType: HttpDataChunkFromMemory,
        Anonymous: HTTP_DATA_CHUNK_0 {
            FromMemory: HTTP_DATA_CHUNK_0_0 {
                pBuffer: bytes.as_ptr().cast_mut().cast(),
                BufferLength: bytes.len() as u32,
            },
        },
    }
}

/// What an asynchronous call returned: its HRESULT, its byte count and
/// whether its completion is pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Started {
    pub hr: HRESULT,
    pub bytes: u32,
    pub pending: bool,
}

/// `ReadEntityBody(buffer, fAsync = TRUE)`; `buffer` must stay valid until
/// the completion.
pub fn read_async(context: *mut IHttpContext, buffer: &mut [u8]) -> Started {
    let request = request(context);
    let (mut bytes, mut pending) = (0u32, BOOL(0));
    // SAFETY: a live request; the buffer outlives the completion (caller).
    let hr = unsafe {
        ((*(*request).lpVtbl).ReadEntityBody)(
            request,
            buffer.as_mut_ptr().cast(),
            buffer.len() as u32,
            BOOL(1),
            &mut bytes,
            &mut pending,
        )
    };
    Started {
        hr,
        bytes,
        pending: pending.as_bool(),
    }
}

/// `IHttpResponse2::WriteEntityChunks(bytes, fAsync = TRUE, routine, context)`.
pub fn write_async(
    context: *mut IHttpContext,
    bytes: &[u8],
    routine: PFN_ASYNC_COMPLETION,
    routine_context: *mut c_void,
) -> Started {
    let response = response(context).cast::<IHttpResponse2>();
    let mut chunk = memory_chunk(bytes);
    let (mut sent, mut pending) = (0u32, BOOL(0));
    // SAFETY: the host's response is an `IHttpResponse4`; the chunk lives for the call.
    let hr = unsafe {
        ((*(*response).lpVtbl).WriteEntityChunks2)(
            response,
            &mut chunk,
            1,
            BOOL(1),
            BOOL(1),
            routine,
            routine_context,
            &mut sent,
            &mut pending,
        )
    };
    Started {
        hr,
        bytes: sent,
        pending: pending.as_bool(),
    }
}

/// `Flush(fAsync = TRUE)`.
pub fn flush_async(context: *mut IHttpContext) -> Started {
    let response = response(context);
    let (mut sent, mut pending) = (0u32, BOOL(0));
    // SAFETY: a live response and out-pointers living for the call.
    let hr = unsafe {
        ((*(*response).lpVtbl).Flush)(response, BOOL(1), BOOL(1), &mut sent, &mut pending)
    };
    Started {
        hr,
        bytes: sent,
        pending: pending.as_bool(),
    }
}

pub fn write(context: *mut IHttpContext, bytes: &[u8]) -> bool {
    let response = response(context);
    let mut chunk = memory_chunk(bytes);
    let mut sent = 0u32;
    let mut completion = BOOL(0);
    // SAFETY: a live response; the chunk and out-pointers live for the call.
    unsafe {
        ((*(*response).lpVtbl).WriteEntityChunks)(
            response,
            &mut chunk,
            1,
            BOOL(0),
            BOOL(1),
            &mut sent,
            &mut completion,
        )
    }
    .is_ok()
}

pub fn disable_buffering(context: *mut IHttpContext) {
    let response = response(context);
    // SAFETY: a live response.
    unsafe { ((*(*response).lpVtbl).DisableBuffering)(response) }
}

pub fn set_header(context: *mut IHttpContext, id: HTTP_HEADER_ID, value: &str) -> bool {
    let response = response(context);
    // SAFETY: a live response; `value` holds `len` bytes.
    unsafe {
        ((*(*response).lpVtbl).SetHeader)(
            response,
            id,
            PCSTR(value.as_ptr()),
            value.len() as u16,
            BOOL(1),
        )
    }
    .is_ok()
}

pub fn set_status(context: *mut IHttpContext, status: u16, reason: &std::ffi::CStr) -> bool {
    set_status_detail(context, status, reason, 0, HRESULT(0), false)
}

/// `SetStatus` with every argument: substatus, `hrErrorToReport` and
/// `fTrySkipCustomErrors`.
pub fn set_status_detail(
    context: *mut IHttpContext,
    status: u16,
    reason: &std::ffi::CStr,
    substatus: u16,
    hr: HRESULT,
    skip_custom_errors: bool,
) -> bool {
    let response = response(context);
    // SAFETY: a live response; a NUL-terminated reason; no exception.
    unsafe {
        ((*(*response).lpVtbl).SetStatus)(
            response,
            status,
            PCSTR(reason.as_ptr().cast()),
            substatus,
            hr,
            std::ptr::null_mut(),
            BOOL::from(skip_custom_errors),
        )
    }
    .is_ok()
}

/// `SetErrorDescription(text, len, fHtmlEncode)`.
pub fn set_error_description(context: *mut IHttpContext, text: &str, html_encode: bool) -> bool {
    let response = response(context);
    let wide: Vec<u16> = text.encode_utf16().chain([0]).collect();
    // SAFETY: a live response; `wide` holds `len` units (and a NUL).
    unsafe {
        ((*(*response).lpVtbl).SetErrorDescription)(
            response,
            PCWSTR(wide.as_ptr()),
            (wide.len() - 1) as u32,
            BOOL::from(html_encode),
        )
    }
    .is_ok()
}

pub fn clear(context: *mut IHttpContext) {
    let response = response(context);
    // SAFETY: a live response.
    unsafe { ((*(*response).lpVtbl).Clear)(response) }
}

pub fn reset_connection(context: *mut IHttpContext) {
    let response = response(context);
    // SAFETY: a live response.
    unsafe { ((*(*response).lpVtbl).ResetConnection)(response) }
}

pub fn need_disconnect(context: *mut IHttpContext) {
    let response = response(context);
    // SAFETY: a live response.
    unsafe { ((*(*response).lpVtbl).SetNeedDisconnect)(response) }
}

pub fn flush(context: *mut IHttpContext) -> bool {
    let response = response(context);
    let mut sent = 0u32;
    let mut completion = BOOL(0);
    // SAFETY: a live response and out-pointers living for the call.
    unsafe { ((*(*response).lpVtbl).Flush)(response, BOOL(0), BOOL(1), &mut sent, &mut completion) }
        .is_ok()
}

pub fn indicate_completion(context: *mut IHttpContext, status: REQUEST_NOTIFICATION_STATUS) {
    // SAFETY: a live (pending) context.
    unsafe { ((*(*context).lpVtbl).IndicateCompletion)(context, status) }
}

pub fn post_completion(context: *mut IHttpContext, bytes: u32) -> bool {
    // SAFETY: a live (pending) context.
    unsafe { ((*(*context).lpVtbl).PostCompletion)(context, bytes) }.is_ok()
}

pub fn set_request_handled(context: *mut IHttpContext) {
    // SAFETY: a live context.
    unsafe { ((*(*context).lpVtbl).SetRequestHandled)(context) }
}

pub fn server_variable(context: *mut IHttpContext, name: &std::ffi::CStr) -> Option<String> {
    let mut value = PCSTR::null();
    let mut len = 0u32;
    // SAFETY: a live context, a NUL-terminated name, writable out-pointers.
    let hr = unsafe {
        ((*(*context).lpVtbl).GetServerVariableA)(
            context,
            PCSTR(name.as_ptr().cast()),
            &mut value,
            &mut len,
        )
    };
    if hr.is_err() {
        return None;
    }
    // SAFETY: the host returned `len` readable bytes.
    Some(
        String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(value.0, len as usize) })
            .into_owned(),
    )
}

pub fn read_body(context: *mut IHttpContext) -> Vec<u8> {
    read_body_to_end(context).unwrap_or_else(|(body, _)| body)
}

/// Reads the body synchronously to its end (`ERROR_HANDLE_EOF`); on another
/// error, what was read and the error.
pub fn read_body_to_end(context: *mut IHttpContext) -> Result<Vec<u8>, (Vec<u8>, HRESULT)> {
    let request = request(context);
    let mut body = Vec::new();
    let mut buffer = [0u8; 7];
    loop {
        let mut read = 0u32;
        let mut pending = BOOL(0);
        // SAFETY: a live request, a writable buffer and out-pointers.
        let hr = unsafe {
            ((*(*request).lpVtbl).ReadEntityBody)(
                request,
                buffer.as_mut_ptr().cast(),
                buffer.len() as u32,
                BOOL(0),
                &mut read,
                &mut pending,
            )
        };
        if hr == HRESULT_ERROR_HANDLE_EOF || (hr.is_ok() && read == 0) {
            return Ok(body);
        }
        if hr.is_err() {
            return Err((body, hr));
        }
        body.extend_from_slice(&buffer[..read as usize]);
    }
}

pub fn set_header_name(
    context: *mut IHttpContext,
    name: &std::ffi::CStr,
    value: &str,
    replace: bool,
) -> bool {
    let response = response(context);
    // SAFETY: a live response, a NUL-terminated name, `len` value bytes.
    unsafe {
        ((*(*response).lpVtbl).SetHeaderByName)(
            response,
            PCSTR(name.as_ptr().cast()),
            PCSTR(value.as_ptr()),
            value.len() as u16,
            BOOL(replace.into()),
        )
    }
    .is_ok()
}

pub fn response_header(context: *mut IHttpContext, name: &std::ffi::CStr) -> Option<String> {
    let response = response(context);
    let mut len = 0u16;
    // SAFETY: a live response, a NUL-terminated name, a writable length.
    let value = unsafe {
        ((*(*response).lpVtbl).GetHeaderByName)(response, PCSTR(name.as_ptr().cast()), &mut len)
    };
    if value.0.is_null() {
        return None;
    }
    // SAFETY: the host returned `len` readable bytes.
    Some(
        String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(value.0, len as usize) })
            .into_owned(),
    )
}

pub fn delete_header_name(context: *mut IHttpContext, name: &std::ffi::CStr) -> bool {
    let response = response(context);
    // SAFETY: a live response and a NUL-terminated name.
    unsafe { ((*(*response).lpVtbl).DeleteHeaderByName)(response, PCSTR(name.as_ptr().cast())) }
        .is_ok()
}

pub fn set_url(context: *mut IHttpContext, url: &str) -> bool {
    let request = request(context);
    // SAFETY: a live request and `len` URL bytes.
    unsafe {
        ((*(*request).lpVtbl).SetUrlA)(request, PCSTR(url.as_ptr()), url.len() as u32, BOOL(1))
    }
    .is_ok()
}

pub fn set_server_variable(context: *mut IHttpContext, name: &std::ffi::CStr, value: &str) -> bool {
    let wide: Vec<u16> = value.encode_utf16().chain([0]).collect();
    // SAFETY: a live context and NUL-terminated strings.
    unsafe {
        ((*(*context).lpVtbl).SetServerVariable)(
            context,
            PCSTR(name.as_ptr().cast()),
            PCWSTR(wide.as_ptr()),
        )
    }
    .is_ok()
}

pub fn redirect(context: *mut IHttpContext, url: &std::ffi::CStr) -> bool {
    let response = response(context);
    // SAFETY: a live response and a NUL-terminated URL.
    unsafe {
        ((*(*response).lpVtbl).Redirect)(response, PCSTR(url.as_ptr().cast()), BOOL(1), BOOL(1))
    }
    .is_ok()
}

/// `MapPath`, first asking for the size as modules do.
pub fn map_path(context: *mut IHttpContext, url: &str) -> Result<String, HRESULT> {
    let wide: Vec<u16> = url.encode_utf16().chain([0]).collect();
    let mut size = 0u32;
    // SAFETY: a live context, a NUL-terminated URL, a writable size.
    let hr = unsafe {
        ((*(*context).lpVtbl).MapPath)(context, PCWSTR(wide.as_ptr()), PWSTR::null(), &mut size)
    };
    if hr.0 as u32 != 0x8007_007A {
        return Err(hr);
    }
    let mut buffer = vec![0u16; size as usize / 2];
    // SAFETY: a buffer of `size` bytes.
    let hr = unsafe {
        ((*(*context).lpVtbl).MapPath)(
            context,
            PCWSTR(wide.as_ptr()),
            PWSTR(buffer.as_mut_ptr()),
            &mut size,
        )
    };
    if hr.is_err() {
        return Err(hr);
    }
    buffer.pop();
    Ok(String::from_utf16_lossy(&buffer))
}

pub fn request_container(context: *mut IHttpContext) -> *mut IHttpModuleContextContainer {
    // SAFETY: a live context.
    unsafe { ((*(*context).lpVtbl).GetModuleContextContainer)(context) }
}

pub fn application_container(context: *mut IHttpContext) -> *mut IHttpModuleContextContainer {
    // SAFETY: a live context and its application.
    unsafe {
        let application = ((*(*context).lpVtbl).GetApplication)(context);
        ((*(*application).lpVtbl).GetModuleContextContainer)(application)
    }
}

pub fn connection_container(context: *mut IHttpContext) -> *mut IHttpModuleContextContainer {
    // SAFETY: a live context and its connection.
    unsafe {
        let connection = ((*(*context).lpVtbl).GetConnection)(context);
        ((*(*connection).lpVtbl).GetModuleContextContainer)(connection).cast()
    }
}
