//! The fields of http.h's `HTTP_LOG_FIELDS_DATA` (the W3C log entry a
//! SendResponse module reads and replaces), declared once.
//!
//! Like the notification tables, the table is an x-macro: [`log_fields!`]
//! hands its rows to a macro of the caller's. iis-module builds its
//! `LogFields` and the copies in and out of IIS from it, iis-host its
//! `LogRecord` and the structure it hands to modules, so the two sides
//! cannot disagree on a field. The compiler checks every row against
//! [`HTTP_LOG_FIELDS_DATA`](crate::HTTP_LOG_FIELDS_DATA): a field name that
//! is not the structure's does not compile.

/// Calls `$callback! { … }` with the fields of `HTTP_LOG_FIELDS_DATA`, in
/// three groups:
///
/// ```text
/// wide   { /// docs
///          name: Pointer, Length, "what"; … }   // PWCHAR + byte length: a String
/// narrow { /// docs
///          name: Pointer, Length, "what"; … }   // PCHAR + byte length: bytes
/// value  { /// docs
///          name: Field: type; … }               // a number, copied as it is
/// ```
///
/// `name` is the Rust field, `Pointer`/`Length`/`Field` the structure's
/// fields, `"what"` the field as an error message names it. The docs name
/// the W3C log-file field first.
#[macro_export]
macro_rules! log_fields {
    ($callback:ident) => {
        $callback! {
            wide {
                /// `cs-username`: the authenticated user (empty for
                /// anonymous requests).
                user_name: UserName, UserNameLength, "log user name";
                /// `cs-uri-stem`: the URL path.
                uri_stem: UriStem, UriStemLength, "log URI stem";
            }
            narrow {
                /// `c-ip`: the client's address.
                client_ip: ClientIp, ClientIpLength, "log client IP";
                /// `s-computername`: the server's computer name.
                server_name: ServerName, ServerNameLength, "log server name";
                /// `s-sitename`: the site's service name (`W3SVC<site id>`).
                service_name: ServiceName, ServiceNameLength, "log service name";
                /// `s-ip`: the server's address.
                server_ip: ServerIp, ServerIpLength, "log server IP";
                /// `cs-method`.
                method: Method, MethodLength, "log method";
                /// `cs-uri-query`: the query string, without `?`.
                uri_query: UriQuery, UriQueryLength, "log URI query";
                /// `cs-host`: the `Host` header.
                host: Host, HostLength, "log host";
                /// `cs(User-Agent)`.
                user_agent: UserAgent, UserAgentLength, "log user agent";
                /// `cs(Cookie)`.
                cookie: Cookie, CookieLength, "log cookie";
                /// `cs(Referer)`.
                referrer: Referrer, ReferrerLength, "log referrer";
            }
            value {
                /// `s-port`: the server's port.
                server_port: ServerPort: u16;
                /// `sc-status`: the status code sent.
                protocol_status: ProtocolStatus: u16;
                /// `sc-win32-status`.
                win32_status: Win32Status: u32;
                /// The method as an `HTTP_VERB` (`HttpVerbGET` = 4, …).
                method_num: MethodNum: i32;
                /// `sc-substatus`: IIS's substatus.
                sub_status: SubStatus: u16;
            }
        }
    };
}
