//! The `IHttpCachePolicy` samples: at `SendResponse` the response is
//! replaced by a report of the response's output-cache policy, as
//! `Name:  value` lines (`IHttpCachePolicy.cpp`: an XML document, after
//! configuring the policy at `BeginRequest`).

use crate::report::{Prelude, prepare};
use crate::xml::{Element, boolean, or_null};
use iis_module::prelude::*;
use iis_module::request::{CachePolicy, CachePolicyKind, CacheSetting};

/// What a line-report sample reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Report {
    /// `GetKernelCachePolicy.cpp`.
    KernelPolicy,
    /// `GetUserCachePolicy.cpp`.
    UserPolicy,
    /// `GetVaryByHeaders.cpp`.
    VaryByHeaders,
    /// `GetVaryByQueryStrings.cpp`.
    VaryByQueryStrings,
    /// `GetVaryByValue.cpp`.
    VaryByValue,
    /// `IsCached.cpp`.
    IsCached,
    /// `IsUserCacheEnabled.cpp`.
    IsUserCacheEnabled,
}

/// The name of a policy type as the samples print it (`Error` outside the
/// enum).
fn kind_name(kind: CachePolicyKind) -> &'static str {
    kind.name().unwrap_or("Error")
}

/// The lines a report writes.
fn lines(policy: &CachePolicy<'_>, report: Report) -> Result<Vec<(&'static str, String)>> {
    let setting = |setting: Option<CacheSetting>| {
        setting.map_or_else(Vec::new, |s| {
            vec![
                ("Policy Type", kind_name(s.kind).to_owned()),
                ("Seconds-to-Live", s.seconds_to_live.to_string()),
            ]
        })
    };
    Ok(match report {
        Report::KernelPolicy => setting(policy.kernel_policy()),
        Report::UserPolicy => setting(policy.user_policy()),
        Report::VaryByHeaders => vec![("Vary-by-Headers", or_null(policy.vary_by_headers()?))],
        Report::VaryByQueryStrings => {
            vec![("Vary-by-Query", or_null(policy.vary_by_query_strings()?))]
        }
        Report::VaryByValue => vec![("Vary-by-Value", or_null(policy.vary_by_value()?))],
        Report::IsCached => vec![("Is Cached", boolean(policy.is_cached()).to_owned())],
        Report::IsUserCacheEnabled => vec![(
            "User Cache Enabled",
            boolean(policy.is_user_cache_enabled()).to_owned(),
        )],
    })
}

/// A line-report sample.
#[derive(Clone, Copy)]
pub struct PolicyReport(pub Report);

#[http_module]
impl HttpModule for PolicyReport {
    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        let Some(lines) = cx
            .response()
            .cache_policy()
            .map(|policy| lines(&policy, self.0))
            .transpose()?
        else {
            return Ok(Flow::Continue);
        };
        prepare(cx, Prelude::PlainText)?;
        let written = lines.iter().try_for_each(|(name, value)| {
            // CResponseWriter::WriteLine: the line, then CRLF, as chunks.
            let response = cx.response();
            response.write(format!("{name}:  {value}").as_bytes())?;
            response.write(b"\r\n")
        });
        if let Err(error) = written {
            // The sample's catch block: 500 "OnSendResponse", and continue.
            log::debug!("OnSendResponse: {error}");
            cx.response().set_status_detail(
                StatusCode::INTERNAL_SERVER_ERROR,
                0,
                "OnSendResponse",
                false,
            )?;
            return Ok(Flow::Continue);
        }
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpCachePolicy.cpp`: configures the policy at `BeginRequest`, and
/// answers an XML report of it at `SendResponse`.
pub struct PolicyDocument;

#[http_module]
impl HttpModule for PolicyDocument {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let Some(mut policy) = cx.response().cache_policy() else {
            return Ok(Flow::Continue);
        };
        // The sample ignores the HRESULTs of these calls.
        let _ = policy.append_vary_by_header("header1");
        let _ = policy.append_vary_by_header("header2");
        let _ = policy.append_vary_by_query_string("query1");
        let _ = policy.append_vary_by_query_string("query2");
        policy.disable_user_cache();
        let _ = policy.set_kernel_policy(CacheSetting {
            kind: CachePolicyKind::TimeToLive,
            seconds_to_live: 2,
        });
        let _ = policy.set_user_policy(CacheSetting {
            kind: CachePolicyKind::Maximum,
            seconds_to_live: 5,
        });
        policy.set_is_cached();
        policy.set_kernel_cache_invalidator();
        let _ = policy.set_vary_by_value("vary");
        Ok(Flow::Continue)
    }

    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        let Some(document) = cx.response().cache_policy().map(|p| document(&p)) else {
            return Ok(Flow::Continue);
        };
        let document = document?;
        let response = cx.response();
        response.clear();
        response.set_header(CONTENT_TYPE, "text/xml")?;
        response.write(document.as_bytes())?;
        Ok(Flow::FinishRequest)
    }
}

/// The `<response><httpCachePolicy …>` document.
fn document(policy: &CachePolicy<'_>) -> Result<String> {
    // The sample names the policy-type attribute after the element's role
    // ("kernelPolicy"/"userPolicy") and calls both elements "cachePolicy".
    let setting = |role: &str, setting: Option<CacheSetting>| {
        let mut element = Element::new("cachePolicy");
        if let Some(s) = setting {
            element
                .attribute(role, kind_name(s.kind))
                .attribute("secondsToLive", s.seconds_to_live.to_string());
        }
        element
    };
    let mut http = Element::new("httpCachePolicy");
    http.child(setting("kernelPolicy", policy.kernel_policy()))
        .child(setting("userPolicy", policy.user_policy()))
        .attribute("varyByHeaders", or_null(policy.vary_by_headers()?))
        .attribute("varyByQuery", or_null(policy.vary_by_query_strings()?))
        .attribute("varyByValue", or_null(policy.vary_by_value()?))
        .attribute("isCached", boolean(policy.is_cached()))
        .attribute(
            "isUserCacheEnabled",
            boolean(policy.is_user_cache_enabled()),
        );
    let mut response = Element::new("response");
    response.child(http);
    Ok(response.document())
}

/// Registers the cache-policy sample called `name`, if it is one.
pub fn register(name: &str, module: &mut Registration) -> Option<Result<()>> {
    let report = match name {
        "IHttpCachePolicy/GetKernelCachePolicy" => Report::KernelPolicy,
        "IHttpCachePolicy/GetUserCachePolicy" => Report::UserPolicy,
        "IHttpCachePolicy/GetVaryByHeaders" => Report::VaryByHeaders,
        "IHttpCachePolicy/GetVaryByQueryStrings" => Report::VaryByQueryStrings,
        "IHttpCachePolicy/GetVaryByValue" => Report::VaryByValue,
        "IHttpCachePolicy/IsCached" => Report::IsCached,
        "IHttpCachePolicy/IsUserCacheEnabled" => Report::IsUserCacheEnabled,
        "IHttpCachePolicy" => return Some(module.request_module(|| PolicyDocument)),
        _ => return None,
    };
    Some(module.request_module(move || PolicyReport(report)))
}
