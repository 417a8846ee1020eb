//! The `IScriptMapInfo` samples: after handler mapping
//! (post-`MapRequestHandler`), the response becomes one property of the
//! handler mapping IIS selected for the request, and the request finishes.

use crate::report::{Prelude, prepare, write_message, yes_no};
use iis_module::prelude::*;
use iis_module::request::ScriptMap;

/// Which property a sample answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Property {
    /// `IScriptMapInfoGetAllowedVerbs`.
    AllowedVerbs,
    /// `IScriptMapInfoGetAllowPathInfoForScriptMappings`.
    AllowPathInfo,
    /// `IScriptMapInfoGetIsStarScriptMap`.
    IsStar,
    /// `IScriptMapInfoGetManagedType`.
    ManagedType,
    /// `IScriptMapInfoGetModules`.
    Modules,
    /// `IScriptMapInfoGetName`.
    Name,
    /// `IScriptMapInfoGetPath`.
    Path,
    /// `IScriptMapInfoGetRequiredAccess`.
    RequiredAccess,
    /// `IScriptMapInfoGetResourceType`.
    ResourceType,
    /// `IScriptMapInfoGetResponseBufferLimit`.
    ResponseBufferLimit,
    /// `IScriptMapInfoGetScriptProcessor`.
    ScriptProcessor,
}

/// `value`, or `n/a` when empty (the samples' counted strings).
fn or_na(value: String) -> String {
    if value.is_empty() {
        "n/a".to_owned()
    } else {
        value
    }
}

/// What the sample writes: (prelude, label, value), or `None` to continue.
fn answer(
    map: &ScriptMap<'_>,
    property: Property,
) -> Result<Option<(Prelude, &'static str, String)>> {
    let plain = Prelude::PlainText;
    Ok(match property {
        Property::AllowedVerbs => map
            .allowed_verbs()?
            .map(|verbs| (plain, "Allowed Verbs: ", verbs)),
        // This one neither clears nor sets a content type.
        Property::AllowPathInfo => Some((
            Prelude::Nothing,
            "PathInfo Allowed: ",
            yes_no(map.allows_path_info()),
        )),
        Property::IsStar => Some((
            plain,
            "Is star script map: ",
            yes_no(map.is_star_script_map()),
        )),
        Property::ManagedType => map
            .managed_type()?
            .map(|t| (plain, "Managed type: ", or_na(t))),
        Property::Modules => map.modules()?.map(|m| (plain, "Modules: ", or_na(m))),
        Property::Name => map.name()?.map(|n| (plain, "Name: ", or_na(n))),
        Property::Path => map.path()?.map(|p| (plain, "Path: ", or_na(p))),
        Property::RequiredAccess => {
            const NAMES: [&str; 5] = ["None", "Read", "Write", "Script", "Execute"];
            let access = map.required_access() as usize;
            let name = NAMES.get(access).copied().unwrap_or("Unspecified");
            Some((plain, "Required access: ", name.to_owned()))
        }
        Property::ResourceType => {
            const NAMES: [&str; 3] = ["File", "Directory", "Either"];
            let kind = map.resource_type() as usize;
            let name = NAMES.get(kind).copied().unwrap_or("Unspecified");
            Some((plain, "Resource type: ", name.to_owned()))
        }
        Property::ResponseBufferLimit => Some((
            plain,
            "Response buffer limit: ",
            (map.response_buffer_limit() as i32).to_string(),
        )),
        Property::ScriptProcessor => map
            .script_processor()?
            .map(|p| (plain, "Script Processor: ", or_na(p))),
    })
}

/// An `IScriptMapInfo*` sample.
#[derive(Clone, Copy)]
pub struct ScriptMapReport(pub Property);

#[http_module]
impl HttpModule for ScriptMapReport {
    fn on_post_map_request_handler(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let answer = {
            let Some(map) = cx.script_map() else {
                return Ok(Flow::Continue);
            };
            answer(&map, self.0)?
        };
        let Some((prelude, label, value)) = answer else {
            return Ok(Flow::Continue);
        };
        prepare(cx, prelude)?;
        write_message(cx, label, &value)?;
        Ok(Flow::FinishRequest)
    }
}

/// Registers the script-map sample called `name`, if it is one.
pub fn register(name: &str, module: &mut Registration) -> Option<Result<()>> {
    let property = match name {
        "IScriptMapInfoGetAllowedVerbs" => Property::AllowedVerbs,
        "IScriptMapInfoGetAllowPathInfoForScriptMappings" => Property::AllowPathInfo,
        "IScriptMapInfoGetIsStarScriptMap" => Property::IsStar,
        "IScriptMapInfoGetManagedType" => Property::ManagedType,
        "IScriptMapInfoGetModules" => Property::Modules,
        "IScriptMapInfoGetName" => Property::Name,
        "IScriptMapInfoGetPath" => Property::Path,
        "IScriptMapInfoGetRequiredAccess" => Property::RequiredAccess,
        "IScriptMapInfoGetResourceType" => Property::ResourceType,
        "IScriptMapInfoGetResponseBufferLimit" => Property::ResponseBufferLimit,
        "IScriptMapInfoGetScriptProcessor" => Property::ScriptProcessor,
        _ => return None,
    };
    Some(module.request_module(move || ScriptMapReport(property)))
}
