//! Checks a module library file before the platform loader opens it. The
//! loader reports many problems only as "dlopen failed", and some it does
//! not survive: a truncated library maps pages past the end of its file
//! (SIGBUS when touched), and a data symbol named `RegisterModule` is
//! called as a function (SIGSEGV). IIS answers such files with a "module
//! failed to load" event; iis-host answers with a [`LibraryProblem`].

use std::io;
use std::path::Path;

use object::{
    Architecture, BinaryFormat, ExportTarget, NameOrOrdinal, Object, ObjectKind, ObjectSection,
    ObjectSegment, SectionKind,
};

/// What is wrong with a module library file, found before loading it.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum LibraryProblem {
    /// The file cannot be read (missing, no permission…).
    #[error("it cannot be read: {0}")]
    Unreadable(#[source] io::Error),
    /// The file is not an object file of any kind, or its headers are
    /// damaged.
    #[error("it is not a valid shared library: {0}")]
    NotALibrary(String),
    /// An object file, but not a shared library (an executable, an object
    /// or static library).
    #[error("it is {0}, not a shared library")]
    NotShared(&'static str),
    /// A library of another platform (a Windows DLL on Linux, say).
    #[error(
        "it is {found}, but iis-host on this platform loads {expected}; build the module for this platform"
    )]
    WrongFormat {
        /// What the file is.
        found: &'static str,
        /// What this host loads.
        expected: &'static str,
    },
    /// A library for another architecture or bitness (IIS's
    /// `bitness32`/`bitness64` preconditions exist for this).
    #[error("it is built for {found}, but this iis-host is {expected}")]
    WrongArchitecture {
        /// The file's architecture.
        found: String,
        /// This process's architecture.
        expected: &'static str,
    },
    /// The file is shorter than its headers say: a copy or download that
    /// was cut off.
    #[error("it is truncated: its headers describe {needed} bytes, the file has {size}")]
    Truncated {
        /// The bytes the headers describe.
        needed: u64,
        /// The file's size.
        size: u64,
    },
    /// No `RegisterModule` export (IIS looks up this exact, undecorated name).
    #[error("it does not export RegisterModule{}", hint(.decorated))]
    NoRegisterModule {
        /// A decorated export that looks like it (`_RegisterModule@12`).
        decorated: Option<String>,
    },
    /// `RegisterModule` is exported, but it is data, not code.
    #[error("it exports RegisterModule, but as data, not as a function")]
    RegisterModuleIsData,
}

fn hint(decorated: &Option<String>) -> String {
    decorated.as_ref().map_or_else(String::new, |name| {
        format!(" (it exports {name}: export the undecorated name, e.g. with a .def file)")
    })
}

/// The format this host's loader opens.
fn native_format() -> (BinaryFormat, &'static str) {
    if cfg!(windows) {
        (BinaryFormat::Pe, "Windows DLLs (PE)")
    } else if cfg!(target_vendor = "apple") {
        (BinaryFormat::MachO, "Mach-O dynamic libraries")
    } else {
        (BinaryFormat::Elf, "ELF shared objects (.so)")
    }
}

fn format_name(format: BinaryFormat) -> &'static str {
    match format {
        BinaryFormat::Pe => "a Windows DLL (PE)",
        BinaryFormat::Elf => "an ELF file",
        BinaryFormat::MachO => "a Mach-O file",
        BinaryFormat::Coff => "a COFF object",
        _ => "an object file of another format",
    }
}

/// This process's architecture, when `object` names it.
fn native_architecture() -> Option<Architecture> {
    match std::env::consts::ARCH {
        "x86_64" => Some(Architecture::X86_64),
        "x86" => Some(Architecture::I386),
        "aarch64" => Some(Architecture::Aarch64),
        "arm" => Some(Architecture::Arm),
        _ => None,
    }
}

/// Checks the library at `path` (see the module docs).
///
/// # Errors
///
/// The first [`LibraryProblem`] found.
pub(crate) fn check_library(path: &Path) -> Result<(), LibraryProblem> {
    let data = std::fs::read(path).map_err(LibraryProblem::Unreadable)?;
    check_bytes(&data)
}

fn check_bytes(data: &[u8]) -> Result<(), LibraryProblem> {
    let file = object::File::parse(data).map_err(|e| LibraryProblem::NotALibrary(e.to_string()))?;
    let (format, expected) = native_format();
    if file.format() != format {
        return Err(LibraryProblem::WrongFormat {
            found: format_name(file.format()),
            expected,
        });
    }
    match file.kind() {
        ObjectKind::Dynamic => {}
        ObjectKind::Executable => return Err(LibraryProblem::NotShared("an executable")),
        _ => return Err(LibraryProblem::NotShared("an object file")),
    }
    if let Some(native) = native_architecture()
        && (file.architecture() != native || file.is_64() != cfg!(target_pointer_width = "64"))
    {
        let bits = if file.is_64() { 64 } else { 32 };
        return Err(LibraryProblem::WrongArchitecture {
            found: format!("{:?} ({bits}-bit)", file.architecture()),
            expected: std::env::consts::ARCH,
        });
    }
    let size = data.len() as u64;
    let needed = file
        .segments()
        .map(|segment| {
            let (offset, length) = segment.file_range();
            offset.saturating_add(length)
        })
        .max()
        .unwrap_or(0);
    if needed > size {
        return Err(LibraryProblem::Truncated { needed, size });
    }
    check_register_module(&file)
}

/// `RegisterModule` is exported, undecorated, and lies in code.
fn check_register_module(file: &object::File<'_>) -> Result<(), LibraryProblem> {
    let damaged = |e: object::Error| LibraryProblem::NotALibrary(e.to_string());
    let exports = file
        .exports()
        .map_err(damaged)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(damaged)?;
    let name_of = |export: &object::Export<'_>| match export.name() {
        NameOrOrdinal::Name(name) => Some(name.to_vec()),
        NameOrOrdinal::Ordinal(_) => None,
    };
    let undecorated = |name: &[u8]| -> bool {
        let name = match file.format() {
            BinaryFormat::MachO => name.strip_prefix(b"_").unwrap_or(name),
            _ => name,
        };
        name == b"RegisterModule"
    };
    let Some(export) = exports
        .iter()
        .find(|e| name_of(e).is_some_and(|n| undecorated(&n)))
    else {
        let decorated = exports
            .iter()
            .filter_map(name_of)
            .map(|name| String::from_utf8_lossy(&name).into_owned())
            .find(|name| name.contains("RegisterModule"));
        return Err(LibraryProblem::NoRegisterModule { decorated });
    };
    let in_code = match export.target() {
        ExportTarget::Address { address } => file.sections().any(|section| {
            let start = section.address();
            (start..start.saturating_add(section.size())).contains(&address)
                && section.kind() == SectionKind::Text
        }),
        // Forwarded to another library, or resolved at load time: what it
        // is can only be known by loading it.
        ExportTarget::Reexport { .. } | ExportTarget::Resolver { .. } => true,
        _ => false,
    };
    if in_code {
        Ok(())
    } else {
        Err(LibraryProblem::RegisterModuleIsData)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_a_library_says_why() {
        assert!(matches!(
            check_bytes(b"int main() {}\n"),
            Err(LibraryProblem::NotALibrary(_))
        ));
        let this_test = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        assert!(matches!(
            check_bytes(&this_test),
            Err(LibraryProblem::NotShared(_) | LibraryProblem::NoRegisterModule { .. })
        ));
    }
}
