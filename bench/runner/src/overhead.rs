//! What a login costs beyond its password hash: the sessions handler driven in process (the
//! embedded store in a temporary folder, no network), timed side by side with the argon2
//! verification it performs, alternating so both see the same machine.

use crate::stats::Summary;
use std::time::Instant;
use tessera_identity::Password;
use tessera_testkit::{Backend, TestApp};
use tessera_tests::{active_account, log_in, PASSWORD};

pub struct LoginOverhead {
    pub login: Summary,
    pub argon2_verify: Summary,
    /// Median of the per-pair ratios login ÷ verification.
    pub ratio: Summary,
}

pub async fn login_against_argon2(runs: usize) -> LoginOverhead {
    let app = TestApp::new(Backend::Embedded).await;
    let (email, _) = active_account(&app, "bench").await;
    let canonical = tessera_kernel::email::Email::parse(&email).unwrap();
    let hash = app
        .deps
        .store
        .identity(&canonical)
        .await
        .unwrap()
        .unwrap()
        .password_hash;
    let password = Password::new(PASSWORD).unwrap();
    // Warm both paths (page cache, allocator, the blocking pool) before measuring.
    for _ in 0..3 {
        assert_eq!(log_in(&app, &email, PASSWORD).await.status, 201);
        assert!(app.deps.hasher.verify(&password, &hash).await.unwrap());
    }
    let (mut logins, mut verifies, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let start = Instant::now();
        assert!(app.deps.hasher.verify(&password, &hash).await.unwrap());
        let verify = start.elapsed().as_secs_f64() * 1000.0;
        let start = Instant::now();
        assert_eq!(log_in(&app, &email, PASSWORD).await.status, 201);
        let login = start.elapsed().as_secs_f64() * 1000.0;
        logins.push(login);
        verifies.push(verify);
        ratios.push(login / verify);
    }
    LoginOverhead {
        login: Summary::of(&logins),
        argon2_verify: Summary::of(&verifies),
        ratio: Summary::of(&ratios),
    }
}

/// The handler's own work for a request with no hash: `GET /v1/me` with a valid token, in
/// process on the embedded store (its two SQLite statements included).
pub async fn authenticated_read(runs: usize) -> Summary {
    let app = TestApp::new(Backend::Embedded).await;
    let (email, _) = active_account(&app, "read").await;
    let token = tessera_tests::token_of(&log_in(&app, &email, PASSWORD).await);
    for _ in 0..5 {
        assert_eq!(tessera_tests::me(&app, &token).await.status, 200);
    }
    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        assert_eq!(tessera_tests::me(&app, &token).await.status, 200);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    Summary::of(&times)
}

/// Our argon2id verification beside a prebuilt reference (`@node-rs/argon2`, run by
/// `bench/reference/verify.mjs` under Node.js) on the same PHC string, in alternating batches so
/// both see the same machine. Each side's own clock times only its verifications.
pub struct AgainstReference {
    pub ours: Summary,
    pub reference: Summary,
    /// Median of ours ÷ median of the reference.
    pub ratio: f64,
}

const REFERENCE_BATCH: usize = 5;

pub async fn verify_against_reference(root: &std::path::Path, samples: usize) -> AgainstReference {
    let hasher =
        tessera_identity::PasswordHasher::new(tessera_identity::password::HashParams::default())
            .expect("the default parameters");
    let password = Password::new(PASSWORD).unwrap();
    let stored = hasher.hash(&password, [11; 16]).await.unwrap();
    assert!(hasher.verify(&password, &stored).await.unwrap());
    let script = root.join("bench/reference/verify.mjs");
    let (mut ours, mut reference) = (Vec::new(), Vec::new());
    while ours.len() < samples {
        for _ in 0..REFERENCE_BATCH {
            let start = Instant::now();
            assert!(hasher.verify(&password, &stored).await.unwrap());
            ours.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        let output = std::process::Command::new("node")
            .arg(&script)
            .arg(REFERENCE_BATCH.to_string())
            .env("REFERENCE_PHC", stored.as_str())
            .env("REFERENCE_PASSWORD", PASSWORD)
            .output()
            .expect("node runs bench/reference/verify.mjs (make bench installs it)");
        assert!(
            output.status.success(),
            "the reference failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let times: Vec<f64> =
            serde_json::from_slice(&output.stdout).expect("the reference prints its times");
        reference.extend(times);
    }
    let (ours, reference) = (Summary::of(&ours), Summary::of(&reference));
    AgainstReference {
        ratio: ours.median / reference.median,
        ours,
        reference,
    }
}
