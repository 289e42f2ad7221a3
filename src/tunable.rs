// SPDX-License-Identifier: GPL-2.0

//! Run-time tunables of the schedulers and path managers.
//!
//! Each tunable is a per-namespace sysctl, `net.mptcp.rs.<name>` (see
//! [`entry`]), and a module parameter that sets, at load time
//! only (`insmod mptcp_rs.ko rr_segments=4`), the value every namespace
//! starts with.  A refused value leaves the old one in place and fails the
//! write with `EINVAL`, with the reason in the kernel log.

#![forbid(unsafe_code)]

use crate::{
    ffi::params::Param,
    logic::tunable::{
        check,
        format_u32,
        parse_u32,
        Refused, //
    },
};
use kernel::{
    prelude::*,
    sync::atomic::{
        Atomic,
        Relaxed, //
    },
};

/// Where the module's sysctls are, in each namespace.
pub(crate) const SYSCTL_PATH: &CStr = c"net/mptcp/rs";

/// The sysctl of the tunable `$tunable`, named after `$field`, its value
/// in the group (in the group `$group` of the state, in the second form).
/// It takes any non-negative number to the tunable's own checks, which
/// log a refusal.
macro_rules! entry {
    ($tunable:ident, $field:ident) => {
        $crate::ffi::sysctl::Entry::new(
            ::kernel::c_str!(stringify!($field)),
            0,
            i32::MAX,
            |group| $crate::tunable::int(&group.$field),
            |group, v| {
                $tunable.store(
                    ::kernel::c_str!(stringify!($field)),
                    group,
                    &group.$field,
                    v,
                )
            },
        )
    };
    ($tunable:ident, $group:ident . $field:ident) => {
        $crate::ffi::sysctl::Entry::new(
            ::kernel::c_str!(stringify!($field)),
            0,
            i32::MAX,
            |s| $crate::tunable::int(&s.$group.$field),
            |s, v| {
                let slot = &s.$group.$field;
                $tunable.store(::kernel::c_str!(stringify!($field)), &s.$group, slot, v)
            },
        )
    };
}
pub(crate) use entry;

/// A namespace's values of a group of tunables (`C` of [`Tunable`]).
pub(crate) trait Values: Sized + 'static {
    /// The values a new namespace starts with: the module parameters.
    fn initial() -> Self;
}

/// A `u32` tunable of the group `C`: its range, a condition that may tie
/// it to another tunable of the group, and its initial value.
pub(crate) struct Tunable<C: 'static> {
    /// The module parameter: the value of a new namespace.
    initial: Atomic<u32>,
    min: u32,
    max: u32,
    fits: fn(&C, u32) -> bool,
    /// What `fits` requires, for the log.
    requires: &'static str,
}

fn always<C>(_: &C, _: u32) -> bool {
    true
}

impl<C: Values> Tunable<C> {
    /// A tunable starting at `default`, accepting `min..=max`.
    pub(crate) const fn new(default: u32, min: u32, max: u32) -> Self {
        Self {
            initial: Atomic::new(default),
            min,
            max,
            fits: always::<C>,
            requires: "",
        }
    }

    /// Also requires `fits(group, value)`, described by `requires`.
    pub(crate) const fn requiring(self, fits: fn(&C, u32) -> bool, requires: &'static str) -> Self {
        Self {
            fits,
            requires,
            ..self
        }
    }

    /// The value a new namespace starts with.
    pub(crate) fn initial(&self) -> u32 {
        self.initial.load(Relaxed)
    }

    /// Checks `value` for the group `values`; on refusal, says why in the
    /// log and returns `EINVAL`.
    fn check(&self, name: &CStr, values: &C, value: Option<u32>, kept: u32) -> Result<u32> {
        let checked = value
            .ok_or(Refused::NotANumber)
            .and_then(|v| check(v, self.min, self.max, |v| (self.fits)(values, v)));
        checked.map_err(|why| {
            let reason = match why {
                Refused::NotANumber => "not a decimal number",
                Refused::OutOfRange => "out of range",
                Refused::Conflict => self.requires,
            };
            pr_warn!(
                "{}: value refused ({}); accepted: {}..={}; kept {}\n",
                name.to_str().unwrap_or("?"),
                reason,
                self.min,
                self.max,
                kept
            );
            EINVAL
        })
    }

    /// Stores `value` in `slot`, a namespace's value of this tunable in
    /// `values`, if it is accepted.  Writers of one namespace's sysctls
    /// are not serialised: two racing writes of tied tunables may both
    /// pass, so readers must tolerate a broken tie (BLEST clamps).
    pub(crate) fn store(&self, name: &CStr, values: &C, slot: &Atomic<u32>, value: i32) -> Result {
        let value = u32::try_from(value).ok();
        let value = self.check(name, values, value, slot.load(Relaxed))?;
        slot.store(value, Relaxed);
        Ok(())
    }
}

/// The module parameter: the initial value.
impl<C: Values> Param for Tunable<C> {
    fn set(&self, name: &CStr, text: &[u8]) -> Result {
        let value = self.check(name, &C::initial(), parse_u32(text), self.initial())?;
        self.initial.store(value, Relaxed);
        Ok(())
    }

    fn show(&self, out: &mut [u8]) -> usize {
        format_u32(self.initial(), out)
    }
}

/// A namespace's value of one tunable, as its sysctl shows it.
pub(crate) fn int(slot: &Atomic<u32>) -> i32 {
    i32::try_from(value(slot)).unwrap_or(i32::MAX)
}

/// A namespace's value of one tunable.
pub(crate) fn value(slot: &Atomic<u32>) -> u32 {
    slot.load(Relaxed)
}
