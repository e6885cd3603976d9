//! Forgot email: the login ID and password show the account's address (and its owner is told);
//! a last-known address gets a reminder if, and only if, it is an account's (always accepted).

use crate::account::{AccountStatus, Username};
use crate::delivery::deliver_notice;
use crate::email::Email;
use crate::login::LoginError;
use crate::messages;
use crate::password::Password;
use crate::ports::StoreError;
use crate::signup::{first_name, IdentityDeps};

/// The address of the account with this login ID and password. Wrong guesses count as failed
/// logins of that account; unknown IDs cost one (dummy) verification and the same answer.
pub async fn reveal_email(
    deps: &IdentityDeps,
    username: &Username,
    password: &Password,
) -> Result<Email, LoginError> {
    let identity = match deps.store.account_by_username(username).await? {
        Some(account_id) => match deps.store.profile(&account_id).await? {
            Some(profile) => deps
                .logins
                .login_state(&profile.email)
                .await
                .map(|(i, t)| i.map(|i| (i, t)))?,
            None => None,
        },
        None => None,
    };
    let Some((identity, throttle)) = identity else {
        deps.hasher.verify_dummy(password).await?;
        return Err(LoginError::InvalidCredentials);
    };
    let now = deps.clock.now();
    if let Some(retry_at) = throttle.retry_at(now, &deps.settings.throttle) {
        return Err(LoginError::TooManyAttempts { retry_at });
    }
    let matches = deps
        .hasher
        .verify(password, &identity.password_hash)
        .await?;
    if !matches || identity.status != AccountStatus::Active || identity.reset_required {
        deps.logins
            .record_login_failure(&identity.email, now)
            .await?;
        return Err(LoginError::InvalidCredentials);
    }
    let first_name = first_name(deps, &identity).await;
    let when = now.to_rfc3339();
    let message = messages::EMAIL_SHOWN.render(
        identity.email.as_str(),
        &[("first_name", &first_name), ("when", &when)],
    );
    deliver_notice(deps, &message).await;
    Ok(identity.email)
}

/// Reminds the owner of `email`, if it is an active account's, within the resend limits.
pub async fn remind(deps: &IdentityDeps, email: &Email) -> Result<(), StoreError> {
    for _ in 0..5 {
        let Some(mut identity) = deps.store.identity(email).await? else {
            return Ok(());
        };
        let now = deps.clock.now();
        if identity.status != AccountStatus::Active
            || !identity.reminder_sends.may_send(now, &deps.settings.sends)
        {
            return Ok(());
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
                deliver_notice(deps, &message).await;
                return Ok(());
            }
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
