//! Tables indexed by an enum: a value per number kind, per end state, per cost part, per
//! protocol. The enum lists its variants once ([`Key::ALL`]); a table is an array of that
//! length, so a new variant is a compile error wherever a table is written out in full,
//! and nothing is indexed by a bare position.

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// An enum whose variants index a [`Table`].
pub trait Key: Copy + 'static {
    /// Every variant, in table order.
    const ALL: &'static [Self];
    /// The variant's position in [`Key::ALL`].
    fn index(self) -> usize;
}

/// One `T` per variant of `K` (`N` is `K::ALL.len()`: each key's module asserts it at
/// compile time, and tests that `ALL[i].index() == i`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Table<K: Key, T, const N: usize> {
    values: [T; N],
    key: PhantomData<K>,
}

impl<K: Key, T, const N: usize> Table<K, T, N> {
    /// The table with `f(k)` for every key.
    pub fn from_fn(mut f: impl FnMut(K) -> T) -> Self {
        debug_assert_eq!(K::ALL.len(), N);
        Self { values: std::array::from_fn(|i| f(K::ALL[i])), key: PhantomData }
    }

    /// The table from values written out in [`Key::ALL`] order.
    pub const fn new(values: [T; N]) -> Self {
        Self { values, key: PhantomData }
    }

    /// Every key with its value, in table order.
    pub fn iter(&self) -> impl Iterator<Item = (K, &T)> {
        K::ALL.iter().copied().zip(self.values.iter())
    }

    /// The values in table order.
    pub fn values(&self) -> &[T; N] {
        &self.values
    }

    /// A table of `f` applied to every value.
    pub fn map<U>(&self, mut f: impl FnMut(&T) -> U) -> Table<K, U, N> {
        Table { values: std::array::from_fn(|i| f(&self.values[i])), key: PhantomData }
    }
}

impl<K: Key, T: Default, const N: usize> Default for Table<K, T, N> {
    fn default() -> Self {
        Self::from_fn(|_| T::default())
    }
}

impl<K: Key, T, const N: usize> Index<K> for Table<K, T, N> {
    type Output = T;
    #[inline]
    fn index(&self, k: K) -> &T {
        &self.values[k.index()]
    }
}

impl<K: Key, T, const N: usize> IndexMut<K> for Table<K, T, N> {
    #[inline]
    fn index_mut(&mut self, k: K) -> &mut T {
        &mut self.values[k.index()]
    }
}

impl<K: Key + fmt::Debug, T: fmt::Debug, const N: usize> fmt::Debug for Table<K, T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Serialised as a sequence in table order (shard files carry tables).
impl<K: Key, T: serde::Serialize, const N: usize> serde::Serialize for Table<K, T, N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(N))?;
        for v in &self.values {
            seq.serialize_element(v)?;
        }
        seq.end()
    }
}

impl<'de, K: Key, T: serde::Deserialize<'de>, const N: usize> serde::Deserialize<'de> for Table<K, T, N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<K, T, const N: usize>(PhantomData<(K, T)>);
        impl<'de, K: Key, T: serde::Deserialize<'de>, const N: usize> Visitor<'de> for V<K, T, N> {
            type Value = Table<K, T, N>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a list of {N} values")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut v = Vec::with_capacity(N);
                while let Some(x) = a.next_element()? {
                    v.push(x);
                }
                let len = v.len();
                let values: [T; N] = v.try_into().map_err(|_| de::Error::invalid_length(len, &self))?;
                Ok(Table::new(values))
            }
        }
        d.deserialize_seq(V::<K, T, N>(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Abc {
        A,
        B,
        C,
    }
    impl Key for Abc {
        const ALL: &'static [Self] = &[Abc::A, Abc::B, Abc::C];
        fn index(self) -> usize {
            self as usize
        }
    }

    #[test]
    fn indexed_by_key_and_serialised_in_order() {
        let mut t: Table<Abc, u32, 3> = Table::from_fn(|k: Abc| k.index() as u32 * 10);
        t[Abc::B] += 1;
        assert_eq!(t.values(), &[0, 11, 20]);
        assert_eq!(t.iter().map(|(k, _)| k).collect::<Vec<_>>(), vec![Abc::A, Abc::B, Abc::C]);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "[0,11,20]");
        let back: Table<Abc, u32, 3> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
        assert!(serde_json::from_str::<Table<Abc, u32, 3>>("[1,2]").is_err());
    }
}
