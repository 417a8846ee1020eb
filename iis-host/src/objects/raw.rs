//! The http.h views of the request and response: `HTTP_REQUEST_V2`
//! (`IHttpRequest::GetRawHttpRequest`) and `HTTP_RESPONSE_V2`
//! (`IHttpResponse::GetRawHttpResponse`).
//!
//! Each is a snapshot built in the request's arena, rebuilt when the request
//! (or response) changed since the last call; earlier snapshots stay valid
//! until the request ends. Writes a module makes through the returned
//! pointer are not read back (iis-host keeps its own state).

use iis_sys::{
    HTTP_COOKED_URL, HTTP_DATA_CHUNK, HTTP_DATA_CHUNK_0, HTTP_DATA_CHUNK_0_0, HTTP_KNOWN_HEADER,
    HTTP_OPAQUE_ID, HTTP_REQUEST, HTTP_REQUEST_HEADERS, HTTP_REQUEST_V1, HTTP_REQUEST_V2,
    HTTP_RESPONSE, HTTP_RESPONSE_HEADERS, HTTP_RESPONSE_V1, HTTP_RESPONSE_V2,
    HTTP_TRANSPORT_ADDRESS, HTTP_UNKNOWN_HEADER, HTTP_VERB, HTTP_VERSION, HttpDataChunkFromMemory,
    HttpVerbCONNECT, HttpVerbCOPY, HttpVerbDELETE, HttpVerbGET, HttpVerbHEAD, HttpVerbLOCK,
    HttpVerbMKCOL, HttpVerbMOVE, HttpVerbOPTIONS, HttpVerbPOST, HttpVerbPROPFIND,
    HttpVerbPROPPATCH, HttpVerbPUT, HttpVerbSEARCH, HttpVerbTRACE, HttpVerbTRACK, HttpVerbUNLOCK,
    HttpVerbUnknown, PCSTR, PCWSTR,
};

use crate::ffi::{Arena, to_wide};
use crate::objects::Foreign;
use crate::objects::headers::{HeaderList, Side};
use crate::state::RequestCore;
use crate::state::request::{RequestData, ResponseData};

/// `HTTP_VERB` of a method (`HttpVerbUnknown` for the others).
pub(crate) fn verb(method: &str) -> HTTP_VERB {
    match method {
        "OPTIONS" => HttpVerbOPTIONS,
        "GET" => HttpVerbGET,
        "HEAD" => HttpVerbHEAD,
        "POST" => HttpVerbPOST,
        "PUT" => HttpVerbPUT,
        "DELETE" => HttpVerbDELETE,
        "TRACE" => HttpVerbTRACE,
        "CONNECT" => HttpVerbCONNECT,
        "TRACK" => HttpVerbTRACK,
        "MOVE" => HttpVerbMOVE,
        "COPY" => HttpVerbCOPY,
        "PROPFIND" => HttpVerbPROPFIND,
        "PROPPATCH" => HttpVerbPROPPATCH,
        "MKCOL" => HttpVerbMKCOL,
        "LOCK" => HttpVerbLOCK,
        "UNLOCK" => HttpVerbUNLOCK,
        "SEARCH" => HttpVerbSEARCH,
        _ => HttpVerbUnknown,
    }
}

fn len16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

/// Known headers (by id) and unknown headers of `list`, in the arena.
fn header_arrays<const N: usize>(
    arena: &Arena,
    list: &HeaderList,
    side: Side,
) -> ([HTTP_KNOWN_HEADER; N], u16, *mut HTTP_UNKNOWN_HEADER) {
    let mut known = [HTTP_KNOWN_HEADER::default(); N];
    for (id, slot) in known.iter_mut().enumerate() {
        let Some(name) = side.name(id as i32) else {
            continue;
        };
        if let Some(value) = list.get(name) {
            *slot = HTTP_KNOWN_HEADER {
                RawValueLength: len16(value.len()),
                pRawValue: arena.cstr(&value),
            };
        }
    }
    let unknown: Vec<HTTP_UNKNOWN_HEADER> = list
        .entries
        .iter()
        .filter(|(name, _)| side.id(name).is_none())
        .map(|(name, value)| HTTP_UNKNOWN_HEADER {
            NameLength: len16(name.len()),
            RawValueLength: len16(value.len()),
            pName: arena.cstr(name.as_bytes()),
            pRawValue: arena.cstr(value),
        })
        .collect();
    let count = len16(unknown.len());
    let pointer = if unknown.is_empty() {
        std::ptr::null_mut()
    } else {
        // The vector is kept unchanged in the arena, so its buffer stays put.
        let kept = arena.keep(unknown);
        // SAFETY: `kept` points at the vector just stored in the arena.
        unsafe { (*kept).as_mut_ptr() }
    };
    (known, count, pointer)
}

/// The `HTTP_REQUEST` of the request as it stands (cached per revision).
pub(crate) fn request(core: &RequestCore, req: &mut RequestData) -> *mut HTTP_REQUEST {
    if let Some((revision, raw)) = req.raw
        && revision == req.revision
    {
        return raw.0;
    }
    let arena = &core.arena;
    let host_header = req
        .headers
        .get("Host")
        .map(|h| String::from_utf8_lossy(&h).into_owned())
        .unwrap_or_else(|| req.local.to_string());
    let path = req.decoded_path();
    let query = req
        .query()
        .map(|q| format!("?{}", String::from_utf8_lossy(q)));
    let prefix = to_wide("http://");
    let host = to_wide(&host_header);
    let abs = to_wide(&path);
    let q = query.as_deref().map(to_wide).unwrap_or_default();
    let mut full = prefix.clone();
    full.extend_from_slice(&host);
    full.extend_from_slice(&abs);
    full.extend_from_slice(&q);
    let full_ptr = arena.wstr(&full);
    let at = |offset: usize| PCWSTR(full_ptr.0.wrapping_add(offset));
    let cooked = HTTP_COOKED_URL {
        FullUrlLength: len16(full.len() * 2),
        HostLength: len16(host.len() * 2),
        AbsPathLength: len16(abs.len() * 2),
        QueryStringLength: len16(q.len() * 2),
        pFullUrl: full_ptr,
        pHost: at(prefix.len()),
        pAbsPath: at(prefix.len() + host.len()),
        pQueryString: if q.is_empty() {
            PCWSTR::null()
        } else {
            at(prefix.len() + host.len() + abs.len())
        },
    };
    let (known, unknown_count, unknown) = header_arrays::<41>(arena, &req.headers, Side::Request);
    let verb = verb(&req.method);
    let (unknown_verb_length, unknown_verb) = if verb == HttpVerbUnknown {
        (len16(req.method.len()), arena.cstr(req.method.as_bytes()))
    } else {
        (0, PCSTR::null())
    };
    let snapshot = HTTP_REQUEST_V2 {
        Base: HTTP_REQUEST_V1 {
            Flags: 0,
            ConnectionId: HTTP_OPAQUE_ID(std::sync::Arc::as_ptr(&core.connection) as usize as u64),
            RequestId: HTTP_OPAQUE_ID(core.id),
            UrlContext: Default::default(),
            Version: HTTP_VERSION {
                MajorVersion: req.version.0,
                MinorVersion: req.version.1,
            },
            Verb: verb,
            UnknownVerbLength: unknown_verb_length,
            RawUrlLength: len16(req.raw_url.len()),
            pUnknownVerb: unknown_verb,
            pRawUrl: arena.cstr(&req.raw_url),
            CookedUrl: cooked,
            Address: HTTP_TRANSPORT_ADDRESS {
                pRemoteAddress: core.remote_address(),
                pLocalAddress: core.local_address(),
            },
            Headers: HTTP_REQUEST_HEADERS {
                UnknownHeaderCount: unknown_count,
                pUnknownHeaders: unknown,
                TrailerCount: 0,
                pTrailers: std::ptr::null_mut(),
                KnownHeaders: known,
            },
            BytesReceived: req.bytes_received(),
            EntityChunkCount: 0,
            pEntityChunks: std::ptr::null_mut(),
            RawConnectionId: HTTP_OPAQUE_ID(0),
            pSslInfo: std::ptr::null_mut(),
        },
        RequestInfoCount: 0,
        pRequestInfo: std::ptr::null_mut(),
    };
    let raw = arena.keep(snapshot);
    req.raw = Some((req.revision, Foreign(raw)));
    raw
}

/// The `HTTP_RESPONSE` of the response as it stands (cached per revision).
pub(crate) fn response(
    core: &RequestCore,
    resp: &mut ResponseData,
    version: (u16, u16),
) -> *mut HTTP_RESPONSE {
    if let Some((revision, raw)) = resp.raw
        && revision == resp.revision
    {
        return raw.0;
    }
    let arena = &core.arena;
    let (known, unknown_count, unknown) = header_arrays::<30>(arena, &resp.headers, Side::Response);
    let chunks: Vec<HTTP_DATA_CHUNK> = resp
        .chunks
        .iter()
        .map(|bytes| HTTP_DATA_CHUNK {
            DataChunkType: HttpDataChunkFromMemory,
            Anonymous: HTTP_DATA_CHUNK_0 {
                FromMemory: HTTP_DATA_CHUNK_0_0 {
                    pBuffer: arena.cstr(bytes).0.cast_mut().cast(),
                    BufferLength: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
                },
            },
        })
        .collect();
    let chunk_count = len16(chunks.len());
    let chunk_pointer = if chunks.is_empty() {
        std::ptr::null_mut()
    } else {
        let kept = arena.keep(chunks);
        // SAFETY: `kept` points at the vector just stored in the arena.
        unsafe { (*kept).as_mut_ptr() }
    };
    let snapshot = HTTP_RESPONSE_V2 {
        Base: HTTP_RESPONSE_V1 {
            Flags: 0,
            Version: HTTP_VERSION {
                MajorVersion: version.0,
                MinorVersion: version.1,
            },
            StatusCode: resp.status,
            ReasonLength: len16(resp.reason.len()),
            pReason: arena.cstr(resp.reason.as_bytes()),
            Headers: HTTP_RESPONSE_HEADERS {
                UnknownHeaderCount: unknown_count,
                pUnknownHeaders: unknown,
                TrailerCount: 0,
                pTrailers: std::ptr::null_mut(),
                KnownHeaders: known,
            },
            EntityChunkCount: chunk_count,
            pEntityChunks: chunk_pointer,
        },
        ResponseInfoCount: 0,
        pResponseInfo: std::ptr::null_mut(),
    };
    let raw = arena.keep(snapshot);
    resp.raw = Some((resp.revision, Foreign(raw)));
    raw
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_follow_http_h() {
        assert_eq!(verb("GET"), 4);
        assert_eq!(verb("OPTIONS"), 3);
        assert_eq!(verb("POST"), 6);
        assert_eq!(verb("SEARCH"), 19);
        assert_eq!(verb("BREW"), 1);
    }
}
