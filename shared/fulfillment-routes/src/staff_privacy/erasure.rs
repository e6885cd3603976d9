//! Erasing a person on their request: everything that names or reaches them goes from both
//! tables, and the audit log keeps a tombstone that names no one.
//!
//! The steps run in an order that makes a failed erasure safe to run again: the account is
//! disabled first (every session ends, no sign-in of any kind, its own audit event), then the
//! certification side is emptied (transcripts deleted, orders blanked, the record erased and
//! unmapped with its audit event), then what the account left about (kept messages, the text
//! budget of its numbers), and last the account itself with the tombstone. Until that last write
//! the account is still there, disabled, for the retry to find.

use tessera_certification::CertificationDeps;
use tessera_fulfillment::order::Updated;
use tessera_fulfillment::ports::OrderStore;
use tessera_identity::signup::IdentityDeps;
use tessera_identity::support::{self, AccountAction, AccountCase, SupportError};
use tessera_kernel::attempts::AttemptKey;
use tessera_kernel::audit::{Attribution, AuditParty, FieldChange};
use tessera_kernel::ids::{AccountId, CandidateId};
use tessera_kernel::ports::StoreError;
use tessera_kernel::race::landed;
use tessera_kernel::suppression::normalized;

#[derive(Debug, thiserror::Error)]
pub enum ErasureError {
    #[error("no such account")]
    NoAccount,
    /// An order is still to be paid or shipped: it needs the address a while longer.
    #[error("an order is still to be paid or shipped")]
    OrdersOpen,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<SupportError> for ErasureError {
    fn from(e: SupportError) -> ErasureError {
        match e {
            SupportError::NoAccount => ErasureError::NoAccount,
            SupportError::Store(e) => ErasureError::Store(e),
        }
    }
}

/// What an erasure removed, for the staff member's answer and the tombstone.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Erased {
    /// The record unmapped and erased, if one was mapped.
    pub candidate: Option<CandidateId>,
    pub transcripts: usize,
    pub orders: usize,
    /// Kept messages to the person's addresses and numbers, never to be sent now.
    pub messages: usize,
}

/// The ports an erasure writes through.
pub struct ErasureDeps<'a> {
    pub identity: &'a IdentityDeps,
    pub certification: &'a CertificationDeps,
    pub orders: &'a dyn OrderStore,
}

pub async fn erase(
    deps: &ErasureDeps<'_>,
    by: &Attribution,
    account: &AccountId,
) -> Result<Erased, ErasureError> {
    let case = support::case_of(deps.identity, account)
        .await?
        .ok_or(ErasureError::NoAccount)?;
    let candidate = case.profile.candidate_id.clone();
    if let Some(candidate) = &candidate {
        let book = deps.orders.order_book(candidate).await?;
        if book.orders.iter().any(|o| o.status.is_open()) {
            return Err(ErasureError::OrdersOpen);
        }
    }
    let case = support::act(deps.identity, by, account, AccountAction::Disable).await?;
    let mut erased = Erased {
        candidate: candidate.clone(),
        ..Erased::default()
    };
    if let Some(candidate) = &candidate {
        erased.transcripts = delete_transcripts(deps, candidate).await?;
        erased.orders = blank_orders(deps, candidate).await?;
    }
    erase_record(deps, by, account, candidate.as_ref()).await?;
    erased.messages = forget_contacts(deps, &case).await?;
    erase_account(deps, by, account, &erased).await?;
    Ok(erased)
}

async fn delete_transcripts(
    deps: &ErasureDeps<'_>,
    candidate: &CandidateId,
) -> Result<usize, StoreError> {
    let store = &deps.certification.transcripts;
    let mut deleted = 0;
    for transcript in store.transcripts(candidate).await? {
        if store.delete_transcript(candidate, &transcript.id).await? {
            deleted += 1;
        }
    }
    Ok(deleted)
}

/// Each order kept for the tax records without who bought it or where it went. No order is
/// open (checked before the account was disabled), so none moves meanwhile but by a late
/// report of the fulfillment house: read again and blanked again.
async fn blank_orders(
    deps: &ErasureDeps<'_>,
    candidate: &CandidateId,
) -> Result<usize, StoreError> {
    let mut blanked = 0;
    for order in deps.orders.order_book(candidate).await?.orders {
        let mut order = order;
        for attempt in 0.. {
            let blank = order.without_personal_data();
            if blank == order {
                break;
            }
            match deps
                .orders
                .update_order(&blank, order.status, None, None)
                .await?
            {
                Updated::Applied => {
                    blanked += 1;
                    break;
                }
                _ if attempt + 1 < tessera_kernel::race::RACE_RETRIES => {
                    let book = deps.orders.order_book(candidate).await?;
                    match book.by_id(&order.id) {
                        Some(now) => order = now.clone(),
                        None => break,
                    }
                }
                _ => return Err(StoreError::Conflict),
            }
        }
    }
    Ok(blanked)
}

/// The account's mapping state, and the record mapped to it: erased and unmapped, with its
/// audit event, in one write (read again if the record changed meanwhile).
async fn erase_record(
    deps: &ErasureDeps<'_>,
    by: &Attribution,
    account: &AccountId,
    candidate: Option<&CandidateId>,
) -> Result<(), StoreError> {
    let records = &deps.certification.records;
    tessera_kernel::settle!(
        async {
            let record = match candidate {
                Some(candidate) => records.candidate(candidate).await?.map(|r| r.profile),
                None => None,
            };
            // A record unmapped meanwhile is no longer this person's to erase.
            let record = record.filter(|p| p.account_id.as_ref() == Some(account));
            let event = record.as_ref().map(|profile| {
                by.event(
                    deps.certification.clock.now(),
                    deps.certification.random.as_ref(),
                    "candidate.erased",
                    AuditParty::new("candidate", profile.candidate_id.as_str()),
                    vec![FieldChange::new(
                        "account",
                        Some(account.as_str().to_string()),
                        None,
                    )],
                )
            });
            let write = records
                .erase_person(account, record.as_ref().zip(event.as_ref()))
                .await;
            Ok::<_, StoreError>(landed(write)?.then_some(()))
        }
        .await
    )
}

/// Kept messages to the account's addresses and numbers are dropped unsent, the text budget
/// counted under each number is forgotten (its key is the number), and the addresses leave the
/// suppression list with their soft-bounce counts. How many messages.
async fn forget_contacts(deps: &ErasureDeps<'_>, case: &AccountCase) -> Result<usize, StoreError> {
    let identity = &case.identity;
    let numbers: Vec<String> = identity
        .phone
        .iter()
        .map(|p| p.number.clone())
        .chain(identity.phone_pending.iter().map(|p| p.number.clone()))
        .collect();
    let mut addresses = vec![identity.email.as_str().to_string()];
    addresses.extend(
        identity
            .email_change
            .iter()
            .map(|c| c.new_email.as_str().to_string()),
    );
    addresses.extend(numbers.iter().cloned());
    let discarded = deps.identity.postbox.unsent.discard_to(&addresses).await?;
    // The suppression list keeps addresses; an erased person's go (mail would reach no account).
    for address in addresses.iter().filter(|a| a.contains('@')) {
        let address = normalized(address);
        deps.identity.postbox.suppressions.forget(&address).await?;
        deps.identity
            .attempts
            .forget(&AttemptKey::soft_bounce(&address))
            .await?;
    }
    for number in &numbers {
        deps.identity
            .attempts
            .forget(&AttemptKey::sms_number(number))
            .await?;
    }
    Ok(discarded)
}

/// The account itself, with the tombstone: read again and retried if a sign-in step changed
/// the identity meanwhile (it is disabled, so no sign-in succeeds).
async fn erase_account(
    deps: &ErasureDeps<'_>,
    by: &Attribution,
    account: &AccountId,
    erased: &Erased,
) -> Result<(), ErasureError> {
    let identity = deps.identity;
    tessera_kernel::settle!(
        async {
            let case = support::case_of(identity, account)
                .await?
                .ok_or(ErasureError::NoAccount)?;
            let mut changes = vec![
                FieldChange::new("account", Some("present".into()), Some("erased".into())),
                FieldChange::new(
                    "transcripts_deleted",
                    None,
                    Some(erased.transcripts.to_string()),
                ),
                FieldChange::new("orders_blanked", None, Some(erased.orders.to_string())),
                FieldChange::new(
                    "messages_discarded",
                    None,
                    Some(erased.messages.to_string()),
                ),
            ];
            if let Some(candidate) = &erased.candidate {
                changes.push(FieldChange::new(
                    "candidate",
                    Some(candidate.as_str().to_string()),
                    None,
                ));
            }
            let tombstone = by.event(
                identity.clock.now(),
                identity.random.as_ref(),
                "account.erased",
                AuditParty::new("account", account.as_str()),
                changes,
            );
            let write = identity
                .store
                .erase_account(&case.identity, &tombstone)
                .await;
            Ok::<_, ErasureError>(landed(write)?.then_some(()))
        }
        .await
    )
}
