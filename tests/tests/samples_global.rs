//! Microsoft's `CGlobalModule*` samples and the samples of the global
//! providers, ported to safe Rust (tests/modules/samples_global) and run in
//! iis-host: what they write to the event log is recorded by iis-host's
//! event-log extension and asserted here.

mod samples_global_support;

use iis_host::{ApiCall, GlobalNotification, Host, HostEvent};
use samples_global_support::{entries, host, lines, texts};

/// Runs one request, asserting the module left the response alone (no
/// module handles it: IIS's 404).
fn unchanged_request(host: &Host) {
    let transcript = host.get("/");
    assert_eq!(transcript.status, 404, "{}", transcript.body_text());
}

#[test]
fn hello_world_logs_hello_world_for_every_request() {
    let host = host(&["CGlobalModuleHelloWorld"]);
    unchanged_request(&host);
    unchanged_request(&host);
    assert_eq!(texts(&host), ["Hello World!", "Hello World!"]);
    // Each entry is also a call in the transcript of the request that wrote it.
    let transcript = host.get("/again");
    assert!(
        transcript.calls.iter().any(|c| matches!(
            c,
            ApiCall::ReportEvent(e) if e.strings == ["Hello World!"]
        )),
        "{:?}",
        transcript.calls
    );
}

/// What triggers a notification in iis-host.
type Trigger = fn(&Host);

#[test]
fn each_single_notification_sample_logs_its_notification_name() {
    // (sample, what triggers its notification, how many entries follow)
    let table: [(&str, Trigger, usize); 10] = [
        ("CGlobalModuleGlobalApplicationStart", |_| {}, 1),
        (
            "CGlobalModuleGlobalApplicationStart",
            Host::recycle_application,
            2,
        ),
        ("CGlobalModuleGlobalApplicationResolveModules", |_| {}, 1),
        ("CGlobalModuleGlobalApplicationStop", Host::shutdown, 1),
        (
            "CGlobalModuleGlobalApplicationStop",
            Host::recycle_application,
            1,
        ),
        ("CGlobalModuleGlobalStopListening", Host::shutdown, 1),
        ("CGlobalModuleGlobalPreBeginRequest", unchanged_request, 1),
        (
            "CGlobalModuleGlobalCacheCleanup",
            |h| assert!(!h.notify_cache_cleanup()),
            1,
        ),
        (
            "CGlobalModuleGlobalHealthCheck",
            |h| assert!(!h.notify_health_check()),
            1,
        ),
        (
            "CGlobalModuleGlobalRSCAQuery",
            |h| assert!(!h.notify_rsca_query("GetRequests", "").handled),
            1,
        ),
    ];
    for (name, trigger, count) in table {
        let host = host(&[name]);
        trigger(&host);
        let expected = name.replace("CGlobalModuleGlobal", "OnGlobal");
        assert_eq!(texts(&host), vec![expected; count], "{name}");
    }
}

#[test]
fn the_generic_global_module_logs_every_notification_and_its_lifetime() {
    // Another sample raises the custom notification the generic module also
    // receives.
    let host = host(&[
        "CGlobalModuleGenericGlobalModule",
        "IHttpServerNotifyCustomNotification",
    ]);
    let generic = |host: &Host| -> Vec<String> {
        entries(host)
            .into_iter()
            .filter(|e| e.len() == 1)
            .map(|e| e.join(""))
            .collect()
    };
    assert_eq!(
        generic(&host),
        [
            "MyGlobalModule",
            "OnGlobalApplicationStart",
            "OnGlobalApplicationResolveModules"
        ]
    );
    unchanged_request(&host);
    host.notify_configuration_change("MACHINE/WEBROOT/APPHOST/Default Web Site");
    host.notify_file_change(r"C:\inetpub\wwwroot\default.htm");
    host.notify_cache_cleanup();
    host.notify_health_check();
    host.notify_rsca_query("GetRequests", "");
    host.shutdown();
    assert_eq!(
        generic(&host),
        [
            "MyGlobalModule",
            "OnGlobalApplicationStart",
            "OnGlobalApplicationResolveModules",
            "OnGlobalPreBeginRequest",
            "OnGlobalCustomNotification",
            "OnGlobalThreadCleanup",
            "OnGlobalConfigurationChange",
            "OnGlobalFileChange",
            "OnGlobalCacheCleanup",
            "OnGlobalHealthCheck",
            "OnGlobalRSCAQuery",
            "OnGlobalStopListening",
            "OnGlobalApplicationStop",
            "~MyGlobalModule",
        ]
    );
}

#[test]
fn stop_listening_logs_whether_requests_drain_gracefully() {
    let host = host(&["IGlobalStopListeningProviderDrainRequestsGracefully"]);
    unchanged_request(&host);
    assert!(texts(&host).is_empty());
    host.shutdown();
    assert_eq!(texts(&host), ["Drain Requests Gracefully: Yes"]);
}

#[test]
fn configuration_changes_are_logged_with_their_path_once_a_request_was_seen() {
    let host = host(&["IGlobalConfigurationChangeProviderGetChangePath"]);
    host.notify_configuration_change("MACHINE/WEBROOT/APPHOST");
    assert!(entries(&host).is_empty(), "no request seen yet");
    unchanged_request(&host);
    host.notify_configuration_change("MACHINE/WEBROOT/APPHOST/Default Web Site");
    assert_eq!(
        entries(&host),
        lines(&[&["Path Changed", "MACHINE/WEBROOT/APPHOST/Default Web Site"]])
    );
}

#[test]
fn file_changes_are_logged_with_the_file_once_a_request_was_seen() {
    let host = host(&["IGlobalFileChangeProviderGetFileName"]);
    host.notify_file_change(r"C:\inetpub\wwwroot\web.config");
    assert!(entries(&host).is_empty(), "no request seen yet");
    unchanged_request(&host);
    host.notify_file_change(r"C:\inetpub\wwwroot\default.aspx");
    assert_eq!(
        entries(&host),
        lines(&[&["File Name", r"C:\inetpub\wwwroot\default.aspx"]])
    );
}

#[test]
fn thread_cleanup_after_a_request_logs_the_application_id() {
    let host = host(&["IGlobalThreadCleanupProviderGetApplication"]);
    unchanged_request(&host);
    unchanged_request(&host);
    let expected = [
        "OnGlobalThreadCleanup",
        "Application ID:",
        "/LM/W3SVC/1/ROOT",
    ];
    assert_eq!(entries(&host), lines(&[&expected, &expected]));
    assert!(host.events().iter().any(|e| matches!(
        e,
        HostEvent::GlobalNotification {
            notification: GlobalNotification::ThreadCleanup,
            ..
        }
    )));
}

#[test]
fn an_application_restart_after_a_request_logs_the_physical_path() {
    let host = host(&["IHttpApplicationProviderGetApplication"]);
    assert!(
        entries(&host).is_empty(),
        "the first start precedes any request"
    );
    unchanged_request(&host);
    host.recycle_application();
    assert_eq!(
        entries(&host),
        lines(&[&[
            "OnGlobalApplicationStart",
            "Application Physical Path:",
            r"C:\inetpub\wwwroot\"
        ]])
    );
}

#[test]
fn pre_begin_request_logs_the_site_name_of_each_request() {
    let host = host(&["IPreBeginRequestProviderGetHttpContext"]);
    unchanged_request(&host);
    assert_eq!(entries(&host), lines(&[&["Site Name", "Default Web Site"]]));
}

#[test]
fn resolve_modules_is_logged_when_the_application_starts() {
    let host = host(&["IHttpApplicationResolveModulesProvider"]);
    let expected = ["MyGlobalModule", "OnGlobalApplicationResolveModules"];
    assert_eq!(entries(&host), lines(&[&expected]));
    host.recycle_application();
    assert_eq!(entries(&host), lines(&[&expected, &expected]));
}

#[test]
fn rsca_queries_log_their_function_name_and_parameters() {
    for (name, expected) in [
        (
            "IGlobalRSCAQueryProvider/GetFunctionName",
            &["Function Name:  GetRequests"][..],
        ),
        (
            "IGlobalRSCAQueryProvider/GetFunctionParameters",
            &["Parameters:  elapsed=5000"][..],
        ),
        (
            "IGlobalRSCAQueryProvider",
            &["Function Name:  GetRequests", "Parameters:  elapsed=5000"][..],
        ),
    ] {
        let host = host(&[name]);
        let result = host.notify_rsca_query("GetRequests", "elapsed=5000");
        assert!(!result.handled);
        assert_eq!(texts(&host), expected, "{name}");
    }
}

#[test]
fn the_server_trace_activity_id_is_logged_for_every_request() {
    let host = host(&["IHttpServerGetTraceContext"]);
    unchanged_request(&host);
    let entries = entries(&host);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0][0], "Trace Activity ID");
    let guid = &entries[0][1];
    assert!(
        guid.len() == 38 && guid.starts_with('{') && guid.ends_with('}'),
        "StringFromGUID2 form: {guid}"
    );
}

#[test]
fn a_global_custom_notification_raised_per_request_reaches_the_module() {
    let host = host(&["IHttpServerNotifyCustomNotification"]);
    unchanged_request(&host);
    assert_eq!(
        entries(&host),
        lines(&[
            &["MyGlobalModule", "OnGlobalPreBeginRequest"],
            &["MyGlobalModule", "OnGlobalCustomNotification"],
        ])
    );
}

#[test]
fn request_and_global_halves_log_in_priority_order() {
    for name in [
        "IHttpModuleRegistrationInfoSetGlobalNotifications",
        "IHttpModuleRegistrationInfoSetPriorityForGlobalNotification",
        "IHttpModuleRegistrationInfoSetPriorityForRequestNotification",
        "IHttpModuleRegistrationInfoSetRequestNotifications",
    ] {
        let host = host(&[name]);
        let transcript = host.get("/");
        assert_eq!(transcript.status, 404, "{name}");
        assert_eq!(
            transcript.notification_lines(),
            [format!("{name}: OnBeginRequest -> CONTINUE")],
            "{name}"
        );
        assert_eq!(
            entries(&host),
            lines(&[
                &["MyGlobalModule", "OnGlobalPreBeginRequest"],
                &["MyHttpModule", "OnBeginRequest"],
            ]),
            "{name}"
        );
    }
}

#[test]
fn gpr_rewrites_rpost_to_test_at_pre_begin_request() {
    let host = host(&["_GPR"]);
    let transcript = host.get("/rPost.htm?x=1");
    assert!(
        transcript.calls.iter().any(|c| matches!(
            c,
            ApiCall::RequestSetUrl { url, reset_query: true } if url == "/Test.htm"
        )),
        "{:?}",
        transcript.calls
    );
    assert!(transcript.calls.iter().any(|c| matches!(
        c,
        ApiCall::QuickTrace { data1, data2, .. }
            if data1 == "URL change from rPost to" && data2 == "/Test.htm"
    )));
    // Any other URL is left alone.
    let other = host.get("/other.htm");
    assert!(
        !other
            .calls
            .iter()
            .any(|c| matches!(c, ApiCall::RequestSetUrl { .. })),
        "{:?}",
        other.calls
    );
}
