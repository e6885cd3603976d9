//! The restore drill on the embedded default (docs/runbooks.md, "Backups and restore"): a backup
//! taken while the store is open holds what was there; after the database is lost, restoring it
//! brings those accounts back (they sign in) and nothing written after the backup.

use tessera_testkit::messages::{extract_code, from_outbox};
use tessera_testkit::{unique_email, Backend, TestApp};
use tessera_tests::{activate, log_in, sign_up, PASSWORD};

async fn app_in(dir: &std::path::Path) -> TestApp {
    let dir = dir.display().to_string();
    TestApp::with_vars(Backend::Embedded, &[("TESSERA_LOCAL_DIR", &dir)]).await
}

/// An active account in the store at `dir`, activated with the code from that store's outbox.
async fn active_account(app: &TestApp, dir: &std::path::Path, name: &str) -> String {
    let email = unique_email(name);
    assert_eq!(sign_up(app, &email, PASSWORD).await.status, 202);
    let sent = from_outbox(&dir.join("outbox.jsonl"));
    let message = sent
        .iter()
        .rev()
        .find(|m| m.to == email)
        .expect("the activation email");
    let code = extract_code(&message.body).expect("its code");
    assert_eq!(activate(app, &email, &code).await.status, 200);
    email
}

#[tokio::test]
async fn a_backup_restores_the_accounts_it_holds_and_nothing_after() {
    let store = tempfile::tempdir().unwrap();
    let backups = tempfile::tempdir().unwrap();
    let database = tessera_local::database_file(store.path());
    let backup = backups.path().join("tessera-backup.sqlite3");

    let app = app_in(store.path()).await;
    let kept = active_account(&app, store.path(), "backed.up").await;
    tessera_local::backup(&database, &backup).expect("a backup while the store is open");
    assert!(
        tessera_local::backup(&database, &backup).is_err(),
        "a backup never overwrites a file"
    );
    let later = active_account(&app, store.path(), "after.the.backup").await;
    assert_eq!(log_in(&app, &later, PASSWORD).await.status, 201);
    drop(app);

    // The database is lost.
    std::fs::remove_file(&database).unwrap();
    let not_a_database = backups.path().join("notes.txt");
    std::fs::write(&not_a_database, "not a database").unwrap();
    assert!(tessera_local::restore(&not_a_database, &database).is_err());
    tessera_local::restore(&backup, &database).expect("the restore");

    let restored = app_in(store.path()).await;
    assert_eq!(
        log_in(&restored, &kept, PASSWORD).await.status,
        201,
        "the account in the backup signs in"
    );
    assert_eq!(
        log_in(&restored, &later, PASSWORD).await.status,
        401,
        "what came after the backup is not there"
    );
}
