//! Single sign-on: an organization's identity-provider connections, and the widget's two
//! calls around the provider's sign-in page (start, then exchange the hand-off code).

use serde::{Deserialize, Serialize};

use crate::model::{ConnectionKind, LinkPolicy};

use super::DeviceMeta;

request_type! {
    /// `POST /api/v1/connections`: connect an identity provider. A `google` connection
    /// needs only Google's client id and secret; an `oidc` one names its issuer, whose
    /// discovery document is read at each sign-in.
    pub struct CreateConnection {
        pub kind: ConnectionKind,
        /// The button's words; "Google" for a Google connection if left out.
        #[serde(default)]
        pub name: Option<String>,
        /// Required for `oidc` (`https://idp.example.com`); fixed for `google`.
        #[serde(default)]
        pub issuer: Option<String>,
        pub client_id: String,
        /// Kept sealed; never shown again.
        pub client_secret: String,
        /// Space-separated; `openid email profile` if left out (`openid` is always asked).
        #[serde(default)]
        pub scopes: Option<String>,
        /// Email domains routed to this connection (enterprise SSO).
        #[serde(default)]
        pub domains: Vec<String>,
        /// `link` if left out for Google and for a connection with domains (which speaks
        /// for its own domains only); `refuse` for any other OpenID Connect issuer, whose
        /// `email_verified` is only as good as that issuer.
        #[serde(default)]
        pub link_policy: Option<LinkPolicy>,
        /// `true` if left out.
        #[serde(default)]
        pub enabled: Option<bool>,
    }
}

request_type! {
    /// `PATCH /api/v1/connections/{id}`: what is given changes; the rest stays.
    pub struct UpdateConnection {
        #[serde(default)]
        pub name: Option<String>,
        /// Only the same issuer: identities are its subjects, so another issuer is another
        /// connection.
        #[serde(default)]
        pub issuer: Option<String>,
        #[serde(default)]
        pub client_id: Option<String>,
        #[serde(default)]
        pub client_secret: Option<String>,
        #[serde(default)]
        pub scopes: Option<String>,
        #[serde(default)]
        pub domains: Option<Vec<String>>,
        #[serde(default)]
        pub link_policy: Option<LinkPolicy>,
        #[serde(default)]
        pub enabled: Option<bool>,
    }
}

api_type! {
    /// A connection as administrators see it (never its secret).
    pub struct ConnectionView {
        pub id: String,
        pub kind: ConnectionKind,
        pub name: String,
        pub issuer: String,
        pub client_id: String,
        pub scopes: String,
        pub domains: Vec<String>,
        pub link_policy: LinkPolicy,
        pub enabled: bool,
        /// The redirect URI to register at the identity provider.
        pub redirect_uri: String,
        pub created_at: String,
        pub updated_at: String,
    }
}

api_type! {
    pub struct ConnectionList {
        pub connections: Vec<ConnectionView>,
    }
}

request_type! {
    /// `POST /api/v1/auth/sso/start`: where to send the browser to sign in with a
    /// connection, named (a social button) or found by the person's email domain.
    pub struct SsoStartRequest {
        pub client_id: String,
        #[serde(default)]
        pub connection_id: Option<String>,
        #[serde(default)]
        pub email: Option<String>,
        /// The page to come back to (one of the application's allowed origins, or this
        /// server's own); the hand-off code arrives in its fragment.
        pub return_to: String,
        /// base64url SHA-256 of a verifier the page keeps: only that page can exchange the
        /// hand-off code.
        pub code_challenge: String,
    }
}

api_type! {
    pub struct SsoStart {
        /// The identity provider's authorization URL: navigate the browser there.
        pub authorization_url: String,
        pub connection_name: String,
    }
}

request_type! {
    /// `POST /api/v1/auth/sso/exchange`: the page back from the identity provider trades
    /// the hand-off code (and its verifier) for a session, as every login answers.
    pub struct SsoExchangeRequest {
        pub client_id: String,
        pub code: String,
        pub code_verifier: String,
        #[serde(default)]
        pub device: Option<DeviceMeta>,
        /// Browser mode: the refresh token travels in an HttpOnly cookie.
        #[serde(default)]
        pub cookie: bool,
        /// A trusted device's token (skips the second factor while it lasts).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub trust_token: Option<String>,
    }
}

request_type! {
    /// `POST /api/v1/connections/setup-links`: a single-use link for a company's IT
    /// administrator to connect their identity provider, for these domains.
    pub struct CreateSetupLink {
        pub domains: Vec<String>,
        /// 72 if left out; at most 168 (a week).
        #[serde(default)]
        pub expires_in_hours: Option<u32>,
    }
}

api_type! {
    /// A set-up link, shown once (only its hash is kept).
    pub struct SetupLink {
        pub url: String,
        pub domains: Vec<String>,
        pub expires_at: String,
    }
}

request_type! {
    /// `POST /api/v1/sso-setup/info`: what a set-up link is for.
    pub struct SetupLinkToken {
        pub token: String,
    }
}

api_type! {
    pub struct SetupLinkInfo {
        pub organization_name: String,
        pub domains: Vec<String>,
        /// The redirect URI to register at the identity provider.
        pub redirect_uri: String,
        pub expires_at: String,
    }
}

request_type! {
    /// `POST /api/v1/sso-setup`: the IT administrator's identity provider (OpenID Connect).
    pub struct SsoSetupRequest {
        pub token: String,
        pub name: String,
        pub issuer: String,
        pub client_id: String,
        pub client_secret: String,
    }
}

request_type! {
    /// `POST /api/v1/auth/sso/link` (signed in): link the identity a single sign-on found
    /// for this account (a connection whose policy is `ask`), with the ticket the page was
    /// sent back with and the page's verifier.
    pub struct SsoLinkRequest {
        pub ticket: String,
        pub code_verifier: String,
    }
}
