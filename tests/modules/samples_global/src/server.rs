//! The `IHttpServer*`, `IHttpApplication*`, `IHttpSite*`, `IMetadataInfo*`
//! and `IHttpPerfCounterInfo*` request samples.

use crate::report::{
    BeginRequestReport, Prelude, SendResponseReport, prepare, server, write_message, yes_no,
};
use iis_module::prelude::*;
use iis_module::{HRESULT, request::MapPath, server::Sid};
use std::time::Duration;

/// `HRESULT_FROM_WIN32(ERROR_OUTOFMEMORY)`.
const OUT_OF_MEMORY: HRESULT = HRESULT(0x8007_000E_u32 as i32);

fn begin(label: &'static str, prelude: Prelude, read: crate::report::Reader) -> BeginRequestReport {
    BeginRequestReport {
        label,
        prelude,
        read,
    }
}

/// `IHttpServerIncrementThreadCount` / `IHttpServerDecrementThreadCount`:
/// each request blocks its thread between `IncrementThreadCount` and
/// `DecrementThreadCount` (30 s as published; a configured name
/// `…:<milliseconds>` shortens it, for tests).
#[derive(Clone, Copy)]
pub struct BlockingRequest(pub Duration);

#[http_module]
impl HttpModule for BlockingRequest {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let server = server(cx)?;
        server.increment_thread_count();
        std::thread::sleep(self.0);
        server.decrement_thread_count();
        Ok(Flow::Continue)
    }
}

/// `IHttpServerFlushKernelCache`: flushes `/default.aspx` from the kernel
/// cache at every `BeginRequest`; a failure is reported and finishes.
pub struct FlushKernelCache;

#[http_module]
impl HttpModule for FlushKernelCache {
    fn on_begin_request(&mut self, cx: &mut HttpContext, provider: &mut Event) -> Result<Flow> {
        match server(cx)?.flush_kernel_cache("/default.aspx") {
            Ok(()) => Ok(Flow::Continue),
            Err(error) => {
                provider.set_error_status(error.hresult());
                Ok(Flow::FinishRequest)
            }
        }
    }
}

/// `IHttpServerNotifyConfigurationChange`.
pub struct NotifyConfigurationChange;

#[http_module]
impl HttpModule for NotifyConfigurationChange {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        server(cx)?.notify_configuration_change("MACHINE/WEBROOT/APPHOST/Default Web Site")?;
        Ok(Flow::Continue)
    }
}

/// `IHttpServerNotifyFileChange`.
pub struct NotifyFileChange;

#[http_module]
impl HttpModule for NotifyFileChange {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        server(cx)?.notify_file_change(r"c:\inetpub\wwwroot\default.aspx")?;
        Ok(Flow::Continue)
    }
}

/// `IHttpServerRecycleApplication`: recycles the current application.
pub struct RecycleApplication;

#[http_module]
impl HttpModule for RecycleApplication {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let path = cx.application().map(|app| app.config_path()).transpose()?;
        if let Some(path) = path {
            server(cx)?.recycle_application(&path)?;
        }
        Ok(Flow::Continue)
    }
}

/// `IHttpServerRecycleProcess`.
pub struct RecycleProcess;

#[http_module]
impl HttpModule for RecycleProcess {
    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        server(cx)?.recycle_process("Recycling process.")?;
        Ok(Flow::Continue)
    }
}

/// `IHttpServerReportUnhealthy`.
pub struct ReportUnhealthy;

#[http_module]
impl HttpModule for ReportUnhealthy {
    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        server(cx)?.report_unhealthy("Out of memory.", OUT_OF_MEMORY)?;
        Ok(Flow::Continue)
    }
}

/// `IHttpServerAddFragmentToCache`: at `MapPath`, "Hello World!" is cached
/// under the URL being mapped; the body says whether that worked.
pub struct AddFragmentToCache;

#[http_module]
impl HttpModule for AddFragmentToCache {
    fn on_map_path(&mut self, cx: &mut HttpContext, provider: &mut MapPath) -> Result<Flow> {
        prepare(cx, Prelude::PlainText)?;
        let name = provider.url()?;
        if server(cx)?
            .add_fragment_to_cache(&name, b"Hello World!")
            .is_ok()
        {
            cx.response().write(b"\nSUCCEEDED\n")?;
        }
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpSiteGetPerfCounterInfo`: counter 1 of the site, +1 per request.
pub struct SitePerfCounter;

#[http_module]
impl HttpModule for SitePerfCounter {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        if let Some(counters) = cx.site().as_ref().and_then(|site| site.perf_counters()) {
            counters.increment(1, 1);
        }
        Ok(Flow::Continue)
    }
}

/// `IHttpServerGetPerfCounterInfo`: server counter 1, +1 for every
/// request, at `GL_PRE_BEGIN_REQUEST`.
pub struct ServerPerfCounter(HttpServer);

#[global_module]
impl GlobalModule for ServerPerfCounter {
    fn on_pre_begin_request(&self, _: &mut PreBeginRequest) -> Result<GlobalFlow> {
        if let Some(counters) = self.0.perf_counters() {
            counters.increment(1, 1);
        }
        Ok(GlobalFlow::Continue)
    }
}

/// `IHttpPerfCounterInfoIncrementCounter` / `…DecrementCounter`: as
/// published, a skeleton whose two hooks only continue.
pub struct PerfCounterSkeleton;

#[http_module]
impl HttpModule for PerfCounterSkeleton {
    fn on_begin_request(&mut self, _: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        Ok(Flow::Continue)
    }
    fn on_send_response(&mut self, _: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        Ok(Flow::Continue)
    }
}

/// `IMetadataInfoGetVrToken`: the SID of the virtual directory's user, when
/// it has one.
pub struct VrTokenSid;

#[http_module]
impl HttpModule for VrTokenSid {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let sid = {
            let Some(metadata) = cx.metadata() else {
                return Ok(Flow::Continue);
            };
            let Some(token) = metadata.vr_token() else {
                return Ok(Flow::Continue);
            };
            token.sid()
        };
        prepare(cx, Prelude::PlainText)?;
        let text = match sid {
            None => "null".to_owned(),
            Some(None) => "invalid".to_owned(),
            Some(Some(sid)) => Sid::to_string(&sid),
        };
        write_message(cx, "The metadata SID is ", &text)?;
        Ok(Flow::FinishRequest)
    }
}

/// Registers the request sample called `name`, if it is one.
pub fn register(name: &str, module: &mut Registration) -> Option<Result<()>> {
    let (base, millis) = match name.split_once(':') {
        Some((base, millis)) => (base, millis.parse().ok()),
        None => (name, None),
    };
    Some(match base {
        "IHttpApplicationGetAppConfigPath" => module.request_module(|| {
            begin(
                "Application configuration path: ",
                Prelude::PlainText,
                |cx| cx.application().map(|a| a.config_path()).transpose(),
            )
        }),
        "IHttpApplicationGetApplicationId" => module.request_module(|| {
            begin("Application ID: ", Prelude::PlainText, |cx| {
                cx.application().map(|a| a.id()).transpose()
            })
        }),
        "IHttpApplicationGetApplicationPhysicalPath" => module.request_module(|| {
            begin("Application physical path: ", Prelude::PlainText, |cx| {
                cx.application().map(|a| a.physical_path()).transpose()
            })
        }),
        "IHttpSiteGetSiteId" => module.request_module(|| {
            begin("Site ID: ", Prelude::Clear, |cx| {
                Ok(cx.site().map(|s| s.id().to_string()))
            })
        }),
        "IHttpSiteGetSiteName" => module.request_module(|| {
            begin("Site Name: ", Prelude::Clear, |cx| {
                cx.site().map(|s| s.name()).transpose()
            })
        }),
        "IHttpServerGetAppPoolName" => module.request_module(|| {
            begin("Application pool name: ", Prelude::PlainText, |cx| {
                server(cx)?.app_pool_name().map(Some)
            })
        }),
        "IHttpServerIsCommandLineLaunch" => module.request_module(|| {
            begin("Launched from a command-line: ", Prelude::Nothing, |cx| {
                Ok(Some(yes_no(server(cx)?.is_command_line_launch())))
            })
        }),
        "IMetadataInfoGetVrPath" => module.request_module(|| {
            begin("pVrPath: ", Prelude::PlainText, |cx| {
                Ok(cx.metadata().map(|m| m.vr_path()).transpose()?.flatten())
            })
        }),
        "IHttpServerSatisfiesPrecondition" => module.request_module(|| SendResponseReport {
            label: "Satisfies Precondition: ",
            prelude: Prelude::PlainText,
            read: |cx| {
                let satisfied = server(cx)?.satisfies_precondition("integratedMode")?;
                Ok(Some(yes_no(satisfied == Some(true))))
            },
        }),
        "IHttpServerIncrementThreadCount" | "IHttpServerDecrementThreadCount" => {
            let block = Duration::from_millis(millis.unwrap_or(30_000));
            module.request_module(move || BlockingRequest(block))
        }
        "IHttpServerFlushKernelCache" => module.request_module(|| FlushKernelCache),
        "IHttpServerNotifyConfigurationChange" => module
            .set_request_priority(RequestNotifications::BEGIN_REQUEST, Priority::Medium)
            .and_then(|()| module.request_module(|| NotifyConfigurationChange)),
        "IHttpServerNotifyFileChange" => module
            .set_request_priority(RequestNotifications::BEGIN_REQUEST, Priority::Medium)
            .and_then(|()| module.request_module(|| NotifyFileChange)),
        "IHttpServerRecycleApplication" => module.request_module(|| RecycleApplication),
        "IHttpServerRecycleProcess" => module.request_module(|| RecycleProcess),
        "IHttpServerReportUnhealthy" => module.request_module(|| ReportUnhealthy),
        "IHttpServerAddFragmentToCache" => module.request_module(|| AddFragmentToCache),
        "IHttpSiteGetPerfCounterInfo" => module.request_module(|| SitePerfCounter),
        "IHttpServerGetPerfCounterInfo" => {
            let server = module.server();
            module.global_module(ServerPerfCounter(server))
        }
        "IHttpPerfCounterInfoIncrementCounter" | "IHttpPerfCounterInfoDecrementCounter" => {
            module.request_module(|| PerfCounterSkeleton)
        }
        "IMetadataInfoGetVrToken" => module.request_module(|| VrTokenSid),
        _ => return None,
    })
}
