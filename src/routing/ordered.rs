//! The ordered sets behind the distributor's indexes: ready agents per queue
//! and waiting work per class.

use std::collections::BTreeSet;

/// Where an entry of an [`OrderedSet`] lives: a slot of its run, or [`IN_TREE`].
pub(super) type Place = u32;
/// The place of entries kept in the tree.
pub(super) const IN_TREE: Place = Place::MAX;

/// An ordered set for keys that mostly arrive above every key before them
/// and leave from anywhere: agents come back to a queue with the newest idle
/// time, work joins a class behind what already waits.
///
/// A key above the last one of the run is appended to the run, a vector in
/// key order, and the place returned lets it be taken out again in constant
/// time: its slot becomes a hole. Any other key goes to a B-tree, which
/// keeps the worst case logarithmic. Reading merges the two.
///
/// Appending writes next to the last write and a removal touches one slot,
/// so under load the set costs about one cache miss per change. Holes at
/// the front are skipped for good; once holes outnumber the keys the run is
/// compacted, which moves keys to new places that the owner must be told
/// about (see [`OrderedSet::compact`]).
#[derive(Debug)]
pub(super) struct OrderedSet<K> {
    run: Vec<Option<K>>,
    /// The first slot of the run that may hold a key; every slot before it is a hole.
    start: usize,
    /// Keys in the run.
    listed: usize,
    /// The run's last key: a new key above it is appended.
    last: Option<K>,
    tree: BTreeSet<K>,
}

impl<K: Ord + Copy> OrderedSet<K> {
    pub(super) fn new() -> Self {
        Self { run: Vec::new(), start: 0, listed: 0, last: None, tree: BTreeSet::new() }
    }

    pub(super) fn len(&self) -> usize {
        self.listed + self.tree.len()
    }

    /// Adds a key that is not in the set; returns its place for [`OrderedSet::remove`].
    pub(super) fn insert(&mut self, key: K) -> Place {
        if self.last.is_some_and(|last| last >= key) || self.run.len() >= IN_TREE as usize {
            self.tree.insert(key);
            return IN_TREE;
        }
        self.run.push(Some(key));
        self.last = Some(key);
        self.listed += 1;
        (self.run.len() - 1) as Place
    }

    pub(super) fn contains(&self, key: &K, place: Place) -> bool {
        if place == IN_TREE {
            self.tree.contains(key)
        } else {
            self.run.get(place as usize).is_some_and(|slot| slot.as_ref() == Some(key))
        }
    }

    /// Takes out a key given the place its insert returned; false if it was not there.
    pub(super) fn remove(&mut self, key: &K, place: Place) -> bool {
        if place == IN_TREE {
            return self.tree.remove(key);
        }
        if !self.contains(key, place) {
            return false;
        }
        self.run[place as usize] = None;
        self.listed -= 1;
        if self.listed == 0 {
            self.run.clear();
            self.start = 0;
            self.last = None;
        } else if place as usize == self.start {
            while self.run[self.start].is_none() {
                self.start += 1;
            }
        } else if place as usize == self.run.len() - 1 {
            while self.run.last().is_some_and(Option::is_none) {
                self.run.pop();
            }
            self.last = self.run.last().copied().flatten();
        }
        true
    }

    pub(super) fn first(&self) -> Option<K> {
        let listed = self.run.get(self.start).copied().flatten();
        match (listed, self.tree.first()) {
            (Some(listed), Some(&tree)) => Some(listed.min(tree)),
            (listed, tree) => listed.or(tree.copied()),
        }
    }

    pub(super) fn clear(&mut self) {
        *self = Self::new();
    }

    /// Whether holes have grown enough that [`OrderedSet::compact`] should run.
    pub(super) fn wants_compaction(&self) -> bool {
        self.run.len() >= 4 * self.listed + 64
    }

    /// Closes the holes of the run. Keys move: each moved key and its new
    /// place are pushed to `moved`, for the owner to update where it keeps places.
    pub(super) fn compact(&mut self, moved: &mut Vec<(K, Place)>) {
        let mut to = 0;
        for from in self.start..self.run.len() {
            if let Some(key) = self.run[from] {
                self.run[to] = Some(key);
                moved.push((key, to as Place));
                to += 1;
            }
        }
        self.run.truncate(to);
        self.start = 0;
    }

    /// The keys in order.
    pub(super) fn iter(&self) -> OrderedIter<'_, K> {
        OrderedIter { run: &self.run[self.start..], tree: self.tree.iter().peekable() }
    }
}

/// The keys of an [`OrderedSet`] in order.
pub(super) struct OrderedIter<'a, K> {
    run: &'a [Option<K>],
    tree: std::iter::Peekable<std::collections::btree_set::Iter<'a, K>>,
}

impl<K: Ord + Copy> Iterator for OrderedIter<'_, K> {
    type Item = K;

    fn next(&mut self) -> Option<K> {
        while let [None, rest @ ..] = self.run {
            self.run = rest;
        }
        match (self.run.first().copied().flatten(), self.tree.peek()) {
            (Some(listed), Some(&&tree)) if tree < listed => {
                self.tree.next();
                Some(tree)
            }
            (Some(listed), _) => {
                self.run = &self.run[1..];
                Some(listed)
            }
            (None, _) => self.tree.next().copied(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u16),
        Remove(usize),
    }

    proptest! {
        /// Any mix of appends, out-of-order keys, removals and compactions
        /// keeps the set equal to a plain sorted set, with every place valid.
        #[test]
        fn behaves_like_a_sorted_set(ops in prop::collection::vec(
            prop_oneof![3 => any::<u16>().prop_map(Op::Insert), 2 => any::<usize>().prop_map(Op::Remove)],
            0..400,
        )) {
            let mut set = OrderedSet::new();
            let mut model: BTreeMap<u16, Place> = BTreeMap::new();
            let mut counter = 0u16;
            for op in ops {
                match op {
                    Op::Insert(jump) => {
                        // Mostly rising keys, as in use, with some that are not.
                        counter = counter.wrapping_add(jump % 4);
                        let key = if jump % 7 == 0 { jump } else { counter };
                        model.entry(key).or_insert_with(|| set.insert(key));
                        if set.wants_compaction() {
                            let mut moved = Vec::new();
                            set.compact(&mut moved);
                            for (key, place) in moved {
                                model.insert(key, place);
                            }
                        }
                        prop_assert!(!set.wants_compaction());
                    }
                    Op::Remove(n) => {
                        if let Some((&key, &place)) = model.iter().nth(n % model.len().max(1)) {
                            prop_assert!(set.remove(&key, place));
                            model.remove(&key);
                            prop_assert!(!set.remove(&key, place));
                        }
                    }
                }
                prop_assert_eq!(set.len(), model.len());
                prop_assert_eq!(set.iter().collect::<Vec<_>>(), model.keys().copied().collect::<Vec<_>>());
                prop_assert_eq!(set.first(), model.keys().next().copied());
                for (key, place) in &model {
                    prop_assert!(set.contains(key, *place));
                }
            }
        }
    }

    #[test]
    fn rising_keys_stay_in_the_run_and_holes_are_reclaimed() {
        let mut set = OrderedSet::new();
        let mut places = Vec::new();
        for key in 0..1000u32 {
            places.push(set.insert(key));
        }
        assert!(places.iter().all(|&p| p != IN_TREE));
        // Take out all but every tenth: the holes are closed by compaction.
        for (key, &place) in places.iter().enumerate() {
            if key % 10 != 0 {
                assert!(set.remove(&(key as u32), place));
            }
        }
        assert!(set.wants_compaction());
        let mut moved = Vec::new();
        set.compact(&mut moved);
        assert_eq!(moved.len(), 100);
        assert_eq!(set.iter().collect::<Vec<_>>(), (0..1000).step_by(10).collect::<Vec<u32>>());
        assert!(moved.iter().all(|(key, place)| set.contains(key, *place)));
    }
}
