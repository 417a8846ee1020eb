//! Microsoft's `IHttpCachePolicy` and `IHttpUser` samples, ported to safe
//! Rust (tests/modules/samples_global) and run in iis-host: what they make
//! of the response at `SendResponse`.

mod samples_global_support;

use iis_host::{ApiCall, Transcript};
use samples_global_support::host;

fn answer(name: &str) -> Transcript {
    host(&[name]).get("/")
}

#[test]
fn cache_policy_reports_are_text_lines_of_the_default_policy() {
    for (name, body) in [
        (
            "IHttpCachePolicy/GetKernelCachePolicy",
            "Policy Type:  HttpCachePolicyNocache\r\nSeconds-to-Live:  0\r\n",
        ),
        (
            "IHttpCachePolicy/GetUserCachePolicy",
            "Policy Type:  HttpCachePolicyNocache\r\nSeconds-to-Live:  0\r\n",
        ),
        (
            "IHttpCachePolicy/GetVaryByHeaders",
            "Vary-by-Headers:  NULL\r\n",
        ),
        (
            "IHttpCachePolicy/GetVaryByQueryStrings",
            "Vary-by-Query:  NULL\r\n",
        ),
        (
            "IHttpCachePolicy/GetVaryByValue",
            "Vary-by-Value:  NULL\r\n",
        ),
        ("IHttpCachePolicy/IsCached", "Is Cached:  false\r\n"),
        (
            "IHttpCachePolicy/IsUserCacheEnabled",
            "User Cache Enabled:  false\r\n",
        ),
    ] {
        let t = answer(name);
        assert_eq!(t.header("Content-Type"), Some(&b"text/plain"[..]), "{name}");
        assert_eq!(t.body_text(), body, "{name}");
        assert!(
            t.notification_lines()
                .contains(&format!("{name}: OnSendResponse -> FINISH_REQUEST")),
            "{name}: {:?}",
            t.notification_lines()
        );
    }
}

#[test]
fn the_cache_policy_set_at_begin_request_is_reported_as_xml() {
    let t = answer("IHttpCachePolicy");
    assert_eq!(t.header("Content-Type"), Some(&b"text/xml"[..]));
    assert_eq!(
        t.body_text(),
        concat!(
            r#"<?xml version="1.0"?><response>"#,
            r#"<httpCachePolicy varyByHeaders="header1,header2" varyByQuery="query1,query2" "#,
            r#"varyByValue="vary" isCached="true" isUserCacheEnabled="false">"#,
            r#"<cachePolicy kernelPolicy="HttpCachePolicyTimeToLive" secondsToLive="2"/>"#,
            r#"<cachePolicy userPolicy="HttpCachePolicyMaximum" secondsToLive="5"/>"#,
            r#"</httpCachePolicy></response>"#
        )
    );
}

#[test]
fn user_samples_describe_the_anonymous_user_as_xml() {
    let expected = [
        ("IHttpUser/GetAuthenticationType", r#"<user authType=""/>"#),
        (
            "IHttpUser/GetImpersonationToken",
            r#"<user impersonationToken="NULL"/>"#,
        ),
        ("IHttpUser/GetPassword", r#"<user passWord="[hidden]"/>"#),
        (
            "IHttpUser/GetPrimaryToken",
            r#"<user primaryToken="NULL"/>"#,
        ),
        ("IHttpUser/GetRemoteUserName", r#"<user remoteName=""/>"#),
        ("IHttpUser/GetUserName", r#"<user userName=""/>"#),
        (
            "IHttpUser/GetUserVariable",
            r#"<user userVariable="NULL"/>"#,
        ),
        ("IHttpUser/IsInRole", r#"<user supportsRoles="false"/>"#),
        (
            "IHttpUser/SupportsIsInRole",
            r#"<user supportsRoles="false"/>"#,
        ),
        (
            "IHttpUser",
            concat!(
                r#"<user authType="" impersonationToken="NULL" passWord="[hidden]" "#,
                r#"primaryToken="NULL" remoteName="" userName="" userVariable="NULL" "#,
                r#"supportsRoles="false"/>"#
            ),
        ),
    ];
    for (name, user) in expected {
        let t = answer(name);
        assert_eq!(t.header("Content-Type"), Some(&b"text/xml"[..]), "{name}");
        assert_eq!(
            t.body_text(),
            format!(r#"<?xml version="1.0"?>{user}"#),
            "{name}"
        );
        // The sample continues after writing: the status of the request
        // (IIS's 404 for an unhandled `/`) stays.
        assert_eq!(t.status, 404, "{name}");
        assert!(t.calls.contains(&ApiCall::ResponseClear), "{name}");
    }
}
