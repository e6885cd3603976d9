//! Federation in SQLite: the providers (a row each, as JSON), which provider each domain belongs
//! to (`federation_domains`, in the base schema as the log-in page reads it; the domain is the
//! primary key, so a domain is one provider's), and sign-ins under way (taken by
//! `DELETE … RETURNING`, so a `state` is used once).

use async_trait::async_trait;
use rusqlite::params;
use tessera_federation::ports::{FederationStore, PendingLogin, RegisterError};
use tessera_federation::provider::{OrgProvider, ProviderId};
use tessera_kernel::audit::AuditEvent;
use tessera_kernel::ports::StoreError;

use crate::store::{bodies, is_unique_violation, optional_body, to_json, SqliteStore};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS federation_providers (
    id         TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    body       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS federation_logins (
    state_digest TEXT PRIMARY KEY,
    body         TEXT NOT NULL
);
";

#[async_trait]
impl FederationStore for SqliteStore {
    async fn register_provider(
        &self,
        provider: &OrgProvider,
        event: &AuditEvent,
    ) -> Result<(), RegisterError> {
        let (provider, event) = (provider.clone(), event.clone());
        self.with(move |conn| {
            let tx = conn.transaction().map_err(StoreError::unavailable)?;
            tx.execute(
                "INSERT INTO federation_providers (id, created_at, body) VALUES (?1, ?2, ?3)",
                params![
                    provider.id.as_str(),
                    provider.created_at.0,
                    to_json(&provider)?
                ],
            )
            .map_err(StoreError::unavailable)?;
            for domain in &provider.domains {
                match tx.execute(
                    "INSERT INTO federation_domains (domain, provider_id) VALUES (?1, ?2)",
                    params![domain, provider.id.as_str()],
                ) {
                    Ok(_) => {}
                    Err(e) if is_unique_violation(&e) => {
                        return Ok(Err(RegisterError::DomainTaken(domain.clone())))
                    }
                    Err(e) => return Err(StoreError::unavailable(e)),
                }
            }
            crate::audit::insert_event(&tx, &event)?;
            tx.commit().map_err(StoreError::unavailable)?;
            Ok(Ok(()))
        })
        .await?
    }

    async fn providers(&self) -> Result<Vec<OrgProvider>, StoreError> {
        self.with(|conn| {
            bodies(
                conn,
                "SELECT body FROM federation_providers ORDER BY created_at DESC, id",
                [],
            )
        })
        .await
    }

    async fn provider(&self, id: &ProviderId) -> Result<Option<OrgProvider>, StoreError> {
        let id = id.as_str().to_string();
        self.with(move |conn| {
            optional_body(
                conn,
                "SELECT body FROM federation_providers WHERE id = ?1",
                &id,
            )
        })
        .await
    }

    async fn provider_for_domain(&self, domain: &str) -> Result<Option<OrgProvider>, StoreError> {
        let domain = domain.to_string();
        let found: Option<OrgProvider> = self
            .with(move |conn| {
                optional_body(
                    conn,
                    "SELECT p.body FROM federation_domains d
                     JOIN federation_providers p ON p.id = d.provider_id WHERE d.domain = ?1",
                    &domain,
                )
            })
            .await?;
        Ok(found.filter(|p| !p.disabled))
    }

    async fn disable_provider(
        &self,
        id: &ProviderId,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let (id, event) = (id.as_str().to_string(), event.clone());
        self.with(move |conn| {
            let tx = conn.transaction().map_err(StoreError::unavailable)?;
            let Some(mut provider): Option<OrgProvider> = optional_body(
                &tx,
                "SELECT body FROM federation_providers WHERE id = ?1",
                &id,
            )?
            else {
                return Ok(false);
            };
            if provider.disabled {
                return Ok(false);
            }
            provider.disabled = true;
            tx.execute(
                "UPDATE federation_providers SET body = ?2 WHERE id = ?1",
                params![id, to_json(&provider)?],
            )
            .map_err(StoreError::unavailable)?;
            tx.execute(
                "DELETE FROM federation_domains WHERE provider_id = ?1",
                params![id],
            )
            .map_err(StoreError::unavailable)?;
            crate::audit::insert_event(&tx, &event)?;
            tx.commit().map_err(StoreError::unavailable)?;
            Ok(true)
        })
        .await
    }

    async fn save_login(&self, login: &PendingLogin) -> Result<(), StoreError> {
        let (digest, body) = (login.state_digest.clone(), to_json(login)?);
        self.with(move |conn| {
            conn.execute(
                "INSERT INTO federation_logins (state_digest, body) VALUES (?1, ?2)
                 ON CONFLICT (state_digest) DO UPDATE SET body = excluded.body",
                params![digest, body],
            )
            .map(|_| ())
            .map_err(StoreError::unavailable)
        })
        .await
    }

    async fn take_login(&self, state_digest: &str) -> Result<Option<PendingLogin>, StoreError> {
        let digest = state_digest.to_string();
        self.with(move |conn| {
            optional_body(
                conn,
                "DELETE FROM federation_logins WHERE state_digest = ?1 RETURNING body",
                &digest,
            )
        })
        .await
    }
}
