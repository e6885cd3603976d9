//! Sign-up, activation and activation-code resend.
//!
//! The caller learns nothing about whether an address is new, pending or active: sign-up and
//! resend always succeed from the outside; the mailbox owner is told what happened by email.

use crate::account::{AccountStatus, Identity, Profile, Username};
use crate::held_code::{check_held_code, HeldCodeCheck};
use crate::links::PagesUrl;
use crate::messages;
use crate::password::{HashError, Password, PasswordHasher};
use crate::policy::{ChangeKind, PasswordPolicy, PolicyContext, PolicyFailure};
use crate::ports::{AccountStore, LoginStore, SessionStore, UniqueWriteError};
use crate::session::SessionSettings;
use crate::throttle::ThrottleSettings;
use std::sync::Arc;
use tessera_kernel::attempts::Allowance;
use tessera_kernel::code::{CodePepper, CodePurpose, CodeRecord, OneTimeCode, SendLimits, SendLog};
use tessera_kernel::delivery::{deliver, deliver_notice, Postbox};
use tessera_kernel::email::Email;
use tessera_kernel::ids::AccountId;
use tessera_kernel::person::{Country, Name};
use tessera_kernel::ports::{Clock, Random, StoreError};
use tessera_kernel::time::Seconds;

/// The identity rules in force; every number configurable, defaults from SECURITY.md.
#[derive(Clone, Debug)]
pub struct IdentitySettings {
    pub policy: PasswordPolicy,
    pub pepper: CodePepper,
    /// Seal authenticator seeds at rest; none where a function never reads one.
    pub seed_keys: crate::seed::SeedKeys,
    pub activation_ttl: Seconds,
    pub code_max_attempts: u32,
    pub guess_budget: u32,
    pub guess_window: Seconds,
    pub sends: SendLimits,
    pub pending_account_ttl: Seconds,
    pub username_prefix: String,
    pub sessions: SessionSettings,
    pub throttle: ThrottleSettings,
    pub reset_code_ttl: Seconds,
    /// How long a verified reset code's token may be used to set the new password.
    pub reset_grant_ttl: Seconds,
    /// The local parts of group and role addresses sign-up refuses (registrations are
    /// personal): compared without case, a `+tag`, dots, hyphens or underscores. Empty: none
    /// (`TESSERA_ROLE_ADDRESSES=none`).
    pub role_local_parts: Vec<String>,
    /// Countries whose mobile numbers may be bound (ISO 3166-1 alpha-2); empty: all. The
    /// default is `phone::DEFAULT_SMS_COUNTRIES`.
    pub phone_countries: Vec<String>,
    /// Requests per client address on the routes that cost a hash or send a message.
    pub client_limits: tessera_kernel::client_limits::ClientLimits,
    /// The least time answers that must not reveal an account (sign-up, resend, forgot password,
    /// reminders) take, so a known account's extra write and email cannot be timed.
    pub uniform_answer_ms: u64,
    /// The API's public address for the links messages carry (`TESSERA_PUBLIC_URL`); unset on
    /// AWS, where the domain API Gateway was invoked on serves.
    pub public_url: Option<String>,
}

/// Group and role mailboxes, which seed 001 turns away: an account belongs to one person.
pub const DEFAULT_ROLE_LOCAL_PARTS: &[&str] = &[
    "info",
    "sales",
    "admin",
    "administrator",
    "support",
    "office",
    "team",
    "contact",
    "hr",
    "billing",
    "noreply",
    "donotreply",
    "postmaster",
    "webmaster",
    "hostmaster",
    "abuse",
    "marketing",
    "accounts",
    "accounting",
    "help",
    "helpdesk",
    "enquiries",
    "inquiries",
    "jobs",
    "careers",
    "mail",
    "hello",
    "security",
    "legal",
    "privacy",
    "orders",
    "service",
    "staff",
];

/// Whether `email` is a group or role address by `settings`' list: its local part, without a
/// `+tag`, dots, hyphens, underscores or case (`No-Reply+x@…` is `noreply`).
pub fn is_role_address(settings: &IdentitySettings, email: &Email) -> bool {
    let local = email.as_str().split('@').next().unwrap_or_default();
    let local = local.split('+').next().unwrap_or_default();
    let bare: String = local
        .chars()
        .filter(|c| !matches!(c, '.' | '-' | '_'))
        .flat_map(char::to_lowercase)
        .collect();
    settings.role_local_parts.contains(&bare)
}

impl IdentitySettings {
    /// Wrong codes an account may be sent in a window, across all its codes.
    pub fn code_budget(&self) -> Allowance {
        Allowance {
            max: self.guess_budget,
            window: self.guess_window,
        }
    }

    pub fn with_pepper(pepper: CodePepper) -> IdentitySettings {
        IdentitySettings {
            policy: PasswordPolicy::default(),
            role_local_parts: DEFAULT_ROLE_LOCAL_PARTS
                .iter()
                .map(|p| p.to_string())
                .collect(),
            pepper,
            seed_keys: crate::seed::SeedKeys::none(),
            activation_ttl: Seconds::hours(24),
            code_max_attempts: 5,
            guess_budget: 10,
            guess_window: Seconds::hours(1),
            sends: SendLimits::default(),
            pending_account_ttl: Seconds::days(7),
            username_prefix: "TS".to_string(),
            sessions: SessionSettings::default(),
            throttle: ThrottleSettings::default(),
            reset_code_ttl: Seconds::minutes(10),
            reset_grant_ttl: Seconds::minutes(15),
            phone_countries: crate::phone::DEFAULT_SMS_COUNTRIES
                .split(' ')
                .map(str::to_string)
                .collect(),
            client_limits: tessera_kernel::client_limits::ClientLimits::default(),
            uniform_answer_ms: 400,
            public_url: None,
        }
    }
}

/// Everything the identity flows need, built once per process.
#[derive(Clone)]
pub struct IdentityDeps {
    pub store: Arc<dyn AccountStore>,
    pub logins: Arc<dyn LoginStore>,
    pub attempts: Arc<dyn tessera_kernel::attempts::AttemptLedger>,
    pub sessions: Arc<dyn SessionStore>,
    /// How messages go out (its clock, randomness and ledger are the ones below).
    pub postbox: Postbox,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Random>,
    pub hasher: PasswordHasher,
    pub settings: Arc<IdentitySettings>,
    /// Client requests taken from their allowances ahead of need, in this process.
    pub client_leases: Arc<tessera_kernel::client_limits::ClientLeases>,
}

/// A sign-up request, already parsed at the edge.
#[derive(Debug)]
pub struct SignUp {
    pub email: Email,
    pub password: Password,
    pub first_name: Name,
    pub last_name: Name,
    pub country: Country,
    /// Where the activation email's link leads.
    pub pages: PagesUrl,
}

#[derive(Debug, thiserror::Error)]
pub enum SignUpError {
    #[error("the password fails the policy")]
    WeakPassword(Vec<PolicyFailure>),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
}

#[derive(Debug, thiserror::Error)]
pub enum ActivateError {
    /// Wrong, used, expired or over-tried code, or no such pending account: one answer for all.
    #[error("invalid activation code")]
    InvalidCode,
    /// The password to set fails the policy (which says nothing about the account).
    #[error("the password fails the policy")]
    WeakPassword(Vec<PolicyFailure>),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
}

/// Signs up, or tells the mailbox owner why not. Always `Ok(())` unless the password fails the
/// policy (which says nothing about the address) or the infrastructure fails.
pub async fn sign_up(deps: &IdentityDeps, request: SignUp) -> Result<(), SignUpError> {
    let settings = &deps.settings;
    let failed = first_password_failures(settings, Some(&request.email), &request.password);
    if !failed.is_empty() {
        return Err(SignUpError::WeakPassword(failed));
    }
    // Hash before looking anything up, so every path costs one hash.
    let hash = deps
        .hasher
        .hash(&request.password, salt(deps.random.as_ref()))
        .await?;
    let now = deps.clock.now();
    let account_id = AccountId::generate(deps.random.as_ref());
    let code = OneTimeCode::generate(deps.random.as_ref());
    let purge_at = Some(now + settings.pending_account_ttl);
    let identity = Identity {
        activation: Some(activation_record(settings, &account_id, &code, now)),
        activation_sends: SendLog::first(now),
        purge_at,
        greeting_name: Some(request.first_name.clone()),
        ..Identity::pending(request.email.clone(), account_id.clone(), hash, now)
    };
    let profile = Profile {
        account_id,
        email: request.email.clone(),
        username: None,
        first_name: request.first_name,
        last_name: request.last_name,
        country: request.country,
        created_at: now,
        purge_at,
        session_epoch: 0,
        details: Default::default(),
        communication: Default::default(),
        federated: false,
        candidate_id: None,
        roles: Default::default(),
    };
    match deps.store.create_account(&identity, &profile).await {
        Ok(()) => {
            let first_name = profile.first_name.as_str();
            send_activation_code(
                deps,
                &identity.email,
                first_name,
                &code,
                now,
                &request.pages,
            )
            .await;
            Ok(())
        }
        Err(UniqueWriteError::Taken) => {
            already_registered(deps, &identity, &profile, &request.pages).await?;
            Ok(())
        }
        Err(UniqueWriteError::Store(e)) => Err(e.into()),
    }
}

/// Signing up with an address that has an account. A pending one belongs to nobody yet: the
/// latest registration's details and password replace the pending ones, and a fresh code goes to
/// the address (within the resend limits; otherwise the code already sent stays good). Whoever
/// activates sets the password with the code, so typing an address first gains nothing. An
/// active one's owner gets an "account exists" notice.
async fn already_registered(
    deps: &IdentityDeps,
    registration: &Identity,
    details: &Profile,
    pages: &PagesUrl,
) -> Result<(), StoreError> {
    let settings = &deps.settings;
    tessera_kernel::settle_or_give_up!(
        async {
            let Some(mut identity) = deps.store.identity(&registration.email).await? else {
                return Ok(Some(())); // purged in between: nothing to say
            };
            let now = deps.clock.now();
            match identity.status {
                AccountStatus::Pending => {
                    identity.password_hash = registration.password_hash.clone();
                    identity.password_history = registration.password_history.clone();
                    identity.password_changed_at = now;
                    identity.greeting_name = registration.greeting_name.clone();
                    let code = identity
                        .activation_sends
                        .may_send(now, &settings.sends)
                        .then(|| OneTimeCode::generate(deps.random.as_ref()));
                    if let Some(code) = &code {
                        identity.activation =
                            Some(activation_record(settings, &identity.account_id, code, now));
                        identity.activation_sends.record(now, &settings.sends);
                    }
                    let profile = Profile {
                        account_id: identity.account_id.clone(),
                        created_at: identity.created_at,
                        purge_at: identity.purge_at,
                        ..details.clone()
                    };
                    match deps.store.replace_registration(&identity, &profile).await {
                        Ok(()) => {
                            if let Some(code) = &code {
                                let first_name = profile.first_name.as_str();
                                let email = &identity.email;
                                send_activation_code(deps, email, first_name, code, now, pages)
                                    .await;
                            }
                            Ok(Some(()))
                        }
                        Err(StoreError::Conflict) => Ok(None),
                        Err(e) => Err(e),
                    }
                }
                AccountStatus::Active => {
                    if !identity.exists_notices.may_send(now, &settings.sends) {
                        return Ok(Some(()));
                    }
                    identity.exists_notices.record(now, &settings.sends);
                    match deps.store.update_identity(&identity).await {
                        Ok(()) => {
                            let first_name = first_name(deps, &identity).await;
                            let message = messages::ACCOUNT_EXISTS
                                .render(identity.email.as_str(), &[("first_name", &first_name)]);
                            deliver_notice(&deps.postbox, &message).await;
                            Ok(Some(()))
                        }
                        Err(StoreError::Conflict) => Ok(None),
                        Err(e) => Err(e),
                    }
                }
            }
        }
        .await
    )?;
    Ok(())
}

/// An activation request, parsed at the edge: the emailed code proves the mailbox, and the
/// password given with it is the one the account will have.
#[derive(Debug)]
pub struct Activation {
    pub email: Email,
    pub code: OneTimeCode,
    pub password: Password,
}

/// Activates a pending account with its code, sets the password given with it, and assigns the
/// username. The password is checked against the policy and hashed before anything is looked
/// up, so every answer costs the same hash.
pub async fn activate(
    deps: &IdentityDeps,
    request: &Activation,
) -> Result<Username, ActivateError> {
    let settings = &deps.settings;
    let failed = first_password_failures(settings, Some(&request.email), &request.password);
    if !failed.is_empty() {
        return Err(ActivateError::WeakPassword(failed));
    }
    let hash = deps
        .hasher
        .hash(&request.password, salt(deps.random.as_ref()))
        .await?;
    tessera_kernel::settle_or_give_up!(
        async {
            let Some(mut identity) = deps.store.identity(&request.email).await? else {
                return Err(ActivateError::InvalidCode);
            };
            let now = deps.clock.now();
            if identity.status != AccountStatus::Pending {
                return Err(ActivateError::InvalidCode);
            }
            let check = check_held_code(
                &mut identity,
                |i| i.activation.as_mut(),
                settings,
                CodePurpose::Activation,
                &request.code,
                now,
            );
            match check {
                HeldCodeCheck::Valid => {}
                HeldCodeCheck::Refused => return Err(ActivateError::InvalidCode),
                HeldCodeCheck::Wrong => match deps.store.update_identity(&identity).await {
                    Ok(()) => return Err(ActivateError::InvalidCode),
                    Err(StoreError::Conflict) => return Ok(None),
                    Err(e) => return Err(e.into()),
                },
            }
            let username = Username::generate(&settings.username_prefix, deps.random.as_ref());
            identity.status = AccountStatus::Active;
            identity.activation = None;
            identity.username = Some(username.clone());
            identity.purge_at = None;
            identity.password_hash = hash.clone();
            identity.password_history = vec![hash.clone()];
            identity.password_changed_at = now;
            match deps.store.activate(&identity, &username).await {
                Ok(()) => Ok(Some(username)),
                // Another request used the code first, or the username is taken: read again.
                Err(UniqueWriteError::Taken | UniqueWriteError::Store(StoreError::Conflict)) => {
                    Ok(None)
                }
                Err(UniqueWriteError::Store(e)) => Err(e.into()),
            }
        }
        .await
    )?
    .ok_or(ActivateError::InvalidCode)
}

/// Sends a new activation code to a pending account, within the resend limits. Silent otherwise.
pub async fn resend_activation_code(
    deps: &IdentityDeps,
    email: &Email,
    pages: &PagesUrl,
) -> Result<(), StoreError> {
    let settings = &deps.settings;
    tessera_kernel::settle_or_give_up!(
        async {
            let Some(mut identity) = deps.store.identity(email).await? else {
                return Ok(Some(()));
            };
            let now = deps.clock.now();
            if identity.status != AccountStatus::Pending
                || !identity.activation_sends.may_send(now, &settings.sends)
            {
                return Ok(Some(()));
            }
            let code = OneTimeCode::generate(deps.random.as_ref());
            identity.activation = Some(activation_record(
                settings,
                &identity.account_id,
                &code,
                now,
            ));
            identity.activation_sends.record(now, &settings.sends);
            match deps.store.update_identity(&identity).await {
                Ok(()) => {
                    let first_name = first_name(deps, &identity).await;
                    let email = &identity.email;
                    send_activation_code(deps, email, &first_name, &code, now, pages).await;
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

fn activation_record(
    settings: &IdentitySettings,
    account_id: &AccountId,
    code: &OneTimeCode,
    now: tessera_kernel::time::Timestamp,
) -> CodeRecord {
    CodeRecord::issue(
        &settings.pepper,
        CodePurpose::Activation,
        account_id.as_str(),
        code,
        now,
        settings.activation_ttl,
    )
}

/// The policy's rules an account's first password fails (sign-up, activation), in rule order;
/// without the address (one that did not parse) its rule is left out.
pub fn first_password_failures(
    settings: &IdentitySettings,
    email: Option<&Email>,
    password: &Password,
) -> Vec<PolicyFailure> {
    settings.policy.check(
        password.expose(),
        &PolicyContext {
            email,
            change: Some(ChangeKind::Initial),
            ..Default::default()
        },
    )
}

pub(crate) fn salt(random: &dyn Random) -> [u8; 16] {
    let mut salt = [0u8; 16];
    random.fill(&mut salt);
    salt
}

/// The name to greet the owner with: the identity's copy, or (for records from before it was
/// kept) the profile's.
pub(crate) async fn first_name(deps: &IdentityDeps, identity: &Identity) -> String {
    if let Some(name) = &identity.greeting_name {
        return name.as_str().to_string();
    }
    match deps.store.profile(&identity.account_id).await {
        Ok(Some(p)) => p.first_name.as_str().to_string(),
        _ => "there".to_string(),
    }
}

async fn send_activation_code(
    deps: &IdentityDeps,
    email: &Email,
    first_name: &str,
    code: &OneTimeCode,
    issued_at: tessera_kernel::time::Timestamp,
    pages: &PagesUrl,
) {
    let link = pages.activation(email, code);
    let message = messages::ACTIVATION.render(
        email.as_str(),
        &[
            ("first_name", first_name),
            ("code", code.expose()),
            ("link", &link),
        ],
    );
    deliver(
        &deps.postbox,
        &message,
        issued_at + deps.settings.activation_ttl,
    )
    .await;
}

/// The pending-accounts job: deletes accounts never activated once their purge date has passed,
/// which frees their email for a new sign-up. Each deletion is conditioned on the account being
/// still pending at the version read, so an activation that wins the race keeps its account,
/// and a repeated run deletes nothing twice. Nobody is emailed: the address was never confirmed.
pub async fn purge_unactivated(
    deps: &IdentityDeps,
    limit: usize,
) -> Result<tessera_kernel::jobs::JobReport, StoreError> {
    let now = deps.clock.now();
    let due = deps.store.purgeable_accounts(now, limit).await?;
    let mut report = tessera_kernel::jobs::JobReport {
        due: due.len() as u32,
        ..Default::default()
    };
    for identity in due {
        let still_due = identity.status == AccountStatus::Pending
            && identity.purge_at.is_some_and(|at| at <= now);
        if still_due && deps.store.purge_account(&identity).await? {
            tracing::info!(account = %identity.account_id.as_str(), "pending account purged");
            report.changed += 1;
        } else {
            report.skipped += 1;
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_addresses_are_known_however_they_are_written() {
        let settings = IdentitySettings::with_pepper(CodePepper::new(b"pepper".to_vec()));
        let role = |settings: &IdentitySettings, raw: &str| {
            is_role_address(settings, &Email::parse(raw).unwrap())
        };
        for address in [
            "info@example.com",
            "No-Reply+x@example.com",
            "h.r@example.com",
            "SUPPORT@example.org",
        ] {
            assert!(role(&settings, address), "{address}");
        }
        for address in [
            "ada.lovelace@example.com",
            "information.desk@example.com",
            "sales.ada@example.com",
        ] {
            assert!(!role(&settings, address), "{address}");
        }
        let none = IdentitySettings {
            role_local_parts: Vec::new(),
            ..settings.clone()
        };
        assert!(!role(&none, "info@example.com"));
    }
}
