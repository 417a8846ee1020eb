//! Request-pool memory: `IModuleAllocator` (what `GetHttpModule` allocates
//! module instances from), `IHttpContext::AllocateRequestMemory` and
//! `IHttpConnection::AllocateMemory`. IIS frees it when the request (or the
//! connection) ends, never earlier: modules do not free it themselves.

use std::ffi::c_void;
use std::ptr::null_mut;

use iis_sys::{IModuleAllocator, IModuleAllocatorVtbl, define_member_fn};

use crate::objects::with_owner;
use crate::state::RequestCore;

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
    use crate::state::object_data::{ALIGN, Pool};

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

    #[test]
    fn blocks_past_the_pools_own_storage_come_from_the_system() {
        let pool = Pool::default();
        let blocks: Vec<_> = [100, 300, 200, 5000, 1]
            .into_iter()
            .map(|size| (pool.allocate(size).cast::<u8>(), size as usize))
            .collect();
        for &(p, size) in &blocks {
            assert!(!p.is_null());
            assert_eq!(p as usize % ALIGN, 0);
            // SAFETY: `size` bytes were allocated at `p`.
            let block = unsafe { std::slice::from_raw_parts_mut(p, size) };
            assert!(block.iter().all(|&b| b == 0));
            block.fill(0xAB);
        }
        // No two blocks overlap.
        let mut ranges: Vec<_> = blocks
            .iter()
            .map(|&(p, n)| (p as usize, p as usize + n))
            .collect();
        ranges.sort_unstable();
        assert!(ranges.windows(2).all(|w| w[0].1 <= w[1].0));
        assert_eq!(pool.blocks(), 5);
    }
}
