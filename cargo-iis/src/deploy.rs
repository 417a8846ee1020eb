//! `cargo iis deploy`: a folder to copy to the server, holding the module's
//! DLLs in a versioned subfolder, `install.ps1` / `uninstall.ps1` (appcmd
//! through PowerShell), the same as `appcmd` lines, and the
//! applicationHost.config fragment they produce.
//!
//! Layout of `--out DIR` (default `<target>/iis-deploy/<Name>-<version>`):
//!
//! ```text
//! install.ps1  uninstall.ps1  appcmd.txt  applicationHost.fragment.xml
//! <Name>-<version>/x64/<lib>.dll     (preCondition bitness64, entry <Name>)
//! <Name>-<version>/x86/<lib>.dll     (preCondition bitness32, entry <Name>32)
//! <Name>-<version>/<Name>_schema.xml (when the module has a config section)
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use crate::cargo::{self, ModulePackage};
use crate::doctor::{self, Arch};
use crate::{Error, Result};

/// `cargo iis deploy`.
#[derive(Debug, Args)]
pub(crate) struct DeployArgs {
    /// The site to enable the module for [default: every site, at the
    /// server level].
    #[arg(long, value_name = "SITE")]
    site: Option<String>,
    /// An application or folder of the site (e.g. /api) to enable it for,
    /// instead of the whole site.
    #[arg(long, value_name = "PATH", requires = "site")]
    path: Option<String>,
    /// Install into IIS Express (per user, no administrator) instead of IIS.
    #[arg(long)]
    iis_express: bool,
    /// A module DLL to deploy (repeat for x64 and x86) [default: the
    /// release DLLs of `cargo iis build --release`].
    #[arg(long = "dll", value_name = "FILE")]
    dlls: Vec<PathBuf>,
    /// The module's name in IIS [default: the crate name in CamelCase].
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// The version, the name of the install folder [default: the crate's].
    #[arg(long, value_name = "VERSION")]
    version: Option<String>,
    /// The schema of the module's configuration section
    /// (a sectionSchema named system.webServer/…) [default: schema.xml in
    /// the crate, if there is one].
    #[arg(long, value_name = "FILE")]
    schema: Option<PathBuf>,
    /// The folder to write [default: TARGET/iis-deploy/NAME-VERSION].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The module crate, in a workspace with several.
    #[arg(long, value_name = "NAME")]
    module: Option<String>,
}

/// One DLL to deploy.
#[derive(Debug, Clone)]
struct Build {
    arch: Arch,
    source: PathBuf,
    file_name: String,
}

/// A configuration section, from its schema file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Section {
    /// `system.webServer` (`a/b` for nested groups).
    group: String,
    /// The section's own name.
    name: String,
    /// The schema file.
    source: PathBuf,
}

/// Everything the scripts say.
#[derive(Debug, Clone)]
struct Plan {
    name: String,
    version: String,
    builds: Vec<Build>,
    section: Option<Section>,
    site: Option<String>,
    path: Option<String>,
    iis_express: bool,
}

/// Writes the deployment folder.
///
/// # Errors
///
/// When no DLL is found, a DLL fails `doctor`, or a file cannot be written.
pub(crate) fn run(args: &DeployArgs) -> Result<ExitCode> {
    // The crate is needed only for what the arguments leave out.
    let needs_crate =
        args.dlls.is_empty() || args.name.is_none() || args.version.is_none() || args.out.is_none();
    let package = if needs_crate {
        Some(cargo::module_package(args.module.as_deref())?)
    } else {
        None
    };
    let name = match (&args.name, &package) {
        (Some(name), _) => name.clone(),
        (None, Some(package)) => camel_case(&package.name),
        (None, None) => unreachable!("needs_crate"),
    };
    check_module_name(&name)?;
    let version = match (&args.version, &package) {
        (Some(version), _) => version.clone(),
        (None, Some(package)) => package.version.clone(),
        (None, None) => unreachable!("needs_crate"),
    };
    let dlls = if args.dlls.is_empty() {
        release_dlls(package.as_ref().expect("needs_crate"))?
    } else {
        args.dlls.iter().map(|p| crate::absolute(p)).collect()
    };
    let mut builds: Vec<Build> = Vec::new();
    for dll in dlls {
        let report = doctor::check(&dll, None);
        if report.refused() {
            print!("{report}");
            return Err(Error::msg(format!(
                "{} would not load in IIS: fix what doctor reports, then deploy again",
                dll.display()
            )));
        }
        let Some(arch) = report.arch else {
            return Err(Error::msg(format!(
                "{}: not an x64 or x86 DLL",
                dll.display()
            )));
        };
        if builds.iter().any(|b| b.arch == arch) {
            return Err(Error::msg(format!(
                "two {arch} DLLs given: one per bitness"
            )));
        }
        let file_name = dll
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        builds.push(Build {
            arch,
            source: dll,
            file_name,
        });
    }
    builds.sort_by_key(|b| b.arch.name());
    let schema = args.schema.as_deref().map(crate::absolute).or_else(|| {
        let default = package.as_ref()?.dir.join("schema.xml");
        default.is_file().then_some(default)
    });
    let section = match schema {
        Some(file) => Some(read_section(&file)?),
        None => None,
    };
    let plan = Plan {
        name,
        version,
        builds,
        section,
        site: args.site.clone(),
        path: args.path.clone(),
        iis_express: args.iis_express,
    };
    let out = match (&args.out, &package) {
        (Some(out), _) => crate::absolute(out),
        (None, Some(package)) => package.target_dir.join("iis-deploy").join(plan.folder()),
        (None, None) => unreachable!("needs_crate"),
    };
    write_folder(&plan, &out)?;
    println!("cargo iis deploy: wrote {}", out.display());
    for build in &plan.builds {
        println!(
            "  {}\\{}\\{} ({}, preCondition {})",
            plan.folder(),
            build.arch,
            build.file_name,
            plan.entry(build.arch),
            build.arch.precondition()
        );
    }
    println!(
        "Copy the folder to the server and run install.ps1{}; uninstall.ps1 undoes it.",
        if plan.iis_express {
            ""
        } else {
            " from an elevated PowerShell"
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// The DLLs `cargo iis build --release` leaves, by every route.
fn release_dlls(package: &ModulePackage) -> Result<Vec<PathBuf>> {
    let file = format!("{}.dll", package.lib_name);
    let mut found = Vec::new();
    for arch in [Arch::X64, Arch::X86] {
        let candidates = [
            package
                .target_dir
                .join(arch.msvc_target())
                .join("release")
                .join(&file),
            package
                .target_dir
                .join("iis-windows")
                .join(arch.gnu_target())
                .join("release")
                .join(&file),
        ];
        // The newest build of this bitness.
        let newest = candidates
            .into_iter()
            .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
            .max();
        if let Some((_, path)) = newest {
            found.push(path);
        }
    }
    if found.is_empty() {
        return Err(Error::msg(
            "no release DLL to deploy: run cargo iis build --release first, or name one with --dll FILE",
        ));
    }
    Ok(found)
}

/// `my-module` → `MyModule`.
fn camel_case(crate_name: &str) -> String {
    crate_name
        .split(['-', '_'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A module name that is safe inside the scripts' quoted strings and
/// appcmd's `[name='…']` syntax.
fn check_module_name(name: &str) -> Result<()> {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        Ok(())
    } else {
        Err(Error::msg(format!(
            "module name {name:?}: use ASCII letters, digits, '-', '_' and '.'"
        )))
    }
}

/// The section a schema file declares: `<sectionSchema name="group/name">`.
fn read_section(file: &Path) -> Result<Section> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Error::io(format!("cannot read {}", file.display()), e))?;
    parse_section(&text, file).ok_or_else(|| {
        Error::msg(format!(
            "{}: no <sectionSchema name=\"system.webServer/…\"> in it",
            file.display()
        ))
    })
}

fn parse_section(text: &str, file: &Path) -> Option<Section> {
    let rest = &text[text.find("<sectionSchema")?..];
    let rest = &rest[rest.find("name=")? + 5..];
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    let full = &value[..value.find(quote)?];
    let (group, name) = full.rsplit_once('/')?;
    let valid = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'))
    };
    (valid(group) && valid(name)).then(|| Section {
        group: group.to_owned(),
        name: name.to_owned(),
        source: file.to_path_buf(),
    })
}

impl Plan {
    /// The versioned folder of the deployment.
    fn folder(&self) -> String {
        format!("{}-{}", self.name, self.version)
    }

    /// The `globalModules` entry name of a build.
    fn entry(&self, arch: Arch) -> String {
        match arch {
            Arch::X64 => self.name.clone(),
            Arch::X86 => format!("{}32", self.name),
        }
    }

    /// Where the module is enabled: `Site/path`, `Site`, or the server.
    fn location(&self) -> Option<String> {
        let site = self.site.as_ref()?;
        Some(match &self.path {
            Some(path) => format!("{site}/{}", path.trim_matches('/')),
            None => site.clone(),
        })
    }

    fn server(&self) -> &'static str {
        if self.iis_express {
            "IIS Express"
        } else {
            "IIS"
        }
    }

    fn scope(&self) -> String {
        match self.location() {
            Some(location) => location,
            None => "every site (server level)".to_owned(),
        }
    }

    fn schema_file(&self) -> String {
        format!("{}_schema.xml", self.name)
    }

    /// Where install.ps1 puts the DLLs by default, as PowerShell.
    fn install_root_ps(&self) -> String {
        let base = if self.iis_express {
            "$env:LOCALAPPDATA"
        } else {
            "$env:ProgramFiles"
        };
        format!("(Join-Path {base} {})", ps_quote(&self.name))
    }

    /// The same, for the fragment and the appcmd lines (a literal path: in a
    /// 32-bit worker process `%ProgramFiles%` is `Program Files (x86)`).
    fn install_root_literal(&self) -> String {
        if self.iis_express {
            format!("%LOCALAPPDATA%\\{}", self.name)
        } else {
            format!("C:\\Program Files\\{}", self.name)
        }
    }

    fn appcmd_ps(&self) -> &'static str {
        if self.iis_express {
            "Join-Path $env:ProgramFiles 'IIS Express\\appcmd.exe'"
        } else {
            "Join-Path $env:windir 'system32\\inetsrv\\appcmd.exe'"
        }
    }

    fn appcmd_cmd(&self) -> &'static str {
        if self.iis_express {
            "\"%ProgramFiles%\\IIS Express\\appcmd.exe\""
        } else {
            "%windir%\\system32\\inetsrv\\appcmd.exe"
        }
    }

    fn config_file_ps(&self) -> &'static str {
        if self.iis_express {
            "Join-Path ([Environment]::GetFolderPath('MyDocuments')) 'IISExpress\\config\\applicationhost.config'"
        } else {
            "Join-Path $env:windir 'system32\\inetsrv\\config\\applicationHost.config'"
        }
    }

    fn schema_dir_ps(&self) -> &'static str {
        if self.iis_express {
            // Needs administrator rights, unlike the rest of IIS Express.
            "Join-Path $env:ProgramFiles 'IIS Express\\config\\schema'"
        } else {
            "Join-Path $env:windir 'system32\\inetsrv\\config\\schema'"
        }
    }

    fn requires(&self) -> &'static str {
        if self.iis_express {
            ""
        } else {
            "#Requires -RunAsAdministrator\n"
        }
    }

    fn location_ps(&self) -> String {
        self.location()
            .map_or_else(|| "$null".to_owned(), |l| ps_quote(&l))
    }

    /// `install.ps1`.
    fn install_script(&self) -> String {
        let mut register = String::new();
        let mut enable = String::new();
        for build in &self.builds {
            let _ = writeln!(
                register,
                "Register-Module {} (Join-Path $Target {}) {}",
                ps_quote(&self.entry(build.arch)),
                ps_quote(&format!("{}\\{}", build.arch, build.file_name)),
                ps_quote(build.arch.precondition())
            );
            let _ = writeln!(
                enable,
                "Enable-Module {} {}",
                ps_quote(&self.entry(build.arch)),
                ps_quote(build.arch.precondition())
            );
        }
        let grant = if self.iis_express {
            "# IIS Express runs as you: no permissions to grant.".to_owned()
        } else {
            "# The application pool identities (IIS_IUSRS) must read the DLLs.\n\
             icacls $Target /grant 'IIS_IUSRS:(OI)(CI)RX' | Out-Null\n\
             if ($LASTEXITCODE -ne 0) { throw \"icacls $Target failed\" }"
                .to_owned()
        };
        let schema = self
            .section
            .as_ref()
            .map(|section| {
                self.fill_schema(
                    include_str!("../templates/deploy/schema-install.ps1.in"),
                    section,
                )
            })
            .unwrap_or_default();
        self.fill(include_str!("../templates/deploy/install.ps1.in"))
            .replace("{{grant}}", &grant)
            .replace("{{schema}}", &schema)
            .replace("{{register}}", &register)
            .replace("{{enable}}", &enable)
    }

    /// `uninstall.ps1`.
    fn uninstall_script(&self) -> String {
        let mut disable = String::new();
        let mut unregister = String::new();
        for build in &self.builds {
            let entry = self.entry(build.arch);
            let _ = writeln!(
                disable,
                "& $AppCmd set config @scope -section:system.webServer/modules \"/-[name='{entry}']\" /commit:apphost | Out-Null"
            );
            let _ = writeln!(
                unregister,
                "& $AppCmd set config -section:system.webServer/globalModules \"/-[name='{entry}']\" /commit:apphost | Out-Null"
            );
        }
        let schema = self
            .section
            .as_ref()
            .map(|section| {
                self.fill_schema(
                    include_str!("../templates/deploy/schema-uninstall.ps1.in"),
                    section,
                )
            })
            .unwrap_or_default();
        self.fill(include_str!("../templates/deploy/uninstall.ps1.in"))
            .replace("{{disable}}", &disable)
            .replace("{{unregister}}", &unregister)
            .replace("{{schema}}", &schema)
    }

    fn fill(&self, template: &str) -> String {
        template
            .replace("{{name}}", &self.name)
            .replace("{{version}}", &self.version)
            .replace("{{server}}", self.server())
            .replace("{{folder}}", &self.folder())
            .replace("{{scope}}", &self.scope())
            .replace("{{requires}}", self.requires())
            .replace("{{install_root}}", &self.install_root_ps())
            .replace("{{appcmd}}", &format!("({})", self.appcmd_ps()))
            .replace("{{location}}", &self.location_ps())
    }

    fn fill_schema(&self, template: &str, section: &Section) -> String {
        let xpath = std::iter::once("/configuration/configSections".to_owned())
            .chain(
                section
                    .group
                    .split('/')
                    .map(|g| format!("sectionGroup[@name=\"{g}\"]")),
            )
            .collect::<Vec<_>>()
            .join("/");
        template
            .replace("{{schema_dir}}", &format!("({})", self.schema_dir_ps()))
            .replace("{{config_file}}", &format!("({})", self.config_file_ps()))
            .replace("{{schema_file}}", &self.schema_file())
            .replace("{{group_xpath}}", &xpath)
            .replace("{{group}}", &section.group)
            .replace("{{section}}", &section.name)
    }

    /// `appcmd.txt`: the same installation as plain appcmd lines.
    fn appcmd_lines(&self) -> String {
        let appcmd = self.appcmd_cmd();
        let root = format!("{}\\{}", self.install_root_literal(), self.version);
        let location = self
            .location()
            .map(|l| format!(" \"{l}\""))
            .unwrap_or_default();
        let mut out = format!(
            "rem {name} {version} into {server}, by hand (what install.ps1 does), from {prompt}.\n\
             rem 1. Copy the folder {folder} to \"{root}\".\n{grant}\
             rem 2. Register each build, 3. enable it for {scope}:\n",
            name = self.name,
            version = self.version,
            server = self.server(),
            prompt = if self.iis_express {
                "a command prompt"
            } else {
                "an elevated command prompt"
            },
            folder = self.folder(),
            grant = if self.iis_express {
                String::new()
            } else {
                format!(
                    "rem    The application pool identities (IIS_IUSRS) must read it:\n\
                     icacls \"{}\" /grant \"IIS_IUSRS:(OI)(CI)RX\"\n",
                    self.install_root_literal()
                )
            },
            scope = self.scope(),
        );
        for build in &self.builds {
            let _ = writeln!(
                out,
                "{appcmd} set config -section:system.webServer/globalModules /+\"[name='{entry}',image='{root}\\{arch}\\{file}',preCondition='{pre}']\" /commit:apphost",
                entry = self.entry(build.arch),
                arch = build.arch,
                file = build.file_name,
                pre = build.arch.precondition(),
            );
        }
        for build in &self.builds {
            let _ = writeln!(
                out,
                "{appcmd} set config{location} -section:system.webServer/modules /+\"[name='{entry}',preCondition='{pre}']\" /commit:apphost",
                entry = self.entry(build.arch),
                pre = build.arch.precondition(),
            );
        }
        out.push_str("\nrem Uninstall: disable, unregister, then delete the folder once the pools recycled.\n");
        for build in &self.builds {
            let entry = self.entry(build.arch);
            let _ = writeln!(
                out,
                "{appcmd} set config{location} -section:system.webServer/modules /-\"[name='{entry}']\" /commit:apphost"
            );
        }
        for build in &self.builds {
            let _ = writeln!(
                out,
                "{appcmd} set config -section:system.webServer/globalModules /-\"[name='{}']\" /commit:apphost",
                self.entry(build.arch)
            );
        }
        if let Some(section) = &self.section {
            let _ = write!(
                out,
                "\nrem The {group}/{section} configuration section: copy {schema} to %windir%\\system32\\inetsrv\\config\\schema\\\n\
                 rem and declare it in applicationHost.config (see applicationHost.fragment.xml); install.ps1 does both.\n",
                group = section.group,
                section = section.name,
                schema = self.schema_file(),
            );
        }
        out
    }

    /// `applicationHost.fragment.xml`: the configuration install.ps1 makes.
    fn fragment(&self) -> String {
        let root = format!("{}\\{}", self.install_root_literal(), self.version);
        let mut out = format!(
            "<!-- The applicationHost.config entries install.ps1 makes for {name} {version} ({server}),\n     \
             with the DLLs installed under {root}. -->\n<configuration>\n",
            name = self.name,
            version = self.version,
            server = self.server(),
        );
        if let Some(section) = &self.section {
            out.push_str("  <configSections>\n");
            let groups: Vec<&str> = section.group.split('/').collect();
            for (depth, group) in groups.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{}<sectionGroup name=\"{group}\">",
                    "  ".repeat(depth + 2)
                );
            }
            let _ = writeln!(
                out,
                "{}<section name=\"{}\" overrideModeDefault=\"Allow\" />",
                "  ".repeat(groups.len() + 2),
                section.name
            );
            for depth in (0..groups.len()).rev() {
                let _ = writeln!(out, "{}</sectionGroup>", "  ".repeat(depth + 2));
            }
            out.push_str("  </configSections>\n");
        }
        out.push_str("  <system.webServer>\n    <globalModules>\n");
        for build in &self.builds {
            let _ = writeln!(
                out,
                "      <add name=\"{}\" image=\"{root}\\{}\\{}\" preCondition=\"{}\" />",
                self.entry(build.arch),
                build.arch,
                build.file_name,
                build.arch.precondition()
            );
        }
        out.push_str("    </globalModules>\n");
        let modules = |indent: &str| {
            let mut block = format!("{indent}<modules>\n");
            for build in &self.builds {
                let _ = writeln!(
                    block,
                    "{indent}  <add name=\"{}\" preCondition=\"{}\" />",
                    self.entry(build.arch),
                    build.arch.precondition()
                );
            }
            block + indent + "</modules>\n"
        };
        match self.location() {
            None => {
                out.push_str(&modules("    "));
                out.push_str("  </system.webServer>\n");
            }
            Some(location) => {
                out.push_str("  </system.webServer>\n");
                let _ = writeln!(out, "  <location path=\"{}\">", xml_escape(&location));
                out.push_str("    <system.webServer>\n");
                out.push_str(&modules("      "));
                out.push_str("    </system.webServer>\n  </location>\n");
            }
        }
        out.push_str("</configuration>\n");
        out
    }
}

/// A PowerShell single-quoted string (only `'` is special: doubled).
fn ps_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Writes the folder (replacing an earlier deployment of the same version).
fn write_folder(plan: &Plan, out: &Path) -> Result<()> {
    let io = |what: String| move |e| Error::io(what, e);
    if out.exists() {
        std::fs::remove_dir_all(out).map_err(io(format!("cannot replace {}", out.display())))?;
    }
    let versioned = out.join(plan.folder());
    for build in &plan.builds {
        let dir = versioned.join(build.arch.name());
        std::fs::create_dir_all(&dir).map_err(io(format!("cannot create {}", dir.display())))?;
        let copy = dir.join(&build.file_name);
        std::fs::copy(&build.source, &copy).map_err(io(format!(
            "cannot copy {} to {}",
            build.source.display(),
            copy.display()
        )))?;
    }
    if let Some(section) = &plan.section {
        let copy = versioned.join(plan.schema_file());
        std::fs::copy(&section.source, &copy)
            .map_err(io(format!("cannot copy {}", section.source.display())))?;
    }
    // Windows line endings: the files are read and edited on Windows.
    let files = [
        ("install.ps1", plan.install_script()),
        ("uninstall.ps1", plan.uninstall_script()),
        ("appcmd.txt", plan.appcmd_lines()),
        ("applicationHost.fragment.xml", plan.fragment()),
    ];
    for (file, text) in files {
        let path = out.join(file);
        std::fs::write(&path, text.replace('\n', "\r\n"))
            .map_err(io(format!("cannot write {}", path.display())))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_sections_are_read() {
        assert_eq!(camel_case("my-module"), "MyModule");
        assert_eq!(camel_case("hello_world_2"), "HelloWorld2");
        assert!(check_module_name("My.Module-1").is_ok());
        assert!(check_module_name("My Module").is_err());
        assert!(check_module_name("a'b").is_err());
        let section = parse_section(
            "<configSchema>\n  <sectionSchema name=\"system.webServer/myModule\">\n</configSchema>",
            Path::new("s.xml"),
        )
        .unwrap();
        assert_eq!(
            (section.group.as_str(), section.name.as_str()),
            ("system.webServer", "myModule")
        );
        assert!(parse_section("<sectionSchema name=\"x y/z\">", Path::new("s.xml")).is_none());
    }
}
