//! Changing an account's sign-in address for its owner: support sets the new address (on the
//! owner's request, with a reason), a code goes there and the current address is told; the
//! owner, signed in, enters the code, and the identity moves to the new address in one write
//! (the old address's marker removed, the new one's created only if free, the profile following,
//! the change audited). Nothing changes without the code.

use crate::account::{Identity, PendingEmailChange, Profile};
use crate::held_code::{check_held_code, HeldCodeCheck};
use crate::messages;
use crate::ports::UniqueWriteError;
use crate::signup::{first_name, IdentityDeps};
use tessera_kernel::audit::{Attribution, AuditParty, FieldChange, Reason};
use tessera_kernel::code::{CodePurpose, CodeRecord, OneTimeCode};
use tessera_kernel::delivery::{deliver, deliver_notice};
use tessera_kernel::email::Email;
use tessera_kernel::ids::AccountId;
use tessera_kernel::ports::StoreError;
use tessera_kernel::race::landed;
use tessera_kernel::time::Seconds;

/// How long the code sent to the new address works: the owner hears of it from support and
/// signs in when they can.
pub const CODE_TTL: Seconds = Seconds::hours(24);

#[derive(Debug, thiserror::Error)]
pub enum EmailChangeError {
    #[error("no such account")]
    NoAccount,
    #[error("the account signs in with that address already")]
    SameAddress,
    #[error("another account signs in with that address")]
    Taken,
    #[error("no change of address is waiting")]
    NothingPending,
    #[error("the code is wrong or expired")]
    InvalidCode,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Support sets `new_email` as `account`'s next sign-in address on `by`'s word: the code and its
/// audit event are written with the identity (a new request replaces an earlier one), the code
/// goes to the new address and the current one is told.
pub async fn request(
    deps: &IdentityDeps,
    by: &Attribution,
    account: &AccountId,
    new_email: &Email,
) -> Result<(), EmailChangeError> {
    let settings = &deps.settings;
    let (identity, code) = tessera_kernel::settle!(
        async {
            let profile = deps
                .store
                .profile(account)
                .await?
                .ok_or(EmailChangeError::NoAccount)?;
            let mut identity = deps
                .store
                .identity(&profile.email)
                .await?
                .ok_or(EmailChangeError::NoAccount)?;
            if identity.email == *new_email {
                return Err(EmailChangeError::SameAddress);
            }
            if deps.store.identity(new_email).await?.is_some() {
                return Err(EmailChangeError::Taken);
            }
            let now = deps.clock.now();
            let code = OneTimeCode::generate(deps.random.as_ref());
            let record = CodeRecord::issue(
                &settings.pepper,
                CodePurpose::EmailChange,
                identity.account_id.as_str(),
                &code,
                now,
                CODE_TTL,
            );
            identity.email_change = Some(PendingEmailChange {
                new_email: new_email.clone(),
                code: record,
            });
            let event = by.event(
                now,
                deps.random.as_ref(),
                "account.email_change",
                AuditParty::new("account", account.as_str()),
                vec![FieldChange::new(
                    "email_change_to",
                    None,
                    Some(new_email.as_str().to_string()),
                )],
            );
            let write = deps
                .store
                .save_sign_in(&identity, false, Some(&event))
                .await;
            Ok(landed(write)?.then(|| (identity.clone(), code.clone())))
        }
        .await
    )?;
    let now = deps.clock.now();
    let name = first_name(deps, &identity).await;
    let message = messages::EMAIL_CHANGE_CODE.render(
        new_email.as_str(),
        &[("first_name", &name), ("code", code.expose())],
    );
    deliver(&deps.postbox, &message, now + CODE_TTL).await;
    let notice = messages::EMAIL_CHANGE_REQUESTED.render(
        identity.email.as_str(),
        &[
            ("first_name", &name),
            ("new_email", new_email.as_str()),
            ("when", &now.to_rfc3339()),
        ],
    );
    deliver_notice(&deps.postbox, &notice).await;
    Ok(())
}

/// The owner (signed in as `profile`) enters the code sent to the new address: the account
/// moves there; the address it left is told. The new address, once moved.
pub async fn confirm(
    deps: &IdentityDeps,
    profile: &Profile,
    code: &OneTimeCode,
) -> Result<Email, EmailChangeError> {
    let settings = &deps.settings;
    let (left, moved) = tessera_kernel::settle!(
        async {
            let mut identity = deps
                .store
                .identity(&profile.email)
                .await?
                .ok_or(EmailChangeError::NothingPending)?;
            let pending = identity
                .email_change
                .clone()
                .ok_or(EmailChangeError::NothingPending)?;
            let now = deps.clock.now();
            let check = check_held_code(
                &mut identity,
                |i| i.email_change.as_mut().map(|c| &mut c.code),
                settings,
                CodePurpose::EmailChange,
                code,
                now,
            );
            match check {
                HeldCodeCheck::Valid => {}
                HeldCodeCheck::Refused => return Err(EmailChangeError::InvalidCode),
                HeldCodeCheck::Wrong => {
                    return match deps.store.update_identity(&identity).await {
                        Ok(()) => Err(EmailChangeError::InvalidCode),
                        Err(StoreError::Conflict) => Ok(None),
                        Err(e) => Err(e.into()),
                    }
                }
            }
            let moved = Identity {
                email: pending.new_email.clone(),
                email_change: None,
                ..identity.clone()
            };
            let owner = AuditParty::new("account", identity.account_id.as_str());
            let reason = Reason::parse("the owner confirmed the new address with its code")
                .expect("a fixed reason");
            let event = Attribution::new(owner.clone(), reason).event(
                now,
                deps.random.as_ref(),
                "account.email",
                owner,
                vec![FieldChange::new(
                    "email",
                    Some(identity.email.as_str().to_string()),
                    Some(moved.email.as_str().to_string()),
                )],
            );
            match deps.store.move_email(&identity, &moved, &event).await {
                Ok(()) => Ok(Some((identity, moved))),
                Err(UniqueWriteError::Taken) => Err(EmailChangeError::Taken),
                Err(UniqueWriteError::Store(StoreError::Conflict)) => Ok(None),
                Err(UniqueWriteError::Store(e)) => Err(e.into()),
            }
        }
        .await
    )?;
    let name = first_name(deps, &moved).await;
    let notice = messages::EMAIL_CHANGED.render(
        left.email.as_str(),
        &[
            ("first_name", &name),
            ("new_email", moved.email.as_str()),
            ("when", &deps.clock.now().to_rfc3339()),
        ],
    );
    deliver_notice(&deps.postbox, &notice).await;
    Ok(moved.email)
}
