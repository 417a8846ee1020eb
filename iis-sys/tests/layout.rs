//! The vtable layout proof: every slot of every class in
//! `abi/httpserv.layout` (derived from the MSVC slot table) must sit at
//! `slot * size_of::<usize>()` in the Rust vtable struct the compiler laid
//! out, and every struct must be exactly `slots * size_of::<usize>()` long.

use std::collections::BTreeMap;

const LAYOUT_FILE: &str = include_str!("../abi/httpserv.layout");

/// Class -> [(slot, field)] as the layout file states it.
fn expected() -> BTreeMap<&'static str, Vec<(usize, &'static str)>> {
    let mut classes: BTreeMap<&str, Vec<(usize, &str)>> = BTreeMap::new();
    for (n, line) in LAYOUT_FILE.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            cols.len(),
            3,
            "line {}: `{line}` is not Class<TAB>slot<TAB>field",
            n + 1
        );
        let slot = cols[1]
            .parse()
            .unwrap_or_else(|_| panic!("line {}: bad slot", n + 1));
        classes.entry(cols[0]).or_default().push((slot, cols[2]));
    }
    classes
}

#[test]
fn every_vtable_slot_is_at_its_msvc_offset() {
    let ptr = size_of::<usize>();
    let expected = expected();
    let mut failures = Vec::new();
    let mut slots_checked = 0;
    for (class, slots) in &expected {
        let Some(actual) = iis_sys::VTABLE_LAYOUTS.iter().find(|l| l.class == *class) else {
            failures.push(format!("{class}: no vtable struct in iis-sys"));
            continue;
        };
        if actual.size != slots.len() * ptr {
            failures.push(format!(
                "{class}: vtable is {} bytes, expected {} slots = {} bytes",
                actual.size,
                slots.len(),
                slots.len() * ptr
            ));
        }
        if actual.slots.len() != slots.len() {
            failures.push(format!(
                "{class}: {} fields, expected {}",
                actual.slots.len(),
                slots.len()
            ));
        }
        for (slot, field) in slots {
            slots_checked += 1;
            match actual.slots.iter().find(|(name, _)| name == field) {
                None => failures.push(format!("{class}::{field} (slot {slot}): missing")),
                Some((_, offset)) if *offset != slot * ptr => failures.push(format!(
                    "{class}::{field}: at offset {offset} (slot {}), expected slot {slot}",
                    offset / ptr
                )),
                Some(_) => {}
            }
        }
    }
    for layout in iis_sys::VTABLE_LAYOUTS {
        if !expected.contains_key(layout.class) {
            failures.push(format!("{}: not in the layout file", layout.class));
        }
    }
    assert!(
        failures.is_empty(),
        "{} layout errors:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(expected.len(), 67, "classes in httpserv.h");
    assert_eq!(slots_checked, 767, "slots in httpserv.h");
}

#[test]
fn objects_are_one_vtable_pointer() {
    assert_eq!(size_of::<iis_sys::IHttpContext>(), size_of::<usize>());
    assert_eq!(size_of::<iis_sys::CHttpModule>(), size_of::<usize>());
    assert_eq!(size_of::<iis_sys::IHttpResponse4>(), size_of::<usize>());
}

#[test]
fn msvc_overload_order_is_kept() {
    // MSVC groups overloads in reverse declaration order: the HTTP_HEADER_ID
    // form of IHttpResponse::SetHeader is slot 4, the PCSTR form slot 5.
    use core::mem::offset_of;
    let ptr = size_of::<usize>();
    assert_eq!(offset_of!(iis_sys::IHttpResponseVtbl, SetHeader), 4 * ptr);
    assert_eq!(
        offset_of!(iis_sys::IHttpResponseVtbl, SetHeaderByName),
        5 * ptr
    );
    assert_eq!(offset_of!(iis_sys::CHttpModuleVtbl, Dispose), 29 * ptr);
    assert_eq!(
        offset_of!(iis_sys::CHttpModuleVtbl, ScalarDeletingDestructor),
        30 * ptr
    );
    assert_eq!(offset_of!(iis_sys::CGlobalModuleVtbl, Terminate), 13 * ptr);
    assert_eq!(
        offset_of!(iis_sys::IHttpResponse2Vtbl, WriteEntityChunks2),
        28 * ptr
    );
}

#[test]
fn interface_ids_match_the_header() {
    use iis_sys::Interface;
    assert_eq!(
        iis_sys::IHttpResponse4::IID,
        iis_sys::GUID::from_u128(0x1a2acc57_cae2_4f28_b4ab_00c8f96b12ec)
    );
    assert_eq!(iis_sys::IHttpServer2::NAME, "IHttpServer2");
}

#[test]
fn notification_masks_have_header_values() {
    use iis_sys::*;
    assert_eq!(RequestNotifications::SEND_RESPONSE.bits(), RQ_SEND_RESPONSE);
    assert_eq!(RQ_SEND_RESPONSE, 0x2000_0000);
    assert_eq!(RQ_MAP_PATH, 0x8000_0000);
    assert_eq!(GL_SUSPEND_PROCESS, 0x0002_0000);
    assert_eq!(RQ_NOTIFICATION_FINISH_REQUEST.0, 2);
    assert_eq!(HttpHeaderContentType, 12);
}

#[test]
fn header_name_tables_follow_http_h_ids() {
    use iis_sys::*;
    assert_eq!(
        HTTP_REQUEST_HEADER_NAMES.len(),
        HttpHeaderRequestMaximum as usize
    );
    assert_eq!(
        HTTP_RESPONSE_HEADER_NAMES.len(),
        HttpHeaderResponseMaximum as usize
    );
    assert_eq!(
        HTTP_REQUEST_HEADER_NAMES[HttpHeaderUserAgent as usize],
        "User-Agent"
    );
    assert_eq!(HTTP_REQUEST_HEADER_NAMES[HttpHeaderHost as usize], "Host");
    assert_eq!(
        HTTP_RESPONSE_HEADER_NAMES[HttpHeaderContentType as usize],
        "Content-Type"
    );
    assert_eq!(
        HTTP_RESPONSE_HEADER_NAMES[HttpHeaderLocation as usize],
        "Location"
    );
    assert_eq!(
        HTTP_RESPONSE_HEADER_NAMES[HttpHeaderWwwAuthenticate as usize],
        "WWW-Authenticate"
    );
}

#[test]
fn httptrace_structs_have_the_header_layout() {
    // httptrace.h's structs are declared by hand: check them field by field
    // against the C layout for 32-bit (x86) and 64-bit pointers.
    use core::mem::offset_of;
    use iis_sys::*;
    let x64 = size_of::<usize>() == 8;
    let at = |x86: usize, x64_offset: usize| if x64 { x64_offset } else { x86 };

    assert_eq!(offset_of!(HTTP_TRACE_EVENT, pProviderGuid), 0);
    assert_eq!(offset_of!(HTTP_TRACE_EVENT, dwArea), at(4, 8));
    assert_eq!(offset_of!(HTTP_TRACE_EVENT, pAreaGuid), at(8, 16));
    assert_eq!(offset_of!(HTTP_TRACE_EVENT, dwEvent), at(12, 24));
    assert_eq!(offset_of!(HTTP_TRACE_EVENT, pszEventName), at(16, 32));
    assert_eq!(offset_of!(HTTP_TRACE_EVENT, dwEventVersion), at(20, 40));
    assert_eq!(offset_of!(HTTP_TRACE_EVENT, dwVerbosity), at(24, 44));
    assert_eq!(offset_of!(HTTP_TRACE_EVENT, pActivityGuid), at(28, 48));
    assert_eq!(
        offset_of!(HTTP_TRACE_EVENT, pRelatedActivityGuid),
        at(32, 56)
    );
    assert_eq!(offset_of!(HTTP_TRACE_EVENT, dwTimeStamp), at(36, 64));
    assert_eq!(offset_of!(HTTP_TRACE_EVENT, dwFlags), at(40, 68));
    assert_eq!(offset_of!(HTTP_TRACE_EVENT, cEventItems), at(44, 72));
    assert_eq!(offset_of!(HTTP_TRACE_EVENT, pEventItems), at(48, 80));
    assert_eq!(size_of::<HTTP_TRACE_EVENT>(), at(52, 88));

    assert_eq!(offset_of!(HTTP_TRACE_EVENT_ITEM, pszName), 0);
    assert_eq!(offset_of!(HTTP_TRACE_EVENT_ITEM, dwDataType), at(4, 8));
    assert_eq!(offset_of!(HTTP_TRACE_EVENT_ITEM, pbData), at(8, 16));
    assert_eq!(offset_of!(HTTP_TRACE_EVENT_ITEM, cbData), at(12, 24));
    assert_eq!(
        offset_of!(HTTP_TRACE_EVENT_ITEM, pszDataDescription),
        at(16, 32)
    );
    assert_eq!(size_of::<HTTP_TRACE_EVENT_ITEM>(), at(20, 40));

    assert_eq!(offset_of!(HTTP_TRACE_CONFIGURATION, pProviderGuid), 0);
    assert_eq!(offset_of!(HTTP_TRACE_CONFIGURATION, dwAreas), at(4, 8));
    assert_eq!(offset_of!(HTTP_TRACE_CONFIGURATION, dwVerbosity), at(8, 12));
    assert_eq!(
        offset_of!(HTTP_TRACE_CONFIGURATION, fProviderEnabled),
        at(12, 16)
    );
    assert_eq!(size_of::<HTTP_TRACE_CONFIGURATION>(), at(16, 24));

    assert_eq!(size_of::<HTTP_TRACE_TYPE>(), 4);
    assert_eq!(HTTP_TRACE_TYPE_LPCGUID.0, 72);
    assert_eq!(HTTP_TRACE_EVENT_FLAG_STATIC_DESCRIPTIVE_FIELDS, 0x01);
}
