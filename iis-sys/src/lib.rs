//! Raw bindings of the IIS native module API, `httpserv.h`.
//!
//! Every polymorphic class of the header (67 of them, 767 vtable slots) is a
//! `#[repr(C)]` object type whose only field is the vtable pointer, and a
//! `#[repr(C)]` vtable struct with one field per slot **in MSVC order**:
//! overloads grouped and reversed, a derived interface's vtable embedding its
//! base's first (field `base`). Field names are the C++ method names;
//! overloads get a suffix:
//!
//! | C++ overload | field |
//! |---|---|
//! | `GetHeader`/`SetHeader`/`DeleteHeader(HTTP_HEADER_ID, …)` | `GetHeader`, `SetHeader`, `DeleteHeader` |
//! | the same with `PCSTR pszHeaderName` | `GetHeaderByName`, `SetHeaderByName`, `DeleteHeaderByName` |
//! | `GetRawHttpRequest() const` / `GetRawHttpResponse() const` | `GetRawHttpRequestConst` / `GetRawHttpResponseConst` |
//! | `IHttpRequest::SetUrl(PCWSTR, …)` / `SetUrl(PCSTR, …)` | `SetUrl` / `SetUrlA` |
//! | `IHttpContext::GetServerVariable(…, PCWSTR *, …)` / `(…, PCSTR *, …)` | `GetServerVariable` / `GetServerVariableA` |
//! | a derived interface re-declaring a base method (a new slot) | the name plus the interface's digit: `IHttpResponse2::WriteEntityChunks` → `WriteEntityChunks2` |
//! | `CHttpModule`'s virtual destructor (slot 30) | `ScalarDeletingDestructor` (`(this, flags) -> this`) |
//!
//! Member functions use [`member_fn!`]: `thiscall` on 32-bit x86, the C
//! convention elsewhere. `RegisterModule` ([`PFN_REGISTERMODULE`]) and
//! [`PFN_ASYNC_COMPLETION`] are `extern "system"`.
//!
//! The http.h types are generated from Microsoft's Windows metadata with
//! windows-bindgen (`cargo xtask codegen`); `HRESULT`, `BOOL`, `PCSTR`,
//! `PCWSTR` and `GUID` come from `windows-core`. The structs of httptrace.h
//! ([`HTTP_TRACE_EVENT`], [`HTTP_TRACE_EVENT_ITEM`],
//! [`HTTP_TRACE_CONFIGURATION`], [`HTTP_TRACE_TYPE`]), an IIS header that is
//! not in the Windows metadata, are declared by hand. The layout of every
//! vtable is checked against `abi/httpserv.layout` by this crate's tests.
//!
//! The facts both sides of the ABI need are declared here once: the
//! notification tables [`request_notifications!`] and
//! [`global_notifications!`] (which iis-module expands into its module traits
//! and vtables, and iis-host into its notification enums and slot dispatch),
//! and the `HRESULT` values ([`E_INVALIDARG`], [`HRESULT_ERROR_HANDLE_EOF`],
//! …) that module and host exchange.
//!
//! The configuration interfaces of ahadmin.h ([`IAppHostAdminManager`],
//! [`IAppHostElement`], …) are COM interfaces (`extern "system"`, stdcall on
//! x86), in the slot order of Microsoft's [MS-IISA] specification; their
//! `VARIANT` is generated from the Windows metadata, and the `BSTR`/`VARIANT`
//! functions both sides must share ([`SysAllocStringLen`],
//! [`SysFreeString`], [`VariantClear`]) are OleAut32's on Windows and a
//! layout-compatible stand-in elsewhere. Their owning types, windows-rs
//! style, are [`ComPtr`] (an interface pointer holding one reference),
//! [`Bstr`] and [`Variant`]; the ahadmin.h methods of [`Ref`] take and
//! return them, so a configuration read needs no `unsafe`.
//!
//! Every class can also be called through [`Ref`], a typed borrowed object
//! pointer (`#[repr(transparent)]`): its methods, generated from the same
//! slot table (`methods.rs`), keep the field names and are safe wherever
//! every argument is a value, an out-parameter of plain data or a
//! NUL-terminated string ([`WStr`] for `PCWSTR`), `unsafe` with their
//! reason otherwise; getters of what IIS owns as long as the object return
//! it borrowed. The one `unsafe` step is [`Ref::from_raw`], whose contract
//! (the object is live for `'a`) all of them rely on.
//!
//! Apart from that layer and the COM owning types, this crate is pure
//! data: no logic, no build script (the `BSTR` stand-in apart). The safe API is the `iis-module`
//! crate.
// docs.rs builds with `--cfg docsrs` on nightly: cfg-gated items get their badge there.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![no_std]
#![allow(non_snake_case, non_camel_case_types, non_upper_case_globals)]

mod abi;
mod ahadmin;
mod bstr;
mod com;
mod constants;
mod handle;
mod host_extensions;
mod hresults;
mod interfaces;
mod layout;
mod log_fields;
mod methods;
mod notifications;
#[allow(
    dead_code,
    missing_docs,
    missing_debug_implementations,
    clippy::all,
    clippy::undocumented_unsafe_blocks
)]
mod oaut;
mod types;
#[allow(
    missing_docs,
    missing_debug_implementations,
    clippy::all,
    clippy::undocumented_unsafe_blocks
)]
mod win32;

pub use ahadmin::*;
pub use bstr::*;
pub use com::{Bstr, ComInterface, ComPtr, Variant, VariantValue};
pub use constants::*;
pub use handle::*;
pub use host_extensions::*;
pub use hresults::*;
pub use interfaces::*;
pub use layout::*;
pub use oaut::{
    BSTR, CY, CY_0, DECIMAL, DECIMAL_0, DECIMAL_0_0, DECIMAL_1, DECIMAL_1_0, SAFEARRAY,
    SAFEARRAYBOUND, SCODE, VARENUM, VARIANT, VARIANT_0, VARIANT_0_0, VARIANT_0_0_0,
    VARIANT_0_0_0_0, VARIANT_BOOL, VARIANT_FALSE, VARIANT_TRUE, VARTYPE, VT_BOOL, VT_BSTR,
    VT_DISPATCH, VT_EMPTY, VT_I2, VT_I4, VT_I8, VT_INT, VT_NULL, VT_R8, VT_UI1, VT_UI2, VT_UI4,
    VT_UI8, VT_UINT, VT_UNKNOWN,
};
pub use types::*;
pub use win32::*;
pub use windows_core::{BOOL, GUID, HRESULT, PCSTR, PCWSTR, PWSTR};
