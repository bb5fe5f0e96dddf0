use super::*;

/// The `{placeholders}` a text names, sorted.
fn placeholders(text: &str) -> Vec<&str> {
    let mut names: Vec<&str> = text
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect();
    names.sort_unstable();
    names
}

#[test]
fn test_every_language_has_every_text_with_the_same_placeholders() {
    let mut english: Vec<&str> = en::TABLE.iter().map(|(k, _)| *k).collect();
    english.sort_unstable();
    let before = english.len();
    english.dedup();
    assert_eq!(english.len(), before, "a key twice in the English table");
    for lang in Lang::ALL {
        let table = lang.table();
        let mut keys: Vec<&str> = table.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        assert_eq!(keys, english, "{lang:?} has other keys than English");
        for (key, text) in table {
            assert!(!text.trim().is_empty(), "{lang:?} {key} is empty");
            let english = Catalog::new(Lang::En);
            let want = placeholders(english.get(key));
            assert_eq!(placeholders(text), want, "{lang:?} {key}: {text}");
        }
        if lang != Lang::En {
            // A table copied from English would pass the checks above: most texts differ.
            let same = table
                .iter()
                .filter(|(k, v)| Catalog::new(Lang::En).get(k) == *v)
                .count();
            assert!(same * 5 < table.len(), "{lang:?}: {same} texts are English");
        }
    }
}

#[test]
fn test_language_is_picked_from_tags_in_order() {
    assert_eq!(Lang::parse("fr"), Some(Lang::Fr));
    assert_eq!(Lang::parse(" fr-CA "), Some(Lang::Fr));
    assert_eq!(Lang::parse("DE_at"), Some(Lang::De));
    assert_eq!(Lang::parse("es-419"), Some(Lang::Es));
    assert_eq!(Lang::parse("english"), None);
    assert_eq!(Lang::parse(""), None);
    // The element's own first, then the browser's; English when none is ours.
    assert_eq!(Lang::pick(["it", "de-CH", "fr"]), Lang::De);
    assert_eq!(Lang::pick(["pt-BR", "ja"]), Lang::En);
    assert_eq!(Lang::pick([]), Lang::En);
    for lang in Lang::ALL {
        assert_eq!(Lang::parse(lang.code()), Some(lang));
    }
}

#[test]
fn test_overrides_come_first_and_unknown_keys_are_reported() {
    let (c, unknown) = Catalog::new(Lang::Fr).with_overrides(vec![
        ("login.title".into(), "Entrer".into()),
        ("no.such.key".into(), "x".into()),
        ("resend.wait".into(), "Encore {wait} secondes".into()),
    ]);
    assert_eq!(unknown, ["no.such.key"]);
    assert_eq!(c.get("login.title"), "Entrer");
    assert_eq!(c.get("no.such.key"), "no.such.key");
    assert_eq!(
        c.fill("resend.wait", &[("wait", "12")]),
        "Encore 12 secondes"
    );
    // Not overridden: the language's own.
    assert_eq!(c.get("retry"), Catalog::new(Lang::Fr).get("retry"));
    assert_ne!(c.get("retry"), Catalog::new(Lang::En).get("retry"));
}

#[test]
fn test_fill_replaces_in_one_pass() {
    let c = Catalog::default();
    // An address holding a placeholder's name stays as typed.
    assert_eq!(
        c.fill(
            "sent.email_code",
            &[("to", "{wait}@example.com"), ("wait", "9")]
        ),
        "We sent a 6-digit code to {wait}@example.com. It works for 10 minutes."
    );
    assert_eq!(
        c.fill(
            "history.range",
            &[("from", "1"), ("to", "20"), ("total", "57")]
        ),
        "1–20 of 57"
    );
    // A name not given stays, braces and all.
    assert_eq!(c.fill("done.who", &[]), "Signed in as {who}.");
}

/// The string literals of a Rust source, roughly: enough to find the keys it names.
fn literals(src: &str) -> Vec<&str> {
    src.split('"').skip(1).step_by(2).collect()
}

/// The sources that say the elements' texts.
fn sources() -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in [root.join("src/browser"), root.join("../sdk/src")] {
        for entry in std::fs::read_dir(&dir).expect("source directory") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("source");
                out.push((path.display().to_string(), text));
            }
        }
    }
    out
}

#[test]
fn test_every_key_the_sources_name_exists_and_every_text_is_used() {
    let prefixes: Vec<&str> = en::TABLE
        .iter()
        .filter_map(|(k, _)| k.split_once('.').map(|(p, _)| p))
        .collect();
    let looks_like_key = |s: &str| {
        s.split_once('.').is_some_and(|(p, rest)| {
            prefixes.contains(&p)
                && !rest.is_empty()
                && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
    };
    let mut used = std::collections::BTreeSet::new();
    for (path, src) in sources() {
        // Markup names keys in data-t attributes; code in calls and match arms.
        for attr in src
            .split("data-t")
            .skip(1)
            .filter(|a| a.starts_with(['=', '-']))
        {
            let name_end = attr
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .unwrap_or(attr.len());
            if let Some(key) = attr[name_end..]
                .strip_prefix("=\"")
                .and_then(|v| v.split_once('"'))
                .map(|(k, _)| k)
            {
                assert!(is_key(key), "{path}: data-t names no text: {key}");
                used.insert(key.to_owned());
            }
        }
        for lit in literals(&src) {
            if looks_like_key(lit) || (is_key(lit) && !lit.contains(' ')) {
                assert!(is_key(lit), "{path}: no text has the key {lit}");
                used.insert(lit.to_owned());
            }
        }
    }
    let unused: Vec<&str> = en::TABLE
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| !used.contains(*k))
        .collect();
    assert!(unused.is_empty(), "texts no source names: {unused:?}");
}

#[test]
fn test_the_profiles_passkey_and_two_step_texts_are_in_every_language() {
    // The sections' own keys, and the shared ones their cards use.
    let theirs = |k: &str| {
        ["passkeys.", "item.", "mfa."]
            .iter()
            .any(|p| k.starts_with(p))
            || matches!(
                k,
                "yes"
                    | "save"
                    | "profile.action_failed"
                    | "error.REAUTHENTICATION_REQUIRED"
                    | "error.INVALID_NAME"
            )
    };
    let english: Vec<&str> = en::TABLE
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| theirs(k))
        .collect();
    assert!(english.len() >= 40, "{english:?}");
    for lang in [Lang::Fr, Lang::De, Lang::Es] {
        let table = lang.table();
        let mut translated = 0;
        for key in &english {
            let own = table.iter().find(|(k, _)| k == key).map(|(_, v)| *v);
            let own = own.unwrap_or_else(|| panic!("{lang:?} has no {key}"));
            if own != Catalog::new(Lang::En).get(key) {
                translated += 1;
            }
        }
        // "Passkeys" is German too; nearly everything else is not English.
        assert!(
            translated + 2 >= english.len(),
            "{lang:?}: {translated} of {}",
            english.len()
        );
    }
}
