//! Logic only the browser SDK runs, kept here so it is tested natively: the token cache that
//! makes open tabs refresh once, the login widget's form rules, the profile's words (its
//! passkeys and two-step verification in `security`), and the elements' texts in each language.

pub mod i18n;
pub mod login_form;
pub mod profile;
pub mod security;
pub mod token_cache;
