//! Maps keyed by a 64-bit hash that is already well mixed (a review id's, a word's): hashing it
//! again would only cost time, so the map's hasher hands the key through.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Hands an already-hashed `u64` key through.
#[derive(Default)]
pub struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; anything else is folded in, still correct.
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map from an already-hashed `u64` key.
pub type HashedKeyMap<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;
