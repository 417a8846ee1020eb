//! Loading a module as IIS does: open the library, find `RegisterModule`,
//! call it with the server version, a registration-info object and the
//! server; then what the module registered decides which notifications it
//! gets, and in which order ([`ModuleSet::request_order`],
//! [`ModuleSet::global_order`]).
//!
//! # Ordering
//!
//! Within one notification, modules run by priority (`FIRST`, `HIGH`,
//! `MEDIUM` — the default —, `LOW`, `LAST`), and modules of equal priority in
//! load order (IIS: their order in `<modules>`). As the IIS docs of
//! `SetPriorityForRequestNotification` say, priorities are inverted for
//! `RQ_SEND_RESPONSE`: a `HIGH` module runs *after* a `LOW` one there (the
//! custom-error module registers `HIGH` for SendResponse to run last);
//! iis-host reverses the whole order there, load order included.
//! Post-notifications use the priority of the same notification, unless the
//! module set one with `IHttpModuleRegistrationInfo2::SetPriorityForPostRequestNotification`.
//! Global notifications use `SetPriorityForGlobalNotification` the same way.

use std::path::{Path, PathBuf};

use iis_sys::{
    CGlobalModule, HRESULT, IHttpModuleFactory, IHttpModuleRegistrationInfo, IHttpServer,
    MODULE_REGISTERMODULE, PFN_REGISTERMODULE,
};

mod check;

pub use check::LibraryProblem;

use crate::error::HostError;
use crate::ffi::Foreign;
use crate::transcript::{GlobalNotification, Notification};

/// A priority alias of `SetPriorityFor…Notification`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub(crate) enum Priority {
    /// `PRIORITY_ALIAS_FIRST`.
    First,
    /// `PRIORITY_ALIAS_HIGH`.
    High,
    /// `PRIORITY_ALIAS_MEDIUM`, the default.
    #[default]
    Medium,
    /// `PRIORITY_ALIAS_LOW`.
    Low,
    /// `PRIORITY_ALIAS_LAST`.
    Last,
}

impl Priority {
    /// Parses an alias (iis-sys's `PRIORITY_ALIAS_*` text; ASCII case
    /// ignored).
    pub(crate) fn parse(alias: &[u16]) -> Option<Self> {
        let upper = |unit: u16| match u8::try_from(unit) {
            Ok(byte) => u16::from(byte.to_ascii_uppercase()),
            Err(_) => unit,
        };
        [
            (iis_sys::PRIORITY_ALIAS_FIRST, Priority::First),
            (iis_sys::PRIORITY_ALIAS_HIGH, Priority::High),
            (iis_sys::PRIORITY_ALIAS_MEDIUM, Priority::Medium),
            (iis_sys::PRIORITY_ALIAS_LOW, Priority::Low),
            (iis_sys::PRIORITY_ALIAS_LAST, Priority::Last),
        ]
        .into_iter()
        .find(|(name, _)| {
            name.as_units()
                .iter()
                .copied()
                .eq(alias.iter().copied().map(upper))
        })
        .map(|(_, priority)| priority)
    }
}

/// What a module registered in `RegisterModule`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Registered {
    /// `SetRequestNotifications`' factory (null: no request notifications).
    pub(crate) factory: Foreign<IHttpModuleFactory>,
    /// `dwRequestNotifications`.
    pub(crate) request_mask: u32,
    /// `dwPostRequestNotifications`.
    pub(crate) post_mask: u32,
    /// `SetGlobalNotifications`' module (null: none).
    pub(crate) global: Foreign<CGlobalModule>,
    /// `dwGlobalNotifications`.
    pub(crate) global_mask: u32,
    /// Request priority per notification bit.
    pub(crate) request_priority: [Priority; 32],
    /// Post-notification priority per bit, when set separately.
    pub(crate) post_priority: [Option<Priority>; 32],
    /// Global priority per bit.
    pub(crate) global_priority: [Priority; 32],
}

impl Default for Registered {
    fn default() -> Self {
        Registered {
            factory: Foreign(std::ptr::null_mut()),
            request_mask: 0,
            post_mask: 0,
            global: Foreign(std::ptr::null_mut()),
            global_mask: 0,
            request_priority: [Priority::Medium; 32],
            post_priority: [None; 32],
            global_priority: [Priority::Medium; 32],
        }
    }
}

/// Sets `priority` for every bit of `mask` in `table`.
pub(crate) fn set_bits<T: Copy>(table: &mut [T; 32], mask: u32, value: T) {
    for (bit, slot) in table.iter_mut().enumerate() {
        if mask & (1 << bit) != 0 {
            *slot = value;
        }
    }
}

fn bit_index(mask: u32) -> usize {
    mask.trailing_zeros() as usize % 32
}

/// A registered module, as the pipeline dispatches to it.
#[derive(Debug, Clone)]
pub(crate) struct ModuleInfo {
    /// The module's name (`IHttpModuleRegistrationInfo::GetName`).
    pub(crate) name: String,
    /// The load order.
    pub(crate) index: usize,
    /// What it registered.
    pub(crate) registered: Registered,
}

impl ModuleInfo {
    /// Whether the module subscribed to the request notification of `bit`
    /// (`post`: its post-notification).
    fn wants(&self, bit: u32, post: bool) -> bool {
        let r = &self.registered;
        if r.factory.is_null() {
            return false;
        }
        let mask = if post { r.post_mask } else { r.request_mask };
        mask & bit != 0
    }

    fn request_priority(&self, bit: u32, post: bool) -> Priority {
        let r = &self.registered;
        let pre = r.request_priority[bit_index(bit)];
        if post {
            r.post_priority[bit_index(bit)].unwrap_or(pre)
        } else {
            pre
        }
    }
}

/// The registered modules in load order, with the order IIS calls them in
/// for every notification worked out once, when the set is made: a request
/// raises some thirty notifications, and the set only changes when a
/// module registers.
#[derive(Debug)]
pub(crate) struct ModuleSet {
    list: Box<[ModuleInfo]>,
    /// By mask bit: the pre- and the post-notification's order.
    request: Box<[[Box<[usize]>; 2]]>,
    /// By mask bit.
    global: Box<[Box<[usize]>]>,
    /// The request notifications some module gets: the pre- and the
    /// post-notifications' masks.
    subscribed: [u32; 2],
}

impl ModuleSet {
    /// The set of `list` (in load order: `list[i].index == i`).
    pub(crate) fn new(list: Vec<ModuleInfo>) -> Self {
        let request = (0..32)
            .map(|i| [false, true].map(|post| request_order(&list, 1 << i, post)))
            .collect();
        let global = (0..32).map(|i| global_order(&list, 1 << i)).collect();
        let subscribed = [false, true].map(|post| {
            (0..32)
                .filter(|&i| !request_order(&list, 1 << i, post).is_empty())
                .fold(0, |mask, i| mask | 1 << i)
        });
        Self {
            list: list.into_boxed_slice(),
            request,
            global,
            subscribed,
        }
    }

    /// Whether some module gets `notification` (`post`: its
    /// post-notification).
    pub(crate) fn subscribed(&self, notification: Notification, post: bool) -> bool {
        self.subscribed[usize::from(post)] & notification.mask() != 0
    }

    /// The modules that get `notification` (`post`: its post-notification),
    /// in the order IIS calls them (see the module docs).
    pub(crate) fn request_order(&self, notification: Notification, post: bool) -> &[usize] {
        &self.request[bit_index(notification.mask())][usize::from(post)]
    }

    /// The global modules that get `notification`, in priority then load order.
    pub(crate) fn global_order(&self, notification: GlobalNotification) -> &[usize] {
        &self.global[bit_index(notification.mask())]
    }
}

impl Default for ModuleSet {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

impl std::ops::Deref for ModuleSet {
    type Target = [ModuleInfo];

    fn deref(&self) -> &[ModuleInfo] {
        &self.list
    }
}

/// The modules that subscribed to the request notification of `bit`
/// (`post`: its post-notification), in calling order.
fn request_order(modules: &[ModuleInfo], bit: u32, post: bool) -> Box<[usize]> {
    let mut order: Vec<&ModuleInfo> = modules.iter().filter(|m| m.wants(bit, post)).collect();
    order.sort_by_key(|m| (m.request_priority(bit, post), m.index));
    if bit == Notification::SendResponse.mask() {
        order.reverse();
    }
    order.into_iter().map(|m| m.index).collect()
}

/// The global modules that subscribed to the notification of `bit`.
fn global_order(modules: &[ModuleInfo], bit: u32) -> Box<[usize]> {
    let mut order: Vec<&ModuleInfo> = modules
        .iter()
        .filter(|m| !m.registered.global.is_null() && m.registered.global_mask & bit != 0)
        .collect();
    order.sort_by_key(|m| (m.registered.global_priority[bit_index(bit)], m.index));
    order.into_iter().map(|m| m.index).collect()
}

/// Where a module comes from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// A library on disk.
    Library(PathBuf),
    /// A `RegisterModule` function in this process.
    Function(PFN_REGISTERMODULE),
}

/// The name IIS would give a library module here: its file stem, without the
/// `lib` prefix of Unix libraries (so that `libmy_module.so` and
/// `my_module.dll` are both `my_module`).
pub(crate) fn default_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    match stem.strip_prefix("lib") {
        Some(rest) if !cfg!(windows) && !rest.is_empty() => rest.to_owned(),
        _ => stem,
    }
}

/// A loaded library's `RegisterModule`.
pub(crate) struct Loaded {
    /// The entry point.
    pub(crate) register: PFN_REGISTERMODULE,
    /// Where it came from, for messages.
    pub(crate) origin: PathBuf,
}

/// Opens the library of `source` and resolves `RegisterModule`.
///
/// # Errors
///
/// [`HostError::BadLibrary`] when the file is not a library this host can
/// load (checked before the platform loader sees it),
/// [`HostError::Load`] when the loader fails to open it,
/// [`HostError::MissingExport`] when it has no `RegisterModule`.
pub(crate) fn open(source: &Source) -> Result<Loaded, HostError> {
    match source {
        Source::Function(register) => Ok(Loaded {
            register: *register,
            origin: PathBuf::from("<in-process>"),
        }),
        Source::Library(path) => {
            // A bare file name that is not in the current directory is left
            // to the loader's search path, as `LoadLibrary`/`dlopen` do.
            let searched = path.components().count() == 1 && !path.exists();
            if !searched {
                check::check_library(path).map_err(|problem| HostError::BadLibrary {
                    path: path.clone(),
                    problem,
                })?;
            }
            // SAFETY: loading a library runs its initialisers; loading the
            // module the user named is exactly what IIS does, and what the
            // caller asked for.
            let library =
                unsafe { libloading::Library::new(path) }.map_err(|source| HostError::Load {
                    path: path.clone(),
                    source,
                })?;
            // SAFETY: `RegisterModule` has the `PFN_REGISTERMODULE` signature
            // by the IIS module contract (the symbol name is the contract).
            let register =
                unsafe { library.get::<PFN_REGISTERMODULE>(MODULE_REGISTERMODULE.as_bytes()) }
                    .map(|symbol| *symbol)
                    .map_err(|source| HostError::MissingExport {
                        path: path.clone(),
                        source,
                    })?;
            // IIS never unloads a module while the worker process runs, and
            // neither does iis-host: threads a module started, and their
            // thread-local destructors, may outlive the `Host`, and unloading
            // would leave them running unmapped code.
            std::mem::forget(library);
            Ok(Loaded {
                register,
                origin: path.clone(),
            })
        }
    }
}

/// Calls `RegisterModule`.
///
/// # Safety
///
/// `register` is a `RegisterModule` of a module loaded in this process;
/// `info` and `server` are live host objects.
pub(crate) unsafe fn call_register(
    register: PFN_REGISTERMODULE,
    version: u32,
    info: *mut IHttpModuleRegistrationInfo,
    server: *mut IHttpServer,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { register(version, info, server) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(index: usize, mask: u32, priority: Priority) -> ModuleInfo {
        let mut registered = Registered {
            factory: Foreign(std::ptr::dangling_mut::<IHttpModuleFactory>()),
            request_mask: mask,
            post_mask: mask,
            ..Registered::default()
        };
        set_bits(&mut registered.request_priority, mask, priority);
        ModuleInfo {
            name: format!("m{index}"),
            index,
            registered,
        }
    }

    #[test]
    fn orders_by_priority_then_load_order_and_inverts_send_response() {
        use iis_sys::{RQ_BEGIN_REQUEST, RQ_SEND_RESPONSE};
        let mask = RQ_BEGIN_REQUEST | RQ_SEND_RESPONSE;
        let modules = ModuleSet::new(vec![
            module(0, mask, Priority::Low),
            module(1, mask, Priority::Medium),
            module(2, mask, Priority::First),
            module(3, mask, Priority::Medium),
        ]);
        assert_eq!(
            modules.request_order(Notification::BeginRequest, false),
            [2, 1, 3, 0]
        );
        assert_eq!(
            modules.request_order(Notification::BeginRequest, true),
            [2, 1, 3, 0]
        );
        assert_eq!(
            modules.request_order(Notification::SendResponse, false),
            [0, 3, 1, 2]
        );
        assert!(
            modules
                .request_order(Notification::EndRequest, false)
                .is_empty()
        );
    }

    #[test]
    fn parses_aliases_and_names_libraries() {
        let wide = |s: &str| s.encode_utf16().collect::<Vec<_>>();
        assert_eq!(Priority::parse(&wide("FIRST")), Some(Priority::First));
        assert_eq!(Priority::parse(&wide("low")), Some(Priority::Low));
        assert_eq!(Priority::parse(&wide("SOON")), None);
        assert_eq!(default_name(Path::new("my_module.dll")), "my_module");
        if !cfg!(windows) {
            assert_eq!(default_name(Path::new("/t/libmy_module.so")), "my_module");
        }
    }
}
