//! Staff: roles held by ordinary accounts, and what a staff route asks of the caller. A staff
//! route names the roles it allows; the caller must hold one of them and be signed in with a
//! session that passed the authenticator (a staff account without one is refused until it
//! enrols). Roles are granted by a program administrator; the first one by an operator command.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use crate::account::Profile;
use crate::session::Session;
use crate::signup::IdentityDeps;
use tessera_kernel::audit::{Attribution, AuditParty, FieldChange};
use tessera_kernel::ids::AccountId;
use tessera_kernel::ports::StoreError;
use tessera_kernel::race::landed;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Finds accounts and records, unlocks, disables, changes emails, erases on request.
    Support,
    /// The fulfillment house: the order queue, reprints, refunds.
    Fulfillment,
    /// Grants roles, certifications by hand, the catalog.
    ProgramAdmin,
    /// Reads everything, the audit log included; writes nothing.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Support,
        Role::Fulfillment,
        Role::ProgramAdmin,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Support => "support",
            Role::Fulfillment => "fulfillment",
            Role::ProgramAdmin => "program_admin",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(raw: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == raw.trim())
    }
}

pub type Roles = BTreeSet<Role>;

/// The roles as the audit log records them: names, comma-separated, in order.
pub fn roles_text(roles: &Roles) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Why a caller may not use a staff route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaffRefusal {
    /// Holds none of the roles the route allows.
    NotAllowed,
    /// Holds one, but the session did not pass the authenticator (or the account has none).
    SecondFactorRequired,
}

/// The role by which `profile`'s holder may use a route allowing `allowed`, signed in with
/// `session`.
pub fn admit(profile: &Profile, session: &Session, allowed: &[Role]) -> Result<Role, StaffRefusal> {
    let role = allowed
        .iter()
        .copied()
        .find(|r| profile.roles.contains(r))
        .ok_or(StaffRefusal::NotAllowed)?;
    if !session.second_factor {
        return Err(StaffRefusal::SecondFactorRequired);
    }
    Ok(role)
}

/// What a change of roles did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RolesChange {
    pub before: Roles,
    pub after: Roles,
}

#[derive(Debug, thiserror::Error)]
pub enum RolesError {
    #[error("no such account")]
    NoAccount,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Changes `account`'s roles on `by`'s word (`change` gives the new roles from the current
/// ones): the roles and their audit event land in one write, read again and retried when the
/// roles changed meanwhile. A change to the same roles writes nothing.
pub async fn change_roles(
    deps: &IdentityDeps,
    by: &Attribution,
    account: &AccountId,
    change: impl Fn(&Roles) -> Roles,
) -> Result<RolesChange, RolesError> {
    tessera_kernel::settle!(
        async {
            let Some(profile) = deps.store.profile(account).await? else {
                return Err(RolesError::NoAccount);
            };
            let after = change(&profile.roles);
            if after == profile.roles {
                // Nothing changes, so nothing is written or audited.
                return Ok(Some(RolesChange {
                    before: after.clone(),
                    after,
                }));
            }
            let event = by.event(
                deps.clock.now(),
                deps.random.as_ref(),
                "account.roles",
                AuditParty::new("account", account.as_str()),
                vec![FieldChange::new(
                    "roles",
                    Some(roles_text(&profile.roles)),
                    Some(roles_text(&after)),
                )],
            );
            let write = deps
                .store
                .set_roles(account, &profile.roles, &after, &event)
                .await;
            Ok(landed(write)?.then(|| RolesChange {
                before: profile.roles.clone(),
                after,
            }))
        }
        .await
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_by_name() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert_eq!(
                serde_json::to_string(&role).unwrap(),
                format!("\"{}\"", role.as_str())
            );
        }
        assert_eq!(Role::parse("admin"), None);
        let roles: Roles = [Role::Auditor, Role::Support].into();
        assert_eq!(roles_text(&roles), "support,auditor");
    }
}
