//! A review as the list shows it, cleaned, in a compact binary form the cache stores beside the
//! raw JSON: reading a million cached reviews back then costs no JSON parse and no second
//! cleaning (the parse was 14,000 instructions a review and the cleaning 5,600; BENCHMARKS.md).
//!
//! The form, version 1: one version byte, a little-endian `u32` saying which fields are present
//! (bit `k` for the `k`-th field of [`form_fields`]), then each present field in that order: a
//! string as a varint length and its UTF-8 bytes, a number as a zig-zag varint, a flag as one
//! byte. `extra` (fields this version does not know, such as a Commerce review's moderation) is
//! its JSON text, as a string.
//!
//! The form is only ever written by [`encode`] from a cleaned review, but a file can be edited:
//! [`decode`] checks every cleaned field with a byte scan equivalent to
//! [`crate::sanitize::is_forbidden`] and cleans the review again if one fails it.

use super::Review;
use crate::sanitize::{sanitize_line, sanitize_text};

/// The first byte of every form this version writes. Rows with another first byte are read
/// from their JSON (see `Db::scan_reviews`).
pub const FORM_VERSION: u8 = 1;

/// The cleaned fields, once for [`sanitize_review`] and the check of [`decode`]: those shown with
/// their line breaks (`text`), and those shown on one line (`line`).
macro_rules! cleaned_fields {
    ($m:ident) => {
        $m! {
            text: review_title, review_text, response_text;
            line: reviewer_name, market, package_version, device_model, device_type, os_version, date,
                application_name;
        }
    };
}

/// Replaces `field` with its cleaned form when it fails the rule ([`is_clean`]).
fn clean_field<S>(field: &mut Option<S>, multi_line: bool)
where
    S: std::ops::Deref<Target = str> + From<String>,
{
    if let Some(s) = field.as_mut()
        && !is_clean(s, multi_line)
    {
        let cleaned = if multi_line { sanitize_text(s) } else { sanitize_line(s) };
        *s = S::from(cleaned);
    }
}

macro_rules! define_cleaning {
    (text: $($text:ident),*; line: $($line:ident),*;) => {
        /// Review text is written by strangers: it is cleaned once, where it enters the UI model
        /// (and before it is stored in the list form).
        pub fn sanitize_review(r: &mut Review) {
            $( clean_field(&mut r.$text, true); )*
            $( clean_field(&mut r.$line, false); )*
        }

        /// Whether [`sanitize_review`] would leave `r` as it is.
        fn is_cleaned(r: &Review) -> bool {
            $( r.$text.as_deref().is_none_or(|s| is_clean(s, true)) && )*
            $( r.$line.as_deref().is_none_or(|s| is_clean(s, false)) && )*
            true
        }
    };
}

cleaned_fields!(define_cleaning);

/// Whether every byte is printable ASCII (or `\n`, when `multi_line`): clean without a closer
/// look. Most review text is; the test runs over 16 bytes at a time with no branch per byte,
/// which the compiler turns into vector instructions (the exact scan below costs a branch per
/// byte: 2,800 instructions a review).
fn plain_ascii(b: &[u8], multi_line: bool) -> bool {
    let plain = |c: u8| (c.wrapping_sub(0x20) < 0x5f) | (multi_line & (c == b'\n'));
    let mut chunks = b.chunks_exact(16);
    let whole = chunks.by_ref().all(|c| c.iter().fold(true, |ok, &x| ok & plain(x)));
    whole && chunks.remainder().iter().all(|&x| plain(x))
}

/// Whether `s` passes [`sanitize_review`] unchanged (`multi_line`: as a text field, where line
/// breaks stay), decided on the UTF-8 bytes: no C0 control but `\n` (when allowed), no DEL, no
/// C1 control (`C2 80..9F`), no bidi control (U+061C `D8 9C`, U+200E/F `E2 80 8E/8F`,
/// U+202A..E `E2 80 AA..AE`, U+2066..9 `E2 81 A6..A9`). Printable ASCII is passed at once; the
/// rest by a plain byte loop, a fraction of decoding the characters.
pub fn is_clean(s: &str, multi_line: bool) -> bool {
    plain_ascii(s.as_bytes(), multi_line) || clean_bytes(s.as_bytes(), multi_line)
}

/// The exact rule of [`is_clean`], a byte at a time.
fn clean_bytes(b: &[u8], multi_line: bool) -> bool {
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let bad = match c {
            b'\n' => !multi_line,
            0x00..=0x1f | 0x7f => true,
            0xc2 => matches!(b.get(i + 1), Some(0x80..=0x9f)),
            0xd8 => b.get(i + 1) == Some(&0x9c),
            0xe2 => matches!(
                (b.get(i + 1), b.get(i + 2)),
                (Some(0x80), Some(0x8e | 0x8f | 0xaa..=0xae)) | (Some(0x81), Some(0xa6..=0xa9))
            ),
            _ => false,
        };
        if bad {
            return false;
        }
        i += 1;
    }
    true
}

/// Every field of the form, in its order: the kind and the `Review` field. Encoding and decoding
/// both go through this one list.
macro_rules! form_fields {
    ($m:ident) => {
        $m! {
            str id, str date, int timestamp, str application_id, str application_name, str market,
            str os_version, str device_type, bool is_revised, str package_version, str device_model,
            str product_family, int32 device_ram, str device_screen_resolution,
            int32 device_storage_capacity, bool is_touch_enabled, str reviewer_name, int rating,
            str review_title, str review_text, int32 helpful_count, int32 not_helpful_count,
            str response_date, int response_timestamp, str response_text,
        }
    };
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

macro_rules! put_value {
    ($out:ident str $v:expr) => {
        put_str($out, $v)
    };
    ($out:ident int $v:expr) => {
        put_varint($out, ((*$v << 1) ^ (*$v >> 63)) as u64)
    };
    ($out:ident int32 $v:expr) => {
        put_value!($out int &i64::from(*$v))
    };
    ($out:ident bool $v:expr) => {
        $out.push(u8::from(*$v))
    };
}

macro_rules! define_encode {
    ($($kind:ident $field:ident,)*) => {
        /// The list form of `r`, which must be cleaned already ([`sanitize_review`]).
        pub fn encode(r: &Review) -> Vec<u8> {
            let mut out = Vec::with_capacity(256);
            out.push(FORM_VERSION);
            out.extend_from_slice(&[0; 4]);
            let mut present = 0u32;
            let mut bit = 0;
            let out_ref = &mut out;
            $(
                if let Some(v) = &r.$field {
                    present |= 1 << bit;
                    put_value!(out_ref $kind v);
                }
                bit += 1;
            )*
            if let Some(extra) = &r.extra {
                present |= 1 << bit;
                put_str(out_ref, &serde_json::to_string(extra).unwrap_or_default());
            }
            out[1..5].copy_from_slice(&present.to_le_bytes());
            out
        }
    };
}

form_fields!(define_encode);

/// Reads a form back, checking as it goes; any fault (a truncated or foreign form) is `None`.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = self.bytes.split_first()?;
            self.bytes = rest;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(v);
            }
        }
        None
    }

    fn str(&mut self) -> Option<&'a str> {
        let n = usize::try_from(self.varint()?).ok()?;
        if n > self.bytes.len() {
            return None;
        }
        let (s, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        std::str::from_utf8(s).ok()
    }

    fn int(&mut self) -> Option<i64> {
        let z = self.varint()?;
        Some(((z >> 1) as i64) ^ -((z & 1) as i64))
    }

    fn bool(&mut self) -> Option<bool> {
        let (&b, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        match b {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
}

macro_rules! get_value {
    // Straight into the field's type: a `CompactString` of up to 24 bytes allocates nothing.
    ($reader:ident str) => {
        Some($reader.str()?.into())
    };
    ($reader:ident int) => {
        Some($reader.int()?)
    };
    // Beyond 32 bits (a form written when the field was 64-bit): no known value, as reading the
    // review's JSON gives.
    ($reader:ident int32) => {
        i32::try_from($reader.int()?).ok()
    };
    ($reader:ident bool) => {
        Some($reader.bool()?)
    };
}

macro_rules! define_decode {
    ($($kind:ident $field:ident,)*) => {
        /// The review a form holds, cleaned; `None` if it is not a form of this version or is
        /// damaged (the caller reads the review's JSON instead, or skips it).
        pub fn decode(bytes: &[u8]) -> Option<Review> {
            let (&version, rest) = bytes.split_first()?;
            if version != FORM_VERSION || rest.len() < 4 {
                return None;
            }
            let present = u32::from_le_bytes(rest[..4].try_into().ok()?);
            let mut reader = Reader { bytes: &rest[4..] };
            let mut r = Review::default();
            let mut bit = 0;
            $(
                if present & (1 << bit) != 0 {
                    r.$field = get_value!(reader $kind);
                }
                bit += 1;
            )*
            if present & (1 << bit) != 0 {
                r.extra = Some(serde_json::from_str(reader.str()?).ok()?);
            }
            if !reader.bytes.is_empty() || present >> (bit + 1) != 0 {
                return None;
            }
            if !is_cleaned(&r) {
                sanitize_review(&mut r);
            }
            Some(r)
        }
    };
}

form_fields!(define_decode);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sanitize::is_forbidden;

    /// Every field set, each to something of its own: a field left out of the form would come
    /// back `None` or another field's value. (A field added to `Review` fails to compile here.)
    fn full() -> Review {
        let mut extra = serde_json::Map::new();
        extra.insert(
            "moderation".into(),
            serde_json::json!({"state": "Approved", "n": [1, 2]}),
        );
        Review {
            id: Some("id-1".into()),
            date: Some("2026-11-30T10:00:00".into()),
            timestamp: Some(1_796_032_800),
            application_id: Some("9NBLGGH4R315".into()),
            application_name: Some("Contoso Notes".into()),
            market: Some("DE".into()),
            os_version: Some("10.0.22631".into()),
            device_type: Some("PC".into()),
            is_revised: Some(true),
            package_version: Some("3.4.1.0".into()),
            device_model: Some("Surface Laptop 5".into()),
            product_family: Some("Windows.Desktop".into()),
            device_ram: Some(16_384),
            device_screen_resolution: Some("2256 x 1504".into()),
            device_storage_capacity: Some(i32::MIN),
            is_touch_enabled: Some(false),
            reviewer_name: Some("Léa".into()),
            rating: Some(i64::MIN),
            review_title: Some("Absturz — „bitte“".into()),
            review_text: Some("line one\nline two 😀".into()),
            helpful_count: Some(i32::MAX),
            not_helpful_count: Some(0),
            response_date: Some("2026-11-30T11:00:00".into()),
            response_timestamp: Some(1_796_036_400),
            response_text: Some("".into()),
            extra: Some(Box::new(extra)),
        }
    }

    #[test]
    fn every_field_comes_back_as_it_went_in() {
        let r = full();
        assert_eq!(decode(&encode(&r)), Some(r));
        let empty = Review::default();
        assert_eq!(decode(&encode(&empty)), Some(empty));
        let some = Review {
            rating: Some(3),
            review_text: Some("x".into()),
            ..Review::default()
        };
        assert_eq!(decode(&encode(&some)), Some(some));
    }

    #[test]
    fn a_damaged_or_foreign_form_is_refused_not_misread() {
        let bytes = encode(&full());
        for cut in 0..bytes.len() {
            assert_eq!(decode(&bytes[..cut]), None, "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode(&longer), None);
        let mut other = bytes.clone();
        other[0] = FORM_VERSION + 1;
        assert_eq!(decode(&other), None);
        let mut unknown_bit = bytes;
        unknown_bit[4] |= 0x80;
        assert_eq!(decode(&unknown_bit), None);
    }

    /// A form written by anyone but [`encode`] of a cleaned review (an edited file) is cleaned
    /// again on the way out: no escape sequence reaches the list.
    #[test]
    fn a_hostile_form_is_cleaned_on_the_way_out() {
        let hostile = Review {
            review_title: Some("\u{1b}]52;c;aGk=\u{7}title".into()),
            review_text: Some("a\u{202e}b\r\nc".into()),
            reviewer_name: Some("two\nlines".into()),
            market: Some("U\u{9b}2JS".into()),
            ..Review::default()
        };
        let got = decode(&encode(&hostile)).unwrap();
        let mut want = hostile.clone();
        sanitize_review(&mut want);
        assert_ne!(got, hostile);
        assert_eq!(got, want);
    }

    /// A form written while the counts were 64-bit reads back, a value beyond 32 bits as no
    /// value (as the review's JSON reads), the fields around it as they were.
    #[test]
    fn a_count_beyond_32_bits_reads_as_unknown() {
        // id (bit 0), device_ram (bit 12) = 2^33, rating (bit 17) = 4.
        let mut form = vec![FORM_VERSION];
        form.extend_from_slice(&(1u32 | 1 << 12 | 1 << 17).to_le_bytes());
        put_str(&mut form, "old");
        put_varint(&mut form, (1u64 << 33) << 1);
        put_varint(&mut form, 4 << 1);
        let r = decode(&form).expect("an old form reads");
        assert_eq!((r.id.as_deref(), r.device_ram, r.rating), (Some("old"), None, Some(4)));
        let mut fits = form.clone();
        fits.truncate(5);
        put_str(&mut fits, "old");
        put_varint(&mut fits, 2048 << 1);
        put_varint(&mut fits, 4 << 1);
        assert_eq!(decode(&fits).unwrap().device_ram, Some(2048));
    }

    /// The printable-ASCII pass never lets through what the exact scan refuses, in the 16-byte
    /// blocks or the tail, and it passes plain text (else it saves nothing).
    #[test]
    fn the_ascii_pass_agrees_with_the_exact_scan() {
        for len in [1, 15, 16, 17, 31, 32, 40] {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut s = vec![b'a'; len];
                    s[at] = b;
                    for multi_line in [true, false] {
                        if plain_ascii(&s, multi_line) {
                            assert!(clean_bytes(&s, multi_line), "{b:#x} at {at} of {len}");
                        } else {
                            let printable = (0x20..0x7f).contains(&b) || (multi_line && b == b'\n');
                            assert!(!printable, "{b:#x} at {at} of {len} is plain");
                        }
                    }
                }
            }
        }
    }

    /// The byte scan agrees with the character rule for every character, alone and between
    /// others, in both kinds of field.
    #[test]
    fn the_byte_scan_is_the_character_rule() {
        let mut checked = 0;
        for c in (0..=0x10ffff_u32).filter_map(char::from_u32) {
            let forbidden = is_forbidden(c) || c == '\r' || c == '\t';
            for s in [c.to_string(), format!("a{c}b")] {
                assert_eq!(is_clean(&s, true), !forbidden, "{:#x} in a text", c as u32);
                assert_eq!(
                    is_clean(&s, false),
                    !forbidden && c != '\n',
                    "{:#x} on a line",
                    c as u32
                );
            }
            checked += 1;
        }
        assert!(checked > 1_000_000);
    }
}
