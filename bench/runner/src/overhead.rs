//! What a login costs beyond its password hash: the sessions handler driven in process (the
//! embedded store in a temporary folder, no network), timed side by side with the argon2
//! verification it performs, alternating so both see the same machine.

use crate::stats::Summary;
use std::time::Instant;
use tessera_core::Password;
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
    let canonical = tessera_core::Email::parse(&email).unwrap();
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
