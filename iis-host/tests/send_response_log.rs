//! The request's log entry (`ISendResponseProvider::GetReadyToLogData`,
//! `GetLogData`, `SetLogData`) and the file a MapRequestHandler module sets
//! (`IMapHandlerProvider::SetFileInfo`), as raw modules call them.

mod support;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use iis_host::{Host, LogRecord, Notification};
use iis_sys::*;
use support::{Call, Counters, Script, calls};

/// `HRESULT_FROM_WIN32(ERROR_INVALID_STATE)`.
const INVALID_STATE: HRESULT = HRESULT(0x8007_139F_u32 as i32);

fn host(register: PFN_REGISTERMODULE) -> Host {
    Host::builder()
        .module_fn("probe", register)
        .build()
        .unwrap()
}

/// The provider's slots.
fn slots(
    call: &Call,
) -> (
    *mut ISendResponseProvider,
    &'static ISendResponseProviderVtbl,
) {
    let provider = call.provider.cast::<ISendResponseProvider>();
    // SAFETY: the live SendResponse provider of this notification.
    (provider, unsafe { &*(*provider).lpVtbl })
}

/// What the module saw at each send.
static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

static LOG_COUNTERS: Counters = Counters::new();
static LOG: Script = Script {
    on_request: |call| {
        if call.notification == Notification::BeginRequest {
            calls::write(call.context, b"early");
            calls::flush(call.context);
            return RQ_NOTIFICATION_CONTINUE;
        }
        let (p, v) = slots(call);
        let mut seen = SEEN.lock().unwrap();
        // SAFETY: every slot is called on the live provider, and the log
        // data it returns stays valid during the notification.
        unsafe {
            let ready = (v.GetReadyToLogData)(p).as_bool();
            let data = (v.GetLogData)(p);
            if !ready {
                let refused = (v.SetLogData)(p, std::ptr::null_mut()) == INVALID_STATE;
                seen.push(format!(
                    "not ready, data {}, set refused {refused}",
                    !data.is_null()
                ));
                return RQ_NOTIFICATION_CONTINUE;
            }
            let fields = &mut *data.cast::<HTTP_LOG_FIELDS_DATA>();
            let name = std::ffi::CStr::from_ptr(fields.ServerName.cast())
                .to_str()
                .unwrap();
            seen.push(format!(
                "ready, type {}, server {name} ({}), port {}, status {}",
                fields.Base.Type, fields.ServerNameLength, fields.ServerPort, fields.ProtocolStatus
            ));
            seen.push(format!(
                "null {:?}, other type {:?}",
                (v.SetLogData)(p, std::ptr::null_mut()),
                (v.SetLogData)(p, &mut HTTP_LOG_DATA { Type: 1 }),
            ));
            // Written in place, without SetLogData: not taken.
            fields.ServerPort = 1;
            let again = &*(v.GetLogData)(p).cast::<HTTP_LOG_FIELDS_DATA>();
            seen.push(format!("unsubmitted port {}", again.ServerPort));
            fields.ServerPort = 8080;
            let mut query = *b"a=1";
            fields.UriQuery = query.as_mut_ptr().cast();
            fields.UriQueryLength = 3;
            seen.push(format!("set {:?}", (v.SetLogData)(p, data)));
            let after = &*(v.GetLogData)(p).cast::<HTTP_LOG_FIELDS_DATA>();
            seen.push(format!("submitted port {}", after.ServerPort));
        }
        RQ_NOTIFICATION_CONTINUE
    },
    ..Script::new(RQ_BEGIN_REQUEST | RQ_SEND_RESPONSE, 0, &LOG_COUNTERS)
};
module!(register_log, LOG);

#[test]
fn the_log_data_is_ready_at_the_final_send_and_set_log_data_replaces_it() {
    let t = host(register_log).get("/a/page.htm");
    assert_eq!(
        *SEEN.lock().unwrap(),
        [
            "not ready, data false, set refused true",
            "ready, type 0, server IIS-HOST (8), port 80, status 200",
            "null HRESULT(0x80070057), other type HRESULT(0x80070057)",
            "unsubmitted port 80",
            "set HRESULT(0x00000000)",
            "submitted port 8080",
        ]
    );
    assert_eq!(
        t.log,
        Some(LogRecord {
            uri_stem: "/a/page.htm".to_owned(),
            client_ip: b"127.0.0.1".to_vec(),
            server_name: b"IIS-HOST".to_vec(),
            service_name: b"W3SVC1".to_vec(),
            server_ip: b"127.0.0.1".to_vec(),
            method: b"GET".to_vec(),
            uri_query: b"a=1".to_vec(),
            host: b"localhost".to_vec(),
            server_port: 8080,
            protocol_status: 200,
            method_num: HttpVerbGET,
            ..LogRecord::default()
        })
    );
    let set = t
        .calls
        .iter()
        .filter(|c| c.to_string() == "ISendResponseProvider::SetLogData()")
        .count();
    assert_eq!(set, 1, "only the accepted call is recorded");
}

/// A file info a module made, counting its releases.
#[repr(C)]
struct FakeFile {
    vtbl: &'static IHttpFileInfoVtbl,
    released: AtomicUsize,
    path: &'static [u16],
}

fn fake(this: *mut IHttpCacheSpecificData) -> &'static FakeFile {
    // SAFETY: the host calls these slots only on the fakes below.
    unsafe { &*this.cast::<FakeFile>() }
}

define_member_fn! {
    unsafe fn key(_this: *mut IHttpCacheSpecificData) -> *mut IHttpCacheKey { std::ptr::null_mut() }
    unsafe fn reference(_this: *mut IHttpCacheSpecificData) {}
    unsafe fn dereference(this: *mut IHttpCacheSpecificData) {
        fake(this).released.fetch_add(1, Ordering::SeqCst);
    }
    unsafe fn reset_ttl(_this: *mut IHttpCacheSpecificData) {}
    unsafe fn decrement_ttl(_this: *mut IHttpCacheSpecificData, _expired: *mut BOOL) {}
    unsafe fn set_flushed(_this: *mut IHttpCacheSpecificData) {}
    unsafe fn flushed(_this: *mut IHttpCacheSpecificData) -> BOOL { BOOL(0) }
    unsafe fn attributes(_this: *mut IHttpFileInfo) -> u32 { 0x20 }
    unsafe fn size(_this: *mut IHttpFileInfo, _size: *mut u64) {}
    unsafe fn buffer(_this: *mut IHttpFileInfo) -> *const u8 { std::ptr::null() }
    unsafe fn handle(_this: *mut IHttpFileInfo) -> HANDLE { HANDLE(std::ptr::null_mut()) }
    unsafe fn path(this: *mut IHttpFileInfo) -> PCWSTR { PCWSTR(fake(this.cast()).path.as_ptr()) }
    unsafe fn etag(_this: *mut IHttpFileInfo, _len: *mut u16) -> PCSTR { PCSTR::null() }
    unsafe fn modified(_this: *mut IHttpFileInfo, _time: *mut FILETIME) {}
    unsafe fn modified_string(_this: *mut IHttpFileInfo) -> PCSTR { PCSTR::null() }
    unsafe fn cache_allowed(_this: *mut IHttpFileInfo, _ttl: *mut u32) -> BOOL { BOOL(0) }
    unsafe fn access(_this: *mut IHttpFileInfo, _token: HANDLE, _sid: PSID) -> HRESULT { HRESULT(0) }
    unsafe fn vr_token(_this: *mut IHttpFileInfo) -> HANDLE { HANDLE(std::ptr::null_mut()) }
    unsafe fn vr_path(_this: *mut IHttpFileInfo) -> PCWSTR { PCWSTR::null() }
    unsafe fn container(_this: *mut IHttpFileInfo) -> *mut IHttpModuleContextContainer { std::ptr::null_mut() }
    unsafe fn changed(_this: *mut IHttpFileInfo, _token: HANDLE) -> BOOL { BOOL(0) }
}

static FAKE_VTBL: IHttpFileInfoVtbl = IHttpFileInfoVtbl {
    base: IHttpCacheSpecificDataVtbl {
        GetCacheKey: key,
        ReferenceCacheData: reference,
        DereferenceCacheData: dereference,
        ResetTTL: reset_ttl,
        DecrementTTL: decrement_ttl,
        SetFlushed: set_flushed,
        GetFlushed: flushed,
    },
    GetAttributes: attributes,
    GetSize: size,
    GetFileBuffer: buffer,
    GetFileHandle: handle,
    GetFilePath: path,
    GetETag: etag,
    GetLastModifiedTime: modified,
    GetLastModifiedString: modified_string,
    GetHttpCacheAllowed: cache_allowed,
    AccessCheck: access,
    GetVrToken: vr_token,
    GetVrPath: vr_path,
    GetModuleContextContainer: container,
    CheckIfFileHasChanged: changed,
};

/// `s` as a NUL-terminated UTF-16 constant.
macro_rules! wide {
    ($s:literal) => {{
        const UNITS: [u16; $s.len() + 1] = {
            let bytes = $s.as_bytes();
            let mut units = [0u16; $s.len() + 1];
            let mut i = 0;
            while i < bytes.len() {
                units[i] = bytes[i] as u16;
                i += 1;
            }
            units
        };
        &UNITS
    }};
}

static FIRST: FakeFile = FakeFile {
    vtbl: &FAKE_VTBL,
    released: AtomicUsize::new(0),
    path: wide!("first"),
};
static SECOND: FakeFile = FakeFile {
    vtbl: &FAKE_VTBL,
    released: AtomicUsize::new(0),
    path: wide!("second"),
};

fn file(fake: &'static FakeFile) -> *mut IHttpFileInfo {
    (fake as *const FakeFile).cast_mut().cast()
}

/// The file path the handler stage saw, and the releases counted then.
static HANDLER_SAW: Mutex<Option<(String, usize, usize)>> = Mutex::new(None);

static FILE_COUNTERS: Counters = Counters::new();
static FILE: Script = Script {
    on_request: |call| {
        // SAFETY: the provider and context are this notification's, live.
        unsafe {
            if call.notification == Notification::MapRequestHandler {
                let provider = call.provider.cast::<IMapHandlerProvider>();
                let v = &*(*provider).lpVtbl;
                (v.SetFileInfo)(provider, file(&FIRST));
                (v.SetFileInfo)(provider, file(&SECOND));
            } else {
                let info = ((*(*call.context).lpVtbl).GetFileInfo)(call.context);
                let path = ((*(*info).lpVtbl).GetFilePath)(info);
                // Counted here: `PCWSTR::as_wide` uses the C library's
                // `wcslen` (32-bit `wchar_t` off Windows).
                let len = (0..).take_while(|&i| *path.0.add(i) != 0).count();
                *HANDLER_SAW.lock().unwrap() = Some((
                    String::from_utf16_lossy(std::slice::from_raw_parts(path.0, len)),
                    FIRST.released.load(Ordering::SeqCst),
                    SECOND.released.load(Ordering::SeqCst),
                ));
                calls::write(call.context, b"served");
            }
        }
        RQ_NOTIFICATION_CONTINUE
    },
    ..Script::new(
        RQ_MAP_REQUEST_HANDLER | RQ_EXECUTE_REQUEST_HANDLER,
        0,
        &FILE_COUNTERS,
    )
};
module!(register_file, FILE);

#[test]
fn set_file_info_takes_over_the_callers_reference_and_releases_it() {
    let t = host(register_file).get("/default.htm");
    assert_eq!(t.body_text(), "served");
    // The replaced file was released at once; the request's file is
    // released when the request ends.
    assert_eq!(
        *HANDLER_SAW.lock().unwrap(),
        Some(("second".to_owned(), 1, 0))
    );
    assert_eq!(FIRST.released.load(Ordering::SeqCst), 1);
    assert_eq!(SECOND.released.load(Ordering::SeqCst), 1);
}
