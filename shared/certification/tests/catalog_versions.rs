//! The catalog at runtime (`catalog_versions`): what a publish accepts, how a restore numbers
//! its version, and when a function's `CatalogSource` sees a new version.

use async_trait::async_trait;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use tessera_certification::catalog::BUILT_IN;
use tessera_certification::catalog_versions::{
    publish, CatalogSource, CatalogVersion, CatalogVersions, NewCatalog, PublishError, REFRESH,
};
use tessera_kernel::audit::{Attribution, AuditEvent, AuditParty, Reason};
use tessera_kernel::ports::{Clock, Random, StoreError};
use tessera_kernel::time::Timestamp;

#[derive(Default)]
struct Versions {
    stored: Mutex<Vec<CatalogVersion>>,
    down: AtomicBool,
}

#[async_trait]
impl CatalogVersions for Versions {
    async fn latest_catalog(&self) -> Result<Option<CatalogVersion>, StoreError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable("down".into()));
        }
        Ok(self.stored.lock().unwrap().last().cloned())
    }
    async fn catalog_version(&self, number: u32) -> Result<Option<CatalogVersion>, StoreError> {
        Ok(self
            .stored
            .lock()
            .unwrap()
            .iter()
            .find(|v| v.number == number)
            .cloned())
    }
    async fn catalog_versions(&self, _: usize) -> Result<Vec<CatalogVersion>, StoreError> {
        Ok(self.stored.lock().unwrap().iter().rev().cloned().collect())
    }
    async fn publish_catalog(&self, v: &CatalogVersion, _: &AuditEvent) -> Result<(), StoreError> {
        let mut stored = self.stored.lock().unwrap();
        let latest = stored.last().map_or(1, |l| l.number);
        if v.number != latest + 1 {
            return Err(StoreError::Conflict);
        }
        stored.push(v.clone());
        Ok(())
    }
}

struct Now(AtomicI64);
impl Clock for Now {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

struct Zeros;
impl Random for Zeros {
    fn fill(&self, buf: &mut [u8]) {
        buf.fill(0);
    }
}

fn by() -> Attribution {
    Attribution::new(
        AuditParty::new("account", "admin"),
        Reason::parse("a test").unwrap(),
    )
}

fn renamed() -> String {
    BUILT_IN.replace(
        "name = \"Security Operations Associate\"",
        "name = \"Security Operations Associate (2027)\"",
    )
}

#[tokio::test]
async fn publishing_validates_numbers_and_restores() {
    let store = Versions::default();
    let clock = Now(AtomicI64::new(1_800_000_000));
    let bad = publish(
        &store,
        &clock,
        &Zeros,
        &by(),
        &NewCatalog::Text("[[track]".into()),
    )
    .await;
    assert!(matches!(bad, Err(PublishError::Invalid(_))), "{bad:?}");
    let too_large = NewCatalog::Text("#".repeat(300 * 1024));
    assert!(matches!(
        publish(&store, &clock, &Zeros, &by(), &too_large).await,
        Err(PublishError::TooLarge)
    ));
    let two = publish(&store, &clock, &Zeros, &by(), &NewCatalog::Text(renamed()))
        .await
        .unwrap();
    assert_eq!(
        (two.number, two.published_by.as_str()),
        (2, "account:admin")
    );
    let three = publish(&store, &clock, &Zeros, &by(), &NewCatalog::Restore(1))
        .await
        .unwrap();
    assert_eq!((three.number, three.text.as_str()), (3, BUILT_IN));
    let four = publish(&store, &clock, &Zeros, &by(), &NewCatalog::Restore(2))
        .await
        .unwrap();
    assert_eq!((four.number, four.text), (4, renamed()));
    assert!(matches!(
        publish(&store, &clock, &Zeros, &by(), &NewCatalog::Restore(9)).await,
        Err(PublishError::NoSuchVersion(9))
    ));
}

#[tokio::test]
async fn a_function_sees_a_new_version_within_the_refresh_time_and_keeps_one_when_the_store_is_down(
) {
    let store = Arc::new(Versions::default());
    let clock = Arc::new(Now(AtomicI64::new(1_800_000_000)));
    let source = CatalogSource::new(store.clone(), clock.clone());
    let name = |c: Arc<tessera_certification::Catalog>| {
        c.certification("security-associate").unwrap().name.clone()
    };
    assert_eq!(
        name(source.current().await),
        "Security Operations Associate"
    );
    publish(
        store.as_ref(),
        clock.as_ref(),
        &Zeros,
        &by(),
        &NewCatalog::Text(renamed()),
    )
    .await
    .unwrap();
    assert_eq!(
        name(source.current().await),
        "Security Operations Associate",
        "within the refresh time, the one known"
    );
    clock.0.fetch_add(REFRESH.0, Ordering::SeqCst);
    assert_eq!(
        name(source.current().await),
        "Security Operations Associate (2027)"
    );
    store.down.store(true, Ordering::SeqCst);
    clock.0.fetch_add(REFRESH.0, Ordering::SeqCst);
    assert_eq!(
        name(source.current().await),
        "Security Operations Associate (2027)",
        "the store down: the one known"
    );
}
