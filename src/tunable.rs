// SPDX-License-Identifier: GPL-2.0

//! Run-time tunables, exposed as module parameters: readable and writable
//! in `/sys/module/mptcp_rs/parameters/`, and settable at load time
//! (`insmod mptcp_rs.ko rr_segments=4`).  A refused value leaves the old
//! one in place and fails the write with `EINVAL`, with the reason in the
//! kernel log.

use crate::logic::tunable::{
    format_u32,
    validate,
    Refused, //
};
use kernel::{
    prelude::*,
    sync::atomic::{
        Atomic,
        Relaxed, //
    },
};

/// A `u32` tunable with a range, and possibly a condition that ties it to
/// another tunable.
pub(crate) struct Tunable {
    value: Atomic<u32>,
    min: u32,
    max: u32,
    fits: fn(u32) -> bool,
    /// What `fits` requires, for the log.
    requires: &'static str,
}

fn always(_: u32) -> bool {
    true
}

impl Tunable {
    /// A tunable starting at `default`, accepting `min..=max`.
    pub(crate) const fn new(default: u32, min: u32, max: u32) -> Self {
        Self {
            value: Atomic::new(default),
            min,
            max,
            fits: always,
            requires: "",
        }
    }

    /// Also requires `fits(value)`, described by `requires`.
    pub(crate) const fn requiring(self, fits: fn(u32) -> bool, requires: &'static str) -> Self {
        Self {
            fits,
            requires,
            ..self
        }
    }

    /// The current value.
    pub(crate) fn get(&self) -> u32 {
        self.value.load(Relaxed)
    }

    /// Sets the value from what a user wrote to the parameter `name`.
    /// Writes are serialised by the module parameter lock.
    pub(crate) fn set(&self, name: &CStr, text: &[u8]) -> Result {
        match validate(text, self.min, self.max, self.fits) {
            Ok(value) => {
                self.value.store(value, Relaxed);
                Ok(())
            }
            Err(why) => {
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
                    self.get()
                );
                Err(EINVAL)
            }
        }
    }

    /// Writes the value as sysfs shows it; returns the length.
    pub(crate) fn show(&self, out: &mut [u8]) -> usize {
        format_u32(self.get(), out)
    }
}
