//! The request's W3C log entry (http.h's `HTTP_LOG_FIELDS_DATA`): read and
//! replaced by a SendResponse module once IIS has prepared it, at the final
//! send ([`SendResponse::log_data`], [`SendResponse::set_log_data`]).

use super::providers::SendResponse;
use crate::ffi::{self};
use crate::{Error, HttpContext, Result};
use iis_sys::{HTTP_LOG_DATA, HTTP_LOG_FIELDS_DATA, HttpLogDataTypeFields, PCHAR, PWCHAR};
use windows_core::{PCSTR, PCWSTR};

/// `LogFields`, its copy out of IIS and into request memory, from iis-sys's
/// table of the structure's fields ([`iis_sys::log_fields!`], which
/// iis-host reads too).
macro_rules! log_fields_sdk {
    (
        wide { $($(#[$wdoc:meta])* $wide:ident: $wptr:ident, $wlen:ident, $wwhat:literal;)* }
        narrow { $($(#[$ndoc:meta])* $narrow:ident: $nptr:ident, $nlen:ident, $nwhat:literal;)* }
        value { $($(#[$vdoc:meta])* $value:ident: $vfield:ident: $vty:ty;)* }
    ) => {
        /// The fields of the log entry IIS writes for a request (http.h's
        /// `HTTP_LOG_FIELDS_DATA`), copied out of IIS.
        ///
        /// Each field's docs name its W3C log-file field first. The narrow
        /// fields are bytes, as IIS logs them (header values need not be
        /// UTF-8).
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct LogFields {
            $($(#[$wdoc])* pub $wide: String,)*
            $($(#[$ndoc])* pub $narrow: Vec<u8>,)*
            $($(#[$vdoc])* pub $value: $vty,)*
        }

        /// The fields of `f`.
        ///
        /// # Safety
        /// Each string of `f` is null or readable for its length, for the call.
        unsafe fn fields_of(f: &HTTP_LOG_FIELDS_DATA) -> Result<LogFields> {
            Ok(LogFields {
                // SAFETY: the caller's contract (`len / 2` whole units).
                $($wide: text(unsafe {
                    ffi::wide_units(PCWSTR(f.$wptr.cast_const()), usize::from(f.$wlen / 2))
                }, $wwhat)?,)*
                // SAFETY: the caller's contract.
                $($narrow: unsafe {
                    ffi::bytes(PCSTR(f.$nptr.cast_const().cast()), f.$nlen.into())
                }.unwrap_or_default().to_vec(),)*
                $($value: f.$vfield,)*
            })
        }

        /// `fields` as an `HTTP_LOG_FIELDS_DATA` whose strings are copies in
        /// the request memory of `cx`.
        fn structure_of(cx: &HttpContext, fields: &LogFields) -> Result<HTTP_LOG_FIELDS_DATA> {
            let mut data = HTTP_LOG_FIELDS_DATA {
                Base: HTTP_LOG_DATA {
                    Type: HttpLogDataTypeFields,
                },
                $($vfield: fields.$value,)*
                ..Default::default()
            };
            $((data.$wptr, data.$wlen) = wide_field(cx, &fields.$wide, $wwhat)?;)*
            $((data.$nptr, data.$nlen) = narrow_field(cx, &fields.$narrow, $nwhat)?;)*
            Ok(data)
        }
    };
}
iis_sys::log_fields!(log_fields_sdk);

/// A counted UTF-16 string of the structure (`None` for null).
fn text(units: Option<&[u16]>, what: &'static str) -> Result<String> {
    String::from_utf16(units.unwrap_or_default()).map_err(|_| Error::Encoding {
        what,
        encoding: "UTF-16",
        from_client: false,
    })
}

/// The fields of the log data at `data`; `None` for null or another kind
/// of log data.
///
/// # Safety
/// `data` is null or the log data IIS returned, valid for the call.
unsafe fn read(data: *const HTTP_LOG_DATA) -> Result<Option<LogFields>> {
    // SAFETY: null or readable (the caller's contract).
    let Some(base) = (unsafe { data.as_ref() }) else {
        return Ok(None);
    };
    if base.Type != HttpLogDataTypeFields {
        return Ok(None);
    }
    // SAFETY: its type says it is an `HTTP_LOG_FIELDS_DATA`.
    let f = unsafe { &*data.cast::<HTTP_LOG_FIELDS_DATA>() };
    // SAFETY: IIS gives each string field with its length, readable for
    // the call.
    unsafe { fields_of(f) }.map(Some)
}

/// Rejects what would forge or cut a log line, and what the `USHORT`
/// length cannot carry.
fn check(bytes: usize, forbidden: bool, what: &'static str) -> Result<u16> {
    if forbidden {
        return Err(Error::InvalidInput {
            what,
            reason: "contains CR, LF or NUL",
        });
    }
    u16::try_from(bytes).map_err(|_| Error::TooLong {
        what,
        len: bytes,
        max: u16::MAX as usize,
    })
}

/// A narrow field in request memory: pointer and byte length.
fn narrow_field(cx: &HttpContext, value: &[u8], what: &'static str) -> Result<(PCHAR, u16)> {
    let forbidden = value.iter().any(|b| matches!(b, b'\r' | b'\n' | 0));
    let len = check(value.len(), forbidden, what)?;
    let pool = cx.pool();
    let copy = pool.c_str(value, what)?;
    Ok((copy.as_ptr().cast_mut().cast(), len))
}

/// A UTF-16 field in request memory: pointer and byte length.
fn wide_field(cx: &HttpContext, value: &str, what: &'static str) -> Result<(PWCHAR, u16)> {
    let forbidden = value.contains(['\r', '\n', '\0']);
    check(value.encode_utf16().count() * 2, forbidden, what)?;
    let pool = cx.pool();
    let (copy, units) = pool.wide(value, what)?;
    Ok((copy.as_ptr().cast_mut(), (units * 2) as u16))
}

impl SendResponse {
    /// The request's log entry, copied; `None` until IIS has prepared it
    /// (at the final send: [`ready_to_log`](Self::ready_to_log)) or when it
    /// is not an `HTTP_LOG_FIELDS_DATA`.
    ///
    /// # Errors
    /// [`Error::Encoding`] if the user name or URI stem is not valid UTF-16.
    #[doc(alias = "GetLogData")]
    pub fn log_data(&self) -> Result<Option<LogFields>> {
        let data = self.iface().GetLogData();
        // SAFETY: null or IIS's log data, valid during the notification.
        unsafe { read(data) }
    }

    /// Replaces the request's log entry with `fields` (`SetLogData`), built
    /// in the request memory of `cx` so that it lives as long as the request.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a field with CR, LF or NUL (which would
    /// forge or cut log lines); [`Error::TooLong`] for a field over 65,535
    /// bytes (the structure's `USHORT` lengths); [`Error::NullPointer`] if
    /// IIS has no request memory; [`Error::Server`] if IIS refuses (e.g.
    /// before the log data is ready).
    #[doc(alias = "SetLogData")]
    pub fn set_log_data(&mut self, cx: &HttpContext, fields: &LogFields) -> Result<()> {
        let value = structure_of(cx, fields)?;
        let pool = cx.pool();
        let data = pool.uninit::<HTTP_LOG_FIELDS_DATA>(1, "log data")?[0].write(value);
        // SAFETY: the structure and its strings are request memory, valid
        // until the request ends.
        let hr = unsafe { self.iface().SetLogData(core::ptr::from_mut(data).cast()) };
        Error::check("ISendResponseProvider::SetLogData", hr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_fields_record_and_refuses_other_log_data() {
        let mut user: Vec<u16> = "DOMAIN\\u".encode_utf16().collect();
        let mut server = *b"WEB1\0";
        let fields = HTTP_LOG_FIELDS_DATA {
            Base: HTTP_LOG_DATA {
                Type: HttpLogDataTypeFields,
            },
            UserNameLength: (user.len() * 2) as u16,
            UserName: user.as_mut_ptr(),
            ServerNameLength: 4,
            ServerName: server.as_mut_ptr().cast(),
            ServerPort: 80,
            ..Default::default()
        };
        // SAFETY: a complete structure whose strings outlive the call.
        let got = unsafe { read((&raw const fields).cast()) }
            .unwrap()
            .unwrap();
        assert_eq!(got.user_name, "DOMAIN\\u");
        assert_eq!(got.server_name, b"WEB1");
        assert_eq!(got.uri_stem, "");
        assert_eq!(got.server_port, 80);
        let other = HTTP_LOG_DATA { Type: 1 };
        // SAFETY: a readable HTTP_LOG_DATA of another type.
        assert_eq!(unsafe { read(&other) }.unwrap(), None);
        // SAFETY: null is allowed.
        assert_eq!(unsafe { read(core::ptr::null()) }.unwrap(), None);
    }

    #[test]
    fn log_fields_that_would_forge_a_line_or_overflow_are_refused() {
        assert!(matches!(
            check(3, true, "log host"),
            Err(Error::InvalidInput {
                what: "log host",
                ..
            })
        ));
        assert!(matches!(
            check(70_000, false, "log cookie"),
            Err(Error::TooLong {
                len: 70_000,
                max: 65_535,
                ..
            })
        ));
        assert_eq!(check(65_535, false, "log cookie").unwrap(), 65_535);
    }
}
