//! Loading modules and the global lifecycle: RegisterModule failures, global
//! notifications at start, per request and at shutdown, Terminate.

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod c_library;
mod support;

use iis_host::{GlobalNotification, Host, HostError, HostEvent, LibraryProblem};
use iis_sys::*;
use support::{Counters, GlobalCall, Script};

/// A library that surely exists and has no `RegisterModule`.
fn library_without_register_module() -> &'static str {
    if cfg!(windows) {
        "kernel32.dll"
    } else if cfg!(target_os = "macos") {
        "/usr/lib/libSystem.B.dylib"
    } else {
        "libm.so.6"
    }
}

#[test]
fn missing_register_module_export_is_an_error() {
    let path = library_without_register_module();
    let error = Host::builder().module(path).build().unwrap_err();
    assert!(
        matches!(error, HostError::MissingExport { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains(path) && message.contains("RegisterModule"),
        "{message}"
    );
}

#[test]
fn missing_library_is_an_error() {
    let error = Host::builder()
        .module("/nonexistent/dir/libno_such_module.so")
        .build()
        .unwrap_err();
    assert!(
        matches!(
            &error,
            HostError::BadLibrary {
                problem: LibraryProblem::Unreadable(e),
                ..
            } if e.kind() == std::io::ErrorKind::NotFound
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("libno_such_module"));
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn load_error(path: &std::path::Path) -> HostError {
    Host::builder().module(path).build().unwrap_err()
}

#[test]
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn files_the_loader_would_crash_on_or_misreport_are_typed_errors() {
    use std::io::Write;

    // Data named RegisterModule: calling it would crash the host.
    let data = c_library::build("data_export", "int RegisterModule = 5;\n");
    let error = load_error(&data);
    assert!(
        matches!(
            &error,
            HostError::BadLibrary {
                problem: LibraryProblem::RegisterModuleIsData,
                ..
            }
        ),
        "{error}"
    );

    // A library cut off after its headers: mapping it would raise SIGBUS.
    // Its section table (at the end) is dropped from the header, as a
    // loader does not need it, so the headers themselves stay readable.
    let good = c_library::build("good_export", "int RegisterModule(void) { return 0; }\n");
    let mut bytes = std::fs::read(&good).unwrap();
    bytes[0x28..0x30].fill(0); // e_shoff
    bytes[0x3c..0x40].fill(0); // e_shnum, e_shstrndx
    bytes.truncate(bytes.len() / 2);
    let cut = good.with_file_name("libcut_off.so");
    std::fs::File::create(&cut)
        .unwrap()
        .write_all(&bytes)
        .unwrap();
    let error = load_error(&cut);
    assert!(
        matches!(
            &error,
            HostError::BadLibrary {
                problem: LibraryProblem::Truncated { .. },
                ..
            }
        ),
        "{error}"
    );

    // Not a library at all.
    let text = good.with_file_name("not_a_library.so");
    std::fs::write(&text, "RegisterModule\n").unwrap();
    let error = load_error(&text);
    assert!(
        matches!(
            &error,
            HostError::BadLibrary {
                problem: LibraryProblem::NotALibrary(_),
                ..
            }
        ),
        "{error}"
    );

    // The good one loads (RegisterModule returns S_OK without registering).
    Host::builder().module(&good).build().unwrap();
    c_library::remove(&good);
    c_library::remove(&data);
}

static FAILING_COUNTERS: Counters = Counters::new();
static FAILING: Script = Script {
    fail_with: Some(HRESULT(0x8000_4005_u32 as i32)),
    ..Script::new(RQ_BEGIN_REQUEST, 0, &FAILING_COUNTERS)
};
module!(register_failing, FAILING);
static GOOD_COUNTERS: Counters = Counters::new();
static GOOD: Script = Script::new(RQ_BEGIN_REQUEST, 0, &GOOD_COUNTERS);
module!(register_good, GOOD);

#[test]
fn failing_hresult_is_an_error() {
    let error = Host::builder()
        .module_fn("good", register_good)
        .module_fn("failing", register_failing)
        .build()
        .unwrap_err();
    match &error {
        HostError::RegisterFailed { module, hr, .. } => {
            assert_eq!(module, "failing");
            assert_eq!(hr.0 as u32, 0x8000_4005);
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert!(error.to_string().contains("0x80004005"), "{error}");
    // The module registered before it was terminated.
    assert_eq!(GOOD_COUNTERS.get().2, 1);
}

static HALF_WAY_COUNTERS: Counters = Counters::new();
static HALF_WAY: Script = Script {
    global: GL_APPLICATION_START,
    fail_after_registering: Some(HRESULT(0x8000_4005_u32 as i32)),
    ..Script::new(RQ_BEGIN_REQUEST, 0, &HALF_WAY_COUNTERS)
};
module!(register_half_way, HALF_WAY);

#[test]
fn a_registration_that_fails_half_way_terminates_what_it_registered() {
    let error = Host::builder()
        .module_fn("half_way", register_half_way)
        .build()
        .unwrap_err();
    assert!(matches!(error, HostError::RegisterFailed { .. }), "{error}");
    // Its factory and global module: each terminated once, never used.
    let (created, _, terminated, global_terminated) = HALF_WAY_COUNTERS.get();
    assert_eq!((created, terminated, global_terminated), (0, 1, 1));
}

static TWICE_COUNTERS: Counters = Counters::new();
static TWICE: Script = Script {
    global: GL_APPLICATION_START,
    register_twice: true,
    ..Script::new(RQ_BEGIN_REQUEST, 0, &TWICE_COUNTERS)
};
module!(register_twice, TWICE);

#[test]
fn a_second_registration_replaces_the_first_which_is_terminated() {
    let host = Host::builder()
        .module_fn("twice", register_twice)
        .build()
        .unwrap();
    // The first factory and global module are ended at once.
    let (_, _, terminated, global_terminated) = TWICE_COUNTERS.get();
    assert_eq!((terminated, global_terminated), (1, 1));
    assert_eq!(
        host.get("/").fate,
        iis_host::http::ConnectionFate::KeptAlive
    );
    drop(host);
    // The second ones at shutdown.
    let (created, disposed, terminated, global_terminated) = TWICE_COUNTERS.get();
    assert_eq!(
        (created, disposed, terminated, global_terminated),
        (1, 1, 2, 2)
    );
}

fn global_status(call: &GlobalCall) -> GLOBAL_NOTIFICATION_STATUS {
    if call.notification == GlobalNotification::ConfigurationChange {
        // Read the path through the provider, as a module would.
        let provider = call.provider.cast::<IGlobalConfigurationChangeProvider>();
        // SAFETY: the host passes a live IGlobalConfigurationChangeProvider.
        let path = unsafe { ((*(*provider).lpVtbl).GetChangePath)(provider) };
        // SAFETY: the host returns a NUL-terminated string. (Not
        // `PCWSTR::to_string`: off Windows, windows-strings measures it with
        // the C library's 4-byte `wcslen`.)
        let text = unsafe { support::wide_to_string(path) };
        if text == "handled" {
            return GL_NOTIFICATION_HANDLED;
        }
    }
    GL_NOTIFICATION_CONTINUE
}

const LIFECYCLE: u32 = GL_APPLICATION_START
    | GL_PRE_BEGIN_REQUEST
    | GL_STOP_LISTENING
    | GL_APPLICATION_STOP
    | GL_CONFIGURATION_CHANGE;

static GLOBAL_COUNTERS: Counters = Counters::new();
static GLOBAL: Script = Script {
    global: LIFECYCLE,
    on_global: global_status,
    ..Script::new(0, 0, &GLOBAL_COUNTERS)
};
module!(register_global, GLOBAL);
static SECOND_COUNTERS: Counters = Counters::new();
static SECOND: Script = Script {
    global: LIFECYCLE,
    ..Script::new(0, 0, &SECOND_COUNTERS)
};
module!(register_second, SECOND);

fn global_events(events: &[HostEvent]) -> Vec<String> {
    events
        .iter()
        .filter(|e| {
            matches!(
                e,
                HostEvent::GlobalNotification { .. } | HostEvent::GlobalTerminate { .. }
            )
        })
        .map(ToString::to_string)
        .collect()
}

#[test]
fn global_notifications_at_start_and_shutdown() {
    let host = Host::builder()
        .module_fn("global", register_global)
        .module_fn("second", register_second)
        .build()
        .unwrap();
    assert_eq!(
        global_events(&host.events()),
        [
            "global: OnGlobalApplicationStart -> CONTINUE",
            "second: OnGlobalApplicationStart -> CONTINUE",
        ]
    );
    let transcript = host.get("/");
    assert_eq!(
        global_events(&transcript.events),
        [
            "global: OnGlobalPreBeginRequest -> CONTINUE",
            "second: OnGlobalPreBeginRequest -> CONTINUE",
        ]
    );
    assert!(!host.notify_configuration_change("MACHINE/WEBROOT/APPHOST"));
    // GL_NOTIFICATION_HANDLED stops the later modules.
    assert!(host.notify_configuration_change("handled"));
    host.shutdown();
    host.shutdown();
    assert_eq!(
        global_events(&host.events())[2..],
        [
            "global: OnGlobalConfigurationChange -> CONTINUE",
            "second: OnGlobalConfigurationChange -> CONTINUE",
            "global: OnGlobalConfigurationChange -> HANDLED",
            "global: OnGlobalStopListening -> CONTINUE",
            "second: OnGlobalStopListening -> CONTINUE",
            "global: OnGlobalApplicationStop -> CONTINUE",
            "second: OnGlobalApplicationStop -> CONTINUE",
            "global: CGlobalModule::Terminate",
            "second: CGlobalModule::Terminate",
        ]
    );
    assert_eq!(GLOBAL_COUNTERS.get().3, 1);
    assert_eq!(host.stats().global_modules_terminated, 2);
    // After shutdown, requests are refused without running modules.
    let refused = host.get("/");
    assert_eq!(refused.status, 503);
    assert!(refused.notifications.is_empty() && refused.events.is_empty());
}
