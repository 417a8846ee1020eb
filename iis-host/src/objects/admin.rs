//! The configuration objects of ahadmin.h: `IAppHostAdminManager` (one per
//! host, what `IHttpServer::GetAdminManager` returns) and the reference
//! counted `IAppHostElement`, `IAppHostProperty`, collection and exception
//! objects `GetAdminSection` hands out over a merged section
//! (`configuration`).
//!
//! These are COM objects: every slot is `extern "system"` (stdcall on x86),
//! the first three are `IUnknown`'s. Objects handed to the module start with
//! one reference, which the module releases; the last `Release` frees them.
//!
//! The admin manager a module gets is read-only, as IIS's is (a module that
//! wants to write configuration creates an `IAppHostWritableAdminManager`
//! itself): every writing method answers `E_ACCESSDENIED`. Schema objects
//! and metadata are not emulated (`E_NOTIMPL`). A name or index that does
//! not exist is `HRESULT_FROM_WIN32(ERROR_NOT_FOUND)` (0x80070490, "Element
//! not found", IIS's answer).

use std::ffi::c_void;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use iis_sys::{
    BSTR, Bstr, E_ACCESSDENIED, GUID, HRESULT, IAppHostAdminManager, IAppHostAdminManagerVtbl,
    IAppHostChildElementCollection, IAppHostChildElementCollectionVtbl, IAppHostCollectionSchema,
    IAppHostConfigException, IAppHostConfigExceptionVtbl, IAppHostConfigManager, IAppHostElement,
    IAppHostElementCollection, IAppHostElementCollectionVtbl, IAppHostElementSchema,
    IAppHostElementVtbl, IAppHostMethodCollection, IAppHostProperty, IAppHostPropertyCollection,
    IAppHostPropertyCollectionVtbl, IAppHostPropertyException, IAppHostPropertyExceptionVtbl,
    IAppHostPropertySchema, IAppHostPropertyVtbl, IUnknownVtbl, Interface, SAFEARRAY, VARIANT,
    Variant, VariantValue,
};

use crate::configuration::value::{Typed, check, string_value};
use crate::configuration::{APPHOST, Node};
use crate::ffi::{
    E_INVALIDARG, E_NOINTERFACE, E_NOTIMPL, HRESULT_ERROR_NOT_FOUND, S_OK, guard, put,
};
use crate::state::host::HostCore;

/// `IUnknown`'s IID.
const IID_IUNKNOWN: GUID = GUID::from_u128(0x0000_0000_0000_0000_c000_0000_0000_0046);

/// A reference-counted COM object: the vtable pointer, then the count, the
/// interfaces `QueryInterface` answers for, and the data.
#[repr(C)]
struct Com<T> {
    vtbl: *const c_void,
    refs: AtomicU32,
    iids: &'static [GUID],
    data: T,
}

/// A new object with one reference, as an interface pointer.
fn create<T, I, V>(vtbl: &'static V, iids: &'static [GUID], data: T) -> *mut I {
    Box::into_raw(Box::new(Com {
        vtbl: (vtbl as *const V).cast(),
        refs: AtomicU32::new(1),
        iids,
        data,
    }))
    .cast()
}

/// The data of the object behind `this`.
///
/// # Safety
/// `this` is null or an object made by [`create`] with data `T`, on which
/// the caller holds a reference.
unsafe fn data<'a, T>(this: *mut impl Sized) -> Option<&'a T> {
    // SAFETY: by the contract, a live `Com<T>` or null.
    unsafe { this.cast::<Com<T>>().as_ref() }.map(|c| &c.data)
}

unsafe extern "system" fn query_interface<T>(
    this: *mut c_void,
    iid: *const GUID,
    out: *mut *mut c_void,
) -> HRESULT {
    guard(E_INVALIDARG, || {
        if out.is_null() || iid.is_null() {
            return E_INVALIDARG;
        }
        // SAFETY: `this` is a live `Com<T>` the module holds a reference on;
        // `iid` is readable and `out` writable (checked non-null above).
        unsafe {
            let object = &*this.cast::<Com<T>>();
            if *iid == IID_IUNKNOWN || object.iids.contains(&*iid) {
                object.refs.fetch_add(1, Ordering::Relaxed);
                out.write(this);
                S_OK
            } else {
                out.write(std::ptr::null_mut());
                E_NOINTERFACE
            }
        }
    })
}

unsafe extern "system" fn add_ref<T>(this: *mut c_void) -> u32 {
    // SAFETY: `this` is a live `Com<T>` the module holds a reference on.
    unsafe { &*this.cast::<Com<T>>() }
        .refs
        .fetch_add(1, Ordering::Relaxed)
        + 1
}

unsafe extern "system" fn release<T>(this: *mut c_void) -> u32 {
    // SAFETY: as in `add_ref`; the reference released is the caller's.
    let left = unsafe { &*this.cast::<Com<T>>() }
        .refs
        .fetch_sub(1, Ordering::AcqRel)
        - 1;
    if left == 0 {
        // SAFETY: that was the last reference: nobody can reach the object,
        // which `create` allocated with `Box`.
        drop(unsafe { Box::from_raw(this.cast::<Com<T>>()) });
    }
    left
}

const fn unknown<T>() -> IUnknownVtbl {
    IUnknownVtbl {
        QueryInterface: query_interface::<T>,
        AddRef: add_ref::<T>,
        Release: release::<T>,
    }
}

/// A new BSTR with `text` (the receiver frees it); null when out of memory.
fn bstr(text: &str) -> BSTR {
    Bstr::from_text(text).map_or(std::ptr::null(), Bstr::into_raw)
}

/// The text of an input BSTR (`None` for null).
fn text(b: BSTR) -> Option<String> {
    // SAFETY: a module passes null or a BSTR live for the call.
    let b = unsafe { Bstr::from_raw_ref(&b) };
    (!b.is_null()).then(|| b.to_string())
}

/// What a collection `get_Item` index is: a position or a name.
enum Index {
    Position(usize),
    Name(String),
}

fn index(v: &VARIANT) -> Option<Index> {
    // SAFETY: an [in] VARIANT the module initialised as its tag says, live
    // for the call.
    let n: i64 = match unsafe { Variant::from_raw_ref(v) }.value() {
        VariantValue::I2(n) => n.into(),
        VariantValue::UI2(n) => n.into(),
        VariantValue::I4(n) | VariantValue::Int(n) => n.into(),
        VariantValue::UI4(n) | VariantValue::UInt(n) => n.into(),
        VariantValue::Bstr(name) if !name.is_null() => return Some(Index::Name(name.to_string())),
        _ => return None,
    };
    usize::try_from(n).ok().map(Index::Position)
}

// ---- IAppHostAdminManager -------------------------------------------------

unsafe extern "system" fn manager_query(
    this: *mut c_void,
    iid: *const GUID,
    out: *mut *mut c_void,
) -> HRESULT {
    if out.is_null() || iid.is_null() {
        return E_INVALIDARG;
    }
    // SAFETY: readable/writable, checked non-null.
    unsafe {
        if *iid == IID_IUNKNOWN || *iid == <IAppHostAdminManager as Interface>::IID {
            out.write(this);
            S_OK
        } else {
            out.write(std::ptr::null_mut());
            E_NOINTERFACE
        }
    }
}

/// The admin manager belongs to the server (IIS's `GetAdminManager` does
/// not add a reference either): counting is a no-op.
unsafe extern "system" fn manager_count(_this: *mut c_void) -> u32 {
    1
}

unsafe extern "system" fn get_admin_section(
    this: *mut IAppHostAdminManager,
    section: BSTR,
    path: BSTR,
    out: *mut *mut IAppHostElement,
) -> HRESULT {
    guard(E_INVALIDARG, || {
        // SAFETY: the admin manager is the host's `Obj<Back<HostCore>>`.
        let Some(host) = (unsafe { crate::objects::owner::<HostCore>(this.cast()) }) else {
            return E_INVALIDARG;
        };
        let (Some(section), false) = (text(section), out.is_null()) else {
            return E_INVALIDARG;
        };
        let path = text(path)
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| APPHOST.to_owned());
        match host.config_sources.section(&section, &path) {
            Ok(node) => {
                // SAFETY: `out` is non-null and writable.
                unsafe { out.write(element(node)) };
                S_OK
            }
            Err(fault) => {
                log::warn!("iis-host: GetAdminSection({section}, {path}): {fault}");
                // SAFETY: as above.
                unsafe { out.write(std::ptr::null_mut()) };
                fault.hr
            }
        }
    })
}

unsafe extern "system" fn manager_get_metadata(
    _: *mut IAppHostAdminManager,
    _: BSTR,
    _: *mut VARIANT,
) -> HRESULT {
    E_NOTIMPL
}
unsafe extern "system" fn manager_set_metadata(
    _: *mut IAppHostAdminManager,
    _: BSTR,
    _: VARIANT,
) -> HRESULT {
    E_ACCESSDENIED
}
unsafe extern "system" fn manager_config_manager(
    _: *mut IAppHostAdminManager,
    out: *mut *mut IAppHostConfigManager,
) -> HRESULT {
    // SAFETY: null or writable.
    unsafe { put(out, std::ptr::null_mut()) };
    E_NOTIMPL
}

/// The admin manager's vtable (an `Obj<Back<HostCore>>` of the host).
pub(crate) static ADMIN_MANAGER_VTBL: IAppHostAdminManagerVtbl = IAppHostAdminManagerVtbl {
    base: IUnknownVtbl {
        QueryInterface: manager_query,
        AddRef: manager_count,
        Release: manager_count,
    },
    GetAdminSection: get_admin_section,
    GetMetadata: manager_get_metadata,
    SetMetadata: manager_set_metadata,
    get_ConfigManager: manager_config_manager,
};

// ---- IAppHostElement ------------------------------------------------------

const ELEMENT_IIDS: &[GUID] = &[<IAppHostElement as Interface>::IID];

fn element(node: Arc<Node>) -> *mut IAppHostElement {
    create(&ELEMENT_VTBL, ELEMENT_IIDS, node)
}

/// Runs `body` on an element-like object's node.
fn with_node<I>(this: *mut I, body: impl FnOnce(&Arc<Node>) -> HRESULT) -> HRESULT {
    guard(E_INVALIDARG, || {
        // SAFETY: `this` is an object this file created with an `Arc<Node>`.
        match unsafe { data::<Arc<Node>>(this) } {
            Some(node) => body(node),
            None => E_INVALIDARG,
        }
    })
}

/// Writes `value()` to a non-null out pointer. For a null one nothing is
/// made: what `value` makes (a `BSTR`, a `VARIANT`, a reference) belongs
/// to the caller, and would leak.
fn out<T>(ptr: *mut T, value: impl FnOnce() -> T) -> HRESULT {
    if ptr.is_null() {
        return E_INVALIDARG;
    }
    // SAFETY: non-null; the module passes a writable out pointer.
    unsafe { ptr.write(value()) };
    S_OK
}

unsafe extern "system" fn element_name(this: *mut IAppHostElement, name: *mut BSTR) -> HRESULT {
    with_node(this, |node| out(name, || bstr(&node.name)))
}
unsafe extern "system" fn element_collection(
    this: *mut IAppHostElement,
    result: *mut *mut IAppHostElementCollection,
) -> HRESULT {
    with_node(this, |node| match node.entries {
        Some(_) => out(result, || {
            create(
                &ELEMENT_COLLECTION_VTBL,
                ELEMENT_COLLECTION_IIDS,
                Arc::clone(node),
            )
        }),
        None => HRESULT_ERROR_NOT_FOUND,
    })
}
unsafe extern "system" fn element_properties(
    this: *mut IAppHostElement,
    result: *mut *mut IAppHostPropertyCollection,
) -> HRESULT {
    with_node(this, |node| {
        out(result, || {
            create(
                &PROPERTY_COLLECTION_VTBL,
                PROPERTY_COLLECTION_IIDS,
                Arc::clone(node),
            )
        })
    })
}
unsafe extern "system" fn element_children(
    this: *mut IAppHostElement,
    result: *mut *mut IAppHostChildElementCollection,
) -> HRESULT {
    with_node(this, |node| {
        out(result, || {
            create(
                &CHILD_COLLECTION_VTBL,
                CHILD_COLLECTION_IIDS,
                Arc::clone(node),
            )
        })
    })
}
unsafe extern "system" fn element_get_metadata(
    _: *mut IAppHostElement,
    _: BSTR,
    _: *mut VARIANT,
) -> HRESULT {
    E_NOTIMPL
}
unsafe extern "system" fn element_set_metadata(
    _: *mut IAppHostElement,
    _: BSTR,
    _: VARIANT,
) -> HRESULT {
    E_ACCESSDENIED
}
unsafe extern "system" fn element_schema(
    _: *mut IAppHostElement,
    _: *mut *mut IAppHostElementSchema,
) -> HRESULT {
    E_NOTIMPL
}
unsafe extern "system" fn element_by_name(
    this: *mut IAppHostElement,
    name: BSTR,
    result: *mut *mut IAppHostElement,
) -> HRESULT {
    with_node(this, |node| {
        let Some(name) = text(name) else {
            return E_INVALIDARG;
        };
        match node.children.iter().find(|c| c.name == name) {
            Some(child) => out(result, || element(Arc::clone(child))),
            None => HRESULT_ERROR_NOT_FOUND,
        }
    })
}
unsafe extern "system" fn property_by_name(
    this: *mut IAppHostElement,
    name: BSTR,
    result: *mut *mut IAppHostProperty,
) -> HRESULT {
    with_node(this, |node| {
        let Some(name) = text(name) else {
            return E_INVALIDARG;
        };
        match node.props.iter().position(|p| p.schema.name == name) {
            Some(i) => out(result, || property(node, i)),
            None => HRESULT_ERROR_NOT_FOUND,
        }
    })
}
unsafe extern "system" fn element_clear(_: *mut IAppHostElement) -> HRESULT {
    E_ACCESSDENIED
}
unsafe extern "system" fn element_methods(
    _: *mut IAppHostElement,
    _: *mut *mut IAppHostMethodCollection,
) -> HRESULT {
    E_NOTIMPL
}

static ELEMENT_VTBL: IAppHostElementVtbl = IAppHostElementVtbl {
    base: unknown::<Arc<Node>>(),
    get_Name: element_name,
    get_Collection: element_collection,
    get_Properties: element_properties,
    get_ChildElements: element_children,
    GetMetadata: element_get_metadata,
    SetMetadata: element_set_metadata,
    get_Schema: element_schema,
    GetElementByName: element_by_name,
    GetPropertyByName: property_by_name,
    Clear: element_clear,
    get_Methods: element_methods,
};

// ---- collections ------------------------------------------------------------

const ELEMENT_COLLECTION_IIDS: &[GUID] = &[<IAppHostElementCollection as Interface>::IID];
const CHILD_COLLECTION_IIDS: &[GUID] = &[<IAppHostChildElementCollection as Interface>::IID];
const PROPERTY_COLLECTION_IIDS: &[GUID] = &[<IAppHostPropertyCollection as Interface>::IID];

fn count(len: usize, result: *mut u32) -> HRESULT {
    out(result, || u32::try_from(len).unwrap_or(u32::MAX))
}

unsafe extern "system" fn entries_count(
    this: *mut IAppHostElementCollection,
    result: *mut u32,
) -> HRESULT {
    with_node(this, |node| {
        count(node.entries.as_ref().map_or(0, Vec::len), result)
    })
}
unsafe extern "system" fn entries_item(
    this: *mut IAppHostElementCollection,
    at: VARIANT,
    result: *mut *mut IAppHostElement,
) -> HRESULT {
    with_node(this, |node| {
        let entries = node.entries.as_deref().unwrap_or_default();
        match index(&at) {
            Some(Index::Position(i)) => match entries.get(i) {
                Some(entry) => out(result, || element(Arc::clone(entry))),
                None => HRESULT_ERROR_NOT_FOUND,
            },
            _ => E_INVALIDARG,
        }
    })
}
unsafe extern "system" fn entries_add(
    _: *mut IAppHostElementCollection,
    _: *mut IAppHostElement,
    _: i32,
) -> HRESULT {
    E_ACCESSDENIED
}
unsafe extern "system" fn entries_delete(_: *mut IAppHostElementCollection, _: VARIANT) -> HRESULT {
    E_ACCESSDENIED
}
unsafe extern "system" fn entries_clear(_: *mut IAppHostElementCollection) -> HRESULT {
    E_ACCESSDENIED
}
unsafe extern "system" fn entries_create(
    _: *mut IAppHostElementCollection,
    _: BSTR,
    _: *mut *mut IAppHostElement,
) -> HRESULT {
    E_ACCESSDENIED
}
unsafe extern "system" fn entries_schema(
    _: *mut IAppHostElementCollection,
    _: *mut *mut IAppHostCollectionSchema,
) -> HRESULT {
    E_NOTIMPL
}

static ELEMENT_COLLECTION_VTBL: IAppHostElementCollectionVtbl = IAppHostElementCollectionVtbl {
    base: unknown::<Arc<Node>>(),
    get_Count: entries_count,
    get_Item: entries_item,
    AddElement: entries_add,
    DeleteElement: entries_delete,
    Clear: entries_clear,
    CreateNewElement: entries_create,
    get_Schema: entries_schema,
};

unsafe extern "system" fn children_count(
    this: *mut IAppHostChildElementCollection,
    result: *mut u32,
) -> HRESULT {
    with_node(this, |node| count(node.children.len(), result))
}
unsafe extern "system" fn children_item(
    this: *mut IAppHostChildElementCollection,
    at: VARIANT,
    result: *mut *mut IAppHostElement,
) -> HRESULT {
    with_node(this, |node| {
        let child = match index(&at) {
            Some(Index::Position(i)) => node.children.get(i),
            Some(Index::Name(name)) => node.children.iter().find(|c| c.name == name),
            None => return E_INVALIDARG,
        };
        match child {
            Some(child) => out(result, || element(Arc::clone(child))),
            None => HRESULT_ERROR_NOT_FOUND,
        }
    })
}

static CHILD_COLLECTION_VTBL: IAppHostChildElementCollectionVtbl =
    IAppHostChildElementCollectionVtbl {
        base: unknown::<Arc<Node>>(),
        get_Count: children_count,
        get_Item: children_item,
    };

unsafe extern "system" fn props_count(
    this: *mut IAppHostPropertyCollection,
    result: *mut u32,
) -> HRESULT {
    with_node(this, |node| count(node.props.len(), result))
}
unsafe extern "system" fn props_item(
    this: *mut IAppHostPropertyCollection,
    at: VARIANT,
    result: *mut *mut IAppHostProperty,
) -> HRESULT {
    with_node(this, |node| {
        let i = match index(&at) {
            Some(Index::Position(i)) if i < node.props.len() => i,
            Some(Index::Name(name)) => {
                match node.props.iter().position(|p| p.schema.name == name) {
                    Some(i) => i,
                    None => return HRESULT_ERROR_NOT_FOUND,
                }
            }
            Some(Index::Position(_)) => return HRESULT_ERROR_NOT_FOUND,
            None => return E_INVALIDARG,
        };
        out(result, || property(node, i))
    })
}

static PROPERTY_COLLECTION_VTBL: IAppHostPropertyCollectionVtbl = IAppHostPropertyCollectionVtbl {
    base: unknown::<Arc<Node>>(),
    get_Count: props_count,
    get_Item: props_item,
};

// ---- IAppHostProperty -----------------------------------------------------

/// A property: its element and its position there.
struct PropRef {
    node: Arc<Node>,
    at: usize,
}

const PROPERTY_IIDS: &[GUID] = &[<IAppHostProperty as Interface>::IID];

fn property(node: &Arc<Node>, at: usize) -> *mut IAppHostProperty {
    create(
        &PROPERTY_VTBL,
        PROPERTY_IIDS,
        PropRef {
            node: Arc::clone(node),
            at,
        },
    )
}

fn with_prop(this: *mut IAppHostProperty, body: impl FnOnce(&PropRef) -> HRESULT) -> HRESULT {
    guard(E_INVALIDARG, || {
        // SAFETY: `this` is a property object this file created.
        match unsafe { data::<PropRef>(this) } {
            Some(p) => body(p),
            None => E_INVALIDARG,
        }
    })
}

impl PropRef {
    fn checked(&self) -> Result<Typed, String> {
        let prop = &self.node.props[self.at];
        check(&prop.schema, prop.text())
    }
}

unsafe extern "system" fn prop_name(this: *mut IAppHostProperty, name: *mut BSTR) -> HRESULT {
    with_prop(this, |p| {
        out(name, || bstr(&p.node.props[p.at].schema.name))
    })
}
unsafe extern "system" fn prop_value(this: *mut IAppHostProperty, value: *mut VARIANT) -> HRESULT {
    with_prop(this, |p| {
        let Ok(typed) = p.checked() else {
            return iis_sys::HRESULT_ERROR_INVALID_DATA;
        };
        let v = match typed {
            Typed::String(s) => Variant::from(Bstr::from_text(&s).unwrap_or_default()),
            Typed::Bool(b) => Variant::from(b),
            Typed::Int(i) => Variant::from(i),
            Typed::Uint(u) => Variant::from(u),
            Typed::Int64(i) | Typed::TimeSpan(i) => Variant::from(i),
            Typed::Enum(bits, _) => Variant::from(bits as i32),
        };
        out(value, || v.into_raw())
    })
}
unsafe extern "system" fn prop_put_value(_: *mut IAppHostProperty, _: VARIANT) -> HRESULT {
    E_ACCESSDENIED
}
unsafe extern "system" fn prop_clear(_: *mut IAppHostProperty) -> HRESULT {
    E_ACCESSDENIED
}
unsafe extern "system" fn prop_string_value(
    this: *mut IAppHostProperty,
    value: *mut BSTR,
) -> HRESULT {
    with_prop(this, |p| match p.checked() {
        Ok(typed) => out(value, || {
            bstr(&string_value(&typed, p.node.props[p.at].text()))
        }),
        Err(_) => iis_sys::HRESULT_ERROR_INVALID_DATA,
    })
}
unsafe extern "system" fn prop_exception(
    this: *mut IAppHostProperty,
    result: *mut *mut IAppHostPropertyException,
) -> HRESULT {
    with_prop(this, |p| {
        let Err(reason) = p.checked() else {
            return out(result, std::ptr::null_mut);
        };
        let prop = &p.node.props[p.at];
        let (file, line, config_path) = match &prop.raw {
            Some((_, origin)) => (origin.file.clone(), origin.line, origin.config_path.clone()),
            None => ("schema".to_owned(), 0, p.node.config_path.to_string()),
        };
        let exception = ExceptionData {
            line,
            file,
            config_path,
            error_string: format!(
                "Invalid value for attribute '{}': {reason}",
                prop.schema.name
            ),
            invalid_value: prop.text().to_owned(),
            reason,
        };
        out(result, || {
            create(&PROPERTY_EXCEPTION_VTBL, EXCEPTION_IIDS, exception)
        })
    })
}
unsafe extern "system" fn prop_get_metadata(
    _: *mut IAppHostProperty,
    _: BSTR,
    _: *mut VARIANT,
) -> HRESULT {
    E_NOTIMPL
}
unsafe extern "system" fn prop_set_metadata(
    _: *mut IAppHostProperty,
    _: BSTR,
    _: VARIANT,
) -> HRESULT {
    E_ACCESSDENIED
}
unsafe extern "system" fn prop_schema(
    _: *mut IAppHostProperty,
    _: *mut *mut IAppHostPropertySchema,
) -> HRESULT {
    E_NOTIMPL
}

static PROPERTY_VTBL: IAppHostPropertyVtbl = IAppHostPropertyVtbl {
    base: unknown::<PropRef>(),
    get_Name: prop_name,
    get_Value: prop_value,
    put_Value: prop_put_value,
    Clear: prop_clear,
    get_StringValue: prop_string_value,
    get_Exception: prop_exception,
    GetMetadata: prop_get_metadata,
    SetMetadata: prop_set_metadata,
    get_Schema: prop_schema,
};

// ---- IAppHostPropertyException ------------------------------------------

struct ExceptionData {
    line: u32,
    file: String,
    config_path: String,
    error_string: String,
    invalid_value: String,
    reason: String,
}

const EXCEPTION_IIDS: &[GUID] = &[
    <IAppHostConfigException as Interface>::IID,
    <IAppHostPropertyException as Interface>::IID,
];

fn with_exception<I>(this: *mut I, body: impl FnOnce(&ExceptionData) -> HRESULT) -> HRESULT {
    guard(E_INVALIDARG, || {
        // SAFETY: `this` is an exception object this file created.
        match unsafe { data::<ExceptionData>(this) } {
            Some(e) => body(e),
            None => E_INVALIDARG,
        }
    })
}

unsafe extern "system" fn ex_line(this: *mut IAppHostConfigException, result: *mut u32) -> HRESULT {
    with_exception(this, |e| out(result, || e.line))
}
unsafe extern "system" fn ex_file(
    this: *mut IAppHostConfigException,
    result: *mut BSTR,
) -> HRESULT {
    with_exception(this, |e| out(result, || bstr(&e.file)))
}
unsafe extern "system" fn ex_path(
    this: *mut IAppHostConfigException,
    result: *mut BSTR,
) -> HRESULT {
    with_exception(this, |e| out(result, || bstr(&e.config_path)))
}
unsafe extern "system" fn ex_empty_line(
    this: *mut IAppHostConfigException,
    result: *mut BSTR,
) -> HRESULT {
    with_exception(this, |_| out(result, || bstr("")))
}
unsafe extern "system" fn ex_string(
    this: *mut IAppHostConfigException,
    result: *mut BSTR,
) -> HRESULT {
    with_exception(this, |e| out(result, || bstr(&e.error_string)))
}
unsafe extern "system" fn ex_invalid_value(
    this: *mut IAppHostPropertyException,
    result: *mut BSTR,
) -> HRESULT {
    with_exception(this, |e| out(result, || bstr(&e.invalid_value)))
}
unsafe extern "system" fn ex_reason(
    this: *mut IAppHostPropertyException,
    result: *mut BSTR,
) -> HRESULT {
    with_exception(this, |e| out(result, || bstr(&e.reason)))
}
unsafe extern "system" fn ex_parameters(
    _: *mut IAppHostPropertyException,
    result: *mut *mut SAFEARRAY,
) -> HRESULT {
    // SAFETY: null or writable.
    unsafe { put(result, std::ptr::null_mut()) };
    E_NOTIMPL
}

static PROPERTY_EXCEPTION_VTBL: IAppHostPropertyExceptionVtbl = IAppHostPropertyExceptionVtbl {
    base: IAppHostConfigExceptionVtbl {
        base: unknown::<ExceptionData>(),
        get_LineNumber: ex_line,
        get_FileName: ex_file,
        get_ConfigPath: ex_path,
        get_ErrorLine: ex_empty_line,
        get_PreErrorLine: ex_empty_line,
        get_PostErrorLine: ex_empty_line,
        get_ErrorString: ex_string,
    },
    get_InvalidValue: ex_invalid_value,
    get_ValidationFailureReason: ex_reason,
    get_ValidationFailureParameters: ex_parameters,
};
