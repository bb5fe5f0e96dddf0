//! Self sign-up with a password: only where the application allows it (`self_signup`) and
//! enables password login. The new user is registered for the application and signed in.

use crate::api::{CreateUser, SignUpRequest, UserView};
use crate::identity::{registrations, users};
use crate::login::{establish, LoginEnv, LoginSuccess, Start};
use crate::model::{Application, ClientInfo, LoginMethod};
use crate::rand::Rng;
use crate::store::{
    AppStore, CodeStore, EventStore, MfaStore, OrgStore, RegistrationStore, SessionStore, UserStore,
};
use crate::Error;

/// Whether a sign-up refused with `e` is to be answered as a new account is: where the
/// application confirms addresses before the first session (`require_verified_email`), an
/// address that has an account gets the same `EMAIL_NOT_VERIFIED` as a new one, so nothing
/// tells a stranger it exists, and its owner is sent a password reset link instead (in case
/// it was them). Elsewhere the new account would be signed in at once, so the conflict can
/// only be said (`EMAIL_TAKEN`).
pub fn conceals_taken_address(app: &Application, e: &Error) -> bool {
    app.require_verified_email
        && matches!(
            e,
            Error::Conflict {
                code: "EMAIL_TAKEN",
                ..
            }
        )
}

/// Creates the account, registers it for `app` and starts its first session; where the
/// application requires MFA, the account is created and the answer is
/// `MFA_ENROLLMENT_REQUIRED`, so the first session starts once a factor is set up.
pub async fn sign_up<R: Rng>(
    store: &(impl UserStore
          + AppStore
          + RegistrationStore
          + SessionStore
          + EventStore
          + CodeStore
          + MfaStore
          + OrgStore),
    app: &Application,
    req: SignUpRequest,
    client: ClientInfo,
    env: LoginEnv<'_, R>,
) -> Result<(LoginSuccess, UserView), Error> {
    if !app.login_methods.contains(&LoginMethod::Password) {
        return Err(Error::invalid_field(
            "LOGIN_METHOD_DISABLED",
            "password sign-up is not enabled for this application",
        ));
    }
    if !app.self_signup {
        return Err(Error::invalid_field(
            "SIGNUP_DISABLED",
            "this application does not allow self sign-up",
        ));
    }
    let org_id = app.organization_id.as_str();
    let input = CreateUser {
        email: req.email.clone(),
        password: Some(req.password),
        username: req.username,
        name: req.name,
        email_verified: false,
        phone: None,
        password_change_required: false,
        expires_at: None,
    };
    let view = users::create(store, org_id, input, env.params, env.now, env.rng).await?;
    registrations::register(store, org_id, &view.id, &app.id, env.now).await?;
    if app.require_verified_email {
        // The account exists; its first session waits for the address to be confirmed.
        return Err(Error::EmailNotVerified);
    }
    let user = store
        .get_user(org_id, &view.id)
        .await?
        .ok_or(Error::NotFound)?;
    let first = crate::authn::mfa::FirstFactor {
        user: &user,
        method: "password",
        user_verified: false,
        login_id: &req.email,
        application: Some(app),
        client: &client,
        no_tokens: false,
        registered: true,
        flags: &[],
        trust_token: None,
        connection_id: None,
        factors: None,
    };
    crate::authn::mfa::gate(store, first, env.now, env.rng).await?;
    let start = Start {
        user: &user,
        method: "password",
        prior: None,
        login_id: &req.email,
        application: Some(app),
        client,
        no_tokens: false,
        rehash: None,
        flags: Vec::new(),
        connection_id: None,
        known: None,
    };
    Ok((establish(store, start, env).await?, view))
}
