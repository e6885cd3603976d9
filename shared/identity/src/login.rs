//! Logging in, checking a session, logging out.
//!
//! Unknown, wrong-password, pending and locked logins all end in the same `InvalidCredentials`
//! after one argon2 verification (a dummy one for unknown addresses).

use crate::account::{AccountStatus, Identity, Profile};
use crate::messages;
use crate::password::{HashError, Password};
use crate::session::{Session, SessionToken};
use crate::signup::{first_name, IdentityDeps};
use crate::throttle::{LoginStart, LoginThrottle, ThrottleKey};
use crate::token::AddressedToken;
use tessera_kernel::delivery::deliver_notice;
use tessera_kernel::email::Email;
use tessera_kernel::metrics::{self, Metric};
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::Timestamp;

#[derive(Debug)]
pub struct LoggedIn {
    pub token: SessionToken,
    pub expires_at: Timestamp,
}

/// A correct password gives a session, or, with an authenticator enrolled, a challenge to
/// answer with a TOTP or recovery code (`mfa::complete_login`).
#[derive(Debug)]
pub enum LoginOutcome {
    Session(LoggedIn),
    MfaRequired(AddressedToken),
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many consecutive failures for this address: wait until `retry_at`.
    #[error("too many attempts")]
    TooManyAttempts { retry_at: Timestamp },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No such session, or it expired, idled out or was revoked: one answer for all.
    #[error("not authenticated")]
    Unauthenticated,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn log_in(
    deps: &IdentityDeps,
    email: &Email,
    password: &Password,
) -> Result<LoginOutcome, LoginError> {
    let settings = &deps.settings;
    let now = deps.clock.now();
    let attempt = match PasswordAttempt::begin(deps, ThrottleKey::Email(email.clone())).await? {
        Ok(attempt) => attempt,
        Err(retry_at) => {
            metrics::count(Metric::Locks);
            return Err(LoginError::TooManyAttempts { retry_at });
        }
    };
    let identity = &attempt.identity;
    let password_matches = match identity {
        Some(identity) => {
            deps.hasher
                .verify(password, &identity.password_hash)
                .await?
        }
        None => {
            deps.hasher.verify_dummy(password).await?;
            false
        }
    };
    let usable = identity
        .as_ref()
        .filter(|i| password_matches && i.can_sign_in());
    let Some(identity) = usable else {
        attempt.failed(deps).await?;
        let locked = identity.as_ref().is_some_and(|i| i.reset_required);
        metrics::count(if locked && password_matches {
            Metric::Locks
        } else {
            Metric::LoginFailures
        });
        return Err(LoginError::InvalidCredentials);
    };
    if identity.totp.is_some() {
        // Nothing is written: the challenge proves itself, and the count waits for the code.
        return Ok(LoginOutcome::MfaRequired(crate::challenge::issue(
            &settings.pepper,
            identity,
            now,
            deps.random.as_ref(),
        )));
    }
    let token = SessionToken::generate(&identity.account_id, deps.random.as_ref());
    let session = Session::start(
        &token,
        identity.account_id.clone(),
        identity.session_epoch,
        now,
        &settings.sessions,
    );
    deps.logins
        .start_session(&session, email, attempt.throttle.needs_clearing())
        .await?;
    metrics::count(Metric::Logins);
    Ok(LoginOutcome::Session(LoggedIn {
        token,
        expires_at: session.expires_at,
    }))
}

/// One attempt at a password, counted under its key's throttle before the password is checked:
/// the one way every route that checks a password (log-in, re-authentication, forgot-email)
/// begins, and the one home of what a failure or a success does to the count.
pub(crate) struct PasswordAttempt {
    key: ThrottleKey,
    /// The identity of the key's address, read with the count (none for an unknown login ID).
    pub identity: Option<Identity>,
    throttle: LoginThrottle,
}

impl PasswordAttempt {
    /// The attempt, already counted; or when to retry while the growing delay runs.
    pub(crate) async fn begin(
        deps: &IdentityDeps,
        key: ThrottleKey,
    ) -> Result<Result<PasswordAttempt, Timestamp>, StoreError> {
        let now = deps.clock.now();
        let start = deps
            .logins
            .begin_login(&key, now, &deps.settings.throttle)
            .await?;
        Ok(match start {
            LoginStart::Attempt { identity, throttle } => Ok(PasswordAttempt {
                key,
                identity: identity.map(|i| *i),
                throttle,
            }),
            LoginStart::Wait { retry_at } => Err(retry_at),
        })
    }

    /// The password was wrong (or the account unusable): the count is marked failed, so waiting
    /// never forgets it, and at the lock limit or beyond the account needs a reset. The one place
    /// a failure can lock, for every path that counts one.
    pub(crate) async fn failed(&self, deps: &IdentityDeps) -> Result<(), StoreError> {
        if !self.throttle.failed {
            deps.logins.mark_login_failed(&self.key).await?;
        }
        match &self.identity {
            Some(identity) => {
                lock_at_the_limit(deps, &identity.email, self.throttle.failures).await
            }
            None => Ok(()),
        }
    }

    /// The password was right, and no session write follows to clear the count with.
    pub(crate) async fn succeeded(&self, deps: &IdentityDeps) -> Result<(), StoreError> {
        if self.throttle.needs_clearing() {
            deps.logins.clear_login_failures(&self.key).await?;
        }
        Ok(())
    }
}

async fn lock_at_the_limit(
    deps: &IdentityDeps,
    email: &Email,
    failures: u32,
) -> Result<(), StoreError> {
    if failures >= deps.settings.throttle.lock_at {
        require_reset(deps, email).await?;
    }
    Ok(())
}

/// A wrong second factor after a right password counts as a failed login of the address.
pub(crate) async fn count_failure(deps: &IdentityDeps, email: &Email) -> Result<(), StoreError> {
    let now = deps.clock.now();
    let after = deps.logins.record_login_failure(email, now).await?;
    lock_at_the_limit(deps, email, after.failures).await
}

/// The hundredth failure in a row (or later): the password stops working until a reset, and the
/// owner is told once: only the request that sets the lock sends the email.
async fn require_reset(deps: &IdentityDeps, email: &Email) -> Result<(), StoreError> {
    tessera_kernel::settle_or_give_up!(
        async {
            let Some(mut identity) = deps.store.identity(email).await? else {
                return Ok(Some(()));
            };
            if identity.reset_required || identity.status != AccountStatus::Active {
                return Ok(Some(()));
            }
            identity.reset_required = true;
            match deps.store.update_identity(&identity).await {
                Ok(()) => {
                    metrics::count(Metric::Locks);
                    notify_locked(deps, &identity).await;
                    Ok(Some(()))
                }
                Err(StoreError::Conflict) => Ok(None),
                Err(e) => Err(e),
            }
        }
        .await
    )?;
    Ok(())
}

async fn notify_locked(deps: &IdentityDeps, identity: &Identity) {
    let first_name = first_name(deps, identity).await;
    let message =
        messages::ACCOUNT_LOCKED.render(identity.email.as_str(), &[("first_name", &first_name)]);
    deliver_notice(&deps.postbox, &message).await;
}

/// The live session a token names, and its account's profile. Costs one read (and, at most once
/// a minute per session, a write recording activity).
pub async fn authenticate(
    deps: &IdentityDeps,
    token: &SessionToken,
) -> Result<(Session, Profile), AuthError> {
    let account_id = token.account_id();
    let (session, profile) = deps
        .sessions
        .session_and_profile(&token.digest(), &account_id)
        .await?;
    let (Some(session), Some(profile)) = (session, profile) else {
        return Err(AuthError::Unauthenticated);
    };
    let now = deps.clock.now();
    let settings = &deps.settings.sessions;
    if session.account_id != account_id || !session.is_alive(now, profile.session_epoch, settings) {
        return Err(AuthError::Unauthenticated);
    }
    if session.needs_touch(now, settings) {
        deps.sessions
            .touch_session(&session.token_digest, now)
            .await?;
    }
    Ok((session, profile))
}

pub async fn log_out(deps: &IdentityDeps, session: &Session) -> Result<(), StoreError> {
    deps.sessions.end_session(&session.token_digest).await
}

/// Why re-entering the password (before a security change) failed.
#[derive(Debug, thiserror::Error)]
pub enum ReauthError {
    #[error("the password is wrong")]
    WrongPassword,
    #[error("too many attempts")]
    TooManyAttempts { retry_at: Timestamp },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
}

/// The caller's active identity, once the password re-entered for a security change is right.
/// A wrong one counts as a failed login, and the growing delay applies.
pub async fn reauthenticate(
    deps: &IdentityDeps,
    email: &Email,
    password: &Password,
) -> Result<Identity, ReauthError> {
    let attempt = match PasswordAttempt::begin(deps, ThrottleKey::Email(email.clone())).await? {
        Ok(attempt) => attempt,
        Err(retry_at) => return Err(ReauthError::TooManyAttempts { retry_at }),
    };
    let Some(identity) = attempt
        .identity
        .clone()
        .filter(|i| i.status == AccountStatus::Active)
    else {
        attempt.failed(deps).await?;
        return Err(ReauthError::WrongPassword);
    };
    if !deps
        .hasher
        .verify(password, &identity.password_hash)
        .await?
    {
        attempt.failed(deps).await?;
        return Err(ReauthError::WrongPassword);
    }
    attempt.succeeded(deps).await?;
    Ok(identity)
}
