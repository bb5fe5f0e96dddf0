//! The two Unicode properties the identifier profile reads: a character's general category
//! (as far as the profile tells them apart) and its script.
//!
//! Natively they come from icu_properties' tables. In wasm they come from the runtime's own
//! ICU through regular expressions (`\p{L}`, `\p{sc=Latn}`: V8 in workerd and in browsers),
//! so the `.wasm` carries no property tables. [`super::IDENTIFIER_VECTORS`] is checked both
//! ways. Where the runtime's Unicode is older than the tables, a character it does not know
//! is unassigned there, and refused.

/// What step 2 of the profile needs to know of a character outside ASCII.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Category {
    /// A letter (Lu Ll Lt Lm Lo) or a decimal digit (Nd).
    Letter,
    /// A non-spacing or spacing combining mark (Mn Mc).
    Mark,
    Control,
    /// Format characters: zero-width, bidirectional controls, tags.
    Format,
    /// Space, line and paragraph separators.
    Space,
    /// Private use, surrogate, unassigned.
    Unassigned,
    /// Everything else: symbols, punctuation, enclosing marks, other numbers.
    Symbol,
}

/// The ISO 15924 codes of every script with a character in Unicode 17, but Common (Zyyy),
/// Inherited (Zinh) and Unknown (Zzzz); the wasm side asks the runtime about each, the most
/// used first. `test_ucd_scripts_lists_every_script_of_the_tables` keeps it whole.
#[cfg(any(test, target_arch = "wasm32"))]
pub(super) const SCRIPTS: &[&str] = &[
    "Latn", "Cyrl", "Grek", "Hani", "Hira", "Kana", "Hang", "Arab", "Hebr", "Deva", "Thai", "Bopo",
    "Armn", "Geor", "Beng", "Taml", "Telu", "Knda", "Mlym", "Gujr", "Guru", "Orya", "Sinh", "Khmr",
    "Laoo", "Mymr", "Ethi", "Tibt", "Thaa", "Syrc", "Mong", "Cher", "Cans", "Yiii", "Seal", "Tang",
    "Egyp", "Xsux", "Jurc", "Sgnw", "Bamu", "Hluw", "Kits", "Nshu", "Lina", "Vaii", "Brai", "Mend",
    "Linb", "Pcun", "Plrd", "Dupl", "Copt", "Glag", "Bali", "Hmng", "Lana", "Brah", "Hung", "Shrd",
    "Cpmn", "Bhks", "Newa", "Sidd", "Medf", "Java", "Merc", "Tnsa", "Adlm", "Kawi", "Runr", "Gran",
    "Wara", "Cham", "Soyo", "Talu", "Saur", "Tirh", "Dsrt", "Tutg", "Modi", "Mtei", "Gonm", "Lepc",
    "Orkh", "Diak", "Osge", "Sund", "Tavt", "Zanb", "Cakm", "Hmnp", "Vith", "Gara", "Sind", "Khar",
    "Kthi", "Limb", "Marc", "Takr", "Ahom", "Khoj", "Nand", "Gong", "Nkoo", "Avst", "Samr", "Dogr",
    "Tfng", "Wcho", "Gukh", "Krai", "Pauc", "Batk", "Phag", "Cprt", "Tayo", "Tols", "Aghb", "Todr",
    "Mani", "Berf", "Rohg", "Xpeo", "Cari", "Lisu", "Olck", "Shaw", "Kali", "Yezi", "Sylo", "Onao",
    "Sunu", "Mroo", "Perm", "Nagm", "Sogd", "Elba", "Nbat", "Osma", "Sogo", "Ital", "Mahj", "Mult",
    "Rjng", "Bass", "Sora", "Tale", "Mero", "Narb", "Palm", "Sarb", "Armi", "Toto", "Ugar", "Bugi",
    "Prti", "Lyci", "Mand", "Ogam", "Phlp", "Phnx", "Chrs", "Goth", "Lydi", "Phli", "Hatr", "Ougr",
    "Sidt", "Maka", "Elym", "Tglg", "Hano", "Buhd", "Tagb",
];

/// The script of a character outside ASCII, by its ISO 15924 code; `None` for Common and
/// Inherited ones (digits, punctuation, combining marks that take their base's script),
/// which go with any script.
pub(super) fn script(c: char) -> Option<&'static str> {
    if c.is_ascii() {
        return c.is_ascii_alphabetic().then_some("Latn");
    }
    imp::script(c)
}

pub(super) use imp::category;

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use super::Category;
    use icu_properties::props::{GeneralCategory as Gc, Script};
    use icu_properties::{CodePointMapData, PropertyNamesShort};

    pub fn category(c: char) -> Category {
        match CodePointMapData::<Gc>::new().get(c) {
            Gc::UppercaseLetter
            | Gc::LowercaseLetter
            | Gc::TitlecaseLetter
            | Gc::ModifierLetter
            | Gc::OtherLetter
            | Gc::DecimalNumber => Category::Letter,
            Gc::NonspacingMark | Gc::SpacingMark => Category::Mark,
            Gc::Control => Category::Control,
            Gc::Format => Category::Format,
            Gc::SpaceSeparator | Gc::LineSeparator | Gc::ParagraphSeparator => Category::Space,
            Gc::PrivateUse | Gc::Surrogate | Gc::Unassigned => Category::Unassigned,
            _ => Category::Symbol,
        }
    }

    pub fn script(c: char) -> Option<&'static str> {
        match CodePointMapData::<Script>::new().get(c) {
            Script::Common | Script::Inherited => None,
            s => Some(PropertyNamesShort::<Script>::new().get(s).unwrap_or("Zzzz")),
        }
    }
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use super::{Category, SCRIPTS};
    use js_sys::wasm_bindgen::{JsCast, JsValue};
    use js_sys::{Array, Function, Reflect, RegExp};
    use std::cell::{OnceCell, RefCell};

    /// The categories the profile tells apart, in the order they are tried; what matches
    /// none is a symbol.
    const CATEGORIES: [(&str, Category); 6] = [
        (r"^[\p{L}\p{Nd}]$", Category::Letter),
        (r"^[\p{Mn}\p{Mc}]$", Category::Mark),
        (r"^\p{Cc}$", Category::Control),
        (r"^\p{Cf}$", Category::Format),
        (r"^[\p{Zs}\p{Zl}\p{Zp}]$", Category::Space),
        (r"^[\p{Co}\p{Cs}\p{Cn}]$", Category::Unassigned),
    ];

    /// Common and Inherited.
    const ANY_SCRIPT: &str = r"^[\p{sc=Zyyy}\p{sc=Zinh}]$";

    /// A Unicode-mode expression, or `None` where the runtime refuses it (a script its
    /// Unicode version does not have).
    fn compile(pattern: &str) -> Option<RegExp> {
        let ctor: Function = RegExp::new("", "").constructor();
        let args = Array::of2(&JsValue::from_str(pattern), &JsValue::from_str("u"));
        Reflect::construct(&ctor, &args)
            .ok()
            .and_then(|v| v.dyn_into::<RegExp>().ok())
    }

    struct Compiled {
        categories: Vec<Option<RegExp>>,
        any_script: Option<RegExp>,
        scripts: Vec<OnceCell<Option<RegExp>>>,
    }

    thread_local! {
        static COMPILED: RefCell<Option<Compiled>> = const { RefCell::new(None) };
    }

    fn with<T>(f: impl FnOnce(&Compiled) -> T) -> T {
        COMPILED.with(|cell| {
            let mut slot = cell.borrow_mut();
            let compiled = slot.get_or_insert_with(|| Compiled {
                categories: CATEGORIES.iter().map(|(p, _)| compile(p)).collect(),
                any_script: compile(ANY_SCRIPT),
                scripts: SCRIPTS.iter().map(|_| OnceCell::new()).collect(),
            });
            f(compiled)
        })
    }

    fn matches(re: Option<&RegExp>, c: char) -> bool {
        let mut buf = [0u8; 4];
        re.is_some_and(|re| re.test(c.encode_utf8(&mut buf)))
    }

    pub fn category(c: char) -> Category {
        with(|k| {
            CATEGORIES
                .iter()
                .zip(&k.categories)
                .find(|(_, re)| matches(re.as_ref(), c))
                .map_or(Category::Symbol, |((_, cat), _)| *cat)
        })
    }

    pub fn script(c: char) -> Option<&'static str> {
        with(|k| {
            if matches(k.any_script.as_ref(), c) {
                return None;
            }
            let found = SCRIPTS.iter().zip(&k.scripts).find(|(code, cell)| {
                let re = cell.get_or_init(|| compile(&format!(r"^\p{{sc={code}}}$")));
                matches(re.as_ref(), c)
            });
            Some(found.map_or("Zzzz", |(code, _)| *code))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use icu_properties::props::Script;
    use icu_properties::{CodePointMapData, PropertyNamesShort};

    #[test]
    fn test_ucd_scripts_lists_every_script_of_the_tables() {
        let sc = CodePointMapData::<Script>::new();
        let names = PropertyNamesShort::<Script>::new();
        let mut missing = std::collections::BTreeSet::new();
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            if let Some(code) = names.get(sc.get(c)) {
                if !["Zyyy", "Zinh", "Zzzz"].contains(&code) && !SCRIPTS.contains(&code) {
                    missing.insert(code);
                }
            }
        }
        assert!(missing.is_empty(), "not in SCRIPTS: {missing:?}");
        let mut seen = std::collections::BTreeSet::new();
        assert!(SCRIPTS.iter().all(|s| seen.insert(s)), "a script twice");
    }

    #[test]
    fn test_ucd_ascii_scripts_are_latin_or_common() {
        for c in (0..=0x7F).filter_map(char::from_u32) {
            assert_eq!(script(c), imp::script(c), "{c:?}");
        }
        assert_eq!(script('é'), Some("Latn"));
        assert_eq!(script('а'), Some("Cyrl"));
        assert_eq!(script('漢'), Some("Hani"));
        assert_eq!(script('\u{301}'), None);
        assert_eq!(category('\u{301}'), Category::Mark);
        assert_eq!(category('\u{200B}'), Category::Format);
        assert_eq!(category('\u{378}'), Category::Unassigned);
        assert_eq!(category('٣'), Category::Letter);
        assert_eq!(category('\u{20DD}'), Category::Symbol);
    }
}
