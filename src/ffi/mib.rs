// SPDX-License-Identifier: GPL-2.0

//! The `MPTcpRs` counter group in `/proc/net/netstat` (kernel patch 0005).
//!
//! C header: [`include/net/mptcp.h`](srctree/include/net/mptcp.h).

use super::net::Net;
use crate::logic::mib::{
    Counter,
    COUNT, //
};
use kernel::{bindings, error::to_result, prelude::*, types::Opaque};

/// The counter names, as C strings.
struct Names([*const c_char; COUNT]);

// SAFETY: the pointers are to static strings and never change.
unsafe impl Sync for Names {}

static NAMES: Names = Names({
    let mut names = [core::ptr::null(); COUNT];
    let mut i = 0;
    while i < COUNT {
        names[i] = Counter::ALL[i].name_nul().as_ptr().cast();
        i += 1;
    }
    names
});

/// The group descriptor.  The kernel links it into its list and fills in
/// its base at registration.
struct Group(Opaque<bindings::mptcp_mib_group>);

// SAFETY: the kernel writes the descriptor at registration and
// unregistration only, under its group lock; we only pass its address.
unsafe impl Sync for Group {}

static GROUP: Group = Group(Opaque::new(bindings::mptcp_mib_group {
    prefix: kernel::str::as_char_ptr_in_const_context(c"MPTcpRs"),
    names: NAMES.0.as_ptr(),
    count: COUNT as c_uint,
    base: 0,
    list: bindings::list_head {
        next: core::ptr::null_mut(),
        prev: core::ptr::null_mut(),
    },
}));

/// The counter's name as a C string, from the table the group registers.
pub(super) fn c_name(counter: Counter) -> *const c_char {
    NAMES.0[counter as usize]
}

/// Adds one to `counter` in `net`.
pub(crate) fn inc(net: &Net, counter: Counter) {
    // SAFETY: the group is registered while any of our code runs (it is
    // registered first and unregistered last); the namespace is alive.
    unsafe { bindings::mptcp_mib_group_add(net.as_raw(), GROUP.0.get(), counter as c_uint, 1) };
}

/// The values of the counters: in `net`, or summed over every namespace
/// with `None`.
pub(crate) fn read(net: Option<&Net>) -> [u64; COUNT] {
    let mut vals: [c_ulong; COUNT] = [0; COUNT];
    let net = net.map_or(core::ptr::null_mut(), Net::as_raw);
    // SAFETY: the group is registered (see `inc`); `vals` has room for
    // its `COUNT` counters; a namespace given is alive.
    unsafe { bindings::mptcp_mib_group_read(net, GROUP.0.get(), vals.as_mut_ptr()) };
    // `unsigned long` is 64 bits wide on the architectures we build for.
    vals.map(|v| v as u64)
}

/// The group's registration.
///
/// # Invariants
///
/// The group is registered from construction until drop.
pub(crate) struct Registration(());

impl Registration {
    /// Adds `MPTcpRs` to `/proc/net/netstat`.
    pub(crate) fn new() -> Result<Self> {
        // SAFETY: the descriptor is static and complete.
        to_result(unsafe { bindings::mptcp_mib_group_register(GROUP.0.get()) })?;
        // INVARIANT: registered.
        Ok(Self(()))
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: registered (type invariant), and nothing of ours
        // increments any more.
        unsafe { bindings::mptcp_mib_group_unregister(GROUP.0.get()) };
    }
}
