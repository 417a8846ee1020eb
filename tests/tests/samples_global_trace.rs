//! Microsoft's tracing samples (`IGlobalTraceEventProvider`,
//! `IHttpTraceContext`, `IHttpModuleContextContainer`, `Structs`,
//! `Enumerations`), ported to safe Rust (tests/modules/samples_global) and
//! run in iis-host: modules enable providers with `SetTraceConfiguration`
//! and iis-host delivers the events raised with `RaiseTraceEvent` as
//! `GL_TRACE_EVENT`.

mod samples_global_support;

use iis_host::{ApiCall, GlobalNotification, Host, HostEvent};
use samples_global_support::{host, texts};

/// The helper's event as the full document samples render it.
const HELPER_EVENT: &str = concat!(
    r#"<traceEvent area="2" event="7" eventVersion="1" flags="1" timeStamp="42" verbosity="4" "#,
    r#"activityGuid="{11111111-2222-3333-4444-555555555555}" "#,
    r#"areaGuid="{A087707E-0103-4B78-B673-F2598C142A68}" "#,
    r#"providerGuid="{A087707E-0103-4B78-B673-F2598C142A68}" relatedActivityGuid="NULL" "#,
    r#"eventName="Helper Event" eventItems="9">"#
);

/// The helper's items with every attribute.
const HELPER_ITEMS: &str = concat!(
    "<traceEventItems>",
    r#"<traceEventItem data="1" traceType="HTTP_TRACE_TYPE_BYTE" pbData="A" description="a byte" name="Letter"/>"#,
    r#"<traceEventItem data="2" traceType="HTTP_TRACE_TYPE_USHORT" pbData="8080" description="an unsigned short" name="Port"/>"#,
    r#"<traceEventItem data="4" traceType="HTTP_TRACE_TYPE_ULONG" pbData="200" description="an unsigned long" name="Status"/>"#,
    r#"<traceEventItem data="8" traceType="HTTP_TRACE_TYPE_ULONGLONG" pbData="1099511627776" description="an unsigned long long" name="Bytes"/>"#,
    r#"<traceEventItem data="4" traceType="HTTP_TRACE_TYPE_LONG" pbData="-5" description="a long" name="Offset"/>"#,
    r#"<traceEventItem data="14" traceType="HTTP_TRACE_TYPE_LPCWSTR" pbData="/trace" description="a wide string" name="Url"/>"#,
    r#"<traceEventItem data="4" traceType="HTTP_TRACE_TYPE_LPCSTR" pbData="GET" description="a narrow string" name="Verb"/>"#,
    r#"<traceEventItem data="16" traceType="HTTP_TRACE_TYPE_LPCGUID" pbData="{A087707E-0103-4B78-B673-F2598C142A68}" description="a GUID" name="Context"/>"#,
    r#"<traceEventItem data="4" traceType="HTTP_TRACE_TYPE_BOOL" pbData="true" description="a BOOL" name="Cached"/>"#,
    "</traceEventItems>"
);

/// A host with `sample` and the helper that raises an event with items.
fn with_helper(sample: &str) -> Host {
    host(&[sample, "helper:RaiseTraceEvent"])
}

#[test]
fn a_request_module_raises_a_custom_event_its_global_half_logs() {
    let host = host(&["IHttpTraceContext/RaiseTraceEvent"]);
    // Registration enabled the custom provider for the module.
    assert!(host.events().iter().any(|e| matches!(
        e,
        HostEvent::Call(ApiCall::SetTraceConfiguration { provider, areas: 0xffffe, verbosity: 5, enabled: true })
            if provider == "{A087707E-0103-4B78-B673-F2598C142A68}"
    )));
    let t = host.get("/");
    assert_eq!(t.status, 404, "response unchanged");
    assert!(t.calls.iter().any(|c| matches!(
        c,
        ApiCall::TraceEvent { name, event: 1, .. } if name == "Custom Event"
    )));
    assert!(t.events.iter().any(|e| matches!(
        e,
        HostEvent::GlobalNotification {
            notification: GlobalNotification::TraceEvent,
            ..
        }
    )));
    host.get("/");
    assert_eq!(texts(&host), ["Custom Event", "Custom Event"]);
}

#[test]
fn events_of_a_provider_nobody_enabled_are_not_delivered() {
    // The trace-event logger subscribes to nothing; the helper raises an
    // event no module enabled: no GL_TRACE_EVENT.
    let host = host(&["CGlobalModuleGlobalTraceEvent", "helper:RaiseTraceEvent"]);
    let t = host.get("/");
    assert!(
        t.calls
            .iter()
            .any(|c| matches!(c, ApiCall::TraceEvent { .. }))
    );
    assert!(texts(&host).is_empty());
}

#[test]
fn trace_events_reach_the_generic_and_trace_event_loggers() {
    // Once a module enabled the provider, every GL_TRACE_EVENT module gets
    // the event.
    let host = host(&[
        "CGlobalModuleGlobalTraceEvent",
        "CGlobalModuleGenericGlobalModule",
        "IHttpTraceContext/RaiseTraceEvent",
    ]);
    host.get("/");
    let logged = texts(&host);
    assert_eq!(
        logged.iter().filter(|t| *t == "OnGlobalTraceEvent").count(),
        2,
        "{logged:?}"
    );
    assert!(logged.iter().any(|t| t == "Custom Event"), "{logged:?}");
}

#[test]
fn the_event_provider_document_carries_the_subscription_and_the_event() {
    let host = with_helper("IGlobalTraceEventProvider");
    host.get("/");
    assert_eq!(
        texts(&host),
        [format!(
            r#"<eventProvider subscription="true">{HELPER_EVENT}{HELPER_ITEMS}</traceEvent></eventProvider>"#
        )]
    );
}

#[test]
fn the_check_subscription_document_carries_only_the_flag() {
    let host = with_helper("IGlobalTraceEventProvider/CheckSubscription");
    host.get("/");
    assert_eq!(texts(&host), [r#"<eventProvider subscription="true"/>"#]);
}

#[test]
fn the_event_documents_carry_the_event_without_the_flag() {
    for name in [
        "IGlobalTraceEventProvider/GetTraceEvent",
        "Structs/HTTP_TRACE_EVENT",
    ] {
        let host = with_helper(name);
        host.get("/");
        assert_eq!(
            texts(&host),
            [format!(
                "<eventProvider>{HELPER_EVENT}{HELPER_ITEMS}</traceEvent></eventProvider>"
            )],
            "{name}"
        );
    }
}

#[test]
fn the_item_document_carries_only_the_items() {
    let host = with_helper("Structs/HTTP_TRACE_EVENT_ITEM");
    host.get("/");
    assert_eq!(
        texts(&host),
        [format!(
            "<eventProvider><traceEvent>{HELPER_ITEMS}</traceEvent></eventProvider>"
        )]
    );
}

#[test]
fn the_trace_type_document_carries_each_items_type_and_value() {
    let host = with_helper("Enumerations/HTTP_TRACE_TYPE");
    host.get("/");
    let logged = texts(&host);
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert!(
        logged[0].starts_with(concat!(
            "<eventProvider><traceEvent><traceEventItems>",
            r#"<traceEventItem traceType="HTTP_TRACE_TYPE_BYTE" pbData="A"/>"#,
            r#"<traceEventItem traceType="HTTP_TRACE_TYPE_USHORT" pbData="8080"/>"#
        )),
        "{logged:?}"
    );
    assert!(
        logged[0].ends_with(concat!(
            r#"<traceEventItem traceType="HTTP_TRACE_TYPE_BOOL" pbData="true"/>"#,
            "</traceEventItems></traceEvent></eventProvider>"
        )),
        "{logged:?}"
    );
}

#[test]
fn the_context_container_sample_stores_a_context_per_request_and_cleans_it_up() {
    for name in [
        "IHttpModuleContextContainer",
        "IHttpModuleContextContainer/SetModuleContext",
    ] {
        // The helper raises one event per request, the raiser a second one.
        let host = host(&[
            name,
            "helper:RaiseTraceEvent",
            "IHttpTraceContext/RaiseTraceEvent",
        ]);
        host.get("/");
        let logged: Vec<String> = texts(&host)
            .into_iter()
            .filter(|t| t.starts_with("CStoredContext"))
            .collect();
        assert_eq!(
            logged,
            [
                "CStoredContext::Constructor",
                "CStoredContext::Display",
                "CStoredContext::CleanupStoredContext",
                "CStoredContext::Destructor"
            ],
            "{name}"
        );
    }
}

#[test]
fn the_lookup_only_container_samples_observe_nothing() {
    for name in [
        "IHttpModuleContextContainer/GetModuleContext",
        "IGlobalTraceEventProvider/GetCurrentHttpRequestContext",
    ] {
        let host = host(&[name, "IHttpTraceContext/RaiseTraceEvent"]);
        let t = host.get("/");
        assert_eq!(t.status, 404);
        let lines: Vec<String> = t.events.iter().map(ToString::to_string).collect();
        assert!(
            lines.contains(&format!("{name}: OnGlobalTraceEvent -> CONTINUE")),
            "{name}: {lines:?}"
        );
        assert_eq!(texts(&host), ["Custom Event"], "{name}");
    }
}

#[test]
fn registering_with_a_module_id_enables_every_provider_and_listens_silently() {
    for name in [
        "IHttpModuleRegistrationInfo/GetId",
        "IHttpTraceContext/SetTraceConfiguration",
    ] {
        let host = host(&[name, "helper:RaiseTraceEvent"]);
        assert!(
            host.events().iter().any(|e| matches!(
                e,
                HostEvent::Call(ApiCall::SetTraceConfiguration { provider, enabled: true, .. })
                    if provider == "{00000000-0000-0000-0000-000000000000}"
            )),
            "{name}"
        );
        let t = host.get("/");
        let lines: Vec<String> = t.events.iter().map(ToString::to_string).collect();
        assert!(
            lines.contains(&format!("{name}: OnGlobalTraceEvent -> CONTINUE")),
            "{name}: {lines:?}"
        );
        assert!(texts(&host).is_empty(), "{name}");
    }
}
