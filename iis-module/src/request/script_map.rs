//! `IScriptMapInfo`: the handler mapping (`system.webServer/handlers`) IIS
//! selected for a request.

use crate::ffi;
use crate::{HttpContext, Result};
use core::marker::PhantomData;
use iis_sys::IScriptMapInfo;
use iis_sys::Ref;

/// The handler mapping of a request (`IHttpContext::GetScriptMap`).
#[derive(Debug)]
pub struct ScriptMap<'a> {
    raw: Ref<'a, IScriptMapInfo>,
    _owner: PhantomData<(&'a (), *mut ())>,
}

impl HttpContext {
    /// The handler mapping IIS selected for the request (after
    /// `MapRequestHandler`), if any.
    #[doc(alias = "GetScriptMap")]
    pub fn script_map(&self) -> Option<ScriptMap<'_>> {
        // SAFETY: the script map lives as long as the request, and so `&self`.
        unsafe { Ref::from_raw(self.iface().GetScriptMap()) }.map(|raw| ScriptMap {
            raw,
            _owner: PhantomData,
        })
    }
}

impl<'a> ScriptMap<'a> {
    /// The raw `IScriptMapInfo`.
    pub fn as_raw(&self) -> *mut IScriptMapInfo {
        self.raw.as_ptr()
    }

    /// The mapping's name (`StaticFile`).
    ///
    /// # Errors
    /// [`Error::Encoding`](crate::Error::Encoding).
    #[doc(alias = "GetName")]
    pub fn name(&self) -> Result<Option<String>> {
        ffi::wstr_to_string(self.raw.GetName(), "handler name")
    }

    /// The path pattern (`*`, `*.aspx`).
    ///
    /// # Errors
    /// [`Error::Encoding`](crate::Error::Encoding).
    #[doc(alias = "GetPath")]
    pub fn path(&self) -> Result<Option<String>> {
        ffi::wstr_to_string(self.raw.GetPath(), "handler path")
    }

    /// The verbs (`*` or a comma-separated list).
    ///
    /// # Errors
    /// [`Error::Encoding`](crate::Error::Encoding).
    #[doc(alias = "GetAllowedVerbs")]
    pub fn allowed_verbs(&self) -> Result<Option<String>> {
        match self.raw.GetAllowedVerbs().map(core::ffi::CStr::to_bytes) {
            Some(bytes) => Ok(Some(ffi::utf8(bytes, "allowed verbs")?.to_owned())),
            None => Ok(None),
        }
    }

    /// A counted string IIS lent (`GetModules`, …), decoded; `None` for
    /// null.
    fn decode(units: Option<&[u16]>, what: &'static str) -> Result<Option<String>> {
        units
            .map(|units| {
                String::from_utf16(units).map_err(|_| crate::Error::Encoding {
                    what,
                    encoding: "UTF-16",
                    from_client: false,
                })
            })
            .transpose()
    }

    /// The modules that handle the mapping (comma-separated).
    ///
    /// # Errors
    /// [`Error::Encoding`](crate::Error::Encoding).
    #[doc(alias = "GetModules")]
    pub fn modules(&self) -> Result<Option<String>> {
        Self::decode(self.raw.GetModules(), "modules")
    }

    /// The script processor (an ISAPI or CGI executable), empty for none.
    ///
    /// # Errors
    /// [`Error::Encoding`](crate::Error::Encoding).
    #[doc(alias = "GetScriptProcessor")]
    pub fn script_processor(&self) -> Result<Option<String>> {
        Self::decode(self.raw.GetScriptProcessor(), "script processor")
    }

    /// The managed handler type, empty for native handlers.
    ///
    /// # Errors
    /// [`Error::Encoding`](crate::Error::Encoding).
    #[doc(alias = "GetManagedType")]
    pub fn managed_type(&self) -> Result<Option<String>> {
        Self::decode(self.raw.GetManagedType(), "managed type")
    }

    /// Whether the mapping accepts path info after the script name.
    #[doc(alias = "GetAllowPathInfoForScriptMappings")]
    pub fn allows_path_info(&self) -> bool {
        self.raw.GetAllowPathInfoForScriptMappings().as_bool()
    }

    /// The access the mapping requires (0 None, 1 Read, 2 Write, 3 Script,
    /// 4 Execute).
    #[doc(alias = "GetRequiredAccess")]
    pub fn required_access(&self) -> u32 {
        self.raw.GetRequiredAccess()
    }

    /// The resource the mapping requires (0 File, 1 Directory, 2 Either, 3
    /// Unspecified).
    #[doc(alias = "GetResourceType")]
    pub fn resource_type(&self) -> u32 {
        self.raw.GetResourceType()
    }

    /// Whether it is a wildcard (`*`) mapping.
    #[doc(alias = "GetIsStarScriptMap")]
    pub fn is_star_script_map(&self) -> bool {
        self.raw.GetIsStarScriptMap().as_bool()
    }

    /// How many bytes of the response IIS buffers for the handler.
    #[doc(alias = "GetResponseBufferLimit")]
    pub fn response_buffer_limit(&self) -> u32 {
        self.raw.GetResponseBufferLimit()
    }
}
