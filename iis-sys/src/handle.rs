//! [`Ref`], a typed borrowed interface pointer whose generated methods
//! (`methods.rs`) are safe wherever every argument is a value, and [`WStr`],
//! the NUL-terminated UTF-16 string those methods take for `PCWSTR`.

use core::fmt;
use core::marker::PhantomData;
use core::ptr::NonNull;

/// A borrowed, non-null pointer to a live object of the C++ interface `I`
/// (`IHttpResponse`, `IHttpContext`, …), usable for `'a`.
///
/// `#[repr(transparent)]` over the object pointer, so it is passed and
/// stored exactly as the raw pointer is. Its methods, generated from the
/// slot table, keep the C++ names (the vtable field names of
/// `interfaces.rs`, overloads included) and call the slot directly: a
/// method is a safe `fn` when every argument is a value, an out-pointer to
/// plain data (`&mut u32`, `&mut BOOL`, `&mut PCWSTR`, `&mut *mut IHttpUser`
/// …), an in-pointer to plain data (`&GUID`) or a NUL-terminated string
/// (`&CStr`, `&WStr`), a live object IIS uses only during the call
/// (`Ref`, `Option<Ref>` where null is allowed), or a buffer with its
/// length that IIS uses only during the call (`&[u8]`, `&WStr` read,
/// `&mut [u8]` written: the method passes the length, and returns
/// `E_INVALIDARG` for one the C type cannot hold); an `unsafe fn`
/// with a `# Safety` section when it takes any other buffer with its
/// length, an interface pointer, a callback, an untyped pointer or a module
/// id, or when the call ends the object's life.
/// Pointers the methods return stay raw: reading them is the caller's
/// concern. The methods of a base interface are reached through `Deref`
/// (`Ref<IHttpResponse2>` derefs to `Ref<IHttpResponse>`).
///
/// Not `Send` or `Sync`: a handle stays on the thread that was given it.
#[repr(transparent)]
pub struct Ref<'a, I> {
    ptr: NonNull<I>,
    _life: PhantomData<&'a I>,
}

impl<I> Clone for Ref<'_, I> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}

impl<I> Copy for Ref<'_, I> {}

impl<I> fmt::Debug for Ref<'_, I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Ref").field(&self.ptr).finish()
    }
}

impl<'a, I> Ref<'a, I> {
    /// The handle of `ptr`, or `None` for null.
    ///
    /// # Safety
    /// A non-null `ptr` points to a live object of interface `I` (its first
    /// field the pointer to a vtable of `I`, or of an interface derived from
    /// `I`) that stays live, and usable from the calling thread, for `'a`.
    #[inline(always)]
    pub unsafe fn from_raw(ptr: *mut I) -> Option<Self> {
        NonNull::new(ptr).map(|ptr| Self {
            ptr,
            _life: PhantomData,
        })
    }

    /// The handle of a non-null `ptr`.
    ///
    /// # Safety
    /// As [`from_raw`](Self::from_raw).
    #[inline(always)]
    pub unsafe fn from_non_null(ptr: NonNull<I>) -> Self {
        Self {
            ptr,
            _life: PhantomData,
        }
    }

    /// The object pointer, for calls the generated methods mark `unsafe`
    /// and for passing the object to another interface.
    #[inline(always)]
    pub fn as_ptr(self) -> *mut I {
        self.ptr.as_ptr()
    }

    /// The same object seen as interface `J` (a downcast, or a cast to an
    /// interface the object also implements).
    ///
    /// # Safety
    /// The object is an object of interface `J` (its first field points to
    /// a vtable of `J`) for `'a`.
    #[inline(always)]
    pub unsafe fn cast<J>(self) -> Ref<'a, J> {
        Ref {
            ptr: self.ptr.cast(),
            _life: PhantomData,
        }
    }

    /// The object pointer as a `NonNull`.
    #[inline(always)]
    pub fn as_non_null(self) -> NonNull<I> {
        self.ptr
    }
}

/// A NUL-terminated UTF-16 string (`PCWSTR`) borrowed for its lifetime: the
/// units up to and including the terminating NUL.
#[repr(transparent)]
pub struct WStr([u16]);

impl WStr {
    /// Borrows `units` as a string if its last unit is NUL (units after an
    /// earlier NUL are never read).
    pub const fn from_units_with_nul(units: &[u16]) -> Option<&WStr> {
        match units.last() {
            // SAFETY: `WStr` is a `repr(transparent)` `[u16]`, so the fat
            // pointer casts to it unchanged.
            Some(0) => Some(unsafe { &*(units as *const [u16] as *const WStr) }),
            _ => None,
        }
    }

    /// Borrows the NUL-terminated string at `ptr` (a `PCWSTR` IIS returned).
    ///
    /// # Safety
    /// `ptr` is non-null and points to UTF-16 units up to a NUL, readable
    /// and unchanged for `'a`.
    pub unsafe fn from_ptr<'a>(ptr: *const u16) -> &'a WStr {
        let mut len = 0;
        // SAFETY: readable up to and including the NUL (the contract).
        while unsafe { *ptr.add(len) } != 0 {
            len += 1;
        }
        // SAFETY: the `len + 1` units up to the NUL, readable for `'a`;
        // `WStr` is a `repr(transparent)` `[u16]`.
        unsafe { &*(core::ptr::slice_from_raw_parts(ptr, len + 1) as *const WStr) }
    }

    /// The units before the terminating NUL.
    pub fn as_units(&self) -> &[u16] {
        &self.0[..self.0.len() - 1]
    }

    /// The units, the terminating NUL included.
    pub fn as_units_with_nul(&self) -> &[u16] {
        &self.0
    }

    /// The pointer IIS takes (`PCWSTR`).
    #[inline(always)]
    pub fn as_ptr(&self) -> *const u16 {
        self.0.as_ptr()
    }
}

impl fmt::Debug for WStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_utf16(self.as_units(), f)
    }
}

/// UTF-16 text as a quoted, escaped Rust string (an unpaired surrogate as
/// U+FFFD): the `Debug` of [`WStr`] and [`Bstr`](crate::Bstr).
pub(crate) fn debug_utf16(units: &[u16], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str("\"")?;
    for c in char::decode_utf16(units.iter().copied()) {
        write!(
            f,
            "{}",
            c.unwrap_or(char::REPLACEMENT_CHARACTER).escape_debug()
        )?;
    }
    f.write_str("\"")
}

/// The UTF-16 units of the ASCII text `text` and a NUL, at compile time
/// (`N` is `text.len() + 1`): what [`wstr!`] builds its constants from.
pub(crate) const fn ascii_units<const N: usize>(text: &str) -> [u16; N] {
    let bytes = text.as_bytes();
    assert!(bytes.len() + 1 == N, "N is the length and the NUL");
    let mut units = [0; N];
    let mut i = 0;
    while i < bytes.len() {
        assert!(
            bytes[i].is_ascii() && bytes[i] != 0,
            "ASCII text without NUL"
        );
        units[i] = bytes[i] as u16;
        i += 1;
    }
    units
}

/// A `&'static WStr` of an ASCII literal, encoded at compile time.
macro_rules! wstr {
    ($text:literal) => {{
        const UNITS: [u16; $text.len() + 1] = $crate::handle::ascii_units($text);
        match $crate::WStr::from_units_with_nul(&UNITS) {
            Some(text) => text,
            None => unreachable!(),
        }
    }};
}
pub(crate) use wstr;
