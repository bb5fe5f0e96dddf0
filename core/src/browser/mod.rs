//! Logic only the browser SDK runs, kept here so it is tested natively: the token cache that
//! makes open tabs refresh once, and the login widget's form rules.

pub mod login_form;
pub mod token_cache;
