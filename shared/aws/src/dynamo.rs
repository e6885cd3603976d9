use async_trait::async_trait;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashMap;
use tessera_core::ports::{AccountStore, StoreError};
use tessera_core::{AccountId, Email, Identity, Profile, Timestamp, Username};

type Item = HashMap<String, AttributeValue>;

/// The identity table: a single-table layout with generic `pk`/`sk` keys and a `ttl` attribute.
///
/// | item     | pk                   | sk         | notes                                       |
/// |----------|----------------------|------------|---------------------------------------------|
/// | identity | `EMAIL#<canonical>`  | `IDENTITY` | the uniqueness marker; sign-in data; version |
/// | profile  | `ACCOUNT#<id>`       | `PROFILE`  | names, country, username                    |
/// | username | `USERNAME#<login>`   | `USERNAME` | uniqueness of the login ID; `account_id`    |
#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

const IDENTITY: &str = "IDENTITY";
const PROFILE: &str = "PROFILE";
const USERNAME: &str = "USERNAME";

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> DynamoStore {
        DynamoStore {
            client,
            table: table.into(),
        }
    }

    fn key(pk: String, sk: &str) -> Item {
        HashMap::from([
            ("pk".to_string(), AttributeValue::S(pk)),
            ("sk".to_string(), AttributeValue::S(sk.to_string())),
        ])
    }

    fn identity_key(email: &Email) -> Item {
        Self::key(format!("EMAIL#{}", email.as_str()), IDENTITY)
    }

    fn profile_key(id: &AccountId) -> Item {
        Self::key(format!("ACCOUNT#{}", id.as_str()), PROFILE)
    }

    fn username_key(username: &Username) -> Item {
        Self::key(format!("USERNAME#{}", username.as_str()), USERNAME)
    }

    async fn get<T: DeserializeOwned>(&self, key: Item) -> Result<Option<T>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::unavailable(e.into_service_error()))?;
        out.item
            .map(|item| serde_dynamo::from_item(item).map_err(StoreError::unavailable))
            .transpose()
    }

    fn put_new(&self, item: Item) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(StoreError::unavailable)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// The identity as `version + 1`, and the condition that the stored version is still
    /// `identity.version`; shared by the single write and the activation transaction.
    fn versioned_identity(identity: &Identity) -> Result<VersionedPut, StoreError> {
        let mut next = identity.clone();
        next.version += 1;
        Ok(VersionedPut {
            item: item_with_key(&next, Self::identity_key(&next.email), next.purge_at)?,
            expected: AttributeValue::N(identity.version.to_string()),
        })
    }

    /// The versioned identity write as a transaction item.
    fn put_identity_versioned(&self, identity: &Identity) -> Result<Put, StoreError> {
        let versioned = Self::versioned_identity(identity)?;
        Put::builder()
            .table_name(&self.table)
            .set_item(Some(versioned.item))
            .condition_expression(VERSION_CONDITION)
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":expected", versioned.expected)
            .build()
            .map_err(StoreError::unavailable)
    }

    async fn transact(
        &self,
        items: Vec<TransactWriteItem>,
        on_condition: &[StoreError],
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => Err(translate_cancellation(e, on_condition)),
        }
    }
}

struct VersionedPut {
    item: Item,
    expected: AttributeValue,
}

const VERSION_CONDITION: &str = "#version = :expected";

/// The record's attributes plus its key and, while it should expire, the `ttl` attribute.
fn item_with_key<T: Serialize>(
    record: &T,
    key: Item,
    purge_at: Option<Timestamp>,
) -> Result<Item, StoreError> {
    let mut item: Item = serde_dynamo::to_item(record).map_err(StoreError::unavailable)?;
    item.extend(key);
    if let Some(t) = purge_at {
        item.insert("ttl".to_string(), AttributeValue::N(t.0.to_string()));
    }
    Ok(item)
}

/// Maps a cancelled transaction to the domain error of the first item whose condition failed
/// (`on_condition[i]` for item `i`); anything else is `Unavailable`.
fn translate_cancellation(
    e: SdkError<TransactWriteItemsError>,
    on_condition: &[StoreError],
) -> StoreError {
    let service = e.into_service_error();
    if let TransactWriteItemsError::TransactionCanceledException(cancelled) = &service {
        let reasons = cancelled.cancellation_reasons();
        for (i, reason) in reasons.iter().enumerate() {
            if reason.code() == Some("ConditionalCheckFailed") {
                return match on_condition.get(i) {
                    Some(StoreError::EmailTaken) => StoreError::EmailTaken,
                    Some(StoreError::UsernameTaken) => StoreError::UsernameTaken,
                    _ => StoreError::Conflict,
                };
            }
        }
        // Cancelled because of a concurrent transaction on the same items.
        if reasons
            .iter()
            .any(|r| r.code() == Some("TransactionConflict"))
        {
            return StoreError::Conflict;
        }
    }
    StoreError::unavailable(service)
}

#[async_trait]
impl AccountStore for DynamoStore {
    async fn create_account(
        &self,
        identity: &Identity,
        profile: &Profile,
    ) -> Result<(), StoreError> {
        let items = vec![
            self.put_new(item_with_key(
                identity,
                Self::identity_key(&identity.email),
                identity.purge_at,
            )?)?,
            self.put_new(item_with_key(
                profile,
                Self::profile_key(&profile.account_id),
                profile.purge_at,
            )?)?,
        ];
        self.transact(items, &[StoreError::EmailTaken, StoreError::Conflict])
            .await
    }

    async fn identity(&self, email: &Email) -> Result<Option<Identity>, StoreError> {
        self.get(Self::identity_key(email)).await
    }

    async fn update_identity(&self, identity: &Identity) -> Result<(), StoreError> {
        let put = Self::versioned_identity(identity)?;
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(put.item))
            .condition_expression(VERSION_CONDITION)
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":expected", put.expected)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => {
                let service = e.into_service_error();
                if service.is_conditional_check_failed_exception() {
                    Err(StoreError::Conflict)
                } else {
                    Err(StoreError::unavailable(service))
                }
            }
        }
    }

    async fn activate(&self, identity: &Identity, username: &Username) -> Result<(), StoreError> {
        let mut marker = Self::username_key(username);
        marker.insert(
            "account_id".to_string(),
            AttributeValue::S(identity.account_id.as_str().to_string()),
        );
        let profile_update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(Self::profile_key(&identity.account_id)))
            .update_expression("SET #username = :username, #purge_at = :null REMOVE #ttl")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#username", "username")
            .expression_attribute_names("#purge_at", "purge_at")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(
                ":username",
                AttributeValue::S(username.as_str().to_string()),
            )
            .expression_attribute_values(":null", AttributeValue::Null(true))
            .build()
            .map_err(StoreError::unavailable)?;
        let items = vec![
            TransactWriteItem::builder()
                .put(self.put_identity_versioned(identity)?)
                .build(),
            self.put_new(marker)?,
            TransactWriteItem::builder().update(profile_update).build(),
        ];
        self.transact(
            items,
            &[
                StoreError::Conflict,
                StoreError::UsernameTaken,
                StoreError::Conflict,
            ],
        )
        .await
    }

    async fn profile(&self, account_id: &AccountId) -> Result<Option<Profile>, StoreError> {
        self.get(Self::profile_key(account_id)).await
    }

    async fn account_by_username(
        &self,
        username: &Username,
    ) -> Result<Option<AccountId>, StoreError> {
        #[derive(serde::Deserialize)]
        struct Marker {
            account_id: AccountId,
        }
        let marker: Option<Marker> = self.get(Self::username_key(username)).await?;
        Ok(marker.map(|m| m.account_id))
    }
}
