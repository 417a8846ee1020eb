//! The configured_headers example: its section read through iis-host's
//! configuration system (applicationHost.config, `<location>`, the
//! web.config tree), the schema the section type generates, and changes
//! picked up without a restart.

// The section type the module reads (its schema is what the tests install).
#[allow(dead_code)]
#[path = "../../examples/modules/configured_headers/src/section.rs"]
mod section;

use iis_host::{Host, HostConfig, Transcript};
use iis_module::config::ConfigSection;
use iis_module_tests::example_library;
use section::ConfiguredHeaders;
use std::path::{Path, PathBuf};

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/modules/configured_headers")
}

/// A copy of the example's site tree in a fresh directory (removed on drop).
struct Site(PathBuf);

impl Site {
    fn copy(name: &str) -> Site {
        let root =
            std::env::temp_dir().join(format!("configured-headers-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        copy_dir(&example_dir().join("site"), &root);
        Site(root)
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn host(&self) -> Host {
        self.builder().build().expect("the example loads")
    }

    fn builder(&self) -> iis_host::HostBuilder {
        let dir = example_dir();
        Host::builder()
            .config(HostConfig {
                physical_path: self.0.display().to_string(),
                application_host_config: Some(dir.join("applicationHost.config")),
                config_schemas: vec![ConfiguredHeaders::schema_xml()],
                ..HostConfig::default()
            })
            .module(example_library("configured_headers"))
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The module's calls, one per line (the error description among them).
fn calls(t: &Transcript) -> String {
    t.calls.iter().map(|c| format!("{c}\n")).collect()
}

fn header(t: &Transcript, name: &str) -> Option<String> {
    t.header(name)
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

#[test]
fn schema_xml_matches_the_installed_schema_file() {
    let file = example_dir().join("configuredHeaders_schema.xml");
    let generated = ConfiguredHeaders::schema_xml();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&file, &generated).unwrap();
    }
    assert_eq!(std::fs::read_to_string(file).unwrap(), generated);
    assert!(generated.contains(r#"<sectionSchema name="system.webServer/configuredHeaders">"#));
    assert!(
        generated
            .contains(r#"<attribute name="maxAge" type="timeSpan" defaultValue="365.00:00:00" />"#)
    );
    assert!(
        generated.contains(
            r#"<collection addElement="add" removeElement="remove" clearElement="clear">"#
        )
    );
}

#[test]
fn site_root_gets_server_site_and_root_web_config_headers_with_defaults() {
    let site = Site::copy("root");
    let t = site.host().get("/");
    // The site's folder has no default document: IIS's 403.14.
    assert_eq!((t.status, t.substatus), (403, 14), "{}", calls(&t));
    // applicationHost.config's two headers, the root web.config's one ...
    assert_eq!(
        header(&t, "X-Content-Type-Options").as_deref(),
        Some("nosniff")
    );
    assert_eq!(header(&t, "X-Frame-Options").as_deref(), Some("SAMEORIGIN"));
    assert_eq!(
        header(&t, "Referrer-Policy").as_deref(),
        Some("no-referrer")
    );
    // ... and the site's <location> HSTS, with the schema default for includeSubDomains.
    assert_eq!(
        header(&t, "Strict-Transport-Security").as_deref(),
        Some("max-age=15552000")
    );
    // statusClasses defaults to every class: the 403.14 page gets them too.
    assert_eq!(t.status, 403);
}

#[test]
fn location_remove_and_child_clear_override_inherited_headers() {
    let site = Site::copy("override");
    let host = site.host();
    let downloads = host.get("/downloads/file.zip");
    assert_eq!(
        header(&downloads, "X-Frame-Options"),
        None,
        "<location path=downloads> removes it"
    );
    assert_eq!(
        header(&downloads, "Referrer-Policy").as_deref(),
        Some("no-referrer")
    );

    let docs = host.get("/docs/");
    assert_eq!(header(&docs, "X-Frame-Options").as_deref(), Some("DENY"));
    assert_eq!(header(&docs, "Cache-Control").as_deref(), Some("no-store"));
    assert_eq!(
        header(&docs, "X-Content-Type-Options"),
        None,
        "<clear /> drops inherited entries"
    );
    assert_eq!(header(&docs, "Referrer-Policy"), None);

    // /docs/internal: only successful responses (a 404 is a client error).
    let internal = host.get("/docs/internal/page");
    assert_eq!(header(&internal, "X-Frame-Options"), None);
    assert_eq!(header(&internal, "Strict-Transport-Security"), None);
}

#[test]
fn child_web_config_inherits_hsts_and_widens_status_classes() {
    let site = Site::copy("paths");
    let host = site.host();
    let t = host.get("/docs/internal/x");
    assert_eq!(t.status, 404);
    // statusClasses="Success" there: the 404 gets nothing; widened, it gets
    // the site's HSTS with includeSubDomains from this level.
    site.write(
        "docs/internal/web.config",
        r#"<configuration><system.webServer><configuredHeaders statusClasses="Success,ClientError"><hsts includeSubDomains="true" /></configuredHeaders></system.webServer></configuration>"#,
    );
    let t = host.get("/docs/internal/x");
    assert_eq!(
        header(&t, "Strict-Transport-Security").as_deref(),
        Some("max-age=15552000; includeSubDomains")
    );
}

#[test]
fn invalid_value_fails_the_request_with_a_500_naming_path_section_and_attribute() {
    let site = Site::copy("invalid");
    site.write(
        "broken/web.config",
        r#"<configuration><system.webServer><configuredHeaders enabled="sometimes" /></system.webServer></configuration>"#,
    );
    let host = site.host();
    let t = host.get("/broken/page");
    assert_eq!(t.status, 500);
    assert_eq!(header(&t, "X-Content-Type-Options"), None);
    let text = calls(&t);
    assert!(
        text.contains("configuration section 'system.webServer/configuredHeaders' at 'MACHINE/WEBROOT/APPHOST/Default Web Site/broken/page'"),
        "{text}"
    );
    assert!(
        text.contains("'enabled' has the invalid value 'sometimes'"),
        "{text}"
    );
    // Other paths are unaffected (the root has no default document: 403.14).
    assert_eq!(host.get("/").status, 403);
}

#[test]
fn web_config_change_is_seen_by_the_next_request_without_restart() {
    let site = Site::copy("change");
    let host = site.host();
    assert_eq!(
        header(&host.get("/").clone(), "Referrer-Policy").as_deref(),
        Some("no-referrer")
    );
    site.write(
        "web.config",
        r#"<configuration><system.webServer><configuredHeaders><headers><add name="Referrer-Policy" value="same-origin" /></headers></configuredHeaders></system.webServer></configuration>"#,
    );
    assert_eq!(
        header(&host.get("/"), "Referrer-Policy").as_deref(),
        Some("same-origin")
    );
}

#[test]
fn web_config_change_raises_gl_configuration_change_with_its_path_before_the_next_request() {
    let site = Site::copy("notify");
    // IIS's documented sample global module: it logs each changed path.
    let host = site
        .builder()
        .module_named(
            "IGlobalConfigurationChangeProviderGetChangePath",
            iis_host::testing::cdylib_path("iis_samples_global"),
        )
        .build()
        .expect("the modules load");
    assert_eq!(
        header(&host.get("/docs/"), "X-Frame-Options").as_deref(),
        Some("DENY")
    );
    assert_eq!(
        host.get("/docs/").status,
        403,
        "a folder without a default document"
    );
    assert!(host.event_log().is_empty(), "nothing changed yet");

    site.write(
        "docs/web.config",
        r#"<configuration><system.webServer><configuredHeaders><headers><clear /><add name="X-Frame-Options" value="SAMEORIGIN" /></headers></configuredHeaders></system.webServer></configuration>"#,
    );
    let t = host.get("/docs/");
    assert_eq!(header(&t, "X-Frame-Options").as_deref(), Some("SAMEORIGIN"));
    let logged: Vec<Vec<String>> = host.event_log().iter().map(|e| e.strings.clone()).collect();
    assert_eq!(
        logged,
        [[
            "Path Changed",
            "MACHINE/WEBROOT/APPHOST/Default Web Site/docs"
        ]],
        "one notification, for the changed file's level"
    );
    host.get("/docs/");
    assert_eq!(host.event_log().len(), 1, "no change, no notification");
}

#[test]
fn application_host_config_gives_the_site_its_modules_and_its_sections() {
    let site = Site::copy("apphost");
    let dir = site.0.with_extension("config");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("applicationHost.config");
    let sample = std::fs::read_to_string(example_dir().join("applicationHost.config")).unwrap();
    // The sample with a site, its physical path and the module added.
    let full = sample.replace(
        "<system.webServer>\n    <configuredHeaders>",
        &format!(
            r#"<system.applicationHost>
    <sites>
      <site name="Default Web Site" id="1">
        <application path="/" applicationPool="DefaultAppPool">
          <virtualDirectory path="/" physicalPath="{}" />
        </application>
        <bindings><binding protocol="http" bindingInformation="127.0.0.1:8080:" /></bindings>
      </site>
    </sites>
  </system.applicationHost>
  <system.webServer>
    <globalModules><add name="ConfiguredHeaders" image="{}" /></globalModules>
    <configuredHeaders>"#,
            site.0.display(),
            example_library("configured_headers").display()
        ),
    );
    assert_ne!(full, sample);
    std::fs::write(&file, full).unwrap();
    let app = iis_host::ApplicationHost::load(&file, None).unwrap();
    assert_eq!(app.listen, ["127.0.0.1:8080"]);
    assert_eq!(app.global_modules[0].0, "ConfiguredHeaders");
    let host = iis_host::HostBuilder::from_application_host(&file, None)
        .unwrap()
        .config_schema(ConfiguredHeaders::schema_xml())
        .build()
        .unwrap();
    assert_eq!(host.module_names(), ["ConfiguredHeaders"]);
    let docs = host.get("/docs/");
    let root = host.get("/");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        header(&docs, "X-Frame-Options").as_deref(),
        Some("DENY"),
        "{}",
        calls(&docs)
    );
    assert_eq!(
        header(&root, "Referrer-Policy").as_deref(),
        Some("no-referrer")
    );
    assert_eq!(
        header(&root, "X-Content-Type-Options").as_deref(),
        Some("nosniff")
    );
}
