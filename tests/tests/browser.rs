//! The public transcript page in a real browser: the page's handler behind a small HTTP server on
//! loopback, opened by headless Chromium (Debian's package, which `make test` installs). The
//! test reads the DOM Chromium rendered, saves a screenshot under `.test-output/`, and checks
//! each load counted one view.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;
use tessera_certification::CertificationDeps;
use tessera_testkit::{repo_root, unique_email, Backend, TestApp};
use tessera_tests::certification::{call, consent, import_samples, move_clock_to_the_samples_day};
use tessera_tests::{active_account, log_in, on_both_backends, token_of, PASSWORD};

/// Chromium from `PATH`. Absent outside `make test`: the test says so and passes only when not
/// in CI (CI runs `make test`, which installs it).
fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|candidate| candidate.is_file())
        })
    })
}

/// Serves the transcript page's handler on 127.0.0.1 until the test ends; the address.
async fn serve(deps: CertificationDeps) -> String {
    tessera_testkit::loopback::serve(move |request| {
        let deps = deps.clone();
        async move { transcript_page::handle(request, deps).await }
    })
    .await
}

/// Runs headless Chromium with `args` then `url`, bounded in time; its standard output.
async fn run_chromium(browser: &Path, profile: &Path, args: &[&str], url: &str) -> String {
    let mut command = tokio::process::Command::new(browser);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(90), command.output())
        .await
        .expect("chromium finished within 90 s")
        .expect("chromium ran");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

async fn the_public_page_renders_in_headless_chromium(backend: Backend) {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is missing: `make test` installs it"
        );
        eprintln!("chromium is not installed; run `make test` to install it and run this test");
        return;
    };
    let app = TestApp::new(backend).await;
    import_samples(&app).await;
    move_clock_to_the_samples_day(&app);
    let (email, _) = active_account(&app, "browser").await;
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    let mapped = call(&app, "POST", "/v1/candidate/mapping", &token, Some(json!({
        "method": "score_report", "last_name": "Lovelace", "registration_number": "REG-2019-0416",
        "new_email": unique_email("ada.browser"),
    })))
    .await;
    assert_eq!(mapped.status, 200, "{}", mapped.text);
    consent(&app, &token, true).await;
    let created = call(
        &app,
        "POST",
        "/v1/candidate/transcripts",
        &token,
        Some(json!({
            "display_name": "Ada <Lovelace>", "description": "For the hiring team",
            "expires_in_days": 14, "certifications": "active",
        })),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json["id"].as_str().unwrap().to_string();

    let base = serve(app.certification.clone()).await;
    let url = format!("{base}/v1/transcripts/{id}");
    let profile = tempfile::tempdir().unwrap();
    let dom = run_chromium(&browser, profile.path(), &["--dump-dom"], &url).await;
    for text in [
        "Certification transcript",
        "Ada &lt;Lovelace&gt;",
        "Infrastructure Associate (IA)",
        "Networking Technician",
        "This transcript expires on 2026-12-09.",
    ] {
        assert!(dom.contains(text), "{text} in the rendered page: {dom}");
    }
    assert!(!dom.contains("<Lovelace>"), "the name is text, not markup");

    let output = repo_root().join(".test-output");
    std::fs::create_dir_all(&output).unwrap();
    let shot = output.join(format!("transcript-page-{backend:?}.png").to_lowercase());
    let _ = std::fs::remove_file(&shot);
    run_chromium(
        &browser,
        profile.path(),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1024,900",
            "--hide-scrollbars",
        ],
        &url,
    )
    .await;
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 5_000);

    let list = call(&app, "GET", "/v1/candidate/transcripts", &token, None).await;
    assert_eq!(
        list.json["transcripts"][0]["views"], 2,
        "each browser load counted once"
    );
}

on_both_backends!(the_public_page_renders_in_headless_chromium);
