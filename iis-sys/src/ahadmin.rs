//! The configuration interfaces of ahadmin.h that a module reads its
//! settings with: `IHttpServer::GetAdminManager` → [`IAppHostAdminManager`]
//! → [`IAppHostElement`] with its properties, child elements and collection.
//!
//! # Where the slot order comes from
//!
//! These are COM interfaces declared in MIDL (ahadmin.idl, compiled to
//! ahadmin.h by the Windows SDK) and are not in Microsoft's Windows metadata,
//! so windows-bindgen cannot generate them. Their method order is the one of
//! Microsoft's open specification **[MS-IISA]: Internet Information Services
//! (IIS) Application Host COM Protocol**, section 6 "Appendix A: Full IDL",
//! whose per-interface method tables (section 3.1.4.x) give each method its
//! opnum. For a COM interface the opnum *is* the vtable slot: opnums 0–2 are
//! `IUnknown`'s `QueryInterface`, `AddRef`, `Release`, and MIDL lays out the
//! rest in declaration order (no overload reordering: MIDL has no
//! overloads; a `[propget]`/`[propput]` pair is two methods, `get_X` then
//! `put_X`, as declared). The interface IDs are the IDL's `uuid`s.
//! `tests/ahadmin_layout.rs` checks every slot offset against that order.
//!
//! # Calling convention
//!
//! COM methods are `STDMETHODCALLTYPE` = `__stdcall`, i.e. `extern "system"`:
//! stdcall on 32-bit x86 (not `thiscall` like httpserv.h's C++ classes), the
//! platform convention elsewhere.
//!
//! Only the interfaces a module reads configuration with are declared in
//! full; the schema, method and config-file interfaces they mention are
//! opaque.

use crate::com::{Bstr, ComIn, ComInterface, ComOut, ComPtr, Variant};
use crate::oaut::{BSTR, VARIANT};
use crate::types::opaque;
use crate::{GUID, HRESULT, Interface};
use core::ffi::c_void;
use core::mem::{offset_of, size_of};

/// The vtable of `IUnknown`, the first three slots of every COM interface.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct IUnknownVtbl {
    /// Opnum 0: `HRESULT QueryInterface(REFIID riid, void **ppvObject)`.
    pub QueryInterface: unsafe extern "system" fn(
        this: *mut c_void,
        iid: *const GUID,
        object: *mut *mut c_void,
    ) -> HRESULT,
    /// Opnum 1: `ULONG AddRef()`.
    pub AddRef: unsafe extern "system" fn(this: *mut c_void) -> u32,
    /// Opnum 2: `ULONG Release()`.
    pub Release: unsafe extern "system" fn(this: *mut c_void) -> u32,
}

/// The measured layout of one COM vtable struct of ahadmin.h.
#[derive(Debug, Clone, Copy)]
pub struct ComVtableLayout {
    /// The interface name.
    pub interface: &'static str,
    /// How many slots the base interface's vtable has (3 for `IUnknown`).
    pub base_slots: usize,
    /// `size_of` the vtable struct, in bytes (base included).
    pub size: usize,
    /// The interface's own methods: C name (`get_Name`) and byte offset.
    pub slots: &'static [(&'static str, usize)],
}

/// Declares a COM interface: its object type, vtable struct (one slot per
/// method, in order), IID, layout, and the safe methods on `Ref`.
///
/// A method followed by `=> safe(in, …) -> T` gets a safe `Ref` method
/// taking the `[in]` arguments as values (`&Bstr` for `BSTR`, `&Variant`
/// for `VARIANT`, `i32`) and returning the trailing `[out]` parameter owned
/// (`Option<ComPtr<I>>`, `Bstr`, `Variant`, `u32`) in a
/// `Result<T, HRESULT>`; `=> safe(in, …)` without `-> T` has no `[out]`
/// parameter and returns `Result<(), HRESULT>`. The compiler checks each
/// safe type against the slot's raw one (`ComIn`/`ComOut`).
macro_rules! com_interface {
    (
        $(#[$doc:meta])*
        $name:ident : $base:ty, $base_slots:expr, $vtbl:ident, $iid:literal {
            $(
                $(#[$mdoc:meta])* $method:ident ( $($arg:ident : $ty:ty),* $(,)? )
                $(=> safe ( $($sarg:ident : $sty:ty),* $(,)? ) $(-> $ret:ty)? )?;
            )*
        }
    ) => {
        $(#[$doc])*
        #[repr(C)]
        #[derive(Debug)]
        pub struct $name {
            /// The vtable pointer, at offset 0 of every COM object.
            pub lpVtbl: *const $vtbl,
        }

        #[doc = concat!("The vtable of [`", stringify!($name), "`]: the base interface's slots, then the methods in [MS-IISA] opnum order (`extern \"system\"`).")]
        #[repr(C)]
        #[derive(Debug, Clone, Copy)]
        pub struct $vtbl {
            /// The base interface's slots.
            pub base: $base,
            $(
                $(#[$mdoc])*
                pub $method: unsafe extern "system" fn(this: *mut $name $(, $arg: $ty)*) -> HRESULT,
            )*
        }

        impl Interface for $name {
            const NAME: &'static str = stringify!($name);
            const IID: GUID = GUID::from_u128($iid);
            type Vtable = $vtbl;
        }

        // SAFETY: a COM interface: its vtable starts with IUnknown's slots
        // (the `base` chain ends in `IUnknownVtbl`).
        unsafe impl ComInterface for $name {}

        /// The methods of this interface marked `=> safe(…)` in its
        /// declaration: those whose `[in]` arguments are values (`&Bstr`,
        /// `&Variant`, `i32`) and whose `[out]` parameter, if any, becomes
        /// an owned return value.
        impl<'a> crate::Ref<'a, $name> {
            $(
                com_method!($vtbl, [$(#[$mdoc])*] $method [$(($($sarg: $sty),*) $(-> $ret)?)?]);
            )*
        }

        impl $name {
            /// The measured layout of this interface's vtable.
            pub const LAYOUT: ComVtableLayout = ComVtableLayout {
                interface: stringify!($name),
                base_slots: $base_slots,
                size: size_of::<$vtbl>(),
                slots: &[$((stringify!($method), offset_of!($vtbl, $method))),*],
            };
        }
    };
}

/// One safe method of `com_interface!`: the `[in]` arguments go through
/// `ComIn` (borrowed for the call), the trailing `[out]` parameter, if
/// declared (`-> T`), comes back through `ComOut` as an owned `T`.
macro_rules! com_method {
    // Not declared safe: the vtable slot only.
    ($vtbl:ident, [$(#[$mdoc:meta])*] $method:ident []) => {};
    ($vtbl:ident, [$(#[$mdoc:meta])*] $method:ident [($($sarg:ident : $sty:ty),*) -> $ret:ty]) => {
        $(#[$mdoc])*
        ///
        #[doc = concat!("The slot of the same name of [`", stringify!($vtbl), "`], with its `[out]` parameter returned owned; `Err` holds a failure `HRESULT` (what the call left in the out parameter is then not the caller's, and ignored).")]
        #[inline]
        pub fn $method(self $(, $sarg: $sty)*) -> Result<$ret, HRESULT> {
            let this = self.as_ptr();
            let mut out = <$ret as ComOut>::empty();
            // SAFETY: `this` is live (the contract of `Ref`); each `[in]`
            // argument is a value or borrowed for the whole call; `out` is
            // writable, of the type the slot writes (the compiler checks
            // both against the vtable's signature).
            let hr = unsafe {
                ((*(*this).lpVtbl).$method)(this $(, ComIn::abi($sarg))*, &mut out)
            };
            if hr.is_ok() {
                // SAFETY: a successful COM call hands its `[out]` value to
                // the caller.
                Ok(unsafe { <$ret as ComOut>::from_abi(out) })
            } else {
                Err(hr)
            }
        }
    };
    ($vtbl:ident, [$(#[$mdoc:meta])*] $method:ident [($($sarg:ident : $sty:ty),*)]) => {
        $(#[$mdoc])*
        ///
        #[doc = concat!("The slot of the same name of [`", stringify!($vtbl), "`]; `Err` holds a failure `HRESULT`.")]
        #[inline]
        pub fn $method(self $(, $sarg: $sty)*) -> Result<(), HRESULT> {
            let this = self.as_ptr();
            // SAFETY: `this` is live (the contract of `Ref`); each `[in]`
            // argument is a value or borrowed for the whole call.
            let hr = unsafe { ((*(*this).lpVtbl).$method)(this $(, ComIn::abi($sarg))*) };
            if hr.is_ok() { Ok(()) } else { Err(hr) }
        }
    };
}

opaque! {
    /// `IAppHostConfigManager`: the configuration files behind the admin manager.
    IAppHostConfigManager,
    /// `IAppHostElementSchema`: the schema of an element.
    IAppHostElementSchema,
    /// `IAppHostCollectionSchema`: the schema of a collection.
    IAppHostCollectionSchema,
    /// `IAppHostPropertySchema`: the schema of an attribute.
    IAppHostPropertySchema,
    /// `IAppHostMethodCollection`: the methods of an element.
    IAppHostMethodCollection,
}

com_interface! {
    /// `IAppHostAdminManager`: the configuration system, as
    /// `IHttpServer::GetAdminManager` returns it (a pointer the server
    /// owns; call `AddRef` to keep it).
    IAppHostAdminManager: IUnknownVtbl, 3, IAppHostAdminManagerVtbl, 0x9be77978_73ed_4a9a_87fd_13f09fec1b13 {
        /// Opnum 3: `HRESULT GetAdminSection(BSTR bstrSectionName, BSTR bstrPath, IAppHostElement **ppAdminSection)`.
        GetAdminSection(section_name: BSTR, path: BSTR, admin_section: *mut *mut IAppHostElement)
            => safe(section_name: &Bstr, path: &Bstr) -> Option<ComPtr<IAppHostElement>>;
        /// Opnum 4: `HRESULT GetMetadata(BSTR bstrMetadataType, VARIANT *pValue)`.
        GetMetadata(metadata_type: BSTR, value: *mut VARIANT)
            => safe(metadata_type: &Bstr) -> Variant;
        /// Opnum 5: `HRESULT SetMetadata(BSTR bstrMetadataType, VARIANT value)`.
        SetMetadata(metadata_type: BSTR, value: VARIANT)
            => safe(metadata_type: &Bstr, value: &Variant);
        /// Opnum 6: `HRESULT get_ConfigManager(IAppHostConfigManager **ppConfigManager)`.
        get_ConfigManager(config_manager: *mut *mut IAppHostConfigManager);
    }
}

com_interface! {
    /// `IAppHostElement`: one configuration element (a section, a child
    /// element or a collection entry).
    IAppHostElement: IUnknownVtbl, 3, IAppHostElementVtbl, 0x64ff8ccc_b287_4dae_b08a_a72cbf45f453 {
        /// Opnum 3: `HRESULT get_Name(BSTR *pbstrName)`.
        get_Name(name: *mut BSTR) => safe() -> Bstr;
        /// Opnum 4: `HRESULT get_Collection(IAppHostElementCollection **ppCollection)`.
        get_Collection(collection: *mut *mut IAppHostElementCollection)
            => safe() -> Option<ComPtr<IAppHostElementCollection>>;
        /// Opnum 5: `HRESULT get_Properties(IAppHostPropertyCollection **ppProperties)`.
        get_Properties(properties: *mut *mut IAppHostPropertyCollection)
            => safe() -> Option<ComPtr<IAppHostPropertyCollection>>;
        /// Opnum 6: `HRESULT get_ChildElements(IAppHostChildElementCollection **ppElements)`.
        get_ChildElements(elements: *mut *mut IAppHostChildElementCollection)
            => safe() -> Option<ComPtr<IAppHostChildElementCollection>>;
        /// Opnum 7: `HRESULT GetMetadata(BSTR bstrMetadataType, VARIANT *pValue)`.
        GetMetadata(metadata_type: BSTR, value: *mut VARIANT)
            => safe(metadata_type: &Bstr) -> Variant;
        /// Opnum 8: `HRESULT SetMetadata(BSTR bstrMetadataType, VARIANT value)`.
        SetMetadata(metadata_type: BSTR, value: VARIANT)
            => safe(metadata_type: &Bstr, value: &Variant);
        /// Opnum 9: `HRESULT get_Schema(IAppHostElementSchema **ppSchema)`.
        get_Schema(schema: *mut *mut IAppHostElementSchema);
        /// Opnum 10: `HRESULT GetElementByName(BSTR bstrSubName, IAppHostElement **ppElement)`.
        GetElementByName(sub_name: BSTR, element: *mut *mut IAppHostElement)
            => safe(sub_name: &Bstr) -> Option<ComPtr<IAppHostElement>>;
        /// Opnum 11: `HRESULT GetPropertyByName(BSTR bstrSubName, IAppHostProperty **ppProperty)`.
        GetPropertyByName(sub_name: BSTR, property: *mut *mut IAppHostProperty)
            => safe(sub_name: &Bstr) -> Option<ComPtr<IAppHostProperty>>;
        /// Opnum 12: `HRESULT Clear()`.
        Clear() => safe();
        /// Opnum 13: `HRESULT get_Methods(IAppHostMethodCollection **ppMethods)`.
        get_Methods(methods: *mut *mut IAppHostMethodCollection);
    }
}

com_interface! {
    /// `IAppHostProperty`: one attribute of an element, with its effective
    /// value (schema default when not set).
    IAppHostProperty: IUnknownVtbl, 3, IAppHostPropertyVtbl, 0xed35f7a1_5024_4e7b_a44d_07ddaf4b524d {
        /// Opnum 3: `HRESULT get_Name(BSTR *pbstrName)`.
        get_Name(name: *mut BSTR) => safe() -> Bstr;
        /// Opnum 4: `HRESULT get_Value(VARIANT *pVariant)`.
        get_Value(value: *mut VARIANT) => safe() -> Variant;
        /// Opnum 5: `HRESULT put_Value(VARIANT value)`.
        put_Value(value: VARIANT) => safe(value: &Variant);
        /// Opnum 6: `HRESULT Clear()`.
        Clear() => safe();
        /// Opnum 7: `HRESULT get_StringValue(BSTR *pbstrValue)`.
        get_StringValue(value: *mut BSTR) => safe() -> Bstr;
        /// Opnum 8: `HRESULT get_Exception(IAppHostPropertyException **ppException)`.
        get_Exception(exception: *mut *mut IAppHostPropertyException)
            => safe() -> Option<ComPtr<IAppHostPropertyException>>;
        /// Opnum 9: `HRESULT GetMetadata(BSTR bstrMetadataType, VARIANT *pValue)`.
        GetMetadata(metadata_type: BSTR, value: *mut VARIANT)
            => safe(metadata_type: &Bstr) -> Variant;
        /// Opnum 10: `HRESULT SetMetadata(BSTR bstrMetadataType, VARIANT value)`.
        SetMetadata(metadata_type: BSTR, value: VARIANT)
            => safe(metadata_type: &Bstr, value: &Variant);
        /// Opnum 11: `HRESULT get_Schema(IAppHostPropertySchema **ppSchema)`.
        get_Schema(schema: *mut *mut IAppHostPropertySchema);
    }
}

com_interface! {
    /// `IAppHostElementCollection`: the entries of a collection element
    /// (what `<add>`, `<remove>` and `<clear>` left).
    IAppHostElementCollection: IUnknownVtbl, 3, IAppHostElementCollectionVtbl, 0xc8550bff_5281_4b1e_ac34_99b6fa38464d {
        /// Opnum 3: `HRESULT get_Count(DWORD *pcElementCount)`.
        get_Count(count: *mut u32) => safe() -> u32;
        /// Opnum 4: `HRESULT get_Item(VARIANT cIndex, IAppHostElement **ppElement)`.
        get_Item(index: VARIANT, element: *mut *mut IAppHostElement)
            => safe(index: &Variant) -> Option<ComPtr<IAppHostElement>>;
        /// Opnum 5: `HRESULT AddElement(IAppHostElement *pElement, int cPosition)`.
        AddElement(element: *mut IAppHostElement, position: i32);
        /// Opnum 6: `HRESULT DeleteElement(VARIANT cIndex)`.
        DeleteElement(index: VARIANT) => safe(index: &Variant);
        /// Opnum 7: `HRESULT Clear()`.
        Clear() => safe();
        /// Opnum 8: `HRESULT CreateNewElement(BSTR bstrElementName, IAppHostElement **ppElement)`.
        CreateNewElement(element_name: BSTR, element: *mut *mut IAppHostElement)
            => safe(element_name: &Bstr) -> Option<ComPtr<IAppHostElement>>;
        /// Opnum 9: `HRESULT get_Schema(IAppHostCollectionSchema **ppSchema)`.
        get_Schema(schema: *mut *mut IAppHostCollectionSchema);
    }
}

com_interface! {
    /// `IAppHostChildElementCollection`: the child elements of an element.
    IAppHostChildElementCollection: IUnknownVtbl, 3, IAppHostChildElementCollectionVtbl, 0x08a90f5f_0702_48d6_b45f_02a9885a9768 {
        /// Opnum 3: `HRESULT get_Count(DWORD *pcCount)`.
        get_Count(count: *mut u32) => safe() -> u32;
        /// Opnum 4: `HRESULT get_Item(VARIANT cIndex, IAppHostElement **ppElement)`.
        get_Item(index: VARIANT, element: *mut *mut IAppHostElement)
            => safe(index: &Variant) -> Option<ComPtr<IAppHostElement>>;
    }
}

com_interface! {
    /// `IAppHostPropertyCollection`: the attributes of an element.
    IAppHostPropertyCollection: IUnknownVtbl, 3, IAppHostPropertyCollectionVtbl, 0x0191775e_bcff_445a_b4f4_3bdda54e2816 {
        /// Opnum 3: `HRESULT get_Count(DWORD *pcCount)`.
        get_Count(count: *mut u32) => safe() -> u32;
        /// Opnum 4: `HRESULT get_Item(VARIANT cIndex, IAppHostProperty **ppProperty)`.
        get_Item(index: VARIANT, property: *mut *mut IAppHostProperty)
            => safe(index: &Variant) -> Option<ComPtr<IAppHostProperty>>;
    }
}

com_interface! {
    /// `IAppHostConfigException`: where and why configuration is invalid
    /// (also what `IHttpResponse::SetStatus` takes to report it).
    IAppHostConfigException: IUnknownVtbl, 3, IAppHostConfigExceptionVtbl, 0x4dfa1df3_8900_4bc7_bbb5_d1a458c52410 {
        /// Opnum 3: `HRESULT get_LineNumber(ULONG *pcLineNumber)`.
        get_LineNumber(line_number: *mut u32) => safe() -> u32;
        /// Opnum 4: `HRESULT get_FileName(BSTR *pbstrFileName)`.
        get_FileName(file_name: *mut BSTR) => safe() -> Bstr;
        /// Opnum 5: `HRESULT get_ConfigPath(BSTR *pbstrConfigPath)`.
        get_ConfigPath(config_path: *mut BSTR) => safe() -> Bstr;
        /// Opnum 6: `HRESULT get_ErrorLine(BSTR *pbstrErrorLine)`.
        get_ErrorLine(error_line: *mut BSTR) => safe() -> Bstr;
        /// Opnum 7: `HRESULT get_PreErrorLine(BSTR *pbstrPreErrorLine)`.
        get_PreErrorLine(pre_error_line: *mut BSTR) => safe() -> Bstr;
        /// Opnum 8: `HRESULT get_PostErrorLine(BSTR *pbstrPostErrorLine)`.
        get_PostErrorLine(post_error_line: *mut BSTR) => safe() -> Bstr;
        /// Opnum 9: `HRESULT get_ErrorString(BSTR *pbstrErrorString)`.
        get_ErrorString(error_string: *mut BSTR) => safe() -> Bstr;
    }
}

com_interface! {
    /// `IAppHostPropertyException`: an [`IAppHostConfigException`] about one
    /// attribute's value.
    IAppHostPropertyException: IAppHostConfigExceptionVtbl, 10, IAppHostPropertyExceptionVtbl, 0xeafe4895_a929_41ea_b14d_613e23f62b71 {
        /// Opnum 10: `HRESULT get_InvalidValue(BSTR *pbstrValue)`.
        get_InvalidValue(value: *mut BSTR) => safe() -> Bstr;
        /// Opnum 11: `HRESULT get_ValidationFailureReason(BSTR *pbstrValidationReason)`.
        get_ValidationFailureReason(reason: *mut BSTR) => safe() -> Bstr;
        /// Opnum 12: `HRESULT get_ValidationFailureParameters(SAFEARRAY **pParameterArray)`.
        get_ValidationFailureParameters(parameters: *mut *mut crate::oaut::SAFEARRAY);
    }
}

/// The layouts of every ahadmin.h vtable declared here, for the layout test.
pub const AHADMIN_LAYOUTS: &[ComVtableLayout] = &[
    IAppHostAdminManager::LAYOUT,
    IAppHostElement::LAYOUT,
    IAppHostProperty::LAYOUT,
    IAppHostElementCollection::LAYOUT,
    IAppHostChildElementCollection::LAYOUT,
    IAppHostPropertyCollection::LAYOUT,
    IAppHostConfigException::LAYOUT,
    IAppHostPropertyException::LAYOUT,
];
