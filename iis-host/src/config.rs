//! [`HostConfig`]: what applicationHost.config would say about the emulated
//! site, application and worker process.

use std::time::Duration;

use crate::http::ServerConfig;

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
    /// The `Server` header added to every response that has none, as IIS
    /// adds one. Default `Microsoft-IIS/10.0`; `None` adds nothing.
    pub server_header: Option<String>,
    /// The HTTP/1.1 limits of [`Host::serve`](crate::Host::serve).
    pub server: ServerConfig,
}

impl Default for HostConfig {
    fn default() -> Self {
        HostConfig {
            physical_path: r"C:\inetpub\wwwroot\".to_owned(),
            app_pool_name: "DefaultAppPool".to_owned(),
            site_name: "Default Web Site".to_owned(),
            site_id: 1,
            server_version: IIS_10_SERVER_VERSION,
            command_line_launch: false,
            pending_timeout: Some(Duration::from_secs(60)),
            server_header: Some("Microsoft-IIS/10.0".to_owned()),
            server: ServerConfig::default(),
        }
    }
}
