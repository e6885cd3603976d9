//! What an operator runs by hand against a deployment (either backend): granting a staff role to
//! an existing account, the way the first program administrator is made. Every grant is written
//! with its audit event (actor `operator:<name>`); there is no default password or account.

use tessera_identity::account::AccountStatus;
use tessera_identity::signup::IdentityDeps;
use tessera_identity::staff::{change_roles, Role, RolesChange, RolesError};
use tessera_kernel::audit::{Attribution, AuditParty, Reason};
use tessera_kernel::email::Email;
use tessera_kernel::ids::AccountId;
use tessera_kernel::ports::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    #[error("no active account has that address (sign up and activate it first)")]
    NoActiveAccount,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Grants `role` to the active account signed in as `email`, on `operator`'s word.
pub async fn grant_role(
    deps: &IdentityDeps,
    operator: &str,
    email: &Email,
    role: Role,
    reason: &Reason,
) -> Result<(AccountId, RolesChange), GrantError> {
    let identity = deps
        .store
        .identity(email)
        .await?
        .filter(|i| i.status == AccountStatus::Active)
        .ok_or(GrantError::NoActiveAccount)?;
    let by = Attribution::new(AuditParty::new("operator", operator), reason.clone());
    let account = identity.account_id;
    let change = change_roles(deps, &by, &account, |roles| {
        let mut roles = roles.clone();
        roles.insert(role);
        roles
    })
    .await
    .map_err(|e| match e {
        RolesError::NoAccount => GrantError::NoActiveAccount,
        RolesError::Store(e) => GrantError::Store(e),
    })?;
    Ok((account, change))
}
