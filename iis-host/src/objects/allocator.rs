//! Request-pool memory: `IModuleAllocator` (what `GetHttpModule` allocates
//! module instances from), `IHttpContext::AllocateRequestMemory` and
//! `IHttpConnection::AllocateMemory`. IIS frees it when the request (or the
//! connection) ends, never earlier: modules do not free it themselves.

use std::alloc::{Layout, alloc_zeroed, dealloc};
use std::ffi::c_void;
use std::ptr::null_mut;
use std::sync::Mutex;

use iis_sys::{IModuleAllocator, IModuleAllocatorVtbl, define_member_fn};

use crate::ffi::lock;
use crate::objects::with_owner;
use crate::pipeline::RequestCore;

/// The alignment of every block, `MEMORY_ALLOCATION_ALIGNMENT` on x64.
const ALIGN: usize = 16;

/// Zeroed blocks freed together when the pool is dropped.
#[derive(Debug, Default)]
pub(crate) struct Pool {
    blocks: Mutex<Vec<(usize, Layout)>>,
}

impl Pool {
    /// A zeroed block of `size` bytes (at least 1), 16-byte aligned; null if
    /// the size is unrepresentable or memory is exhausted.
    pub(crate) fn allocate(&self, size: u32) -> *mut c_void {
        let Ok(layout) = Layout::from_size_align((size as usize).max(1), ALIGN) else {
            return null_mut();
        };
        // SAFETY: the layout has a non-zero size.
        let p = unsafe { alloc_zeroed(layout) };
        if !p.is_null() {
            lock(&self.blocks).push((p as usize, layout));
        }
        p.cast()
    }

    /// How many blocks are live.
    #[cfg(test)]
    pub(crate) fn blocks(&self) -> usize {
        lock(&self.blocks).len()
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        for (p, layout) in self
            .blocks
            .get_mut()
            .map(std::mem::take)
            .unwrap_or_default()
        {
            // SAFETY: `p` was returned by `alloc_zeroed(layout)` and is freed once.
            unsafe { dealloc(p as *mut u8, layout) };
        }
    }
}

define_member_fn! {
    /// `IModuleAllocator::AllocateMemory`: request-pool memory.
    unsafe fn allocate_memory(this: *mut IModuleAllocator, size: u32) -> *mut c_void {
        with_owner!(this, null_mut(), |core: RequestCore| core.memory.allocate(size))
    }
}

/// The `IModuleAllocator` vtable of a request.
pub(crate) static ALLOCATOR_VTBL: IModuleAllocatorVtbl = IModuleAllocatorVtbl {
    AllocateMemory: allocate_memory,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_zeroed_aligned_and_counted() {
        let pool = Pool::default();
        let p = pool.allocate(24).cast::<u8>();
        assert!(!p.is_null());
        assert_eq!(p as usize % ALIGN, 0);
        // SAFETY: 24 bytes were just allocated.
        let block = unsafe { std::slice::from_raw_parts(p, 24) };
        assert!(block.iter().all(|&b| b == 0));
        assert!(!pool.allocate(0).is_null());
        assert_eq!(pool.blocks(), 2);
    }
}
