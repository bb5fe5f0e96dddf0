//! Authorization code with PKCE (RFC 7636, S256 only) for redirect-based applications: a
//! login page authenticates the user and gets a short-lived single-use code bound to the
//! client, the exact redirect URI and the code challenge; the application exchanges it,
//! with the verifier, for tokens.

use base64ct::{Base64UrlUnpadded, Encoding};
use serde::{Deserialize, Serialize};

use crate::api::{AuthorizeRequest, AuthorizeResponse, TokenRequest};
use crate::authn::password::breach::RangeSource;
use crate::authn::password::login::LoginStores;
use crate::authn::password::{self, PasswordLogin};
use crate::login::LoginEnv;
use crate::model::{Application, ClientInfo, OneTimeCode, Session};
use crate::rand::{hex, Rng};
use crate::secrets::{ct_eq, sha256};
use crate::sessions::tokens::{access_token, audience, lifetimes, new_refresh_token, Issued};
use crate::store::{AppStore, CodeStore, SessionStore, UserStore};
use crate::validate::percent_encode;
use crate::Error;

pub const AUTHORIZATION_CODE: &str = "authorization_code";
/// Authorization codes live one minute.
pub const CODE_TTL_MS: i64 = 60_000;

#[derive(Debug, Serialize, Deserialize)]
struct CodeData {
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    session_id: String,
}

fn invalid_grant() -> Error {
    Error::invalid_field(
        "INVALID_GRANT",
        "the authorization code is invalid, used, expired or not for this client",
    )
}

/// RFC 7636 §4.1: 43 to 128 characters of `[A-Za-z0-9-._~]`.
fn is_verifier(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// Whether `verifier` hashes (S256) to `challenge`, compared in constant time.
pub fn verify_s256(verifier: &str, challenge: &str) -> bool {
    is_verifier(verifier)
        && ct_eq(
            Base64UrlUnpadded::encode_string(&sha256(verifier.as_bytes())).as_bytes(),
            challenge.as_bytes(),
        )
}

/// Authenticates the user with a password and answers a code for `app`.
pub async fn authorize<R: Rng>(
    store: &impl LoginStores,
    app: &Application,
    req: AuthorizeRequest,
    client: ClientInfo,
    breached: &impl RangeSource,
    env: LoginEnv<'_, R>,
) -> Result<AuthorizeResponse, Error> {
    if !app.redirect_uris.contains(&req.redirect_uri) {
        return Err(Error::invalid_field(
            "INVALID_REDIRECT_URI",
            "redirect_uri is not one of the application's redirect URIs",
        ));
    }
    if req.code_challenge_method != "S256" {
        return Err(Error::invalid_field(
            "INVALID_CODE_CHALLENGE_METHOD",
            "only S256 is supported",
        ));
    }
    let challenge_ok = req.code_challenge.len() == 43
        && Base64UrlUnpadded::decode_vec(&req.code_challenge).is_ok_and(|d| d.len() == 32);
    if !challenge_ok {
        return Err(Error::invalid_field(
            "INVALID_CODE_CHALLENGE",
            "code_challenge must be the base64url SHA-256 of the verifier",
        ));
    }
    let LoginEnv {
        keys,
        issuer,
        params,
        now,
        rng,
    } = env;
    let done = password::password_login(
        store,
        PasswordLogin {
            organization_id: &app.organization_id,
            application: Some(app),
            login_id: &req.login_id,
            password: &req.password,
            client,
            no_tokens: true,
            require_registration: true,
            trust_token: None,
        },
        breached,
        LoginEnv {
            keys,
            issuer,
            params,
            now,
            rng: &mut *rng,
        },
    )
    .await?;
    let code = hex(&rng.bytes::<32>());
    let data = CodeData {
        client_id: app.client_id.clone(),
        redirect_uri: req.redirect_uri.clone(),
        code_challenge: req.code_challenge,
        session_id: done.session.id.clone(),
    };
    store
        .insert_code(&OneTimeCode {
            code_hash: hex(&sha256(code.as_bytes())),
            purpose: AUTHORIZATION_CODE.to_owned(),
            organization_id: app.organization_id.clone(),
            user_id: done.user.id.clone(),
            data: Some(serde_json::to_string(&data).map_err(|e| Error::Internal(e.to_string()))?),
            created_at: now,
            expires_at: now + CODE_TTL_MS,
        })
        .await?;
    let sep = if req.redirect_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    let mut redirect_to = format!("{}{sep}code={code}", req.redirect_uri);
    if let Some(state) = &req.state {
        redirect_to.push_str(&format!("&state={}", percent_encode(state)));
    }
    Ok(AuthorizeResponse {
        code,
        state: req.state,
        redirect_to,
    })
}

/// Exchanges a code and its verifier for tokens of the session the code was issued with.
pub async fn exchange<R: Rng>(
    store: &(impl UserStore + SessionStore + CodeStore + AppStore),
    req: TokenRequest,
    env: LoginEnv<'_, R>,
) -> Result<(Session, Issued), Error> {
    if req.grant_type != "authorization_code" {
        return Err(Error::invalid_field(
            "UNSUPPORTED_GRANT_TYPE",
            "grant_type must be authorization_code",
        ));
    }
    let hash = hex(&sha256(req.code.trim().as_bytes()));
    let code = store
        .consume_code(&hash, AUTHORIZATION_CODE, env.now)
        .await?
        .ok_or_else(invalid_grant)?;
    let data: CodeData = crate::api::from_json(code.data.as_deref().unwrap_or("").as_bytes())
        .map_err(|_| invalid_grant())?;
    let bound = data.client_id == req.client_id
        && data.redirect_uri == req.redirect_uri
        && verify_s256(&req.code_verifier, &data.code_challenge);
    if !bound {
        // The code is spent either way: a wrong verifier cannot be retried.
        store
            .revoke_session(&code.organization_id, &data.session_id, env.now)
            .await?;
        return Err(invalid_grant());
    }
    let session = store
        .get_session(&code.organization_id, &data.session_id)
        .await?
        .filter(|s| s.is_active(env.now))
        .ok_or_else(invalid_grant)?;
    let app = store
        .get_app_by_client_id(&req.client_id)
        .await?
        .ok_or_else(invalid_grant)?;
    let (access_ttl, refresh_ttl_ms) = lifetimes(Some(&app));
    let refresh_ttl_ms = refresh_ttl_ms.min(session.expires_at - env.now).max(0);
    let (refresh, stored) = new_refresh_token(&session.id, env.now, refresh_ttl_ms, env.rng);
    store.add_refresh_token(&stored).await?;
    let roles = store
        .user_role_names(&session.organization_id, &session.user_id)
        .await?;
    let aud = audience(Some(&app), &session.organization_id, env.issuer);
    let access = access_token(
        env.keys, env.issuer, &session, &aud, roles, access_ttl, env.now,
    )
    .await?;
    Ok((
        session,
        Issued {
            access_token: access,
            refresh_token: refresh,
            expires_in: access_ttl,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_pkce_s256_rfc7636_appendix_b() {
        // The example of RFC 7636, appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert!(verify_s256(
            verifier,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!verify_s256(
            verifier,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN"
        ));
        assert!(!verify_s256(
            "short",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
    }

    #[test]
    fn test_pkce_percent_encode() {
        assert_eq!(
            crate::validate::percent_encode("a b&c=d/é"),
            "a%20b%26c%3Dd%2F%C3%A9"
        );
    }
}
