//! The authenticator (TOTP, RFC 6238: SHA-1, 6 digits, 30 s, ±1 step) second factor: enrol with
//! the password, confirm with a first code (which gets 10 single-use recovery codes), remove with
//! the password and a current code. A time step once accepted is never accepted again: the last
//! accepted step is stored and every acceptance is a version-checked write.

use crate::account::{AccountStatus, Identity, Profile};
use crate::login::{reauthenticate, LoggedIn, ReauthError};
use crate::messages;
use crate::password::{HashError, Password};
use crate::seed::{SeedKeyError, SeedKeys};
use crate::session::Session;
use crate::signup::{first_name, IdentityDeps};
use crate::token::AddressedToken;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use tessera_kernel::code::{CodePepper, CodePurpose};
use tessera_kernel::delivery::deliver_notice;
use tessera_kernel::messages::EmailTemplate;
use tessera_kernel::ports::{Random, StoreError};

use tessera_kernel::time::{Seconds, Timestamp};
use totp_rs::{Builder, Secret, Totp};

const ISSUER: &str = "Tessera";
const SECRET_BYTES: usize = 20;
const RECOVERY_CODES: usize = 10;
/// Letters and digits that cannot be mistaken for one another.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
const ENROLMENT_TTL: Seconds = Seconds::minutes(15);
/// A confirmed authenticator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpState {
    /// The seed, sealed (`seed::SeedKeys`); the base32 text for one stored before sealing.
    pub secret: String,
    /// The last time step accepted; codes of this step or earlier are refused.
    pub last_step: u64,
    /// HMAC digests of the unused recovery codes.
    pub recovery_codes: Vec<String>,
    pub enabled_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingTotp {
    /// Sealed, as `TotpState::secret`.
    pub secret: String,
    pub expires_at: Timestamp,
}

/// Which second factor a code matched, so it can be used up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecondFactor {
    Totp { step: u64 },
    Recovery { index: usize },
}

fn totp_for(secret_base32: &str, account: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret_base32).ok()?;
    Builder::new()
        .with_secret(secret)
        .with_account_name(account)
        .with_issuer(Some(ISSUER))
        .build()
        .ok()
}

fn normalize_recovery(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl TotpState {
    /// The factor `code` proves at `now`: an unused TOTP step (checked against `seed`, the
    /// opened secret) or an unused recovery code.
    pub fn verify(
        &self,
        seed: &str,
        pepper: &CodePepper,
        account_id: &str,
        code: &str,
        now: Timestamp,
    ) -> Option<SecondFactor> {
        let code = code.trim();
        if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
            let totp = totp_for(seed, ISSUER)?;
            let step = totp.check(code, now.0.max(0) as u64)?;
            return (step > self.last_step).then_some(SecondFactor::Totp { step });
        }
        let digest = pepper.digest_secret(
            CodePurpose::RecoveryCode,
            account_id,
            &normalize_recovery(code),
        );
        self.recovery_codes
            .iter()
            .position(|stored| bool::from(stored.as_bytes().ct_eq(digest.as_bytes())))
            .map(|index| SecondFactor::Recovery { index })
    }

    pub fn consume(&mut self, factor: SecondFactor) {
        match factor {
            SecondFactor::Totp { step } => self.last_step = step,
            SecondFactor::Recovery { index } => {
                self.recovery_codes.remove(index);
            }
        }
    }
}

/// What checking a TOTP or recovery code found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactorCheck {
    /// Right, and now used up on the identity.
    Accepted,
    /// Checked and wrong, and now counted in the identity's guess budget.
    Wrong,
    /// The account's guess budget is spent for this window: nothing was checked.
    BudgetSpent,
}

/// The one place a TOTP or recovery code is checked, on every route, and only while the
/// account's guess budget (shared with its emailed and SMS codes) has room. A right code is
/// used up on `identity`, a wrong one counted on it: either way the caller writes the identity
/// (version-checked) before answering, and reads it again on a conflict, so parallel guesses
/// are answered one at a time (`attempts::WrongCodes`).
pub fn check_second_factor(
    deps: &IdentityDeps,
    identity: &mut Identity,
    code: &str,
) -> Result<FactorCheck, StoreError> {
    let now = deps.clock.now();
    let budget = deps.settings.code_budget();
    if !identity.wrong_codes.have_room(budget, now) {
        return Ok(FactorCheck::BudgetSpent);
    }
    let account_id = identity.account_id.as_str().to_string();
    let Some(state) = identity.totp.as_mut() else {
        identity.wrong_codes.count(budget, now);
        return Ok(FactorCheck::Wrong);
    };
    let keys = &deps.settings.seed_keys;
    let seed = open_seed(keys, &account_id, &state.secret)?;
    match state.verify(&seed, &deps.settings.pepper, &account_id, code, now) {
        Some(factor) => {
            state.consume(factor);
            // A seed stored before sealing, or under a retired key, is sealed now: the caller
            // writes the identity anyway.
            if !keys.is_sealed_by_current(&state.secret) {
                state.secret = seal_seed(deps, &account_id, &seed)?;
            }
            Ok(FactorCheck::Accepted)
        }
        None => {
            identity.wrong_codes.count(budget, now);
            Ok(FactorCheck::Wrong)
        }
    }
}

/// The stored seed opened for its account; a seed no configured key opens is a fault of the
/// configuration, not of the person.
fn open_seed(keys: &SeedKeys, account: &str, stored: &str) -> Result<String, StoreError> {
    keys.open(account, stored)
        .ok_or_else(|| StoreError::unavailable(SeedKeyError::NoKey))
}

fn seal_seed(deps: &IdentityDeps, account: &str, seed: &str) -> Result<String, StoreError> {
    deps.settings
        .seed_keys
        .seal(account, seed, deps.random.as_ref())
        .map_err(StoreError::unavailable)
}

#[derive(Debug, thiserror::Error)]
pub enum MfaError {
    #[error("the password is wrong")]
    WrongPassword,
    #[error("the code is wrong or already used")]
    InvalidCode,
    #[error("an authenticator is already set up")]
    AlreadyEnabled,
    #[error("no authenticator is set up")]
    NotEnabled,
    #[error("no enrolment is waiting for confirmation")]
    NoPendingEnrolment,
    #[error("too many attempts")]
    TooManyAttempts { retry_at: Timestamp },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
}

/// What the person scans or types into the authenticator app.
pub struct Enrolment {
    pub secret_base32: String,
    pub otpauth_uri: String,
}

impl From<ReauthError> for MfaError {
    fn from(e: ReauthError) -> Self {
        match e {
            ReauthError::WrongPassword => MfaError::WrongPassword,
            ReauthError::TooManyAttempts { retry_at } => MfaError::TooManyAttempts { retry_at },
            ReauthError::Store(e) => MfaError::Store(e),
            ReauthError::Hash(e) => MfaError::Hash(e),
        }
    }
}

/// An identity whose password was just re-entered: read again after a lost race without
/// checking the password again (each check is a counted attempt and a hash), as long as the
/// password is still the one proven.
struct ProvenIdentity {
    proven: Identity,
    fresh: Option<Identity>,
}

impl ProvenIdentity {
    async fn new(
        deps: &IdentityDeps,
        email: &tessera_kernel::email::Email,
        password: &Password,
    ) -> Result<ProvenIdentity, MfaError> {
        let proven = reauthenticate(deps, email, password).await?;
        Ok(ProvenIdentity {
            fresh: Some(proven.clone()),
            proven,
        })
    }

    /// The identity as it was proven, then as stored now on each later call.
    async fn current(&mut self, deps: &IdentityDeps) -> Result<Identity, MfaError> {
        if let Some(identity) = self.fresh.take() {
            return Ok(identity);
        }
        match deps.store.identity(&self.proven.email).await? {
            Some(identity)
                if identity.password_hash == self.proven.password_hash
                    && identity.status == AccountStatus::Active =>
            {
                Ok(identity)
            }
            _ => Err(MfaError::WrongPassword),
        }
    }
}

pub async fn start_enrolment(
    deps: &IdentityDeps,
    profile: &Profile,
    password: &Password,
) -> Result<Enrolment, MfaError> {
    let mut proven = ProvenIdentity::new(deps, &profile.email, password).await?;
    tessera_kernel::settle!(
        async {
            let mut identity = proven.current(deps).await?;
            if identity.totp.is_some() {
                return Err(MfaError::AlreadyEnabled);
            }
            let mut bytes = [0u8; SECRET_BYTES];
            deps.random.fill(&mut bytes);
            let secret = Secret::from(bytes.to_vec()).to_base32();
            let totp =
                totp_for(&secret, identity.email.as_str()).expect("a fresh 160-bit secret builds");
            let otpauth_uri = totp
                .to_url()
                .map_err(|e| StoreError::unavailable(std::io::Error::other(e.to_string())))?;
            identity.totp_pending = Some(PendingTotp {
                secret: seal_seed(deps, identity.account_id.as_str(), &secret)?,
                expires_at: deps.clock.now() + ENROLMENT_TTL,
            });
            match deps.store.update_identity(&identity).await {
                Ok(()) => Ok(Some(Enrolment {
                    secret_base32: secret,
                    otpauth_uri,
                })),
                Err(StoreError::Conflict) => Ok(None),
                Err(e) => Err(e.into()),
            }
        }
        .await
    )
}

/// Confirms the enrolment with a first code; returns the recovery codes, shown this once.
pub async fn confirm_enrolment(
    deps: &IdentityDeps,
    profile: &Profile,
    code: &str,
) -> Result<Vec<String>, MfaError> {
    let settings = &deps.settings;
    let budget = settings.code_budget();
    tessera_kernel::settle!(
        async {
            let mut identity = deps
                .store
                .identity(&profile.email)
                .await?
                .ok_or(MfaError::NoPendingEnrolment)?;
            let now = deps.clock.now();
            let pending = identity
                .totp_pending
                .clone()
                .filter(|p| now < p.expires_at)
                .ok_or(MfaError::NoPendingEnrolment)?;
            if !identity.wrong_codes.have_room(budget, now) {
                return Err(MfaError::InvalidCode);
            }
            let seed = open_seed(
                &settings.seed_keys,
                identity.account_id.as_str(),
                &pending.secret,
            )?;
            let totp =
                totp_for(&seed, identity.email.as_str()).ok_or(MfaError::NoPendingEnrolment)?;
            let Some(step) = totp.check(code.trim(), now.0.max(0) as u64) else {
                identity.wrong_codes.count(budget, now);
                match deps.store.update_identity(&identity).await {
                    Ok(()) => return Err(MfaError::InvalidCode),
                    Err(StoreError::Conflict) => return Ok(None),
                    Err(e) => return Err(e.into()),
                }
            };
            let codes: Vec<String> = (0..RECOVERY_CODES)
                .map(|_| recovery_code(deps.random.as_ref()))
                .collect();
            let digests = codes
                .iter()
                .map(|c| {
                    settings.pepper.digest_secret(
                        CodePurpose::RecoveryCode,
                        identity.account_id.as_str(),
                        &normalize_recovery(c),
                    )
                })
                .collect();
            identity.totp = Some(TotpState {
                secret: pending.secret,
                last_step: step,
                recovery_codes: digests,
                enabled_at: now,
            });
            identity.totp_pending = None;
            match deps.store.update_identity(&identity).await {
                Ok(()) => {
                    notify(deps, &identity, &messages::MFA_ENABLED).await;
                    Ok(Some(codes))
                }
                Err(StoreError::Conflict) => Ok(None),
                Err(e) => Err(e.into()),
            }
        }
        .await
    )
}

/// Removes the authenticator: the password and a current code (or a recovery code).
pub async fn remove(
    deps: &IdentityDeps,
    profile: &Profile,
    password: &Password,
    code: &str,
) -> Result<(), MfaError> {
    let mut proven = ProvenIdentity::new(deps, &profile.email, password).await?;
    tessera_kernel::settle!(
        async {
            let mut identity = proven.current(deps).await?;
            if identity.totp.is_none() {
                return Err(MfaError::NotEnabled);
            }
            match check_second_factor(deps, &mut identity, code)? {
                FactorCheck::Accepted => {}
                FactorCheck::BudgetSpent => return Err(MfaError::InvalidCode),
                FactorCheck::Wrong => match deps.store.update_identity(&identity).await {
                    Ok(()) => return Err(MfaError::InvalidCode),
                    Err(StoreError::Conflict) => return Ok(None),
                    Err(e) => return Err(e.into()),
                },
            }
            identity.totp = None;
            match deps.store.update_identity(&identity).await {
                Ok(()) => {
                    notify(deps, &identity, &messages::MFA_REMOVED).await;
                    Ok(Some(()))
                }
                Err(StoreError::Conflict) => Ok(None),
                Err(e) => Err(e.into()),
            }
        }
        .await
    )
}

#[derive(Debug, thiserror::Error)]
pub enum MfaLoginError {
    /// Unknown, expired, used or exhausted challenge: log in with the password again.
    #[error("invalid challenge")]
    InvalidChallenge,
    #[error("invalid code")]
    InvalidCode,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Completes a login with a TOTP or recovery code, answering a challenge (`challenge.rs`).
/// Using the code up and marking the challenge used is one version-checked write of the
/// identity, so a step or recovery code logs in once, even racing; the session is stored after
/// it (if that fails, the person logs in again).
pub async fn complete_login(
    deps: &IdentityDeps,
    challenge: &AddressedToken,
    code: &str,
) -> Result<LoggedIn, MfaLoginError> {
    let email = challenge.email().ok_or(MfaLoginError::InvalidChallenge)?;
    tessera_kernel::settle_or_give_up!(
        async {
            let (identity, throttle) = deps.logins.identity_and_throttle(&email).await?;
            let mut identity = identity.ok_or(MfaLoginError::InvalidChallenge)?;
            let now = deps.clock.now();
            if !identity.can_sign_in() || identity.totp.is_none() {
                return Err(MfaLoginError::InvalidChallenge);
            }
            let open = crate::challenge::open(&deps.settings.pepper, &identity, challenge, now)
                .ok_or(MfaLoginError::InvalidChallenge)?;
            match check_second_factor(deps, &mut identity, code)? {
                FactorCheck::Accepted => {}
                FactorCheck::BudgetSpent => {
                    crate::login::count_failure(deps, &email).await?;
                    return Err(MfaLoginError::InvalidCode);
                }
                FactorCheck::Wrong => {
                    open.record_wrong(&mut identity);
                    match deps.store.update_identity(&identity).await {
                        Ok(()) => {
                            // Wrong codes count as failed logins too, so fresh challenges buy no
                            // extra guesses.
                            crate::login::count_failure(deps, &email).await?;
                            return Err(MfaLoginError::InvalidCode);
                        }
                        Err(StoreError::Conflict) => return Ok(None),
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            open.record_used(&mut identity);
            match deps.store.update_identity(&identity).await {
                Ok(()) => {}
                Err(StoreError::Conflict) => return Ok(None),
                Err(e) => return Err(e.into()),
            }
            let token =
                crate::session::SessionToken::generate(&identity.account_id, deps.random.as_ref());
            let session = Session {
                second_factor: true,
                ..Session::start(
                    &token,
                    identity.account_id.clone(),
                    identity.session_epoch,
                    now,
                    &deps.settings.sessions,
                )
            };
            deps.logins
                .start_session(&session, &email, throttle.needs_clearing())
                .await?;
            tessera_kernel::metrics::count(tessera_kernel::metrics::Metric::Logins);
            Ok(Some(LoggedIn {
                token,
                expires_at: session.expires_at,
            }))
        }
        .await
    )?
    .ok_or(MfaLoginError::InvalidChallenge)
}

fn recovery_code(random: &dyn Random) -> String {
    let mut out = String::with_capacity(11);
    let mut byte = [0u8; 1];
    while out.len() < 11 {
        if out.len() == 5 {
            out.push('-');
            continue;
        }
        random.fill(&mut byte);
        // 248 = 31 × 8: bytes above it would bias the choice.
        if byte[0] < 248 {
            out.push(char::from(RECOVERY_ALPHABET[(byte[0] % 31) as usize]));
        }
    }
    out
}

async fn notify(deps: &IdentityDeps, identity: &Identity, template: &EmailTemplate) {
    let first_name = first_name(deps, identity).await;
    let when = deps.clock.now().to_rfc3339();
    let message = template.render(
        identity.email.as_str(),
        &[("first_name", &first_name), ("when", &when)],
    );
    deliver_notice(&deps.postbox, &message).await;
}

/// The current code for a base32 secret: what an authenticator app would show (tests, tools).
pub fn code_at(secret_base32: &str, at: Timestamp) -> Option<String> {
    let totp = totp_for(secret_base32, "x@example.com")?;
    Some(totp.generate(at.0.max(0) as u64).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_kernel::ports::CountingRandom;

    #[test]
    fn recovery_codes_use_an_unambiguous_alphabet() {
        let r = CountingRandom::from(0);
        let codes: Vec<String> = (0..50).map(|_| recovery_code(&r)).collect();
        for c in &codes {
            assert_eq!(c.len(), 11);
            assert_eq!(&c[5..6], "-");
            assert!(
                c.chars()
                    .filter(|&ch| ch != '-')
                    .all(|ch| RECOVERY_ALPHABET.contains(&(ch as u8))),
                "{c}"
            );
            assert!(!c.contains(['i', 'l', 'o', '0', '1']));
        }
        assert_eq!(normalize_recovery(" ABCDE-fghjk "), "abcdefghjk");
    }

    #[test]
    fn rfc_6238_vector_and_one_step_of_skew() {
        // RFC 6238 appendix B, SHA-1, T = 59: 94287082 (8 digits) → 287082 with 6 digits.
        let secret = Secret::from(b"12345678901234567890".to_vec()).to_base32();
        assert_eq!(code_at(&secret, Timestamp(59)).unwrap(), "287082");
        let totp = totp_for(&secret, "x@example.com").unwrap();
        assert_eq!(totp.check("287082", 59), Some(1));
        assert_eq!(
            totp.check("287082", 59 + 30),
            Some(1),
            "one step late is accepted"
        );
        assert_eq!(totp.check("287082", 59 + 60), None, "two steps late is not");
    }
}
