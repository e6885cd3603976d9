//! Forgot email: the login ID and password show the account's address (and its owner is told);
//! a last-known address gets a reminder if, and only if, it is an account's (always accepted).

use crate::account::{AccountStatus, Username};
use crate::login::{LoginError, PasswordAttempt};
use crate::messages;
use crate::password::Password;
use crate::signup::{first_name, IdentityDeps};
use crate::throttle::ThrottleKey;
use tessera_kernel::delivery::deliver_notice;
use tessera_kernel::email::Email;
use tessera_kernel::ports::StoreError;

/// What a right login ID and password get.
#[derive(Debug, PartialEq, Eq)]
pub enum Revealed {
    /// The address, shown (its owner is told by email).
    Shown(Email),
    /// The account has an authenticator, so a password alone shows nothing: the address is
    /// only reminded by email (within the reminder limits).
    Emailed,
}

/// The address of the account with this login ID and password: no weaker than logging in. The
/// same throttle (the account's address, or the unknown ID itself, so known and unknown IDs
/// answer alike), counted before the check; the same lock; a (dummy) verification and the same
/// answer for unknown IDs; and with an authenticator the address is only emailed.
pub async fn reveal_email(
    deps: &IdentityDeps,
    username: &Username,
    password: &Password,
) -> Result<Revealed, LoginError> {
    let email = match deps.store.account_by_username(username).await? {
        Some(account_id) => deps.store.profile(&account_id).await?.map(|p| p.email),
        None => None,
    };
    let key = match &email {
        Some(email) => ThrottleKey::Email(email.clone()),
        None => ThrottleKey::UnknownUsername(username.clone()),
    };
    let attempt = match PasswordAttempt::begin(deps, key).await? {
        Ok(attempt) => attempt,
        Err(retry_at) => return Err(LoginError::TooManyAttempts { retry_at }),
    };
    let Some(identity) = attempt.identity.clone() else {
        deps.hasher.verify_dummy(password).await?;
        attempt.failed(deps).await?;
        return Err(LoginError::InvalidCredentials);
    };
    let matches = deps
        .hasher
        .verify(password, &identity.password_hash)
        .await?;
    if !matches || identity.status != AccountStatus::Active || identity.reset_required {
        attempt.failed(deps).await?;
        return Err(LoginError::InvalidCredentials);
    }
    attempt.succeeded(deps).await?;
    if identity.totp.is_some() {
        remind(deps, &identity.email).await?;
        return Ok(Revealed::Emailed);
    }
    let first_name = first_name(deps, &identity).await;
    let when = deps.clock.now().to_rfc3339();
    let message = messages::EMAIL_SHOWN.render(
        identity.email.as_str(),
        &[("first_name", &first_name), ("when", &when)],
    );
    deliver_notice(&deps.postbox, &message).await;
    Ok(Revealed::Shown(identity.email))
}

/// Reminds the owner of `email`, if it is an active account's, within the resend limits.
pub async fn remind(deps: &IdentityDeps, email: &Email) -> Result<(), StoreError> {
    tessera_kernel::settle_or_give_up!(
        async {
            let Some(mut identity) = deps.store.identity(email).await? else {
                return Ok(Some(()));
            };
            let now = deps.clock.now();
            if identity.status != AccountStatus::Active
                || !identity.reminder_sends.may_send(now, &deps.settings.sends)
            {
                return Ok(Some(()));
            }
            identity.reminder_sends.record(now, &deps.settings.sends);
            match deps.store.update_identity(&identity).await {
                Ok(()) => {
                    let first_name = first_name(deps, &identity).await;
                    let username = identity
                        .username
                        .as_ref()
                        .map(|u| u.as_str())
                        .unwrap_or_default();
                    let message = messages::EMAIL_REMINDER.render(
                        identity.email.as_str(),
                        &[("first_name", &first_name), ("username", username)],
                    );
                    deliver_notice(&deps.postbox, &message).await;
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
