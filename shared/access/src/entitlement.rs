//! What an account may access, and why: each entitlement names its level, the resource for
//! special access, where it came from, and until when.

use serde::{Deserialize, Serialize};
use tessera_kernel::ids::AccountId;
use tessera_kernel::time::Timestamp;

use crate::registry::{AgreementKind, AgreementNumber, RegistryEntry};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Customer,
    Partner,
    /// Special access to one named resource.
    Resource,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Customer => "customer",
            Level::Partner => "partner",
            Level::Resource => "resource",
        }
    }
}

/// Where an entitlement came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// The person gave a contract or agreement number the registry holds.
    Agreement {
        agreement: AgreementKind,
        number: AgreementNumber,
        organisation: String,
    },
    /// A partner sponsored this customer's access, under the partner's own agreement.
    SponsoredBy {
        partner: AccountId,
        number: AgreementNumber,
    },
    /// A special access code staff issued.
    AccessCode { issued_by: AccountId },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entitlement {
    pub level: Level,
    /// The resource special access is to (only for `Level::Resource`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    pub source: Source,
    pub granted_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
}

impl Entitlement {
    /// What a registry entry grants: customer for a service contract, partner for an agreement,
    /// until the entry ends.
    pub fn from_registry(entry: &RegistryEntry, now: Timestamp) -> Entitlement {
        Entitlement {
            level: match entry.kind {
                AgreementKind::ServiceContract => Level::Customer,
                AgreementKind::PartnerAgreement => Level::Partner,
            },
            resource: None,
            source: Source::Agreement {
                agreement: entry.kind,
                number: entry.number.clone(),
                organisation: entry.organisation.clone(),
            },
            granted_at: now,
            expires_at: entry.expires_at,
        }
    }

    pub fn is_live(&self, now: Timestamp) -> bool {
        self.expires_at.is_none_or(|end| now < end)
    }

    /// Two entitlements are the same grant when level, resource and source agree (a number given
    /// again renews it rather than adding another).
    fn same_grant(&self, other: &Entitlement) -> bool {
        self.level == other.level && self.resource == other.resource && self.source == other.source
    }
}

/// Every entitlement of one account, and the version its last write left (0: none yet).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRecord {
    pub entitlements: Vec<Entitlement>,
    pub version: u64,
}

impl AccessRecord {
    /// The entitlements in force at `now`.
    pub fn live(&self, now: Timestamp) -> impl Iterator<Item = &Entitlement> {
        self.entitlements.iter().filter(move |e| e.is_live(now))
    }

    /// The levels in force at `now`, `guest` always first: what ID tokens carry.
    pub fn levels(&self, now: Timestamp) -> Vec<&'static str> {
        let mut levels = vec!["guest"];
        for level in [Level::Customer, Level::Partner] {
            if self.live(now).any(|e| e.level == level) {
                levels.push(level.as_str());
            }
        }
        levels
    }

    /// A live partner entitlement from an agreement: what sponsoring needs.
    pub fn partner_agreement(&self, now: Timestamp) -> Option<&Entitlement> {
        self.live(now)
            .find(|e| e.level == Level::Partner && matches!(e.source, Source::Agreement { .. }))
    }

    /// The record with `entitlement` granted (replacing the same grant, so giving a number again
    /// renews it), expired entitlements dropped, at the next version.
    pub fn granting(&self, entitlement: Entitlement, now: Timestamp) -> AccessRecord {
        let mut entitlements: Vec<Entitlement> = self
            .entitlements
            .iter()
            .filter(|e| e.is_live(now) && !e.same_grant(&entitlement))
            .cloned()
            .collect();
        entitlements.push(entitlement);
        AccessRecord {
            entitlements,
            version: self.version + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: AgreementKind, number: &str, ends: Option<i64>) -> RegistryEntry {
        RegistryEntry {
            kind,
            number: AgreementNumber::parse(number).unwrap(),
            organisation: "Example Corp".into(),
            expires_at: ends.map(Timestamp),
        }
    }

    #[test]
    fn every_account_is_a_guest_and_grants_add_levels_until_they_end() {
        let none = AccessRecord::default();
        assert_eq!(none.levels(Timestamp(0)), ["guest"]);
        let contract = entry(AgreementKind::ServiceContract, "SC-0001", Some(1_000));
        let customer = none.granting(
            Entitlement::from_registry(&contract, Timestamp(10)),
            Timestamp(10),
        );
        assert_eq!(customer.version, 1);
        assert_eq!(customer.levels(Timestamp(999)), ["guest", "customer"]);
        assert_eq!(
            customer.levels(Timestamp(1_000)),
            ["guest"],
            "the contract ended"
        );
        assert!(customer.partner_agreement(Timestamp(20)).is_none());

        let agreement = entry(AgreementKind::PartnerAgreement, "PA-0001", None);
        let both = customer.granting(
            Entitlement::from_registry(&agreement, Timestamp(20)),
            Timestamp(20),
        );
        assert_eq!(both.levels(Timestamp(2_000)), ["guest", "partner"]);
        assert!(both.partner_agreement(Timestamp(2_000)).is_some());
    }

    #[test]
    fn the_same_number_given_again_renews_and_expired_grants_are_dropped() {
        let contract = entry(AgreementKind::ServiceContract, "SC-0001", Some(1_000));
        let first = AccessRecord::default().granting(
            Entitlement::from_registry(&contract, Timestamp(10)),
            Timestamp(10),
        );
        let renewed = first.granting(
            Entitlement::from_registry(&contract, Timestamp(50)),
            Timestamp(50),
        );
        assert_eq!(renewed.entitlements.len(), 1);
        assert_eq!(renewed.entitlements[0].granted_at, Timestamp(50));
        let other = entry(AgreementKind::ServiceContract, "SC-0002", None);
        let later = renewed.granting(
            Entitlement::from_registry(&other, Timestamp(1_500)),
            Timestamp(1_500),
        );
        assert_eq!(later.entitlements.len(), 1, "the ended contract is dropped");
        assert_eq!(later.version, 3);
    }
}
