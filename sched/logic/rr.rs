// SPDX-License-Identifier: GPL-2.0

//! `rs_rr`: round-robin, a fixed number of segments per turn.

use super::{
    Decision,
    MskInput,
    Pick,
    SubflowInput, //
};

/// Smallest and largest number of segments per turn.
pub const SEGMENTS_MIN: u32 = 1;
/// See [`SEGMENTS_MIN`].
pub const SEGMENTS_MAX: u32 = 64;

/// What round-robin remembers per connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RrState {
    /// The subflow of the last turn (`subflow_id`).
    pub last_id: u32,
    /// Whether `last_id` is set.
    pub has_last: bool,
}

/// Round-robin over the active subflows.
///
/// The subflows take turns in list order, starting after the one that had
/// the last turn; each turn is `segments` MSS-sized segments.  A subflow
/// without room in its congestion window or send buffer loses its turn.
/// Backup subflows take part only when no non-backup subflow is active.
pub struct RoundRobin<'a, H> {
    state: &'a mut RrState,
    segments: u32,
    passed_last: bool,
    primary_active: bool,
    // [first usable in list order, first usable after the last turn],
    // for non-backup and backup subflows.
    first: [Option<(H, SubflowInput)>; 2],
    after_last: [Option<(H, SubflowInput)>; 2],
}

impl<'a, H: Copy> RoundRobin<'a, H> {
    /// Starts a decision; `segments` is clamped to
    /// [`SEGMENTS_MIN`]..=[`SEGMENTS_MAX`].
    pub fn new(state: &'a mut RrState, segments: u32) -> Self {
        Self {
            state,
            segments: segments.clamp(SEGMENTS_MIN, SEGMENTS_MAX),
            passed_last: false,
            primary_active: false,
            first: [None, None],
            after_last: [None, None],
        }
    }

    /// Considers the next subflow.
    pub fn visit(&mut self, handle: H, sf: &SubflowInput) {
        let is_last = self.state.has_last && sf.id == self.state.last_id;
        if sf.active {
            if !sf.backup {
                self.primary_active = true;
            }
            if sf.has_space() {
                let class = usize::from(sf.backup);
                if let (Some(first), Some(after)) =
                    (self.first.get_mut(class), self.after_last.get_mut(class))
                {
                    first.get_or_insert((handle, *sf));
                    if self.passed_last {
                        after.get_or_insert((handle, *sf));
                    }
                }
            }
        }
        if is_last {
            self.passed_last = true;
        }
    }

    /// Ends the decision and records whose turn it was.
    pub fn finish(self, msk: &MskInput) -> Decision<H> {
        let class = usize::from(!self.primary_active);
        let after = self.after_last.get(class).copied().flatten();
        let first = self.first.get(class).copied().flatten();
        let Some((handle, sf)) = after.or(first) else {
            return Decision::WAIT;
        };
        self.state.last_id = sf.id;
        self.state.has_last = true;
        Decision {
            pick: Pick::One(handle),
            burst: msk.burst(u64::from(self.segments) * u64::from(sf.mss.max(1))),
        }
    }
}
