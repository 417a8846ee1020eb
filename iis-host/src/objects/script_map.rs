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
    let (url, method) = core.with_state(|s| (s.req.decoded_path(), s.req.method.clone()));
    core.host()
        .script_maps
        .iter()
        .find(|m| m.data.mapping.matches(&url, &method))
        .map_or(std::ptr::null_mut(), Obj::iface)
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
