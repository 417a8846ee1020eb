//! [`LogRecord`]: the W3C log entry of a request.

/// The log entry IIS writes for a request: the fields of http.h's
/// `HTTP_LOG_FIELDS_DATA`, which iis-host prepares at the final send
/// (`ISendResponseProvider::GetReadyToLogData` is `TRUE` there and
/// `GetLogData` returns them), as SendResponse modules left them with
/// `SetLogData`.
///
/// The narrow fields are the bytes the log would hold; the names in
/// parentheses are the W3C log-file fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogRecord {
    /// `cs-username`: the user a module authenticated (empty: anonymous).
    pub user_name: String,
    /// `cs-uri-stem`: the URL path.
    pub uri_stem: String,
    /// `c-ip`: the client's address.
    pub client_ip: Vec<u8>,
    /// `s-computername`: [`HostConfig::computer_name`](crate::HostConfig::computer_name).
    pub server_name: Vec<u8>,
    /// `s-sitename`: the site's service name, `W3SVC<site id>`.
    pub service_name: Vec<u8>,
    /// `s-ip`: the server's address.
    pub server_ip: Vec<u8>,
    /// `cs-method`.
    pub method: Vec<u8>,
    /// `cs-uri-query`: the query string without `?`.
    pub uri_query: Vec<u8>,
    /// `cs-host`: the `Host` header.
    pub host: Vec<u8>,
    /// `cs(User-Agent)`.
    pub user_agent: Vec<u8>,
    /// `cs(Cookie)`.
    pub cookie: Vec<u8>,
    /// `cs(Referer)`.
    pub referrer: Vec<u8>,
    /// `s-port`: the server's port.
    pub server_port: u16,
    /// `sc-status`: the status code sent.
    pub protocol_status: u16,
    /// `sc-win32-status`.
    pub win32_status: u32,
    /// The method as an `HTTP_VERB` (`HttpVerbGET` = 4, …).
    pub method_num: i32,
    /// `sc-substatus`: IIS's substatus.
    pub sub_status: u16,
}
