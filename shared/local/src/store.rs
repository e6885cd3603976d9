use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tessera_identity::account::{CommunicationSettings, ProfileEdit};
use tessera_identity::ports::{AccountStore, LoginStore, SessionStore, UniqueWriteError};
use tessera_identity::session::Session;
use tessera_identity::staff::Roles;
use tessera_identity::throttle::{LoginStart, LoginThrottle, ThrottleKey, ThrottleSettings};
use tessera_identity::{Identity, Profile, Username};
use tessera_kernel::audit::AuditEvent;
use tessera_kernel::delivery::UnsentMessage;
use tessera_kernel::email::Email;
use tessera_kernel::ids::AccountId;
use tessera_kernel::ports::{StoreError, UnsentMessages};
use tessera_kernel::time::Timestamp;

/// Every item is a JSON document in a table per kind; uniqueness and versions are SQL constraints
/// and conditions, checked inside one `BEGIN IMMEDIATE` transaction per write.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS identities (
    email      TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    version    INTEGER NOT NULL,
    purge_at   INTEGER,
    body       TEXT NOT NULL
);
-- Pending accounts by purge date (active ones have none): the purge job reads only these.
CREATE INDEX IF NOT EXISTS identities_purge ON identities (purge_at) WHERE purge_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS profiles (
    account_id TEXT PRIMARY KEY,
    purge_at   INTEGER,
    body       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS usernames (
    username   TEXT PRIMARY KEY,
    account_id TEXT NOT NULL
);
-- The domains organisations' providers sign in (written by federation, read at log-in).
CREATE TABLE IF NOT EXISTS federation_domains (
    domain      TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS login_throttles (
    email           TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL,
    failed          INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS unsent_messages (
    id              TEXT PRIMARY KEY,
    attempts        INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    body            TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS unsent_messages_due ON unsent_messages (next_attempt_at);
CREATE TABLE IF NOT EXISTS sessions (
    token_digest TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL,
    expires_at   INTEGER NOT NULL,
    body         TEXT NOT NULL
);
";

impl SqliteStore {
    /// Opens (and creates) the database file; WAL mode and a busy timeout let several
    /// processes write to it.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(StoreError::unavailable)?;
        }
        let conn = Connection::open(path).map_err(StoreError::unavailable)?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(StoreError::unavailable)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(StoreError::unavailable)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(StoreError::unavailable)?;
        conn.execute_batch(SCHEMA)
            .map_err(StoreError::unavailable)?;
        // Databases made before the column existed (`make dev` state in `.local/`).
        add_column_if_missing(
            &conn,
            "login_throttles",
            "failed",
            "INTEGER NOT NULL DEFAULT 0",
        )?;
        // Each context's tables, made by whichever function opens the database first with it.
        #[cfg(feature = "certification")]
        conn.execute_batch(crate::candidates::SCHEMA)
            .map_err(StoreError::unavailable)?;
        #[cfg(feature = "certification")]
        let conn = {
            let mut conn = conn;
            crate::candidates::list_existing_records(&mut conn)?;
            conn
        };
        #[cfg(feature = "certification")]
        conn.execute_batch(crate::catalogs::SCHEMA)
            .map_err(StoreError::unavailable)?;
        #[cfg(feature = "certification")]
        conn.execute_batch(crate::transcripts::SCHEMA)
            .map_err(StoreError::unavailable)?;
        #[cfg(feature = "certification")]
        conn.execute_batch(crate::verification_codes::SCHEMA)
            .map_err(StoreError::unavailable)?;
        #[cfg(feature = "certification")]
        conn.execute_batch(crate::badges::SCHEMA)
            .map_err(StoreError::unavailable)?;
        #[cfg(feature = "fulfillment")]
        conn.execute_batch(crate::orders::SCHEMA)
            .map_err(StoreError::unavailable)?;
        conn.execute_batch(crate::attempts::SCHEMA)
            .map_err(StoreError::unavailable)?;
        conn.execute_batch(crate::suppressions::SCHEMA)
            .map_err(StoreError::unavailable)?;
        conn.execute_batch(crate::audit::SCHEMA)
            .map_err(StoreError::unavailable)?;
        #[cfg(feature = "oidc")]
        conn.execute_batch(crate::oidc::SCHEMA)
            .map_err(StoreError::unavailable)?;
        #[cfg(feature = "access")]
        conn.execute_batch(crate::access::SCHEMA)
            .map_err(StoreError::unavailable)?;
        #[cfg(feature = "federation")]
        conn.execute_batch(crate::federation::SCHEMA)
            .map_err(StoreError::unavailable)?;
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` on the connection off the async threads.
    pub(crate) async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(StoreError::unavailable)?
    }
}

/// Adds a column to a table made by an older schema. Several processes may open the database at
/// once, so a column another one added meanwhile is not an error.
pub(crate) fn add_column_if_missing(
    conn: &Connection,
    table: &str,
    column: &str,
    definition: &str,
) -> Result<(), StoreError> {
    let present: bool = conn
        .query_row(
            &format!("SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = ?1"),
            [column],
            |r| r.get::<_, i64>(0),
        )
        .map_err(StoreError::unavailable)?
        > 0;
    if present {
        return Ok(());
    }
    match conn.execute_batch(&format!(
        "ALTER TABLE {table} ADD COLUMN {column} {definition}"
    )) {
        Ok(()) => Ok(()),
        Err(e) if e.to_string().contains("duplicate column") => Ok(()),
        Err(e) => Err(StoreError::unavailable(e)),
    }
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(StoreError::unavailable)
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(body: &str) -> Result<T, StoreError> {
    serde_json::from_str(body).map_err(StoreError::unavailable)
}

/// An insert's error: `Conflict` when a unique key is taken, `Unavailable` otherwise.
pub(crate) fn conflict_if_taken(e: rusqlite::Error) -> StoreError {
    if is_unique_violation(&e) {
        StoreError::Conflict
    } else {
        StoreError::unavailable(e)
    }
}

pub(crate) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

/// Writes `identity` as `version + 1` if the stored version is `identity.version`.
fn replace_identity(tx: &rusqlite::Transaction<'_>, identity: &Identity) -> Result<(), StoreError> {
    let mut next = identity.clone();
    next.version += 1;
    let changed = tx
        .execute(
            "UPDATE identities SET version = ?1, purge_at = ?2, body = ?3 WHERE email = ?4 AND version = ?5",
            params![
                next.version as i64,
                next.purge_at.map(|t| t.0),
                to_json(&next)?,
                identity.email.as_str(),
                identity.version as i64
            ],
        )
        .map_err(StoreError::unavailable)?;
    if changed == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict)
    }
}

#[async_trait]
impl AccountStore for SqliteStore {
    async fn create_account(
        &self,
        identity: &Identity,
        profile: &Profile,
    ) -> Result<(), UniqueWriteError> {
        let identity = identity.clone();
        let profile = profile.clone();
        // `false`: the address is taken (the transaction rolls back unwritten).
        let created = self.with(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(StoreError::unavailable)?;
            let inserted = tx.execute(
                "INSERT INTO identities (email, account_id, version, purge_at, body) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    identity.email.as_str(),
                    identity.account_id.as_str(),
                    identity.version as i64,
                    identity.purge_at.map(|t| t.0),
                    to_json(&identity)?
                ],
            );
            match inserted {
                Err(e) if is_unique_violation(&e) => return Ok(false),
                Err(e) => return Err(StoreError::unavailable(e)),
                Ok(_) => {}
            }
            tx.execute(
                "INSERT INTO profiles (account_id, purge_at, body) VALUES (?1, ?2, ?3)",
                params![profile.account_id.as_str(), profile.purge_at.map(|t| t.0), to_json(&profile)?],
            )
            .map_err(StoreError::unavailable)?;
            tx.commit().map_err(StoreError::unavailable)?;
            Ok(true)
        })
        .await?;
        match created {
            true => Ok(()),
            false => Err(UniqueWriteError::Taken),
        }
    }

    async fn move_email(
        &self,
        identity: &Identity,
        moved: &Identity,
        event: &tessera_kernel::audit::AuditEvent,
    ) -> Result<(), UniqueWriteError> {
        let (identity, moved, event) = (identity.clone(), moved.clone(), event.clone());
        let done = self.with(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(StoreError::unavailable)?;
            delete_identity_versioned(&tx, &identity)?;
            let mut next = moved.clone();
            next.version = identity.version + 1;
            let inserted = tx.execute(
                "INSERT INTO identities (email, account_id, version, purge_at, body) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![next.email.as_str(), next.account_id.as_str(), next.version as i64, next.purge_at.map(|t| t.0), to_json(&next)?],
            );
            match inserted {
                Err(e) if is_unique_violation(&e) => return Ok(false),
                Err(e) => return Err(StoreError::unavailable(e)),
                Ok(_) => {}
            }
            tx.execute(
                "UPDATE profiles SET body = json_set(body, '$.email', ?1) WHERE account_id = ?2",
                params![next.email.as_str(), next.account_id.as_str()],
            )
            .map_err(StoreError::unavailable)?;
            crate::audit::insert_event(&tx, &event)?;
            tx.commit().map_err(StoreError::unavailable)?;
            Ok(true)
        })
        .await?;
        match done {
            true => Ok(()),
            false => Err(UniqueWriteError::Taken),
        }
    }

    async fn identity(&self, email: &Email) -> Result<Option<Identity>, StoreError> {
        let email = email.as_str().to_string();
        self.with(move |conn| {
            let body: Option<String> = conn
                .query_row(
                    "SELECT body FROM identities WHERE email = ?1",
                    [email],
                    |r| r.get(0),
                )
                .optional()
                .map_err(StoreError::unavailable)?;
            body.as_deref().map(from_json).transpose()
        })
        .await
    }

    async fn update_identity(&self, identity: &Identity) -> Result<(), StoreError> {
        let identity = identity.clone();
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::unavailable)?;
            replace_identity(&tx, &identity)?;
            tx.commit().map_err(StoreError::unavailable)
        })
        .await
    }

    async fn replace_registration(
        &self,
        identity: &Identity,
        profile: &Profile,
    ) -> Result<(), StoreError> {
        let identity = identity.clone();
        let profile = profile.clone();
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::unavailable)?;
            replace_identity(&tx, &identity)?;
            let changed = tx
                .execute(
                    "UPDATE profiles SET purge_at = ?1, body = ?2 WHERE account_id = ?3",
                    params![
                        profile.purge_at.map(|t| t.0),
                        to_json(&profile)?,
                        profile.account_id.as_str()
                    ],
                )
                .map_err(StoreError::unavailable)?;
            if changed != 1 {
                return Err(StoreError::Conflict);
            }
            tx.commit().map_err(StoreError::unavailable)
        })
        .await
    }

    async fn activate(
        &self,
        identity: &Identity,
        username: &Username,
    ) -> Result<(), UniqueWriteError> {
        let identity = identity.clone();
        let username = username.clone();
        // `false`: the login ID is taken (the transaction rolls back unwritten).
        let activated = self
            .with(move |conn| {
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(StoreError::unavailable)?;
                replace_identity(&tx, &identity)?;
                match tx.execute(
                    "INSERT INTO usernames (username, account_id) VALUES (?1, ?2)",
                    params![username.as_str(), identity.account_id.as_str()],
                ) {
                    Err(e) if is_unique_violation(&e) => return Ok(false),
                    Err(e) => return Err(StoreError::unavailable(e)),
                    Ok(_) => {}
                }
                let body: String = tx
                    .query_row(
                        "SELECT body FROM profiles WHERE account_id = ?1",
                        [identity.account_id.as_str()],
                        |r| r.get(0),
                    )
                    .map_err(StoreError::unavailable)?;
                let mut profile: Profile = from_json(&body)?;
                profile.username = Some(username.clone());
                profile.purge_at = identity.purge_at;
                tx.execute(
                    "UPDATE profiles SET purge_at = ?1, body = ?2 WHERE account_id = ?3",
                    params![
                        profile.purge_at.map(|t| t.0),
                        to_json(&profile)?,
                        profile.account_id.as_str()
                    ],
                )
                .map_err(StoreError::unavailable)?;
                // Dropping `tx` on any early return above rolls everything back.
                tx.commit().map_err(StoreError::unavailable)?;
                Ok(true)
            })
            .await?;
        match activated {
            true => Ok(()),
            false => Err(UniqueWriteError::Taken),
        }
    }

    async fn save_sign_in(
        &self,
        identity: &Identity,
        clear_login_failures: bool,
        audit: Option<&tessera_kernel::audit::AuditEvent>,
    ) -> Result<(), StoreError> {
        let identity = identity.clone();
        let audit = audit.cloned();
        self.with(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(StoreError::unavailable)?;
            replace_identity(&tx, &identity)?;
            tx.execute(
                "UPDATE profiles SET body = json_set(body, '$.session_epoch', ?1, '$.federated', json(?3))
                 WHERE account_id = ?2",
                params![
                    identity.session_epoch as i64,
                    identity.account_id.as_str(),
                    if identity.federated { "true" } else { "false" }
                ],
            )
            .map_err(StoreError::unavailable)?;
            if clear_login_failures {
                tx.execute("DELETE FROM login_throttles WHERE email = ?1", [identity.email.as_str()])
                    .map_err(StoreError::unavailable)?;
            }
            if let Some(event) = &audit {
                crate::audit::insert_event(&tx, event)?;
            }
            tx.commit().map_err(StoreError::unavailable)
        })
        .await
    }

    async fn edit_profile(
        &self,
        account_id: &AccountId,
        edit: &ProfileEdit,
    ) -> Result<Option<Profile>, StoreError> {
        let id = account_id.as_str().to_string();
        let edit = edit.clone();
        self.with(move |conn| {
            // Read and write inside one write transaction: nothing (a new session epoch included)
            // can land in between and be overwritten.
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::unavailable)?;
            let Some(mut profile): Option<Profile> =
                optional_body(&tx, "SELECT body FROM profiles WHERE account_id = ?1", &id)?
            else {
                return Ok(None);
            };
            edit.apply_to(&mut profile);
            tx.execute(
                "UPDATE profiles SET body = ?1 WHERE account_id = ?2",
                params![to_json(&profile)?, id],
            )
            .map_err(StoreError::unavailable)?;
            tx.commit().map_err(StoreError::unavailable)?;
            Ok(Some(profile))
        })
        .await
    }

    async fn set_communication(
        &self,
        account_id: &AccountId,
        settings: CommunicationSettings,
    ) -> Result<(), StoreError> {
        let id = account_id.as_str().to_string();
        self.with(move |conn| {
            conn.execute(
                "UPDATE profiles SET body = json_set(body, '$.communication', json(?1)) WHERE account_id = ?2",
                params![to_json(&settings)?, id],
            )
            .map(|_| ())
            .map_err(StoreError::unavailable)
        })
        .await
    }

    async fn set_roles(
        &self,
        account_id: &AccountId,
        expected: &Roles,
        roles: &Roles,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let (id, expected, roles, event) = (
            account_id.as_str().to_string(),
            expected.clone(),
            roles.clone(),
            event.clone(),
        );
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::unavailable)?;
            let body: Option<String> = tx
                .query_row(
                    "SELECT body FROM profiles WHERE account_id = ?1",
                    [&id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(StoreError::unavailable)?;
            let mut profile: Profile = match body {
                Some(body) => from_json(&body)?,
                None => return Err(StoreError::Conflict),
            };
            if profile.roles != expected {
                return Err(StoreError::Conflict);
            }
            profile.roles = roles;
            tx.execute(
                "UPDATE profiles SET body = ?1 WHERE account_id = ?2",
                params![to_json(&profile)?, id],
            )
            .map_err(StoreError::unavailable)?;
            crate::audit::insert_event(&tx, &event)?;
            tx.commit().map_err(StoreError::unavailable)
        })
        .await
    }

    async fn profile(&self, account_id: &AccountId) -> Result<Option<Profile>, StoreError> {
        let id = account_id.as_str().to_string();
        self.with(move |conn| {
            let body: Option<String> = conn
                .query_row(
                    "SELECT body FROM profiles WHERE account_id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(StoreError::unavailable)?;
            body.as_deref().map(from_json).transpose()
        })
        .await
    }

    async fn federated_domain(&self, domain: &str) -> Result<bool, StoreError> {
        let domain = domain.to_string();
        self.with(move |conn| {
            conn.query_row(
                "SELECT 1 FROM federation_domains WHERE domain = ?1",
                [domain],
                |_| Ok(()),
            )
            .optional()
            .map(|found| found.is_some())
            .map_err(StoreError::unavailable)
        })
        .await
    }

    async fn account_by_username(
        &self,
        username: &Username,
    ) -> Result<Option<AccountId>, StoreError> {
        let username = username.as_str().to_string();
        self.with(move |conn| {
            conn.query_row(
                "SELECT account_id FROM usernames WHERE username = ?1",
                [username],
                |r| r.get(0),
            )
            .optional()
            .map(|id: Option<String>| id.map(AccountId::from_stored))
            .map_err(StoreError::unavailable)
        })
        .await
    }

    async fn purgeable_accounts(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<Identity>, StoreError> {
        self.with(move |conn| {
            bodies(
                conn,
                "SELECT body FROM identities WHERE purge_at IS NOT NULL AND purge_at <= ?1
                 ORDER BY purge_at LIMIT ?2",
                params![now.0, limit as i64],
            )
        })
        .await
    }

    async fn purge_account(&self, identity: &Identity) -> Result<bool, StoreError> {
        let identity = identity.clone();
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::unavailable)?;
            let deleted = tx
                .execute(
                    "DELETE FROM identities WHERE email = ?1 AND version = ?2
                       AND json_extract(body, '$.status') = 'pending'",
                    params![identity.email.as_str(), identity.version as i64],
                )
                .map_err(StoreError::unavailable)?;
            if deleted == 0 {
                return Ok(false);
            }
            tx.execute(
                "DELETE FROM profiles WHERE account_id = ?1",
                [identity.account_id.as_str()],
            )
            .map_err(StoreError::unavailable)?;
            tx.commit().map_err(StoreError::unavailable)?;
            Ok(true)
        })
        .await
    }

    async fn erase_account(
        &self,
        identity: &Identity,
        tombstone: &tessera_kernel::audit::AuditEvent,
    ) -> Result<(), StoreError> {
        let (identity, tombstone) = (identity.clone(), tombstone.clone());
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::unavailable)?;
            delete_identity_versioned(&tx, &identity)?;
            let account = identity.account_id.as_str();
            for (sql, key) in [
                ("DELETE FROM profiles WHERE account_id = ?1", account),
                ("DELETE FROM usernames WHERE account_id = ?1", account),
                (
                    "DELETE FROM login_throttles WHERE email = ?1",
                    identity.email.as_str(),
                ),
            ] {
                tx.execute(sql, [key]).map_err(StoreError::unavailable)?;
            }
            // What other contexts keep under the account, when this build has their tables.
            #[cfg(feature = "access")]
            tx.execute(
                "DELETE FROM access_records WHERE account_id = ?1",
                [account],
            )
            .map_err(StoreError::unavailable)?;
            #[cfg(feature = "oidc")]
            tx.execute("DELETE FROM oidc_consents WHERE account_id = ?1", [account])
                .map_err(StoreError::unavailable)?;
            crate::audit::insert_event(&tx, &tombstone)?;
            tx.commit().map_err(StoreError::unavailable)
        })
        .await
    }
}

/// Deletes the identity if its stored version is still `identity.version`; `Conflict` otherwise.
fn delete_identity_versioned(conn: &Connection, identity: &Identity) -> Result<(), StoreError> {
    let deleted = conn
        .execute(
            "DELETE FROM identities WHERE email = ?1 AND version = ?2",
            params![identity.email.as_str(), identity.version as i64],
        )
        .map_err(StoreError::unavailable)?;
    if deleted == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

/// The JSON bodies `sql` selects (its first column), each read as a `T`.
pub(crate) fn bodies<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<T>, StoreError> {
    let mut statement = conn.prepare_cached(sql).map_err(StoreError::unavailable)?;
    let rows = statement
        .query_map(params, |r| r.get::<_, String>(0))
        .map_err(StoreError::unavailable)?;
    rows.map(|body| from_json(&body.map_err(StoreError::unavailable)?))
        .collect()
}

pub(crate) fn optional_body<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    key: &str,
) -> Result<Option<T>, StoreError> {
    let body: Option<String> = conn
        .query_row(sql, [key], |r| r.get(0))
        .optional()
        .map_err(StoreError::unavailable)?;
    body.as_deref().map(from_json).transpose()
}

/// The `login_throttles` row of a key: the canonical address itself, or `username:<login ID>`
/// (an address always has an `@`, a login ID never, so the two cannot meet).
fn throttle_row(key: &ThrottleKey) -> String {
    match key {
        ThrottleKey::Email(email) => email.as_str().to_string(),
        ThrottleKey::UnknownUsername(username) => format!("username:{}", username.as_str()),
    }
}

fn read_throttle(conn: &Connection, row: &str) -> Result<LoginThrottle, StoreError> {
    conn.prepare_cached(
        "SELECT failures, last_failure_at, failed FROM login_throttles WHERE email = ?1",
    )
    .and_then(|mut s| s.query_row([row], throttle_from_row).optional())
    .map(Option::unwrap_or_default)
    .map_err(StoreError::unavailable)
}

fn throttle_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<LoginThrottle> {
    Ok(LoginThrottle {
        failures: r.get(0)?,
        last_failure_at: Timestamp(r.get(1)?),
        failed: r.get(2)?,
    })
}

fn delete_throttle(conn: &Connection, row: &str) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM login_throttles WHERE email = ?1")
        .and_then(|mut s| s.execute([row]))
        .map(|_| ())
        .map_err(StoreError::unavailable)
}

#[async_trait]
impl LoginStore for SqliteStore {
    async fn begin_login(
        &self,
        key: &ThrottleKey,
        now: Timestamp,
        settings: &ThrottleSettings,
    ) -> Result<LoginStart, StoreError> {
        let row = throttle_row(key);
        let email = match key {
            ThrottleKey::Email(email) => Some(email.as_str().to_string()),
            ThrottleKey::UnknownUsername(_) => None,
        };
        let settings = *settings;
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::unavailable)?;
            let after = match read_throttle(&tx, &row)?.begin_attempt(now, &settings) {
                Ok(after) => after,
                Err(retry_at) => return Ok(LoginStart::Wait { retry_at }),
            };
            tx.prepare_cached(
                "INSERT INTO login_throttles (email, failures, last_failure_at, failed)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (email) DO UPDATE SET failures = excluded.failures,
                     last_failure_at = excluded.last_failure_at, failed = excluded.failed",
            )
            .and_then(|mut s| {
                s.execute(params![
                    row,
                    after.failures,
                    after.last_failure_at.0,
                    after.failed
                ])
            })
            .map_err(StoreError::unavailable)?;
            let identity = match &email {
                Some(email) => {
                    optional_body(&tx, "SELECT body FROM identities WHERE email = ?1", email)?
                }
                None => None,
            };
            tx.commit().map_err(StoreError::unavailable)?;
            Ok(LoginStart::Attempt {
                identity: identity.map(Box::new),
                throttle: after,
            })
        })
        .await
    }

    async fn login_throttle(&self, key: &ThrottleKey) -> Result<LoginThrottle, StoreError> {
        let row = throttle_row(key);
        self.with(move |conn| read_throttle(conn, &row)).await
    }

    async fn clear_login_failures(&self, key: &ThrottleKey) -> Result<(), StoreError> {
        let row = throttle_row(key);
        self.with(move |conn| delete_throttle(conn, &row)).await
    }

    async fn mark_login_failed(&self, key: &ThrottleKey) -> Result<(), StoreError> {
        let row = throttle_row(key);
        self.with(move |conn| {
            conn.prepare_cached("UPDATE login_throttles SET failed = 1 WHERE email = ?1")
                .and_then(|mut s| s.execute([&row]))
                .map(|_| ())
                .map_err(StoreError::unavailable)
        })
        .await
    }

    async fn record_login_failure(
        &self,
        email: &Email,
        now: Timestamp,
    ) -> Result<LoginThrottle, StoreError> {
        let email = email.as_str().to_string();
        self.with(move |conn| {
            conn.query_row(
                "INSERT INTO login_throttles (email, failures, last_failure_at, failed) VALUES (?1, 1, ?2, 1)
                 ON CONFLICT (email) DO UPDATE SET failures = failures + 1,
                     last_failure_at = excluded.last_failure_at, failed = 1
                 RETURNING failures, last_failure_at, failed",
                params![email, now.0],
                throttle_from_row,
            )
            .map_err(StoreError::unavailable)
        })
        .await
    }

    async fn identity_and_throttle(
        &self,
        email: &Email,
    ) -> Result<(Option<Identity>, LoginThrottle), StoreError> {
        let email = email.as_str().to_string();
        self.with(move |conn| {
            let tx = conn.transaction().map_err(StoreError::unavailable)?;
            let body: Option<String> = tx
                .prepare_cached("SELECT body FROM identities WHERE email = ?1")
                .and_then(|mut s| s.query_row([&email], |r| r.get(0)).optional())
                .map_err(StoreError::unavailable)?;
            let identity = body.as_deref().map(from_json).transpose()?;
            let throttle = read_throttle(&tx, &email)?;
            Ok((identity, throttle))
        })
        .await
    }

    async fn start_session(
        &self,
        session: &Session,
        email: &Email,
        clear_throttle: bool,
    ) -> Result<(), StoreError> {
        let session = session.clone();
        let email = email.as_str().to_string();
        self.with(move |conn| {
            let body = to_json(&session)?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(StoreError::unavailable)?;
            tx.prepare_cached(
                "INSERT INTO sessions (token_digest, account_id, expires_at, body) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut s| s.execute(params![session.token_digest, session.account_id.as_str(), session.expires_at.0, body]))
            .map_err(StoreError::unavailable)?;
            if clear_throttle {
                delete_throttle(&tx, &email)?;
            }
            tx.commit().map_err(StoreError::unavailable)
        })
        .await
    }
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn session_and_profile(
        &self,
        token_digest: &str,
        account_id: &AccountId,
    ) -> Result<(Option<Session>, Option<Profile>), StoreError> {
        let digest = token_digest.to_string();
        let id = account_id.as_str().to_string();
        self.with(move |conn| {
            let tx = conn.transaction().map_err(StoreError::unavailable)?;
            let session = optional_body(
                &tx,
                "SELECT body FROM sessions WHERE token_digest = ?1",
                &digest,
            )?;
            let profile =
                optional_body(&tx, "SELECT body FROM profiles WHERE account_id = ?1", &id)?;
            Ok((session, profile))
        })
        .await
    }

    async fn touch_session(
        &self,
        token_digest: &str,
        last_seen_at: Timestamp,
    ) -> Result<(), StoreError> {
        let digest = token_digest.to_string();
        self.with(move |conn| {
            conn.execute(
                "UPDATE sessions SET body = json_set(body, '$.last_seen_at', ?1) WHERE token_digest = ?2",
                params![last_seen_at.0, digest],
            )
            .map(|_| ())
            .map_err(StoreError::unavailable)
        })
        .await
    }

    async fn end_session(&self, token_digest: &str) -> Result<(), StoreError> {
        let digest = token_digest.to_string();
        self.with(move |conn| {
            conn.execute("DELETE FROM sessions WHERE token_digest = ?1", [digest])
                .map(|_| ())
                .map_err(StoreError::unavailable)
        })
        .await
    }
}

#[async_trait]
impl UnsentMessages for SqliteStore {
    async fn keep(&self, unsent: &UnsentMessage) -> Result<(), StoreError> {
        let (id, attempts, due, body) = (
            unsent.id.clone(),
            unsent.attempts,
            unsent.next_attempt_at.0,
            to_json(unsent)?,
        );
        self.with(move |conn| {
            conn.execute(
                "INSERT INTO unsent_messages (id, attempts, next_attempt_at, body) VALUES (?1, ?2, ?3, ?4)",
                params![id, attempts, due, body],
            )
            .map(|_| ())
            .map_err(StoreError::unavailable)
        })
        .await
    }

    async fn due(&self, now: Timestamp, limit: usize) -> Result<Vec<UnsentMessage>, StoreError> {
        self.with(move |conn| {
            bodies(
                conn,
                "SELECT body FROM unsent_messages WHERE next_attempt_at <= ?1 \
                 ORDER BY next_attempt_at, id LIMIT ?2",
                params![now.0, limit as i64],
            )
        })
        .await
    }

    async fn claim(
        &self,
        unsent: &UnsentMessage,
        previous_attempts: u32,
    ) -> Result<(), StoreError> {
        let (id, attempts, due, body) = (
            unsent.id.clone(),
            unsent.attempts,
            unsent.next_attempt_at.0,
            to_json(unsent)?,
        );
        let changed = self
            .with(move |conn| {
                conn.execute(
                    "UPDATE unsent_messages SET attempts = ?1, next_attempt_at = ?2, body = ?3 \
                     WHERE id = ?4 AND attempts = ?5",
                    params![attempts, due, body, id, previous_attempts],
                )
                .map_err(StoreError::unavailable)
            })
            .await?;
        if changed == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict)
        }
    }

    async fn remove(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_string();
        self.with(move |conn| {
            conn.execute("DELETE FROM unsent_messages WHERE id = ?1", [id])
                .map(|_| ())
                .map_err(StoreError::unavailable)
        })
        .await
    }

    async fn discard_to(&self, addresses: &[String]) -> Result<usize, StoreError> {
        let addresses = addresses.to_vec();
        self.with(move |conn| {
            let mut discarded = 0;
            for address in &addresses {
                discarded += conn
                    .execute(
                        "DELETE FROM unsent_messages WHERE json_extract(body, '$.message.to') = ?1",
                        [address],
                    )
                    .map_err(StoreError::unavailable)?;
            }
            Ok(discarded)
        })
        .await
    }
}

/// The embedded database's file in a store directory (`TESSERA_LOCAL_DIR`).
pub fn database_file(dir: &Path) -> std::path::PathBuf {
    dir.join("tessera.sqlite3")
}

/// Copies the database at `database` to a new file `to`, consistent while other processes write
/// (SQLite's `VACUUM INTO`: one transaction's view, compacted). Refuses to overwrite `to`.
pub fn backup(database: &Path, to: &Path) -> Result<(), StoreError> {
    if to.exists() {
        return Err(StoreError::Unavailable(
            format!("{} exists already: name a new file", to.display()).into(),
        ));
    }
    let conn = Connection::open(database).map_err(StoreError::unavailable)?;
    conn.execute("VACUUM INTO ?1", [to.to_string_lossy()])
        .map_err(StoreError::unavailable)?;
    Ok(())
}

/// Puts the backup `from` in place of the database at `database` (nothing may have it open:
/// stop `make dev` first). The old file's write-ahead log goes with it, so nothing of the old
/// database outlives the restore. `from` is checked to be a Tessera database first.
pub fn restore(from: &Path, database: &Path) -> Result<(), StoreError> {
    let check = Connection::open_with_flags(from, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(StoreError::unavailable)?;
    let tables: i64 = check
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'identities'",
            [],
            |r| r.get(0),
        )
        .map_err(StoreError::unavailable)?;
    drop(check);
    if tables != 1 {
        return Err(StoreError::Unavailable(
            format!("{} is not a Tessera database", from.display()).into(),
        ));
    }
    for suffix in ["-wal", "-shm"] {
        let side = database.with_file_name(format!(
            "{}{suffix}",
            database.file_name().unwrap_or_default().to_string_lossy()
        ));
        if side.exists() {
            std::fs::remove_file(&side).map_err(StoreError::unavailable)?;
        }
    }
    std::fs::copy(from, database).map_err(StoreError::unavailable)?;
    Ok(())
}
