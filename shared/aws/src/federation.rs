//! Federation's items in the identity table:
//!
//! | item     | pk                      | sk         | notes                                        |
//! |----------|-------------------------|------------|----------------------------------------------|
//! | provider | `FEDERATION#providers`  | `<id>`     | every provider in one small partition        |
//! | domain   | `FEDDOMAIN#<domain>`    | `FEDDOMAIN`| a copy of its enabled provider: one read     |
//! | sign-in  | `FEDLOGIN#<digest>`     | `FEDLOGIN` | until the person is back; `ttl` = its expiry |
//!
//! A provider is registered in one transaction with its domains (each must be free) and its
//! audit event; disabling it deletes its domains in the same transaction. A sign-in is taken by
//! one `DeleteItem` returning what it deleted, so a `state` is used once.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem, Update};
use tessera_federation::ports::{FederationStore, PendingLogin, RegisterError};
use tessera_federation::provider::{OrgProvider, ProviderId};
use tessera_identity::ports::UniqueWriteError;
use tessera_kernel::audit::AuditEvent;
use tessera_kernel::ports::StoreError;

use crate::dynamo::{from_item, item_key, item_with_key, IdentityStore, Item, OnCondition};

const PROVIDERS: &str = "FEDERATION#providers";

fn provider_key(id: &ProviderId) -> Item {
    item_key(PROVIDERS.to_string(), id.as_str())
}

fn domain_key(domain: &str) -> Item {
    item_key(format!("FEDDOMAIN#{domain}"), "FEDDOMAIN")
}

fn login_key(digest: &str) -> Item {
    item_key(format!("FEDLOGIN#{digest}"), "FEDLOGIN")
}

#[async_trait]
impl FederationStore for IdentityStore {
    async fn register_provider(
        &self,
        provider: &OrgProvider,
        event: &AuditEvent,
    ) -> Result<(), RegisterError> {
        let mut items =
            vec![self.put_new(item_with_key(provider, provider_key(&provider.id), None)?)?];
        for domain in &provider.domains {
            items.push(self.put_new(item_with_key(provider, domain_key(domain), None)?)?);
        }
        items.push(self.audit_put(event)?);
        // The first item is a new id (never taken); a domain's condition failing is a domain
        // another provider has.
        let mut on_condition = vec![OnCondition::Conflict];
        on_condition.extend(provider.domains.iter().map(|_| OnCondition::Taken));
        match self.transact_marking(items, &on_condition).await {
            Ok(()) => Ok(()),
            Err(UniqueWriteError::Taken) => {
                // Which one: the first whose item is there now.
                for domain in &provider.domains {
                    if self.get::<OrgProvider>(domain_key(domain)).await?.is_some() {
                        return Err(RegisterError::DomainTaken(domain.clone()));
                    }
                }
                Err(RegisterError::DomainTaken(provider.domains.join(", ")))
            }
            Err(UniqueWriteError::Store(e)) => Err(e.into()),
        }
    }

    async fn providers(&self) -> Result<Vec<OrgProvider>, StoreError> {
        let mut providers: Vec<OrgProvider> = self
            .query_partition(PROVIDERS.to_string(), None)
            .await?
            .into_iter()
            .map(from_item)
            .collect::<Result<_, _>>()?;
        providers.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then(a.id.as_str().cmp(b.id.as_str()))
        });
        Ok(providers)
    }

    async fn provider(&self, id: &ProviderId) -> Result<Option<OrgProvider>, StoreError> {
        self.get(provider_key(id)).await
    }

    async fn provider_for_domain(&self, domain: &str) -> Result<Option<OrgProvider>, StoreError> {
        Ok(self
            .get::<OrgProvider>(domain_key(domain))
            .await?
            .filter(|p| !p.disabled))
    }

    async fn disable_provider(
        &self,
        id: &ProviderId,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let Some(provider) = self.provider(id).await?.filter(|p| !p.disabled) else {
            return Ok(false);
        };
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(provider_key(id)))
            .update_expression("SET disabled = :yes")
            .condition_expression("attribute_exists(pk) AND disabled = :no")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":no", AttributeValue::Bool(false))
            .build()
            .map_err(StoreError::unavailable)?;
        let mut items = vec![TransactWriteItem::builder().update(update).build()];
        for domain in &provider.domains {
            let delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(domain_key(domain)))
                .build()
                .map_err(StoreError::unavailable)?;
            items.push(TransactWriteItem::builder().delete(delete).build());
        }
        items.push(self.audit_put(event)?);
        match self.transact_marking(items, &[OnCondition::Taken]).await {
            Ok(()) => Ok(true),
            // Disabled by a parallel request meanwhile.
            Err(UniqueWriteError::Taken) => Ok(false),
            Err(UniqueWriteError::Store(e)) => Err(e),
        }
    }

    async fn save_login(&self, login: &PendingLogin) -> Result<(), StoreError> {
        let item = item_with_key(
            login,
            login_key(&login.state_digest),
            Some(login.expires_at),
        )?;
        self.put(item, None).await
    }

    async fn take_login(&self, state_digest: &str) -> Result<Option<PendingLogin>, StoreError> {
        self.take(login_key(state_digest)).await
    }
}
