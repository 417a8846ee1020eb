//! The `HRESULT` values the IIS module ABI passes, declared once for both
//! sides of it (iis-module and iis-host): winerror.h's `S_OK` and `E_*`
//! codes, and the `HRESULT_FROM_WIN32(ERROR_*)` values IIS methods return.
//!
//! windows-core 0.100 declares none of these publicly (its own copies are
//! private), so this table is their one declaration site. A Win32 row gives
//! the `ERROR_*` code and its constant is `HRESULT_FROM_WIN32` of it:
//! `0x8007_0000 | code` (winerror.h's definition for codes up to 0xFFFF).

use windows_core::HRESULT;

macro_rules! hresults {
    (
        com { $($(#[doc = $cdoc:literal])* $com:ident = $value:literal;)* }
        win32 { $($(#[doc = $wdoc:literal])* $hresult:ident = $code:literal;)* }
    ) => {
        $(
            $(#[doc = $cdoc])*
            pub const $com: HRESULT = HRESULT($value as u32 as i32);
        )*
        $(
            $(#[doc = $wdoc])*
            pub const $hresult: HRESULT = HRESULT((0x8007_0000 | ($code as u32 & 0xFFFF)) as i32);
        )*
    };
}

hresults! {
    com {
        /// `S_OK`: success.
        S_OK = 0x0000_0000;
        /// `E_NOTIMPL`: the method is not implemented.
        E_NOTIMPL = 0x8000_4001;
        /// `E_NOINTERFACE`: the object does not have the interface asked for.
        E_NOINTERFACE = 0x8000_4002;
        /// `E_POINTER`: a required pointer was null.
        E_POINTER = 0x8000_4003;
        /// `E_FAIL`: unspecified failure.
        E_FAIL = 0x8000_4005;
        /// `E_ACCESSDENIED` (`HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED)`).
        E_ACCESSDENIED = 0x8007_0005;
        /// `E_INVALIDARG` (`HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER)`): an
        /// argument was rejected.
        E_INVALIDARG = 0x8007_0057;
    }
    win32 {
        /// `HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)` (code 2).
        HRESULT_ERROR_FILE_NOT_FOUND = 2;
        /// `HRESULT_FROM_WIN32(ERROR_INVALID_DATA)` (code 13): e.g. a request
        /// body whose chunked framing is malformed.
        HRESULT_ERROR_INVALID_DATA = 13;
        /// `HRESULT_FROM_WIN32(ERROR_LOCK_VIOLATION)` (code 33): e.g. a
        /// configuration attribute or element that a parent level locked.
        HRESULT_ERROR_LOCK_VIOLATION = 33;
        /// `HRESULT_FROM_WIN32(ERROR_HANDLE_EOF)` (code 38): `ReadEntityBody`
        /// at the end of the entity body.
        HRESULT_ERROR_HANDLE_EOF = 38;
        /// `HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED)` (code 50): e.g. a
        /// trailer on a response that cannot carry one.
        HRESULT_ERROR_NOT_SUPPORTED = 50;
        /// `HRESULT_FROM_WIN32(ERROR_ALREADY_ASSIGNED)` (code 85): a module
        /// context is already set.
        HRESULT_ERROR_ALREADY_ASSIGNED = 85;
        /// `HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER)` (code 122): the
        /// caller's buffer is too small; the size needed was written back.
        HRESULT_ERROR_INSUFFICIENT_BUFFER = 122;
        /// `HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS)` (code 183): e.g. a
        /// configuration collection entry whose key is already there.
        HRESULT_ERROR_ALREADY_EXISTS = 183;
        /// `HRESULT_FROM_WIN32(ERROR_STACK_OVERFLOW)` (code 1001): e.g. child
        /// requests nested deeper than IIS allows.
        HRESULT_ERROR_STACK_OVERFLOW = 1001;
        /// `HRESULT_FROM_WIN32(ERROR_NO_UNICODE_TRANSLATION)` (code 1113):
        /// invalid UTF-8 or UTF-16.
        HRESULT_ERROR_NO_UNICODE_TRANSLATION = 1113;
        /// `HRESULT_FROM_WIN32(ERROR_NOT_FOUND)` (code 1168): no such element
        /// (e.g. no client certificate, an unknown name).
        HRESULT_ERROR_NOT_FOUND = 1168;
        /// `HRESULT_FROM_WIN32(ERROR_CONNECTION_ABORTED)` (code 1236): the
        /// client went away while an I/O operation was outstanding.
        HRESULT_ERROR_CONNECTION_ABORTED = 1236;
        /// `HRESULT_FROM_WIN32(ERROR_INVALID_INDEX)` (code 1413): e.g. an
        /// unknown server variable.
        HRESULT_ERROR_INVALID_INDEX = 1413;
        /// `HRESULT_FROM_WIN32(ERROR_TIMEOUT)` (code 1460): e.g. a request
        /// body that stalled past the server's timer.
        HRESULT_ERROR_TIMEOUT = 1460;
        /// `HRESULT_FROM_WIN32(ERROR_INVALID_STATE)` (code 5023): e.g.
        /// `SetLogData` before the log data is ready.
        HRESULT_ERROR_INVALID_STATE = 5023;
    }
}
