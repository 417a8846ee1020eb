//! Layout metadata: what the compiler measured of every vtable struct, and
//! the interface identity of every class with a `__declspec(uuid)`.

use windows_core::GUID;

/// The measured layout of one vtable struct.
#[derive(Debug, Clone, Copy)]
pub struct VtableLayout {
    /// The C++ class name.
    pub class: &'static str,
    /// `size_of` the vtable struct, in bytes.
    pub size: usize,
    /// Every slot (inherited ones included): field name and byte offset.
    pub slots: &'static [(&'static str, usize)],
}

/// A C++ interface of httpserv.h that carries an interface ID
/// (`__declspec(uuid)`), as `IHttpServer2::GetExtendedInterface` needs.
pub trait Interface {
    /// The C++ class name.
    const NAME: &'static str;
    /// The interface ID (`__uuidof`).
    const IID: GUID;
    /// The vtable struct of the interface.
    type Vtable;
}
