//! Passwords: [`hashing`] (argon2id in a PHC string), [`login`] (the password login),
//! [`signup`] (self sign-up), [`change`] (completing a required password change) and
//! [`breach`] (refusing breached passwords).

pub mod breach;
pub mod change;
pub mod hashing;
pub mod login;
pub mod signup;

pub use change::change_password;
pub use hashing::{
    hash, validate, verify, HashParams, Verified, MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS, OWASP,
};
pub use login::{password_login, LoginStores, PasswordLogin, DUMMY_HASH};
pub use signup::{conceals_taken_address, sign_up};
