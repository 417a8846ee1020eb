//! Microsoft's `IScriptMapInfo` samples, ported to safe Rust
//! (tests/modules/samples_global) and run in iis-host, whose handler
//! mappings (`HostConfig::handlers`, IIS's defaults) select the request's
//! script map.

mod samples_global_support;

use iis_host::{HandlerMapping, HostConfig, RequiredAccess, ResourceType};
use samples_global_support::{host, host_with};

/// The body `sample` answers for `url`, asserting it finished after
/// handler mapping.
fn answer(sample: &str, url: &str) -> String {
    let t = host(&[sample]).get(url);
    assert!(
        t.notification_lines().contains(&format!(
            "{sample}: OnPostMapRequestHandler -> FINISH_REQUEST"
        )),
        "{sample}: {:?}",
        t.notification_lines()
    );
    assert_eq!(t.status, 200, "{sample}: {}", t.body_text());
    t.body_text()
}

#[test]
fn a_static_file_request_maps_to_the_static_file_handler() {
    for (sample, body) in [
        ("IScriptMapInfoGetName", "Name: StaticFile"),
        ("IScriptMapInfoGetPath", "Path: *"),
        ("IScriptMapInfoGetAllowedVerbs", "Allowed Verbs: *"),
        (
            "IScriptMapInfoGetModules",
            "Modules: StaticFileModule,DefaultDocumentModule,DirectoryListingModule",
        ),
        ("IScriptMapInfoGetScriptProcessor", "Script Processor: n/a"),
        ("IScriptMapInfoGetManagedType", "Managed type: n/a"),
        (
            "IScriptMapInfoGetIsStarScriptMap",
            "Is star script map: Yes",
        ),
        ("IScriptMapInfoGetRequiredAccess", "Required access: Read"),
        ("IScriptMapInfoGetResourceType", "Resource type: Either"),
        (
            "IScriptMapInfoGetResponseBufferLimit",
            "Response buffer limit: 4194304",
        ),
        (
            "IScriptMapInfoGetAllowPathInfoForScriptMappings",
            "PathInfo Allowed: No",
        ),
    ] {
        assert_eq!(answer(sample, "/index.htm"), body, "{sample}");
    }
}

#[test]
fn script_mappings_report_their_processor_and_managed_type() {
    assert_eq!(
        answer("IScriptMapInfoGetScriptProcessor", "/default.asp"),
        r"Script Processor: %windir%\system32\inetsrv\asp.dll"
    );
    assert_eq!(
        answer("IScriptMapInfoGetManagedType", "/default.aspx"),
        "Managed type: System.Web.UI.PageHandlerFactory"
    );
    assert_eq!(
        answer("IScriptMapInfoGetName", "/default.aspx"),
        "Name: PageHandlerFactory-Integrated-4.0"
    );
    assert_eq!(
        answer("IScriptMapInfoGetAllowedVerbs", "/default.asp"),
        "Allowed Verbs: GET,HEAD,POST"
    );
    assert_eq!(
        answer("IScriptMapInfoGetIsStarScriptMap", "/default.asp"),
        "Is star script map: No"
    );
    assert_eq!(
        answer("IScriptMapInfoGetRequiredAccess", "/default.asp"),
        "Required access: Script"
    );
    assert_eq!(
        answer("IScriptMapInfoGetResourceType", "/default.aspx"),
        "Resource type: Unspecified"
    );
}

#[test]
fn the_text_answers_are_plain_text_but_path_info_has_no_content_type() {
    let t = host(&["IScriptMapInfoGetName"]).get("/");
    assert_eq!(t.header("Content-Type"), Some(&b"text/plain"[..]));
    let t = host(&["IScriptMapInfoGetAllowPathInfoForScriptMappings"]).get("/");
    assert_eq!(t.header("Content-Type"), None);
}

#[test]
fn a_request_no_mapping_takes_continues() {
    let config = HostConfig {
        handlers: vec![HandlerMapping {
            name: "OnlyAspx".to_owned(),
            path: "*.aspx".to_owned(),
            verb: "GET".to_owned(),
            modules: "ManagedPipelineHandler".to_owned(),
            script_processor: String::new(),
            managed_type: String::new(),
            resource_type: ResourceType::File,
            required_access: RequiredAccess::Script,
            allow_path_info: true,
            response_buffer_limit: 0,
        }],
        ..HostConfig::default()
    };
    let host = host_with(&["IScriptMapInfoGetName"], config);
    let t = host.get("/index.htm");
    assert_eq!(t.status, 404);
    assert_eq!(
        t.notification_lines(),
        ["IScriptMapInfoGetName: OnPostMapRequestHandler -> CONTINUE"]
    );
    assert_eq!(host.get("/a.aspx").body_text(), "Name: OnlyAspx");
}
