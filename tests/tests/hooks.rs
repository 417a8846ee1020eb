//! The safe API's dispatch, as IIS would drive it: the test module library
//! is loaded by iis-host and its modules run through the pipeline.

use iis_host::http::ConnectionFate;
use iis_host::{HostError, Notification};
use iis_module_tests::fixture_host;

fn request(method: &str, uri: &str, body: &[u8]) -> http::Request<Vec<u8>> {
    http::Request::builder()
        .method(method)
        .uri(uri)
        .header("Host", "localhost")
        .header("User-Agent", "hooks-test")
        .body(body.to_vec())
        .expect("valid request")
}

#[test]
fn every_hook_is_dispatched_and_subscribed() {
    let host = fixture_host(&["all_hooks"]).expect("loads");
    let transcript = host.run(request("POST", "/hello", b"hello"));
    assert_eq!(transcript.status, 200, "{}", transcript.body_text());
    assert_eq!(
        transcript.body_text(),
        "ok 5 bytes, /mapped -> C:\\mapped\\mapped\n"
    );
    let seen: Vec<(Notification, bool)> = transcript
        .notifications
        .iter()
        .map(|n| (n.notification, n.post))
        .collect();
    for stage in Notification::STAGES {
        assert!(seen.contains(&(stage, false)), "{stage} missing: {seen:?}");
        assert!(
            seen.contains(&(stage, true)),
            "post {stage} missing: {seen:?}"
        );
    }
    for other in [
        Notification::SendResponse,
        Notification::MapPath,
        Notification::ReadEntity,
    ] {
        assert!(seen.contains(&(other, false)), "{other} missing: {seen:?}");
    }
    // Stages come in pipeline order, each post right after its pre.
    let stages: Vec<(Notification, bool)> = seen
        .iter()
        .copied()
        .filter(|(n, _)| Notification::STAGES.contains(n))
        .collect();
    let expected: Vec<(Notification, bool)> = Notification::STAGES
        .iter()
        .flat_map(|&s| [(s, false), (s, true)])
        .collect();
    assert_eq!(stages, expected);
}

#[test]
fn a_module_gets_only_the_notifications_it_implements() {
    let host = fixture_host(&["headers"]).expect("loads");
    let transcript = host.get("/");
    assert_eq!(
        transcript.notification_lines(),
        ["headers: OnExecuteRequestHandler -> CONTINUE"]
    );
}

#[test]
fn header_injection_is_a_typed_error_and_never_reaches_the_client() {
    let host = fixture_host(&["headers"]).expect("loads");
    let transcript = host.run(request("GET", "/", b""));
    let body = transcript.body_text();
    for expected in [
        "crlf value: invalid header value: contains CR or LF (response splitting)",
        "lf value: invalid header value: contains CR or LF (response splitting)",
        "nul value: invalid header value: contains NUL",
        "bad name: invalid header name: not an HTTP token",
        "long value: header value is 70000 bytes, more than the 65535 IIS accepts",
        "status 1000: invalid HTTP status code 1000",
        "user-agent: hooks-test",
    ] {
        assert!(body.contains(expected), "{expected:?} not in {body:?}");
    }
    assert_eq!(transcript.header("X-Test"), None);
    assert_eq!(transcript.header("Set-Cookie"), None);
    assert_eq!(transcript.header("X-Good"), Some(&b"fine"[..]));
    assert_eq!(transcript.header("Cache-Control"), Some(&b"no-store"[..]));
    let multi: Vec<&[u8]> = transcript
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("X-Multi"))
        .map(|(_, v)| v.as_slice())
        .collect();
    assert!(
        multi == [&b"one"[..], b"two"] || multi == [&b"one,two"[..]],
        "{multi:?}"
    );
}

#[test]
fn a_panic_whose_payload_panics_again_in_drop_is_a_500_not_an_abort() {
    let host = fixture_host(&["panics_twice"]).expect("loads");
    for _ in 0..2 {
        let transcript = host.get("/");
        assert_eq!(transcript.status, 500, "{transcript}");
        assert_eq!(
            transcript.notification_lines()[0],
            "panics_twice: OnBeginRequest -> FINISH_REQUEST"
        );
    }
}

#[test]
fn a_module_that_panics_in_every_hook_gets_500_and_the_host_survives() {
    let host = fixture_host(&["panics"]).expect("loads");
    for _ in 0..3 {
        let transcript = host.get("/");
        assert_eq!(transcript.status, 500);
        assert!(
            !transcript.body_text().contains("partial output"),
            "buffered output of the failed hook is discarded"
        );
        let lines = transcript.notification_lines();
        assert_eq!(
            lines[0], "panics: OnBeginRequest -> FINISH_REQUEST",
            "{lines:?}"
        );
        // After the panic the instance gets no more hooks run: the SDK
        // answers CONTINUE for it.
        assert!(
            lines[1..].iter().all(|l| l.ends_with("-> CONTINUE")),
            "{lines:?}"
        );
        assert!(
            transcript
                .calls
                .iter()
                .any(|c| c.to_string().starts_with("IHttpResponse::SetStatus(500")),
            "{:?}",
            transcript.calls
        );
    }
    let stats = host.stats();
    assert_eq!(stats.instances_created, 3);
    assert_eq!(stats.instances_disposed, 3);
}

#[test]
fn an_error_from_a_hook_becomes_a_500_with_its_description() {
    let host = fixture_host(&["fails"]).expect("loads");
    let transcript = host.get("/secret");
    assert_eq!(transcript.status, 500);
    let described = transcript.calls.iter().any(|c| {
        let c = c.to_string();
        c.starts_with("IHttpResponse::SetErrorDescription")
            && c.contains("authorization backend unavailable")
    });
    assert!(described, "{:?}", transcript.calls);
    let traced = transcript.calls.iter().any(|c| {
        let c = c.to_string();
        c.starts_with("IHttpTraceContext::QuickTrace") && c.contains("on_authorize_request")
    });
    assert!(
        traced,
        "the failure is reported to failed-request tracing: {:?}",
        transcript.calls
    );
    assert!(
        transcript
            .notification_lines()
            .contains(&"fails: OnAuthorizeRequest -> FINISH_REQUEST".to_string())
    );
}

#[test]
fn a_failed_hook_shows_a_local_client_the_iis_error_page_with_its_description() {
    let host = fixture_host(&["fails"]).expect("loads");
    let t = host.get("/secret");
    assert_eq!(
        (t.status, t.substatus, t.reason.as_str()),
        (500, 0, "Internal Server Error")
    );
    let page = t.body_text();
    for shown in [
        "HTTP Error 500.0 - Internal Server Error",
        "on_authorize_request: authorization backend unavailable",
        "<th>Notification</th><td>AuthorizeRequest</td>",
        "<th>Error Code</th><td>0x80004005</td>",
    ] {
        assert!(page.contains(shown), "{shown:?} missing: {t}");
    }
}

#[test]
fn a_request_header_that_is_not_utf8_is_a_400_naming_it_not_a_500() {
    let host = fixture_host(&["headers"]).expect("loads");
    let request = http::Request::builder()
        .uri("/")
        .header(
            "User-Agent",
            http::HeaderValue::from_bytes(b"caf\xe9").expect("obs-text is allowed"),
        )
        .body(Vec::new())
        .expect("valid request");
    let t = host.run(request);
    assert_eq!(
        (t.status, t.substatus, t.reason.as_str()),
        (400, 0, "Bad Request"),
        "{t}"
    );
    let page = t.body_text();
    assert!(page.contains("HTTP Error 400.0 - Bad Request"), "{page}");
    assert!(
        page.contains("on_execute_request_handler: request header value is not valid UTF-8"),
        "{page}"
    );
    // The same module with a header it can read answers normally.
    assert_eq!(host.get("/").status, 200);
}

#[test]
fn pending_requests_complete_from_another_thread() {
    let host = fixture_host(&["pending"]).expect("loads");
    for _ in 0..20 {
        let resumed = host.get("/");
        assert_eq!(resumed.status, 200);
        assert_eq!(resumed.body_text(), "resumed\n");
        // The other thread may complete before the hook has returned; the
        // SDK then returns the completion's status itself.
        let first = &resumed.notification_lines()[0];
        assert!(
            first == "pending: OnBeginRequest -> PENDING"
                || first == "pending: OnBeginRequest -> CONTINUE",
            "{first}"
        );

        let posted = host.get("/?post");
        assert_eq!(
            posted.body_text(),
            "async completion of RequestNotifications(BEGIN_REQUEST): 7 bytes\nresumed\n"
        );
        assert!(
            posted
                .notifications
                .iter()
                .any(|n| n.notification == Notification::AsyncCompletion)
        );

        // Completed before the hook even returned: the SDK returns the
        // completion's status itself instead of PENDING.
        let early = host.get("/?early");
        assert_eq!(early.body_text(), "resumed\n");
        assert_eq!(
            early.notification_lines()[0],
            "pending: OnBeginRequest -> CONTINUE"
        );
    }
    let stats = host.stats();
    assert_eq!(stats.instances_created, stats.instances_disposed);
}

#[test]
fn a_completion_handle_dropped_unused_fails_the_request() {
    let host = fixture_host(&["pending"]).expect("loads");
    for query in ["dropped", "dropped_early"] {
        let t = host.get(&format!("/?{query}"));
        assert_eq!(t.status, 500, "?{query}: {t}");
        assert!(!t.body_text().contains("resumed"), "?{query}: {t}");
    }
    let stats = host.stats();
    assert_eq!(stats.instances_created, stats.instances_disposed);
}

#[test]
fn a_completion_handle_dropped_after_the_head_left_resets_the_connection() {
    let host = fixture_host(&["pending"]).expect("loads");
    let t = host.get("/?dropped_after_flush");
    assert_eq!(t.body_text(), "the first half", "{t}");
    assert_eq!(t.fate, ConnectionFate::Reset, "{t}");
}

#[test]
fn a_failure_after_the_head_left_resets_the_connection() {
    let host = fixture_host(&["flushes_then_panics"]).expect("loads");
    let t = host.get("/");
    assert_eq!(t.body_text(), "the first half", "{t}");
    assert_eq!(
        t.fate,
        ConnectionFate::Reset,
        "a proper end would pass the half off as the whole"
    );
    assert!(
        t.calls
            .iter()
            .any(|c| c.to_string() == "IHttpResponse::ResetConnection()"),
        "{:?}",
        t.calls
    );
}

#[test]
fn module_contexts_are_stored_per_request_and_per_application() {
    let host = fixture_host(&["storage"]).expect("loads");
    let first = host.get("/first");
    assert!(
        first.body_text().starts_with("note: /first\nrequests: 1\n"),
        "{}",
        first.body_text()
    );
    assert!(
        first
            .body_text()
            .contains("wrong type: the stored module context is not a u32")
    );
    let second = host.get("/second");
    assert!(
        second
            .body_text()
            .starts_with("note: /second\nrequests: 2\n"),
        "{}",
        second.body_text()
    );
}

#[test]
fn priorities_order_modules_within_a_notification() {
    let host = fixture_host(&["last", "first", "all_hooks"]).expect("loads");
    let transcript = host.get("/");
    let order: Vec<&[u8]> = transcript
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("X-Order"))
        .map(|(_, v)| v.as_slice())
        .collect();
    assert!(
        order == [&b"first"[..], b"last"] || order == [&b"first,last"[..]],
        "{order:?}"
    );
}

#[test]
fn a_global_module_sees_every_request_and_the_application_lifecycle() {
    let host = fixture_host(&["global", "all_hooks"]).expect("loads");
    assert_eq!(host.get("/").header("X-Request-Number"), Some(&b"1"[..]));
    assert_eq!(host.get("/").header("X-Request-Number"), Some(&b"2"[..]));
    host.shutdown();
    let events: Vec<String> = host.events().iter().map(ToString::to_string).collect();
    for expected in [
        "global: OnGlobalApplicationStart -> CONTINUE",
        "global: OnGlobalStopListening -> CONTINUE",
        "global: OnGlobalApplicationStop -> CONTINUE",
        "global: CGlobalModule::Terminate",
        "all_hooks: IHttpModuleFactory::Terminate",
    ] {
        assert!(
            events.iter().any(|e| e == expected),
            "{expected:?} not in {events:#?}"
        );
    }
}

#[test]
fn registration_errors_and_panics_fail_the_load_with_an_hresult() {
    for (name, hresult, why) in [
        (
            "fails_in_register",
            "0x80004005",
            "registration refused by an error",
        ),
        (
            "panics_in_register",
            "0x80004005",
            "registration refused by a panic",
        ),
        (
            "no_such_module",
            "0x80004005",
            "no module named no_such_module",
        ),
        (
            "registers_twice",
            "0x80070057",
            "request module: one is already registered for this module name",
        ),
    ] {
        let error: HostError = fixture_host(&[name]).expect_err("must not load");
        let message = error.to_string();
        assert!(message.contains(name), "{message}");
        assert!(message.contains(hresult), "{message}");
        // What the module's SDK reported says why (issue 14, item 17).
        assert!(message.contains(why), "{message}");
    }
}

#[test]
fn the_sdk_allocates_nothing_to_dispatch_a_notification() {
    let host = fixture_host(&["alloc_probe"]).expect("loads");
    for _ in 0..50 {
        assert_eq!(host.get("/").fate, ConnectionFate::KeptAlive);
    }
    let report = host.get("/report").body_text();
    let value = |key: &str| -> usize {
        report
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{key} in {report:?}"))
    };
    assert!(value("hooks measured:") >= 50 * 24, "{report}");
    assert_eq!(value("allocations between hooks:"), 0, "{report}");
}
