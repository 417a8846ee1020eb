//! `Ref` calls the slot it names, reaches a base interface's slots through
//! `Deref`, and lends what IIS owns; `WStr` accepts only NUL-terminated
//! units.

use iis_sys::{
    HRESULT, IHttpCompletionInfo, IHttpCompletionInfo2, IHttpCompletionInfo2Vtbl,
    IHttpCompletionInfoVtbl, IHttpModuleContextContainer, IHttpPerfCounterInfo, IHttpSite,
    IHttpSiteVtbl, PCWSTR, Ref, WStr, define_member_fn,
};

/// "Default Web Site" with its NUL, as a site hands out its name.
static SITE_NAME: [u16; 17] = {
    let text = *b"Default Web Site\0";
    let mut units = [0u16; 17];
    let mut i = 0;
    while i < text.len() {
        units[i] = text[i] as u16;
        i += 1;
    }
    units
};

define_member_fn! {
    unsafe fn site_id(_this: *mut IHttpSite) -> u32 {
        7
    }
    unsafe fn site_name(_this: *mut IHttpSite) -> PCWSTR {
        PCWSTR(SITE_NAME.as_ptr())
    }
    unsafe fn no_container(_this: *mut IHttpSite) -> *mut IHttpModuleContextContainer {
        core::ptr::null_mut()
    }
    unsafe fn no_counters(_this: *mut IHttpSite) -> *mut IHttpPerfCounterInfo {
        core::ptr::null_mut()
    }
    unsafe fn bytes(_this: *mut IHttpCompletionInfo) -> u32 {
        42
    }
    unsafe fn status(_this: *mut IHttpCompletionInfo) -> HRESULT {
        HRESULT(-1)
    }
    unsafe fn operation(_this: *mut IHttpCompletionInfo2) -> u32 {
        3
    }
}

static SITE_VTBL: IHttpSiteVtbl = IHttpSiteVtbl {
    GetSiteId: site_id,
    GetSiteName: site_name,
    GetModuleContextContainer: no_container,
    GetPerfCounterInfo: no_counters,
};

static INFO2_VTBL: IHttpCompletionInfo2Vtbl = IHttpCompletionInfo2Vtbl {
    base: IHttpCompletionInfoVtbl {
        GetCompletionBytes: bytes,
        GetCompletionStatus: status,
    },
    GetCompletedOperation: operation,
};

#[test]
fn a_ref_calls_the_slot_it_names_and_lends_what_the_object_owns() {
    let mut site = IHttpSite { lpVtbl: &SITE_VTBL };
    // SAFETY: a live site with a full vtable, alive for the whole test.
    let site = unsafe { Ref::from_raw(&raw mut site) }.expect("non-null");
    assert_eq!(site.GetSiteId(), 7);
    let name = site.GetSiteName().expect("a name");
    assert_eq!(
        String::from_utf16(name.as_units()).unwrap(),
        "Default Web Site"
    );
    assert!(site.GetModuleContextContainer().is_none());
    assert!(site.GetPerfCounterInfo().is_none());
}

#[test]
fn a_derived_interface_reaches_its_base_slots_through_deref() {
    let mut info = IHttpCompletionInfo2 {
        lpVtbl: &INFO2_VTBL,
    };
    // SAFETY: a live object with a full vtable, alive for the whole test.
    let info = unsafe { Ref::from_raw(&raw mut info) }.expect("non-null");
    assert_eq!(info.GetCompletedOperation(), 3);
    assert_eq!(info.GetCompletionBytes(), 42);
    assert_eq!(info.GetCompletionStatus(), HRESULT(-1));
}

#[test]
fn null_is_no_handle() {
    // SAFETY: null is never dereferenced.
    assert!(unsafe { Ref::<IHttpSite>::from_raw(core::ptr::null_mut()) }.is_none());
}

#[test]
fn a_wide_string_needs_its_nul() {
    assert!(WStr::from_units_with_nul(&[0x41, 0x42]).is_none());
    assert!(WStr::from_units_with_nul(&[]).is_none());
    let s = WStr::from_units_with_nul(&[0x41, 0x42, 0]).expect("terminated");
    assert_eq!(s.as_units(), &[0x41, 0x42]);
    assert_eq!(s.as_units_with_nul(), &[0x41, 0x42, 0]);
    assert_eq!(format!("{s:?}"), "\"AB\"");
    // SAFETY: a NUL-terminated static.
    let from_ptr = unsafe { WStr::from_ptr(SITE_NAME.as_ptr()) };
    assert_eq!(from_ptr.as_units_with_nul(), &SITE_NAME[..]);
}

#[test]
fn the_priority_aliases_are_their_names_with_a_nul() {
    for (alias, name) in [
        (iis_sys::PRIORITY_ALIAS_FIRST, "FIRST"),
        (iis_sys::PRIORITY_ALIAS_HIGH, "HIGH"),
        (iis_sys::PRIORITY_ALIAS_MEDIUM, "MEDIUM"),
        (iis_sys::PRIORITY_ALIAS_LOW, "LOW"),
        (iis_sys::PRIORITY_ALIAS_LAST, "LAST"),
    ] {
        let units: Vec<u16> = name.encode_utf16().chain([0]).collect();
        assert_eq!(alias.as_units_with_nul(), &units[..]);
    }
}
