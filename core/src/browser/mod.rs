//! Logic only the browser SDK runs, kept here so it is tested natively: the token cache that
//! makes open tabs refresh once, the login widget's form rules, and the profile's words.

pub mod login_form;
pub mod profile;
pub mod token_cache;
