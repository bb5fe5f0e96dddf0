//! The elements' words in English, French, German and Spanish, and a page's own overrides.
//!
//! Every text `<latchkey-login>` and `<latchkey-profile>` show has a stable key (`login.title`,
//! `failure.bad_password`, ...). A [`Catalog`] answers a key in the element's language, with
//! the page's overrides first (the elements' `texts` attribute) and English where a table
//! lacks one. Values may name placeholders (`{to}`, `{n}`) that [`Catalog::fill`] replaces.
//! The tables are checked against English natively: the same keys, the same placeholders.

mod de;
mod en;
mod es;
mod fr;

/// The languages the elements speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Fr,
    De,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Fr, Lang::De, Lang::Es];

    /// The BCP 47 primary tag, as `Intl` and the `lang` attribute take it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::De => "de",
            Lang::Es => "es",
        }
    }

    /// A language tag's language when we have it: `fr`, `fr-CA` and `FR_ca` are French.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
    }

    /// The first of `wanted` (the element's `lang`, then the browser's languages) that we
    /// have; English when none is.
    pub fn pick<'a>(wanted: impl IntoIterator<Item = &'a str>) -> Lang {
        wanted.into_iter().find_map(Lang::parse).unwrap_or_default()
    }

    fn table(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Lang::En => en::TABLE,
            Lang::Fr => fr::TABLE,
            Lang::De => de::TABLE,
            Lang::Es => es::TABLE,
        }
    }
}

/// Whether `key` names one of the elements' texts.
pub fn is_key(key: &str) -> bool {
    en::TABLE.iter().any(|(k, _)| *k == key)
}

/// The texts of one element: its language's table, under the page's overrides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    lang: Lang,
    overrides: Vec<(String, String)>,
}

impl Catalog {
    pub const fn new(lang: Lang) -> Catalog {
        Catalog {
            lang,
            overrides: Vec::new(),
        }
    }

    /// With the page's own texts for some keys. Answers the keys that name no text, for the
    /// element to warn the page's developer about; those are not kept.
    pub fn with_overrides(mut self, pairs: Vec<(String, String)>) -> (Catalog, Vec<String>) {
        let (known, unknown): (Vec<_>, Vec<_>) = pairs.into_iter().partition(|(k, _)| is_key(k));
        self.overrides = known;
        (self, unknown.into_iter().map(|(k, _)| k).collect())
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The text of `key`: the page's, else the language's, else English's; the key itself
    /// when no table has it (a mistake the native tests catch).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        if let Some((_, v)) = self.overrides.iter().rev().find(|(k, _)| k == key) {
            return v;
        }
        let find = |t: &'static [(&'static str, &'static str)]| {
            t.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
        };
        find(self.lang.table())
            .or_else(|| find(en::TABLE))
            .unwrap_or(key)
    }

    /// The text of `key` with each `{name}` replaced by its value, in one pass (a value that
    /// itself holds `{name}`, such as a typed address, stays as it is).
    pub fn fill(&self, key: &str, vars: &[(&str, &str)]) -> String {
        let text = self.get(key);
        let mut out = String::with_capacity(text.len() + 16);
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let value = after.find('}').and_then(|close| {
                let name = &after[..close];
                vars.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v, close))
            });
            match value {
                Some((v, close)) => {
                    out.push_str(v);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests;
