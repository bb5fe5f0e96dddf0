//! Lower-casing outside ASCII: Unicode's full default mapping (SpecialCasing's
//! unconditional entries and the final sigma included, no language's rules).
//!
//! Natively it is std's `str::to_lowercase`. In wasm it is the runtime's
//! `String.prototype.toLowerCase` (V8's, in workerd and in browsers), which implements the
//! same mapping, so the `.wasm` carries no case tables. [`CASE_VECTORS`] is checked both ways
//! (a native test, and the SDK's browser test in Chromium). Every lower-casing in core goes
//! through here: `test_layering_lowercase_goes_through_validate_case` refuses any other.

/// `s` lower-cased.
pub fn lower(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    imp::lower(s)
}

/// `c` lower-cased alone (no neighbour to decide a final sigma by), pushed onto `out`.
pub fn push_lower(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else {
        out.push_str(&imp::lower(c.encode_utf8(&mut [0; 4])));
    }
}

/// The first of [`CASE_VECTORS`] this build lower-cases otherwise, whole or character by
/// character (where only a final sigma may differ), with what it gave; `None` when all agree.
/// The native test and the SDK's browser test both ask it.
pub fn case_vectors_mismatch() -> Option<(&'static str, String)> {
    CASE_VECTORS.iter().find_map(|(input, want)| {
        let whole = lower(input);
        let mut each = String::new();
        input.chars().for_each(|c| push_lower(&mut each, c));
        let sigma = |s: &str| s.replace('σ', "ς");
        (whole != *want || sigma(&each) != sigma(want))
            .then(|| (*input, format!("{whole} / {each}")))
    })
}

/// Inputs and their lower case, as both sides must give them.
pub const CASE_VECTORS: &[(&str, &str)] = &[
    ("Alice.Smith@Example.COM", "alice.smith@example.com"),
    ("ÉLODIE Ørsted", "élodie ørsted"),
    // ß has no one-letter capital here; ẞ lower-cases to it.
    ("STRAẞE straße", "straße straße"),
    // İ is i and a combining dot above (SpecialCasing, unconditional); I is i everywhere.
    ("İSTANBUL ISPARTA", "i\u{307}stanbul isparta"),
    // Final sigma: σ inside a word, ς at its end.
    ("ΟΔΥΣΣΕΥΣ", "οδυσσευς"),
    ("ΣΑΣ Σ", "σας σ"),
    ("ǅemal ǄEMAL", "ǆemal ǆemal"),
    ("КИРИЛЛИЦА Ѐ", "кириллица ѐ"),
    ("ԱՐԱՄ", "արամ"),
    // Georgian Mtavruli (Unicode 11) and Cherokee (lower case since Unicode 8).
    (
        "\u{1c90}\u{1c91}\u{1c92} \u{13a0}",
        "\u{10d0}\u{10d1}\u{10d2} \u{ab70}",
    ),
    // Outside the Basic Multilingual Plane: Deseret and Adlam.
    (
        "\u{10400}\u{10401} \u{1e900}",
        "\u{10428}\u{10429} \u{1e922}",
    ),
    // Signs that lower-case into letters.
    ("\u{212A} \u{212B} \u{2126}", "k \u{e5} \u{3c9}"),
    ("\u{216b}\u{24b6}", "\u{217b}\u{24d0}"),
    // Nothing to change.
    ("日本語 한국어 ١٢٣ ✓", "日本語 한국어 ١٢٣ ✓"),
    ("", ""),
];

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    pub fn lower(s: &str) -> String {
        // The one call std's tables are reached by: see the module's doc.
        s.to_lowercase()
    }
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use js_sys::JsString;

    pub fn lower(s: &str) -> String {
        String::from(JsString::from(s).to_lower_case())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_case_vectors_lower_case_as_given() {
        assert_eq!(case_vectors_mismatch(), None);
        // The check can fail: a vector of another case is found.
        assert_eq!(lower("ΟΔΟΣ"), "οδος");
        assert_ne!(lower("ΟΔΟΣ"), "οδοσ");
    }
}
