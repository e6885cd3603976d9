//! The catalog at runtime. Staff publish a new version (validated as the built-in file is), or
//! restore an older one as a new version; every version is kept. The built-in catalog is the
//! first version, stored nowhere. Functions read the latest version through `CatalogSource`,
//! which looks for a newer one at most every `REFRESH` and keeps the one it has when the store
//! cannot be read: a publish reaches every function within that time, without a redeploy.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tessera_kernel::audit::{Attribution, AuditEvent, AuditParty, FieldChange};
use tessera_kernel::ports::{Clock, Random, StoreError};
use tessera_kernel::race::landed;
use tessera_kernel::time::{Seconds, Timestamp};

use super::catalog::{Catalog, CatalogError, BUILT_IN};

/// How long a function keeps the catalog it read before it looks for a newer version.
pub const REFRESH: Seconds = Seconds(30);

/// The most a catalog's text may hold.
pub const MAX_CATALOG_BYTES: usize = 256 * 1024;

/// One published catalog: its number (the built-in one is 1), its TOML text as uploaded, and who
/// published it, when and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogVersion {
    pub number: u32,
    pub text: String,
    pub published_at: Timestamp,
    pub published_by: String,
    pub reason: String,
}

impl CatalogVersion {
    /// The catalog the release ships: version 1 until staff publish another.
    pub fn built_in() -> CatalogVersion {
        CatalogVersion {
            number: 1,
            text: BUILT_IN.to_string(),
            published_at: Timestamp(0),
            published_by: "built-in".into(),
            reason: "the catalog the release ships".into(),
        }
    }
}

/// Where published catalog versions are kept.
#[async_trait]
pub trait CatalogVersions: Send + Sync {
    /// The latest published version (`None`: only the built-in one).
    async fn latest_catalog(&self) -> Result<Option<CatalogVersion>, StoreError>;

    /// One published version (never the built-in one).
    async fn catalog_version(&self, number: u32) -> Result<Option<CatalogVersion>, StoreError>;

    /// The published versions, newest first, at most `limit`.
    async fn catalog_versions(&self, limit: usize) -> Result<Vec<CatalogVersion>, StoreError>;

    /// Stores `version` as the latest, with `event` appended to the audit log, in one write, if
    /// its number follows the latest stored one (2 when none is); `Conflict` otherwise.
    async fn publish_catalog(
        &self,
        version: &CatalogVersion,
        event: &AuditEvent,
    ) -> Result<(), StoreError>;
}

/// The latest catalog as this process knows it.
struct Known {
    number: u32,
    catalog: Arc<Catalog>,
    checked_at: Option<Timestamp>,
}

/// The catalog every function judges records by, read again at most every `REFRESH`.
pub struct CatalogSource {
    store: Arc<dyn CatalogVersions>,
    clock: Arc<dyn Clock>,
    known: Mutex<Known>,
}

impl CatalogSource {
    pub fn new(store: Arc<dyn CatalogVersions>, clock: Arc<dyn Clock>) -> CatalogSource {
        CatalogSource {
            store,
            clock,
            known: Mutex::new(Known {
                number: 1,
                catalog: Arc::new(Catalog::built_in()),
                checked_at: None,
            }),
        }
    }

    /// The latest catalog: the one known if it was checked within `REFRESH`, else the store's
    /// latest (or the one known, if the store cannot be read or holds an unreadable version).
    pub async fn current(&self) -> Arc<Catalog> {
        let now = self.clock.now();
        let number = {
            let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
            if known.checked_at.is_some_and(|at| now < at + REFRESH) {
                return known.catalog.clone();
            }
            known.number
        };
        let latest = match self.store.latest_catalog().await {
            Ok(latest) => latest.unwrap_or_else(CatalogVersion::built_in),
            Err(error) => {
                tracing::warn!(%error, "the catalog could not be read: keeping the one known");
                return self.known_catalog();
            }
        };
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        known.checked_at = Some(now);
        if latest.number != number {
            match Catalog::parse(&latest.text) {
                Ok(catalog) => {
                    known.number = latest.number;
                    known.catalog = Arc::new(catalog);
                }
                Err(error) => tracing::error!(
                    %error,
                    version = latest.number,
                    "a published catalog does not parse: keeping the one known"
                ),
            }
        }
        known.catalog.clone()
    }

    /// Where the versions are kept (the back office's catalog routes read and publish there).
    pub fn versions(&self) -> &dyn CatalogVersions {
        self.store.as_ref()
    }

    fn known_catalog(&self) -> Arc<Catalog> {
        let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        known.catalog.clone()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Invalid(#[from] CatalogError),
    #[error("the catalog may be at most {MAX_CATALOG_BYTES} bytes")]
    TooLarge,
    #[error("no catalog version {0}")]
    NoSuchVersion(u32),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a new version is made from: an uploaded text, or an older version restored.
pub enum NewCatalog {
    Text(String),
    Restore(u32),
}

/// The latest version (the built-in one when none is published).
pub async fn latest(store: &dyn CatalogVersions) -> Result<CatalogVersion, StoreError> {
    Ok(store
        .latest_catalog()
        .await?
        .unwrap_or_else(CatalogVersion::built_in))
}

/// Publishes `new` as the next version on `by`'s word, after validating it as the built-in
/// catalog is validated; its audit event names the version and what it came from. Read again
/// and numbered again if another publish landed meanwhile. The version published.
pub async fn publish(
    store: &dyn CatalogVersions,
    clock: &dyn Clock,
    random: &dyn Random,
    by: &Attribution,
    new: &NewCatalog,
) -> Result<CatalogVersion, PublishError> {
    let (text, restored) = match new {
        NewCatalog::Text(text) => (text.clone(), None),
        NewCatalog::Restore(1) => (BUILT_IN.to_string(), Some(1)),
        NewCatalog::Restore(number) => {
            let version = store
                .catalog_version(*number)
                .await?
                .ok_or(PublishError::NoSuchVersion(*number))?;
            (version.text, Some(*number))
        }
    };
    if text.len() > MAX_CATALOG_BYTES {
        return Err(PublishError::TooLarge);
    }
    Catalog::parse(&text)?;
    tessera_kernel::settle!(
        async {
            let previous = latest(store).await?;
            let now = clock.now();
            let version = CatalogVersion {
                number: previous.number + 1,
                text: text.clone(),
                published_at: now,
                published_by: by.actor.as_str().to_string(),
                reason: by.reason.as_str().to_string(),
            };
            let mut changes = vec![FieldChange::new(
                "version",
                Some(previous.number.to_string()),
                Some(version.number.to_string()),
            )];
            if let Some(number) = restored {
                changes.push(FieldChange::new("restored", None, Some(number.to_string())));
            }
            let event = by.event(
                now,
                random,
                "catalog.publish",
                AuditParty::new("catalog", &version.number.to_string()),
                changes,
            );
            let write = store.publish_catalog(&version, &event).await;
            Ok::<_, PublishError>(landed(write)?.then_some(version))
        }
        .await
    )
}
