//! Fulfillment orders in the candidate table, beside each candidate's record partition:
//!
//! | item        | pk                | sk                  | notes                              |
//! |-------------|-------------------|---------------------|------------------------------------|
//! | order       | `ORDERS#<cand>`   | `ORDER#<id>`        | the order document                 |
//! | idempotency | `ORDERS#<cand>`   | `IDEMP#<key>`       | the order a key placed             |
//! | claim       | `ORDERS#<cand>`   | `CLAIM#<cert>`      | the initial kit is claimed (by `order_id`) |
//! | pointer     | `ORDER#<id>`      | `ORDER`             | the candidate an order id is       |
//!
//! An order is placed by one transaction that writes all of them on the condition none exists,
//! so two requests with one key, or two claims of one kit, make one order.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use tessera_core::certification::CandidateId;
use tessera_core::fulfillment::order::{Order, OrderId, Placed};
use tessera_core::ports::{OrderStore, StoreError};

use crate::dynamo::{from_item, item_with_key, sort_key, DynamoStore, Item};

fn orders_pk(candidate: &CandidateId) -> String {
    format!("ORDERS#{}", candidate.as_str())
}

fn idempotency_key(candidate: &CandidateId, key: &str) -> Item {
    DynamoStore::key(orders_pk(candidate), &format!("IDEMP#{key}"))
}

fn claim_key(candidate: &CandidateId, certification: &str) -> Item {
    DynamoStore::key(orders_pk(candidate), &format!("CLAIM#{certification}"))
}

fn with_order_id(mut item: Item, id: &OrderId) -> Item {
    item.insert("order_id".into(), AttributeValue::S(id.as_str().into()));
    item
}

impl DynamoStore {
    /// Every item of the candidate's orders partition whose sort key starts with `prefix`.
    async fn orders_partition(
        &self,
        candidate: &CandidateId,
        prefix: &str,
    ) -> Result<Vec<Item>, StoreError> {
        self.query_partition(orders_pk(candidate), Some(prefix))
            .await
    }

    /// The order an idempotency key placed, if any.
    async fn order_for_key(
        &self,
        candidate: &CandidateId,
        key: &str,
    ) -> Result<Option<Order>, StoreError> {
        #[derive(serde::Deserialize)]
        struct Marker {
            order_id: OrderId,
        }
        let Some(marker) = self.get::<Marker>(idempotency_key(candidate, key)).await? else {
            return Ok(None);
        };
        self.get(DynamoStore::key(
            orders_pk(candidate),
            &format!("ORDER#{}", marker.order_id.as_str()),
        ))
        .await
    }
}

#[async_trait]
impl OrderStore for DynamoStore {
    async fn place_order(&self, order: &Order) -> Result<Placed, StoreError> {
        let candidate = &order.candidate_id;
        let mut pointer = DynamoStore::key(format!("ORDER#{}", order.id.as_str()), "ORDER");
        pointer.insert(
            "candidate_id".into(),
            AttributeValue::S(candidate.as_str().into()),
        );
        let mut items = vec![
            self.put_new(item_with_key(
                order,
                DynamoStore::key(
                    orders_pk(candidate),
                    &format!("ORDER#{}", order.id.as_str()),
                ),
                None,
            )?)?,
            self.put_new(pointer)?,
            self.put_new(with_order_id(
                idempotency_key(candidate, &order.idempotency_key),
                &order.id,
            ))?,
        ];
        for certification in order.claims() {
            items.push(self.put_new(with_order_id(
                claim_key(candidate, &certification),
                &order.id,
            ))?);
        }
        match self.transact(items, &[]).await {
            Ok(()) => Ok(Placed::New),
            // Which condition failed: the key was used, or a kit was claimed. Read to tell
            // (a transaction cancelled by a concurrent one names neither: `Conflict`, retry).
            Err(StoreError::Conflict) => {
                if let Some(existing) = self
                    .order_for_key(candidate, &order.idempotency_key)
                    .await?
                {
                    return Ok(Placed::Existing(Box::new(existing)));
                }
                let claimed = self.claimed_kits(candidate).await?;
                if order.claims().iter().any(|c| claimed.contains(c)) {
                    Ok(Placed::KitClaimed)
                } else {
                    Err(StoreError::Conflict)
                }
            }
            Err(e) => Err(e),
        }
    }

    async fn claimed_kits(&self, candidate: &CandidateId) -> Result<Vec<String>, StoreError> {
        let mut claimed: Vec<String> = self
            .orders_partition(candidate, "CLAIM#")
            .await?
            .iter()
            .filter_map(|item| sort_key(item).strip_prefix("CLAIM#").map(str::to_string))
            .collect();
        claimed.sort();
        Ok(claimed)
    }

    async fn orders(&self, candidate: &CandidateId) -> Result<Vec<Order>, StoreError> {
        let mut all: Vec<Order> = self
            .orders_partition(candidate, "ORDER#")
            .await?
            .into_iter()
            .map(from_item)
            .collect::<Result<_, _>>()?;
        all.sort_by_key(|o| o.created_at);
        Ok(all)
    }

    async fn order_owner(&self, id: &OrderId) -> Result<Option<CandidateId>, StoreError> {
        #[derive(serde::Deserialize)]
        struct Pointer {
            candidate_id: CandidateId,
        }
        let pointer: Option<Pointer> = self
            .get(DynamoStore::key(format!("ORDER#{}", id.as_str()), "ORDER"))
            .await?;
        Ok(pointer.map(|p| p.candidate_id))
    }
}
