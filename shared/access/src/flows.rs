//! The ways access changes, each one audited in the write that makes it: a number given and
//! found in the registry, a partner's sponsorship, a special access code issued and redeemed.
//!
//! Numbers and codes can be guessed, so every try is counted against the account before the
//! check (`AttemptKey::access`) and given back when it was right.

use std::sync::Arc;

use tessera_kernel::attempts::{Allowance, AttemptKey, AttemptLedger, Guess, Take};
use tessera_kernel::audit::{Attribution, AuditEvent, AuditId, AuditParty, FieldChange, Reason};
use tessera_kernel::email::Email;
use tessera_kernel::ids::AccountId;
use tessera_kernel::ports::{Clock, Random, StoreError};
use tessera_kernel::time::{Seconds, Timestamp};

use crate::codes::{is_resource_name, AccessCode, IssuedCode};
use crate::entitlement::{AccessRecord, Entitlement, Level, Source};
use crate::ports::AccessStore;
use crate::registry::{AgreementKind, AgreementNumber};
use crate::sponsorship::{email_digest, Sponsorship, WAITS_FOR};

/// Wrong numbers and codes an account may give in an hour.
pub const GUESSES: Allowance = Allowance {
    max: 10,
    window: Seconds::hours(1),
};

/// A version-checked write lost to a parallel one is read again and tried this often.
const RETRIES: usize = 3;

#[derive(Clone)]
pub struct AccessDeps {
    pub store: Arc<dyn AccessStore>,
    pub attempts: Arc<dyn AttemptLedger>,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Random>,
}

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// The number is not in the registry (or has ended), or the code is unknown, spent or
    /// expired: one answer for all.
    #[error("not recognised")]
    NotRecognised,
    #[error("too many wrong numbers or codes")]
    TooManyAttempts { retry_at: Timestamp },
    /// Sponsoring needs a partner agreement in force.
    #[error("not a partner")]
    NotPartner,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn account_party(account: &AccountId) -> AuditParty {
    AuditParty::new("account", account.as_str())
}

/// The event for a change the account holder made themselves.
fn own_event(deps: &AccessDeps, account: &AccountId, action: &str, what: String) -> AuditEvent {
    let now = deps.clock.now();
    AuditEvent {
        id: AuditId::new(now, deps.random.as_ref()),
        at: now,
        actor: account_party(account),
        action: action.to_string(),
        subject: account_party(account),
        reason: Reason::parse("given by the account holder").expect("a valid reason"),
        changes: vec![FieldChange::new("access", None, Some(what))],
    }
}

/// Grants `entitlement` to `account`, with `event`, reading the record again if a parallel write
/// moved it on.
async fn grant(
    deps: &AccessDeps,
    account: &AccountId,
    entitlement: Entitlement,
    event: &AuditEvent,
) -> Result<AccessRecord, StoreError> {
    for _ in 0..RETRIES {
        let current = deps.store.access(account).await?;
        let next = current.granting(entitlement.clone(), deps.clock.now());
        match deps.store.save_access(account, &next, event).await {
            Ok(()) => return Ok(next),
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Conflict)
}

/// One try at a secret, counted before the check.
async fn counted<'a>(deps: &'a AccessDeps, account: &AccountId) -> Result<Guess<'a>, AccessError> {
    let mut guess = Guess::new(deps.attempts.as_ref(), deps.clock.as_ref(), GUESSES);
    match guess.take(AttemptKey::access(account)).await? {
        Take::Refused { retry_at } => Err(AccessError::TooManyAttempts { retry_at }),
        Take::Taken { .. } => Ok(guess),
    }
}

/// The account gives a service contract or partner agreement number: customer or partner while
/// the registry's entry is in force.
pub async fn claim(
    deps: &AccessDeps,
    account: &AccountId,
    kind: AgreementKind,
    number: &AgreementNumber,
) -> Result<AccessRecord, AccessError> {
    let mut guess = counted(deps, account).await?;
    let now = deps.clock.now();
    let entry = deps
        .store
        .registry_entry(kind, number)
        .await?
        .filter(|e| e.in_force(now))
        .ok_or(AccessError::NotRecognised)?;
    guess.give_back().await?;
    let event = own_event(
        deps,
        account,
        "access.claim",
        format!("{} {}", kind.as_str(), number.as_str()),
    );
    Ok(grant(
        deps,
        account,
        Entitlement::from_registry(&entry, now),
        &event,
    )
    .await?)
}

/// A partner sponsors the customer with `customer_email`'s access, under the partner's
/// agreement and until it ends. It waits for that address's account (see `current`); the event,
/// made by the partner, is the approval on record (its subject the address's digest, never the
/// address).
pub async fn sponsor(
    deps: &AccessDeps,
    partner: &AccountId,
    customer_email: &Email,
) -> Result<Sponsorship, AccessError> {
    let now = deps.clock.now();
    let record = deps.store.access(partner).await?;
    let agreement = record
        .partner_agreement(now)
        .ok_or(AccessError::NotPartner)?;
    let Source::Agreement { number, .. } = &agreement.source else {
        return Err(AccessError::NotPartner);
    };
    let sponsorship = Sponsorship {
        email_digest: email_digest(customer_email),
        partner: partner.clone(),
        number: number.clone(),
        sponsored_at: now,
        access_ends: agreement.expires_at,
        claim_by: now + WAITS_FOR,
    };
    let event = AuditEvent {
        id: AuditId::new(now, deps.random.as_ref()),
        at: now,
        actor: account_party(partner),
        action: "access.sponsor".into(),
        subject: AuditParty::new("email_digest", &sponsorship.email_digest),
        reason: Reason::parse("partner-initiated customer access, approved by the partner")
            .expect("a valid reason"),
        changes: vec![FieldChange::new(
            "access",
            None,
            Some(format!("customer sponsored under {}", number.as_str())),
        )],
    };
    deps.store.save_sponsorship(&sponsorship, &event).await?;
    Ok(sponsorship)
}

/// The account's access as it stands: its record, with a sponsorship waiting for its address
/// granted first (the grant's event names the partner as the one who gave it).
pub async fn current(
    deps: &AccessDeps,
    account: &AccountId,
    email: &Email,
) -> Result<AccessRecord, StoreError> {
    let digest = email_digest(email);
    let (record, waiting) = deps.store.access_and_sponsorship(account, &digest).await?;
    let now = deps.clock.now();
    let Some(sponsorship) = waiting.filter(|s| s.is_claimable(now)) else {
        return Ok(record);
    };
    let entitlement = Entitlement {
        level: Level::Customer,
        resource: None,
        source: Source::SponsoredBy {
            partner: sponsorship.partner.clone(),
            number: sponsorship.number.clone(),
        },
        granted_at: now,
        expires_at: sponsorship.access_ends,
    };
    let event = AuditEvent {
        id: AuditId::new(now, deps.random.as_ref()),
        at: now,
        actor: account_party(&sponsorship.partner),
        action: "access.sponsored".into(),
        subject: account_party(account),
        reason: Reason::parse("partner-initiated customer access, approved by the partner")
            .expect("a valid reason"),
        changes: vec![FieldChange::new(
            "access",
            None,
            Some(format!(
                "customer sponsored under {}",
                sponsorship.number.as_str()
            )),
        )],
    };
    let granted = grant(deps, account, entitlement, &event).await?;
    // After the grant: were this to fail, the next read grants the same entitlement again
    // (replacing it, not adding one).
    deps.store.remove_sponsorship(&digest).await?;
    Ok(granted)
}

#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("a resource is named by 1 to 80 letters, digits, hyphens, dots or underscores")]
    InvalidResource,
    #[error("the code must expire in the future")]
    PastExpiry,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Staff issue a code for special access to `resource` until `expires_at`; the code is shown
/// once (to be handed to the person), and kept only as its digest.
pub async fn issue_code(
    deps: &AccessDeps,
    by: &Attribution,
    issuer: &AccountId,
    resource: &str,
    expires_at: Timestamp,
) -> Result<AccessCode, IssueError> {
    if !is_resource_name(resource) {
        return Err(IssueError::InvalidResource);
    }
    let now = deps.clock.now();
    if expires_at <= now {
        return Err(IssueError::PastExpiry);
    }
    let code = AccessCode::generate(deps.random.as_ref());
    let issued = IssuedCode {
        digest: code.digest(),
        resource: resource.to_string(),
        expires_at,
        issued_by: issuer.clone(),
        issued_at: now,
        redeemed_by: None,
    };
    let event = by.event(
        now,
        deps.random.as_ref(),
        "access_code.issue",
        AuditParty::new("resource", resource),
        vec![FieldChange::new(
            "expires_at",
            None,
            Some(expires_at.to_rfc3339()),
        )],
    );
    deps.store.issue_code(&issued, &event).await?;
    Ok(code)
}

/// The account redeems a special access code: access to its resource until the code's expiry.
/// The code is marked redeemed in the write that grants it, so a failed write spends nothing; the
/// same account redeeming it again gets its access back unchanged (a retry whose answer was lost).
pub async fn redeem_code(
    deps: &AccessDeps,
    account: &AccountId,
    raw: &str,
) -> Result<AccessRecord, AccessError> {
    let mut guess = counted(deps, account).await?;
    let digest = AccessCode::parse(raw)
        .ok_or(AccessError::NotRecognised)?
        .digest();
    let now = deps.clock.now();
    let usable = |code: &IssuedCode| code.usable_by(account, now);
    let mut issued = deps
        .store
        .code(&digest)
        .await?
        .filter(usable)
        .ok_or(AccessError::NotRecognised)?;
    guess.give_back().await?;
    for _ in 0..RETRIES {
        if issued.redeemed_by.is_some() {
            return Ok(deps.store.access(account).await?);
        }
        let entitlement = Entitlement {
            level: Level::Resource,
            resource: Some(issued.resource.clone()),
            source: Source::AccessCode {
                issued_by: issued.issued_by.clone(),
            },
            granted_at: now,
            expires_at: Some(issued.expires_at),
        };
        let next = deps.store.access(account).await?.granting(entitlement, now);
        let event = own_event(
            deps,
            account,
            "access.redeem",
            format!("resource {}", issued.resource),
        );
        match deps
            .store
            .redeem_code(account, &digest, &next, &event)
            .await
        {
            Ok(()) => return Ok(next),
            // Another redemption or a parallel change of the record: read the code again.
            Err(StoreError::Conflict) => {
                issued = deps
                    .store
                    .code(&digest)
                    .await?
                    .filter(usable)
                    .ok_or(AccessError::NotRecognised)?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Conflict.into())
}
