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

/// The audit log is append-only below the port too: the database itself refuses to change or
/// remove an event, whoever holds a connection to the file.
#[tokio::test]
async fn the_embedded_audit_log_refuses_updates_and_deletes() {
    use tessera_kernel::audit::{AuditEvent, AuditId, AuditLog, AuditParty};
    use tessera_kernel::time::Timestamp;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tessera.sqlite3");
    let store = SqliteStore::open(&path).unwrap();
    let event = AuditEvent {
        id: AuditId::new(Timestamp(1_000), &tessera_testkit::SeededRandom::new(1)),
        at: Timestamp(1_000),
        actor: AuditParty::new("operator", "root"),
        action: "roles.set".into(),
        subject: AuditParty::new("account", "a"),
        reason: tessera_kernel::audit::Reason::parse("first administrator").unwrap(),
        changes: vec![],
    };
    store.append(&event).await.unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    for statement in [
        "UPDATE audit_events SET body = '{}'",
        "DELETE FROM audit_events",
    ] {
        let refused = raw.execute(statement, []).unwrap_err().to_string();
        assert!(refused.contains("append-only"), "{statement}: {refused}");
    }
    let count: i64 = raw
        .query_row("SELECT count(*) FROM audit_events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 1);
}
