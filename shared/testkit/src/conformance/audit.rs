//! `AuditLog`: append-only, read newest first by actor, subject and time, in pages.

use super::*;
use tessera_kernel::audit::{
    AuditEvent, AuditId, AuditLog, AuditParty, AuditQuery, FieldChange, Reason,
};
use tessera_kernel::ports::Random;

pub(super) fn event(random: &dyn Random, at: i64, actor: &str, subject: &str) -> AuditEvent {
    AuditEvent {
        id: AuditId::new(Timestamp(at), random),
        at: Timestamp(at),
        actor: AuditParty::new("account", actor),
        action: "account.unlock".into(),
        subject: AuditParty::new("account", subject),
        reason: Reason::parse(&format!("case {at}")).unwrap(),
        changes: vec![FieldChange::new(
            "locked",
            Some("true".into()),
            Some("false".into()),
        )],
    }
}

fn ids(events: &[AuditEvent]) -> Vec<i64> {
    events.iter().map(|e| e.at.0).collect()
}

/// Events come back whole and newest first; by actor, by subject, by both, since a time; in
/// pages that neither skip nor repeat; an id is never appended twice.
pub async fn audit_events_are_appended_once_and_read_newest_first(
    log: &dyn AuditLog,
    random: &dyn Random,
) {
    let events = [
        event(random, 1_000, "staff-1", "holder-1"),
        event(random, 1_001, "staff-2", "holder-1"),
        event(random, 1_002, "staff-1", "holder-2"),
        event(random, 1_003, "staff-1", "holder-1"),
        event(random, 1_004, "staff-2", "holder-2"),
    ];
    for e in &events {
        log.append(e).await.unwrap();
    }
    let all = |limit| AuditQuery {
        limit,
        ..AuditQuery::default()
    };
    let page = log.query(&all(10)).await.unwrap();
    assert_eq!(ids(&page.events), [1_004, 1_003, 1_002, 1_001, 1_000]);
    assert_eq!(page.events[4], events[0], "read back whole");
    assert_eq!(page.next, None);

    let by_actor = AuditQuery {
        actor: Some(AuditParty::new("account", "staff-1")),
        ..all(10)
    };
    assert_eq!(
        ids(&log.query(&by_actor).await.unwrap().events),
        [1_003, 1_002, 1_000]
    );
    let by_subject = AuditQuery {
        subject: Some(AuditParty::new("account", "holder-1")),
        ..all(10)
    };
    assert_eq!(
        ids(&log.query(&by_subject).await.unwrap().events),
        [1_003, 1_001, 1_000]
    );
    let by_both = AuditQuery {
        actor: Some(AuditParty::new("account", "staff-1")),
        subject: Some(AuditParty::new("account", "holder-1")),
        ..all(10)
    };
    assert_eq!(
        ids(&log.query(&by_both).await.unwrap().events),
        [1_003, 1_000]
    );
    let since = AuditQuery {
        since: Some(Timestamp(1_002)),
        ..all(10)
    };
    assert_eq!(
        ids(&log.query(&since).await.unwrap().events),
        [1_004, 1_003, 1_002]
    );

    // Pages of two: every event once, in order.
    let mut seen = Vec::new();
    let mut query = all(2);
    loop {
        let page = log.query(&query).await.unwrap();
        assert!(page.events.len() <= 2);
        seen.extend(ids(&page.events));
        match page.next {
            Some(next) => query.before = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, [1_004, 1_003, 1_002, 1_001, 1_000]);
    // A filtered page the same way.
    let first = log
        .query(&AuditQuery {
            limit: 1,
            ..by_both.clone()
        })
        .await
        .unwrap();
    assert_eq!(ids(&first.events), [1_003]);
    let second = log
        .query(&AuditQuery {
            limit: 1,
            before: first.next.clone(),
            ..by_both.clone()
        })
        .await
        .unwrap();
    assert_eq!(ids(&second.events), [1_000]);
    assert_eq!(second.next, None);

    let again = AuditEvent {
        reason: Reason::parse("rewritten").unwrap(),
        ..events[2].clone()
    };
    assert!(
        matches!(log.append(&again).await, Err(StoreError::Conflict)),
        "an event is never replaced"
    );
    let page = log.query(&all(10)).await.unwrap();
    assert_eq!(page.events[2], events[2]);
}

/// A staff write and its audit event land together or not at all: roles are set only against
/// the roles read, and a lost race leaves no event behind.
pub async fn roles_are_set_with_their_audit_event_or_not_at_all(
    store: &dyn tessera_identity::ports::AccountStore,
    log: &dyn AuditLog,
    random: &dyn Random,
) {
    use tessera_identity::staff::{Role, Roles};
    let (identity, profile) = pending_account("staff@example.com", "acct-staff");
    store.create_account(&identity, &profile).await.unwrap();
    let account = &profile.account_id;
    let none = Roles::new();
    let support: Roles = [Role::Support].into();
    let auditor: Roles = [Role::Auditor].into();
    let granted = event(random, 2_000, "admin", account.as_str());
    store
        .set_roles(account, &none, &support, &granted)
        .await
        .unwrap();
    let stale = event(random, 2_001, "admin", account.as_str());
    assert!(
        matches!(
            store.set_roles(account, &none, &auditor, &stale).await,
            Err(StoreError::Conflict)
        ),
        "the roles changed since they were read"
    );
    let read = store.profile(account).await.unwrap().unwrap();
    assert_eq!(read.roles, support);
    let revoked = event(random, 2_002, "admin", account.as_str());
    store
        .set_roles(account, &support, &none, &revoked)
        .await
        .unwrap();
    assert!(store
        .profile(account)
        .await
        .unwrap()
        .unwrap()
        .roles
        .is_empty());
    let logged = log
        .query(&AuditQuery {
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        ids(&logged.events),
        [2_002, 2_000],
        "no event of the lost write"
    );
    let gone = event(random, 2_003, "admin", "nobody");
    assert!(matches!(
        store
            .set_roles(
                &AccountId::from_stored("nobody".into()),
                &none,
                &support,
                &gone
            )
            .await,
        Err(StoreError::Conflict)
    ));
}
