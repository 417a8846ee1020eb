//! Small parts of the module API a new user reaches for (issue 14, item
//! 21): header names on the wire, listing the response's headers, the
//! request context.

use iis_module_tests::fixture_host;

/// The header names exactly as the client received them.
fn names(t: &iis_host::Transcript) -> Vec<&str> {
    t.headers.iter().map(|(name, _)| name.as_str()).collect()
}

#[test]
fn http_header_names_go_out_in_the_case_iis_sends() {
    let host = fixture_host(&["header_case"]).expect("loads");
    let t = host.get("/");
    assert_eq!(t.status, 200, "{t}");
    let names = names(&t);
    for expected in [
        "Access-Control-Allow-Origin",
        "X-XSS-Protection",
        "Content-Type",
        // A `&str` name goes out as the module spelled it, as in IIS.
        "x-spelled-by-module",
    ] {
        assert!(names.contains(&expected), "{expected} missing: {names:?}");
    }
    assert_eq!(t.header_str("access-control-allow-origin"), Some("*"));
}

#[test]
fn the_response_headers_can_be_listed() {
    let host = fixture_host(&["header_case"]).expect("loads");
    let t = host.get("/");
    let body = t.body_text();
    let listed: Vec<&str> = body.lines().collect();
    for expected in [
        "Content-Type: text/plain",
        "Access-Control-Allow-Origin: *",
        "X-XSS-Protection: 0",
        "x-spelled-by-module: kept",
    ] {
        assert!(listed.contains(&expected), "{expected} missing: {body}");
    }
}

#[test]
fn the_request_context_is_inserted_once_and_never_silently_replaced() {
    let host = fixture_host(&["header_case"]).expect("loads");
    let body = host.get("/").body_text();
    assert!(body.contains("\ncontext: 42\n"), "{body}");
    // IIS's answer to a second SetModuleContext:
    // HRESULT_FROM_WIN32(ERROR_ALREADY_ASSIGNED).
    assert!(
        body.contains(
            "\nset again: IHttpModuleContextContainer::SetModuleContext failed: 0x80070055"
        ),
        "{body}"
    );
}

#[test]
fn the_prelude_has_what_modules_name() {
    // Compiles only if the prelude exports both.
    use iis_module::prelude::*;
    let _: Option<AuthenticatedUser> = None;
    assert!(HRESULT(0).is_ok());
}
