//! The embedded store is shared by the separate processes `cargo lambda watch` starts: each has
//! its own connection to one SQLite file. Two connections racing behave as one store.

use std::sync::Arc;
use tessera_identity::ports::{AccountStore, UniqueWriteError};
use tessera_local::SqliteStore;
use tessera_testkit::conformance::pending_account;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn separate_connections_to_one_file_keep_one_account_per_email() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tessera.sqlite3");
    let stores: Vec<Arc<dyn AccountStore>> = vec![
        Arc::new(SqliteStore::open(&path).unwrap()),
        Arc::new(SqliteStore::open(&path).unwrap()),
    ];
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let store = stores[i % 2].clone();
            tokio::spawn(async move {
                let (identity, profile) =
                    pending_account("shared@example.com", &format!("acct-{i}"));
                store.create_account(&identity, &profile).await
            })
        })
        .collect();
    let mut created = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => created += 1,
            Err(UniqueWriteError::Taken) => {}
            Err(e) => panic!("a connection failed instead of waiting its turn: {e:?}"),
        }
    }
    assert_eq!(created, 1);
    // What one connection wrote, the other reads.
    let email = tessera_kernel::email::Email::parse("shared@example.com").unwrap();
    let a = stores[0].identity(&email).await.unwrap().unwrap();
    let b = stores[1].identity(&email).await.unwrap().unwrap();
    assert_eq!(a, b);
    let mode: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}
