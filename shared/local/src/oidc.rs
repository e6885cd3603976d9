//! The OpenID Connect provider's clients, consents, codes and token families in SQLite: a table
//! each, the record as JSON. Redeeming a code deletes its row (`DELETE … RETURNING`), so of two
//! racing redemptions one gets it; a refresh replaces the family's row only while its refresh
//! digest is still the one read, inside one `BEGIN IMMEDIATE` transaction.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use tessera_kernel::audit::AuditEvent;
use tessera_kernel::ids::AccountId;
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::Timestamp;
use tessera_oidc::client::{Client, ClientId};
use tessera_oidc::ports::OidcStore;
use tessera_oidc::scopes::Scopes;
use tessera_oidc::tokens::{CodeGrant, FamilyId, TokenFamily};

use crate::store::{bodies, conflict_if_taken, from_json, optional_body, to_json, SqliteStore};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS oidc_clients (
    id         TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    body       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS oidc_consents (
    account_id TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (account_id, client_id)
);
CREATE TABLE IF NOT EXISTS oidc_codes (
    digest     TEXT PRIMARY KEY,
    body       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS oidc_families (
    id         TEXT PRIMARY KEY,
    body       TEXT NOT NULL
);
";

#[async_trait]
impl OidcStore for SqliteStore {
    async fn register_client(&self, client: &Client, event: &AuditEvent) -> Result<(), StoreError> {
        let (client, event) = (client.clone(), event.clone());
        self.with(move |conn| {
            let tx = conn.transaction().map_err(StoreError::unavailable)?;
            tx.execute(
                "INSERT INTO oidc_clients (id, created_at, body) VALUES (?1, ?2, ?3)",
                params![client.id.as_str(), client.created_at.0, to_json(&client)?],
            )
            .map_err(conflict_if_taken)?;
            crate::audit::insert_event(&tx, &event)?;
            tx.commit().map_err(StoreError::unavailable)
        })
        .await
    }

    async fn client(&self, id: &ClientId) -> Result<Option<Client>, StoreError> {
        let id = id.as_str().to_string();
        self.with(move |conn| {
            optional_body(conn, "SELECT body FROM oidc_clients WHERE id = ?1", &id)
        })
        .await
    }

    async fn clients(&self) -> Result<Vec<Client>, StoreError> {
        self.with(|conn| {
            bodies(
                conn,
                "SELECT body FROM oidc_clients ORDER BY created_at DESC, id",
                [],
            )
        })
        .await
    }

    async fn disable_client(&self, id: &ClientId, event: &AuditEvent) -> Result<bool, StoreError> {
        let (id, event) = (id.as_str().to_string(), event.clone());
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::unavailable)?;
            let found: Option<Client> =
                optional_body(&tx, "SELECT body FROM oidc_clients WHERE id = ?1", &id)?;
            let Some(mut client) = found.filter(|c| !c.disabled) else {
                return Ok(false);
            };
            client.disabled = true;
            tx.execute(
                "UPDATE oidc_clients SET body = ?1 WHERE id = ?2",
                params![to_json(&client)?, id],
            )
            .map_err(StoreError::unavailable)?;
            crate::audit::insert_event(&tx, &event)?;
            tx.commit().map_err(StoreError::unavailable)?;
            Ok(true)
        })
        .await
    }

    async fn consent(
        &self,
        account: &AccountId,
        client: &ClientId,
    ) -> Result<Option<Scopes>, StoreError> {
        let (account, client) = (account.as_str().to_string(), client.as_str().to_string());
        self.with(move |conn| {
            let body: Option<String> = conn
                .query_row(
                    "SELECT body FROM oidc_consents WHERE account_id = ?1 AND client_id = ?2",
                    params![account, client],
                    |r| r.get(0),
                )
                .optional()
                .map_err(StoreError::unavailable)?;
            body.as_deref().map(from_json).transpose()
        })
        .await
    }

    async fn consents(&self, account: &AccountId) -> Result<Vec<(ClientId, Scopes)>, StoreError> {
        let account = account.as_str().to_string();
        self.with(move |conn| {
            let mut statement = conn
                .prepare(
                    "SELECT client_id, body FROM oidc_consents WHERE account_id = ?1
                     ORDER BY client_id",
                )
                .map_err(StoreError::unavailable)?;
            let rows = statement
                .query_map(params![account], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })
                .map_err(StoreError::unavailable)?;
            let mut consents = Vec::new();
            for row in rows {
                let (client, body) = row.map_err(StoreError::unavailable)?;
                if let Some(client) = ClientId::parse(&client) {
                    consents.push((client, from_json(&body)?));
                }
            }
            Ok(consents)
        })
        .await
    }

    async fn remember_consent(
        &self,
        account: &AccountId,
        client: &ClientId,
        scopes: &Scopes,
    ) -> Result<(), StoreError> {
        let (account, client, body) = (
            account.as_str().to_string(),
            client.as_str().to_string(),
            to_json(scopes)?,
        );
        self.with(move |conn| {
            conn.execute(
                "INSERT INTO oidc_consents (account_id, client_id, body) VALUES (?1, ?2, ?3)
                 ON CONFLICT (account_id, client_id) DO UPDATE SET body = excluded.body",
                params![account, client, body],
            )
            .map(|_| ())
            .map_err(StoreError::unavailable)
        })
        .await
    }

    async fn save_code(&self, grant: &CodeGrant) -> Result<(), StoreError> {
        let (digest, body) = (grant.code_digest.clone(), to_json(grant)?);
        self.with(move |conn| {
            conn.execute(
                "INSERT INTO oidc_codes (digest, body) VALUES (?1, ?2)",
                params![digest, body],
            )
            .map(|_| ())
            .map_err(conflict_if_taken)
        })
        .await
    }

    async fn redeem_code(&self, digest: &str) -> Result<Option<CodeGrant>, StoreError> {
        let digest = digest.to_string();
        self.with(move |conn| {
            optional_body(
                conn,
                "DELETE FROM oidc_codes WHERE digest = ?1 RETURNING body",
                &digest,
            )
        })
        .await
    }

    async fn start_family(&self, family: &TokenFamily) -> Result<(), StoreError> {
        let (id, body) = (family.id.as_str().to_string(), to_json(family)?);
        self.with(move |conn| {
            conn.execute(
                "INSERT INTO oidc_families (id, body) VALUES (?1, ?2)",
                params![id, body],
            )
            .map(|_| ())
            .map_err(conflict_if_taken)
        })
        .await
    }

    async fn family(&self, id: &FamilyId) -> Result<Option<TokenFamily>, StoreError> {
        let id = id.as_str().to_string();
        self.with(move |conn| {
            optional_body(conn, "SELECT body FROM oidc_families WHERE id = ?1", &id)
        })
        .await
    }

    async fn rotate_family(
        &self,
        family: &TokenFamily,
        expected_refresh: &str,
    ) -> Result<bool, StoreError> {
        let (family, expected) = (family.clone(), expected_refresh.to_string());
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::unavailable)?;
            let id = family.id.as_str().to_string();
            let stored: Option<TokenFamily> =
                optional_body(&tx, "SELECT body FROM oidc_families WHERE id = ?1", &id)?;
            let current =
                stored.is_some_and(|s| s.refresh_digest == expected && s.revoked_at.is_none());
            if !current {
                return Ok(false);
            }
            tx.execute(
                "UPDATE oidc_families SET body = ?1 WHERE id = ?2",
                params![to_json(&family)?, id],
            )
            .map_err(StoreError::unavailable)?;
            tx.commit().map_err(StoreError::unavailable)?;
            Ok(true)
        })
        .await
    }

    async fn revoke_family(&self, id: &FamilyId, at: Timestamp) -> Result<(), StoreError> {
        let id = id.as_str().to_string();
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::unavailable)?;
            let stored: Option<TokenFamily> =
                optional_body(&tx, "SELECT body FROM oidc_families WHERE id = ?1", &id)?;
            if let Some(mut family) = stored.filter(|f| f.revoked_at.is_none()) {
                family.revoked_at = Some(at);
                tx.execute(
                    "UPDATE oidc_families SET body = ?1 WHERE id = ?2",
                    params![to_json(&family)?, id],
                )
                .map_err(StoreError::unavailable)?;
            }
            tx.commit().map_err(StoreError::unavailable)
        })
        .await
    }
}
