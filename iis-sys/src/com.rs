//! The owning COM types of the configuration interfaces, windows-rs style:
//! [`ComPtr`] (an interface pointer that holds one reference), [`Bstr`]
//! (an owned `BSTR`) and [`Variant`] (an owned `VARIANT`). With them the
//! methods `com_interface!` declares `=> safe(…)` take and return owned
//! values, and the `unsafe` of COM ownership stays in this file.
//!
//! The COM rules they follow: an `[out]` interface pointer, `BSTR` or
//! `VARIANT` a successful call returns belongs to the caller (one
//! reference, freed with `Release`, `SysFreeString`, `VariantClear`); an
//! `[in]` argument stays the caller's (the callee only reads it during the
//! call); what a failed call left in an `[out]` parameter is not owned.

#![warn(missing_docs)]

use crate::oaut::{BSTR, VARIANT, VARIANT_BOOL, VARIANT_FALSE, VARIANT_TRUE, VARTYPE};
use crate::{
    IUnknownVtbl, Interface, Ref, SysAllocStringLen, SysFreeString, SysStringLen, VariantClear,
};
use crate::{
    VT_BOOL, VT_BSTR, VT_EMPTY, VT_I2, VT_I4, VT_I8, VT_INT, VT_UI1, VT_UI2, VT_UI4, VT_UI8,
    VT_UINT,
};
use core::fmt;
use core::mem::ManuallyDrop;
use core::ptr::NonNull;

/// A COM interface: its objects' vtables start with `IUnknown`'s three
/// slots, so [`ComPtr`] can count references on them.
///
/// # Safety
/// Every object of the interface starts with a pointer to a vtable whose
/// first three slots are `QueryInterface`, `AddRef` and `Release`.
pub unsafe trait ComInterface: Interface {}

/// An owned reference to a COM object of interface `I`: `AddRef` on
/// clone, `Release` on drop. Call its methods through [`iface`](Self::iface).
pub struct ComPtr<I: ComInterface>(NonNull<I>);

impl<I: ComInterface> ComPtr<I> {
    /// Takes over one reference; `None` for null.
    ///
    /// # Safety
    /// `raw` is null or an object of `I` on which the caller owns one
    /// reference, which passes to the result.
    pub unsafe fn from_raw(raw: *mut I) -> Option<Self> {
        NonNull::new(raw).map(ComPtr)
    }

    /// The object, borrowed while `self` holds its reference.
    pub fn iface(&self) -> Ref<'_, I> {
        // SAFETY: our reference keeps the object alive as long as `self`.
        unsafe { Ref::from_non_null(self.0) }
    }

    /// The object pointer; the reference stays `self`'s.
    pub fn as_raw(&self) -> *mut I {
        self.0.as_ptr()
    }

    /// Gives up the reference to the caller (e.g. to return it through an
    /// out parameter), without `Release`.
    pub fn into_raw(self) -> *mut I {
        ManuallyDrop::new(self).0.as_ptr()
    }

    fn unknown(&self) -> &IUnknownVtbl {
        // SAFETY: a live object of a `ComInterface` starts with a pointer to
        // a vtable that starts with IUnknown's slots.
        unsafe { &**self.0.as_ptr().cast::<*const IUnknownVtbl>() }
    }
}

impl<I: ComInterface> From<Ref<'_, I>> for ComPtr<I> {
    /// A reference of its own on a borrowed object (`AddRef`).
    fn from(object: Ref<'_, I>) -> Self {
        // The borrowed pointer is never released: the clone's `AddRef` is
        // the result's reference.
        let borrowed = ManuallyDrop::new(ComPtr(object.as_non_null()));
        ComPtr::clone(&borrowed)
    }
}

impl<I: ComInterface> Clone for ComPtr<I> {
    fn clone(&self) -> Self {
        // SAFETY: live (we hold a reference); AddRef gives the clone its own.
        unsafe { (self.unknown().AddRef)(self.as_raw().cast()) };
        ComPtr(self.0)
    }
}

impl<I: ComInterface> Drop for ComPtr<I> {
    fn drop(&mut self) {
        // SAFETY: we own exactly one reference and give it back once.
        unsafe { (self.unknown().Release)(self.as_raw().cast()) };
    }
}

impl<I: ComInterface> fmt::Debug for ComPtr<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ComPtr")
            .field(&I::NAME)
            .field(&self.0)
            .finish()
    }
}

/// An owned `BSTR`, freed with `SysFreeString` on drop. Null is the empty
/// string, as in COM.
#[repr(transparent)]
pub struct Bstr(BSTR);

impl Bstr {
    /// A new `BSTR` holding `units`; `None` when the allocator fails or
    /// the text is longer than a `BSTR` can be.
    pub fn new(units: &[u16]) -> Option<Self> {
        let len = u32::try_from(units.len()).ok()?;
        // SAFETY: `units` is readable for `len` units.
        let raw = unsafe { SysAllocStringLen(units.as_ptr(), len) };
        (!raw.is_null()).then_some(Bstr(raw))
    }

    /// A new `BSTR` holding `text` in UTF-16; `None` as for [`new`](Self::new).
    pub fn from_text(text: &str) -> Option<Self> {
        let len = text.encode_utf16().count();
        let bstr = Bstr(
            // SAFETY: a null text asks for `len` zeroed units.
            unsafe { SysAllocStringLen(core::ptr::null(), u32::try_from(len).ok()?) },
        );
        if bstr.0.is_null() {
            return None;
        }
        // SAFETY: a fresh allocation of `len` units only we reach.
        let body = unsafe { core::slice::from_raw_parts_mut(bstr.0.cast_mut(), len) };
        for (slot, unit) in body.iter_mut().zip(text.encode_utf16()) {
            *slot = unit;
        }
        Some(bstr)
    }

    /// Takes over a `BSTR` (null is the empty string).
    ///
    /// # Safety
    /// `raw` is null or a live `BSTR` the caller owns, which passes to the
    /// result.
    pub unsafe fn from_raw(raw: BSTR) -> Self {
        Bstr(raw)
    }

    /// Borrows a `BSTR` the caller does not own (an `[in]` argument).
    ///
    /// # Safety
    /// `*raw` is null or a `BSTR` that stays live and unchanged while the
    /// result is borrowed.
    pub unsafe fn from_raw_ref(raw: &BSTR) -> &Bstr {
        // SAFETY: `Bstr` is a `repr(transparent)` `BSTR`; dropping a
        // reference frees nothing.
        unsafe { &*(raw as *const BSTR).cast::<Bstr>() }
    }

    /// The `BSTR`, for an `[in]` argument; it stays `self`'s.
    pub fn as_raw(&self) -> BSTR {
        self.0
    }

    /// Gives up the `BSTR` to the caller (e.g. to return it through an out
    /// parameter), without freeing it.
    pub fn into_raw(self) -> BSTR {
        ManuallyDrop::new(self).0
    }

    /// The UTF-16 units (empty for null).
    pub fn as_wide(&self) -> &[u16] {
        if self.0.is_null() {
            return &[];
        }
        // SAFETY: a live BSTR holds `SysStringLen` units, unchanged while we
        // hold it.
        unsafe { core::slice::from_raw_parts(self.0, SysStringLen(self.0) as usize) }
    }

    /// How many UTF-16 units it holds.
    pub fn len(&self) -> usize {
        self.as_wide().len()
    }

    /// Whether it holds no units (or is null).
    pub fn is_empty(&self) -> bool {
        self.as_wide().is_empty()
    }

    /// Whether it is the null `BSTR`.
    pub fn is_null(&self) -> bool {
        self.0.is_null()
    }
}

impl Default for Bstr {
    /// The null `BSTR` (empty).
    fn default() -> Self {
        Bstr(core::ptr::null())
    }
}

impl Drop for Bstr {
    fn drop(&mut self) {
        // SAFETY: ours, freed once (null is allowed).
        unsafe { SysFreeString(self.0) };
    }
}

/// The text, lossy: an unpaired surrogate becomes U+FFFD.
impl fmt::Display for Bstr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        for c in char::decode_utf16(self.as_wide().iter().copied()) {
            f.write_char(c.unwrap_or(char::REPLACEMENT_CHARACTER))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Bstr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::handle::debug_utf16(self.as_wide(), f)
    }
}

/// An owned `VARIANT`, cleared with `VariantClear` on drop. Its invariant:
/// the member its tag names is the one initialised, and what that member
/// holds (a `BSTR`, an interface reference) is its own.
#[repr(transparent)]
pub struct Variant(VARIANT);

/// What a [`Variant`] holds, read from the member its tag names.
#[derive(Debug, Clone, Copy)]
pub enum VariantValue<'a> {
    /// `VT_EMPTY`.
    Empty,
    /// `VT_I2`.
    I2(i16),
    /// `VT_I4`.
    I4(i32),
    /// `VT_I8`.
    I8(i64),
    /// `VT_INT`.
    Int(i32),
    /// `VT_UI1`.
    UI1(u8),
    /// `VT_UI2`.
    UI2(u16),
    /// `VT_UI4`.
    UI4(u32),
    /// `VT_UI8`.
    UI8(u64),
    /// `VT_UINT`.
    UInt(u32),
    /// `VT_BOOL`.
    Bool(bool),
    /// `VT_BSTR`, borrowed from the variant.
    Bstr(&'a Bstr),
    /// Any other tag (not read here).
    Other(VARTYPE),
}

impl VariantValue<'_> {
    /// The value of any of the integer tags, widened.
    pub fn integer(&self) -> Option<i128> {
        Some(match *self {
            VariantValue::I2(n) => n.into(),
            VariantValue::I4(n) | VariantValue::Int(n) => n.into(),
            VariantValue::I8(n) => n.into(),
            VariantValue::UI1(n) => n.into(),
            VariantValue::UI2(n) => n.into(),
            VariantValue::UI4(n) | VariantValue::UInt(n) => n.into(),
            VariantValue::UI8(n) => n.into(),
            _ => return None,
        })
    }
}

impl Variant {
    /// `VT_EMPTY`.
    pub fn new() -> Self {
        Variant(VARIANT::default())
    }

    /// Takes over a `VARIANT`.
    ///
    /// # Safety
    /// `raw` is initialised as its tag says, and what it holds is the
    /// caller's, which passes to the result.
    pub unsafe fn from_raw(raw: VARIANT) -> Self {
        Variant(raw)
    }

    /// Borrows a `VARIANT` the caller does not own (an `[in]` argument).
    ///
    /// # Safety
    /// `*raw` is initialised as its tag says, and what it holds stays live
    /// and unchanged while the result is borrowed.
    pub unsafe fn from_raw_ref(raw: &VARIANT) -> &Variant {
        // SAFETY: `Variant` is a `repr(transparent)` `VARIANT`; dropping a
        // reference clears nothing.
        unsafe { &*(raw as *const VARIANT).cast::<Variant>() }
    }

    /// The `VARIANT`, for an `[in]` argument (passed by value: a bitwise
    /// copy the callee only reads); what it holds stays `self`'s.
    pub fn as_raw(&self) -> &VARIANT {
        &self.0
    }

    /// Gives up the `VARIANT` and what it holds to the caller (e.g. to
    /// return it through an out parameter), without clearing it.
    pub fn into_raw(self) -> VARIANT {
        ManuallyDrop::new(self).0
    }

    /// The tag, `vt`.
    pub fn vt(&self) -> VARTYPE {
        // SAFETY: every VARIANT starts with its tag (`decVal`, the other
        // member of the outer union, keeps those bytes as `wReserved`).
        unsafe { self.0.Anonymous.Anonymous.vt }
    }

    /// The value, read from the member the tag names.
    pub fn value(&self) -> VariantValue<'_> {
        let tag = i32::from(self.vt());
        // SAFETY: each arm reads the member its tag names (the invariant).
        unsafe {
            let p = &self.0.Anonymous.Anonymous.Anonymous;
            match tag {
                VT_EMPTY => VariantValue::Empty,
                VT_I2 => VariantValue::I2(p.iVal),
                VT_I4 => VariantValue::I4(p.lVal),
                VT_I8 => VariantValue::I8(p.llVal),
                VT_INT => VariantValue::Int(p.intVal),
                VT_UI1 => VariantValue::UI1(p.bVal),
                VT_UI2 => VariantValue::UI2(p.uiVal),
                VT_UI4 => VariantValue::UI4(p.ulVal),
                VT_UI8 => VariantValue::UI8(p.ullVal),
                VT_UINT => VariantValue::UInt(p.uintVal),
                VT_BOOL => VariantValue::Bool(p.boolVal != VARIANT_FALSE),
                // The BSTR is ours and lives as long as `self`.
                VT_BSTR => VariantValue::Bstr(Bstr::from_raw_ref(&p.bstrVal)),
                _ => VariantValue::Other(tag as VARTYPE),
            }
        }
    }

    /// A zeroed `VARIANT` tagged `vt`, for `fill` to write the member of.
    fn with(vt: i32, fill: impl FnOnce(&mut VARIANT)) -> Self {
        let mut v = VARIANT::default();
        v.Anonymous.Anonymous.vt = vt as VARTYPE;
        fill(&mut v);
        Variant(v)
    }
}

impl Default for Variant {
    /// `VT_EMPTY`.
    fn default() -> Self {
        Variant::new()
    }
}

impl Drop for Variant {
    fn drop(&mut self) {
        // SAFETY: initialised as its tag says, with what it holds its own
        // (the invariant).
        let _ = unsafe { VariantClear(&mut self.0) };
    }
}

impl fmt::Debug for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Variant").field(&self.value()).finish()
    }
}

impl From<i32> for Variant {
    /// `VT_I4`.
    fn from(n: i32) -> Self {
        Variant::with(VT_I4, |v| v.Anonymous.Anonymous.Anonymous.lVal = n)
    }
}

impl From<u32> for Variant {
    /// `VT_UI4`.
    fn from(n: u32) -> Self {
        Variant::with(VT_UI4, |v| v.Anonymous.Anonymous.Anonymous.ulVal = n)
    }
}

impl From<i64> for Variant {
    /// `VT_I8`.
    fn from(n: i64) -> Self {
        Variant::with(VT_I8, |v| v.Anonymous.Anonymous.Anonymous.llVal = n)
    }
}

impl From<bool> for Variant {
    /// `VT_BOOL` (`VARIANT_TRUE` is -1).
    fn from(b: bool) -> Self {
        let value: VARIANT_BOOL = if b { VARIANT_TRUE } else { VARIANT_FALSE };
        Variant::with(VT_BOOL, |v| v.Anonymous.Anonymous.Anonymous.boolVal = value)
    }
}

impl From<Bstr> for Variant {
    /// `VT_BSTR`, owning the string.
    fn from(text: Bstr) -> Self {
        Variant::with(VT_BSTR, |v| {
            v.Anonymous.Anonymous.Anonymous.bstrVal = text.into_raw()
        })
    }
}

/// How a `=> safe(…)` method of `com_interface!` passes an `[in]`
/// argument: its ABI value, borrowed for the call.
pub(crate) trait ComIn {
    /// The slot's parameter type.
    type Abi;
    /// The value the slot gets; what it points to stays the caller's.
    fn abi(self) -> Self::Abi;
}

impl ComIn for &Bstr {
    type Abi = BSTR;
    fn abi(self) -> BSTR {
        self.as_raw()
    }
}

impl ComIn for &Variant {
    type Abi = VARIANT;
    fn abi(self) -> VARIANT {
        // A bitwise copy: an `[in]` VARIANT is only read by the callee.
        self.0
    }
}

impl ComIn for i32 {
    type Abi = i32;
    fn abi(self) -> i32 {
        self
    }
}

/// How a `=> safe(…)` method of `com_interface!` returns its `[out]`
/// parameter: what the slot writes, and the owned value it becomes.
pub(crate) trait ComOut: Sized {
    /// What the slot writes through its out pointer.
    type Abi;
    /// The out parameter's value before the call.
    fn empty() -> Self::Abi;
    /// The owned value of what a successful call wrote.
    ///
    /// # Safety
    /// `abi` is what a successful COM call wrote to an `[out]` parameter of
    /// this type: its ownership passes to the caller.
    unsafe fn from_abi(abi: Self::Abi) -> Self;
}

impl<I: ComInterface> ComOut for Option<ComPtr<I>> {
    type Abi = *mut I;
    fn empty() -> *mut I {
        core::ptr::null_mut()
    }
    unsafe fn from_abi(abi: *mut I) -> Self {
        // SAFETY: null or one reference handed to us (the contract).
        unsafe { ComPtr::from_raw(abi) }
    }
}

impl ComOut for Bstr {
    type Abi = BSTR;
    fn empty() -> BSTR {
        core::ptr::null()
    }
    unsafe fn from_abi(abi: BSTR) -> Self {
        // SAFETY: null or a BSTR handed to us (the contract).
        unsafe { Bstr::from_raw(abi) }
    }
}

impl ComOut for Variant {
    type Abi = VARIANT;
    fn empty() -> VARIANT {
        VARIANT::default()
    }
    unsafe fn from_abi(abi: VARIANT) -> Self {
        // SAFETY: a VARIANT the callee filled and handed to us (the contract).
        unsafe { Variant::from_raw(abi) }
    }
}

impl ComOut for u32 {
    type Abi = u32;
    fn empty() -> u32 {
        0
    }
    unsafe fn from_abi(abi: u32) -> Self {
        abi
    }
}
