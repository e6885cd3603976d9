//! Access levels in the identity table:
//!
//! | item     | pk                              | sk           | notes                                 |
//! |----------|---------------------------------|--------------|---------------------------------------|
//! | record   | `ACCESS#<account>`              | `ACCESS`     | every entitlement; `version`          |
//! | registry | `REGISTRY#<kind>#<number>`      | `REGISTRY`   | one contract or agreement             |
//! | code     | `ACCESSCODE#<digest>`           | `ACCESSCODE` | until redeemed; `ttl` = its expiry    |
//! | sponsor  | `SPONSOR#<email digest>`        | `SPONSOR`    | until claimed; `ttl` = its claim-by   |
//!
//! A record changes by one transaction: the put conditioned on the version read, and the audit
//! event. A code is redeemed in the same transaction as the record's put: `redeemed_by` set on
//! the condition that it is absent (the item stays until its `ttl`).

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use tessera_access::codes::IssuedCode;
use tessera_access::entitlement::AccessRecord;
use tessera_access::ports::AccessStore;
use tessera_access::registry::{AgreementKind, AgreementNumber, RegistryEntry};
use tessera_access::sponsorship::Sponsorship;
use tessera_identity::ports::UniqueWriteError;
use tessera_kernel::audit::AuditEvent;
use tessera_kernel::ids::AccountId;
use tessera_kernel::ports::StoreError;

use crate::dynamo::{
    access_record_key, from_item, item_key, item_with_key, sort_key, IdentityStore, Item,
    OnCondition,
};

fn record_key(account: &AccountId) -> Item {
    access_record_key(account)
}

fn registry_key(kind: AgreementKind, number: &AgreementNumber) -> Item {
    item_key(
        format!("REGISTRY#{}#{}", kind.as_str(), number.as_str()),
        "REGISTRY",
    )
}

fn code_key(digest: &str) -> Item {
    item_key(format!("ACCESSCODE#{digest}"), "ACCESSCODE")
}

fn sponsorship_key(email_digest: &str) -> Item {
    item_key(format!("SPONSOR#{email_digest}"), "SPONSOR")
}

fn store_error(e: UniqueWriteError) -> StoreError {
    match e {
        UniqueWriteError::Taken => StoreError::Conflict,
        UniqueWriteError::Store(e) => e,
    }
}

impl IdentityStore {
    /// The record's put, conditioned on the version it was read at (absent for the first).
    fn record_put(
        &self,
        account: &AccountId,
        record: &AccessRecord,
    ) -> Result<TransactWriteItem, StoreError> {
        let item = item_with_key(record, record_key(account), None)?;
        let mut put = Put::builder().table_name(&self.table).set_item(Some(item));
        put = if record.version <= 1 {
            put.condition_expression("attribute_not_exists(pk)")
        } else {
            put.condition_expression("version = :read")
                .expression_attribute_values(
                    ":read",
                    AttributeValue::N((record.version - 1).to_string()),
                )
        };
        let put = put.build().map_err(StoreError::unavailable)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }
}

#[async_trait]
impl AccessStore for IdentityStore {
    async fn access(&self, account: &AccountId) -> Result<AccessRecord, StoreError> {
        Ok(self.get(record_key(account)).await?.unwrap_or_default())
    }

    async fn save_access(
        &self,
        account: &AccountId,
        record: &AccessRecord,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let items = vec![self.record_put(account, record)?, self.audit_put(event)?];
        self.transact_marking(items, &[OnCondition::Conflict])
            .await
            .map_err(store_error)
    }

    async fn registry_entry(
        &self,
        kind: AgreementKind,
        number: &AgreementNumber,
    ) -> Result<Option<RegistryEntry>, StoreError> {
        self.get(registry_key(kind, number)).await
    }

    async fn put_registry_entries(&self, entries: &[RegistryEntry]) -> Result<(), StoreError> {
        let items = entries
            .iter()
            .map(|e| item_with_key(e, registry_key(e.kind, &e.number), None))
            .collect::<Result<Vec<_>, _>>()?;
        self.batch_put(items).await
    }

    async fn issue_code(&self, code: &IssuedCode, event: &AuditEvent) -> Result<(), StoreError> {
        let item = item_with_key(code, code_key(&code.digest), Some(code.expires_at))?;
        let items = vec![self.put_new(item)?, self.audit_put(event)?];
        self.transact_marking(items, &[OnCondition::Conflict])
            .await
            .map_err(store_error)
    }

    async fn code(&self, digest: &str) -> Result<Option<IssuedCode>, StoreError> {
        self.get(code_key(digest)).await
    }

    async fn redeem_code(
        &self,
        account: &AccountId,
        digest: &str,
        record: &AccessRecord,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let redeemed = Update::builder()
            .table_name(&self.table)
            .set_key(Some(code_key(digest)))
            .update_expression("SET redeemed_by = :account")
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(redeemed_by)")
            .expression_attribute_values(":account", AttributeValue::S(account.as_str().into()))
            .build()
            .map_err(StoreError::unavailable)?;
        let items = vec![
            TransactWriteItem::builder().update(redeemed).build(),
            self.record_put(account, record)?,
            self.audit_put(event)?,
        ];
        self.transact_marking(items, &[OnCondition::Conflict, OnCondition::Conflict])
            .await
            .map_err(store_error)
    }

    async fn save_sponsorship(
        &self,
        sponsorship: &Sponsorship,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let item = item_with_key(
            sponsorship,
            sponsorship_key(&sponsorship.email_digest),
            Some(sponsorship.claim_by),
        )?;
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .build()
            .map_err(StoreError::unavailable)?;
        let items = vec![
            TransactWriteItem::builder().put(put).build(),
            self.audit_put(event)?,
        ];
        self.transact_marking(items, &[]).await.map_err(store_error)
    }

    async fn sponsorship(&self, email_digest: &str) -> Result<Option<Sponsorship>, StoreError> {
        self.get(sponsorship_key(email_digest)).await
    }

    async fn access_and_sponsorship(
        &self,
        account: &AccountId,
        email_digest: &str,
    ) -> Result<(AccessRecord, Option<Sponsorship>), StoreError> {
        let items = self
            .batch_get(vec![record_key(account), sponsorship_key(email_digest)])
            .await?;
        let (mut record, mut sponsorship) = (AccessRecord::default(), None);
        for item in items {
            match sort_key(&item) {
                "ACCESS" => record = from_item(item)?,
                "SPONSOR" => sponsorship = Some(from_item(item)?),
                _ => {}
            }
        }
        Ok((record, sponsorship))
    }

    async fn remove_sponsorship(&self, email_digest: &str) -> Result<(), StoreError> {
        let _removed: Option<Sponsorship> = self.take(sponsorship_key(email_digest)).await?;
        Ok(())
    }
}
