//! `CatalogVersions`: versions published in order, each once, with its audit event.

use super::audit::event;
use super::*;
use tessera_certification::catalog_versions::{CatalogVersion, CatalogVersions};
use tessera_kernel::audit::{AuditLog, AuditQuery};
use tessera_kernel::ports::Random;

fn version(number: u32, text: &str) -> CatalogVersion {
    CatalogVersion {
        number,
        text: text.into(),
        published_at: Timestamp(1_800_000_000 + i64::from(number)),
        published_by: "account:admin".into(),
        reason: format!("version {number}"),
    }
}

/// The first published version is 2 (the built-in catalog is 1, stored nowhere); each next one
/// must follow the latest, so two publishes of one number make one version; every version stays
/// readable, newest first; a lost publish leaves no audit event.
pub async fn catalog_versions_are_published_in_order(
    store: &dyn CatalogVersions,
    log: &dyn AuditLog,
    random: &dyn Random,
) {
    assert_eq!(store.latest_catalog().await.unwrap(), None);
    let skipped = event(random, 7_000, "admin", "catalog");
    assert!(matches!(
        store.publish_catalog(&version(3, "three"), &skipped).await,
        Err(StoreError::Conflict)
    ));
    let second = version(2, "two");
    store
        .publish_catalog(&second, &event(random, 7_001, "admin", "catalog"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .publish_catalog(
                &version(2, "again"),
                &event(random, 7_002, "admin", "catalog")
            )
            .await,
        Err(StoreError::Conflict)
    ));
    let third = version(3, "three");
    store
        .publish_catalog(&third, &event(random, 7_003, "admin", "catalog"))
        .await
        .unwrap();
    assert_eq!(store.latest_catalog().await.unwrap(), Some(third.clone()));
    assert_eq!(
        store.catalog_version(2).await.unwrap(),
        Some(second.clone())
    );
    assert_eq!(store.catalog_version(9).await.unwrap(), None);
    assert_eq!(
        store.catalog_versions(10).await.unwrap(),
        vec![third.clone(), second.clone()]
    );
    assert_eq!(store.catalog_versions(1).await.unwrap(), vec![third]);
    let logged = log
        .query(&AuditQuery {
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(logged.events.len(), 2, "one event per version published");
}
