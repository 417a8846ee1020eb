//! Microsoft's `IHttpServer*`, `IHttpApplication*`, `IHttpSite*`,
//! `IMetadataInfo*` and `IHttpPerfCounterInfo*` request samples, ported to
//! safe Rust (tests/modules/samples_global) and run in iis-host.

mod samples_global_support;

use iis_host::{ApiCall, HostConfig, Transcript};
use samples_global_support::{host, host_with, texts};

/// The one request every sample gets.
fn answer(name: &str) -> Transcript {
    host(&[name]).get("/")
}

fn assert_text_plain(t: &Transcript, body: &str) {
    assert_eq!(t.status, 200, "{}", t.body_text());
    assert_eq!(t.header("Content-Type"), Some(&b"text/plain"[..]));
    assert_eq!(t.body_text(), body);
}

fn writes(t: &Transcript) -> Vec<String> {
    t.calls
        .iter()
        .filter_map(|c| match c {
            ApiCall::ResponseWriteEntityChunks { bytes } => {
                Some(String::from_utf8_lossy(bytes).into_owned())
            }
            _ => None,
        })
        .collect()
}

#[test]
fn application_samples_answer_config_path_id_and_physical_path() {
    let t = answer("IHttpApplicationGetAppConfigPath");
    assert_text_plain(
        &t,
        "Application configuration path: MACHINE/WEBROOT/APPHOST/Default Web Site",
    );
    // WriteResponseMessage: the label and the value are two chunks.
    assert_eq!(
        writes(&t),
        [
            "Application configuration path: ",
            "MACHINE/WEBROOT/APPHOST/Default Web Site"
        ]
    );
    assert_text_plain(
        &answer("IHttpApplicationGetApplicationId"),
        "Application ID: /LM/W3SVC/1/ROOT",
    );
    assert_text_plain(
        &answer("IHttpApplicationGetApplicationPhysicalPath"),
        r"Application physical path: C:\inetpub\wwwroot\",
    );
}

#[test]
fn site_samples_answer_the_site_id_and_name_without_a_content_type() {
    let config = HostConfig {
        site_id: 7,
        site_name: "Contoso".to_owned(),
        ..HostConfig::default()
    };
    let host = host_with(&["IHttpSiteGetSiteId"], config.clone());
    let t = host.get("/");
    assert_eq!((t.status, t.body_text().as_str()), (200, "Site ID: 7"));
    assert_eq!(t.header("Content-Type"), None);
    let t = host_with(&["IHttpSiteGetSiteName"], config).get("/");
    assert_eq!(t.body_text(), "Site Name: Contoso");
    assert!(t.calls.contains(&ApiCall::ResponseClear), "{:?}", t.calls);
}

#[test]
fn app_pool_name_is_answered_as_text() {
    assert_text_plain(
        &answer("IHttpServerGetAppPoolName"),
        "Application pool name: DefaultAppPool",
    );
}

#[test]
fn command_line_launch_is_no_under_was_and_yes_under_iis_express() {
    let t = answer("IHttpServerIsCommandLineLaunch");
    assert_eq!(t.body_text(), "Launched from a command-line: No");
    assert_eq!(t.header("Content-Type"), None);
    let express = HostConfig {
        command_line_launch: true,
        ..HostConfig::default()
    };
    let t = host_with(&["IHttpServerIsCommandLineLaunch"], express).get("/");
    assert_eq!(t.body_text(), "Launched from a command-line: Yes");
}

#[test]
fn the_vr_path_of_the_request_is_answered() {
    assert_text_plain(
        &answer("IMetadataInfoGetVrPath"),
        r"pVrPath: C:\inetpub\wwwroot\",
    );
}

#[test]
fn without_a_virtual_directory_user_the_vr_token_sample_continues() {
    let t = answer("IMetadataInfoGetVrToken");
    assert_eq!(t.status, 404, "{}", t.body_text());
    assert_eq!(
        t.notification_lines(),
        ["IMetadataInfoGetVrToken: OnBeginRequest -> CONTINUE"]
    );
}

#[test]
fn the_integrated_mode_precondition_is_satisfied_at_send_response() {
    let t = answer("IHttpServerSatisfiesPrecondition");
    // The body is replaced at the final send; the status of the request
    // (404: nothing handled `/`) stays.
    assert_eq!(t.status, 404);
    assert_eq!(t.header("Content-Type"), Some(&b"text/plain"[..]));
    assert_eq!(t.body_text(), "Satisfies Precondition: Yes");
    assert!(
        t.notification_lines().contains(
            &"IHttpServerSatisfiesPrecondition: OnSendResponse -> FINISH_REQUEST".to_owned()
        ),
        "{:?}",
        t.notification_lines()
    );
}

#[test]
fn a_blocking_request_brackets_its_wait_with_thread_count_hints() {
    for name in [
        "IHttpServerIncrementThreadCount:20",
        "IHttpServerDecrementThreadCount:20",
    ] {
        let started = std::time::Instant::now();
        let t = host(&[name]).get("/");
        assert!(started.elapsed() >= std::time::Duration::from_millis(20));
        assert_eq!(t.status, 404, "continues: {}", t.body_text());
        let hints: Vec<&ApiCall> = t
            .calls
            .iter()
            .filter(|c| matches!(c, ApiCall::ServerThreadCount { .. }))
            .collect();
        assert_eq!(
            hints,
            [
                &ApiCall::ServerThreadCount { increment: true },
                &ApiCall::ServerThreadCount { increment: false }
            ],
            "{name}"
        );
    }
}

#[test]
fn every_request_flushes_default_aspx_from_the_kernel_cache_and_continues() {
    let t = answer("IHttpServerFlushKernelCache");
    assert_eq!(t.status, 404);
    assert!(t.calls.contains(&ApiCall::ServerFlushKernelCache {
        prefix: "/default.aspx".to_owned()
    }));
}

#[test]
fn configuration_and_file_change_notifications_reach_global_modules() {
    let host = host(&[
        "IHttpServerNotifyConfigurationChange",
        "IHttpServerNotifyFileChange",
        "CGlobalModuleGenericGlobalModule",
    ]);
    let t = host.get("/");
    assert_eq!(t.status, 404, "content unchanged");
    let logged = texts(&host);
    for expected in ["OnGlobalConfigurationChange", "OnGlobalFileChange"] {
        assert!(
            logged.iter().any(|l| l == expected),
            "{expected}: {logged:?}"
        );
    }
    let lines: Vec<String> = t.events.iter().map(ToString::to_string).collect();
    assert!(
        lines.contains(
            &"CGlobalModuleGenericGlobalModule: OnGlobalConfigurationChange -> CONTINUE".to_owned()
        ),
        "{lines:?}"
    );
}

#[test]
fn recycling_the_application_restarts_it_after_the_request() {
    let host = host(&[
        "IHttpServerRecycleApplication",
        "CGlobalModuleGlobalApplicationStart",
        "CGlobalModuleGlobalApplicationStop",
    ]);
    let t = host.get("/");
    assert_eq!(t.status, 404, "the response is served");
    assert!(t.calls.contains(&ApiCall::ServerRecycleApplication {
        path: "MACHINE/WEBROOT/APPHOST/Default Web Site".to_owned()
    }));
    assert_eq!(
        texts(&host),
        [
            "OnGlobalApplicationStart",
            "OnGlobalApplicationStop",
            "OnGlobalApplicationStart"
        ]
    );
}

#[test]
fn recycle_process_and_report_unhealthy_are_asked_for_at_send_response() {
    let t = answer("IHttpServerRecycleProcess");
    assert_eq!(t.status, 404, "the current response completes");
    assert!(t.calls.contains(&ApiCall::ServerRecycleProcess {
        reason: "Recycling process.".to_owned()
    }));
    let t = answer("IHttpServerReportUnhealthy");
    assert_eq!(t.status, 404);
    assert!(t.calls.contains(&ApiCall::ServerReportUnhealthy {
        reason: "Out of memory.".to_owned(),
        hr: "0x8007000E".to_owned()
    }));
}

#[test]
fn a_fragment_is_cached_under_the_url_being_mapped() {
    let host = host(&["helper:MapPath", "IHttpServerAddFragmentToCache"]);
    let t = host.get("/");
    assert!(
        t.calls.contains(&ApiCall::ServerAddFragment {
            name: "/fragment.htm".to_owned(),
            bytes: b"Hello World!".to_vec()
        }),
        "{:?}",
        t.calls
    );
    assert_eq!(t.header("Content-Type"), Some(&b"text/plain"[..]));
    assert_eq!(t.body_text(), "\nSUCCEEDED\n");
}

#[test]
fn each_request_increments_site_counter_one() {
    let host = host(&["IHttpSiteGetPerfCounterInfo"]);
    for _ in 0..2 {
        let t = host.get("/");
        assert_eq!(t.status, 404, "no HTTP-visible change");
        assert_eq!(
            t.calls
                .iter()
                .filter(|c| matches!(c, ApiCall::PerfCounter { .. }))
                .collect::<Vec<_>>(),
            [&ApiCall::PerfCounter {
                scope: "site".to_owned(),
                increment: true,
                counter: 1,
                value: 1
            }]
        );
    }
}

#[test]
fn the_perf_counter_skeletons_only_continue() {
    for name in [
        "IHttpPerfCounterInfoIncrementCounter",
        "IHttpPerfCounterInfoDecrementCounter",
    ] {
        let t = answer(name);
        assert_eq!(t.status, 404);
        assert_eq!(
            t.notification_lines(),
            [
                format!("{name}: OnBeginRequest -> CONTINUE"),
                format!("{name}: OnSendResponse -> CONTINUE")
            ]
        );
        assert!(
            !t.calls
                .iter()
                .any(|c| matches!(c, ApiCall::PerfCounter { .. })),
            "{name}"
        );
    }
}

#[test]
fn every_request_increments_server_counter_one_at_pre_begin_request() {
    let host = host(&["IHttpServerGetPerfCounterInfo"]);
    let t = host.get("/");
    assert_eq!(t.status, 404, "no HTTP-visible change");
    assert_eq!(
        t.calls
            .iter()
            .filter(|c| matches!(c, ApiCall::PerfCounter { .. }))
            .collect::<Vec<_>>(),
        [&ApiCall::PerfCounter {
            scope: "server".to_owned(),
            increment: true,
            counter: 1,
            value: 1
        }]
    );
}
