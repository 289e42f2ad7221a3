// SPDX-License-Identifier: GPL-2.0

//! Memory cgroups: charging what a namespace's state allocates to the
//! cgroup of whoever created the namespace, whatever context allocates it.
//!
//! C headers: [`include/linux/memcontrol.h`](srctree/include/linux/memcontrol.h),
//! [`include/linux/sched/mm.h`](srctree/include/linux/sched/mm.h).

use kernel::{
    alloc::Flags,
    bindings,
    prelude::*, //
};

/// `__GFP_ACCOUNT`, which the kernel crate only offers inside
/// `GFP_KERNEL_ACCOUNT`: charge the allocation to the active memory
/// cgroup, also in atomic context.
pub(crate) fn gfp_account() -> Flags {
    GFP_KERNEL_ACCOUNT & !GFP_KERNEL
}

/// A reference to a memory cgroup (none without `CONFIG_MEMCG`).
///
/// # Invariants
///
/// `0` is null or a memory cgroup this value holds a reference on.
pub(crate) struct MemCg(*mut bindings::mem_cgroup);

// SAFETY: a referenced memory cgroup may be used and released from any
// thread.
unsafe impl Send for MemCg {}

// SAFETY: only `charge` reads the pointer, which it does not change.
unsafe impl Sync for MemCg {}

impl MemCg {
    /// The memory cgroup of the current task.
    pub(crate) fn current() -> Self {
        // SAFETY: without an mm the function takes the current task's; it
        // returns a new reference, or the root cgroup, which needs none.
        // INVARIANT: the reference is ours.
        Self(unsafe { bindings::get_mem_cgroup_from_mm(core::ptr::null_mut()) })
    }

    /// Runs `f`, charging its `__GFP_ACCOUNT` allocations to this cgroup,
    /// in process or softirq context alike.
    pub(crate) fn charge<R>(&self, f: impl FnOnce() -> R) -> R {
        // SAFETY: we hold a reference on the cgroup (type invariant) for
        // longer than the scope, which ends before we return.
        let old = unsafe { bindings::set_active_memcg(self.0) };
        let r = f();
        // SAFETY: restores what the scope replaced, as the API requires.
        unsafe { bindings::set_active_memcg(old) };
        r
    }
}

impl Drop for MemCg {
    fn drop(&mut self) {
        // SAFETY: our reference (type invariant); null is accepted.
        unsafe { bindings::mem_cgroup_put(self.0) };
    }
}
