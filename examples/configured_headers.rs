//! `cargo run --example configured_headers [ADDR]`: the configured-headers
//! module with the sample configuration of
//! `examples/modules/configured_headers`: applicationHost.config (the
//! section declared, server-wide headers, HSTS for the site) and a
//! `web.config` tree under `site/` showing inheritance, `<location>`,
//! `<remove>` and `<clear>`. Try `/`, `/downloads/x`, `/docs/` and
//! `/docs/internal/`; edit a web.config and the next request sees it.

use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("modules/configured_headers");
    let config = iis_host::HostConfig {
        physical_path: dir.join("site").display().to_string(),
        application_host_config: Some(dir.join("applicationHost.config")),
        config_schemas: vec![std::fs::read_to_string(
            dir.join("configuredHeaders_schema.xml"),
        )?],
        ..iis_host::HostConfig::default()
    };
    iis_module_examples::serve_example_with(
        "configured_headers",
        "configured_headers: response headers from system.webServer/configuredHeaders, per site and per path",
        config,
    )
}
