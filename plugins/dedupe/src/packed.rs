//! Compact JSON for the numbers of a sharding key ([`crate::index::UnitSig`]): a list of
//! fixed-width integers as one string, their little-endian bytes in base64 (RFC 4648
//! standard alphabet, no padding).
//!
//! A MinHash value as a JSON number takes about 11 bytes and a shingle hash about 21; packed
//! they take 5.3 and 10.7, which halves the keys a resolve process reads (they are mostly
//! signatures and shingles). A 128-bit fingerprint is one such string too: a JSON number
//! cannot carry it through `serde_json::Value` (integers above `u64::MAX` are refused
//! without serde_json's `arbitrary_precision`, which the workspace does not enable).

use serde::de::Error;
use serde::{Deserialize, Deserializer, Serializer};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `bytes` in base64 without padding.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for k in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * k)) & 63) as usize]));
        }
    }
    out
}

/// The bytes of an [`encode`]d string; `None` for a character outside the alphabet, a
/// length no encoding has, or stray bits in the last character.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| ALPHABET.iter().position(|&a| a == c).map(|v| v as u32);
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.as_bytes().chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let mut n = 0u32;
        for (k, &c) in chunk.iter().enumerate() {
            n |= value(c)? << (18 - 6 * k);
        }
        let len = chunk.len() - 1;
        if n & (0xFF_FFFF >> (8 * len)) != 0 {
            return None;
        }
        out.extend((0..len).map(|i| (n >> (16 - 8 * i)) as u8));
    }
    Some(out)
}

/// Integers of one width as little-endian bytes.
pub trait Packable: Sized + Copy {
    /// Bytes per value.
    const WIDTH: usize;
    /// Appends the value's bytes.
    fn put(self, out: &mut Vec<u8>);
    /// The value of `WIDTH` bytes.
    fn get(bytes: &[u8]) -> Self;
}

macro_rules! packable {
    ($($t:ty),*) => {$(
        impl Packable for $t {
            const WIDTH: usize = std::mem::size_of::<$t>();
            fn put(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn get(bytes: &[u8]) -> Self {
                let mut a = [0u8; std::mem::size_of::<$t>()];
                a.copy_from_slice(bytes);
                <$t>::from_le_bytes(a)
            }
        }
    )*};
}
packable!(u32, u64, u128);

/// `values` as one packed string.
pub fn pack<T: Packable>(values: &[T]) -> String {
    let mut bytes = Vec::with_capacity(values.len() * T::WIDTH);
    for &v in values {
        v.put(&mut bytes);
    }
    encode(&bytes)
}

/// The values of a [`pack`]ed string.
pub fn unpack<T: Packable>(text: &str) -> Option<Vec<T>> {
    let bytes = decode(text)?;
    (bytes.len() % T::WIDTH == 0).then(|| bytes.chunks(T::WIDTH).map(T::get).collect())
}

/// `#[serde(with = "packed::list")]` for a `Vec` of packable integers.
pub mod list {
    use super::*;

    /// Serialises as one packed string.
    pub fn serialize<T: Packable, S: Serializer>(values: &[T], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&pack(values))
    }

    /// Reads a packed string.
    pub fn deserialize<'de, T: Packable, D: Deserializer<'de>>(d: D) -> Result<Vec<T>, D::Error> {
        let text = String::deserialize(d)?;
        unpack(&text).ok_or_else(|| D::Error::custom(format!("not a packed list of {}-byte integers", T::WIDTH)))
    }
}

/// `#[serde(with = "packed::one")]` for one packable integer.
pub mod one {
    use super::*;

    /// Serialises as a packed string of one value.
    pub fn serialize<T: Packable, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&pack(std::slice::from_ref(value)))
    }

    /// Reads a packed string of exactly one value.
    pub fn deserialize<'de, T: Packable, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        let text = String::deserialize(d)?;
        match unpack::<T>(&text).as_deref() {
            Some(&[v]) => Ok(v),
            _ => Err(D::Error::custom(format!("not a packed {}-byte integer", T::WIDTH))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_encodings() {
        // RFC 4648 test vectors, without padding.
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), coded);
            assert_eq!(decode(coded).unwrap(), plain.as_bytes());
        }
        for bad in ["Z", "Zm9vY", "Zh", "Zm9", "Zm!v", "Zm9v=", "Zm8="] {
            assert_eq!(decode(bad), None, "{bad}");
        }
        assert_eq!(pack(&[u128::MAX]).len(), 22);
        assert_eq!(unpack::<u64>(&pack(&[1u32])), None, "4 bytes are no u64");
    }

    proptest! {
        #[test]
        fn round_trips(bytes in prop::collection::vec(any::<u8>(), 0..64), v32 in prop::collection::vec(any::<u32>(), 0..40), v64 in prop::collection::vec(any::<u64>(), 0..40), fp in any::<u128>()) {
            prop_assert_eq!(decode(&encode(&bytes)), Some(bytes));
            prop_assert_eq!(unpack(&pack(&v32)), Some(v32));
            prop_assert_eq!(unpack(&pack(&v64)), Some(v64));
            prop_assert_eq!(unpack(&pack(&[fp])), Some(vec![fp]));
        }
    }
}
