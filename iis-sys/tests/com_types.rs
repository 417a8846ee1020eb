//! The owning COM types: a `Bstr` keeps its text, a `Variant` reads back
//! what it was made from, and both free what they own once.

use iis_sys::{Bstr, Variant, VariantValue};

#[test]
fn bstr_keeps_its_text() {
    let text = "max-age=31536000; ünïcode 🦀";
    let bstr = Bstr::from_text(text).expect("allocates");
    assert_eq!(bstr.to_string(), text);
    assert_eq!(bstr.len(), text.encode_utf16().count());
    let units: Vec<u16> = text.encode_utf16().collect();
    assert_eq!(Bstr::new(&units).expect("allocates").as_wide(), &units[..]);
    assert!(Bstr::default().is_null() && Bstr::default().is_empty());
    // An unpaired surrogate reads as U+FFFD, as `String::from_utf16_lossy`.
    let lone = Bstr::new(&[0xD800, u16::from(b'a')]).expect("allocates");
    assert_eq!(lone.to_string(), "\u{FFFD}a");
}

#[test]
fn variant_reads_what_it_holds() {
    assert!(matches!(Variant::new().value(), VariantValue::Empty));
    assert!(matches!(Variant::from(-7i32).value(), VariantValue::I4(-7)));
    assert!(matches!(Variant::from(7u32).value(), VariantValue::UI4(7)));
    assert!(matches!(Variant::from(1i64 << 40).value(), VariantValue::I8(n) if n == 1 << 40));
    assert!(matches!(
        Variant::from(true).value(),
        VariantValue::Bool(true)
    ));
    assert_eq!(Variant::from(true).vt(), iis_sys::VT_BOOL as u16);
    assert_eq!(Variant::from(-7i32).value().integer(), Some(-7));
    let text = Variant::from(Bstr::from_text("on").expect("allocates"));
    let VariantValue::Bstr(b) = text.value() else {
        panic!("not a BSTR: {text:?}");
    };
    assert_eq!(b.to_string(), "on");
}

#[test]
fn into_raw_and_from_raw_hand_ownership_over() {
    let raw = Variant::from(Bstr::from_text("kept").expect("allocates")).into_raw();
    // SAFETY: `raw` came from `into_raw`: initialised, its BSTR ours.
    let back = unsafe { Variant::from_raw(raw) };
    assert_eq!(format!("{back:?}"), r#"Variant(Bstr("kept"))"#);
}
