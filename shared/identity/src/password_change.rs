//! Changing a password while logged in: the current password, then the new one twice.
//! The full policy applies (history and minimum age included); every session, the caller's too,
//! dies in the same write as the password; the owner is emailed.

use crate::account::{Identity, Profile};
use crate::login::{reauthenticate, LoginError, ReauthError};
use crate::messages;
use crate::password::{HashError, Password};
use crate::policy::{ChangeKind, PolicyContext, PolicyFailure};
use crate::signup::{first_name, salt, IdentityDeps};
use tessera_kernel::delivery::deliver_notice;
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::Timestamp;

#[derive(Debug, thiserror::Error)]
pub enum ChangePasswordError {
    #[error("the two new passwords differ")]
    Mismatch,
    /// The current password is wrong (counted like a failed login).
    #[error("the current password is wrong")]
    WrongCurrentPassword,
    #[error("too many attempts")]
    TooManyAttempts { retry_at: Timestamp },
    #[error("the new password fails the policy")]
    WeakPassword(Vec<PolicyFailure>),
    /// The account cannot change a password here (a federated account has none).
    #[error("the account has no password to change")]
    NoPassword,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
}

pub struct PasswordChange {
    pub current: Password,
    pub new: Password,
    pub confirm: Password,
}

pub async fn change_password(
    deps: &IdentityDeps,
    profile: &Profile,
    change: &PasswordChange,
) -> Result<(), ChangePasswordError> {
    if change.new != change.confirm {
        return Err(ChangePasswordError::Mismatch);
    }
    let email = &profile.email;
    tessera_kernel::settle!(
        async {
            let identity = match reauthenticate(deps, email, &change.current).await {
                Ok(identity) => identity,
                Err(ReauthError::WrongPassword) => {
                    // An account without a usable password (federated) has nothing to change.
                    return Err(match deps.store.identity(email).await? {
                        Some(_) => ChangePasswordError::WrongCurrentPassword,
                        None => ChangePasswordError::NoPassword,
                    });
                }
                Err(ReauthError::TooManyAttempts { retry_at }) => {
                    return Err(ChangePasswordError::TooManyAttempts { retry_at })
                }
                Err(ReauthError::Store(e)) => return Err(e.into()),
                Err(ReauthError::Hash(e)) => return Err(e.into()),
            };
            let updated = with_new_password(deps, identity, &change.new, ChangeKind::Voluntary)
                .await
                .map_err(|e| match e {
                    NewPasswordError::Weak(f) => ChangePasswordError::WeakPassword(f),
                    NewPasswordError::Hash(h) => ChangePasswordError::Hash(h),
                })?;
            match deps.store.save_sign_in(&updated, false, None).await {
                Ok(()) => {
                    notify_password_changed(deps, &updated).await;
                    Ok(Some(()))
                }
                Err(StoreError::Conflict) => Ok(None),
                Err(e) => Err(e.into()),
            }
        }
        .await
    )
}

pub(crate) enum NewPasswordError {
    Weak(Vec<PolicyFailure>),
    Hash(HashError),
}

impl From<HashError> for NewPasswordError {
    fn from(e: HashError) -> Self {
        NewPasswordError::Hash(e)
    }
}

/// The identity with `new` as its password, if the policy allows it: hashed, pushed onto the
/// history, the change time set, every session revoked (epoch + 1) and any lock-out lifted.
/// Shared by change (voluntary) and reset (exempt from the minimum age).
pub(crate) async fn with_new_password(
    deps: &IdentityDeps,
    mut identity: Identity,
    new: &Password,
    kind: ChangeKind,
) -> Result<Identity, NewPasswordError> {
    let policy = &deps.settings.policy;
    let recent: Vec<_> = identity
        .password_history
        .iter()
        .take(policy.history)
        .cloned()
        .collect();
    let reused = policy.history > 0 && deps.hasher.matches_any(new, &recent).await?;
    let now = deps.clock.now();
    let failed = policy.check(
        new.expose(),
        &PolicyContext {
            email: Some(&identity.email),
            username: identity.username.as_ref().map(|u| u.as_str()),
            reuses_recent_password: reused,
            last_changed_at: identity.voluntarily_changed_at,
            now: Some(now),
            change: Some(kind),
        },
    );
    if !failed.is_empty() {
        return Err(NewPasswordError::Weak(failed));
    }
    let hash = deps.hasher.hash(new, salt(deps.random.as_ref())).await?;
    identity.password_history.insert(0, hash.clone());
    identity.password_history.truncate(policy.history.max(1));
    identity.password_hash = hash;
    identity.password_changed_at = now;
    if kind == ChangeKind::Voluntary {
        identity.voluntarily_changed_at = Some(now);
    }
    identity.session_epoch += 1;
    identity.reset_required = false;
    Ok(identity)
}

async fn notify_password_changed(deps: &IdentityDeps, identity: &Identity) {
    let first_name = first_name(deps, identity).await;
    let when = deps.clock.now().to_rfc3339();
    let message = messages::PASSWORD_CHANGED.render(
        identity.email.as_str(),
        &[("first_name", &first_name), ("when", &when)],
    );
    deliver_notice(&deps.postbox, &message).await;
}

impl From<LoginError> for ChangePasswordError {
    fn from(e: LoginError) -> Self {
        match e {
            LoginError::TooManyAttempts { retry_at } => {
                ChangePasswordError::TooManyAttempts { retry_at }
            }
            LoginError::Store(s) => ChangePasswordError::Store(s),
            LoginError::Hash(h) => ChangePasswordError::Hash(h),
            LoginError::InvalidCredentials => ChangePasswordError::WrongCurrentPassword,
        }
    }
}
