//! Writes `iis-sys/src/interfaces.rs` (object + vtable struct per class) and
//! `iis-sys/abi/httpserv.layout` (one line per slot) from the slot table.

use crate::abi_table::{Class, Slot};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

/// Names for the overloads MSVC groups inside one class, keyed by
/// (introducing class, slot). The declaration-first form keeps the plain name.
const OVERLOAD_NAMES: &[(&str, usize, &str)] = &[
    ("IHttpRequest", 0, "GetRawHttpRequestConst"),
    ("IHttpRequest", 1, "GetRawHttpRequest"),
    ("IHttpRequest", 2, "GetHeader"),
    ("IHttpRequest", 3, "GetHeaderByName"),
    ("IHttpRequest", 4, "SetHeader"),
    ("IHttpRequest", 5, "SetHeaderByName"),
    ("IHttpRequest", 6, "DeleteHeader"),
    ("IHttpRequest", 7, "DeleteHeaderByName"),
    ("IHttpRequest", 10, "SetUrlA"),
    ("IHttpRequest", 11, "SetUrl"),
    ("IHttpResponse", 0, "GetRawHttpResponseConst"),
    ("IHttpResponse", 1, "GetRawHttpResponse"),
    ("IHttpResponse", 4, "SetHeader"),
    ("IHttpResponse", 5, "SetHeaderByName"),
    ("IHttpResponse", 6, "DeleteHeader"),
    ("IHttpResponse", 7, "DeleteHeaderByName"),
    ("IHttpResponse", 8, "GetHeader"),
    ("IHttpResponse", 9, "GetHeaderByName"),
    ("IHttpContext", 15, "GetServerVariableA"),
    ("IHttpContext", 16, "GetServerVariable"),
    ("CHttpModule", 30, "ScalarDeletingDestructor"),
];

/// Rust field name of every slot of `class`, in slot order.
///
/// Rules: overloads grouped by MSVC get the names of [`OVERLOAD_NAMES`]; a
/// derived interface re-declaring a base method name (a new slot, not an
/// override) gets the version digit of the derived interface
/// (`IHttpResponse2::WriteEntityChunks` → `WriteEntityChunks2`).
pub fn field_names(class: &Class) -> Result<Vec<String>, String> {
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut names = Vec::new();
    for slot in &class.slots {
        let name = if let Some((_, _, name)) = OVERLOAD_NAMES
            .iter()
            .find(|(c, i, _)| *c == slot.introduced_by && *i == slot.index)
        {
            name.to_string()
        } else if seen
            .get(&slot.method)
            .is_some_and(|first| *first != slot.introduced_by)
        {
            let digit: String = slot
                .introduced_by
                .chars()
                .rev()
                .take_while(char::is_ascii_digit)
                .collect();
            format!("{}{}", slot.method, digit)
        } else {
            slot.method.clone()
        };
        seen.entry(slot.method.clone())
            .or_insert_with(|| slot.introduced_by.clone());
        names.push(name);
    }
    let unique: HashSet<&String> = names.iter().collect();
    if unique.len() != names.len() {
        return Err(format!("{}: duplicate field names {names:?}", class.name));
    }
    Ok(names)
}

/// The Rust spelling of a header type.
pub(crate) fn rust_type(cpp: &str) -> Result<String, String> {
    let cpp = cpp.trim();
    if let Some(elem) = cpp.strip_suffix(']') {
        // Array parameters decay to pointers.
        let (elem, _) = elem.split_once('[').ok_or("bad array")?;
        return Ok(format!("*mut {}", rust_type(elem)?));
    }
    if let Some(inner) = cpp.strip_prefix("const ") {
        let inner = inner.trim();
        if let Some(pointee) = inner.strip_suffix('*').or_else(|| inner.strip_suffix('&')) {
            return Ok(format!("*const {}", rust_type(pointee)?));
        }
        return rust_type(inner);
    }
    if let Some(pointee) = cpp.strip_suffix('*') {
        return Ok(match pointee.trim() {
            "VOID" | "void" => "*mut c_void".to_string(),
            p => format!("*mut {}", rust_type(p)?),
        });
    }
    let t = match cpp {
        "VOID" | "void" => "()",
        "DWORD" | "ULONG" | "unsigned int flags" => "u32",
        "LONG" => "i32",
        "USHORT" => "u16",
        "UCHAR" | "BYTE" => "u8",
        "ULONGLONG" | "ULARGE_INTEGER" | "HTTP_OPAQUE_ID" => "u64",
        "bool" => "bool",
        "BOOL" => "BOOL",
        "HRESULT" => "HRESULT",
        "PCSTR" => "PCSTR",
        "PCWSTR" | "LPCWSTR" => "PCWSTR",
        "PWSTR" => "PWSTR",
        "PVOID" => "*mut c_void",
        "PBYTE" => "*mut u8",
        "PULONG" => "*mut u32",
        "LPCGUID" => "*const GUID",
        "PSOCKADDR" => "*mut SOCKADDR",
        "LPOVERLAPPED" => "*mut OVERLAPPED",
        "HTTP_REQUEST" => "HTTP_REQUEST",
        "HTTP_RESPONSE" => "HTTP_RESPONSE",
        "IHttpApplicationStartProvider" | "IHttpApplicationStopProvider" => {
            "IHttpApplicationProvider"
        }
        other if other.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => other,
        other => return Err(format!("unknown type `{other}`")),
    };
    Ok(t.to_string())
}

pub(crate) fn return_type(slot: &Slot) -> Result<String, String> {
    if slot.method.starts_with('~') {
        return Ok(" -> *mut c_void".to_string());
    }
    Ok(match rust_type(&slot.returns)?.as_str() {
        "()" => String::new(),
        t => format!(" -> {t}"),
    })
}

/// The C++ declaration of a slot, for its rustdoc.
pub(crate) fn cpp_signature(slot: &Slot) -> String {
    if slot.method.starts_with('~') {
        return format!(
            "virtual {}() — MSVC scalar deleting destructor: void *(unsigned int flags)",
            slot.method
        );
    }
    let params = if slot.params.is_empty() {
        "VOID".to_string()
    } else {
        slot.params.join(", ")
    };
    let konst = if slot.is_const { " const" } else { "" };
    format!("{} {}({params}){konst}", slot.returns, slot.method)
}

/// Generates the Rust source of every object and vtable struct.
pub fn render_rust(classes: &[Class]) -> Result<String, String> {
    let by_name: HashMap<&str, &Class> = classes.iter().map(|c| (c.name.as_str(), c)).collect();
    let mut out = String::new();
    out.push_str(
        "// @generated by `cargo xtask codegen` from abi/httpserv-vtables.md. Do not edit.\n\
         //! Every polymorphic class of httpserv.h: the object type (a vtable\n\
         //! pointer) and the vtable struct, one field per slot in MSVC order.\n\n\
         use crate::*;\n\
         use core::ffi::c_void;\n\
         use core::mem::{offset_of, size_of};\n\n",
    );
    for class in classes {
        let names = field_names(class)?;
        let c = &class.name;
        let vtbl = format!("{c}Vtbl");
        let lineage = match &class.base {
            Some(base) => format!(", derived from [`{base}`]"),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "/// `{c}`{lineage}: an object whose first field points at its vtable \
             ({} slots).\n#[repr(C)]\n#[derive(Debug)]\npub struct {c} {{\n    \
             /// The vtable pointer, at offset 0 as in every MSVC polymorphic object.\n    \
             pub lpVtbl: *const {vtbl},\n}}\n",
            class.slots.len()
        );
        let _ = writeln!(
            out,
            "/// The vtable of [`{c}`], slots in MSVC order{}.\n#[repr(C)]\n#[derive(Debug, Clone, Copy)]\npub struct {vtbl} {{",
            match &class.base {
                Some(b) => format!(" (the slots of [`{b}Vtbl`] first)"),
                None => String::new(),
            }
        );
        if let Some(base) = &class.base {
            let _ = writeln!(
                out,
                "    /// The inherited slots of [`{base}`].\n    pub base: {base}Vtbl,"
            );
        }
        for (slot, name) in class.slots.iter().zip(&names) {
            if slot.introduced_by != *c {
                continue;
            }
            let mut args = vec![format!("*mut {c}")];
            for p in &slot.params {
                args.push(rust_type(p)?);
            }
            let _ = writeln!(
                out,
                "    /// Slot {}: `{}`.\n    pub {name}: member_fn!(({}){}),",
                slot.index,
                cpp_signature(slot),
                args.join(", "),
                return_type(slot)?
            );
        }
        out.push_str("}\n\n");
        if let Some(uuid) = &class.uuid {
            let _ = writeln!(
                out,
                "impl Interface for {c} {{\n    const NAME: &'static str = \"{c}\";\n    \
                 const IID: GUID = GUID::from_u128(0x{});\n    type Vtable = {vtbl};\n}}\n",
                uuid.replace('-', "_")
            );
        }
    }
    out.push_str(
        "/// The layout of every vtable struct of this crate, measured by the\n\
         /// compiler: the data the layout test checks against `abi/httpserv.layout`.\n\
         pub const VTABLE_LAYOUTS: &[VtableLayout] = &[\n",
    );
    for class in classes {
        let names = field_names(class)?;
        let vtbl = format!("{}Vtbl", class.name);
        let _ = writeln!(
            out,
            "    VtableLayout {{\n        class: \"{}\",\n        size: size_of::<{vtbl}>(),\n        slots: &[",
            class.name
        );
        for (slot, name) in class.slots.iter().zip(&names) {
            let path = base_path(class, &slot.introduced_by, &by_name)?;
            let _ = writeln!(
                out,
                "            (\"{name}\", offset_of!({vtbl}, {path}{name})),"
            );
        }
        out.push_str("        ],\n    },\n");
    }
    out.push_str("];\n");
    Ok(out)
}

/// `base.base.` prefix that reaches the vtable of `introducer` from `class`.
fn base_path(
    class: &Class,
    introducer: &str,
    by_name: &HashMap<&str, &Class>,
) -> Result<String, String> {
    let mut path = String::new();
    let mut cur = class;
    while cur.name != introducer {
        let base = cur
            .base
            .as_deref()
            .ok_or_else(|| format!("{introducer} is not a base of {}", class.name))?;
        cur = by_name
            .get(base)
            .ok_or_else(|| format!("unknown base {base}"))?;
        path.push_str("base.");
    }
    Ok(path)
}

/// The machine-readable layout: `Class<TAB>slot<TAB>field`, every slot of
/// every class (inherited slots listed under the derived class too).
pub fn render_layout(classes: &[Class]) -> Result<String, String> {
    let mut out = String::from(
        "# httpserv.h vtable layout: Class<TAB>slot<TAB>iis-sys field. Generated by\n\
         # `cargo xtask codegen` from httpserv-vtables.md; checked by iis-sys's layout test.\n",
    );
    for class in classes {
        for (slot, name) in class.slots.iter().zip(field_names(class)?) {
            let _ = writeln!(out, "{}\t{}\t{name}", class.name, slot.index);
        }
    }
    Ok(out)
}
