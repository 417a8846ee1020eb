//! The COM plumbing of the configuration API: an owning interface pointer
//! ([`ComPtr`], `Release` on drop, `AddRef` on clone), an owned `BSTR` and
//! an owned `VARIANT` (`SysFreeString` / `VariantClear` on drop). The only
//! `unsafe` of the configuration API is here and in the calls of
//! `element.rs`.

use core::ptr::NonNull;
use iis_sys::{BSTR, HRESULT, IUnknownVtbl, VARIANT};

/// A counted reference to a COM object: released exactly once, on drop.
#[derive(Debug)]
pub(crate) struct ComPtr<I>(NonNull<I>);

impl<I> ComPtr<I> {
    /// Takes over one reference (what an out parameter of a COM method
    /// hands its caller); `None` for null.
    ///
    /// # Safety
    /// `raw` is null or a COM object (its vtable starts with `IUnknown`'s)
    /// on which the caller owns one reference.
    pub(crate) unsafe fn from_owned(raw: *mut I) -> Option<Self> {
        NonNull::new(raw).map(ComPtr)
    }

    /// Calls a COM method that hands its caller one reference through an
    /// out parameter: `call` makes the call with a pointer to write it to.
    /// The method's `HRESULT`, and the object if it succeeded and gave one.
    ///
    /// # Safety
    /// `call` makes a sound call of a method whose out parameter is the
    /// pointer it gets, which receives null or a COM object on which the
    /// caller then owns one reference when the method succeeds.
    pub(crate) unsafe fn out(call: impl FnOnce(*mut *mut I) -> HRESULT) -> (HRESULT, Option<Self>) {
        let mut raw = core::ptr::null_mut();
        let hr = call(&mut raw);
        let object = if hr.is_ok() {
            NonNull::new(raw).map(ComPtr)
        } else {
            None
        };
        (hr, object)
    }

    pub(crate) fn as_raw(&self) -> *mut I {
        self.0.as_ptr()
    }

    /// The object, live while `self` holds its reference.
    pub(crate) fn iface(&self) -> iis_sys::Ref<'_, I> {
        // SAFETY: we hold a reference (the `from_owned` contract), so the
        // object lives at least as long as `self`.
        unsafe { iis_sys::Ref::from_non_null(self.0) }
    }

    fn unknown(&self) -> &IUnknownVtbl {
        // SAFETY: a live COM object starts with a pointer to a vtable whose
        // first three slots are IUnknown's (the `from_owned` contract).
        unsafe { &**self.0.as_ptr().cast::<*const IUnknownVtbl>() }
    }
}

impl<I> Clone for ComPtr<I> {
    fn clone(&self) -> Self {
        // SAFETY: we hold a reference, so the object is alive; AddRef gives
        // the clone its own.
        unsafe { (self.unknown().AddRef)(self.as_raw().cast()) };
        ComPtr(self.0)
    }
}

impl<I> Drop for ComPtr<I> {
    fn drop(&mut self) {
        // SAFETY: we own exactly one reference and give it back once.
        unsafe { (self.unknown().Release)(self.as_raw().cast()) };
    }
}

/// A `BSTR` this side allocated (an input argument), freed on drop.
pub(crate) struct Bstr(BSTR);

impl Bstr {
    /// A new `BSTR` holding `text`; `None` when the allocator fails.
    pub(crate) fn new(text: &str) -> Option<Self> {
        let units: Vec<u16> = text.encode_utf16().collect();
        let len = u32::try_from(units.len()).ok()?;
        // SAFETY: `units` is readable for `len` units.
        let raw = unsafe { iis_sys::SysAllocStringLen(units.as_ptr(), len) };
        (!raw.is_null()).then_some(Bstr(raw))
    }

    pub(crate) fn as_raw(&self) -> BSTR {
        self.0
    }

    /// Takes a `BSTR` an out parameter returned and makes it a `String`
    /// (lossy for unpaired surrogates), freeing it.
    ///
    /// # Safety
    /// `raw` is null or a live `BSTR` the caller owns.
    pub(crate) unsafe fn take(raw: BSTR) -> String {
        let owned = Bstr(raw);
        // SAFETY: null or live (the contract), until `owned` drops below.
        let text = unsafe { bstr_text(raw) };
        drop(owned);
        text
    }
}

/// The text of a `BSTR` (lossy for unpaired surrogates); empty for null.
///
/// # Safety
/// `raw` is null or a live `BSTR`.
unsafe fn bstr_text(raw: BSTR) -> String {
    if raw.is_null() {
        return String::new();
    }
    // SAFETY: a live BSTR (the contract) holds `SysStringLen` units.
    let units = unsafe { core::slice::from_raw_parts(raw, iis_sys::SysStringLen(raw) as usize) };
    String::from_utf16_lossy(units)
}

impl Drop for Bstr {
    fn drop(&mut self) {
        // SAFETY: ours, freed once (null is allowed).
        unsafe { iis_sys::SysFreeString(self.0) };
    }
}

/// A `VARIANT` an out parameter filled, cleared on drop. Its invariant:
/// the member its tag names is the one filled (the server filled it, or it
/// is `VT_EMPTY`), and a `BSTR` it holds is live and its own.
pub(crate) struct Variant(pub(crate) VARIANT);

/// What a [`Variant`] holds, read by its tag.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// `VT_I2`, `VT_I4`, `VT_I8`, `VT_UI1`..`VT_UI8`, `VT_INT`, `VT_UINT`.
    Integer(i128),
    /// `VT_BOOL`.
    Bool(bool),
    /// `VT_BSTR`, copied.
    Text(String),
    /// Any other tag.
    Other,
}

impl Variant {
    /// `VT_EMPTY` (all zero).
    pub(crate) fn empty() -> Self {
        Variant(VARIANT::default())
    }

    /// A `VT_I4` index argument (the caller keeps ownership: nothing to free).
    pub(crate) fn index(i: i32) -> VARIANT {
        let mut v = Self::empty();
        v.0.Anonymous.Anonymous.vt = iis_sys::VT_I4 as u16;
        v.0.Anonymous.Anonymous.Anonymous.lVal = i;
        let raw = v.0;
        core::mem::forget(v);
        raw
    }

    pub(crate) fn tag(&self) -> i32 {
        // SAFETY: every VARIANT starts with its tag (`decVal`, the other
        // member of the outer union, keeps those bytes as its `wReserved`).
        i32::from(unsafe { self.0.Anonymous.Anonymous.vt })
    }

    /// The value, read from the member the tag names.
    pub(crate) fn value(&self) -> Value {
        use iis_sys::*;
        let tag = self.tag();
        // SAFETY: each arm reads the member its tag names (the invariant).
        let (value, bstr) = unsafe {
            let p = &self.0.Anonymous.Anonymous.Anonymous;
            match tag {
                VT_I2 => (Value::Integer(p.iVal.into()), None),
                VT_UI1 => (Value::Integer(p.bVal.into()), None),
                VT_UI2 => (Value::Integer(p.uiVal.into()), None),
                VT_I4 | VT_INT => (Value::Integer(p.lVal.into()), None),
                VT_UI4 | VT_UINT => (Value::Integer(p.ulVal.into()), None),
                VT_I8 => (Value::Integer(p.llVal.into()), None),
                VT_UI8 => (Value::Integer(p.ullVal.into()), None),
                VT_BOOL => (Value::Bool(p.boolVal != 0), None),
                VT_BSTR => (Value::Other, Some(p.bstrVal)),
                _ => (Value::Other, None),
            }
        };
        match bstr {
            // SAFETY: null or the live `BSTR` the VARIANT owns (the
            // invariant), freed only by its drop.
            Some(raw) => Value::Text(unsafe { bstr_text(raw) }),
            None => value,
        }
    }
}

impl Drop for Variant {
    fn drop(&mut self) {
        // SAFETY: an initialised VARIANT whose payload matches its tag (the
        // server filled it, or it is VT_EMPTY).
        let _ = unsafe { iis_sys::VariantClear(&mut self.0) };
    }
}
