//! `AttemptLedger`: attempts taken atomically, batches whole or not at all.

use super::*;

/// The attempt ledger: 20 parallel takes from an allowance of 5 get exactly 5; the rest are
/// refused until the window ends, when a new window opens; a give-back frees one attempt; keys
/// are independent.
pub async fn attempts_are_taken_atomically(ledger: Arc<dyn AttemptLedger>) {
    let key = AttemptKey::candidate_record("conformance-record");
    let allowance = Allowance {
        max: 5,
        window: Seconds(600),
    };
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (ledger, key) = (ledger.clone(), key.clone());
            tokio::spawn(async move { ledger.take_attempt(&key, allowance, Timestamp(1000)).await })
        })
        .collect();
    let mut counts = Vec::new();
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap().unwrap() {
            Take::Taken { count } => counts.push(count),
            Take::Refused { retry_at } => {
                assert_eq!(retry_at, Timestamp(1600));
                refused += 1;
            }
        }
    }
    counts.sort();
    assert_eq!((counts, refused), (vec![1, 2, 3, 4, 5], 15));
    ledger.give_back_attempt(&key).await.unwrap();
    assert_eq!(
        ledger
            .take_attempt(&key, allowance, Timestamp(1599))
            .await
            .unwrap(),
        Take::Taken { count: 5 }
    );
    assert_eq!(
        ledger
            .take_attempt(&key, allowance, Timestamp(1599))
            .await
            .unwrap(),
        Take::Refused {
            retry_at: Timestamp(1600)
        }
    );
    assert_eq!(
        ledger
            .take_attempt(&key, allowance, Timestamp(1600))
            .await
            .unwrap(),
        Take::Taken { count: 1 },
        "a new window"
    );
    let other = AttemptKey::sms_number("+33600000000");
    assert_eq!(
        ledger
            .take_attempt(&other, allowance, Timestamp(1600))
            .await
            .unwrap(),
        Take::Taken { count: 1 }
    );
    // Giving back never goes below zero, nor creates anything.
    let unused = AttemptKey::candidate_record("never-taken");
    ledger.give_back_attempt(&unused).await.unwrap();
    ledger.give_back_attempt(&other).await.unwrap();
    ledger.give_back_attempt(&other).await.unwrap();
    assert_eq!(
        ledger
            .take_attempt(&other, allowance, Timestamp(1601))
            .await
            .unwrap(),
        Take::Taken { count: 1 }
    );
    // A forgotten key starts afresh within its window; forgetting an unknown key is nothing.
    ledger
        .take_attempt(&other, allowance, Timestamp(1602))
        .await
        .unwrap();
    ledger.forget(&other).await.unwrap();
    ledger.forget(&unused).await.unwrap();
    assert_eq!(
        ledger
            .take_attempt(&other, allowance, Timestamp(1603))
            .await
            .unwrap(),
        Take::Taken { count: 1 }
    );
}

/// Batches of attempts are taken whole or not at all: twenty parallel batches of 3 from an
/// allowance of 10 get three batches (nine), never a part of a fourth; one more single attempt
/// fits, then nothing until the window ends, when a batch opens the new window.
pub async fn batches_are_taken_whole_or_not_at_all(ledger: Arc<dyn AttemptLedger>) {
    let key = AttemptKey::client("login", "192.0.2.44");
    let allowance = Allowance {
        max: 10,
        window: Seconds(600),
    };
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (ledger, key) = (ledger.clone(), key.clone());
            tokio::spawn(async move {
                ledger
                    .take_attempts(&key, 3, allowance, Timestamp(1000))
                    .await
            })
        })
        .collect();
    let mut counts = Vec::new();
    for t in tasks {
        if let Take::Taken { count } = t.await.unwrap().unwrap() {
            counts.push(count);
        }
    }
    counts.sort();
    assert_eq!(counts, vec![3, 6, 9]);
    let take = |n: u32, at: i64| {
        let (ledger, key) = (ledger.clone(), key.clone());
        async move {
            ledger
                .take_attempts(&key, n, allowance, Timestamp(at))
                .await
                .unwrap()
        }
    };
    assert_eq!(
        take(3, 1001).await,
        Take::Refused {
            retry_at: Timestamp(1600)
        }
    );
    assert_eq!(take(1, 1001).await, Take::Taken { count: 10 });
    assert!(matches!(take(1, 1599).await, Take::Refused { .. }));
    assert_eq!(
        take(3, 1600).await,
        Take::Taken { count: 3 },
        "a new window"
    );
    assert!(
        matches!(take(11, 1601).await, Take::Refused { .. }),
        "more than the allowance never fits"
    );
}
