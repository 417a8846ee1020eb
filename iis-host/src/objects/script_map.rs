//! `IScriptMapInfo`: the handler mappings of
//! [`HostConfig::handlers`](crate::HostConfig::handlers). A request's
//! `IHttpContext::GetScriptMap` is what a MapRequestHandler module set, else
//! the first mapping whose path and verb match the request (IIS's handler
//! selection).

use iis_sys::{BOOL, IScriptMapInfo, IScriptMapInfoVtbl, PCSTR, PCWSTR, define_member_fn};

use crate::config::{HandlerMapping, RequiredAccess, ResourceType};
use crate::ffi::{WideStr, put};
use crate::objects::{Obj, with_data};
use crate::state::RequestCore;
use crate::state::object_data::MapData;
use crate::state::request::RequestState;

/// The script-map objects of `handlers`, in order.
pub(crate) fn script_maps(handlers: &[HandlerMapping]) -> Vec<Obj<MapData>> {
    handlers
        .iter()
        .map(|m| {
            Obj::new(
                &SCRIPT_MAP_VTBL,
                MapData {
                    mapping: m.clone(),
                    name: WideStr::new(&m.name),
                    path: WideStr::new(&m.path),
                    verbs: m.verb.bytes().chain([0]).collect(),
                    modules: WideStr::new(&m.modules),
                    script_processor: WideStr::new(&m.script_processor),
                    managed_type: WideStr::new(&m.managed_type),
                },
            )
        })
        .collect()
}

/// The mapping that handles the request, or null.
pub(crate) fn for_request(core: &RequestCore) -> *mut IScriptMapInfo {
    core.with_state(|s| matching(core, s))
}

/// [`for_request`] under the request's lock: the host's mappings are
/// read-only, matched with the URL and the method where they are.
fn matching(core: &RequestCore, s: &RequestState) -> *mut IScriptMapInfo {
    let (url, method) = (s.req.decoded_path(), &*s.req.method);
    let file = crate::config::file_name(&url);
    core.host()
        .script_maps
        .iter()
        .find(|m| m.data.mapping.matches_file(file, method))
        .map_or(std::ptr::null_mut(), Obj::iface)
}

/// The mapping of `url` and `method` among the host's, skipping wildcard
/// (`*`) mappings with `ignore_wildcards` (`IHttpContext::MapHandler`).
pub(crate) fn for_url(
    core: &RequestCore,
    url: &str,
    method: &str,
    ignore_wildcards: bool,
) -> *mut IScriptMapInfo {
    core.host()
        .script_maps
        .iter()
        .filter(|m| !(ignore_wildcards && m.data.mapping.path == "*"))
        .find(|m| m.data.mapping.matches(url, method))
        .map_or(std::ptr::null_mut(), Obj::iface)
}

/// The handler IIS chose for the request, once MapRequestHandler is over:
/// the mapping a module set there, else the first that matches the URL and
/// the method as they are now (after any `SetUrl`/`SetHttpMethod`). From
/// then on `GetScriptMap` keeps it, as IIS keeps the handler it mapped.
pub(crate) fn choose(core: &RequestCore) {
    core.with_state(|s| {
        if s.req.script_map.0.is_null() {
            s.req.script_map = crate::ffi::Foreign(matching(core, s));
        }
    });
}

/// The `modules` of the request's handler (as [`choose`] left it, or as
/// `GetScriptMap` would give it), `None` when no mapping matches.
pub(crate) fn handler_modules(core: &RequestCore) -> Option<String> {
    let mut map = core.with_state(|s| s.req.script_map.0);
    if map.is_null() {
        map = for_request(core);
    }
    if map.is_null() {
        return None;
    }
    if let Some(own) = core.host().script_maps.iter().find(|m| m.iface() == map) {
        return Some(own.data.mapping.modules.clone());
    }
    // A module's own IScriptMapInfo (set with IMapHandlerProvider::SetScriptMap).
    let mut len = 0u32;
    // SAFETY: a module handing a script map to SetScriptMap keeps it valid
    // for the request (IIS's contract); GetModules writes the length through
    // `len`, a live local.
    let modules = unsafe { ((*(*map).lpVtbl).GetModules)(map, &mut len) };
    // SAFETY: GetModules returns `len` UTF-16 units at `modules` (or null),
    // valid while the map is.
    let units = unsafe { crate::ffi::wide(modules.0, len as usize) };
    Some(units.map(String::from_utf16_lossy).unwrap_or_default())
}

/// A counted string: its pointer, its length in characters through `len`.
fn counted(s: &WideStr, len: *mut u32) -> PCWSTR {
    // SAFETY: `len` is null or writable (slot contract).
    unsafe { put(len, s.units().len() as u32) };
    s.ptr()
}

define_member_fn! {
    unsafe fn path(this: *mut IScriptMapInfo) -> PCWSTR {
        with_data!(this, PCWSTR::null(), |m: MapData| m.path.ptr())
    }
    unsafe fn allowed_verbs(this: *mut IScriptMapInfo) -> PCSTR {
        with_data!(this, PCSTR::null(), |m: MapData| PCSTR(m.verbs.as_ptr()))
    }
    unsafe fn modules(this: *mut IScriptMapInfo, len: *mut u32) -> PCWSTR {
        with_data!(this, PCWSTR::null(), |m: MapData| counted(&m.modules, len))
    }
    unsafe fn script_processor(this: *mut IScriptMapInfo, len: *mut u32) -> PCWSTR {
        with_data!(this, PCWSTR::null(), |m: MapData| counted(&m.script_processor, len))
    }
    unsafe fn managed_type(this: *mut IScriptMapInfo, len: *mut u32) -> PCWSTR {
        with_data!(this, PCWSTR::null(), |m: MapData| counted(&m.managed_type, len))
    }
    unsafe fn allow_path_info(this: *mut IScriptMapInfo) -> BOOL {
        with_data!(this, BOOL(0), |m: MapData| m.mapping.allow_path_info.into())
    }
    unsafe fn required_access(this: *mut IScriptMapInfo) -> u32 {
        with_data!(this, 0, |m: MapData| match m.mapping.required_access {
            RequiredAccess::None => 0,
            RequiredAccess::Read => 1,
            RequiredAccess::Write => 2,
            RequiredAccess::Script => 3,
            RequiredAccess::Execute => 4,
        })
    }
    unsafe fn resource_type(this: *mut IScriptMapInfo) -> u32 {
        with_data!(this, 3, |m: MapData| match m.mapping.resource_type {
            ResourceType::File => 0,
            ResourceType::Directory => 1,
            ResourceType::Either => 2,
            ResourceType::Unspecified => 3,
        })
    }
    /// `GetIsStarScriptMap`: a wildcard (`*`) mapping.
    unsafe fn is_star(this: *mut IScriptMapInfo) -> BOOL {
        with_data!(this, BOOL(0), |m: MapData| (m.mapping.path == "*").into())
    }
    unsafe fn response_buffer_limit(this: *mut IScriptMapInfo) -> u32 {
        with_data!(this, 0, |m: MapData| m.mapping.response_buffer_limit)
    }
    unsafe fn name(this: *mut IScriptMapInfo) -> PCWSTR {
        with_data!(this, PCWSTR::null(), |m: MapData| m.name.ptr())
    }
}

static SCRIPT_MAP_VTBL: IScriptMapInfoVtbl = IScriptMapInfoVtbl {
    GetPath: path,
    GetAllowedVerbs: allowed_verbs,
    GetModules: modules,
    GetScriptProcessor: script_processor,
    GetManagedType: managed_type,
    GetAllowPathInfoForScriptMappings: allow_path_info,
    GetRequiredAccess: required_access,
    GetResourceType: resource_type,
    GetIsStarScriptMap: is_star,
    GetResponseBufferLimit: response_buffer_limit,
    GetName: name,
};
