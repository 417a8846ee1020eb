//! Writes `iis-sys/src/methods.rs`: one `impl Ref<'a, Class>` per class of
//! the slot table, one `#[inline(always)]` method per slot the class
//! introduces (inherited slots are reached through the generated `Deref` to
//! the base's `Ref`). A method is a safe `fn` when every argument is a
//! value, an out-pointer to plain data, a `const &` of plain data or a
//! NUL-terminated string that is not paired with a length; otherwise, or
//! when the call ends the object's life, an `unsafe fn` whose `# Safety`
//! section names the arguments that make it so.

use crate::abi_table::{Class, Slot};
use crate::interfaces::{cpp_signature, field_names, return_type, rust_type};
use std::fmt::Write as _;

/// Parameter types passed by value that carry no pointer IIS follows.
const VALUES: &[&str] = &[
    "BOOL",
    "DWORD",
    "ULONG",
    "LONG",
    "USHORT",
    "UCHAR",
    "BYTE",
    "ULONGLONG",
    "HRESULT",
    "HANDLE",
    "HTTP_HEADER_ID",
    // Safe code has only the ids IIS issued (`HTTP_MODULE_ID::from_raw` is
    // unsafe).
    "HTTP_MODULE_ID",
    "HTTP_OPAQUE_ID",
    "HTTP_REQUEST_PROPERTY",
    "HTTP_CONTEXT_INTERFACE_VERSION",
    "HTTP_SERVER_INTERFACE_VERSION",
    "CACHE_OPERATION",
    "REQUEST_NOTIFICATION_STATUS",
    "unsigned int flags",
];

/// Pointees of `T *` parameters that IIS only writes a plain value into (an
/// out-parameter): the Rust side passes `&mut T`. Interface pointers
/// (`IFoo **`) are added by [`classify`].
const OUT_PLAIN: &[&str] = &[
    "BOOL",
    "DWORD",
    "USHORT",
    "HRESULT",
    "PCSTR",
    "PCWSTR",
    "PVOID",
    "PBYTE",
    "FILETIME",
    "ULARGE_INTEGER",
    "DWORD *",
    "BYTE *",
    "PCSTR *",
    "PCWSTR *",
    "HTTP_SSL_CLIENT_CERT_INFO *",
    "HTTP_TRACE_EVENT *",
];

/// Calls after which the object (or the request it belongs to) may be gone:
/// `unsafe` whatever their arguments, since the handle would outlive it.
const LIFE_ENDING: &[(&str, &str)] = &[
    (
        "ReleaseClonedContext",
        "ends the life of the cloned context",
    ),
    ("ReleaseContainer", "ends the life of the container"),
    (
        "CleanupStoredContext",
        "ends the life of the stored context",
    ),
    ("Dispose", "ends the life of the module"),
    ("Terminate", "ends the life of the factory"),
    ("ScalarDeletingDestructor", "destroys the object"),
    ("DereferenceUser", "may end the life of the user"),
    ("DereferenceCacheData", "may end the life of the cache data"),
    (
        "DereferenceFileMonitor",
        "may end the life of the file monitor",
    ),
    ("DereferenceMetadata", "may end the life of the metadata"),
    (
        "IndicateCompletion",
        "resumes the pending request, which may then end on another thread",
    ),
    (
        "PostCompletion",
        "resumes the pending request, which may then end on another thread",
    ),
];

/// Methods whose pointer parameters look like out-parameters but are arrays
/// IIS reads (`PCSTR *` header tables).
const ARRAY_INPUTS: &[&str] = &["PushPromise"];

/// Methods where a string is followed by an integer that is not its length
/// (`SetStatus(USHORT, PCSTR pszReason, USHORT usSubStatus, …)`).
const NOT_LENGTHS: &[&str] = &[
    "SetStatus",
    "RegisterModule",
    "SetPriorityForRequestNotification",
    "GetProtocolManagerCustomInterface",
    "GetToken",
    "PushPromise",
];

/// Getters whose result IIS owns and keeps, unchanged, at least as long as
/// the object they are called on (httpserv.h's documentation of each; the
/// SDK relied on the same facts call by call before): their method returns
/// `Option<Ref<'a, _>>`, `Option<&'a WStr>` or `Option<&'a CStr>` borrowed
/// for the handle's `'a` instead of a raw pointer. Getters of what a later
/// call may replace (the user, file info, script map, URL, headers, server
/// variables, …) are not here: their pointers stay raw.
const OWNED_RETURNS: &[(&str, &str)] = &[
    // Objects of the request that live as long as its context.
    ("IHttpContext", "GetRequest"),
    ("IHttpContext", "GetResponse"),
    ("IHttpContext", "GetSite"),
    ("IHttpContext", "GetApplication"),
    ("IHttpContext", "GetConnection"),
    ("IHttpContext", "GetModuleContextContainer"),
    ("IHttpContext", "GetTraceContext"),
    ("IHttpResponse", "GetCachePolicy"),
    ("IHttpConnection", "GetModuleContextContainer"),
    ("IHttpSite", "GetModuleContextContainer"),
    ("IHttpSite", "GetPerfCounterInfo"),
    ("IHttpApplication", "GetModuleContextContainer"),
    ("IHttpServer", "GetPerfCounterInfo"),
    ("IHttpServer", "GetTraceContext"),
    // The configuration system belongs to the server (no reference is
    // handed over).
    ("IHttpServer", "GetAdminManager"),
    ("IHttpCacheSpecificData", "GetCacheKey"),
    ("IMetadataInfo", "GetVrToken"),
    ("ICacheProvider", "GetCacheKey"),
    // The record a cache notification is about (its provider lives for the
    // notification).
    ("ICacheProvider", "GetCacheRecord"),
    // The activity id of a trace context, fixed for the context's life.
    ("IHttpTraceContext", "GetTraceActivityId"),
    ("ICacheProvider", "GetTraceContext"),
    ("IHttpApplicationProvider", "GetApplication"),
    ("IGlobalThreadCleanupProvider", "GetApplication"),
    // Strings of immutable objects (and of the notification's provider).
    ("IHttpUser", "GetUserName"),
    ("IHttpUser", "GetRemoteUserName"),
    ("IHttpUser", "GetAuthenticationType"),
    ("IHttpUser", "GetPassword"),
    ("IHttpSite", "GetSiteName"),
    ("IHttpApplication", "GetApplicationId"),
    ("IHttpApplication", "GetApplicationPhysicalPath"),
    ("IHttpApplication", "GetAppConfigPath"),
    ("IHttpServer", "GetAppPoolName"),
    ("IHttpModuleRegistrationInfo", "GetName"),
    ("IMetadataInfo", "GetMetaPath"),
    ("IMetadataInfo", "GetVrPath"),
    ("IHttpFileInfo", "GetFilePath"),
    ("IHttpFileInfo", "GetVrPath"),
    ("IHttpFileInfo", "GetLastModifiedString"),
    ("IHttpCacheKey", "GetCacheName"),
    ("IScriptMapInfo", "GetName"),
    ("IScriptMapInfo", "GetPath"),
    ("IScriptMapInfo", "GetAllowedVerbs"),
    ("IScriptMapInfo", "GetModules"),
    ("IScriptMapInfo", "GetScriptProcessor"),
    ("IScriptMapInfo", "GetManagedType"),
    ("IHttpFileInfo", "GetETag"),
    // The URL a MapPath notification maps (its provider lives for the
    // notification and the URL does not change during it).
    ("IMapPathProvider", "GetUrl"),
    ("IGlobalConfigurationChangeProvider", "GetChangePath"),
    ("IGlobalFileChangeProvider", "GetFileName"),
    ("IGlobalRSCAQueryProvider", "GetFunctionName"),
    ("IGlobalRSCAQueryProvider", "GetFunctionParameters"),
    ("ICustomNotificationProvider", "QueryNotificationType"),
];

/// Methods with a `(pointer, length)` argument pair that IIS uses only
/// during the call (it copies what it keeps), and how the pair is taken:
/// `Bytes` as `&[u8]` (the pointer need not be NUL-terminated: IIS reads the
/// length given), `Str` as `&CStr`/`&WStr` (NUL-terminated, as IIS also
/// expects; the length passed is the count of units before the NUL),
/// `Filled` as `&mut [u8]`, a buffer IIS writes into (null when empty, as
/// when asking for the length a value needs). The
/// method computes the length; one the C type (`USHORT`, `DWORD`) cannot
/// hold makes it return `E_INVALIDARG` without calling IIS, which is what
/// IIS answers for a bad length itself: never a truncated length.
///
/// Sources: httpserv.h's documentation of `IHttpRequest::SetHeader` and
/// `IHttpResponse::SetHeader` (IIS copies the value; the samples pass
/// stack strings), `IMapHandlerProvider::SetScriptName` and
/// `IMapPathProvider::SetPhysicalPath` (IIS copies the new value into
/// request memory; the SDK has passed stack buffers since the first
/// release), `IHttpServer::ReadFragmentFromCache` (copies the fragment
/// into the buffer, or says how long it is). Not here: `InsertEntityBody` and `SetEntity` (IIS keeps the
/// buffer), `SetUrl` and `SetErrorDescription` (no documented copy).
const BUFFERS_DURING_CALL: &[(&str, &str, Counted)] = &[
    ("IHttpRequest", "SetHeader", Counted::Bytes),
    ("IHttpRequest", "SetHeaderByName", Counted::Bytes),
    ("IHttpResponse", "SetHeader", Counted::Bytes),
    ("IHttpResponse", "SetHeaderByName", Counted::Bytes),
    ("IMapHandlerProvider", "SetScriptName", Counted::Str),
    ("IMapPathProvider", "SetPhysicalPath", Counted::Str),
    ("IHttpServer", "ReadFragmentFromCache", Counted::Filled),
];

/// Methods whose interface-pointer arguments IIS uses only during the call
/// (it takes no reference it keeps), with the indexes of those that may be
/// null: each is taken as a live `Ref` (`Option<Ref>` where null is
/// allowed). Sources: httpserv.h's documentation of
/// `IHttpResponse::SetStatus` (the configuration exception is optional and
/// only read to describe the error), `IHttpCacheKey::GetIsEqual` and
/// `GetIsPrefix` (two keys compared), `IHttpServer::DoCacheOperation` (the
/// key is looked up; the trace context is optional), `IHttpServer::` and
/// `IHttpContext::NotifyCustomNotification` (the provider is handed to the
/// subscribed modules during the call). Not here: `SetUser`,
/// `SetFileInfo`, `SetRequestNotifications` (IIS keeps the object) and
/// `ExecuteRequest` (the child lives on after an asynchronous call).
const USED_DURING_CALL: &[(&str, &str, &[usize])] = &[
    ("IHttpResponse", "SetStatus", &[4]),
    ("IHttpCacheKey", "GetIsEqual", &[]),
    ("IHttpCacheKey", "GetIsPrefix", &[]),
    ("IHttpServer", "DoCacheOperation", &[3]),
    ("IHttpServer", "NotifyCustomNotification", &[]),
    ("IHttpContext", "NotifyCustomNotification", &[]),
];

/// How a `(pointer, length)` pair of [`BUFFERS_DURING_CALL`] is taken.
#[derive(Clone, Copy, PartialEq)]
enum Counted {
    Bytes,
    Str,
    Filled,
}

/// How one parameter crosses.
enum Param {
    /// Passed as is.
    Value(String),
    /// `&mut T`, coerced to `*mut T`.
    Out(String),
    /// `&T`, coerced to `*const T`.
    In(String),
    /// `&CStr`, passed as `PCSTR`.
    CStr,
    /// `&WStr`, passed as `PCWSTR`.
    WStr,
    /// `&[u8]` (`Counted::Bytes`) or `&CStr`/`&WStr` (`Counted::Str`): the
    /// Rust type taken, and that of the length the method passes as the
    /// next argument.
    Counted(&'static str, String),
    /// The length of the `Counted` parameter before it: not declared.
    Length,
    /// A live object of the interface, used only during the call
    /// ([`USED_DURING_CALL`]): `Ref`, or `Option<Ref>` where null is allowed.
    Object(String, bool),
    /// Passed raw; the method is `unsafe` for this reason.
    Raw(String, String),
}

fn is_interface(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('I' | 'C'))
        && chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

fn classify(slot: &Slot, name: &str, i: usize) -> Result<Param, String> {
    let cpp = slot.params[i].trim();
    let raw = rust_type(cpp)?;
    let counted = BUFFERS_DURING_CALL
        .iter()
        .find(|(c, m, _)| *c == slot.introduced_by && *m == name)
        .map(|(_, _, how)| *how);
    if let Some(how) = counted {
        let next = slot.params.get(i + 1).map(|n| n.trim());
        let is_length = |p: Option<&str>| matches!(p, Some("USHORT" | "DWORD"));
        if i > 0
            && is_length(Some(cpp))
            && matches!(slot.params[i - 1].trim(), "PCSTR" | "PCWSTR" | "BYTE *")
        {
            let before = classify(slot, name, i - 1)?;
            if matches!(before, Param::Counted(..)) {
                return Ok(Param::Length);
            }
        }
        if is_length(next) {
            let len = rust_type(next.unwrap_or_default())?;
            match (cpp, how) {
                ("PCSTR", Counted::Bytes) => return Ok(Param::Counted("[u8]", len)),
                ("PCSTR", Counted::Str) => return Ok(Param::Counted("CStr", len)),
                ("PCWSTR", Counted::Str) => return Ok(Param::Counted("WStr", len)),
                ("BYTE *", Counted::Filled) => return Ok(Param::Counted("mut [u8]", len)),
                _ => {}
            }
        }
    }
    let raw_because = |why: &str| Ok(Param::Raw(raw.clone(), why.to_string()));
    if cpp.contains('[') {
        return raw_because("points to an array of the length httpserv.h gives");
    }
    if VALUES.contains(&cpp) {
        return Ok(Param::Value(raw));
    }
    if cpp == "const GUID &" {
        return Ok(Param::In("GUID".to_string()));
    }
    let next_is_length = slot
        .params
        .get(i + 1)
        .is_some_and(|n| matches!(n.trim(), "USHORT" | "DWORD" | "ULONG"))
        && !NOT_LENGTHS.contains(&slot.method.as_str());
    match cpp {
        "PCSTR" | "PCWSTR" | "LPCWSTR" if next_is_length => {
            return raw_because("is valid for reads of the length the next argument gives");
        }
        "PCSTR" => return Ok(Param::CStr),
        "PCWSTR" | "LPCWSTR" => return Ok(Param::WStr),
        "PFN_ASYNC_COMPLETION" | "LPOVERLAPPED_COMPLETION_ROUTINE" => {
            return raw_because(
                "is a completion routine that stays valid, with its context, until IIS calls it",
            );
        }
        _ => {}
    }
    if let Some(pointee) = cpp.strip_suffix('*').map(str::trim) {
        let out_plain = OUT_PLAIN.contains(&pointee)
            || pointee
                .strip_suffix('*')
                .is_some_and(|p| is_interface(p.trim()));
        if out_plain && !ARRAY_INPUTS.contains(&slot.method.as_str()) {
            let target = raw
                .strip_prefix("*mut ")
                .ok_or_else(|| format!("{cpp}: not a pointer"))?;
            return Ok(Param::Out(target.to_string()));
        }
        if is_interface(pointee) {
            let used = USED_DURING_CALL
                .iter()
                .find(|(c, m, _)| *c == slot.introduced_by && *m == name);
            if let Some((_, _, nullable)) = used {
                return Ok(Param::Object(pointee.to_string(), nullable.contains(&i)));
            }
            return raw_because(
                "is null where the method allows it, or a live object of its interface",
            );
        }
    }
    raw_because(
        "is null where the method allows it, or valid for everything IIS reads or writes through it, for as long as IIS uses it",
    )
}

/// Generates the Rust source of every `impl Ref<'a, Class>`.
pub fn render(classes: &[Class]) -> Result<String, String> {
    // Every name in the tables is a slot ("" for any class).
    let any_class = LIFE_ENDING
        .iter()
        .map(|(m, _)| ("", *m))
        .chain(ARRAY_INPUTS.iter().map(|m| ("", *m)));
    let used = USED_DURING_CALL.iter().map(|(c, m, _)| (*c, *m));
    let buffers = BUFFERS_DURING_CALL.iter().map(|(c, m, _)| (*c, *m));
    let tables = OWNED_RETURNS.iter().copied().chain(used).chain(buffers);
    for (class, method) in tables.chain(any_class) {
        let known = classes.iter().any(|c| {
            (class.is_empty() || c.name == *class)
                && field_names(c).is_ok_and(|names| names.iter().any(|n| n == method))
        });
        if !known {
            return Err(format!("methods.rs tables: no slot `{class}::{method}`"));
        }
    }
    let mut out = String::new();
    out.push_str(
        "// @generated by `cargo xtask codegen` from abi/httpserv-vtables.md. Do not edit.\n\
         //! The methods of [`Ref`] for every class of httpserv.h: one per slot,\n\
         //! named as the vtable field, calling the slot directly. Safe where\n\
         //! every argument is a value, a reference to plain data or a\n\
         //! NUL-terminated string; `unsafe` (with the reason) otherwise.\n\n\
         #![allow(clippy::too_many_arguments)]\n\n\
         use crate::*;\n\
         use core::ffi::{CStr, c_void};\n\
         use core::ops::Deref;\n\n",
    );
    for class in classes {
        let names = field_names(class)?;
        let c = &class.name;
        if let Some(base) = &class.base {
            let _ = writeln!(
                out,
                "impl<'a> Deref for Ref<'a, {c}> {{\n    type Target = Ref<'a, {base}>;\n\n    \
                 /// The methods of the base interface [`{base}`]: its slots come first in\n    \
                 /// the vtable of [`{c}`].\n    \
                 #[inline(always)]\n    fn deref(&self) -> &Ref<'a, {base}> {{\n        \
                 // SAFETY: `Ref` is a `repr(transparent)` object pointer whatever the\n        \
                 // interface, and an object of `{c}` is one of `{base}`: its vtable\n        \
                 // starts with the base's slots (field `base`, at offset 0).\n        \
                 unsafe {{ &*(self as *const Self).cast::<Ref<'a, {base}>>() }}\n    }}\n}}\n"
            );
        }
        let _ = writeln!(
            out,
            "/// The slots [`{c}`] introduces.\nimpl<'a> Ref<'a, {c}> {{"
        );
        for (slot, name) in class.slots.iter().zip(&names) {
            if slot.introduced_by != *c {
                continue;
            }
            write_method(&mut out, slot, name)?;
        }
        out.push_str("}\n\n");
    }
    Ok(out)
}

fn write_method(out: &mut String, slot: &Slot, name: &str) -> Result<(), String> {
    let mut decl = Vec::new();
    let mut pass = Vec::new();
    let mut reasons = Vec::new();
    let life_ending = LIFE_ENDING.iter().find(|(m, _)| *m == name);
    let mut params = (0..slot.params.len())
        .map(|i| classify(slot, name, i))
        .collect::<Result<Vec<_>, _>>()?;
    // In an `unsafe fn` strings stay raw, so that a caller can pass null
    // where the method allows it.
    if life_ending.is_some() || params.iter().any(|p| matches!(p, Param::Raw(..))) {
        for (i, p) in params.iter_mut().enumerate() {
            if matches!(p, Param::CStr | Param::WStr) {
                *p = Param::Raw(
                    rust_type(&slot.params[i])?,
                    "is null where the method allows it, or a NUL-terminated string".to_string(),
                );
            }
        }
    }
    // Lengths computed from `Counted` arguments, checked before the call.
    let mut lengths = Vec::new();
    let counted = params.iter().any(|p| matches!(p, Param::Counted(..)));
    for (i, param) in params.into_iter().enumerate() {
        let arg = format!("arg{i}");
        match param {
            Param::Counted(ty, len_ty) => {
                decl.push(format!("{arg}: &{ty}"));
                let (ptr, units) = match ty {
                    "[u8]" => (format!("PCSTR({arg}.as_ptr())"), format!("{arg}.len()")),
                    "mut [u8]" => (
                        format!(
                            "if {arg}.is_empty() {{ core::ptr::null_mut() }} else {{ {arg}.as_mut_ptr() }}"
                        ),
                        format!("{arg}.len()"),
                    ),
                    "CStr" => (
                        format!("PCSTR({arg}.as_ptr().cast())"),
                        format!("{arg}.to_bytes().len()"),
                    ),
                    _ => (
                        format!("PCWSTR({arg}.as_ptr())"),
                        format!("{arg}.as_units().len()"),
                    ),
                };
                lengths.push(format!(
                    "let Ok(len{i}) = {len_ty}::try_from({units}) else {{\n            \
                     return E_INVALIDARG;\n        }};"
                ));
                pass.push(ptr);
                pass.push(format!("len{i}"));
            }
            Param::Length => {}
            Param::Value(t) => {
                decl.push(format!("{arg}: {t}"));
                pass.push(arg);
            }
            Param::Out(t) => {
                decl.push(format!("{arg}: &mut {t}"));
                pass.push(arg);
            }
            Param::In(t) => {
                decl.push(format!("{arg}: &{t}"));
                pass.push(arg);
            }
            Param::CStr => {
                decl.push(format!("{arg}: &CStr"));
                pass.push(format!("PCSTR({arg}.as_ptr().cast())"));
            }
            Param::WStr => {
                decl.push(format!("{arg}: &WStr"));
                pass.push(format!("PCWSTR({arg}.as_ptr())"));
            }
            Param::Object(i, false) => {
                decl.push(format!("{arg}: Ref<'_, {i}>"));
                pass.push(format!("{arg}.as_ptr()"));
            }
            Param::Object(i, true) => {
                decl.push(format!("{arg}: Option<Ref<'_, {i}>>"));
                pass.push(format!("{arg}.map_or(core::ptr::null_mut(), Ref::as_ptr)"));
            }
            Param::Raw(t, why) => {
                reasons.push(format!("`{arg}` (`{}`) {why}", slot.params[i].trim()));
                decl.push(format!("{arg}: {t}"));
                pass.push(arg);
            }
        }
    }
    if let Some((_, why)) = life_ending {
        reasons.push(format!(
            "the call {why}: nothing uses the object through this or any other handle \
             once it may be gone"
        ));
    }
    let mut ret = return_type(slot)?;
    if counted && ret != " -> HRESULT" {
        return Err(format!(
            "{}::{name}: a counted argument needs an HRESULT to refuse a length with",
            slot.introduced_by
        ));
    }
    let owned = OWNED_RETURNS
        .iter()
        .any(|(c, m)| *c == slot.introduced_by && *m == name);
    // How the raw result `ret` becomes the borrowed one, if it is owned.
    let mut convert = None;
    if owned {
        if !reasons.is_empty() {
            return Err(format!(
                "{}::{name}: an owned result from an unsafe method",
                slot.introduced_by
            ));
        }
        // A string returned with its length through the one out-parameter
        // (`PCWSTR GetModules(DWORD * pcchModules)`): lent as a slice of
        // that length.
        let length_out = slot.params.len() == 1
            && matches!(slot.params[0].trim(), "USHORT *" | "DWORD *")
            && matches!(ret.trim_start_matches(" -> "), "PCSTR" | "PCWSTR");
        if length_out {
            decl.clear();
            pass = vec!["&mut len".to_string()];
            lengths.push("let mut len = 0;".to_string());
        }
        let (typed, body) = match ret.trim_start_matches(" -> ") {
            "PCWSTR" if length_out => (
                "Option<&'a [u16]>".to_string(),
                "(!ret.is_null()).then(|| unsafe { core::slice::from_raw_parts(ret.0, len as usize) })",
            ),
            "PCSTR" if length_out => (
                "Option<&'a [u8]>".to_string(),
                "(!ret.is_null()).then(|| unsafe { core::slice::from_raw_parts(ret.0, len as usize) })",
            ),
            "PCWSTR" => (
                "Option<&'a WStr>".to_string(),
                "(!ret.is_null()).then(|| unsafe { WStr::from_ptr(ret.0) })",
            ),
            "PCSTR" => (
                "Option<&'a CStr>".to_string(),
                "(!ret.is_null()).then(|| unsafe { CStr::from_ptr(ret.0.cast()) })",
            ),
            "*const GUID" => ("Option<&'a GUID>".to_string(), "unsafe { ret.as_ref() }"),
            t => match t.strip_prefix("*mut ") {
                Some(i) if is_interface(i) => (
                    format!("Option<Ref<'a, {i}>>"),
                    "unsafe { Ref::from_raw(ret) }",
                ),
                _ => return Err(format!("{name}: cannot borrow a `{t}` result")),
            },
        };
        ret = format!(" -> {typed}");
        convert = Some(body);
    }
    let _ = writeln!(
        out,
        "    /// Slot {}: `{}`.",
        slot.index,
        cpp_signature(slot)
    );
    if counted {
        out.push_str(
            "    ///\n    /// IIS uses the counted argument only during the call. Returns\n    \
             /// `E_INVALIDARG`, without calling IIS, if its length does not fit\n    \
             /// the C type.\n",
        );
    }
    if owned {
        out.push_str(
            "    ///\n    /// IIS owns the result and keeps it, unchanged, as long as this\n    \
             /// object: it is borrowed for the handle's lifetime.\n",
        );
        if ret.contains("&'a [") {
            out.push_str(
                "    /// The slice has the length IIS gives through the out-parameter\n    \
                 /// (no NUL).\n",
            );
        }
    }
    let unsafety = if reasons.is_empty() {
        ""
    } else {
        out.push_str("    ///\n    /// # Safety\n    /// `self` as [`Ref`] requires, and:\n");
        for r in &reasons {
            let _ = writeln!(out, "    /// - {r};");
        }
        "unsafe "
    };
    let args = std::iter::once("self".to_string())
        .chain(decl)
        .collect::<Vec<_>>()
        .join(", ");
    let call_args = std::iter::once("this".to_string())
        .chain(pass)
        .collect::<Vec<_>>()
        .join(", ");
    let safety = if reasons.is_empty() {
        if counted {
            "`this` is a live object of this interface (the contract of `Ref`), and \
             every argument is a value, a reference, a NUL-terminated string or a \
             slice passed with its own length, as the slot takes"
        } else {
            "`this` is a live object of this interface (the contract of `Ref`), and \
             every argument is a value, a reference, a NUL-terminated string or a live \
             object IIS uses only during the call, as the slot takes"
        }
    } else {
        "`this` is a live object of this interface (the contract of `Ref`); the \
         arguments are as the caller guarantees (`# Safety`)"
    };
    let call = format!("unsafe {{ ((*(*this).lpVtbl).{name})({call_args}) }}");
    let body = match convert {
        None => call,
        Some(convert) => format!(
            "let ret = {call};\n        \
             // SAFETY: IIS returns null or what it owns (of the length it\n        \
             // gives, if it gives one) for at least as long as `this`, which\n        \
             // lives for `'a` (the contract of `Ref`).\n        \
             {convert}"
        ),
    };
    let pre: String = lengths.iter().map(|l| format!("{l}\n        ")).collect();
    let _ = writeln!(
        out,
        "    #[inline(always)]\n    pub {unsafety}fn {name}({args}){ret} {{\n        \
         {pre}let this = self.as_ptr();\n        \
         // SAFETY: {safety}.\n        \
         {body}\n    }}\n"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi_table;

    fn rendered() -> String {
        let table = std::fs::read_to_string(crate::root().join("iis-sys/abi/httpserv-vtables.md"))
            .expect("slot table");
        render(&abi_table::parse(&table).expect("parses")).expect("renders")
    }

    #[test]
    fn value_and_out_parameter_methods_are_safe_and_the_others_say_why_not() {
        let out = rendered();
        assert!(out.contains("pub fn Clear(self) {"));
        assert!(
            out.contains("pub fn GetHeaderByName(self, arg0: &CStr, arg1: &mut u16) -> PCSTR {")
        );
        assert!(out.contains(
            "pub fn QuickTrace(self, arg0: &WStr, arg1: &WStr, arg2: HRESULT, arg3: u8) -> HRESULT {"
        ));
        // A value with its length, a callback, an object IIS keeps, a life
        // that ends.
        for unsafe_one in [
            "pub unsafe fn SetUrl(",
            "pub unsafe fn WriteEntityChunks2(",
            "pub unsafe fn SetModuleContext(",
            "pub unsafe fn ReleaseClonedContext(self)",
        ] {
            assert!(out.contains(unsafe_one), "{unsafe_one}");
        }
        assert!(out.contains("is valid for reads of the length the next argument gives"));
        // Module ids are values: safe code has only those IIS issued.
        assert!(out.contains(
            "pub fn GetModuleContext(self, arg0: HTTP_MODULE_ID) -> *mut IHttpStoredContext {"
        ));
    }

    #[test]
    fn arguments_iis_reads_only_during_the_call_are_slices_with_a_checked_length() {
        let out = rendered();
        assert!(out.contains(
            "pub fn SetHeader(self, arg0: HTTP_HEADER_ID, arg1: &[u8], arg3: BOOL) -> HRESULT {\n        \
             let Ok(len1) = u16::try_from(arg1.len()) else {\n            return E_INVALIDARG;"
        ));
        assert!(out.contains("pub fn SetScriptName(self, arg0: &WStr) -> HRESULT {"));
        assert!(out.contains(
            "pub fn ReadFragmentFromCache(self, arg0: &WStr, arg1: &mut [u8], arg3: &mut u32) -> HRESULT {"
        ));
        // IIS keeps what InsertEntityBody gets: still raw.
        assert!(out.contains("pub unsafe fn InsertEntityBody("));
    }

    #[test]
    fn objects_iis_uses_only_during_the_call_are_live_handles() {
        let out = rendered();
        assert!(out.contains(
            "pub fn SetStatus(self, arg0: u16, arg1: &CStr, arg2: u16, arg3: HRESULT, \
             arg4: Option<Ref<'_, IAppHostConfigException>>, arg5: BOOL) -> HRESULT {"
        ));
        assert!(out.contains("pub fn GetIsEqual(self, arg0: Ref<'_, IHttpCacheKey>) -> bool {"));
        // IIS keeps the user it is given: still raw.
        assert!(out.contains("pub unsafe fn SetUser("));
    }

    #[test]
    fn owned_results_are_lent_and_bases_are_reached_through_deref() {
        let out = rendered();
        assert!(out.contains("pub fn GetSiteName(self) -> Option<&'a WStr> {"));
        assert!(out.contains("pub fn GetModules(self) -> Option<&'a [u16]> {"));
        assert!(out.contains("pub fn GetETag(self) -> Option<&'a [u8]> {"));
        assert!(out.contains("pub fn GetRequest(self) -> Option<Ref<'a, IHttpRequest>> {"));
        assert!(out.contains("pub fn GetUser(self) -> *mut IHttpUser {"));
        assert!(out.contains("impl<'a> Deref for Ref<'a, IHttpResponse2> {"));
    }
}
