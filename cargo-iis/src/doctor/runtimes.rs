//! Runtime DLLs that a stock Windows Server does not have, recognised by
//! name so that `doctor` can say where the import comes from and how to get
//! rid of it.

/// Where an imported runtime DLL comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Runtime {
    /// The Visual C++ runtime: only on servers where someone installed the
    /// VC++ Redistributable.
    VisualCpp,
    /// The debug C runtime: only on machines with Visual Studio, and never
    /// redistributable.
    DebugCrt,
    /// MinGW's runtime (libgcc, libstdc++, winpthreads): on no Windows.
    MinGw,
}

/// Name prefixes (lower case), most specific first: the debug CRT's names
/// also start like the release runtime's.
const RUNTIMES: &[(&str, Runtime)] = &[
    ("ucrtbased", Runtime::DebugCrt),
    ("vcruntime140d", Runtime::DebugCrt),
    ("vcruntime140_1d", Runtime::DebugCrt),
    ("msvcp140d", Runtime::DebugCrt),
    ("vcruntime", Runtime::VisualCpp),
    ("msvcp1", Runtime::VisualCpp),
    ("concrt", Runtime::VisualCpp),
    ("vccorlib", Runtime::VisualCpp),
    ("libgcc", Runtime::MinGw),
    ("libstdc++", Runtime::MinGw),
    ("libwinpthread", Runtime::MinGw),
    ("libssp", Runtime::MinGw),
    ("libatomic", Runtime::MinGw),
    ("libgomp", Runtime::MinGw),
    ("libquadmath", Runtime::MinGw),
];

/// The runtime `dll` (lower case) belongs to, if it is one of them.
pub(crate) fn runtime_of(dll: &str) -> Option<Runtime> {
    RUNTIMES
        .iter()
        .find(|(prefix, _)| dll.starts_with(prefix))
        .map(|&(_, runtime)| runtime)
}

impl Runtime {
    /// What the runtime is, for the report.
    pub(crate) fn what(self) -> &'static str {
        match self {
            Runtime::VisualCpp => {
                "the Visual C++ runtime, present only where the VC++ Redistributable is installed"
            }
            Runtime::DebugCrt => {
                "the debug C runtime, present only where Visual Studio is installed (a debug build)"
            }
            Runtime::MinGw => "a MinGW runtime DLL, present on no Windows",
        }
    }

    /// How to build without it.
    pub(crate) fn fix(self) -> &'static str {
        match self {
            Runtime::VisualCpp => {
                "link the C runtime statically: rustflags = [\"-C\", \"target-feature=+crt-static\"] for the *-pc-windows-msvc targets in .cargo/config.toml (cargo iis new writes it)"
            }
            Runtime::DebugCrt => "ship a release build: cargo iis build --release",
            Runtime::MinGw => {
                "build with the MSVC targets (cargo iis build), or link MinGW's runtime statically (-static-libgcc, -static)"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtimes_are_recognised_by_name() {
        assert_eq!(runtime_of("vcruntime140.dll"), Some(Runtime::VisualCpp));
        assert_eq!(runtime_of("vcruntime140d.dll"), Some(Runtime::DebugCrt));
        assert_eq!(runtime_of("ucrtbased.dll"), Some(Runtime::DebugCrt));
        assert_eq!(runtime_of("libgcc_s_seh-1.dll"), Some(Runtime::MinGw));
        assert_eq!(runtime_of("libwinpthread-1.dll"), Some(Runtime::MinGw));
        assert_eq!(runtime_of("kernel32.dll"), None);
        assert_eq!(runtime_of("ucrtbase.dll"), None);
    }
}
