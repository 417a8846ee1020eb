//! [`ApplicationHost`]: the emulated server as an applicationHost.config
//! describes it: its site (name, id, bindings, physical path, application
//! pool), its global modules and its handler mappings.

use std::path::{Path, PathBuf};

use crate::HostConfig;
use crate::config::{HandlerMapping, RequiredAccess, ResourceType};

/// What an applicationHost.config says about the emulated server: read by
/// [`ApplicationHost::load`], used by
/// [`HostBuilder::from_application_host`](crate::HostBuilder::from_application_host)
/// and `iis-host serve --config`.
///
/// iis-host runs one site: the one named, or the first of
/// `system.applicationHost/sites`. From the file:
///
/// * the site's `name` and `id`, its root application's `applicationPool`,
///   and the `physicalPath` of its root virtual directory (a relative path
///   is taken from the file's directory; `%VAR%`s are expanded from the
///   environment);
/// * its `http` bindings (`bindingInformation="IP:port:host"`, `*` for any
///   address) as listen addresses;
/// * `system.webServer/globalModules` (`name`, `image`), in order: the
///   libraries to load;
/// * `system.webServer/handlers` at the top level, when present: the
///   handler mappings (otherwise IIS's defaults);
/// * `system.webServer/defaultDocument` at the top level, when present:
///   `enabled` and the `files` collection (`add`/`remove`/`clear` over
///   IIS's default list) as [`HostConfig::default_documents`].
///
/// `%VAR%`s in paths are expanded from the environment; a relative path
/// with a directory is taken from the file's directory (an iis-host
/// convenience: IIS wants absolute paths), a bare file name is left to the
/// loader's search path.
///
/// Sections the modules read come from the same file through
/// `GetAdminSection` ([`HostConfig::application_host_config`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApplicationHost {
    /// The host configuration: the defaults, with what the file says.
    pub config: HostConfig,
    /// `<globalModules>`: name and library path, in order.
    pub global_modules: Vec<(String, PathBuf)>,
    /// The site's `http` bindings as socket addresses (`0.0.0.0:80`).
    pub listen: Vec<String>,
}

impl ApplicationHost {
    /// Reads `path`, for the first site (or the one named `site`).
    ///
    /// # Errors
    /// The file cannot be read, is not well-formed, or has no such site.
    pub fn load(path: &Path, site: Option<&str>) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let doc =
            roxmltree::Document::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let root = doc.root_element();
        let mut config = HostConfig {
            application_host_config: Some(path.to_path_buf()),
            ..HostConfig::default()
        };
        let sites = child(root, "system.applicationHost").and_then(|n| child(n, "sites"));
        let site_node = sites.and_then(|sites| {
            sites
                .children()
                .filter(|n| n.has_tag_name("site"))
                .find(|n| {
                    site.is_none_or(|s| {
                        n.attribute("name")
                            .is_some_and(|name| name.eq_ignore_ascii_case(s))
                    })
                })
        });
        let mut listen = Vec::new();
        match (site_node, site) {
            (Some(node), _) => {
                if let Some(name) = node.attribute("name") {
                    config.site_name = name.to_owned();
                }
                if let Some(id) = node.attribute("id") {
                    config.site_id = id
                        .parse()
                        .map_err(|_| format!("site id '{id}' is not a number"))?;
                }
                let app = node
                    .children()
                    .find(|n| n.has_tag_name("application") && n.attribute("path") == Some("/"));
                if let Some(app) = app {
                    if let Some(pool) = app.attribute("applicationPool") {
                        config.app_pool_name = pool.to_owned();
                    }
                    let vdir = app.children().find(|n| {
                        n.has_tag_name("virtualDirectory") && n.attribute("path") == Some("/")
                    });
                    if let Some(physical) = vdir.and_then(|v| v.attribute("physicalPath")) {
                        config.physical_path = resolve(base, physical).display().to_string();
                    }
                }
                for binding in child(node, "bindings").iter().flat_map(|b| b.children()) {
                    if binding.has_tag_name("binding")
                        && binding.attribute("protocol") == Some("http")
                    {
                        let info = binding.attribute("bindingInformation").unwrap_or("");
                        let mut parts = info.split(':');
                        let (ip, port) =
                            (parts.next().unwrap_or("*"), parts.next().unwrap_or("80"));
                        let ip = if ip == "*" || ip.is_empty() {
                            "0.0.0.0"
                        } else {
                            ip
                        };
                        listen.push(format!("{ip}:{port}"));
                    }
                }
            }
            (None, Some(name)) => {
                return Err(format!("{}: no site named '{name}'", path.display()));
            }
            (None, None) => {}
        }
        let web = child(root, "system.webServer");
        let mut global_modules = Vec::new();
        for module in web
            .and_then(|w| child(w, "globalModules"))
            .iter()
            .flat_map(|g| g.children())
        {
            if module.has_tag_name("add") {
                let (Some(name), Some(image)) =
                    (module.attribute("name"), module.attribute("image"))
                else {
                    return Err(format!(
                        "{}: a <globalModules> entry needs name and image",
                        path.display()
                    ));
                };
                global_modules.push((name.to_owned(), resolve(base, image)));
            }
        }
        if let Some(handlers) = web.and_then(|w| child(w, "handlers")) {
            config.handlers = handlers
                .children()
                .filter(|n| n.has_tag_name("add"))
                .map(handler)
                .collect();
        }
        if let Some(section) = web.and_then(|w| child(w, "defaultDocument")) {
            config.default_documents = default_documents(section, config.default_documents);
        }
        Ok(ApplicationHost {
            config,
            global_modules,
            listen,
        })
    }
}

fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children().find(|n| n.has_tag_name(name))
}

/// `<defaultDocument>`'s list: none when `enabled="false"`, else the
/// `files` collection (`add value`, `remove value`, `clear`) applied to
/// `inherited`.
fn default_documents(section: roxmltree::Node<'_, '_>, inherited: Vec<String>) -> Vec<String> {
    if section
        .attribute("enabled")
        .is_some_and(|v| v.eq_ignore_ascii_case("false"))
    {
        return Vec::new();
    }
    let mut files = inherited;
    for entry in child(section, "files").iter().flat_map(|f| f.children()) {
        let value = entry.attribute("value").unwrap_or("");
        match entry.tag_name().name() {
            "add" if !files.iter().any(|f| f.eq_ignore_ascii_case(value)) => {
                files.push(value.to_owned());
            }
            "remove" => files.retain(|f| !f.eq_ignore_ascii_case(value)),
            "clear" => files.clear(),
            _ => {}
        }
    }
    files
}

fn handler(node: roxmltree::Node<'_, '_>) -> HandlerMapping {
    let text = |name: &str| node.attribute(name).unwrap_or("").to_owned();
    HandlerMapping {
        name: text("name"),
        path: text("path"),
        verb: text("verb"),
        modules: text("modules"),
        script_processor: text("scriptProcessor"),
        managed_type: text("type"),
        resource_type: match node.attribute("resourceType") {
            Some("File") => ResourceType::File,
            Some("Directory") => ResourceType::Directory,
            Some("Either") => ResourceType::Either,
            _ => ResourceType::Unspecified,
        },
        required_access: match node.attribute("requireAccess") {
            Some("None") => RequiredAccess::None,
            Some("Read") | None => RequiredAccess::Read,
            Some("Write") => RequiredAccess::Write,
            Some("Execute") => RequiredAccess::Execute,
            Some(_) => RequiredAccess::Script,
        },
        allow_path_info: node
            .attribute("allowPathInfo")
            .is_some_and(|v| v.eq_ignore_ascii_case("true")),
        response_buffer_limit: node
            .attribute("responseBufferLimit")
            .and_then(|v| v.parse().ok())
            .unwrap_or(4_194_304),
    }
}

/// `%VAR%` expanded from the environment, then a relative path taken from
/// the configuration file's directory.
fn resolve(base: &Path, text: &str) -> PathBuf {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('%') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('%') {
            Some(end) => {
                let name = &after[..end];
                match std::env::var(name) {
                    Ok(value) => out.push_str(&value),
                    Err(_) => {
                        out.push('%');
                        out.push_str(name);
                        out.push('%');
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push('%');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    let path = PathBuf::from(out);
    // A bare file name is left to the loader's search path, as IIS leaves
    // an `image` without a directory to LoadLibrary.
    if path.is_absolute() || path.components().count() == 1 {
        path
    } else {
        base.join(path)
    }
}
