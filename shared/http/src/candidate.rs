//! What the candidate-facing functions (mapping, personal-info, certifications, transcripts)
//! share: their state, the signed-in account as certification tracking sees it, and its
//! candidate record. (The public address links are built from is `crate::links`.)

use lambda_http::Request;
use std::sync::Arc;
use tessera_certification::ports::AccountHolders;
use tessera_certification::{AccountHolder, CandidateRecord, CertificationDeps};
use tessera_identity::account::Profile;
use tessera_identity::ports::AccountStore;
use tessera_identity::signup::IdentityDeps;
use tessera_kernel::ids::AccountId;
use tessera_kernel::ports::StoreError;

use crate::problem::Problem;

/// A candidate-facing function's state: identity (sessions), certification tracking, and the
/// API's public address for links (`Config::public_url`).
#[derive(Clone)]
pub struct CandidateState {
    pub identity: IdentityDeps,
    pub certification: CertificationDeps,
    pub public_url: Option<String>,
}

impl CandidateState {
    /// The state with the latest catalog (`CertificationDeps::with_current_catalog`), for a
    /// function that judges records by it.
    pub async fn with_current_catalog(self) -> CandidateState {
        CandidateState {
            certification: self.certification.with_current_catalog().await,
            ..self
        }
    }
}

/// The most a candidate's free-text field holds.
pub const MAX_TEXT: usize = 100;

/// The signed-in account as certification tracking sees it (401 without a session).
pub async fn account(request: &Request, state: &CandidateState) -> Result<AccountHolder, Problem> {
    let (_, profile) = crate::auth::authenticate(request, &state.identity).await?;
    Ok(holder(&profile))
}

/// The signed-in account's record, or 401 / 404 `not_mapped`.
pub async fn record(request: &Request, state: &CandidateState) -> Result<CandidateRecord, Problem> {
    mapped_record(&state.certification, &account(request, state).await?).await
}

/// The account as certification tracking sees it, from its profile: the one place an identity
/// type becomes a certification one.
pub fn holder(profile: &Profile) -> AccountHolder {
    AccountHolder {
        account_id: profile.account_id.clone(),
        first_name: profile.first_name.clone(),
        last_name: profile.last_name.clone(),
        country: profile.country.clone(),
        company: profile.details.company.clone(),
        candidate_id: profile.candidate_id.clone(),
    }
}

/// Account holders read through identity's profiles.
pub struct ProfileHolders(pub Arc<dyn AccountStore>);

#[async_trait::async_trait]
impl AccountHolders for ProfileHolders {
    async fn holder(&self, account: &AccountId) -> Result<Option<AccountHolder>, StoreError> {
        Ok(self.0.profile(account).await?.as_ref().map(holder))
    }
}

pub fn not_mapped() -> Problem {
    Problem::new(
        404,
        "not_mapped",
        "No candidate record",
        "Map this account to its candidate record first (POST /v1/candidate/mapping).",
    )
}

/// The record the account is mapped to: one query, its id being on the session's profile
/// (404 `not_mapped` otherwise).
pub async fn mapped_record(
    certification: &CertificationDeps,
    account: &AccountHolder,
) -> Result<CandidateRecord, Problem> {
    let Some(candidate) = &account.candidate_id else {
        return Err(not_mapped());
    };
    certification
        .records
        .candidate(candidate)
        .await
        .map_err(|e| Problem::internal(&e))?
        .ok_or_else(not_mapped)
}
