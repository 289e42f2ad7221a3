// SPDX-License-Identifier: GPL-2.0

//! The module's state in each network namespace.

use crate::{
    blackhole::NetBlackhole,
    ffi::{
        net::Net,
        sysctl::Sysctl, //
    },
};
use kernel::prelude::*;

/// What the module keeps per namespace: the blackhole backoff and its
/// sysctls.
#[pin_data]
pub(crate) struct NetState {
    #[pin]
    pub(crate) blackhole: NetBlackhole,
    pub(crate) sysctl: Sysctl,
}

impl NetState {
    /// The state of a new namespace.
    pub(crate) fn new(_net: &Net) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            blackhole <- NetBlackhole::new(),
            sysctl: Sysctl::new(),
        })
    }
}
