//! Randomness and identifiers. The caller injects the random source, so tests are repeatable
//! and the worker uses the runtime's CSPRNG.

/// A cryptographically secure random source, provided by the caller.
pub trait Rng {
    /// Fills `buf` with random bytes. Implementations must not fail silently.
    fn fill(&mut self, buf: &mut [u8]);

    fn bytes<const N: usize>(&mut self) -> [u8; N]
    where
        Self: Sized,
    {
        let mut out = [0u8; N];
        self.fill(&mut out);
        out
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// A time-ordered UUIDv7 (RFC 9562) for `now_ms`, hyphenated.
pub fn uuid_v7(now_ms: i64, rng: &mut impl Rng) -> String {
    let mut b: [u8; 16] = rng.bytes();
    let ms = u64::try_from(now_ms).unwrap_or(0).to_be_bytes();
    b[..6].copy_from_slice(&ms[2..8]);
    b[6] = 0x70 | (b[6] & 0x0f);
    b[8] = 0x80 | (b[8] & 0x3f);
    let h = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// True for a canonical hyphenated UUID (any version), lower or upper case.
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A deterministic generator for tests (SplitMix64). Not for production use.
#[derive(Debug, Clone)]
pub struct TestRng(pub u64);

impl Rng for TestRng {
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_uuid_v7_layout_and_order() {
        let mut rng = TestRng(1);
        let a = uuid_v7(1_700_000_000_000, &mut rng);
        let b = uuid_v7(1_700_000_000_001, &mut rng);
        assert!(is_uuid(&a), "{a}");
        assert_eq!(&a[14..15], "7", "version nibble");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "variant");
        assert!(a < b, "time-ordered");
        assert_eq!(&a[..13], "018bcfe5-6800");
    }

    #[test]
    fn test_is_uuid_rejects_malformed() {
        assert!(!is_uuid("not-a-uuid"));
        assert!(!is_uuid("018bcfe5-6800-7000-8000-00000000000g"));
        assert!(!is_uuid("018bcfe5x6800-7000-8000-000000000000"));
        assert!(is_uuid("018BCFE5-6800-7000-8000-000000000000"));
    }

    #[test]
    fn test_hex() {
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
    }
}
