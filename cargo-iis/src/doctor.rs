//! `cargo iis doctor FILE.dll…`: reads a module DLL's PE headers, export and
//! import tables and reports what IIS will think of it, with a fix for
//! each problem. Exits non-zero when IIS would refuse the module.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use object::{Architecture, BinaryFormat, NameOrOrdinal, Object, ObjectKind, ObjectSection};

use crate::Result;

mod runtimes;

use runtimes::runtime_of;

/// The DLLs every stock Windows Server 2016+ has (see the file's header for
/// where the list comes from).
const SYSTEM_DLLS: &str = include_str!("doctor/system-dlls.txt");

/// The name IIS looks up with `GetProcAddress`.
const ENTRY_POINT: &str = "RegisterModule";

/// Above this a module DLL is unusually large (the reset-connection example
/// is under 250 KB in release; see docs/benchmarks.md section 4).
const LARGE: u64 = 4 << 20;

/// `cargo iis doctor`.
#[derive(Debug, Args)]
pub(crate) struct DoctorArgs {
    /// The module DLLs to check.
    #[arg(required = true, value_name = "FILE.dll")]
    files: Vec<PathBuf>,
    /// The application pool the DLL is for: `x64` (an ordinary pool) or
    /// `x86` (enable32BitAppOnWin64). A DLL of the other bitness fails.
    #[arg(long, value_name = "x64|x86")]
    pool: Option<Arch>,
}

/// The bitness of an IIS worker process, and of the DLLs it loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Arch {
    /// 64-bit: `w3wp.exe` of an ordinary application pool.
    X64,
    /// 32-bit: a pool with `enable32BitAppOnWin64` set.
    X86,
}

impl Arch {
    /// The `preCondition` that loads a DLL into these worker processes only.
    pub(crate) fn precondition(self) -> &'static str {
        match self {
            Arch::X64 => "bitness64",
            Arch::X86 => "bitness32",
        }
    }

    /// The Rust MSVC target that builds for it.
    pub(crate) fn msvc_target(self) -> &'static str {
        match self {
            Arch::X64 => "x86_64-pc-windows-msvc",
            Arch::X86 => "i686-pc-windows-msvc",
        }
    }

    /// The MinGW target of the cross route (Linux).
    pub(crate) fn gnu_target(self) -> &'static str {
        match self {
            Arch::X64 => "x86_64-pc-windows-gnu",
            Arch::X86 => "i686-pc-windows-gnu",
        }
    }

    /// Its name on the command line and in folder names.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Arch::X64 => "x64",
            Arch::X86 => "x86",
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    /// Fine.
    Ok,
    /// IIS loads it, but it is probably not what you want to ship.
    Warn,
    /// IIS would refuse the module (or fail the pool loading it).
    Fail,
}

/// One line of the report.
#[derive(Debug, Clone)]
pub(crate) struct Finding {
    /// How bad it is.
    pub(crate) level: Level,
    /// What was found.
    pub(crate) text: String,
    /// What to do about it.
    pub(crate) fix: Option<String>,
}

/// What `doctor` found in one file.
#[derive(Debug, Clone)]
pub(crate) struct Report {
    /// The file.
    pub(crate) path: PathBuf,
    /// Its bitness, when it is an x64 or x86 PE file.
    pub(crate) arch: Option<Arch>,
    /// Everything checked, in order.
    pub(crate) findings: Vec<Finding>,
}

impl Report {
    /// Whether IIS would refuse the module.
    pub(crate) fn refused(&self) -> bool {
        self.findings.iter().any(|f| f.level == Level::Fail)
    }

    fn push(&mut self, level: Level, text: impl Into<String>, fix: Option<String>) {
        self.findings.push(Finding {
            level,
            text: text.into(),
            fix,
        });
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "doctor: {}", self.path.display())?;
        for finding in &self.findings {
            let tag = match finding.level {
                Level::Ok => "ok  ",
                Level::Warn => "warn",
                Level::Fail => "FAIL",
            };
            writeln!(f, "  {tag}  {}", finding.text)?;
            if let Some(fix) = &finding.fix {
                writeln!(f, "        fix: {fix}")?;
            }
        }
        let count = |level| self.findings.iter().filter(|f| f.level == level).count();
        let (fails, warns) = (count(Level::Fail), count(Level::Warn));
        if fails > 0 {
            writeln!(
                f,
                "verdict: IIS would refuse this module ({fails} problem{})",
                plural(fails)
            )
        } else {
            writeln!(
                f,
                "verdict: IIS can load this module ({warns} warning{})",
                plural(warns)
            )
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Runs `doctor` on each file: exit status 1 if any would be refused.
///
/// # Errors
///
/// Never: an unreadable file is a failed check.
pub(crate) fn run(args: &DoctorArgs) -> Result<ExitCode> {
    Ok(print_verdicts(
        args.files.iter().map(|path| (path.as_path(), args.pool)),
    ))
}

/// Checks each DLL (for its pool, if given) and prints its report: exit
/// status 1 if IIS would refuse any of them.
pub(crate) fn print_verdicts<'a>(
    dlls: impl IntoIterator<Item = (&'a Path, Option<Arch>)>,
) -> ExitCode {
    let mut refused = false;
    for (path, pool) in dlls {
        let report = check(path, pool);
        print!("{report}");
        refused |= report.refused();
    }
    if refused {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Checks the DLL at `path`, for a pool of bitness `pool` if given.
pub(crate) fn check(path: &Path, pool: Option<Arch>) -> Report {
    let mut report = Report {
        path: path.to_path_buf(),
        arch: None,
        findings: Vec::new(),
    };
    match std::fs::read(path) {
        Ok(data) => check_bytes(&data, pool, &mut report),
        Err(error) => report.push(
            Level::Fail,
            format!("cannot read the file: {error}"),
            Some("build it first: cargo iis build --release".into()),
        ),
    }
    report
}

fn check_bytes(data: &[u8], pool: Option<Arch>, report: &mut Report) {
    let file = match object::File::parse(data) {
        Ok(file) if file.format() == BinaryFormat::Pe => file,
        Ok(file) => {
            report.push(
                Level::Fail,
                format!(
                    "not a Windows DLL but a {:?} file (what iis-host loads on this OS, not IIS)",
                    file.format()
                ),
                Some("build for Windows: cargo iis build".into()),
            );
            return;
        }
        Err(error) => {
            report.push(
                Level::Fail,
                format!("not a PE file, or a damaged one: {error}"),
                Some("rebuild it; a copy cut short is damaged: copy it again".into()),
            );
            return;
        }
    };
    if file.kind() != ObjectKind::Dynamic {
        report.push(
            Level::Fail,
            "a PE file, but not a DLL (an executable or object file)",
            Some("make the crate a library with crate-type = [\"cdylib\"]".into()),
        );
    }
    check_machine(&file, pool, report);
    check_exports(&file, report);
    check_imports(&file, report);
    check_debug(&file, report);
    check_size(data.len() as u64, report);
}

fn check_machine(file: &object::File<'_>, pool: Option<Arch>, report: &mut Report) {
    let arch = match file.architecture() {
        Architecture::X86_64 => Arch::X64,
        Architecture::I386 => Arch::X86,
        Architecture::Aarch64 => {
            report.push(
                Level::Warn,
                "machine ARM64: only IIS on Windows on ARM loads it",
                Some("for x64 and 32-bit pools: cargo iis build --arch all".into()),
            );
            return;
        }
        other => {
            report.push(
                Level::Fail,
                format!("machine {other:?}: no IIS worker process loads it"),
                Some(
                    "build for x86_64-pc-windows-msvc or i686-pc-windows-msvc: cargo iis build"
                        .into(),
                ),
            );
            return;
        }
    };
    report.arch = Some(arch);
    let (machine, pools) = match arch {
        Arch::X64 => (
            "x64 (AMD64, PE32+)",
            "64-bit application pools (preCondition=\"bitness64\")",
        ),
        Arch::X86 => (
            "x86 (I386, PE32)",
            "32-bit application pools, enable32BitAppOnWin64=true (preCondition=\"bitness32\")",
        ),
    };
    match pool {
        Some(pool) if pool != arch => report.push(
            Level::Fail,
            format!(
                "machine {machine}: an {pool} pool cannot load it (event 2282, or error 193 ERROR_BAD_EXE_FORMAT)"
            ),
            Some(format!(
                "build for the pool: cargo iis build --arch {pool} ({}), and register each build with preCondition=\"{}\" (cargo iis deploy writes it)",
                pool.msvc_target(),
                pool.precondition()
            )),
        ),
        _ => report.push(Level::Ok, format!("machine {machine}: for {pools}"), None),
    }
}

fn check_exports(file: &object::File<'_>, report: &mut Report) {
    let exports = match file
        .exports()
        .and_then(Iterator::collect::<object::Result<Vec<_>>>)
    {
        Ok(exports) => exports,
        Err(error) => {
            report.push(
                Level::Fail,
                format!("the export table cannot be read: {error}"),
                Some("rebuild it".into()),
            );
            return;
        }
    };
    let names: Vec<String> = exports
        .iter()
        .filter_map(|export| match export.name() {
            NameOrOrdinal::Name(name) => Some(String::from_utf8_lossy(name).into_owned()),
            NameOrOrdinal::Ordinal(_) => None,
        })
        .collect();
    if names.iter().any(|name| name == ENTRY_POINT) {
        report.push(Level::Ok, "exports RegisterModule, undecorated", None);
        return;
    }
    if let Some(decorated) = names.iter().find(|name| name.contains(ENTRY_POINT)) {
        report.push(
            Level::Fail,
            format!(
                "exports {decorated}, not RegisterModule: IIS looks up the undecorated name (event 2295); {decorated} is the x86 stdcall decoration"
            ),
            Some(
                "in Rust, export it with #[register_module] (it exports the undecorated name on x86 too); in C/C++, name it in a .def file (EXPORTS RegisterModule), or link MinGW with -Wl,--kill-at"
                    .into(),
            ),
        );
        return;
    }
    report.push(
        Level::Fail,
        "does not export RegisterModule: IIS cannot start the module (event 2295)",
        Some(
            "put #[register_module] on the registration function, in a crate with crate-type = [\"cdylib\"]"
                .into(),
        ),
    );
}

fn check_imports(file: &object::File<'_>, report: &mut Report) {
    let imports = match file
        .imports()
        .and_then(Iterator::collect::<object::Result<Vec<_>>>)
    {
        Ok(imports) => imports,
        Err(error) => {
            report.push(
                Level::Fail,
                format!("the import table cannot be read: {error}"),
                Some("rebuild it".into()),
            );
            return;
        }
    };
    let dlls: BTreeSet<String> = imports
        .iter()
        .map(|import| String::from_utf8_lossy(import.library()).to_ascii_lowercase())
        .collect();
    let system: BTreeSet<&str> = SYSTEM_DLLS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect();
    let mut missing = false;
    for dll in &dlls {
        if system.contains(dll.as_str()) || dll.starts_with("api-ms-win-") {
            continue;
        }
        missing = true;
        match runtime_of(dll) {
            Some(runtime) => report.push(
                Level::Fail,
                format!(
                    "imports {dll}: {}; without it IIS fails to load the module (event 2280, error 126)",
                    runtime.what()
                ),
                Some(runtime.fix().into()),
            ),
            None => report.push(
                Level::Fail,
                format!(
                    "imports {dll}, which a stock Windows Server does not have; without it IIS fails to load the module (event 2280, error 126)"
                ),
                Some(format!(
                    "link its code statically; or, if a stock Windows Server ships {dll}, add it to cargo-iis/src/doctor/system-dlls.txt"
                )),
            ),
        }
    }
    if !missing {
        let list = dlls.iter().cloned().collect::<Vec<_>>().join(", ");
        report.push(
            Level::Ok,
            format!("imports only DLLs of a stock Windows Server: {list}"),
            None,
        );
    }
}

fn check_debug(file: &object::File<'_>, report: &mut Report) {
    if let Ok(Some(pdb)) = file.pdb_info() {
        let path = String::from_utf8_lossy(pdb.path()).into_owned();
        if is_debug_profile_pdb(&path) {
            report.push(
                Level::Warn,
                format!("a debug build (its PDB is {path}): slow and large"),
                Some("ship a release build: cargo iis build --release".into()),
            );
            return;
        }
    }
    let dwarf: u64 = file
        .sections()
        .filter(|section| section.name().is_ok_and(|name| name.starts_with(".debug_")))
        .map(|section| section.size())
        .sum();
    if dwarf > 0 {
        report.push(
            Level::Warn,
            format!(
                "carries {} of DWARF debug information: a debug build, or not stripped",
                human(dwarf)
            ),
            Some("ship a release build (cargo iis build --release), or strip it".into()),
        );
    } else {
        report.push(Level::Ok, "a release build (no debug information)", None);
    }
}

/// Whether a PDB path is cargo's debug profile output:
/// `…\debug\deps\x.pdb` or `…\debug\x.pdb` (a `debug` folder higher up,
/// such as `C:\debug\project\target\release\…`, is not).
fn is_debug_profile_pdb(path: &str) -> bool {
    let mut folders = path.split(['\\', '/']).rev().skip(1);
    match folders.next() {
        Some("debug") => true,
        Some("deps") => folders.next() == Some("debug"),
        _ => false,
    }
}

fn check_size(size: u64, report: &mut Report) {
    if size > LARGE {
        report.push(
            Level::Warn,
            format!("size {}: large for a module", human(size)),
            Some(
                "build --release with the profile cargo iis new writes (lto = true, codegen-units = 1, opt-level = \"z\") and crate-type = [\"cdylib\"] only"
                    .into(),
            ),
        );
    } else {
        report.push(Level::Ok, format!("size {}", human(size)), None);
    }
}

/// `size` in B, KiB or MiB.
fn human(size: u64) -> String {
    if size < 1 << 10 {
        format!("{size} B")
    } else if size < 1 << 20 {
        format!("{:.1} KiB", size as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", size as f64 / (1024.0 * 1024.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_dll_table_is_lower_case_and_has_no_runtime() {
        for line in SYSTEM_DLLS.lines().filter(|l| !l.starts_with('#')) {
            assert_eq!(line, line.trim().to_ascii_lowercase());
            assert!(line.ends_with(".dll"), "{line}");
            assert_eq!(runtime_of(line), None, "{line}");
        }
    }

    #[test]
    fn a_pdb_of_the_debug_profile_is_a_debug_build() {
        assert!(is_debug_profile_pdb(
            r"C:\m\target\x86_64-pc-windows-msvc\debug\deps\m.pdb"
        ));
        assert!(is_debug_profile_pdb(r"C:\m\target\debug\m.pdb"));
        assert!(!is_debug_profile_pdb(
            r"C:\debug\m\target\release\deps\m.pdb"
        ));
        assert!(!is_debug_profile_pdb("m.pdb"));
    }

    #[test]
    fn what_is_not_a_pe_file_is_refused_with_a_fix() {
        let mut report = Report {
            path: "x.dll".into(),
            arch: None,
            findings: Vec::new(),
        };
        check_bytes(b"MZ not really", None, &mut report);
        assert!(report.refused());
        assert!(report.findings[0].fix.is_some());
        let this_test = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let mut report = Report {
            path: "x".into(),
            arch: None,
            findings: Vec::new(),
        };
        check_bytes(&this_test, None, &mut report);
        assert!(report.refused());
    }
}
