//! Microsoft's cache-provider samples (`ICacheProvider`, `IHttpCacheKey`,
//! `IHttpCacheSpecificData`, `IHttpTokenEntry`, the `*Key/GetCacheName`
//! ones, the cache-operation trace context), `IHttpServer/DispenseContainer`
//! and `IHttpServerDoCacheOperation`, ported to safe Rust
//! (tests/modules/samples_global) and run in iis-host, which raises
//! `GL_CACHE_OPERATION` for its file cache and for
//! `Host::notify_cache_operation`.

mod samples_global_support;

use iis_host::{CacheItem, CacheOp, GlobalNotification, HostEvent};
use samples_global_support::{host, host_with, rooted, texts, web_file, web_root};

fn token() -> CacheItem {
    CacheItem::Token {
        user: "CONTOSO\\alice".to_owned(),
        sid: "S-1-5-21-1-2-3-1001".to_owned(),
    }
}

fn uri() -> CacheItem {
    CacheItem::Uri("/default.htm".to_owned())
}

/// What `sample` logs for one operation on `item`.
fn logged(sample: &str, op: CacheOp, item: &CacheItem) -> Vec<String> {
    let host = host(&[sample]);
    host.notify_cache_operation(op, item);
    texts(&host)
}

#[test]
fn the_operation_samples_log_the_operation_name() {
    for sample in [
        "Enumerations/CACHE_OPERATION",
        "ICacheProvider/GetCacheOperation",
    ] {
        for (op, name) in [
            (CacheOp::Retrieve, "CACHE_OPERATION_RETRIEVE"),
            (CacheOp::Add, "CACHE_OPERATION_ADD"),
            (CacheOp::Delete, "CACHE_OPERATION_DELETE"),
            (CacheOp::FlushPrefix, "CACHE_OPERATION_FLUSH_PREFIX"),
            (CacheOp::Enum, "CACHE_OPERATION_ENUM"),
        ] {
            assert_eq!(
                logged(sample, op, &uri()),
                [format!("GetCacheOperation:  {name}")],
                "{sample}"
            );
        }
    }
}

#[test]
fn the_key_samples_log_the_cache_name_hash_and_self_comparisons() {
    assert_eq!(
        logged("IHttpCacheKey/GetCacheName", CacheOp::Retrieve, &token()),
        ["IHttpCacheKey::GetCacheName:  TOKEN"]
    );
    let hash = logged("IHttpCacheKey/GetHash", CacheOp::Retrieve, &uri());
    assert_eq!(hash.len(), 1);
    let value: i32 = hash[0]
        .strip_prefix("IHttpCacheKey::GetHash:  ")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{hash:?}"));
    // The same key hashes the same.
    assert_eq!(
        logged("IHttpCacheKey/GetHash", CacheOp::Add, &uri()),
        [format!("IHttpCacheKey::GetHash:  {value}")]
    );
    assert_eq!(
        logged("IHttpCacheKey/GetIsEqual", CacheOp::Retrieve, &uri()),
        ["IHttpCacheKey::GetIsEqual:  true"]
    );
    assert_eq!(
        logged("IHttpCacheKey/GetIsPrefix", CacheOp::FlushPrefix, &uri()),
        ["IHttpCacheKey::GetIsPrefix:  true"]
    );
}

#[test]
fn the_typed_key_samples_log_only_keys_of_their_cache() {
    let root = web_root("typedkeys");
    let file = web_file(&root, "a.htm", b"a").display().to_string();
    let items = [CacheItem::File(file), uri(), token()];
    for (sample, expected) in [
        ("IFileKey/GetCacheName", "IFileKey::GetCacheName:  FILE"),
        ("IUriKey/GetCacheName", "IUriKey::GetCacheName:  URI"),
        (
            "IHttpTokenKey/GetCacheName",
            "IHttpTokenKey::GetCacheName:  TOKEN",
        ),
    ] {
        let host = host_with(&[sample], rooted(&root));
        for item in &items {
            host.notify_cache_operation(CacheOp::Retrieve, item);
        }
        assert_eq!(texts(&host), [expected], "{sample}");
    }
}

#[test]
fn the_record_samples_log_flushed_and_token_entry_fields() {
    assert_eq!(
        logged("IHttpCacheSpecificData/GetFlushed", CacheOp::Add, &uri()),
        ["IHttpCacheSpecificData::GetFlushed:  false"]
    );
    for (sample, expected) in [
        (
            "IHttpTokenEntry/GetImpersonationToken",
            "IHttpTokenEntry::GetImpersonationToken:  NULL",
        ),
        (
            "IHttpTokenEntry/GetPrimaryToken",
            "IHttpTokenEntry::GetPrimaryToken:  NULL",
        ),
        ("IHttpTokenEntry/GetSid", "IHttpTokenEntry::GetSid:  valid"),
    ] {
        assert_eq!(
            logged(sample, CacheOp::Add, &token()),
            [expected],
            "{sample}"
        );
        // Other caches' records are not token entries: nothing logged.
        assert!(logged(sample, CacheOp::Add, &uri()).is_empty(), "{sample}");
    }
}

#[test]
fn the_activity_id_of_the_operation_is_logged() {
    let logged = logged(
        "IHttpTraceContext/GetTraceActivityId",
        CacheOp::Retrieve,
        &uri(),
    );
    assert_eq!(logged.len(), 1);
    let guid = logged[0]
        .strip_prefix("IHttpTraceContext::GetTraceActivityId:  ")
        .unwrap_or_else(|| panic!("{logged:?}"));
    assert!(
        guid.starts_with('{') && guid.ends_with('}') && guid.len() == 38,
        "{guid}"
    );
}

#[test]
fn a_file_lookup_raises_retrieve_then_add_and_the_record_document_describes_the_file() {
    let root = web_root("record");
    let file = web_file(&root, "index.htm", b"hello").display().to_string();
    let host = host_with(
        &["ICacheProvider/GetCacheRecord", "IHttpFileInfoGetSize"],
        rooted(&root),
    );
    let t = host.get("/index.htm");
    assert_eq!(t.body_text(), "File size: 5");
    let operations: Vec<&HostEvent> = t
        .events
        .iter()
        .filter(|e| {
            matches!(
                e,
                HostEvent::GlobalNotification {
                    notification: GlobalNotification::CacheOperation,
                    ..
                }
            )
        })
        .collect();
    assert_eq!(operations.len(), 2, "{:?}", t.events);
    let root_text = format!("{}/", root.display());
    assert_eq!(
        texts(&host),
        [
            // RETRIEVE: not cached yet, no record.
            "<cacheProvider><cacheSpecificData/></cacheProvider>".to_owned(),
            // ADD: the file's record.
            format!(
                concat!(
                    r#"<cacheProvider><fileInfo changed="false" attributes="32" "#,
                    r#"eTag="&quot;1d710b41567c980:0&quot;" buffer="true" handle="INVALID_HANDLE_VALUE" "#,
                    r#"path="{file}" cacheAllowed="true" secondsToLive="0" "#,
                    r#"lastModifiedString="Thu, 04 Mar 2021 05:06:07 GMT" lastModifiedTime="3/4/2021  5:6" "#,
                    r#"size="5" vrPath="{root}" vrToken="NULL" flushed="false">"#,
                    r#"<contextContainer><storedContext/></contextContainer></fileInfo></cacheProvider>"#
                ),
                file = file,
                root = root_text
            ),
        ]
    );
}

#[test]
fn the_token_entry_document_is_logged_for_token_records_only() {
    let host = host(&["IHttpTokenEntry"]);
    host.notify_cache_operation(CacheOp::Retrieve, &uri());
    host.notify_cache_operation(CacheOp::Add, &token());
    assert_eq!(
        texts(&host),
        [concat!(
            r#"<cacheProvider><tokenEntry impersonationToken="NULL" primaryToken="NULL" "#,
            r#"sid="valid" flushed="false"/></cacheProvider>"#
        )]
    );
    // GetCacheRecord.cpp writes the same element for a token record.
    assert_eq!(
        logged("ICacheProvider/GetCacheRecord", CacheOp::Add, &token()),
        texts(&host)
    );
}

#[test]
fn the_trace_context_documents_describe_the_configuration_and_activity() {
    for sample in ["ICacheProvider/GetTraceContext", "IHttpTraceContext"] {
        let logged = logged(sample, CacheOp::Retrieve, &uri());
        assert_eq!(logged.len(), 1, "{sample}");
        let prefix = r#"<cacheProvider><traceContext activityId="{"#;
        assert!(logged[0].starts_with(prefix), "{sample}: {logged:?}");
        assert!(
            logged[0].ends_with(concat!(
                r#"}"><traceConfiguration providerGuid="NULL" areas="-1" verbosity="5" "#,
                r#"providerEnabled="true"/></traceContext></cacheProvider>"#
            )),
            "{sample}: {logged:?}"
        );
    }
    for sample in [
        "IHttpTraceContext/GetTraceConfiguration",
        "Structs/HTTP_TRACE_CONFIGURATION",
    ] {
        assert_eq!(
            logged(sample, CacheOp::Retrieve, &uri()),
            [concat!(
                r#"<cacheProvider><traceContext><traceConfiguration providerGuid="NULL" "#,
                r#"areas="-1" verbosity="5" providerEnabled="true"/></traceContext></cacheProvider>"#
            )],
            "{sample}"
        );
    }
}

#[test]
fn cache_operations_reach_the_generic_and_cache_operation_loggers() {
    let host = host(&[
        "CGlobalModuleGlobalCacheOperation",
        "CGlobalModuleGenericGlobalModule",
    ]);
    host.notify_cache_operation(CacheOp::Add, &uri());
    let logged = texts(&host);
    assert_eq!(
        logged
            .iter()
            .filter(|t| *t == "OnGlobalCacheOperation")
            .count(),
        2,
        "{logged:?}"
    );
}

#[test]
fn a_dispensed_container_holds_a_context_until_terminate() {
    let host = host(&["IHttpServer/DispenseContainer"]);
    host.notify_cache_operation(CacheOp::Retrieve, &uri());
    host.notify_cache_operation(CacheOp::Add, &uri());
    assert_eq!(host.stats().dispensed_containers_live, 1);
    host.shutdown();
    assert_eq!(
        texts(&host),
        [
            "DispensedContext::DispensedContext",
            "DispensedContext::Display",
            "DispensedContext::Display",
            "DispensedContext::CleanupStoredContext",
            "DispensedContext::~DispensedContext",
        ]
    );
    assert_eq!(host.stats().dispensed_containers_live, 0);
}

#[test]
fn a_retrieve_makes_the_module_enumerate_the_cache_for_the_key() {
    let host = host(&[
        "IHttpServerDoCacheOperation",
        "ICacheProvider/GetCacheOperation",
    ]);
    assert!(!host.notify_cache_operation(CacheOp::Retrieve, &uri()));
    // The module's DoCacheOperation(ENUM) raised a second operation.
    assert_eq!(
        texts(&host),
        [
            "GetCacheOperation:  CACHE_OPERATION_RETRIEVE",
            "GetCacheOperation:  CACHE_OPERATION_ENUM"
        ]
    );
    // Other operations are left alone.
    host.notify_cache_operation(CacheOp::Add, &uri());
    assert_eq!(texts(&host).len(), 3);
}
