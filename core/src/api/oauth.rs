//! The OpenID provider's wire types: the token endpoint's answer (RFC 6749 §5.1, OpenID
//! Connect Core §3.1.3.3), and the two native routes the hosted login page and an
//! administrator use (a code for a signed-in user; a confidential client's secret).

use serde::{Deserialize, Serialize};

api_type! {
    /// A successful token response: `refresh_token` only with `offline_access`, `id_token`
    /// only with `openid`.
    pub struct OAuthTokens {
        pub access_token: String,
        /// Always `Bearer`.
        pub token_type: String,
        pub expires_in: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub refresh_token: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub id_token: Option<String>,
        /// The scopes granted, space-separated.
        pub scope: String,
    }
}

request_type! {
    /// The hosted login page, once its user is signed in, asks for the authorization code of
    /// the request it was opened with (the whole query string, checked again as the
    /// authorization endpoint checked it).
    pub struct OAuthGrantRequest {
        /// `location.search` of the authorization request, with or without its `?`.
        pub query: String,
    }
}

api_type! {
    /// Where the hosted page sends the browser: the client's redirect URI with `code`,
    /// `state` and `iss`.
    pub struct OAuthGrantResponse {
        pub redirect_to: String,
    }
}

api_type! {
    /// A confidential client's new secret, shown once: only its hash is kept.
    pub struct ClientSecretResponse {
        pub client_id: String,
        pub client_secret: String,
    }
}
