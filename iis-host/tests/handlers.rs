//! IIS's handlers in iis-host (issue 14, item 4): the static file handler
//! with its MIME map, default documents and courtesy redirect, the handler
//! mapping that MapRequestHandler modules see and change, and
//! `IHttpContext::MapHandler`.

mod support;

use std::path::{Path, PathBuf};

use iis_host::{HandlerMapping, Host, HostConfig, RequiredAccess, ResourceType, Transcript};
use iis_sys::*;
use support::{Call, Counters, Script};

/// A site folder under the temp directory, removed when dropped.
struct Site(PathBuf);

impl Site {
    fn new(name: &str) -> Site {
        let dir = std::env::temp_dir().join(format!("handlers-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Site(dir)
    }

    fn file(&self, relative: &str, bytes: &[u8]) -> &Site {
        let path = self.0.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
        self
    }

    fn config(&self) -> HostConfig {
        HostConfig {
            physical_path: path_text(&self.0),
            ..HostConfig::default()
        }
    }

    fn host(&self) -> Host {
        Host::builder().config(self.config()).build().unwrap()
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn path_text(path: &Path) -> String {
    path.to_str().unwrap().to_owned()
}

fn request(method: &str, uri: &str, headers: &[(&str, &str)]) -> http::Request<Vec<u8>> {
    let mut builder = http::Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Vec::new()).unwrap()
}

fn header(t: &Transcript, name: &str) -> Option<String> {
    t.header(name)
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

#[test]
fn a_file_is_served_with_its_type_validators_and_bytes() {
    let site = Site::new("file");
    site.file("css/site.css", b"body { color: red }")
        .file("hello.TXT", b"hello");
    let host = site.host();
    let t = host.get("/css/site.css");
    assert_eq!((t.status, t.substatus), (200, 0), "{t}");
    assert_eq!(t.body, b"body { color: red }");
    assert_eq!(header(&t, "Content-Type").as_deref(), Some("text/css"));
    assert_eq!(header(&t, "Accept-Ranges").as_deref(), Some("bytes"));
    let etag = header(&t, "ETag").expect("an ETag");
    assert!(etag.starts_with('"') && etag.ends_with(":0\""), "{etag}");
    let modified = header(&t, "Last-Modified").expect("a Last-Modified");
    assert!(httpdate::parse_http_date(&modified).is_ok(), "{modified}");
    // The MIME map matches extensions without regard to case.
    let t = host.get("/hello.TXT");
    assert_eq!(
        (t.status, header(&t, "Content-Type").as_deref(), &t.body[..]),
        (200, Some("text/plain"), &b"hello"[..])
    );
}

#[test]
fn head_sends_the_length_of_the_file_and_no_body() {
    let site = Site::new("head");
    site.file("index.html", b"<p>hi</p>");
    let t = site.host().run(request("HEAD", "/index.html", &[]));
    assert_eq!(t.status, 200, "{t}");
    assert!(t.body.is_empty());
    assert_eq!(header(&t, "Content-Type").as_deref(), Some("text/html"));
    assert_eq!(header(&t, "Content-Length").as_deref(), Some("9"));
}

#[test]
fn a_current_cached_copy_gets_304() {
    let site = Site::new("cond");
    site.file("a.json", b"{}");
    let host = site.host();
    let first = host.get("/a.json");
    let etag = header(&first, "ETag").unwrap();
    let modified = header(&first, "Last-Modified").unwrap();
    let t = host.run(request("GET", "/a.json", &[("If-None-Match", &etag)]));
    assert_eq!(t.status, 304, "{t}");
    assert!(t.body.is_empty());
    let t = host.run(request(
        "GET",
        "/a.json",
        &[("If-Modified-Since", &modified)],
    ));
    assert_eq!(t.status, 304, "{t}");
    let t = host.run(request(
        "GET",
        "/a.json",
        &[("If-Modified-Since", "Thu, 01 Jan 1998 00:00:00 GMT")],
    ));
    assert_eq!(t.status, 200, "{t}");
}

#[test]
fn an_extension_without_a_mime_type_is_404_3() {
    let site = Site::new("mime");
    site.file("web.config.bak", b"secret")
        .file("app.unknownext", b"x");
    let host = site.host();
    for url in ["/web.config.bak", "/app.unknownext"] {
        let t = host.get(url);
        assert_eq!((t.status, t.substatus), (404, 3), "{url}: {t}");
        assert!(
            t.body_text().contains("HTTP Error 404.3 - Not Found"),
            "{t}"
        );
        assert!(!t.body_text().contains("secret"));
    }
}

#[test]
fn a_missing_file_is_404_0() {
    let site = Site::new("missing");
    let t = site.host().get("/nothing-here.html");
    assert_eq!((t.status, t.substatus), (404, 0), "{t}");
    assert!(t.body_text().contains("HTTP Error 404.0 - Not Found"));
}

#[test]
fn other_methods_on_a_static_file_are_405_with_allow() {
    let site = Site::new("verbs");
    site.file("form.html", b"<form>");
    let t = site.host().run(request("POST", "/form.html", &[]));
    assert_eq!((t.status, t.substatus), (405, 0), "{t}");
    assert_eq!(
        header(&t, "Allow").as_deref(),
        Some("GET, HEAD, OPTIONS, TRACE")
    );
    assert!(!t.body_text().contains("<form>"));
}

#[test]
fn a_directory_serves_its_first_default_document() {
    let site = Site::new("default");
    site.file("docs/index.html", b"index.html")
        .file("docs/index.htm", b"index.htm")
        .file("default.htm", b"root default");
    let host = site.host();
    // IIS's order: Default.htm, Default.asp, index.htm, index.html, ...
    let t = host.get("/docs/");
    assert_eq!((t.status, &t.body[..]), (200, &b"index.htm"[..]), "{t}");
    assert_eq!(header(&t, "Content-Type").as_deref(), Some("text/html"));
    // File names match without regard to case, as on Windows.
    assert_eq!(host.get("/").body, b"root default");
}

#[test]
fn a_directory_without_its_slash_is_redirected_to_it() {
    let site = Site::new("redirect");
    site.file("docs/index.htm", b"x");
    let t = site
        .host()
        .run(request("GET", "/docs?a=1", &[("Host", "example.test")]));
    assert_eq!(t.status, 301, "{t}");
    assert_eq!(
        header(&t, "Location").as_deref(),
        Some("http://example.test/docs/?a=1")
    );
}

#[test]
fn a_directory_without_a_default_document_is_403_14() {
    let site = Site::new("listing");
    site.file("empty/readme.md", b"x");
    let t = site.host().get("/empty/");
    assert_eq!((t.status, t.substatus), (403, 14), "{t}");
    assert!(t.body_text().contains("HTTP Error 403.14 - Forbidden"));
}

#[test]
fn options_goes_to_the_options_verb_handler() {
    let site = Site::new("options");
    site.file("a.txt", b"a");
    let t = site.host().run(request("OPTIONS", "/a.txt", &[]));
    assert_eq!(t.status, 200, "{t}");
    assert!(t.body.is_empty());
    assert_eq!(
        header(&t, "Allow").as_deref(),
        Some("OPTIONS, TRACE, GET, HEAD, POST")
    );
}

#[test]
fn a_request_no_mapping_takes_is_404_4() {
    let site = Site::new("nomap");
    site.file("a.txt", b"a");
    let config = HostConfig {
        handlers: Vec::new(),
        ..site.config()
    };
    let t = Host::builder()
        .config(config)
        .build()
        .unwrap()
        .get("/a.txt");
    assert_eq!((t.status, t.substatus), (404, 4), "{t}");
}

// A MapRequestHandler module that changes the method: the handler is chosen
// from the new one.
static TO_OPTIONS_COUNTERS: Counters = Counters::new();
static TO_OPTIONS: Script = Script {
    on_request: |call: &Call| {
        let request = support::calls::request(call.context);
        // SAFETY: a live request and a NUL-terminated method.
        let hr = unsafe {
            ((*(*request).lpVtbl).SetHttpMethod)(request, PCSTR(c"OPTIONS".as_ptr().cast()))
        };
        if hr.is_ok() {
            RQ_NOTIFICATION_CONTINUE
        } else {
            RQ_NOTIFICATION_FINISH_REQUEST
        }
    },
    ..Script::new(RQ_MAP_REQUEST_HANDLER, 0, &TO_OPTIONS_COUNTERS)
};
module!(to_options, TO_OPTIONS);

#[test]
fn set_http_method_in_map_request_handler_changes_the_handler() {
    let site = Site::new("setmethod");
    site.file("a.txt", b"file");
    let host = Host::builder()
        .config(site.config())
        .module_fn("to_options", to_options)
        .build()
        .unwrap();
    let t = host.get("/a.txt");
    assert_eq!(t.status, 200, "{t}");
    assert!(
        t.body.is_empty(),
        "the OPTIONS handler answered, not the file"
    );
    assert_eq!(
        header(&t, "Public").as_deref(),
        Some("OPTIONS, TRACE, GET, HEAD, POST")
    );
}

// A module that maps every request to itself: it finds its own mapping with
// IHttpContext::MapHandler and sets it with IMapHandlerProvider::SetScriptMap.
static SELF_MAPPED_COUNTERS: Counters = Counters::new();
static SELF_MAPPED: Script = Script {
    on_request: |call: &Call| {
        if call.notification == iis_host::Notification::MapRequestHandler {
            let url: Vec<u16> = "/any.mine\0".encode_utf16().collect();
            let mut map: *mut IScriptMapInfo = std::ptr::null_mut();
            // SAFETY: a live context, NUL-terminated strings and a writable out-pointer.
            let hr = unsafe {
                ((*(*call.context).lpVtbl).MapHandler)(
                    call.context,
                    1,
                    PCWSTR::null(),
                    PCWSTR(url.as_ptr()),
                    PCSTR(c"GET".as_ptr().cast()),
                    &mut map,
                    BOOL(0),
                )
            };
            if hr.is_ok() && !map.is_null() {
                let provider = call.provider.cast::<IMapHandlerProvider>();
                // SAFETY: the MapRequestHandler provider and a map of the host.
                unsafe { ((*(*provider).lpVtbl).SetScriptMap)(provider, map) };
            }
        }
        // As the handler, it answers nothing: IIS sends what it left.
        RQ_NOTIFICATION_CONTINUE
    },
    ..Script::new(
        RQ_MAP_REQUEST_HANDLER | RQ_EXECUTE_REQUEST_HANDLER,
        0,
        &SELF_MAPPED_COUNTERS,
    )
};
module!(self_mapped, SELF_MAPPED);

#[test]
fn a_module_that_maps_the_request_to_itself_keeps_the_static_handler_out() {
    let site = Site::new("selfmap");
    site.file("a.txt", b"file");
    let mut config = site.config();
    config.handlers.insert(
        0,
        HandlerMapping {
            name: "Mine".to_owned(),
            path: "*.mine".to_owned(),
            verb: "*".to_owned(),
            modules: "self_mapped".to_owned(),
            script_processor: String::new(),
            managed_type: String::new(),
            resource_type: ResourceType::Unspecified,
            required_access: RequiredAccess::Script,
            allow_path_info: false,
            response_buffer_limit: 0,
        },
    );
    let host = Host::builder()
        .config(config)
        .module_fn("self_mapped", self_mapped)
        .build()
        .unwrap();
    let t = host.get("/a.txt");
    assert_eq!((t.status, &t.body[..]), (200, &b""[..]), "{t}");
    assert_eq!(
        t.notification_lines(),
        [
            "self_mapped: OnMapRequestHandler -> CONTINUE",
            "self_mapped: OnExecuteRequestHandler -> CONTINUE"
        ]
    );
}

#[test]
fn over_http_get_sends_the_file_and_head_only_its_length() {
    let site = Site::new("tcp");
    site.file("page.htm", b"<h1>page</h1>");
    let get = support::over_tcp(
        site.host(),
        b"GET /page.htm HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n",
    );
    assert!(get.starts_with("HTTP/1.1 200 OK\r\n"), "{get}");
    assert!(get.contains("\r\nContent-Length: 13\r\n"), "{get}");
    assert!(get.ends_with("\r\n\r\n<h1>page</h1>"), "{get}");
    let head = support::over_tcp(
        site.host(),
        b"HEAD /page.htm HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n",
    );
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("\r\nContent-Length: 13\r\n"), "{head}");
    assert!(head.ends_with("\r\n\r\n"), "{head}");
}

#[test]
fn default_documents_come_from_application_host_config() {
    let site = Site::new("apphost");
    site.file("www/index.htm", b"index.htm")
        .file("www/home.html", b"home");
    let file = site.0.join("applicationHost.config");
    std::fs::write(
        &file,
        r#"<configuration>
  <system.applicationHost>
    <sites>
      <site name="Default Web Site" id="1">
        <application path="/" applicationPool="DefaultAppPool">
          <virtualDirectory path="/" physicalPath="./www" />
        </application>
      </site>
    </sites>
  </system.applicationHost>
  <system.webServer>
    <defaultDocument enabled="true">
      <files><clear /><add value="home.html" /><add value="index.htm" /></files>
    </defaultDocument>
  </system.webServer>
</configuration>"#,
    )
    .unwrap();
    let host = iis_host::HostBuilder::from_application_host(&file, None)
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(host.get("/").body, b"home");
    let off = std::fs::read_to_string(&file)
        .unwrap()
        .replace(r#"enabled="true""#, r#"enabled="false""#);
    std::fs::write(&file, off).unwrap();
    let host = iis_host::HostBuilder::from_application_host(&file, None)
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(host.get("/").status, 403);
}
