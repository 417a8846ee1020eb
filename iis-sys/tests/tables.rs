//! The tables of iis-sys: HRESULT values as winerror.h has them, and notification rows covering every slot and mask.

use iis_sys::*;

#[test]
fn hresults_have_the_values_of_winerror_h() {
    let hex = |hr: HRESULT| format!("0x{:08X}", hr.0 as u32);
    assert_eq!(hex(S_OK), "0x00000000");
    assert_eq!(hex(E_NOTIMPL), "0x80004001");
    assert_eq!(hex(E_NOINTERFACE), "0x80004002");
    assert_eq!(hex(E_POINTER), "0x80004003");
    assert_eq!(hex(E_FAIL), "0x80004005");
    assert_eq!(hex(E_ACCESSDENIED), "0x80070005");
    assert_eq!(hex(E_INVALIDARG), "0x80070057");
    assert_eq!(hex(HRESULT_ERROR_FILE_NOT_FOUND), "0x80070002");
    assert_eq!(hex(HRESULT_ERROR_INVALID_DATA), "0x8007000D");
    assert_eq!(hex(HRESULT_ERROR_LOCK_VIOLATION), "0x80070021");
    assert_eq!(hex(HRESULT_ERROR_HANDLE_EOF), "0x80070026");
    assert_eq!(hex(HRESULT_ERROR_ALREADY_ASSIGNED), "0x80070055");
    assert_eq!(hex(HRESULT_ERROR_INSUFFICIENT_BUFFER), "0x8007007A");
    assert_eq!(hex(HRESULT_ERROR_ALREADY_EXISTS), "0x800700B7");
    assert_eq!(hex(HRESULT_ERROR_NO_UNICODE_TRANSLATION), "0x80070459");
    assert_eq!(hex(HRESULT_ERROR_NOT_FOUND), "0x80070490");
    assert_eq!(hex(HRESULT_ERROR_INVALID_INDEX), "0x80070585");
    assert_eq!(hex(HRESULT_ERROR_INVALID_STATE), "0x8007139F");
}

#[test]
fn the_notification_tables_cover_every_slot_and_mask() {
    macro_rules! request_slots {
        ($(
            $variant:ident = $mask:ident:
                $(#[$pre_doc:meta])*
                $pre_hook:ident / $pre_slot:ident ($pre_alias:literal): $pre_provider:ident($pre_raw:ty)
                $(,
                    $(#[$post_doc:meta])*
                    $post_hook:ident / $post_slot:ident ($post_alias:literal): $post_provider:ident($post_raw:ty)
                )?;
        )*) => {
            (
                [$(stringify!($pre_slot) $(, stringify!($post_slot))?),*].len(),
                0 $(| $mask)*,
            )
        };
    }
    let (slots, mask) = request_notifications!(request_slots);
    // 29 notification slots of CHttpModule, less OnAsyncCompletion.
    assert_eq!(slots, 28);
    assert_eq!(
        mask,
        (RequestNotifications::all() - RequestNotifications::SEND_RESPONSE_STATUS_AND_HEADERS)
            .bits()
    );

    macro_rules! global_slots {
        ($(
            $variant:ident = $mask:ident:
                $(#[$doc:meta])*
                $hook:ident / $slot:ident ($alias:literal) $(: $provider:ident($raw:ty))?;
        )*) => {
            ([$(stringify!($slot)),*].len(), 0 $(| $mask)*)
        };
    }
    let (slots, mask) = global_notifications!(global_slots);
    assert_eq!(slots, 16);
    assert_eq!(mask, GlobalNotifications::all().bits());
}
