//! The tracing samples: modules that enable trace providers for themselves
//! (`SetTraceConfiguration` at registration) and receive the events as
//! `GL_TRACE_EVENT`, writing what they see to the event log; a request
//! module that raises a custom event; and the module-context-container
//! samples, which react to trace events raised inside a request.

use crate::notifications::iisadmin;
use crate::xml::{Element, boolean};
use iis_module::iis_sys::GUID;
use iis_module::prelude::*;
use iis_module::{
    global::TraceEvent,
    server::{
        TRACE_EVENT_FLAG_STATIC_DESCRIPTIVE_FIELDS, TraceConfiguration, TraceEventData, TraceItem,
        TraceValue, guid_string,
    },
};
use std::sync::Arc;

/// `GUID_IIS_ALL_TRACE_PROVIDERS`: every provider.
pub const ALL_PROVIDERS: GUID = GUID::zeroed();

/// The custom provider of `IHttpTraceContext/RaiseTraceEvent.cpp`.
pub const CUSTOM_PROVIDER: GUID = GUID::from_u128(0xa087707e_0103_4b78_b673_f2598c142a68);

/// Enables `provider` for the module being registered: all areas
/// (`0xffffe`), verbose.
fn subscribe(module: &Registration, provider: GUID) -> Result<()> {
    let trace = module.server().trace_context().ok_or(Error::NullPointer {
        operation: "IHttpServer::GetTraceContext",
    })?;
    trace.set_configuration(
        module.module_id(),
        &[TraceConfiguration {
            provider,
            areas: 0xffffe,
            verbosity: 5,
            enabled: true,
        }],
    )
}

/// `IHttpModuleRegistrationInfo/GetId.cpp`, `IHttpTraceContext/SetTraceConfiguration.cpp`:
/// tracing enabled at registration, a handler that does nothing (GetId.cpp
/// also opens an event source it never writes to).
pub struct SilentListener(#[allow(dead_code)] Option<EventLog>);

#[global_module]
impl GlobalModule for SilentListener {
    fn on_trace_event(&self, _: &mut TraceEvent) -> Result<GlobalFlow> {
        Ok(GlobalFlow::Continue)
    }
}

/// The global half of `IHttpTraceContext/RaiseTraceEvent.cpp`: the name of
/// each event of the custom provider.
pub struct CustomListener(EventLog);

#[global_module]
impl GlobalModule for CustomListener {
    fn on_trace_event(&self, provider: &mut TraceEvent) -> Result<GlobalFlow> {
        if provider.is_subscribed()
            && let Ok(event) = provider.event()
        {
            self.0.info(&event.name)?;
        }
        Ok(GlobalFlow::Continue)
    }
}

/// The request half: raises `Custom Event` at every `BeginRequest`.
pub struct CustomRaiser;

#[http_module]
impl HttpModule for CustomRaiser {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        if let Some(trace) = cx.trace_context() {
            // The sample ignores the HRESULT.
            let _ = trace.raise_event(&TraceEventData {
                provider: CUSTOM_PROVIDER,
                area: 0,
                area_guid: CUSTOM_PROVIDER,
                event: 1,
                name: "Custom Event".to_owned(),
                version: 1,
                verbosity: 0,
                flags: TRACE_EVENT_FLAG_STATIC_DESCRIPTIVE_FIELDS,
                ..TraceEventData::default()
            });
        }
        Ok(Flow::Continue)
    }
}

/// Which parts of the event a document sample writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Document {
    /// `IGlobalTraceEventProvider.cpp`: subscription flag and the full event.
    Full,
    /// `CheckSubscription.cpp`: the subscription flag only.
    Subscription,
    /// `GetTraceEvent.cpp`, `Structs/HTTP_TRACE_EVENT.cpp`: the full event.
    Event,
    /// `Structs/HTTP_TRACE_EVENT_ITEM.cpp`: the items (name, type, data,
    /// description) only.
    Items,
    /// `Enumerations/HTTP_TRACE_TYPE.cpp`: each item's type and value only.
    Types,
}

/// An item's value as the samples render `pbData` (their intent: the
/// published code casts the pointer itself for the one- and two-byte
/// types and reads only the first byte of the wider ones).
fn rendered(value: &TraceValue) -> String {
    match value {
        TraceValue::Byte(b) => char::from(*b).to_string(),
        TraceValue::Char(c) => char::from(*c as u8).to_string(),
        TraceValue::UShort(v) => v.to_string(),
        TraceValue::ULong(v) => v.to_string(),
        TraceValue::ULongLong(v) => v.to_string(),
        TraceValue::Short(v) => v.to_string(),
        TraceValue::Long(v) => v.to_string(),
        TraceValue::LongLong(v) => v.to_string(),
        TraceValue::WideString(s) => s.clone(),
        TraceValue::String(s) => String::from_utf8_lossy(s).into_owned(),
        TraceValue::Guid(g) => guid_string(g),
        TraceValue::Bool(b) => boolean(*b).to_owned(),
        _ => "NULL".to_owned(),
    }
}

fn guid_or_null(guid: Option<GUID>) -> String {
    guid.map_or_else(|| "NULL".to_owned(), |g| guid_string(&g))
}

fn item_element(item: &TraceItem, document: Document) -> Element {
    let mut element = Element::new("traceEventItem");
    let type_name = match item.value.type_name() {
        "unknown" => "Unknown",
        name => name,
    };
    if document != Document::Types {
        element.attribute("data", item.value.to_bytes().len().to_string());
    }
    element
        .attribute("traceType", type_name)
        .attribute("pbData", rendered(&item.value));
    if document != Document::Types {
        element
            .attribute("description", item.description.clone())
            .attribute("name", item.name.clone());
    }
    element
}

fn event_element(event: &TraceEventData, document: Document) -> Element {
    let mut element = Element::new("traceEvent");
    if matches!(document, Document::Full | Document::Event) {
        element
            .attribute("area", event.area.to_string())
            .attribute("event", event.event.to_string())
            .attribute("eventVersion", event.version.to_string())
            .attribute("flags", event.flags.to_string())
            .attribute("timeStamp", event.timestamp.to_string())
            .attribute("verbosity", event.verbosity.to_string())
            .attribute("activityGuid", guid_or_null(event.activity))
            .attribute("areaGuid", guid_string(&event.area_guid))
            .attribute("providerGuid", guid_string(&event.provider))
            .attribute("relatedActivityGuid", guid_or_null(event.related_activity))
            .attribute("eventName", event.name.clone())
            .attribute("eventItems", event.items.len().to_string());
    }
    let mut items = Element::new("traceEventItems");
    for item in &event.items {
        items.child(item_element(item, document));
    }
    element.child(items);
    element
}

/// The XML-document samples of `IGlobalTraceEventProvider`, `Structs` and
/// `Enumerations`.
pub struct TraceDocument {
    log: EventLog,
    document: Document,
}

#[global_module]
impl GlobalModule for TraceDocument {
    fn on_trace_event(&self, provider: &mut TraceEvent) -> Result<GlobalFlow> {
        let subscribed = provider.is_subscribed();
        if !subscribed {
            return Ok(GlobalFlow::Continue);
        }
        let mut root = Element::new("eventProvider");
        if matches!(self.document, Document::Full | Document::Subscription) {
            root.attribute("subscription", boolean(subscribed));
        }
        if self.document != Document::Subscription {
            match provider.event() {
                Ok(event) => root.child(event_element(&event, self.document)),
                Err(_) => root.child(Element::new("traceEvent")),
            };
        }
        // The sample writes the document element's XML (no prolog).
        self.log.info(&root.to_string())?;
        Ok(GlobalFlow::Continue)
    }
}

/// What `IHttpModuleContextContainer/*.cpp` store: logs its life.
pub struct StoredContext(Arc<EventLog>);

impl StoredContext {
    fn new(log: Arc<EventLog>) -> Result<Self> {
        log.info("CStoredContext::Constructor")?;
        Ok(Self(log))
    }
}

impl Drop for StoredContext {
    fn drop(&mut self) {
        // IIS's CleanupStoredContext, then the C++ destructor.
        let _ = self.0.info("CStoredContext::CleanupStoredContext");
        let _ = self.0.info("CStoredContext::Destructor");
    }
}

/// What a container sample does with the request it finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerUse {
    /// `GetCurrentHttpRequestContext.cpp`: asks for the request only.
    ContextOnly,
    /// `GetModuleContext.cpp`: looks its context up.
    Lookup,
    /// `IHttpModuleContextContainer.cpp`, `SetModuleContext.cpp`: stores a
    /// context the first time, displays it afterwards.
    StoreOrDisplay,
}

/// The samples of `IHttpModuleContextContainer` and
/// `IGlobalTraceEventProvider/GetCurrentHttpRequestContext.cpp`.
pub struct ContainerModule {
    log: Arc<EventLog>,
    usage: ContainerUse,
}

#[global_module]
impl GlobalModule for ContainerModule {
    fn on_trace_event(&self, provider: &mut TraceEvent) -> Result<GlobalFlow> {
        let usage = self.usage;
        let log = &self.log;
        let done = provider.with_request_context(|cx| -> Result<()> {
            match usage {
                ContainerUse::ContextOnly => Ok(()),
                ContainerUse::Lookup => cx.request_context::<StoredContext>().map(|_| ()),
                ContainerUse::StoreOrDisplay => {
                    if cx.request_context::<StoredContext>()?.is_some() {
                        log.info("CStoredContext::Display")
                    } else {
                        let stored = StoredContext::new(Arc::clone(log))?;
                        cx.set_request_context(stored).map(|_| ())
                    }
                }
            }
        })?;
        done.transpose()?;
        Ok(GlobalFlow::Continue)
    }
}

/// `helper:RaiseTraceEvent`: raises, at `BeginRequest`, an event with an
/// item of each `HTTP_TRACE_TYPE` (for the document samples).
pub struct ItemRaiser;

/// The items [`ItemRaiser`] raises.
pub fn helper_items() -> Vec<TraceItem> {
    let item = |name: &str, value, description: &str| TraceItem {
        name: name.to_owned(),
        value,
        description: description.to_owned(),
    };
    vec![
        item("Letter", TraceValue::Byte(b'A'), "a byte"),
        item("Port", TraceValue::UShort(8080), "an unsigned short"),
        item("Status", TraceValue::ULong(200), "an unsigned long"),
        item(
            "Bytes",
            TraceValue::ULongLong(1 << 40),
            "an unsigned long long",
        ),
        item("Offset", TraceValue::Long(-5), "a long"),
        item(
            "Url",
            TraceValue::WideString("/trace".to_owned()),
            "a wide string",
        ),
        item(
            "Verb",
            TraceValue::String(b"GET".to_vec()),
            "a narrow string",
        ),
        item("Context", TraceValue::Guid(CUSTOM_PROVIDER), "a GUID"),
        item("Cached", TraceValue::Bool(true), "a BOOL"),
    ]
}

#[http_module]
impl HttpModule for ItemRaiser {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        if let Some(trace) = cx.trace_context() {
            trace.raise_event(&TraceEventData {
                provider: CUSTOM_PROVIDER,
                area: 2,
                area_guid: CUSTOM_PROVIDER,
                event: 7,
                name: "Helper Event".to_owned(),
                version: 1,
                verbosity: 4,
                activity: Some(GUID::from_u128(0x11111111_2222_3333_4444_555555555555)),
                related_activity: None,
                timestamp: 42,
                flags: TRACE_EVENT_FLAG_STATIC_DESCRIPTIVE_FIELDS,
                items: helper_items(),
            })?;
        }
        Ok(Flow::Continue)
    }
}

/// Registers the tracing sample called `name`, if it is one.
pub fn register(name: &str, module: &mut Registration) -> Option<Result<()>> {
    let document = match name {
        "IGlobalTraceEventProvider" => Some(Document::Full),
        "IGlobalTraceEventProvider/CheckSubscription" => Some(Document::Subscription),
        "IGlobalTraceEventProvider/GetTraceEvent" | "Structs/HTTP_TRACE_EVENT" => {
            Some(Document::Event)
        }
        "Structs/HTTP_TRACE_EVENT_ITEM" => Some(Document::Items),
        "Enumerations/HTTP_TRACE_TYPE" => Some(Document::Types),
        _ => None,
    };
    if let Some(document) = document {
        return Some(iisadmin(module).and_then(|log| {
            subscribe(module, ALL_PROVIDERS)?;
            module.global_module(TraceDocument { log, document })
        }));
    }
    let container = match name {
        "IGlobalTraceEventProvider/GetCurrentHttpRequestContext" => Some(ContainerUse::ContextOnly),
        "IHttpModuleContextContainer/GetModuleContext" => Some(ContainerUse::Lookup),
        "IHttpModuleContextContainer" | "IHttpModuleContextContainer/SetModuleContext" => {
            Some(ContainerUse::StoreOrDisplay)
        }
        _ => None,
    };
    if let Some(usage) = container {
        return Some(iisadmin(module).and_then(|log| {
            module.global_module(ContainerModule {
                log: Arc::new(log),
                usage,
            })
        }));
    }
    Some(match name {
        "IHttpModuleRegistrationInfo/GetId" => iisadmin(module).and_then(|log| {
            subscribe(module, ALL_PROVIDERS)?;
            module.global_module(SilentListener(Some(log)))
        }),
        "IHttpTraceContext/SetTraceConfiguration" => subscribe(module, ALL_PROVIDERS)
            .and_then(|()| module.global_module(SilentListener(None))),
        "IHttpTraceContext/RaiseTraceEvent" => iisadmin(module).and_then(|log| {
            module.request_module(|| CustomRaiser)?;
            subscribe(module, CUSTOM_PROVIDER)?;
            module.global_module(CustomListener(log))
        }),
        "helper:RaiseTraceEvent" => module.request_module(|| ItemRaiser),
        _ => return None,
    })
}
