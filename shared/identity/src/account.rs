//! Accounts. Each has two items: the **identity** (keyed by canonical email; it is the
//! uniqueness marker and carries what sign-in needs) and the **profile** (keyed by account id).
//! Both are written in one transaction at sign-up.

use crate::password::PasswordHash;
use serde::{Deserialize, Serialize};
use tessera_kernel::code::{CodeRecord, SendLog};
use tessera_kernel::email::Email;
use tessera_kernel::ids::AccountId;
use tessera_kernel::person::{Country, Name};
use tessera_kernel::ports::Random;
use tessera_kernel::time::Timestamp;

/// The system-assigned login ID, a prefix and 8 digits (`TS12345678`), given at activation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub fn generate(prefix: &str, random: &dyn Random) -> Username {
        Username(format!(
            "{prefix}{}",
            tessera_kernel::code::random_digits(random, 8)
        ))
    }
    /// Usernames are typed by people: case-insensitive, surrounding space ignored.
    pub fn parse(raw: &str) -> Option<Username> {
        let u = raw.trim().to_uppercase();
        let ok = u.len() >= 3 && u.len() <= 32 && u.chars().all(|c| c.is_ascii_alphanumeric());
        ok.then_some(Username(u))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Signed up, activation code not yet entered: cannot log in.
    Pending,
    Active,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Pending => "pending",
            AccountStatus::Active => "active",
        }
    }
}

/// The sign-in record, keyed by canonical email. Its existence is the "one account per email" marker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub email: Email,
    pub account_id: AccountId,
    pub status: AccountStatus,
    pub username: Option<Username>,
    pub password_hash: PasswordHash,
    /// The latest passwords, newest first, the current one included; capped at the policy's history.
    pub password_history: Vec<PasswordHash>,
    pub password_changed_at: Timestamp,
    /// The owner's last voluntary change (not the first password, not a reset): the password's
    /// minimum age counts from it; none yet, none applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voluntarily_changed_at: Option<Timestamp>,
    pub activation: Option<CodeRecord>,
    pub activation_sends: SendLog,
    /// "An account exists" notices sent to this address: rate-limited like codes.
    pub exists_notices: SendLog,
    pub created_at: Timestamp,
    /// Pending accounts are purged after this (by the pending-accounts job, with a storage TTL
    /// as a backstop); `None` once active.
    pub purge_at: Option<Timestamp>,
    /// Sessions begun under an older epoch are dead. Moves with every password change or reset;
    /// mirrored on the profile (written in the same transaction) for the one-read session check.
    #[serde(default)]
    pub session_epoch: u64,
    /// Set after too many failed logins in a row: only a password reset lets the account in again.
    #[serde(default)]
    pub reset_required: bool,
    /// The outstanding "forgot password" code, and when such codes were sent.
    #[serde(default)]
    pub reset_code: Option<CodeRecord>,
    #[serde(default)]
    pub reset_sends: SendLog,
    /// What a verified reset code was exchanged for: the right to set a new password, briefly.
    #[serde(default)]
    pub reset_grant: Option<ResetGrant>,
    /// The authenticator (TOTP) second factor, once confirmed.
    #[serde(default)]
    pub totp: Option<crate::mfa::TotpState>,
    /// An enrolment begun but not yet confirmed with a first code.
    #[serde(default)]
    pub totp_pending: Option<crate::mfa::PendingTotp>,
    /// The latest login challenge answered, and what its answers did (`challenge.rs`).
    #[serde(default)]
    pub challenge_mark: Option<crate::challenge::ChallengeMark>,
    /// The account's guess budget: its wrong codes of every kind in the current window.
    #[serde(default)]
    pub wrong_codes: crate::wrong_codes::WrongCodes,
    /// "Your sign-in address" reminders sent to this address: rate-limited like codes.
    #[serde(default)]
    pub reminder_sends: SendLog,
    /// The verified mobile number: the only one reset codes go to.
    #[serde(default)]
    pub phone: Option<crate::phone::BoundPhone>,
    /// A number being added or changed, with its verification code.
    #[serde(default)]
    pub phone_pending: Option<crate::phone::PendingPhone>,
    #[serde(default)]
    pub phone_sends: SendLog,
    /// The name emails greet the owner with: a copy of the profile's first name, so the flows
    /// that email from the identity need not read the profile too. Profile edits refresh it.
    #[serde(default)]
    pub greeting_name: Option<Name>,
    /// A new sign-in address support set for the owner, until its code comes back from it.
    #[serde(default)]
    pub email_change: Option<PendingEmailChange>,
    /// Disabled by support: no sign-in of any kind until support enables it again (disabling
    /// also moves the session epoch, so every session ends at once).
    #[serde(default)]
    pub disabled: bool,
    /// Signs in through its organisation's provider: no usable password, no security settings
    /// (mirrored on the profile with the session epoch).
    #[serde(default)]
    pub federated: bool,
    /// Optimistic concurrency: a write succeeds only if the stored version is the one read.
    pub version: u64,
}

impl Identity {
    /// A new pending identity with `hash` as its password, as sign-up makes one before its
    /// activation code and greeting are set: nothing sent, nothing outstanding.
    pub fn pending(
        email: Email,
        account_id: AccountId,
        hash: PasswordHash,
        now: Timestamp,
    ) -> Identity {
        Identity {
            email,
            account_id,
            status: AccountStatus::Pending,
            username: None,
            password_hash: hash.clone(),
            password_history: vec![hash],
            password_changed_at: now,
            voluntarily_changed_at: None,
            activation: None,
            activation_sends: SendLog::default(),
            exists_notices: SendLog::default(),
            created_at: now,
            purge_at: None,
            session_epoch: 0,
            reset_required: false,
            reset_code: None,
            reset_sends: SendLog::default(),
            reset_grant: None,
            totp: None,
            totp_pending: None,
            challenge_mark: None,
            wrong_codes: Default::default(),
            reminder_sends: SendLog::default(),
            phone: None,
            phone_pending: None,
            phone_sends: SendLog::default(),
            greeting_name: None,
            email_change: None,
            disabled: false,
            federated: false,
            version: 0,
        }
    }

    /// Whether a right password (and second step) may begin a session: active, not locked
    /// after failed logins, not disabled.
    pub fn can_sign_in(&self) -> bool {
        self.status == AccountStatus::Active && !self.reset_required && !self.disabled
    }
}

/// A change of sign-in address waiting for its proof: the new address and the code sent to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingEmailChange {
    pub new_email: Email,
    pub code: CodeRecord,
}

/// A verified reset: the digest of the reset token handed out, until when, and whether the
/// completion needs a second factor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetGrant {
    pub token_digest: String,
    pub expires_at: Timestamp,
    pub mfa_required: bool,
    /// Wrong authenticator codes answered with it; at the limit the reset starts over.
    #[serde(default)]
    pub mfa_failures: u32,
}

/// What the person told us about themselves, keyed by account id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub account_id: AccountId,
    pub email: Email,
    pub username: Option<Username>,
    pub first_name: Name,
    pub last_name: Name,
    pub country: Country,
    pub created_at: Timestamp,
    pub purge_at: Option<Timestamp>,
    /// The identity's session epoch, for checking a session in the same read as the profile.
    #[serde(default)]
    pub session_epoch: u64,
    #[serde(flatten)]
    pub details: ProfileDetails,
    #[serde(default)]
    pub communication: CommunicationSettings,
    /// Signs in through its organisation: no password, no security settings here.
    #[serde(default)]
    pub federated: bool,
    /// The candidate record this account is mapped to: set once, in the mapping transaction, so
    /// the candidate's screens find their record from the session's own read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate_id: Option<tessera_kernel::ids::CandidateId>,
    /// The staff roles the account holds (none for candidates): set only with an audit event.
    #[serde(default, skip_serializing_if = "std::collections::BTreeSet::is_empty")]
    pub roles: crate::staff::Roles,
}

/// The editable part of a profile: personal and company details.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileDetails {
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub job_title: Option<String>,
}

/// Which optional emails the person wants. Security notices are not optional and not listed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunicationSettings {
    #[serde(default)]
    pub product_updates: bool,
    #[serde(default)]
    pub newsletters: bool,
    #[serde(default)]
    pub event_invitations: bool,
}

/// A profile edit: each field present is set (names and country as on sign-up).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileEdit {
    pub first_name: Option<Name>,
    pub last_name: Option<Name>,
    pub country: Option<Country>,
    /// `Some(None)` clears the field.
    pub company: Option<Option<String>>,
    pub job_title: Option<Option<String>>,
}

impl ProfileEdit {
    pub fn is_empty(&self) -> bool {
        *self == ProfileEdit::default()
    }

    pub fn apply_to(&self, profile: &mut Profile) {
        if let Some(v) = &self.first_name {
            profile.first_name = v.clone();
        }
        if let Some(v) = &self.last_name {
            profile.last_name = v.clone();
        }
        if let Some(v) = &self.country {
            profile.country = v.clone();
        }
        if let Some(v) = &self.company {
            profile.details.company = v.clone();
        }
        if let Some(v) = &self.job_title {
            profile.details.job_title = v.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_parse_case_insensitively() {
        assert_eq!(
            Username::parse(" ts12345678 ").unwrap().as_str(),
            "TS12345678"
        );
        assert!(Username::parse("ts-1").is_none());
    }
}
