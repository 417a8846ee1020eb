//! The ahadmin.h layout proof: every method of every configuration
//! interface sits at its [MS-IISA] opnum (Appendix A, "Full IDL"; the
//! per-interface method tables of section 3.1.4) times the pointer size,
//! after `IUnknown`'s three slots, and `VARIANT` has the Windows size.

/// Interface -> (base interface's slot count, own methods in opnum order),
/// transcribed from the [MS-IISA] opnum tables.
const OPNUMS: &[(&str, usize, &[&str])] = &[
    (
        "IAppHostAdminManager",
        3,
        &[
            "GetAdminSection",
            "GetMetadata",
            "SetMetadata",
            "get_ConfigManager",
        ],
    ),
    (
        "IAppHostElement",
        3,
        &[
            "get_Name",
            "get_Collection",
            "get_Properties",
            "get_ChildElements",
            "GetMetadata",
            "SetMetadata",
            "get_Schema",
            "GetElementByName",
            "GetPropertyByName",
            "Clear",
            "get_Methods",
        ],
    ),
    (
        "IAppHostProperty",
        3,
        &[
            "get_Name",
            "get_Value",
            "put_Value",
            "Clear",
            "get_StringValue",
            "get_Exception",
            "GetMetadata",
            "SetMetadata",
            "get_Schema",
        ],
    ),
    (
        "IAppHostElementCollection",
        3,
        &[
            "get_Count",
            "get_Item",
            "AddElement",
            "DeleteElement",
            "Clear",
            "CreateNewElement",
            "get_Schema",
        ],
    ),
    (
        "IAppHostChildElementCollection",
        3,
        &["get_Count", "get_Item"],
    ),
    ("IAppHostPropertyCollection", 3, &["get_Count", "get_Item"]),
    (
        "IAppHostConfigException",
        3,
        &[
            "get_LineNumber",
            "get_FileName",
            "get_ConfigPath",
            "get_ErrorLine",
            "get_PreErrorLine",
            "get_PostErrorLine",
            "get_ErrorString",
        ],
    ),
    (
        "IAppHostPropertyException",
        10,
        &[
            "get_InvalidValue",
            "get_ValidationFailureReason",
            "get_ValidationFailureParameters",
        ],
    ),
];

#[test]
fn every_ahadmin_method_is_at_its_opnum() {
    let ptr = size_of::<usize>();
    let mut failures = Vec::new();
    for (interface, base, methods) in OPNUMS {
        let Some(layout) = iis_sys::AHADMIN_LAYOUTS
            .iter()
            .find(|l| l.interface == *interface)
        else {
            failures.push(format!("{interface}: not declared"));
            continue;
        };
        if layout.base_slots != *base {
            failures.push(format!(
                "{interface}: base has {} slots, expected {base}",
                layout.base_slots
            ));
        }
        if layout.size != (base + methods.len()) * ptr {
            failures.push(format!("{interface}: vtable is {} bytes", layout.size));
        }
        let names: Vec<&str> = layout.slots.iter().map(|(n, _)| *n).collect();
        if names != *methods {
            failures.push(format!(
                "{interface}: methods {names:?}, expected {methods:?}"
            ));
        }
        for (i, (name, offset)) in layout.slots.iter().enumerate() {
            if *offset != (base + i) * ptr {
                failures.push(format!(
                    "{interface}::{name}: offset {offset}, expected opnum {}",
                    base + i
                ));
            }
        }
    }
    assert_eq!(iis_sys::AHADMIN_LAYOUTS.len(), OPNUMS.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn iunknown_is_three_slots() {
    assert_eq!(size_of::<iis_sys::IUnknownVtbl>(), 3 * size_of::<usize>());
    assert_eq!(
        std::mem::offset_of!(iis_sys::IAppHostPropertyExceptionVtbl, base.base.Release),
        2 * size_of::<usize>()
    );
}

#[test]
fn variant_has_the_windows_size() {
    // 8 bytes of tag and reserved words, then the 16-byte (x64) or 8-byte
    // (x86) payload union.
    let expected = if size_of::<usize>() == 8 { 24 } else { 16 };
    assert_eq!(size_of::<iis_sys::VARIANT>(), expected);
    assert_eq!(std::mem::offset_of!(iis_sys::VARIANT_0_0, Anonymous), 8);
}

#[test]
fn bstr_round_trips_with_its_length_prefix() {
    let text: Vec<u16> = "max-age=31536000".encode_utf16().collect();
    // SAFETY: `text` is readable for its length; the BSTR is freed once.
    unsafe {
        let bstr = iis_sys::SysAllocStringLen(text.as_ptr(), text.len() as u32);
        assert!(!bstr.is_null());
        assert_eq!(iis_sys::SysStringLen(bstr), text.len() as u32);
        assert_eq!(std::slice::from_raw_parts(bstr, text.len()), &text[..]);
        assert_eq!(*bstr.add(text.len()), 0);
        iis_sys::SysFreeString(bstr);
    }
}
