//! Passkeys: the WebAuthn options a ceremony starts with, the browser's response it ends
//! with, and the signed-in user's (or an administrator's) view of their passkeys.
//!
//! The options and responses are WebAuthn's own JSON forms (camelCase, binary values as
//! base64url), as `PublicKeyCredential.parseCreationOptionsFromJSON` reads and
//! `PublicKeyCredential.toJSON` writes them, so a browser's objects pass through unchanged.

use serde::{Deserialize, Serialize};

use super::auth::DeviceMeta;

/// A WebAuthn JSON type: a response type whose fields are camelCase, as browsers write them.
macro_rules! webauthn_type {
    ($(#[$m:meta])* pub struct $name:ident { $($body:tt)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
        #[serde(rename_all = "camelCase")]
        pub struct $name { $($body)* }
    };
}

webauthn_type! {
    /// A relying party, as a ceremony names it.
    pub struct RelyingParty {
        pub id: String,
        pub name: String,
    }
}

webauthn_type! {
    /// The account a new passkey is for; `id` is the user handle (base64url).
    pub struct PasskeyUser {
        pub id: String,
        pub name: String,
        pub display_name: String,
    }
}

webauthn_type! {
    pub struct CredentialParameter {
        #[serde(rename = "type")]
        pub kind: String,
        pub alg: i64,
    }
}

webauthn_type! {
    /// A credential to exclude (registration) or allow (login).
    pub struct CredentialDescriptor {
        #[serde(rename = "type")]
        pub kind: String,
        /// The credential id, base64url.
        pub id: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub transports: Vec<String>,
    }
}

webauthn_type! {
    pub struct AuthenticatorSelection {
        pub resident_key: String,
        pub require_resident_key: bool,
        pub user_verification: String,
    }
}

webauthn_type! {
    /// `PublicKeyCredentialCreationOptionsJSON`.
    pub struct CreationOptions {
        pub rp: RelyingParty,
        pub user: PasskeyUser,
        /// base64url, single use, valid five minutes.
        pub challenge: String,
        pub pub_key_cred_params: Vec<CredentialParameter>,
        /// Milliseconds.
        pub timeout: u32,
        /// The user's passkeys already registered, so an authenticator is not registered twice.
        pub exclude_credentials: Vec<CredentialDescriptor>,
        pub authenticator_selection: AuthenticatorSelection,
        pub attestation: String,
    }
}

webauthn_type! {
    /// `PublicKeyCredentialRequestOptionsJSON`.
    pub struct RequestOptions {
        /// base64url, single use, valid five minutes.
        pub challenge: String,
        /// Milliseconds.
        pub timeout: u32,
        pub rp_id: String,
        /// Empty for a usernameless login (discoverable credentials, conditional UI).
        pub allow_credentials: Vec<CredentialDescriptor>,
        pub user_verification: String,
    }
}

api_type! {
    /// `POST /api/v1/passkeys/register/options`: options for `navigator.credentials.create`.
    pub struct PasskeyCreationOptions {
        pub public_key: CreationOptions,
    }
}

api_type! {
    /// `POST /api/v1/auth/passkey/options`: options for `navigator.credentials.get`.
    pub struct PasskeyRequestOptions {
        pub public_key: RequestOptions,
    }
}

webauthn_type! {
    /// `AuthenticatorAttestationResponseJSON` (fields this server does not read are ignored).
    pub struct AttestationResponse {
        #[serde(rename = "clientDataJSON")]
        pub client_data_json: String,
        pub attestation_object: String,
        #[serde(default)]
        pub transports: Vec<String>,
    }
}

webauthn_type! {
    /// `RegistrationResponseJSON`: what `credential.toJSON()` gives after `create`.
    pub struct RegistrationCredential {
        pub id: String,
        pub raw_id: String,
        #[serde(rename = "type")]
        pub kind: String,
        pub response: AttestationResponse,
    }
}

webauthn_type! {
    /// `AuthenticatorAssertionResponseJSON`.
    pub struct AssertionResponse {
        #[serde(rename = "clientDataJSON")]
        pub client_data_json: String,
        pub authenticator_data: String,
        pub signature: String,
        #[serde(default)]
        pub user_handle: Option<String>,
    }
}

webauthn_type! {
    /// `AuthenticationResponseJSON`: what `credential.toJSON()` gives after `get`.
    pub struct AuthenticationCredential {
        pub id: String,
        pub raw_id: String,
        #[serde(rename = "type")]
        pub kind: String,
        pub response: AssertionResponse,
    }
}

request_type! {
    /// `POST /api/v1/passkeys/register`.
    pub struct RegisterPasskeyRequest {
        /// What the user calls this passkey (default `Passkey`); at most 100 characters.
        #[serde(default)]
        pub name: Option<String>,
        pub credential: RegistrationCredential,
    }
}

request_type! {
    /// `POST /api/v1/auth/passkey/options`.
    pub struct PasskeyLoginOptionsRequest {
        pub client_id: String,
        /// Username-first: the login id typed, whose passkeys are allowed. Omit it for a
        /// usernameless login (the authenticator offers its discoverable passkeys).
        #[serde(default)]
        pub login_id: Option<String>,
    }
}

request_type! {
    /// `POST /api/v1/auth/passkey/login`.
    pub struct PasskeyLoginRequest {
        pub client_id: String,
        pub credential: AuthenticationCredential,
        #[serde(default)]
        pub device: Option<DeviceMeta>,
        /// Browser mode: the refresh token travels in an HttpOnly cookie, not in the body.
        #[serde(default)]
        pub cookie: bool,
        /// A trusted device's token, for passkeys that do not satisfy MFA on their own.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub trust_token: Option<String>,
    }
}

request_type! {
    /// `PATCH /api/v1/passkeys/{passkey_id}`.
    pub struct RenamePasskeyRequest {
        pub name: String,
    }
}

api_type! {
    /// A registered passkey (never its key).
    pub struct PasskeyView {
        pub id: String,
        pub name: String,
        /// The credential id, base64url.
        pub credential_id: String,
        pub rp_id: String,
        /// The authenticator model (hex; all zeros when it does not say).
        pub aaguid: String,
        /// Synced (multi-device) passkeys can be backed up, and may be.
        pub backup_eligible: bool,
        pub backed_up: bool,
        /// `none`, `self` or `unattested`.
        pub attestation: String,
        pub transports: Vec<String>,
        pub created_at: String,
        pub last_used_at: Option<String>,
    }
}

api_type! {
    pub struct PasskeyList {
        pub passkeys: Vec<PasskeyView>,
    }
}

api_type! {
    /// `GET /api/v1/passkeys/status`: whether the signed-in user can sign in with a passkey.
    pub struct PasskeyStatus {
        /// The user has at least one passkey.
        pub enabled: bool,
        pub count: u32,
        pub last_used_at: Option<String>,
    }
}
