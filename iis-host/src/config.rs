//! [`HostConfig`]: what applicationHost.config would say about the emulated
//! site, application and worker process.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::message::ServerConfig;
use crate::transcript::ModuleLog;

/// The server version iis-host passes to `RegisterModule`: IIS 10.0, encoded
/// as IIS encodes it, `MAKELONG(minor, major)` = `0x000A0000`.
///
/// The IIS docs call `dwServerVersion` "the IIS major version number"; the
/// production ASP.NET Core Module reads it as `MAKELONG(minor, major)`
/// (`dwServerVersion > MAKELONG(0, 7)` means "later than IIS 7.0"), which is
/// what IIS actually passes. Set [`HostConfig::server_version`] to emulate an
/// older server (IIS 7.5 is `0x00070005`).
pub const IIS_10_SERVER_VERSION: u32 = 10 << 16;

/// The emulated site, application and worker process.
#[derive(Debug, Clone)]
pub struct HostConfig {
    /// The application's physical path (`IHttpApplication::GetApplicationPhysicalPath`,
    /// `APPL_PHYSICAL_PATH`, the root of `MapPath`). Default `C:\inetpub\wwwroot\`,
    /// the IIS default, so that output is the same on every OS.
    pub physical_path: String,
    /// `IHttpServer::GetAppPoolName` and `APP_POOL_ID`. Default `DefaultAppPool`.
    pub app_pool_name: String,
    /// `IHttpSite::GetSiteName`. Default `Default Web Site`.
    pub site_name: String,
    /// `IHttpSite::GetSiteId` and `IHttpRequest::GetSiteId`. Default 1.
    pub site_id: u32,
    /// The server's computer name: the `s-computername` of the requests'
    /// log entries (`HTTP_LOG_FIELDS_DATA::ServerName`). Default `IIS-HOST`,
    /// so that output is the same on every machine.
    pub computer_name: String,
    /// The `dwServerVersion` passed to `RegisterModule`. Default
    /// [`IIS_10_SERVER_VERSION`].
    pub server_version: u32,
    /// `IHttpServer::IsCommandLineLaunch`: `false` (the default) emulates the
    /// IIS worker process started by WAS; `true` emulates IIS Express.
    pub command_line_launch: bool,
    /// How long a request waits for `IndicateCompletion`/`PostCompletion`
    /// after a module returns `RQ_NOTIFICATION_PENDING`. `None` waits
    /// forever, as IIS does. Default 60 s, so that a module bug fails a test
    /// instead of hanging it.
    pub pending_timeout: Option<Duration>,
    /// The threads of the worker pool notifications run on. A request a
    /// module leaves pending (`RQ_NOTIFICATION_PENDING`) holds none of them
    /// until its completion resumes it, so a few threads carry many
    /// requests, as in IIS; a module that blocks in a notification holds
    /// one. Default: 4 per CPU (IIS's default `MaxPoolThreads` per
    /// processor), at least 4.
    pub worker_threads: usize,
    /// The `Server` header IIS adds to a response that has none, when its
    /// head is about to be sent: before the SendResponse notification, so a
    /// module there sees it and may delete it (`DeleteHeader("Server")`,
    /// which then holds, as in IIS). Default `Microsoft-IIS/10.0`; `None`
    /// adds nothing.
    pub server_header: Option<String>,
    /// The HTTP/1.1 limits of [`Host::serve`](crate::Host::serve).
    pub server: ServerConfig,
    /// The handler mappings (`system.webServer/handlers`), in order: a
    /// request's `IHttpContext::GetScriptMap` is the first whose path and
    /// verb match it (unless a MapRequestHandler module set one). Default
    /// [`HandlerMapping::iis_defaults`].
    pub handlers: Vec<HandlerMapping>,
    /// The default documents (`system.webServer/defaultDocument/files`), in
    /// order: a request for a directory (`/dir/`) under
    /// [`physical_path`](Self::physical_path) that the `StaticFile` mapping
    /// handles gets the first that exists. Default: IIS's list,
    /// `Default.htm`, `Default.asp`, `index.htm`, `index.html`,
    /// `iisstart.htm`, `default.aspx`.
    pub default_documents: Vec<String>,
    /// The applicationHost.config `IAppHostAdminManager::GetAdminSection`
    /// reads (IIS's own format: `<configSections>`, sections, `<location>`).
    /// `None` (the default): sections have their schema defaults, and the
    /// site's `web.config` files (under [`physical_path`](Self::physical_path))
    /// still apply.
    pub application_host_config: Option<std::path::PathBuf>,
    /// The configuration schemas, each the text of an IIS schema file
    /// (`<configSchema><sectionSchema name="…">…`), as installed into
    /// `%windir%\system32\inetsrv\config\schema`. A section without a
    /// schema cannot be read. Default: none.
    pub config_schemas: Vec<String>,
    /// Which error page a response with an error status (400 and up) gets
    /// when it carries no body of its own (`system.webServer/httpErrors`
    /// `errorMode`, with IIS's default `existingResponse="Auto"`; see
    /// [`ErrorMode`]). Default [`ErrorMode::DetailedLocalOnly`], IIS's.
    pub error_mode: ErrorMode,
    /// Called with every record a module's SDK reports or a module
    /// forwards ([`ModuleLog`]), on the thread that made it, as it is made
    /// (before the response of its request has left). `iis-host serve`
    /// prints them. Default: none.
    pub on_module_log: Option<ModuleLogHook>,
}

/// `system.webServer/httpErrors` `errorMode`: which page IIS's custom error
/// module puts on an error response (status 400 and up).
///
/// With IIS's default `existingResponse="Auto"`, which iis-host emulates,
/// the module decides in this order (Microsoft's `HttpErrorsSection`
/// reference):
///
/// 1. a status set by `IHttpResponse::SetStatus` with `fTrySkipCustomErrors`
///    keeps the response as the module made it, body or none;
/// 2. where the effective mode is `Custom`, the response is replaced by the
///    short page (the module's body, if any, is dropped);
/// 3. where it is `Detailed`, a response with a body keeps it, and one
///    without gets the detailed page.
///
/// The detailed page shows the status and substatus (`HTTP Error 500.0 -
/// Internal Server Error`), the `SetErrorDescription` text (HTML-encoded
/// when the module asked), the module and notification that set the
/// status, the HRESULT it reported, the requested URL and the physical
/// path. The short page shows the status and substatus only.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorMode {
    /// The detailed page for a request from the local machine (a loopback
    /// client address, or the server's own), the short page for others
    /// (`DetailedLocalOnly`, 0). IIS's default.
    #[default]
    DetailedLocalOnly,
    /// The short page for every client (`Custom`, 1).
    Custom,
    /// The detailed page for every client (`Detailed`, 2).
    Detailed,
}

/// A callback for [`HostConfig::on_module_log`].
#[derive(Clone)]
pub struct ModuleLogHook(Arc<dyn Fn(&ModuleLog) + Send + Sync>);

impl ModuleLogHook {
    /// The hook that calls `f`.
    pub fn new(f: impl Fn(&ModuleLog) + Send + Sync + 'static) -> Self {
        ModuleLogHook(Arc::new(f))
    }

    /// Calls the hook.
    pub fn call(&self, record: &ModuleLog) {
        (self.0)(record);
    }
}

impl fmt::Debug for ModuleLogHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ModuleLogHook(Fn(&ModuleLog))")
    }
}

/// What a handler mapping requires of the request's resource
/// (`resourceType`; `IScriptMapInfo::GetResourceType`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceType {
    /// `File` (0).
    File,
    /// `Directory` (1).
    Directory,
    /// `Either` (2).
    Either,
    /// `Unspecified` (3).
    Unspecified,
}

/// The access a handler mapping requires (`requireAccess`;
/// `IScriptMapInfo::GetRequiredAccess`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequiredAccess {
    /// `None` (0).
    None,
    /// `Read` (1).
    Read,
    /// `Write` (2).
    Write,
    /// `Script` (3).
    Script,
    /// `Execute` (4).
    Execute,
}

/// One handler mapping (`<add>` of `system.webServer/handlers`), what
/// `IScriptMapInfo` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerMapping {
    /// `name`.
    pub name: String,
    /// `path`: `*`, `*.ext` or a file name.
    pub path: String,
    /// `verb`: `*` or a comma-separated list.
    pub verb: String,
    /// `modules`, comma-separated.
    pub modules: String,
    /// `scriptProcessor` (empty for none).
    pub script_processor: String,
    /// `type`, the managed handler type (empty for native handlers).
    pub managed_type: String,
    /// `resourceType`.
    pub resource_type: ResourceType,
    /// `requireAccess`.
    pub required_access: RequiredAccess,
    /// `allowPathInfo`.
    pub allow_path_info: bool,
    /// `responseBufferLimit` in bytes.
    pub response_buffer_limit: u32,
}

impl HandlerMapping {
    /// Four of IIS's default mappings, in applicationHost.config's order:
    /// classic ASP (`*.asp`), ASP.NET 4 pages in integrated mode
    /// (`*.aspx`), `OPTIONSVerbHandler` (`OPTIONS` on anything, answered by
    /// `ProtocolSupportModule`) and the catch-all `StaticFile` (`*`), which
    /// IIS's list ends with. (IIS also has `TRACEVerbHandler` before
    /// `StaticFile`; iis-host does not emulate `TRACE`.)
    pub fn iis_defaults() -> Vec<HandlerMapping> {
        vec![
            HandlerMapping {
                name: "ASPClassic".to_owned(),
                path: "*.asp".to_owned(),
                verb: "GET,HEAD,POST".to_owned(),
                modules: "IsapiModule".to_owned(),
                script_processor: r"%windir%\system32\inetsrv\asp.dll".to_owned(),
                managed_type: String::new(),
                resource_type: ResourceType::File,
                required_access: RequiredAccess::Script,
                allow_path_info: false,
                response_buffer_limit: 4_194_304,
            },
            HandlerMapping {
                name: "PageHandlerFactory-Integrated-4.0".to_owned(),
                path: "*.aspx".to_owned(),
                verb: "GET,HEAD,POST,DEBUG".to_owned(),
                modules: "ManagedPipelineHandler".to_owned(),
                script_processor: String::new(),
                managed_type: "System.Web.UI.PageHandlerFactory".to_owned(),
                resource_type: ResourceType::Unspecified,
                required_access: RequiredAccess::Script,
                allow_path_info: false,
                response_buffer_limit: 4_194_304,
            },
            HandlerMapping {
                name: "OPTIONSVerbHandler".to_owned(),
                path: "*".to_owned(),
                verb: "OPTIONS".to_owned(),
                modules: "ProtocolSupportModule".to_owned(),
                script_processor: String::new(),
                managed_type: String::new(),
                resource_type: ResourceType::Unspecified,
                required_access: RequiredAccess::None,
                allow_path_info: false,
                response_buffer_limit: 4_194_304,
            },
            HandlerMapping {
                name: "StaticFile".to_owned(),
                path: "*".to_owned(),
                verb: "*".to_owned(),
                modules: "StaticFileModule,DefaultDocumentModule,DirectoryListingModule".to_owned(),
                script_processor: String::new(),
                managed_type: String::new(),
                resource_type: ResourceType::Either,
                required_access: RequiredAccess::Read,
                allow_path_info: false,
                response_buffer_limit: 4_194_304,
            },
        ]
    }

    /// Whether the mapping applies to a request for `url` with `method`.
    pub fn matches(&self, url: &str, method: &str) -> bool {
        self.matches_file(file_name(url), method)
    }

    /// [`matches`](Self::matches) with the URL's file name (what follows
    /// its last `/`) found already.
    pub(crate) fn matches_file(&self, file: &[u8], method: &str) -> bool {
        // The verb list is read only for a mapping whose path matches.
        let path = match self.path.as_bytes() {
            b"*" => true,
            [b'*', suffix @ ..] => {
                file.len() >= suffix.len()
                    && file[file.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
            }
            p => file.eq_ignore_ascii_case(p),
        };
        path && (self.verb == "*"
            || self
                .verb
                .split(',')
                .any(|v| v.trim().eq_ignore_ascii_case(method)))
    }
}

/// The file name of `url`: what follows its last `/`.
pub(crate) fn file_name(url: &str) -> &[u8] {
    match url.as_bytes().iter().rposition(|&b| b == b'/') {
        Some(slash) => &url.as_bytes()[slash + 1..],
        None => url.as_bytes(),
    }
}

impl Default for HostConfig {
    fn default() -> Self {
        HostConfig {
            physical_path: r"C:\inetpub\wwwroot\".to_owned(),
            app_pool_name: "DefaultAppPool".to_owned(),
            site_name: "Default Web Site".to_owned(),
            site_id: 1,
            computer_name: "IIS-HOST".to_owned(),
            server_version: IIS_10_SERVER_VERSION,
            command_line_launch: false,
            pending_timeout: Some(Duration::from_secs(60)),
            worker_threads: std::thread::available_parallelism()
                .map_or(4, |n| 4 * n.get())
                .max(4),
            server_header: Some("Microsoft-IIS/10.0".to_owned()),
            server: ServerConfig::default(),
            handlers: HandlerMapping::iis_defaults(),
            default_documents: crate::handlers::default_document::DEFAULT_DOCUMENTS
                .iter()
                .map(|&d| d.to_owned())
                .collect(),
            application_host_config: None,
            config_schemas: Vec::new(),
            error_mode: ErrorMode::default(),
            on_module_log: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::HandlerMapping;

    #[test]
    fn a_mapping_matches_the_file_name_and_verb_ignoring_ascii_case() {
        let [asp, aspx, options, static_file] = &HandlerMapping::iis_defaults()[..] else {
            panic!("four default mappings");
        };
        assert!(aspx.matches("/app/Default.ASPX", "get"));
        assert!(!aspx.matches("/app/default.aspx/", "GET"), "no file name");
        assert!(!aspx.matches("/x", "GET"), "shorter than the suffix");
        assert!(
            !aspx.matches("/é.asp", "GET"),
            "a suffix across a UTF-8 character"
        );
        assert!(asp.matches("/é.asp", "POST"));
        assert!(!asp.matches("/page.asp", "PUT"), "verb not listed");
        assert!(options.matches("/anything", "OPTIONS"));
        assert!(static_file.matches("/", "DELETE"));
    }
}
