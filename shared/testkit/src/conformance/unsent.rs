//! `UnsentMessages`: found by due time, claimed once.

use super::*;

fn unsent(id: &str, due: i64) -> UnsentMessage {
    UnsentMessage {
        id: id.to_string(),
        message: OutgoingMessage {
            channel: Channel::Email,
            to: format!("{id}@example.com"),
            subject: Some("Subject".into()),
            text: "text".into(),
            html: Some("<p>html</p>".into()),
        },
        attempts: 1,
        next_attempt_at: Timestamp(due),
        discard_after: Timestamp(due + 86_400),
        created_at: Timestamp(due - 60),
    }
}

/// Unsent messages come back by due time, earliest first and at most `limit`; a claim holds
/// only against the attempt count it read; a removed message is gone.
pub async fn unsent_messages_are_found_by_due_time_and_claimed_once(store: &dyn UnsentMessages) {
    let (a, b, c) = (
        unsent("a1", 100_000),
        unsent("b2", 100_010),
        unsent("c3", 150_000),
    );
    for u in [&c, &a, &b] {
        store.keep(u).await.unwrap();
    }
    assert!(store.due(Timestamp(99_999), 10).await.unwrap().is_empty());
    assert_eq!(
        store.due(Timestamp(100_005), 10).await.unwrap(),
        vec![a.clone()]
    );
    assert_eq!(
        ids(&store.due(Timestamp(100_010), 10).await.unwrap()),
        ["a1", "b2"]
    );
    assert_eq!(
        ids(&store.due(Timestamp(100_010), 1).await.unwrap()),
        ["a1"]
    );

    let claimed = UnsentMessage {
        attempts: 2,
        next_attempt_at: Timestamp(200_000),
        ..a.clone()
    };
    store.claim(&claimed, 1).await.unwrap();
    assert!(
        matches!(store.claim(&claimed, 1).await, Err(StoreError::Conflict)),
        "a second claim on the same attempt count loses"
    );
    assert_eq!(
        ids(&store.due(Timestamp(100_010), 10).await.unwrap()),
        ["b2"]
    );
    assert_eq!(
        store.due(Timestamp(200_000), 10).await.unwrap(),
        vec![b.clone(), c.clone(), claimed.clone()]
    );

    store.remove("b2").await.unwrap();
    assert_eq!(
        ids(&store.due(Timestamp(200_000), 10).await.unwrap()),
        ["c3", "a1"]
    );
    assert!(
        matches!(
            store.claim(&UnsentMessage { attempts: 2, ..b }, 1).await,
            Err(StoreError::Conflict)
        ),
        "a removed message cannot be claimed back"
    );

    // Discarding by address: every kept message to it, due or not, and no other.
    let later = unsent("d4", 900_000);
    let to_c = UnsentMessage {
        id: "e5".into(),
        ..unsent("c3", 100_000)
    };
    store.keep(&later).await.unwrap();
    store.keep(&to_c).await.unwrap();
    let addresses = ["c3@example.com".to_string(), "d4@example.com".to_string()];
    assert_eq!(store.discard_to(&addresses).await.unwrap(), 3);
    assert_eq!(
        ids(&store.due(Timestamp(1_000_000), 10).await.unwrap()),
        ["a1"]
    );
    assert_eq!(store.discard_to(&addresses).await.unwrap(), 0);
}
