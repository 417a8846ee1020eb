//! `IModuleAllocator`: request-pool memory for a module instance, handed to
//! the factory when IIS creates the instance for a request.
//!
//! The memory lives until the request ends, which may be before a
//! [`PoolBuffer`] moved out of the module is dropped; so every access goes
//! through [`PoolBuffer::lock`], which fails once IIS has disposed of the
//! module instance (the SDK marks the memory dead in `Dispose`, before IIS
//! frees the request pool), and holds the instance's disposal off while a
//! guard is alive.

use crate::{Error, Result};
use core::ops::{Deref, DerefMut};
use core::ptr::NonNull;
use iis_sys::IModuleAllocator;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard};

/// Whether the request that owns a module instance's pool memory is alive.
pub(crate) type PoolLife = Arc<RwLock<bool>>;

/// Marks pool memory dead: no [`PoolBuffer`] can reach it afterwards.
pub(crate) fn end(life: &PoolLife) {
    *life.write().unwrap_or_else(PoisonError::into_inner) = false;
}

/// The allocator IIS passes to `IHttpModuleFactory::GetHttpModule`, lent to
/// the closure given to
/// [`Registration::request_module_with_allocator`](crate::Registration::request_module_with_allocator).
#[derive(Debug)]
pub struct ModuleAllocator<'a> {
    raw: Option<NonNull<IModuleAllocator>>,
    life: &'a mut Option<PoolLife>,
}

impl<'a> ModuleAllocator<'a> {
    /// # Safety
    /// `raw` is null or the live allocator of the `GetHttpModule` call.
    pub(crate) unsafe fn new(raw: *mut IModuleAllocator, life: &'a mut Option<PoolLife>) -> Self {
        Self {
            raw: NonNull::new(raw),
            life,
        }
    }

    /// `len` zeroed bytes of request memory for the module instance
    /// (`AllocateMemory`), valid until the request ends.
    ///
    /// # Errors
    /// [`Error::TooLong`] above 4 GiB; [`Error::NullPointer`] without an
    /// allocator or when out of memory.
    #[doc(alias = "AllocateMemory")]
    pub fn allocate(&mut self, len: usize) -> Result<PoolBuffer> {
        let null = Error::NullPointer {
            operation: "IModuleAllocator::AllocateMemory",
        };
        let raw = self.raw.ok_or(null.clone())?;
        let size = u32::try_from(len).map_err(|_| Error::TooLong {
            what: "module memory",
            len,
            max: u32::MAX as usize,
        })?;
        // SAFETY: the live allocator of this GetHttpModule call.
        let allocator = unsafe { iis_sys::Ref::from_non_null(raw) };
        let ptr = allocator.AllocateMemory(size.max(1));
        let ptr = NonNull::new(ptr.cast::<u8>()).ok_or(null)?;
        // SAFETY: fresh memory of `len` bytes.
        unsafe { ptr.as_ptr().write_bytes(0, len) };
        let life = self
            .life
            .get_or_insert_with(|| Arc::new(RwLock::new(true)))
            .clone();
        Ok(PoolBuffer { ptr, len, life })
    }
}

/// Request-pool memory of a module instance (from
/// [`ModuleAllocator::allocate`]). IIS frees it when the request ends; reach
/// it with [`lock`](Self::lock), which says when that has happened.
#[derive(Debug)]
pub struct PoolBuffer {
    ptr: NonNull<u8>,
    len: usize,
    life: PoolLife,
}

// SAFETY: the bytes are this buffer's alone; every access holds the read
// side of `life`, and the SDK takes the write side (and marks the memory
// dead) before IIS may free it.
unsafe impl Send for PoolBuffer {}

impl PoolBuffer {
    /// Its size in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes, or `None` once the request that owns them has ended.
    /// While the guard lives, the module instance is not disposed.
    pub fn lock(&mut self) -> Option<PoolGuard<'_>> {
        let alive = self.life.read().unwrap_or_else(PoisonError::into_inner);
        if !*alive {
            return None;
        }
        // SAFETY: the memory is alive (checked under the lock, which the
        // guard keeps), ours alone, and `&mut self` lends it once.
        let bytes = unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) };
        Some(PoolGuard {
            _alive: alive,
            bytes,
        })
    }
}

/// The bytes of a [`PoolBuffer`], while the request lives.
#[derive(Debug)]
pub struct PoolGuard<'a> {
    _alive: RwLockReadGuard<'a, bool>,
    bytes: &'a mut [u8],
}

impl Deref for PoolGuard<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.bytes
    }
}

impl DerefMut for PoolGuard<'_> {
    fn deref_mut(&mut self) -> &mut [u8] {
        self.bytes
    }
}
