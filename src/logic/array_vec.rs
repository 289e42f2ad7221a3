// SPDX-License-Identifier: GPL-2.0

//! A vector of at most `N` values kept in place: lists that a decision
//! builds without allocating.

use core::{
    fmt,
    ops::{
        Deref,
        DerefMut, //
    },
};

/// Up to `N` values in an array, read as a slice of the ones pushed.
#[derive(Clone, Copy)]
pub struct ArrayVec<T, const N: usize> {
    items: [T; N],
    len: usize,
}

impl<T: Copy + Default, const N: usize> Default for ArrayVec<T, N> {
    fn default() -> Self {
        Self {
            items: [T::default(); N],
            len: 0,
        }
    }
}

impl<T: Copy + Default, const N: usize> ArrayVec<T, N> {
    /// The first `N` values of `items`.
    pub fn of(items: &[T]) -> Self {
        let mut v = Self::default();
        for item in items {
            v.push(*item);
        }
        v
    }

    /// Appends `item`; false, and `item` dropped, when full.
    pub fn push(&mut self, item: T) -> bool {
        let Some(slot) = self.items.get_mut(self.len) else {
            return false;
        };
        *slot = item;
        self.len += 1;
        true
    }

    /// Whether it holds `N` values.
    pub const fn is_full(&self) -> bool {
        self.len == N
    }

    /// Keeps the values for which `keep` holds, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        let mut kept = Self::default();
        for item in self.iter().filter(|item| keep(item)) {
            kept.push(*item);
        }
        *self = kept;
    }
}

impl<T, const N: usize> Deref for ArrayVec<T, N> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        self.items.get(..self.len).unwrap_or_default()
    }
}

impl<T, const N: usize> DerefMut for ArrayVec<T, N> {
    fn deref_mut(&mut self) -> &mut [T] {
        self.items.get_mut(..self.len).unwrap_or_default()
    }
}

impl<T: PartialEq, const N: usize> PartialEq for ArrayVec<T, N> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: Eq, const N: usize> Eq for ArrayVec<T, N> {}

impl<T: fmt::Debug, const N: usize> fmt::Debug for ArrayVec<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;

    #[test]
    fn bounded_and_compared_by_contents() {
        let mut v = ArrayVec::<u8, 3>::of(&[1, 2]);
        assert!(!v.is_full() && v.push(3) && v.is_full());
        assert!(!v.push(4), "full: dropped");
        assert_eq!(*v, [1, 2, 3]);
        v.retain(|x| *x != 2);
        assert_eq!((v.len(), v.is_full()), (2, false));
        // Equal by the values pushed, not by what unused slots hold.
        assert_eq!(v, ArrayVec::of(&[1, 3]));
        assert_eq!(std::format!("{v:?}"), "[1, 3]");
        assert_eq!(ArrayVec::<u8, 2>::of(&[9, 8, 7]), ArrayVec::of(&[9, 8]));
        assert!(ArrayVec::<u8, 0>::default().is_empty());
    }
}
