//! Support's actions on one account: find it, lift a lock, disable it and enable it again, send
//! mail to its address again after a bounce or complaint suppressed it. Each
//! is taken on a staff member's word (`Attribution`: who and why) and saved with its audit event
//! in one write; an action that would change nothing writes nothing.

use crate::account::{Identity, Profile, Username};
use crate::signup::IdentityDeps;
use crate::throttle::{LoginThrottle, ThrottleKey};
use tessera_kernel::audit::{Attribution, AuditParty, FieldChange};
use tessera_kernel::email::Email;
use tessera_kernel::ids::AccountId;
use tessera_kernel::ports::StoreError;
use tessera_kernel::race::landed;
use tessera_kernel::suppression::{normalized, Suppression};
use tessera_kernel::time::Timestamp;

/// How support names an account: its sign-in address or its login ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountKey {
    Email(Email),
    Username(Username),
}

/// An account as support sees it: the profile, the sign-in record and its failed logins.
#[derive(Clone, Debug)]
pub struct AccountCase {
    pub profile: Profile,
    pub identity: Identity,
    pub throttle: LoginThrottle,
    /// Mail to the address is suppressed (it bounced for good, or its owner complained).
    pub suppression: Option<Suppression>,
}

impl AccountCase {
    /// Failed logins in a row now: attempts counted, once one of them is known to have failed
    /// (a success, or an attempt still being checked, is no failure).
    pub fn failures(&self, now: Timestamp) -> u32 {
        let counted = self.throttle.counted(now);
        if counted.failed {
            counted.failures
        } else {
            0
        }
    }

    /// Locked out: too many failures required a reset, or the growing delay is running.
    pub fn locked(&self, now: Timestamp, deps: &IdentityDeps) -> bool {
        self.identity.reset_required
            || self
                .throttle
                .retry_at(now, &deps.settings.throttle)
                .is_some()
    }
}

/// The account `key` names, if there is one.
pub async fn find(
    deps: &IdentityDeps,
    key: &AccountKey,
) -> Result<Option<AccountCase>, StoreError> {
    let account = match key {
        AccountKey::Username(username) => deps.store.account_by_username(username).await?,
        AccountKey::Email(email) => deps.store.identity(email).await?.map(|i| i.account_id),
    };
    match account {
        Some(account) => case_of(deps, &account).await,
        None => Ok(None),
    }
}

/// The account with id `account`, if there is one.
pub async fn case_of(
    deps: &IdentityDeps,
    account: &AccountId,
) -> Result<Option<AccountCase>, StoreError> {
    let Some(profile) = deps.store.profile(account).await? else {
        return Ok(None);
    };
    let Some(identity) = deps.store.identity(&profile.email).await? else {
        return Ok(None);
    };
    let throttle = deps
        .logins
        .login_throttle(&ThrottleKey::Email(identity.email.clone()))
        .await?;
    let suppression = deps
        .postbox
        .suppressions
        .suppression(&normalized(identity.email.as_str()))
        .await?;
    Ok(Some(AccountCase {
        profile,
        identity,
        throttle,
        suppression,
    }))
}

#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    #[error("no such account")]
    NoAccount,
    #[error("mail to the account's address is not suppressed")]
    NotSuppressed,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Lifts the suppression of the account's address (the owner fixed their mailbox, or the
/// complaint was a mistake), with its audit event in one write. The account as it is after.
pub async fn resume_email(
    deps: &IdentityDeps,
    by: &Attribution,
    account: &AccountId,
) -> Result<AccountCase, ResumeError> {
    let mut case = case_of(deps, account)
        .await?
        .ok_or(ResumeError::NoAccount)?;
    let Some(entry) = case.suppression.take() else {
        return Err(ResumeError::NotSuppressed);
    };
    let event = by.event(
        deps.clock.now(),
        deps.random.as_ref(),
        "account.email_resumed",
        AuditParty::new("account", account.as_str()),
        vec![FieldChange::new(
            "email_suppressed",
            Some(entry.reason.as_str().into()),
            None,
        )],
    );
    if !deps
        .postbox
        .suppressions
        .lift(&entry.address, &event)
        .await?
    {
        return Err(ResumeError::NotSuppressed);
    }
    Ok(case)
}

/// What support may do to an account's sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountAction {
    /// Lifts a lock: the required reset, the failed-login count, the wrong-code budget.
    Unlock,
    /// No sign-in of any kind, and every session ends now.
    Disable,
    Enable,
}

impl AccountAction {
    /// The audit log's name for it.
    pub fn name(self) -> &'static str {
        match self {
            AccountAction::Unlock => "account.unlock",
            AccountAction::Disable => "account.disable",
            AccountAction::Enable => "account.enable",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SupportError {
    #[error("no such account")]
    NoAccount,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn flag(value: bool) -> Option<String> {
    Some(value.to_string())
}

/// Takes `action` on `account`: the identity, its session epoch, the failed-login count and the
/// audit event land in one write, read again and retried if the identity changed meanwhile.
/// The account as it is after.
pub async fn act(
    deps: &IdentityDeps,
    by: &Attribution,
    account: &AccountId,
    action: AccountAction,
) -> Result<AccountCase, SupportError> {
    tessera_kernel::settle!(
        async {
            let mut case = case_of(deps, account)
                .await?
                .ok_or(SupportError::NoAccount)?;
            let now = deps.clock.now();
            let before = case.identity.clone();
            let failures = case.failures(now);
            let mut changes = Vec::new();
            let identity = &mut case.identity;
            match action {
                AccountAction::Unlock => {
                    identity.reset_required = false;
                    identity.wrong_codes = Default::default();
                    changes.push(FieldChange::new(
                        "locked",
                        flag(case.locked(now, deps)),
                        flag(false),
                    ));
                    changes.push(FieldChange::new(
                        "failed_logins",
                        Some(failures.to_string()),
                        Some("0".into()),
                    ));
                }
                AccountAction::Disable => {
                    if !identity.disabled {
                        identity.disabled = true;
                        identity.session_epoch += 1;
                    }
                    changes.push(FieldChange::new(
                        "disabled",
                        flag(before.disabled),
                        flag(true),
                    ));
                }
                AccountAction::Enable => {
                    identity.disabled = false;
                    changes.push(FieldChange::new(
                        "disabled",
                        flag(before.disabled),
                        flag(false),
                    ));
                }
            }
            let event = by.event(
                now,
                deps.random.as_ref(),
                action.name(),
                AuditParty::new("account", account.as_str()),
                changes,
            );
            let unchanged =
                case.identity == before && (action != AccountAction::Unlock || failures == 0);
            if event.changes.is_empty() || unchanged {
                return Ok(Some(case));
            }
            let clear_failures = action == AccountAction::Unlock;
            let write = deps
                .store
                .save_sign_in(&case.identity, clear_failures, Some(&event))
                .await;
            Ok(landed(write)?.then(|| {
                case.identity.version += 1;
                case.profile.session_epoch = case.identity.session_epoch;
                if clear_failures {
                    case.throttle = LoginThrottle::default();
                }
                case
            }))
        }
        .await
    )
}
