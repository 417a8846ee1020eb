//! `IHttpTraceContext` and the httptrace.h structs: tracing configuration,
//! raising trace events, and reading the events a `GL_TRACE_EVENT` module
//! receives.
//!
//! The httptrace.h structs (`HTTP_TRACE_CONFIGURATION`, `HTTP_TRACE_EVENT`,
//! `HTTP_TRACE_EVENT_ITEM`) are iis-sys's; the safe API copies them into
//! owned values.

use crate::ffi::{self};
use crate::{Error, Result};
use core::marker::PhantomData;
use core::ptr::NonNull;
use iis_sys::Ref;
use iis_sys::{
    GUID, HTTP_TRACE_CONFIGURATION, HTTP_TRACE_EVENT, HTTP_TRACE_EVENT_ITEM, HTTP_TRACE_TYPE,
    HTTP_TRACE_TYPE_BOOL, HTTP_TRACE_TYPE_BYTE, HTTP_TRACE_TYPE_CHAR, HTTP_TRACE_TYPE_LONG,
    HTTP_TRACE_TYPE_LONGLONG, HTTP_TRACE_TYPE_LPCGUID, HTTP_TRACE_TYPE_LPCSTR,
    HTTP_TRACE_TYPE_LPCWSTR, HTTP_TRACE_TYPE_SHORT, HTTP_TRACE_TYPE_ULONG,
    HTTP_TRACE_TYPE_ULONGLONG, HTTP_TRACE_TYPE_USHORT, IHttpTraceContext,
};
use windows_core::{BOOL, HRESULT, PCWSTR};

/// `HTTP_TRACE_EVENT_FLAG_STATIC_DESCRIPTIVE_FIELDS`: the names and
/// descriptions of the event and its items are static strings.
pub const TRACE_EVENT_FLAG_STATIC_DESCRIPTIVE_FIELDS: u32 =
    iis_sys::HTTP_TRACE_EVENT_FLAG_STATIC_DESCRIPTIVE_FIELDS;

/// Whether a trace provider is enabled, for which areas and up to which
/// verbosity (`HTTP_TRACE_CONFIGURATION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceConfiguration {
    /// The provider (`pProviderGuid`).
    pub provider: GUID,
    /// The enabled areas, a bit mask (`dwAreas`).
    pub areas: u32,
    /// The highest verbosity enabled (`dwVerbosity`, 0–5).
    pub verbosity: u32,
    /// Whether the provider is enabled (`fProviderEnabled`).
    pub enabled: bool,
}

/// The value of a trace event item (`HTTP_TRACE_TYPE` and its data).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TraceValue {
    /// `HTTP_TRACE_TYPE_BYTE` (17).
    Byte(u8),
    /// `HTTP_TRACE_TYPE_USHORT` (18).
    UShort(u16),
    /// `HTTP_TRACE_TYPE_ULONG` (19).
    ULong(u32),
    /// `HTTP_TRACE_TYPE_ULONGLONG` (21).
    ULongLong(u64),
    /// `HTTP_TRACE_TYPE_CHAR` (16).
    Char(i8),
    /// `HTTP_TRACE_TYPE_SHORT` (2).
    Short(i16),
    /// `HTTP_TRACE_TYPE_LONG` (3).
    Long(i32),
    /// `HTTP_TRACE_TYPE_LONGLONG` (20).
    LongLong(i64),
    /// `HTTP_TRACE_TYPE_LPCWSTR` (31), a UTF-16 string.
    WideString(String),
    /// `HTTP_TRACE_TYPE_LPCSTR` (30), a narrow string's bytes.
    String(Vec<u8>),
    /// `HTTP_TRACE_TYPE_LPCGUID` (72).
    Guid(GUID),
    /// `HTTP_TRACE_TYPE_BOOL` (11).
    Bool(bool),
    /// Any other type, or data of the wrong size for its type.
    Raw {
        /// The `HTTP_TRACE_TYPE` value.
        data_type: i32,
        /// The bytes.
        data: Vec<u8>,
    },
}

impl TraceValue {
    /// The `HTTP_TRACE_TYPE` of the value.
    pub fn data_type(&self) -> i32 {
        let data_type = match self {
            TraceValue::Byte(_) => HTTP_TRACE_TYPE_BYTE,
            TraceValue::UShort(_) => HTTP_TRACE_TYPE_USHORT,
            TraceValue::ULong(_) => HTTP_TRACE_TYPE_ULONG,
            TraceValue::ULongLong(_) => HTTP_TRACE_TYPE_ULONGLONG,
            TraceValue::Char(_) => HTTP_TRACE_TYPE_CHAR,
            TraceValue::Short(_) => HTTP_TRACE_TYPE_SHORT,
            TraceValue::Long(_) => HTTP_TRACE_TYPE_LONG,
            TraceValue::LongLong(_) => HTTP_TRACE_TYPE_LONGLONG,
            TraceValue::WideString(_) => HTTP_TRACE_TYPE_LPCWSTR,
            TraceValue::String(_) => HTTP_TRACE_TYPE_LPCSTR,
            TraceValue::Guid(_) => HTTP_TRACE_TYPE_LPCGUID,
            TraceValue::Bool(_) => HTTP_TRACE_TYPE_BOOL,
            TraceValue::Raw { data_type, .. } => HTTP_TRACE_TYPE(*data_type),
        };
        data_type.0
    }

    /// The `HTTP_TRACE_TYPE_*` name of the value's type.
    pub fn type_name(&self) -> &'static str {
        match HTTP_TRACE_TYPE(self.data_type()) {
            HTTP_TRACE_TYPE_BYTE => "HTTP_TRACE_TYPE_BYTE",
            HTTP_TRACE_TYPE_USHORT => "HTTP_TRACE_TYPE_USHORT",
            HTTP_TRACE_TYPE_ULONG => "HTTP_TRACE_TYPE_ULONG",
            HTTP_TRACE_TYPE_ULONGLONG => "HTTP_TRACE_TYPE_ULONGLONG",
            HTTP_TRACE_TYPE_CHAR => "HTTP_TRACE_TYPE_CHAR",
            HTTP_TRACE_TYPE_SHORT => "HTTP_TRACE_TYPE_SHORT",
            HTTP_TRACE_TYPE_LONG => "HTTP_TRACE_TYPE_LONG",
            HTTP_TRACE_TYPE_LONGLONG => "HTTP_TRACE_TYPE_LONGLONG",
            HTTP_TRACE_TYPE_LPCWSTR => "HTTP_TRACE_TYPE_LPCWSTR",
            HTTP_TRACE_TYPE_LPCSTR => "HTTP_TRACE_TYPE_LPCSTR",
            HTTP_TRACE_TYPE_LPCGUID => "HTTP_TRACE_TYPE_LPCGUID",
            HTTP_TRACE_TYPE_BOOL => "HTTP_TRACE_TYPE_BOOL",
            _ => "unknown",
        }
    }

    /// The data as IIS carries it (`pbData`, `cbData` bytes): little-endian
    /// numbers, NUL-terminated strings, a GUID as it lies in memory.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            TraceValue::Byte(v) => vec![*v],
            TraceValue::UShort(v) => v.to_le_bytes().to_vec(),
            TraceValue::ULong(v) => v.to_le_bytes().to_vec(),
            TraceValue::ULongLong(v) => v.to_le_bytes().to_vec(),
            TraceValue::Char(v) => v.to_le_bytes().to_vec(),
            TraceValue::Short(v) => v.to_le_bytes().to_vec(),
            TraceValue::Long(v) => v.to_le_bytes().to_vec(),
            TraceValue::LongLong(v) => v.to_le_bytes().to_vec(),
            TraceValue::WideString(s) => s
                .encode_utf16()
                .chain([0])
                .flat_map(u16::to_le_bytes)
                .collect(),
            TraceValue::String(bytes) => bytes.iter().copied().chain([0]).collect(),
            TraceValue::Guid(g) => guid_to_le(g).to_vec(),
            TraceValue::Bool(b) => i32::from(*b).to_le_bytes().to_vec(),
            TraceValue::Raw { data, .. } => data.clone(),
        }
    }

    fn from_bytes(data_type: i32, data: &[u8]) -> Self {
        let raw = || TraceValue::Raw {
            data_type,
            data: data.to_vec(),
        };
        macro_rules! num {
            ($t:ty, $variant:ident) => {
                match <[u8; size_of::<$t>()]>::try_from(data) {
                    Ok(bytes) => TraceValue::$variant(<$t>::from_le_bytes(bytes)),
                    Err(_) => raw(),
                }
            };
        }
        match HTTP_TRACE_TYPE(data_type) {
            HTTP_TRACE_TYPE_BYTE => num!(u8, Byte),
            HTTP_TRACE_TYPE_USHORT => num!(u16, UShort),
            HTTP_TRACE_TYPE_ULONG => num!(u32, ULong),
            HTTP_TRACE_TYPE_ULONGLONG => num!(u64, ULongLong),
            HTTP_TRACE_TYPE_CHAR => num!(i8, Char),
            HTTP_TRACE_TYPE_SHORT => num!(i16, Short),
            HTTP_TRACE_TYPE_LONG => num!(i32, Long),
            HTTP_TRACE_TYPE_LONGLONG => num!(i64, LongLong),
            HTTP_TRACE_TYPE_BOOL => match <[u8; 4]>::try_from(data) {
                Ok(bytes) => TraceValue::Bool(i32::from_le_bytes(bytes) != 0),
                Err(_) => raw(),
            },
            HTTP_TRACE_TYPE_LPCGUID => match <[u8; 16]>::try_from(data) {
                Ok(bytes) => TraceValue::Guid(guid_from_le(bytes)),
                Err(_) => raw(),
            },
            HTTP_TRACE_TYPE_LPCWSTR => {
                let mut units: Vec<u16> = data
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .collect();
                if let Some(end) = units.iter().position(|&u| u == 0) {
                    units.truncate(end);
                }
                match String::from_utf16(&units) {
                    Ok(s) => TraceValue::WideString(s),
                    Err(_) => raw(),
                }
            }
            HTTP_TRACE_TYPE_LPCSTR => {
                let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
                TraceValue::String(data[..end].to_vec())
            }
            _ => raw(),
        }
    }
}

/// A GUID as it lies in memory (`Data1..3` little-endian).
fn guid_to_le(g: &GUID) -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..4].copy_from_slice(&g.data1.to_le_bytes());
    out[4..6].copy_from_slice(&g.data2.to_le_bytes());
    out[6..8].copy_from_slice(&g.data3.to_le_bytes());
    out[8..].copy_from_slice(&g.data4);
    out
}

fn guid_from_le(b: [u8; 16]) -> GUID {
    GUID {
        data1: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        data2: u16::from_le_bytes([b[4], b[5]]),
        data3: u16::from_le_bytes([b[6], b[7]]),
        data4: [b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]],
    }
}

/// One item of a trace event (`HTTP_TRACE_EVENT_ITEM`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceItem {
    /// `pszName`.
    pub name: String,
    /// `dwDataType` with `pbData`/`cbData`.
    pub value: TraceValue,
    /// `pszDataDescription`.
    pub description: String,
}

/// A trace event (`HTTP_TRACE_EVENT`), owned: what a module raises with
/// [`TraceContext::raise_event`] and what a `GL_TRACE_EVENT` module reads
/// with [`TraceEvent::event`](crate::global::TraceEvent::event).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TraceEventData {
    /// `pProviderGuid`.
    pub provider: GUID,
    /// `dwArea`.
    pub area: u32,
    /// `pAreaGuid`.
    pub area_guid: GUID,
    /// `dwEvent`.
    pub event: u32,
    /// `pszEventName`.
    pub name: String,
    /// `dwEventVersion`.
    pub version: u32,
    /// `dwVerbosity`.
    pub verbosity: u32,
    /// `pActivityGuid` (`None` for null).
    pub activity: Option<GUID>,
    /// `pRelatedActivityGuid` (`None` for null).
    pub related_activity: Option<GUID>,
    /// `dwTimeStamp`.
    pub timestamp: u32,
    /// `dwFlags` (e.g. [`TRACE_EVENT_FLAG_STATIC_DESCRIPTIVE_FIELDS`]).
    pub flags: u32,
    /// `pEventItems`.
    pub items: Vec<TraceItem>,
}

impl TraceEventData {
    /// Copies the event IIS passed.
    ///
    /// # Safety
    /// `raw` points at a valid `HTTP_TRACE_EVENT` whose pointers are null or
    /// valid (GUIDs readable, strings NUL-terminated, items: `cEventItems`
    /// of them, each with `cbData` bytes), all for the call.
    pub(crate) unsafe fn from_raw(raw: NonNull<HTTP_TRACE_EVENT>) -> Result<Self> {
        // SAFETY: per the contract.
        let raw = unsafe { raw.as_ref() };
        let items: &[HTTP_TRACE_EVENT_ITEM] = if raw.pEventItems.is_null() {
            &[]
        } else {
            // SAFETY: `cEventItems` items at `pEventItems` (the contract).
            unsafe { core::slice::from_raw_parts(raw.pEventItems, raw.cEventItems as usize) }
        };
        let items = items
            .iter()
            .map(|item| {
                // SAFETY: the item's pointers, per the contract: `cbData`
                // bytes at `pbData` (or null for none); the name and the
                // description NUL-terminated or null.
                let (data, name, description) = unsafe {
                    (
                        ffi::bytes(windows_core::PCSTR(item.pbData), item.cbData as usize),
                        ffi::wide_to_string(item.pszName, "trace item name")?,
                        ffi::wide_to_string(item.pszDataDescription, "trace item description")?,
                    )
                };
                Ok(TraceItem {
                    name: name.unwrap_or_default(),
                    value: TraceValue::from_bytes(item.dwDataType.0, data.unwrap_or_default()),
                    description: description.unwrap_or_default(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // SAFETY: the event's own pointers, per the contract: the GUIDs
        // null or readable, the name NUL-terminated or null.
        let (provider, area_guid, activity, related_activity, name) = unsafe {
            (
                raw.pProviderGuid.as_ref().copied(),
                raw.pAreaGuid.as_ref().copied(),
                raw.pActivityGuid.as_ref().copied(),
                raw.pRelatedActivityGuid.as_ref().copied(),
                ffi::wide_to_string(raw.pszEventName, "trace event name")?,
            )
        };
        Ok(Self {
            provider: provider.unwrap_or_default(),
            area: raw.dwArea,
            area_guid: area_guid.unwrap_or_default(),
            event: raw.dwEvent,
            name: name.unwrap_or_default(),
            version: raw.dwEventVersion,
            verbosity: raw.dwVerbosity,
            activity,
            related_activity,
            timestamp: raw.dwTimeStamp,
            flags: raw.dwFlags,
            items,
        })
    }
}

/// A trace context (`IHttpTraceContext`): of a request
/// ([`HttpContext::trace_context`](crate::HttpContext::trace_context)), of
/// the server ([`HttpServer::trace_context`](crate::HttpServer::trace_context))
/// or of a cache operation.
#[derive(Debug)]
pub struct TraceContext<'a> {
    raw: Ref<'a, IHttpTraceContext>,
    _owner: PhantomData<(&'a (), *mut ())>,
}

impl<'a> TraceContext<'a> {
    pub(crate) fn new(raw: Ref<'a, IHttpTraceContext>) -> Self {
        Self {
            raw,
            _owner: PhantomData,
        }
    }

    /// The raw `IHttpTraceContext`.
    pub fn as_raw(&self) -> *mut IHttpTraceContext {
        self.raw.as_ptr()
    }

    /// The activity id of the traced work (`None` if IIS has none).
    #[doc(alias = "GetTraceActivityId")]
    pub fn activity_id(&self) -> Option<GUID> {
        self.raw.GetTraceActivityId().copied()
    }

    /// How `provider` is configured for this context (`None` passes a null
    /// provider, as some of Microsoft's samples do; the returned
    /// [`TraceConfiguration::provider`] is then the null GUID).
    ///
    /// # Errors
    /// [`Error::Server`].
    #[doc(alias = "GetTraceConfiguration")]
    pub fn configuration(&self, provider: Option<GUID>) -> Result<TraceConfiguration> {
        let mut raw = HTTP_TRACE_CONFIGURATION {
            pProviderGuid: provider.as_ref().map_or(core::ptr::null(), |p| p),
            dwAreas: 0,
            dwVerbosity: 0,
            fProviderEnabled: BOOL(0),
        };
        // SAFETY: `raw` is a valid HTTP_TRACE_CONFIGURATION whose provider
        // GUID lives across the call.
        let hr = unsafe { self.raw.GetTraceConfiguration(&raw mut raw) };
        Error::check("IHttpTraceContext::GetTraceConfiguration", hr)?;
        Ok(TraceConfiguration {
            provider: provider.unwrap_or_default(),
            areas: raw.dwAreas,
            verbosity: raw.dwVerbosity,
            enabled: raw.fProviderEnabled.as_bool(),
        })
    }

    /// Enables (or disables) trace providers for the module `module`
    /// (its [`Registration::module_id`](crate::Registration::module_id)):
    /// a `GL_TRACE_EVENT` module then receives their events.
    ///
    /// # Errors
    /// [`Error::TooLong`] for more than 2^32 - 1 entries; [`Error::Server`].
    #[doc(alias = "SetTraceConfiguration")]
    pub fn set_configuration(
        &self,
        module: crate::ModuleId,
        configurations: &[TraceConfiguration],
    ) -> Result<()> {
        let count = u32::try_from(configurations.len()).map_err(|_| Error::TooLong {
            what: "trace configurations",
            len: configurations.len(),
            max: u32::MAX as usize,
        })?;
        let mut raw: Vec<HTTP_TRACE_CONFIGURATION> = configurations
            .iter()
            .map(|c| HTTP_TRACE_CONFIGURATION {
                pProviderGuid: &c.provider,
                dwAreas: c.areas,
                dwVerbosity: c.verbosity,
                fProviderEnabled: c.enabled.into(),
            })
            .collect();
        // SAFETY: the module id IIS gave the module (a `ModuleId`); `count` valid structs
        // whose GUID pointers borrow `configurations`, all living across the
        // call.
        let hr = unsafe {
            self.raw
                .SetTraceConfiguration(module.as_raw(), raw.as_mut_ptr(), count)
        };
        Error::check("IHttpTraceContext::SetTraceConfiguration", hr)
    }

    /// Raises a trace event (IIS hands it to the `GL_TRACE_EVENT` modules
    /// subscribed to its provider, and to ETW / failed-request tracing).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a name with NUL; [`Error::TooLong`] for
    /// item data over 4 GiB; [`Error::Server`].
    #[doc(alias = "RaiseTraceEvent")]
    pub fn raise_event(&self, event: &TraceEventData) -> Result<()> {
        let wide = |s: &str, what| -> Result<Vec<u16>> {
            if s.contains('\0') {
                return Err(Error::InvalidInput {
                    what,
                    reason: "contains NUL",
                });
            }
            Ok(s.encode_utf16().chain([0]).collect())
        };
        let name = wide(&event.name, "trace event name")?;
        // Item data in u64 buffers, so that IIS may read a UTF-16 string or
        // a number from it at its natural alignment.
        let mut buffers: Vec<ItemBuffers> = Vec::new();
        for item in &event.items {
            let bytes = item.value.to_bytes();
            let len = u32::try_from(bytes.len()).map_err(|_| Error::TooLong {
                what: "trace item data",
                len: bytes.len(),
                max: u32::MAX as usize,
            })?;
            let mut words = vec![0u64; bytes.len().div_ceil(8)];
            // SAFETY: `words` has room for `bytes.len()` bytes (rounded up
            // to whole u64s) and is a distinct allocation.
            unsafe {
                core::ptr::copy_nonoverlapping(
                    bytes.as_ptr(),
                    words.as_mut_ptr().cast::<u8>(),
                    bytes.len(),
                );
            }
            buffers.push(ItemBuffers {
                name: wide(&item.name, "trace item name")?,
                data: words,
                len,
                description: wide(&item.description, "trace item description")?,
            });
        }
        let mut items: Vec<HTTP_TRACE_EVENT_ITEM> = event
            .items
            .iter()
            .zip(buffers.iter_mut())
            .map(|(item, buffers)| HTTP_TRACE_EVENT_ITEM {
                pszName: PCWSTR(buffers.name.as_ptr()),
                dwDataType: HTTP_TRACE_TYPE(item.value.data_type()),
                pbData: buffers.data.as_mut_ptr().cast(),
                cbData: buffers.len,
                pszDataDescription: PCWSTR(buffers.description.as_ptr()),
            })
            .collect();
        let activity = event.activity;
        let related = event.related_activity;
        let mut raw = HTTP_TRACE_EVENT {
            pProviderGuid: &event.provider,
            dwArea: event.area,
            pAreaGuid: &event.area_guid,
            dwEvent: event.event,
            pszEventName: PCWSTR(name.as_ptr()),
            dwEventVersion: event.version,
            dwVerbosity: event.verbosity,
            pActivityGuid: activity.as_ref().map_or(core::ptr::null(), |g| g),
            pRelatedActivityGuid: related.as_ref().map_or(core::ptr::null(), |g| g),
            dwTimeStamp: event.timestamp,
            dwFlags: event.flags,
            cEventItems: items.len() as u32,
            pEventItems: if items.is_empty() {
                core::ptr::null_mut()
            } else {
                items.as_mut_ptr()
            },
        };
        // SAFETY: `raw` is a valid HTTP_TRACE_EVENT and every pointer in it
        // (GUIDs, strings, items and their data) lives across the call.
        let hr = unsafe { self.raw.RaiseTraceEvent(&raw mut raw) };
        Error::check("IHttpTraceContext::RaiseTraceEvent", hr)
    }

    /// Writes a line to the failed-request trace (`QuickTrace`); `level` is
    /// the verbosity (1 fatal … 5 verbose).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for text with NUL; [`Error::Server`].
    #[doc(alias = "QuickTrace")]
    pub fn quick_trace(&self, data1: &str, data2: &str, error: HRESULT, level: u8) -> Result<()> {
        let data1 = ffi::WideBuf::<4096>::new(data1, "trace data")?;
        let data2 = ffi::WideBuf::<4096>::new(data2, "trace data")?;
        let hr = self
            .raw
            .QuickTrace(data1.as_wstr(), data2.as_wstr(), error, level);
        Error::check("IHttpTraceContext::QuickTrace", hr)
    }
}

/// The C strings and data of one item being raised.
struct ItemBuffers {
    name: Vec<u16>,
    /// In u64s, so that IIS may read numbers and UTF-16 at their alignment.
    data: Vec<u64>,
    len: u32,
    description: Vec<u16>,
}

/// Formats a GUID as `StringFromGUID2` does: `{XXXXXXXX-XXXX-…}`.
pub fn guid_string(guid: &GUID) -> String {
    format!("{{{guid:?}}}")
}

impl crate::HttpContext {
    /// The request's trace context (for
    /// [`TraceContext::raise_event`] and the rest of `IHttpTraceContext`).
    #[doc(alias = "GetTraceContext")]
    pub fn trace_context(&self) -> Option<TraceContext<'_>> {
        self.iface().GetTraceContext().map(TraceContext::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_values_round_trip_through_their_bytes() {
        let g = GUID::from_u128(0xa087707e_0103_4b78_b673_f2598c142a68);
        for v in [
            TraceValue::Byte(7),
            TraceValue::ULong(0xdead_beef),
            TraceValue::LongLong(-5),
            TraceValue::WideString("héllo".into()),
            TraceValue::String(b"abc".to_vec()),
            TraceValue::Guid(g),
            TraceValue::Bool(true),
        ] {
            assert_eq!(TraceValue::from_bytes(v.data_type(), &v.to_bytes()), v);
        }
        assert_eq!(guid_string(&g), "{A087707E-0103-4B78-B673-F2598C142A68}");
    }
}
