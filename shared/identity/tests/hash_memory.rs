//! Memory must not grow with the number of password hashes. Its own test binary (one test, one
//! process), so the resident set it reads is the hasher's alone.
//!
//! The hash before this check allocated its 19 MiB of working memory per call on tokio's blocking
//! threads; the allocator kept the freed blocks, and a process grew by about a gigabyte over the
//! first fifty logins. Real parameters, bursts of concurrent hashes as well as single ones.

use tessera_identity::password::{HashParams, PasswordHasher};
use tessera_identity::Password;

fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmRSS in /proc/self/status")
}

/// One sequential verification, then a burst of four at once (more than the machine has cores).
async fn round(hasher: &PasswordHasher, password: &Password, n: u8) {
    let stored = hasher.hash(password, [n; 16]).await.unwrap();
    assert!(hasher.verify(password, &stored).await.unwrap());
    let burst: Vec<_> = (0..4)
        .map(|_| {
            let (hasher, password, stored) = (hasher.clone(), password.clone(), stored.clone());
            tokio::spawn(async move { hasher.verify(&password, &stored).await.unwrap() })
        })
        .collect();
    for task in burst {
        assert!(task.await.unwrap());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn resident_memory_stays_flat_across_many_hashes() {
    let hasher = PasswordHasher::new(HashParams::default()).unwrap();
    let password = Password::new("Quartz-Harbor-42x").unwrap();
    for n in 0..3 {
        round(&hasher, &password, n).await;
    }
    let after_warm_up = resident_kib();
    for n in 3..15 {
        round(&hasher, &password, n).await;
    }
    let after_all = resident_kib();
    // 15 rounds are 90 hashes of 19 MiB each. Flat means a few MiB of noise, not one arena more.
    let growth_mib = after_all.saturating_sub(after_warm_up) as f64 / 1024.0;
    assert!(
        growth_mib < 8.0,
        "resident memory grew by {growth_mib:.1} MiB over 72 more hashes ({after_warm_up} KiB → {after_all} KiB)"
    );
}
