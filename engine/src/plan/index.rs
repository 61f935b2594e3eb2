//! A compact hash index from strings to row numbers, for tables of millions of rows.
//!
//! A slot is 8 bytes (the row and a tag of the key's hash); keys are not stored but read
//! back from the caller's table, so an index over a million account ids costs 16 MiB
//! rather than the ~50 MiB of a `HashMap<&str, u32>`. Hashing is std's keyed SipHash,
//! so keys from an app or a directory cannot be chosen to collide.

use std::hash::{BuildHasher, RandomState};

/// One slot: `row + 1` (0 when empty) and the high half of the key's hash.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    /// The row plus one; 0 marks an empty slot.
    row: u32,
    /// The high 32 bits of the key's hash, compared before the key.
    tag: u32,
}

/// Strings to rows, first insert wins; linear probing, at most half full.
#[derive(Debug)]
pub(crate) struct StrIndex {
    /// The slots; their number is a power of two.
    slots: Vec<Slot>,
    /// Occupied slots.
    len: usize,
    /// The keyed hasher.
    hasher: RandomState,
}

/// The largest row an index holds.
pub(crate) const MAX_ROWS: usize = (u32::MAX - 1) as usize;

/// No row, in results of [`StrIndex::get_many`].
pub(crate) const NONE: u32 = u32::MAX;

impl StrIndex {
    /// An index sized for `rows` keys without growing.
    pub(super) fn with_capacity(rows: usize) -> Self {
        let slots = rows.saturating_mul(2).max(16).next_power_of_two();
        Self {
            slots: vec![Slot::default(); slots],
            len: 0,
            hasher: RandomState::new(),
        }
    }

    /// The number of keys.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The row stored under `key`; `key_of` gives the key of a stored row.
    pub(super) fn get<'t>(&self, key: &str, key_of: impl Fn(u32) -> &'t str) -> Option<u32> {
        self.get_hashed(self.hasher.hash_one(key), key, &key_of)
    }

    /// [`get`](Self::get) with the key's hash.
    fn get_hashed<'t>(
        &self,
        hash: u64,
        key: &str,
        key_of: &impl Fn(u32) -> &'t str,
    ) -> Option<u32> {
        let tag = (hash >> 32) as u32;
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        loop {
            let slot = self.slots[at];
            if slot.row == 0 {
                return None;
            }
            if slot.tag == tag && key_of(slot.row - 1) == key {
                return Some(slot.row - 1);
            }
            at = (at + 1) & mask;
        }
    }

    /// Looks up `out.len()` keys (`key(i)`), writing each one's row or [`NONE`] to
    /// `out[i]`. The keys go in batches whose memory reads are independent of each
    /// other (slots, then rows, then key text), so the processor overlaps their cache
    /// misses instead of waiting for each in turn: on tables of millions of rows this
    /// is several times faster than one [`get`](Self::get) after another.
    pub(super) fn get_many<'k, 't>(
        &self,
        key: impl Fn(usize) -> &'k str,
        key_of: impl Fn(u32) -> &'t str,
        out: &mut [u32],
    ) {
        const BATCH: usize = 16;
        let mask = self.slots.len() - 1;
        for (block, out) in out.chunks_mut(BATCH).enumerate() {
            let base = block * BATCH;
            let n = out.len();
            let mut hashes = [0u64; BATCH];
            for (j, hash) in hashes[..n].iter_mut().enumerate() {
                *hash = self.hasher.hash_one(key(base + j));
            }
            let mut slots = [Slot::default(); BATCH];
            for j in 0..n {
                slots[j] = self.slots[hashes[j] as usize & mask];
            }
            let mut found = [""; BATCH];
            for j in 0..n {
                let slot = slots[j];
                if slot.row != 0 && slot.tag == (hashes[j] >> 32) as u32 {
                    found[j] = key_of(slot.row - 1);
                }
            }
            for j in 0..n {
                let (slot, key) = (slots[j], key(base + j));
                out[j] = if slot.row == 0 {
                    NONE
                } else if slot.tag == (hashes[j] >> 32) as u32 && found[j] == key {
                    slot.row - 1
                } else {
                    self.get_hashed(hashes[j], key, &key_of).unwrap_or(NONE)
                };
            }
        }
    }

    /// Stores `row` under `key` unless the key is there already; returns the row found
    /// then (the first insert wins). Rows above [`MAX_ROWS`] are not stored.
    pub(super) fn insert<'t>(
        &mut self,
        key: &str,
        row: u32,
        key_of: impl Fn(u32) -> &'t str,
    ) -> Option<u32> {
        if row as usize > MAX_ROWS {
            return None;
        }
        self.reserve(1, &key_of);
        self.insert_hashed(self.hasher.hash_one(key), key, row, &key_of)
    }

    /// Inserts `key(i)` → `first_row + i` for `i` in `0..out.len()` as many
    /// [`insert`](Self::insert)s in that order would, writing each one's result (the
    /// row found, or [`NONE`] when inserted) to `out[i]`; the slots of a batch are read
    /// together, so that their cache misses overlap.
    pub(super) fn insert_many<'k, 't>(
        &mut self,
        key: impl Fn(usize) -> &'k str,
        first_row: u32,
        key_of: impl Fn(u32) -> &'t str,
        out: &mut [u32],
    ) {
        const BATCH: usize = 16;
        self.reserve(out.len(), &key_of);
        let mask = self.slots.len() - 1;
        for (block, out) in out.chunks_mut(BATCH).enumerate() {
            let base = block * BATCH;
            let mut hashes = [0u64; BATCH];
            let mut touched = 0u32;
            for (j, hash) in hashes[..out.len()].iter_mut().enumerate() {
                *hash = self.hasher.hash_one(key(base + j));
                touched ^= self.slots[*hash as usize & mask].tag;
            }
            std::hint::black_box(touched);
            for (j, found) in out.iter_mut().enumerate() {
                let row = first_row.saturating_add((base + j) as u32);
                *found = if row as usize > MAX_ROWS {
                    NONE
                } else {
                    self.insert_hashed(hashes[j], key(base + j), row, &key_of)
                        .unwrap_or(NONE)
                };
            }
        }
    }

    /// [`insert`](Self::insert) with the key's hash, in a table with room.
    fn insert_hashed<'t>(
        &mut self,
        hash: u64,
        key: &str,
        row: u32,
        key_of: &impl Fn(u32) -> &'t str,
    ) -> Option<u32> {
        let tag = (hash >> 32) as u32;
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        loop {
            let slot = self.slots[at];
            if slot.row == 0 {
                self.slots[at] = Slot { row: row + 1, tag };
                self.len += 1;
                return None;
            }
            if slot.tag == tag && key_of(slot.row - 1) == key {
                return Some(slot.row - 1);
            }
            at = (at + 1) & mask;
        }
    }

    /// Grows until `more` keys fit with the table at most half full.
    fn reserve<'t>(&mut self, more: usize, key_of: &impl Fn(u32) -> &'t str) {
        while (self.len + more) * 2 > self.slots.len() {
            self.grow(key_of);
        }
    }

    /// Doubles the slots and re-places every row.
    fn grow<'t>(&mut self, key_of: &impl Fn(u32) -> &'t str) {
        let size = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); size]);
        let mask = self.slots.len() - 1;
        for slot in old.into_iter().filter(|s| s.row != 0) {
            let hash = self.hasher.hash_one(key_of(slot.row - 1));
            let mut at = hash as usize & mask;
            while self.slots[at].row != 0 {
                at = (at + 1) & mask;
            }
            self.slots[at] = slot;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_insert_wins_and_growth_keeps_every_key() {
        let keys: Vec<String> = (0..1000).map(|i| format!("key-{i}")).collect();
        let key_of = |row: u32| keys[row as usize].as_str();
        let mut index = StrIndex::with_capacity(4);
        for row in 0..keys.len() as u32 {
            assert_eq!(index.insert(key_of(row), row, key_of), None);
        }
        assert_eq!(index.len(), 1000);
        assert_eq!(index.insert("key-7", 999, key_of), Some(7));
        for (row, key) in keys.iter().enumerate() {
            assert_eq!(index.get(key, key_of), Some(row as u32));
        }
        assert_eq!(index.get("key-1000", key_of), None);
        assert_eq!(index.get("", key_of), None);
        let wanted: Vec<String> = (0..1100).rev().map(|i| format!("key-{i}")).collect();
        let mut out = vec![0; wanted.len()];
        index.get_many(|i| wanted[i].as_str(), key_of, &mut out);
        for (i, row) in out.iter().enumerate() {
            let expected = index.get(&wanted[i], key_of).unwrap_or(NONE);
            assert_eq!(*row, expected, "{}", wanted[i]);
        }
        assert_eq!(out.iter().filter(|r| **r == NONE).count(), 100);

        // Many at once: the same as one by one, repeats included.
        let more: Vec<String> = ["a", "b", "a", "key-3", "c"].map(String::from).into();
        let all: Vec<String> = keys.iter().chain(&more).cloned().collect();
        let key_of = |row: u32| all[row as usize].as_str();
        let mut out = vec![0; more.len()];
        index.insert_many(|i| more[i].as_str(), 1000, key_of, &mut out);
        assert_eq!(out, [NONE, NONE, 1000, 3, NONE]);
        assert_eq!(index.get("c", key_of), Some(1004));
    }
}
