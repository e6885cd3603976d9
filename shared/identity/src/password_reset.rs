//! Forgot password: request a code (always accepted) → verify it for a short-lived reset token
//! → set the new password twice. The reset is exempt from the minimum age, keeps the history
//! rule, revokes every session, clears the failed-login count and lifts a lock-out, in one write.

use crate::account::{AccountStatus, ResetGrant};
use crate::challenge::CHALLENGE_MAX_FAILURES;
use crate::held_code::{check_held_code, HeldCodeCheck};
use crate::messages;
use crate::mfa::{check_second_factor, FactorCheck};
use crate::password::{HashError, Password};
use crate::password_change::{with_new_password, NewPasswordError};
use crate::policy::{ChangeKind, PolicyFailure};
use crate::signup::{first_name, IdentityDeps};
use crate::token::AddressedToken;
use subtle::ConstantTimeEq;
use tessera_kernel::code::{CodePurpose, CodeRecord, OneTimeCode};
use tessera_kernel::delivery::{deliver, deliver_notice};
use tessera_kernel::email::Email;
use tessera_kernel::ports::{Channel, OutgoingMessage, StoreError};

/// What a verified reset code is exchanged for.
pub type ResetToken = AddressedToken;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResetChannel {
    Email,
    Sms,
}

/// Sends a reset code to an active account's stored address, or by SMS to its verified number,
/// within the resend limits. Silent (and the same answer) for unknown or pending addresses, and
/// for SMS when no number is bound: a code never goes to a number the caller just typed.
pub async fn request_reset(
    deps: &IdentityDeps,
    email: &Email,
    channel: ResetChannel,
) -> Result<(), StoreError> {
    let settings = &deps.settings;
    tessera_kernel::settle_or_give_up!(
        async {
            let Some(mut identity) = deps.store.identity(email).await? else {
                return Ok(Some(()));
            };
            let now = deps.clock.now();
            // SMS goes only to the verified number bound to the account, never to one just typed.
            let sms_to = identity.phone.as_ref().map(|p| p.number.clone());
            let reachable = match channel {
                ResetChannel::Email => true,
                ResetChannel::Sms => sms_to.is_some(),
            };
            if identity.status != AccountStatus::Active
                || !reachable
                || !identity.reset_sends.may_send(now, &settings.sends)
            {
                return Ok(Some(()));
            }
            if !identity.password_hash.is_usable() {
                // Its organisation owns its sign-in: no code, and the mailbox is told why.
                identity.reset_sends.record(now, &settings.sends);
                match deps.store.update_identity(&identity).await {
                    Ok(()) => {
                        let first_name = first_name(deps, &identity).await;
                        let message = messages::FEDERATED_RESET
                            .render(identity.email.as_str(), &[("first_name", &first_name)]);
                        deliver_notice(&deps.postbox, &message).await;
                        return Ok(Some(()));
                    }
                    Err(StoreError::Conflict) => return Ok(None),
                    Err(e) => return Err(e),
                }
            }
            let code = OneTimeCode::generate(deps.random.as_ref());
            identity.reset_code = Some(CodeRecord::issue(
                &settings.pepper,
                CodePurpose::PasswordReset,
                identity.account_id.as_str(),
                &code,
                now,
                settings.reset_code_ttl,
            ));
            identity.reset_sends.record(now, &settings.sends);
            identity.reset_grant = None;
            match deps.store.update_identity(&identity).await {
                Ok(()) => {
                    let message = match (channel, sms_to) {
                        (ResetChannel::Sms, Some(number)) => OutgoingMessage {
                            channel: Channel::Sms,
                            to: number,
                            subject: None,
                            text: format!(
                            "Your Tessera password reset code is {}. It is valid for 10 minutes.",
                            code.expose()
                        ),
                            html: None,
                        },
                        _ => {
                            let first_name = first_name(deps, &identity).await;
                            messages::PASSWORD_RESET_CODE.render(
                                identity.email.as_str(),
                                &[("first_name", &first_name), ("code", code.expose())],
                            )
                        }
                    };
                    deliver(&deps.postbox, &message, now + settings.reset_code_ttl).await;
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

#[derive(Debug, thiserror::Error)]
pub enum VerifyResetError {
    /// Wrong, used, expired or over-tried code, or no such account: one answer for all.
    #[error("invalid code")]
    InvalidCode,
    /// The account signs in through its organisation: it has no password to reset.
    #[error("federated account")]
    Federated,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug)]
pub struct ResetVerified {
    pub token: ResetToken,
    pub mfa_required: bool,
}

/// Exchanges a valid reset code for a reset token (the code is used up).
pub async fn verify_reset_code(
    deps: &IdentityDeps,
    email: &Email,
    code: &OneTimeCode,
) -> Result<ResetVerified, VerifyResetError> {
    let settings = &deps.settings;
    tessera_kernel::settle_or_give_up!(
        async {
            let Some(mut identity) = deps.store.identity(email).await? else {
                return Err(VerifyResetError::InvalidCode);
            };
            if identity.status != AccountStatus::Active {
                return Err(VerifyResetError::InvalidCode);
            }
            let now = deps.clock.now();
            let check = check_held_code(
                &mut identity,
                |i| i.reset_code.as_mut(),
                settings,
                CodePurpose::PasswordReset,
                code,
                now,
            );
            match check {
                HeldCodeCheck::Valid => {}
                HeldCodeCheck::Refused => return Err(VerifyResetError::InvalidCode),
                HeldCodeCheck::Wrong => match deps.store.update_identity(&identity).await {
                    Ok(()) => return Err(VerifyResetError::InvalidCode),
                    Err(StoreError::Conflict) => return Ok(None),
                    Err(e) => return Err(e.into()),
                },
            }
            if !identity.password_hash.is_usable() {
                return Err(VerifyResetError::Federated);
            }
            let token = AddressedToken::generate(email, deps.random.as_ref());
            // An emailed code is not a second factor: with an authenticator, completing needs it too.
            let mfa_required = identity.totp.is_some();
            identity.reset_code = None;
            identity.reset_grant = Some(ResetGrant {
                token_digest: token.digest(),
                expires_at: now + settings.reset_grant_ttl,
                mfa_required,
                mfa_failures: 0,
            });
            match deps.store.update_identity(&identity).await {
                Ok(()) => Ok(Some(ResetVerified {
                    token,
                    mfa_required,
                })),
                Err(StoreError::Conflict) => Ok(None),
                Err(e) => Err(e.into()),
            }
        }
        .await
    )?
    .ok_or(VerifyResetError::InvalidCode)
}

#[derive(Debug, thiserror::Error)]
pub enum CompleteResetError {
    #[error("the two new passwords differ")]
    Mismatch,
    /// Unknown, used or expired reset token.
    #[error("invalid reset token")]
    InvalidToken,
    #[error("the new password fails the policy")]
    WeakPassword(Vec<PolicyFailure>),
    /// The account has an authenticator: a TOTP or recovery code is needed, and this was not one.
    #[error("a valid MFA code is required")]
    MfaCodeRequired,
    /// The account signs in through its organisation: a reset never gives it a local password.
    #[error("federated account")]
    Federated,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
}

/// Sets the new password with a reset token. Of two racing completions exactly one wins.
pub async fn complete_reset(
    deps: &IdentityDeps,
    token: &ResetToken,
    new: &Password,
    confirm: &Password,
    mfa_code: Option<&str>,
) -> Result<(), CompleteResetError> {
    if new != confirm {
        return Err(CompleteResetError::Mismatch);
    }
    let email = token.email().ok_or(CompleteResetError::InvalidToken)?;
    tessera_kernel::settle_or_give_up!(
        async {
            let Some(mut identity) = deps.store.identity(&email).await? else {
                return Err(CompleteResetError::InvalidToken);
            };
            let now = deps.clock.now();
            let valid = identity.reset_grant.as_ref().is_some_and(|grant| {
                let same: bool = grant
                    .token_digest
                    .as_bytes()
                    .ct_eq(token.digest().as_bytes())
                    .into();
                same && now < grant.expires_at
            });
            if !valid {
                return Err(CompleteResetError::InvalidToken);
            }
            if !identity.password_hash.is_usable() {
                return Err(CompleteResetError::Federated);
            }
            if identity.totp.is_some() {
                let Some(code) = mfa_code else {
                    return Err(CompleteResetError::MfaCodeRequired);
                };
                match check_second_factor(deps, &mut identity, code)? {
                    FactorCheck::Accepted => {}
                    FactorCheck::BudgetSpent => return Err(CompleteResetError::MfaCodeRequired),
                    FactorCheck::Wrong => {
                        // Counted on the grant too: at the limit the reset starts over.
                        if let Some(grant) = identity.reset_grant.as_mut() {
                            grant.mfa_failures += 1;
                            if grant.mfa_failures >= CHALLENGE_MAX_FAILURES {
                                identity.reset_grant = None;
                            }
                        }
                        match deps.store.update_identity(&identity).await {
                            Ok(()) => return Err(CompleteResetError::MfaCodeRequired),
                            Err(StoreError::Conflict) => return Ok(None),
                            Err(e) => return Err(e.into()),
                        }
                    }
                }
            }
            identity.reset_grant = None;
            let updated = match with_new_password(deps, identity, new, ChangeKind::Reset).await {
                Ok(updated) => updated,
                Err(NewPasswordError::Weak(failures)) => {
                    return Err(CompleteResetError::WeakPassword(failures))
                }
                Err(NewPasswordError::Hash(e)) => return Err(e.into()),
            };
            match deps.store.save_sign_in(&updated, true, None).await {
                Ok(()) => {
                    let first_name = first_name(deps, &updated).await;
                    let when = now.to_rfc3339();
                    let message = messages::PASSWORD_RESET.render(
                        updated.email.as_str(),
                        &[("first_name", &first_name), ("when", &when)],
                    );
                    deliver_notice(&deps.postbox, &message).await;
                    Ok(Some(()))
                }
                Err(StoreError::Conflict) => Ok(None),
                Err(e) => Err(e.into()),
            }
        }
        .await
    )?
    .ok_or(CompleteResetError::InvalidToken)
}
