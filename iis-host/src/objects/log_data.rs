//! The request's log entry (`HTTP_LOG_FIELDS_DATA`) behind
//! `ISendResponseProvider::GetLogData`/`SetLogData`.
//!
//! As in IIS, the log data is ready at the final send (the end-of-request
//! send, `GetReadyToLogData` is `TRUE`): iis-host prepares the
//! [`LogRecord`] from the request as it stands just before that send's
//! SendResponse notification. `GetLogData` hands out an
//! `HTTP_LOG_FIELDS_DATA` view of it (strings NUL-terminated, lengths in
//! bytes without the terminator) that stays valid until the notification
//! ends; `SetLogData` copies the module's structure back into the record,
//! which the [`Transcript`](crate::Transcript) reports. Writing to the view
//! without `SetLogData` changes nothing.

use iis_sys::{HTTP_LOG_DATA, HTTP_LOG_FIELDS_DATA, HttpLogDataTypeFields};

use crate::ffi::{bytes, from_wide, to_wide, wide, wstr};
use crate::objects::raw::verb;
use crate::state::RequestCore;
use crate::transcript::LogRecord;

/// The log entry of `core` as it stands (status, headers, user).
pub(crate) fn prepare(core: &RequestCore) -> LogRecord {
    let user = core.with_state(|s| s.req.user);
    let user_name = if user.is_null() {
        String::new()
    } else {
        // SAFETY: a module-supplied user, alive until the request releases
        // it; the host holds no lock while calling into the module.
        let name = unsafe { ((*(*user.0).lpVtbl).GetUserName)(user.0) };
        // SAFETY: the module returns null or a NUL-terminated string.
        unsafe { wstr(name) }.map(from_wide).unwrap_or_default()
    };
    let config = &core.host().config;
    core.with_state(|s| {
        let req = &s.req;
        let header = |name: &str| req.headers.get(name).unwrap_or_default();
        LogRecord {
            user_name,
            uri_stem: req.decoded_path().into_owned(),
            client_ip: req.remote.ip().to_string().into_bytes(),
            server_name: config.computer_name.clone().into_bytes(),
            service_name: format!("W3SVC{}", config.site_id).into_bytes(),
            server_ip: req.local.ip().to_string().into_bytes(),
            method: req.method.as_bytes().to_vec(),
            uri_query: req.query().map(<[u8]>::to_vec).unwrap_or_default(),
            host: header("Host"),
            user_agent: header("User-Agent"),
            cookie: header("Cookie"),
            referrer: header("Referer"),
            server_port: req.local.port(),
            protocol_status: s.resp.status,
            win32_status: 0,
            method_num: verb(&req.method),
            sub_status: s.resp.substatus,
        }
    })
}

/// An `HTTP_LOG_FIELDS_DATA` over buffers it owns.
pub(crate) struct LogView {
    fields: HTTP_LOG_FIELDS_DATA,
    _narrow: Vec<Box<[u8]>>,
    _wide: Vec<Box<[u16]>>,
}

/// A byte length as the structure's `USHORT` (log fields IIS builds fit).
fn len16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

// SAFETY: the structure's pointers point into the buffers the view owns
// (moved with it); the view is only read, by the module it was handed to.
unsafe impl Send for LogView {}

/// The copies between a [`LogRecord`] and an `HTTP_LOG_FIELDS_DATA`, from
/// iis-sys's table of the structure's fields ([`iis_sys::log_fields!`]).
macro_rules! log_record_copies {
    (
        wide { $($(#[$wdoc:meta])* $wide:ident: $wptr:ident, $wlen:ident, $wwhat:literal;)* }
        narrow { $($(#[$ndoc:meta])* $narrow:ident: $nptr:ident, $nlen:ident, $nwhat:literal;)* }
        value { $($(#[$vdoc:meta])* $value:ident: $vfield:ident: $vty:ty;)* }
    ) => {
        impl LogView {
            /// The view of `record`.
            pub(crate) fn new(record: &LogRecord) -> Box<Self> {
                let mut narrow = Vec::new();
                let mut text = |value: &[u8]| -> (*mut i8, u16) {
                    let mut buffer: Box<[u8]> = value.iter().copied().chain([0]).collect();
                    let p = buffer.as_mut_ptr().cast::<i8>();
                    narrow.push(buffer);
                    (p, len16(value.len()))
                };
                let mut wide_buffers = Vec::new();
                let mut wide_text = |value: &str| -> (*mut u16, u16) {
                    let units = to_wide(value);
                    let len = units.len() * 2;
                    let mut buffer: Box<[u16]> = units.into_iter().chain([0]).collect();
                    let p = buffer.as_mut_ptr();
                    wide_buffers.push(buffer);
                    (p, len16(len))
                };
                let mut fields = HTTP_LOG_FIELDS_DATA {
                    Base: HTTP_LOG_DATA {
                        Type: HttpLogDataTypeFields,
                    },
                    $($vfield: record.$value,)*
                    ..Default::default()
                };
                $((fields.$wptr, fields.$wlen) = wide_text(&record.$wide);)*
                $((fields.$nptr, fields.$nlen) = text(&record.$narrow);)*
                Box::new(LogView {
                    fields,
                    _narrow: narrow,
                    _wide: wide_buffers,
                })
            }
            /// The structure, as `GetLogData` returns it.
            pub(crate) fn as_log_data(&mut self) -> *mut HTTP_LOG_DATA {
                (&raw mut self.fields).cast()
            }
        }

        /// The record of `f`; `None` for a null string with a length or a
        /// UTF-16 field with an odd byte length.
        ///
        /// # Safety
        ///
        /// Each string of `f` is null or readable for its length.
        unsafe fn record_of(f: &HTTP_LOG_FIELDS_DATA) -> Option<LogRecord> {
            let narrow = |p: *mut i8, len: u16| -> Option<Vec<u8>> {
                // SAFETY: `len` readable bytes (the caller's contract).
                unsafe { bytes(p.cast_const().cast(), len.into()) }.map(<[u8]>::to_vec)
            };
            let text = |p: *mut u16, len: u16| -> Option<String> {
                if !len.is_multiple_of(2) {
                    return None;
                }
                // SAFETY: `len` readable bytes, `len / 2` units (the caller's contract).
                unsafe { wide(p.cast_const(), usize::from(len) / 2) }.map(from_wide)
            };
            Some(LogRecord {
                $($wide: text(f.$wptr, f.$wlen)?,)*
                $($narrow: narrow(f.$nptr, f.$nlen)?,)*
                $($value: f.$vfield,)*
            })
        }
    };
}
iis_sys::log_fields!(log_record_copies);

/// The record a module's `HTTP_LOG_FIELDS_DATA` describes; `None` when it
/// is not one (null, another log-data type, a null string with a length, a
/// UTF-16 field with an odd byte length).
///
/// # Safety
///
/// `data` is null or points at an `HTTP_LOG_DATA` whose type says how much
/// is readable (`HTTP_LOG_FIELDS_DATA` for `HttpLogDataTypeFields`), with
/// each string readable for its length.
pub(crate) unsafe fn read(data: *const HTTP_LOG_DATA) -> Option<LogRecord> {
    // SAFETY: null or a readable `HTTP_LOG_DATA` (the caller's contract).
    let base = unsafe { data.as_ref() }?;
    if base.Type != HttpLogDataTypeFields {
        return None;
    }
    // SAFETY: the type says it is an `HTTP_LOG_FIELDS_DATA`.
    let f = unsafe { &*data.cast::<HTTP_LOG_FIELDS_DATA>() };
    // SAFETY: each string readable for its length (the caller's contract).
    unsafe { record_of(f) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_reads_back_as_its_record() {
        let record = LogRecord {
            user_name: "DOMAIN\\user".to_owned(),
            uri_stem: "/a b.htm".to_owned(),
            client_ip: b"127.0.0.1".to_vec(),
            server_name: b"IIS-HOST".to_vec(),
            service_name: b"W3SVC1".to_vec(),
            server_ip: b"127.0.0.1".to_vec(),
            method: b"GET".to_vec(),
            uri_query: b"x=1".to_vec(),
            host: b"localhost".to_vec(),
            user_agent: b"test".to_vec(),
            cookie: Vec::new(),
            referrer: Vec::new(),
            server_port: 80,
            protocol_status: 200,
            win32_status: 0,
            method_num: 4,
            sub_status: 0,
        };
        let mut view = LogView::new(&record);
        let data = view.as_log_data();
        // SAFETY: the view is alive and complete.
        assert_eq!(unsafe { read(data) }, Some(record));
        // SAFETY: as above.
        let fields = unsafe { &*data.cast::<HTTP_LOG_FIELDS_DATA>() };
        assert_eq!(fields.ServerNameLength, 8);
        assert_eq!(fields.UriStemLength, 16);
        // SAFETY: NUL-terminated, as modules that `strlen` a field expect.
        assert_eq!(unsafe { *fields.ServerName.add(8) }, 0);
    }

    #[test]
    fn what_is_not_a_fields_record_is_refused() {
        // SAFETY: null is allowed.
        assert_eq!(unsafe { read(std::ptr::null()) }, None);
        let other = HTTP_LOG_DATA { Type: 1 };
        // SAFETY: a readable HTTP_LOG_DATA of another type.
        assert_eq!(unsafe { read(&other) }, None);
        let mut view = LogView::new(&LogRecord::default());
        let data = view.as_log_data();
        // SAFETY: as in the test above; the broken lengths are refused
        // before anything is read.
        unsafe {
            let fields = &mut *data.cast::<HTTP_LOG_FIELDS_DATA>();
            fields.UriStemLength = 3;
            assert_eq!(read(data), None);
            fields.UriStemLength = 0;
            fields.Host = std::ptr::null_mut();
            fields.HostLength = 4;
            assert_eq!(read(data), None);
        }
    }
}
