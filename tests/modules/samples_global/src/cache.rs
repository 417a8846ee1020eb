//! The cache-provider samples (one template, about forty copies): a global
//! module at `GL_CACHE_OPERATION` (priority FIRST; its `GL_CACHE_CLEANUP`
//! handler does nothing) that writes one aspect of each server cache
//! operation to the event log: the operation, the key, the record, the
//! trace context. The `Line` samples write `Name:  value`; the `Document`
//! samples an XML `<cacheProvider>` document (MSXML in the C++, its text
//! here). Also `IHttpServer/DispenseContainer.cpp` and
//! `IHttpServerDoCacheOperation`.

use crate::notifications::iisadmin;
use crate::xml::{Element, boolean};
use iis_module::prelude::*;
use iis_module::{
    global::{CacheOperation, GlobalNotifications},
    server::{
        CacheEntry, CacheOperationKind, CacheRecord, DispensedContainer, FILE_CACHE_NAME, FileInfo,
        HandleState, TOKEN_CACHE_NAME, TokenEntry, TraceContext, URI_CACHE_NAME, guid_string,
    },
};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// What a one-line sample writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Line {
    /// `GetCacheOperation:  CACHE_OPERATION_*`.
    Operation,
    /// `IHttpCacheKey::GetCacheName`.
    KeyCacheName,
    /// `IHttpCacheKey::GetHash` (as the samples print a DWORD: signed).
    KeyHash,
    /// `IHttpCacheKey::GetIsEqual` (the key with itself).
    KeyIsEqual,
    /// `IHttpCacheKey::GetIsPrefix` (the key of itself).
    KeyIsPrefix,
    /// `<interface>::GetCacheName` for keys of one cache only.
    NamedKeyCacheName(&'static str, &'static str),
    /// `IHttpCacheSpecificData::GetFlushed`.
    Flushed,
    /// `IHttpTokenEntry::GetImpersonationToken`, for token records.
    ImpersonationToken,
    /// `IHttpTokenEntry::GetPrimaryToken`, for token records.
    PrimaryToken,
    /// `IHttpTokenEntry::GetSid`, for token records (printed as a handle).
    Sid,
    /// `IHttpTraceContext::GetTraceActivityId`.
    ActivityId,
}

/// Which XML document a document sample writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Document {
    /// `ICacheProvider/GetCacheRecord.cpp`: the record.
    Record,
    /// `IHttpTokenEntry/IHttpTokenEntry.cpp`: the record, only for token
    /// entries.
    TokenRecord,
    /// `ICacheProvider/GetTraceContext.cpp`, `IHttpTraceContext.cpp`: the
    /// trace context (activity id and configuration).
    TraceContext,
    /// `IHttpTraceContext/GetTraceConfiguration.cpp`,
    /// `Structs/HTTP_TRACE_CONFIGURATION.cpp`: the trace configuration.
    TraceConfiguration,
}

/// What a cache sample writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Report {
    /// One line.
    Line(Line),
    /// An XML document.
    Document(Document),
}

fn or_null(value: Option<String>) -> String {
    value.unwrap_or_else(|| "NULL".to_owned())
}

/// The value of a one-line sample, `Ok(None)` when it writes nothing,
/// `Err` when the C++ throws (a null key or token entry).
fn line_value(line: Line, provider: &CacheOperation) -> Result<Option<(String, String)>> {
    let null = |what: &str| Error::msg(format!("NULL {what} pointer"));
    let key = || provider.key().ok_or_else(|| null("IHttpCacheKey"));
    let named = |label: &str, value: String| Some((label.to_owned(), value));
    Ok(match line {
        Line::Operation => named(
            "GetCacheOperation",
            provider.kind().name().unwrap_or("ERROR").to_owned(),
        ),
        Line::KeyCacheName => named("IHttpCacheKey::GetCacheName", key()?.cache_name()?),
        Line::KeyHash => named("IHttpCacheKey::GetHash", (key()?.hash() as i32).to_string()),
        Line::KeyIsEqual => {
            let key = key()?;
            named(
                "IHttpCacheKey::GetIsEqual",
                boolean(key.is_equal(&key)).to_owned(),
            )
        }
        Line::KeyIsPrefix => {
            let key = key()?;
            named(
                "IHttpCacheKey::GetIsPrefix",
                boolean(key.is_prefix(&key)).to_owned(),
            )
        }
        Line::NamedKeyCacheName(interface, cache) => {
            let name = key()?.cache_name()?;
            (name == cache).then(|| (format!("{interface}::GetCacheName"), name))
        }
        Line::Flushed => provider.record().map(|record| {
            (
                "IHttpCacheSpecificData::GetFlushed".to_owned(),
                boolean(record.is_flushed()).to_owned(),
            )
        }),
        Line::ImpersonationToken | Line::PrimaryToken | Line::Sid => {
            let Some(record) = provider.record() else {
                return Ok(None);
            };
            // A token record only (by its key's cache name).
            let CacheEntry::Token(entry) = record.entry()? else {
                return Ok(None);
            };
            match line {
                Line::ImpersonationToken => named(
                    "IHttpTokenEntry::GetImpersonationToken",
                    HandleState::of(entry.impersonation_token()).to_string(),
                ),
                Line::PrimaryToken => named(
                    "IHttpTokenEntry::GetPrimaryToken",
                    HandleState::of(entry.primary_token()).to_string(),
                ),
                _ => named("IHttpTokenEntry::GetSid", sid_state(&entry)),
            }
        }
        Line::ActivityId => {
            let trace = provider
                .trace_context()
                .ok_or_else(|| null("IHttpTraceContext"))?;
            named(
                "IHttpTraceContext::GetTraceActivityId",
                or_null(trace.activity_id().map(|g| guid_string(&g))),
            )
        }
    })
}

/// The SID as the samples print it: `PSID` is a `void*`, so their
/// `ToString` overload for handles applies.
fn sid_state(entry: &TokenEntry<'_>) -> String {
    match entry.sid() {
        None => "NULL".to_owned(),
        Some(_) => "valid".to_owned(),
    }
}

/// `M/D/YYYY  H:M` in UTC (iis-host's time zone).
fn time_string(time: Option<SystemTime>) -> String {
    let Some(time) = time else {
        return "NULL".to_owned();
    };
    let secs = time
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{month}/{day}/{year}  {}:{}",
        secs % 86_400 / 3600,
        secs % 3600 / 60
    )
}

fn file_element(file: &FileInfo<'_>) -> Result<Element> {
    let null = iis_module::iis_sys::HANDLE(core::ptr::null_mut());
    let (allowed, seconds) = file.http_cache_allowed();
    let mut element = Element::new("fileInfo");
    element
        .attribute("changed", boolean(file.has_changed(null)))
        .attribute("attributes", (file.attributes() as i32).to_string())
        .attribute("eTag", or_null(file.etag()?))
        .attribute("buffer", boolean(file.file_buffer().is_some()))
        .attribute("handle", HandleState::of(file.file_handle()).as_str())
        .attribute("path", file.path()?.unwrap_or_default())
        .attribute("cacheAllowed", boolean(allowed))
        .attribute("secondsToLive", (seconds as i32).to_string())
        .attribute("lastModifiedString", or_null(file.last_modified_string()?))
        .attribute("lastModifiedTime", time_string(file.last_modified()));
    // The sample asks the container for the context of module id NULL,
    // which no module has: an empty <storedContext/>.
    let mut container = Element::new("contextContainer");
    if file.has_context_container() {
        container.child(Element::new("storedContext"));
    }
    element
        .child(container)
        .attribute("size", (file.size() as u32 as i32).to_string())
        .attribute("vrPath", file.vr_path()?.unwrap_or_default())
        .attribute("vrToken", HandleState::of(file.vr_token()).as_str());
    Ok(element)
}

fn token_element(entry: &TokenEntry<'_>) -> Element {
    let mut element = Element::new("tokenEntry");
    element
        .attribute(
            "impersonationToken",
            HandleState::of(entry.impersonation_token()).as_str(),
        )
        .attribute(
            "primaryToken",
            HandleState::of(entry.primary_token()).as_str(),
        )
        .attribute("sid", sid_state(entry));
    element
}

fn record_element(record: Option<CacheRecord<'_>>, files: bool) -> Result<Element> {
    let Some(record) = record else {
        return Ok(Element::new("cacheSpecificData"));
    };
    let mut element = match record.entry()? {
        CacheEntry::File(file) if files => file_element(&file)?,
        CacheEntry::Token(entry) => token_element(&entry),
        _ => Element::new("cacheSpecificData"),
    };
    element.attribute("flushed", boolean(record.is_flushed()));
    Ok(element)
}

fn trace_element(trace: Option<TraceContext<'_>>, activity: bool) -> Result<Element> {
    let mut element = Element::new("traceContext");
    let Some(trace) = trace else {
        return Ok(element);
    };
    let mut configuration = Element::new("traceConfiguration");
    // The samples query with a null provider GUID.
    if let Ok(config) = trace.configuration(None) {
        configuration
            .attribute("providerGuid", "NULL")
            .attribute("areas", (config.areas as i32).to_string())
            .attribute("verbosity", (config.verbosity as i32).to_string())
            .attribute("providerEnabled", boolean(config.enabled));
    }
    element.child(configuration);
    if activity {
        element.attribute(
            "activityId",
            or_null(trace.activity_id().map(|g| guid_string(&g))),
        );
    }
    Ok(element)
}

/// A cache-provider sample.
pub struct CacheModule {
    log: EventLog,
    report: Report,
}

impl CacheModule {
    fn line(&self, line: Line, provider: &CacheOperation) -> GlobalFlow {
        let written = line_value(line, provider).and_then(|value| match value {
            Some((name, value)) => self.log.info(&format!("{name}:  {value}")),
            None => Ok(()),
        });
        match written {
            Ok(()) => GlobalFlow::Continue,
            // The C++ catches its CEventException: HANDLED.
            Err(_) => GlobalFlow::Handled,
        }
    }

    fn document(&self, document: Document, provider: &CacheOperation) -> Result<GlobalFlow> {
        let mut root = Element::new("cacheProvider");
        let child = match document {
            Document::Record => record_element(provider.record(), true),
            Document::TokenRecord => record_element(provider.record(), false),
            Document::TraceContext => trace_element(provider.trace_context(), true),
            Document::TraceConfiguration => trace_element(provider.trace_context(), false),
        };
        match child {
            Ok(child) => {
                root.child(child);
                if document != Document::TokenRecord || root.contains("tokenEntry") {
                    self.log.info(&root.to_string())?;
                }
            }
            Err(error) => self.log.error(&error.to_string())?,
        }
        Ok(GlobalFlow::Continue)
    }
}

#[global_module]
impl GlobalModule for CacheModule {
    fn on_cache_operation(&self, provider: &mut CacheOperation) -> Result<GlobalFlow> {
        match self.report {
            Report::Line(line) => Ok(self.line(line, provider)),
            Report::Document(document) => self.document(document, provider),
        }
    }
    fn on_cache_cleanup(&self) -> Result<GlobalFlow> {
        Ok(GlobalFlow::Continue)
    }
}

/// What `IHttpServer/DispenseContainer.cpp` stores in its container.
pub struct DispensedContext(Arc<EventLog>);

impl Drop for DispensedContext {
    fn drop(&mut self) {
        let _ = self.0.info("DispensedContext::CleanupStoredContext");
        let _ = self.0.info("DispensedContext::~DispensedContext");
    }
}

/// `IHttpServer/DispenseContainer.cpp`: a container of its own, holding a
/// context displayed at every cache operation and released at `Terminate`.
pub struct DispensedContainerModule {
    log: Arc<EventLog>,
    container: DispensedContainer,
}

#[global_module]
impl GlobalModule for DispensedContainerModule {
    fn on_cache_operation(&self, _: &mut CacheOperation) -> Result<GlobalFlow> {
        if self.container.context::<DispensedContext>()?.is_some() {
            self.log.info("DispensedContext::Display")?;
        }
        Ok(GlobalFlow::Continue)
    }
}

/// `IHttpServerDoCacheOperation`: on every retrieve, asks the server to
/// enumerate the cache for the same key; handles the notification if that
/// fails.
pub struct EnumOnRetrieve(HttpServer);

#[global_module]
impl GlobalModule for EnumOnRetrieve {
    fn on_cache_operation(&self, provider: &mut CacheOperation) -> Result<GlobalFlow> {
        if provider.kind() != CacheOperationKind::Retrieve {
            return Ok(GlobalFlow::Continue);
        }
        let Some(key) = provider.key() else {
            return Ok(GlobalFlow::Continue);
        };
        Ok(
            match self.0.do_cache_operation(CacheOperationKind::Enum, &key) {
                Ok(()) => GlobalFlow::Continue,
                Err(_) => GlobalFlow::Handled,
            },
        )
    }
}

fn report(name: &str) -> Option<Report> {
    use Document as D;
    use Line as L;
    Some(match name {
        "Enumerations/CACHE_OPERATION" | "ICacheProvider/GetCacheOperation" => {
            Report::Line(L::Operation)
        }
        "IHttpCacheKey/GetCacheName" => Report::Line(L::KeyCacheName),
        "IHttpCacheKey/GetHash" => Report::Line(L::KeyHash),
        "IHttpCacheKey/GetIsEqual" => Report::Line(L::KeyIsEqual),
        "IHttpCacheKey/GetIsPrefix" => Report::Line(L::KeyIsPrefix),
        "IFileKey/GetCacheName" => Report::Line(L::NamedKeyCacheName("IFileKey", FILE_CACHE_NAME)),
        "IUriKey/GetCacheName" => Report::Line(L::NamedKeyCacheName("IUriKey", URI_CACHE_NAME)),
        "IHttpTokenKey/GetCacheName" => {
            Report::Line(L::NamedKeyCacheName("IHttpTokenKey", TOKEN_CACHE_NAME))
        }
        "IHttpCacheSpecificData/GetFlushed" => Report::Line(L::Flushed),
        "IHttpTokenEntry/GetImpersonationToken" => Report::Line(L::ImpersonationToken),
        "IHttpTokenEntry/GetPrimaryToken" => Report::Line(L::PrimaryToken),
        "IHttpTokenEntry/GetSid" => Report::Line(L::Sid),
        "IHttpTraceContext/GetTraceActivityId" => Report::Line(L::ActivityId),
        "ICacheProvider/GetCacheRecord" => Report::Document(D::Record),
        "IHttpTokenEntry" => Report::Document(D::TokenRecord),
        "ICacheProvider/GetTraceContext" | "IHttpTraceContext" => Report::Document(D::TraceContext),
        "IHttpTraceContext/GetTraceConfiguration" | "Structs/HTTP_TRACE_CONFIGURATION" => {
            Report::Document(D::TraceConfiguration)
        }
        _ => return None,
    })
}

/// Registers the cache sample called `name`, if it is one.
pub fn register(name: &str, module: &mut Registration) -> Option<Result<()>> {
    if let Some(report) = report(name) {
        return Some(iisadmin(module).and_then(|log| {
            module.global_module(CacheModule { log, report })?;
            module.set_global_priority(GlobalNotifications::CACHE_OPERATION, Priority::First)
        }));
    }
    Some(match name {
        "IHttpServer/DispenseContainer" => iisadmin(module).and_then(|log| {
            let log = Arc::new(log);
            let container = module.server().dispense_container(module.module_id())?;
            log.info("DispensedContext::DispensedContext")?;
            container.context_or_insert_with(|| DispensedContext(Arc::clone(&log)))?;
            module.global_module(DispensedContainerModule { log, container })
        }),
        "IHttpServerDoCacheOperation" => {
            let server = module.server();
            module.global_module(EnumOnRetrieve(server))
        }
        _ => return None,
    })
}
