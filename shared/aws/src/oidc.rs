//! The OpenID Connect provider's items in the identity table:
//!
//! | item    | pk                  | sk         | notes                                            |
//! |---------|---------------------|------------|--------------------------------------------------|
//! | client  | `CLIENTS#oidc`      | `<id>`     | every client in one small partition (listed)     |
//! | consent | `CONSENT#<account>` | `<client>` | the scopes the person consented to give          |
//! | code    | `CODE#<digest>`     | `CODE`     | until redeemed; `ttl` = expiry                   |
//! | family  | `FAMILY#<id>`       | `FAMILY`   | the current tokens' digests; `ttl` = end + 1 day |
//!
//! A code is redeemed by one `DeleteItem` returning what it deleted: of two racing redemptions
//! only one gets the item. A refresh is one conditional `PutItem` on the family's current refresh
//! digest.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use tessera_identity::ports::UniqueWriteError;
use tessera_kernel::audit::AuditEvent;
use tessera_kernel::ids::AccountId;
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::{Seconds, Timestamp};
use tessera_oidc::client::{Client, ClientId};
use tessera_oidc::ports::OidcStore;
use tessera_oidc::scopes::Scopes;
use tessera_oidc::tokens::{CodeGrant, FamilyId, TokenFamily};

use crate::dynamo::{
    conflict_if_condition_failed, consent_partition, from_item, item_key, item_with_key, sort_key,
    IdentityStore, Item, OnCondition,
};

/// Every client under one partition key (named like every other: `<PREFIX>#…`).
const CLIENTS: &str = "CLIENTS#oidc";

fn client_key(id: &ClientId) -> Item {
    item_key(CLIENTS.to_string(), id.as_str())
}

fn consent_key(account: &AccountId, client: &ClientId) -> Item {
    item_key(consent_partition(account), client.as_str())
}

fn code_key(digest: &str) -> Item {
    item_key(format!("CODE#{digest}"), "CODE")
}

fn family_key(id: &FamilyId) -> Item {
    item_key(format!("FAMILY#{}", id.as_str()), "FAMILY")
}

/// The consent item's one attribute besides its key.
#[derive(serde::Serialize, serde::Deserialize)]
struct Consent {
    scopes: Scopes,
}

/// A revoked family stays a day past its end, so a replay of its tokens is still seen.
fn family_ttl(family: &TokenFamily) -> Timestamp {
    family.expires_at + Seconds::days(1)
}

#[async_trait]
impl OidcStore for IdentityStore {
    async fn register_client(&self, client: &Client, event: &AuditEvent) -> Result<(), StoreError> {
        let item = item_with_key(client, client_key(&client.id), None)?;
        let items = vec![self.put_new(item)?, self.audit_put(event)?];
        self.transact_marking(items, &[OnCondition::Conflict])
            .await
            .map_err(|e| match e {
                UniqueWriteError::Taken => StoreError::Conflict,
                UniqueWriteError::Store(e) => e,
            })
    }

    async fn client(&self, id: &ClientId) -> Result<Option<Client>, StoreError> {
        self.get(client_key(id)).await
    }

    async fn clients(&self) -> Result<Vec<Client>, StoreError> {
        let mut clients: Vec<Client> = self
            .query_partition(CLIENTS.to_string(), None)
            .await?
            .into_iter()
            .map(from_item)
            .collect::<Result<_, _>>()?;
        clients.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then(a.id.as_str().cmp(b.id.as_str()))
        });
        Ok(clients)
    }

    async fn disable_client(&self, id: &ClientId, event: &AuditEvent) -> Result<bool, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(client_key(id)))
            .update_expression("SET disabled = :yes")
            .condition_expression(
                "attribute_exists(pk) AND (attribute_not_exists(disabled) OR disabled = :no)",
            )
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":no", AttributeValue::Bool(false))
            .build()
            .map_err(StoreError::unavailable)?;
        let items = vec![
            TransactWriteItem::builder().update(update).build(),
            self.audit_put(event)?,
        ];
        match self.transact_marking(items, &[OnCondition::Taken]).await {
            Ok(()) => Ok(true),
            Err(UniqueWriteError::Taken) => Ok(false),
            Err(UniqueWriteError::Store(e)) => Err(e),
        }
    }

    async fn consent(
        &self,
        account: &AccountId,
        client: &ClientId,
    ) -> Result<Option<Scopes>, StoreError> {
        Ok(self
            .get::<Consent>(consent_key(account, client))
            .await?
            .map(|c| c.scopes))
    }

    async fn consents(&self, account: &AccountId) -> Result<Vec<(ClientId, Scopes)>, StoreError> {
        let items = self
            .query_partition(consent_partition(account), None)
            .await?;
        let mut consents = Vec::with_capacity(items.len());
        for item in items {
            let Some(client) = ClientId::parse(sort_key(&item)) else {
                continue;
            };
            consents.push((client, from_item::<Consent>(item)?.scopes));
        }
        Ok(consents)
    }

    async fn remember_consent(
        &self,
        account: &AccountId,
        client: &ClientId,
        scopes: &Scopes,
    ) -> Result<(), StoreError> {
        let consent = Consent {
            scopes: scopes.clone(),
        };
        self.put(
            item_with_key(&consent, consent_key(account, client), None)?,
            None,
        )
        .await
    }

    async fn save_code(&self, grant: &CodeGrant) -> Result<(), StoreError> {
        let item = item_with_key(grant, code_key(&grant.code_digest), Some(grant.expires_at))?;
        self.put(item, Some("attribute_not_exists(pk)")).await
    }

    async fn redeem_code(&self, digest: &str) -> Result<Option<CodeGrant>, StoreError> {
        self.take(code_key(digest)).await
    }

    async fn start_family(&self, family: &TokenFamily) -> Result<(), StoreError> {
        let item = item_with_key(family, family_key(&family.id), Some(family_ttl(family)))?;
        self.put(item, Some("attribute_not_exists(pk)")).await
    }

    async fn family(&self, id: &FamilyId) -> Result<Option<TokenFamily>, StoreError> {
        self.get(family_key(id)).await
    }

    async fn rotate_family(
        &self,
        family: &TokenFamily,
        expected_refresh: &str,
    ) -> Result<bool, StoreError> {
        let item = item_with_key(family, family_key(&family.id), Some(family_ttl(family)))?;
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("refresh_digest = :expected AND attribute_not_exists(revoked_at)")
            .expression_attribute_values(
                ":expected",
                AttributeValue::S(expected_refresh.to_string()),
            )
            .send()
            .await;
        match put.map(|_| ()).map_err(conflict_if_condition_failed) {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn revoke_family(&self, id: &FamilyId, at: Timestamp) -> Result<(), StoreError> {
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(family_key(id)))
            .update_expression("SET revoked_at = :at")
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(revoked_at)")
            .expression_attribute_values(":at", AttributeValue::N(at.0.to_string()))
            .send()
            .await;
        match update {
            Ok(_) => Ok(()),
            Err(e) => {
                let service = e.into_service_error();
                if service.is_conditional_check_failed_exception() {
                    Ok(()) // no such family, or revoked already
                } else {
                    Err(StoreError::unavailable(service))
                }
            }
        }
    }
}
