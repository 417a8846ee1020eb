//! Errors the SDK handles, and the records a module forwards through the
//! `log` bridge, reach the host: the request's transcript, the host's
//! module log (issue 14, item 16).

use iis_host::{ApiCall, HostEvent, LogLevel, ModuleLog};
use iis_module_tests::fixture_host;

/// The records of `log` as `(module, level, target, message)`.
fn lines<'a>(log: impl IntoIterator<Item = &'a ModuleLog>) -> Vec<String> {
    log.into_iter().map(ToString::to_string).collect()
}

#[test]
fn a_failed_hook_says_why_in_the_transcript() {
    let host = fixture_host(&["fails"]).expect("loads");
    let transcript = host.get("/");
    assert_eq!(transcript.status, 500);
    let log: Vec<&ModuleLog> = transcript.module_log().collect();
    assert_eq!(log.len(), 1, "{transcript:#}");
    let record = log[0];
    assert_eq!(record.level, LogLevel::Error);
    assert_eq!(record.module.as_deref(), Some("fails"));
    assert_eq!(record.target, "iis_module");
    assert!(
        record.message.ends_with(
            "Fails::on_authorize_request failed: authorization backend unavailable (0x80004005)"
        ),
        "{record}"
    );
    // What a failing assertion prints shows it too.
    let shown = transcript.to_string();
    assert!(
        shown.contains("module log:\n  error [fails] iis_module: "),
        "{shown}"
    );
    assert_eq!(lines(&host.module_log()), lines(log));
}

#[test]
fn a_failed_global_hook_is_reported_and_the_request_goes_on() {
    let host = fixture_host(&["global_fails"]).expect("loads");
    let transcript = host.get("/");
    assert_eq!(transcript.status, 404, "{transcript}");
    assert_eq!(
        lines(transcript.module_log()),
        [
            "error [global_fails] iis_module: iis-module: global on_pre_begin_request failed: \
          rate limiter unavailable (0x80004005)"
        ],
        "{transcript:#}"
    );
}

#[test]
fn a_reset_connection_whose_hook_continues_is_reported() {
    let host = fixture_host(&["reset_continues"]).expect("loads");
    let transcript = host.get("/");
    assert_eq!(transcript.status, 0, "{transcript}");
    let log = lines(transcript.module_log());
    assert_eq!(log.len(), 1, "{transcript:#}");
    assert!(
        log[0].starts_with("error [reset_continues] iis_module: ")
            && log[0].ends_with(
                "ResetContinues::on_begin_request reset the connection but did not finish \
                 the request; finishing it"
            ),
        "{log:?}"
    );
}

#[test]
fn a_completion_handle_dropped_in_its_hook_is_reported() {
    let host = fixture_host(&["pending"]).expect("loads");
    let transcript = host.get("/?dropped_early");
    assert_eq!(transcript.status, 500, "{transcript}");
    assert!(
        lines(transcript.module_log()).contains(
            &"error [pending] iis_module: iis-module: a CompletionHandle was dropped unused; \
              the request fails"
                .to_owned()
        ),
        "{transcript:#}"
    );
}

#[test]
fn a_completion_handle_dropped_on_another_thread_is_reported() {
    let host = fixture_host(&["pending"]).expect("loads");
    let transcript = host.get("/?dropped");
    assert_eq!(transcript.status, 500, "{transcript}");
    let expected = "error [pending] iis_module: iis-module: a CompletionHandle was dropped \
                    unused; the request fails";
    // Made off the request's thread: in the host's module log.
    assert!(
        lines(&host.module_log()).contains(&expected.to_owned()),
        "{:?}",
        host.module_log()
    );
}

#[test]
fn forwarded_log_records_reach_the_transcript_at_the_bridges_level() {
    let host = fixture_host(&["logs"]).expect("loads");
    // The record made in RegisterModule is the host's (no request).
    let registered = ModuleLog::new(
        Some("logs".into()),
        LogLevel::Warn,
        "iis_test_modules",
        "registered with the log bridge",
    );
    assert_eq!(host.module_log(), std::slice::from_ref(&registered));
    assert!(
        host.events()
            .contains(&HostEvent::Call(ApiCall::Log(registered))),
        "{:?}",
        host.events()
    );

    let transcript = host.get("/x");
    assert_eq!(transcript.body_text(), "logged\n");
    assert_eq!(
        lines(transcript.module_log()),
        [
            "warn [logs] iis_test_modules: slow backend: 1500 ms",
            "error [logs] audit: denied /x",
        ],
        "{transcript:#}"
    );
}

#[test]
fn a_lost_async_hook_is_reported() {
    let host = fixture_host(&["async_hooks"]).expect("loads");
    let transcript = host.get("/?lost");
    assert_eq!(transcript.status, 500, "{transcript}");
    let log = lines(transcript.module_log());
    assert_eq!(log.len(), 1, "{transcript:#}");
    assert!(
        log[0].starts_with("error [async_hooks] iis_module: ")
            && log[0].contains(
                "the hook's future is pending on nothing that can wake it \
                 (every Waker it was given was dropped)"
            ),
        "{log:?}"
    );
}
