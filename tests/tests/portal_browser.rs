//! The account pages in real Chromium (Debian's package, which `make test` installs), driven over
//! the DevTools protocol: a person's journeys typed and clicked as a person would, each code read
//! from the real email, every page checked by axe-core (no serious or critical violation) and
//! saved as screenshots at desktop and phone widths under `.test-output/pages/`.
//!
//! The pages are served in process (the page function and, for the password checklist, the
//! policy function, behind a loopback server on the embedded store); `scripts/browser-journeys.sh`
//! runs the same journeys against `cargo lambda watch` (`TESSERA_PAGES_URL`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams;
use chromiumoxide::page::ScreenshotParams;
use chromiumoxide::{Browser, BrowserConfig, Page};
use futures::StreamExt;
use serde_json::Value;
use tessera_http::candidate::CandidateState;
use tessera_identity::mfa::code_at;
use tessera_identity::signup::IdentityDeps;
use tessera_identity::staff::Role;
use tessera_identity::PasswordPolicy;
use tessera_kernel::ports::Clock;
use tessera_kernel::time::{Seconds, Timestamp};
use tessera_testkit::messages::{extract_code, from_outbox};
use tessera_testkit::template::function_serving;
use tessera_testkit::{repo_root, unique_email, Backend, TestApp};
use tessera_tests::PASSWORD;

/// axe-core, vendored (tests/browser/README.md).
/// How long a page may take to come: generous, as a debug build on two cores answers slowly
/// while other functions compile.
const PAGE_WAIT: Duration = Duration::from_secs(60);

const AXE: &str = include_str!("../browser/axe.min.js");

/// Chromium from `PATH`; absent outside `make test`, where the test says so (and fails in CI).
fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|candidate| candidate.is_file())
        })
    })
}

/// Where the pages are and how the journeys read mail and time there.
enum Site {
    /// Served in process from `app` (its clock is the server's).
    InProcess { app: Box<TestApp>, base: String },
    /// `cargo lambda watch` at `base`, its embedded state (and outbox) in `state`.
    Watch { base: String, state: PathBuf },
}

/// The state of each function the pages reach, served in process as API Gateway routes to them.
#[derive(Clone)]
struct Functions {
    pages: IdentityDeps,
    candidate_pages: CandidateState,
    policy: Arc<PasswordPolicy>,
    imports: imports::ImportState,
    orders: fulfillment::FulfillmentState,
    console: staff_console::ConsoleState,
    badges: tessera_credential_routes::badges::BadgesState,
    provider: oidc::OidcState,
    access: access::AccessState,
    federation: federation::FederationState,
    transcript: tessera_certification::CertificationDeps,
}

impl Functions {
    fn of(app: &TestApp) -> Functions {
        Functions {
            pages: app.state(),
            candidate_pages: app.state(),
            policy: app.state(),
            imports: app.state(),
            orders: app.state(),
            console: app.state(),
            badges: app.state(),
            provider: app.state(),
            access: app.state(),
            federation: app.state(),
            transcript: app.state(),
        }
    }

    /// What API Gateway would route the request to, as the template says.
    async fn serve(
        self,
        request: lambda_http::Request,
    ) -> lambda_http::Response<lambda_http::Body> {
        match function_serving(&request).as_str() {
            "password-policy" => password_policy::handle(request, self.policy).await,
            "imports" => imports::handle(request, self.imports).await,
            "portal-orders" => portal_orders::handle(request, self.orders).await,
            "fulfillment" => fulfillment::handle(request, self.orders).await,
            "portal-badges" => portal_badges::handle(request, self.badges).await,
            "staff-console" => staff_console::handle(request, self.console).await,
            "oidc" => oidc::handle(request, self.provider).await,
            "access" => access::handle(request, self.access).await,
            "federation" => federation::handle(request, self.federation).await,
            "transcript-page" => transcript_page::handle(request, self.transcript).await,
            "portal-certifications" => {
                portal_certifications::handle(request, self.candidate_pages).await
            }
            _ => portal::handle(request, self.pages).await,
        }
    }
}

impl Site {
    async fn start() -> Site {
        if let (Ok(base), Ok(state)) = (
            std::env::var("TESSERA_PAGES_URL"),
            std::env::var("TESSERA_PAGES_STATE"),
        ) {
            return Site::Watch {
                base,
                state: PathBuf::from(state),
            };
        }
        // The app's public address is the server's, so the links it makes (emails, the
        // checkout) lead back to it, as `make dev`'s do.
        let (base, ready) = serve_site("127.0.0.1", |request, functions: Functions| async move {
            functions.serve(request).await
        })
        .await;
        let app = TestApp::with_vars(Backend::Embedded, &[("TESSERA_PUBLIC_URL", &base)]).await;
        ready.set(Functions::of(&app)).ok();
        Site::InProcess {
            app: Box::new(app),
            base,
        }
    }

    fn url(&self, path: &str) -> String {
        match self {
            Site::InProcess { base, .. } | Site::Watch { base, .. } => format!("{base}{path}"),
        }
    }

    fn latest_code(&self, to: &str) -> String {
        extract_code(&self.latest_message(to)).expect("a code in the message")
    }

    /// The text of the latest message sent to `to`.
    fn latest_message(&self, to: &str) -> String {
        let sent = match self {
            Site::InProcess { app, .. } => app.messages_to(to),
            Site::Watch { state, .. } => from_outbox(&state.join("outbox.jsonl")),
        };
        sent.into_iter()
            .rfind(|m| m.to == to)
            .unwrap_or_else(|| panic!("no message to {to}"))
            .body
    }

    fn now(&self) -> Timestamp {
        match self {
            Site::InProcess { app, .. } => app.clock.now(),
            Site::Watch { .. } => tessera_http::SystemClock.now(),
        }
    }

    /// The certification records of docs/samples, imported through the admin route from the page
    /// (the embedded default's admin token), on the samples' day where the clock is ours.
    async fn import_samples(&self, tab: &Tab<'_>) {
        for (route, file) in [
            ("/v1/admin/imports/exam-results", "exam-results.csv"),
            ("/v1/admin/imports/ce-credits", "ce-credits.csv"),
        ] {
            let status = tab
                .eval(&format!(
                    "fetch({}, {{ method: 'POST', headers: {{ authorization: 'Bearer tessera-local-admin-token', \
                     'content-type': 'text/csv' }}, body: {} }}).then(r => r.status)",
                    Value::from(route),
                    Value::from(tessera_tests::sample(file))
                ))
                .await;
            assert_eq!(status, Value::from(200), "{route}");
        }
        if let Site::InProcess { app, .. } = self {
            tessera_tests::certification::move_clock_to_the_samples_day(app);
        }
    }

    /// Grants `roles` to the account at `email` by the operator's path, as an operator makes the
    /// first program administrator: in process on the app's store; on `cargo lambda watch` the
    /// operator command on its state (`scripts/browser-journeys.sh` builds it).
    async fn grant_roles(&self, email: &str, roles: &[Role]) {
        let reason = "a browser journey's staff member";
        for role in roles {
            match self {
                Site::InProcess { app, .. } => {
                    let address = tessera_kernel::email::Email::parse(email).unwrap();
                    let reason = tessera_kernel::audit::Reason::parse(reason).unwrap();
                    tessera_operator::grant_role(&app.deps, "browser", &address, *role, &reason)
                        .await
                        .expect("the role granted");
                }
                Site::Watch { state, .. } => {
                    let operator = repo_root().join("target/debug/tessera-operator");
                    let granted = std::process::Command::new(&operator)
                        .env("TESSERA_LOCAL_DIR", state)
                        .args(["grant-role", "--email", email, "--role", role.as_str()])
                        .args(["--reason", reason, "--operator", "browser"])
                        .output()
                        .unwrap_or_else(|e| panic!("{}: {e}", operator.display()));
                    assert!(
                        granted.status.success(),
                        "{}",
                        String::from_utf8_lossy(&granted.stderr)
                    );
                }
            }
        }
    }

    /// The next authenticator period (a code is good once).
    async fn next_period(&self) {
        match self {
            Site::InProcess { app, .. } => app.clock.advance(Seconds(30)),
            Site::Watch { .. } => {
                let wait = 30 - (self.now().0 % 30) as u64 + 1;
                tokio::time::sleep(Duration::from_secs(wait)).await;
            }
        }
    }
}

/// One browser tab on the site, saving what it shows.
struct Tab<'s> {
    page: Page,
    site: &'s Site,
    shots: PathBuf,
}

impl Tab<'_> {
    async fn open(&self, path: &str) {
        // `cargo lambda watch` now and then loses a function's answer and replies with its own
        // 500 (tests/api-fuzz/hooks.py says why); a page opened by its address is safe to ask again.
        for _ in 0..3 {
            self.page
                .goto(self.site.url(path))
                .await
                .expect("the page opens");
            self.page.wait_for_navigation().await.expect("it loads");
            let emulator_answered = self.wait_until("document.readyState === 'complete'").await
                && self
                    .eval("document.body.innerText.includes('httpstatuses.com/500')")
                    .await
                    == Value::Bool(true);
            if !emulator_answered {
                break;
            }
        }
        assert!(
            self.wait_until(
                "document.readyState === 'complete' && document.querySelector('h1') !== null"
            )
            .await,
            "{path} shows a page"
        );
    }

    /// A `GET` of the address `url_expression` (a script expression) from the page, as its
    /// status and content type. The emulator's own 500 (see `open`) is asked again: a read is safe.
    async fn get_from_page(&self, url_expression: &str) -> Value {
        self.eval(&format!(
            "(async () => {{ const url = {url_expression}; let answer = ''; \
             for (let i = 0; i < 3; i++) {{ const r = await fetch(url); \
             const body = await r.clone().text(); \
             answer = r.status + ' ' + r.headers.get('content-type'); \
             if (!(r.status === 500 && body.includes('httpstatuses.com/500'))) break; }} \
             return answer; }})()"
        ))
        .await
    }

    async fn eval(&self, expression: &str) -> Value {
        self.page
            .evaluate(expression)
            .await
            .unwrap_or_else(|e| panic!("{expression}: {e}"))
            .into_value()
            .unwrap_or(Value::Null)
    }

    /// Waits (up to 15 s) until `expression` is true in the page: what a script does after a
    /// round trip (the checklist's ticks).
    async fn wait_until(&self, expression: &str) -> bool {
        let deadline = Instant::now() + PAGE_WAIT;
        while Instant::now() < deadline {
            // A page between two documents has no context to evaluate in: not yet.
            let now = self
                .page
                .evaluate(expression)
                .await
                .ok()
                .and_then(|r| r.into_value::<bool>().ok());
            if now == Some(true) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    /// The page's heading, once the page has one (every page of the portal does).
    async fn heading(&self) -> String {
        assert!(
            self.wait_until(
                "document.readyState === 'complete' && document.querySelector('h1') !== null"
            )
            .await,
            "a page with a heading"
        );
        self.eval("document.querySelector('h1').textContent")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    async fn text(&self) -> String {
        self.eval("document.body.innerText")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The first fact named `term` in the page's lists of facts (`dt` then `dd`).
    async fn fact(&self, term: &str) -> String {
        self.eval(&format!(
            "[...document.querySelectorAll('dt')].find(d => d.textContent.trim() === {}) \
             ?.nextElementSibling?.textContent?.trim() ?? ''",
            Value::from(term)
        ))
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// The log-in's first two steps: the address, then the password.
    async fn log_in(&self, email: &str, password: &str) {
        self.fill("#email", email).await;
        self.submit("form[action='/sign-in'] button").await;
        self.fill("#password", password).await;
        self.submit("form[action='/sign-in'] button").await;
    }

    /// The log-in's second step: the authenticator's current code.
    async fn second_step(&self, secret: &str) {
        self.fill("#code", &code_at(secret, self.site.now()).unwrap())
            .await;
        self.submit("form[action='/sign-in'] button").await;
    }

    /// Types `text` into the field `selector`, as keystrokes.
    async fn fill(&self, selector: &str, text: &str) {
        self.page
            .find_element(selector)
            .await
            .unwrap_or_else(|e| panic!("{selector}: {e}"))
            .click()
            .await
            .expect("it takes focus")
            .type_str(text)
            .await
            .expect("it takes the text");
    }

    async fn choose(&self, selector: &str, value: &str) {
        self.eval(&format!(
            "document.querySelector({}).value = {}",
            Value::from(selector),
            Value::from(value)
        ))
        .await;
    }

    /// Clicks the button `selector` and waits for the page the form leads to. When the form was
    /// answered with a redirect and the emulator lost the page it leads to (its own 500, see
    /// `open`), that page is asked again: it is a `GET`. A lost answer to the `POST` itself stays
    /// a failure (sending a form twice is not safe).
    async fn submit(&self, selector: &str) {
        self.eval("window.__before_submit = true").await;
        let action = self
            .eval(&format!(
                "new URL(document.querySelector({}).form.action).pathname",
                Value::from(selector)
            ))
            .await;
        self.page
            .find_element(selector)
            .await
            .unwrap_or_else(|e| panic!("{selector}: {e}"))
            .click()
            .await
            .expect("the button clicks");
        let mut asked_again = 0;
        let deadline = Instant::now() + PAGE_WAIT;
        while Instant::now() < deadline {
            // Asked while the page may still be navigating: an error there means no.
            let lost_after_redirect = self
                .page
                .evaluate(format!(
                    "window.__before_submit === undefined && document.readyState === 'complete' \
                     && document.body !== null \
                     && document.body.innerText.includes('httpstatuses.com/500') \
                     && location.pathname !== {action}"
                ))
                .await
                .ok()
                .and_then(|r| r.into_value::<bool>().ok())
                .unwrap_or(false);
            if lost_after_redirect && asked_again < 3 {
                asked_again += 1;
                self.page.reload().await.expect("the page loads again");
                continue;
            }
            let done = self
                .page
                .evaluate(
                    "window.__before_submit === undefined && document.readyState === 'complete' && document.querySelector('h1') !== null",
                )
                .await
                .ok()
                .and_then(|r| r.into_value::<bool>().ok())
                .unwrap_or(false);
            if done {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let state = self
            .page
            .evaluate(
                "location.href + ' (' + document.readyState + '): ' \
                 + (document.body ? document.body.innerText.slice(0, 400) : 'no body')",
            )
            .await
            .ok()
            .and_then(|r| r.into_value::<String>().ok())
            .unwrap_or_default();
        panic!("no page came after clicking {selector}; the tab shows {state}");
    }

    /// Screenshots at desktop and phone widths, and axe-core's serious and critical findings,
    /// which must be none.
    async fn check(&self, name: &str) {
        for (label, width, height, mobile) in
            [("desktop", 1280, 900, false), ("phone", 360, 780, true)]
        {
            self.page
                .execute(
                    SetDeviceMetricsOverrideParams::builder()
                        .width(width)
                        .height(height)
                        .device_scale_factor(1.0)
                        .mobile(mobile)
                        .build()
                        .unwrap(),
                )
                .await
                .expect("the viewport changes");
            let path = self.shots.join(format!("{name}-{label}.png"));
            self.page
                .save_screenshot(ScreenshotParams::builder().full_page(true).build(), &path)
                .await
                .expect("a screenshot");
            let overflow = self
                .eval("document.documentElement.scrollWidth > window.innerWidth + 1")
                .await;
            assert_eq!(
                overflow,
                Value::Bool(false),
                "{name} scrolls sideways at {width} px"
            );
        }
        self.eval(AXE).await;
        let findings = self
            .page
            .evaluate_function(
                "async () => { const r = await axe.run(document, { resultTypes: ['violations'] }); \
                 return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical') \
                 .map(v => v.id + ': ' + v.help + ' (' + v.nodes.map(n => n.target.join(' ')).join(', ') + ')'); }",
            )
            .await
            .expect("axe runs")
            .into_value::<Vec<String>>()
            .expect("a list");
        assert!(findings.is_empty(), "{name}: {findings:#?}");
    }
}

/// Signs `email` up through the pages, activates it from the email's link and logs in.
async fn sign_up_and_log_in(tab: &Tab<'_>, email: &str) {
    tab.open("/sign-up").await;
    tab.fill("#email", email).await;
    tab.fill("#password", PASSWORD).await;
    tab.fill("#first_name", "Ada").await;
    tab.fill("#last_name", "Lovelace").await;
    tab.choose("#country", "GB").await;
    tab.submit("button[type=submit].primary").await;
    assert_eq!(tab.heading().await, "Activate your account");
    // The email's link opens the activation page with the code filled in (the page is opened
    // on this site: the link names the default local address).
    let message = tab.site.latest_message(email);
    let link = message
        .split_whitespace()
        .find(|word| word.contains("/activate?"))
        .expect("an activation link in the email");
    tab.open(&link[link.find("/activate?").unwrap()..]).await;
    assert_eq!(
        tab.eval("document.getElementById('code').value").await,
        Value::from(tab.site.latest_code(email)),
        "the code filled in from the link"
    );
    tab.fill("#password", PASSWORD).await;
    tab.submit("form[action='/activate'] button").await;
    tab.submit("form[action='/sign-in'] button").await;
    tab.fill("#password", PASSWORD).await;
    tab.submit("form[action='/sign-in'] button").await;
    assert_eq!(tab.heading().await, "Your profile");
}

/// Whether a journey saves its pages' screenshots (and runs axe) at each step of a shared part:
/// once, in the journey the part belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shots {
    Take,
    Skip,
}

/// Turns the authenticator on from the security page, signed in (the QR code shown, the first
/// code typed, the recovery codes shown once); the authenticator's secret.
async fn enrol_authenticator(tab: &Tab<'_>, shots: Shots) -> String {
    let check = |name: &'static str| async move {
        if shots == Shots::Take {
            tab.check(name).await;
        }
    };
    tab.open("/account/security").await;
    assert_eq!(tab.heading().await, "Account security");
    check("security").await;
    tab.fill("form[action='/account/authenticator'] #password", PASSWORD)
        .await;
    tab.submit("form[action='/account/authenticator'] button")
        .await;
    let secret = tab.eval("document.querySelector('.key').textContent").await;
    let secret = secret
        .as_str()
        .expect("the key to type instead")
        .to_string();
    let qr_loaded = tab
        .eval("document.querySelector('img.qr').naturalWidth > 0")
        .await;
    assert_eq!(qr_loaded, Value::Bool(true), "the QR code shows");
    check("authenticator").await;
    tab.fill("#code", &code_at(&secret, tab.site.now()).unwrap())
        .await;
    tab.submit("form[action='/account/authenticator/confirm'] button")
        .await;
    assert_eq!(tab.heading().await, "Your recovery codes");
    let codes = tab
        .eval("document.querySelectorAll('ul.codes li').length")
        .await;
    assert_eq!(codes, Value::from(10));
    check("recovery-codes").await;
    secret
}

/// Headless Chromium with a profile of its own, for one test.
struct Chromium {
    browser: Browser,
    _profile: tempfile::TempDir,
}

impl Chromium {
    /// Chromium, or `None` (the test passes, saying why) where it is not installed outside CI.
    async fn start() -> Option<Chromium> {
        let Some(path) = chromium() else {
            assert!(
                std::env::var_os("CI").is_none(),
                "chromium is missing: `make test` installs it"
            );
            eprintln!("chromium is not installed; `make test` installs it and runs this test");
            return None;
        };
        let profile = tempfile::tempdir().unwrap();
        let browser = launch(&path, profile.path()).await;
        Some(Chromium {
            browser,
            _profile: profile,
        })
    }

    /// A new tab on `site`, its screenshots saved under `.test-output/pages/`.
    async fn tab<'s>(&self, site: &'s Site) -> Tab<'s> {
        let shots = repo_root().join(".test-output/pages");
        std::fs::create_dir_all(&shots).unwrap();
        Tab {
            page: self.browser.new_page("about:blank").await.unwrap(),
            site,
            shots,
        }
    }

    async fn stop(mut self) {
        self.browser.close().await.ok();
        self.browser.wait().await.ok();
    }
}

async fn launch(browser_path: &Path, profile: &Path) -> Browser {
    let config = BrowserConfig::builder()
        .chrome_executable(browser_path)
        .no_sandbox()
        .user_data_dir(profile)
        .args(["disable-gpu", "no-first-run", "disable-dev-shm-usage"])
        .launch_timeout(Duration::from_secs(60))
        .request_timeout(Duration::from_secs(30))
        .build()
        .expect("a browser configuration");
    let (browser, mut handler) = Browser::launch(config).await.expect("chromium starts");
    tokio::spawn(async move { while handler.next().await.is_some() {} });
    browser
}

/// Sign up (the checklist ticking as the password is typed), activate from the email, log in,
/// enrol the authenticator from its page, log out, and log in with the code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_signs_up_enrols_an_authenticator_and_logs_in_with_it() {
    let Some(browser) = Chromium::start().await else {
        return;
    };
    let site = Site::start().await;
    let tab = browser.tab(&site).await;
    let email = unique_email("browser.journey");

    tab.open("/").await;
    assert_eq!(tab.heading().await, "Log in");
    tab.check("sign-in").await;

    tab.open("/sign-up").await;
    tab.fill("#email", &email).await;
    tab.fill("#password", "short").await;
    // Rules tick off as they are met: a short password meets some, not the length.
    assert!(
        tab.wait_until(
            "document.querySelector('li[data-rule=lowercase]').classList.contains('met') && \
             !document.querySelector('li[data-rule=min_length]').classList.contains('met')"
        )
        .await,
        "the checklist ticks what \"short\" meets and not its length"
    );
    tab.eval("document.getElementById('password').value = ''")
        .await;
    tab.fill("#password", PASSWORD).await;
    assert!(
        tab.wait_until(
            "document.querySelectorAll('.checklist li.met').length === \
             document.querySelectorAll('.checklist li').length"
        )
        .await,
        "every rule ticks for a good password"
    );
    tab.fill("#first_name", "Ada").await;
    tab.fill("#last_name", "Lovelace").await;
    tab.choose("#country", "GB").await;
    tab.check("sign-up").await;
    tab.submit("button[type=submit].primary").await;
    assert_eq!(tab.heading().await, "Activate your account");
    tab.check("activate").await;

    let code = site.latest_code(&email);
    tab.fill("#code", &code).await;
    tab.fill("#password", PASSWORD).await;
    tab.submit("form[action='/activate'] button").await;
    assert_eq!(tab.heading().await, "Log in");
    assert!(tab.text().await.contains("Your account is active"));

    tab.submit("form[action='/sign-in'] button").await;
    assert_eq!(tab.heading().await, "Verify with your password");
    tab.check("sign-in-password").await;
    tab.fill("#password", PASSWORD).await;
    tab.submit("form[action='/sign-in'] button").await;
    assert_eq!(tab.heading().await, "Your profile");
    tab.check("profile").await;

    let secret = enrol_authenticator(&tab, Shots::Take).await;
    site.next_period().await;

    tab.submit("form[action='/sign-out'] button").await;
    assert_eq!(tab.heading().await, "Log in");
    tab.log_in(&email, PASSWORD).await;
    assert_eq!(tab.heading().await, "Verify with your authenticator");
    tab.check("second-step").await;
    tab.second_step(&secret).await;
    assert_eq!(tab.heading().await, "Your profile");

    browser.stop().await;
}

/// Forgot password with the authenticator on: the link on the log-in page, the code from the
/// email, the new password (its checklist) with the authenticator's code (a wrong one refused at
/// its field), then a log-in with the new password and the code; the old password is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_with_an_authenticator_resets_the_password() {
    let Some(browser) = Chromium::start().await else {
        return;
    };
    let site = Site::start().await;
    let tab = browser.tab(&site).await;
    let email = unique_email("browser.reset");
    sign_up_and_log_in(&tab, &email).await;
    let secret = enrol_authenticator(&tab, Shots::Skip).await;
    site.next_period().await;
    tab.submit("form[action='/sign-out'] button").await;

    tab.eval("window.__before_submit = true").await;
    tab.eval("document.querySelector('a[href=\"/forgot-password\"]').click()")
        .await;
    assert!(
        tab.wait_until(
            "window.__before_submit === undefined && document.readyState === 'complete' \
             && document.querySelector('form[action=\"/forgot-password\"]') !== null"
        )
        .await,
        "the log-in page links to the reset"
    );
    assert_eq!(tab.heading().await, "Reset your password");
    tab.check("forgot-password").await;
    tab.fill("#email", &email).await;
    tab.submit("form[action='/forgot-password'] button").await;
    tab.check("forgot-password-code").await;
    tab.fill("#code", &site.latest_code(&email)).await;
    tab.submit("form[action='/forgot-password/verify'] button")
        .await;
    assert_eq!(tab.heading().await, "Choose a new password");
    let new_password = "Basalt-Orchard-77q";
    tab.fill("#new_password", new_password).await;
    tab.fill("#confirm_password", new_password).await;
    tab.fill("#mfa_code", "000000").await;
    tab.submit("form[action='/forgot-password/complete'] button")
        .await;
    assert!(
        tab.eval("document.getElementById('mfa_code-error') !== null")
            .await
            == Value::Bool(true),
        "a wrong code refused at its field: {}",
        tab.text().await
    );
    tab.check("new-password-refused").await;
    // A refused form never writes a password back: both are typed again.
    tab.fill("#new_password", new_password).await;
    tab.fill("#confirm_password", new_password).await;
    tab.eval("document.getElementById('mfa_code').value = ''")
        .await;
    tab.fill("#mfa_code", &code_at(&secret, site.now()).unwrap())
        .await;
    tab.submit("form[action='/forgot-password/complete'] button")
        .await;
    assert_eq!(tab.heading().await, "Log in");
    assert!(tab.text().await.contains("Your password is changed"));
    site.next_period().await;

    tab.log_in(&email, PASSWORD).await;
    assert_eq!(
        tab.heading().await,
        "Verify with your password",
        "the old password is refused"
    );
    tab.eval("document.getElementById('password').value = ''")
        .await;
    tab.fill("#password", new_password).await;
    tab.submit("form[action='/sign-in'] button").await;
    assert_eq!(tab.heading().await, "Verify with your authenticator");
    tab.second_step(&secret).await;
    assert_eq!(tab.heading().await, "Your profile");
    browser.stop().await;
}

/// The certification guide's first journey: map the record by the score report (the new address
/// confirmed with the code from the email), read the certifications and one's progress, fetch its
/// PDF certificate, and answer the settings; then a transcript made, emailed and opened by the
/// recipient, and a kit ordered through the provider's checkout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_candidate_maps_the_record_and_reads_the_certifications() {
    let Some(browser) = Chromium::start().await else {
        return;
    };
    let site = Site::start().await;
    let tab = browser.tab(&site).await;
    tab.open("/").await;
    site.import_samples(&tab).await;
    sign_up_and_log_in(&tab, &unique_email("browser.candidate")).await;

    tab.open("/certifications").await;
    assert_eq!(tab.heading().await, "Find your certification record");
    tab.check("mapping").await;
    let new_email = unique_email("browser.ada");
    tab.fill("#last_name", "Lovelace").await;
    tab.fill("#registration_number", "REG-2019-0416").await;
    tab.fill("#new_email", &new_email).await;
    tab.submit("form[action='/mapping'] input[value=score_report] ~ button")
        .await;
    tab.fill("#code", &site.latest_code(&new_email)).await;
    tab.submit("form[action='/mapping/confirm'] button").await;
    assert_eq!(tab.heading().await, "Certifications");
    tab.check("certifications").await;

    let pdf = tab
        .get_from_page("document.querySelector('a[href$=\"/certificate.pdf\"]').href")
        .await;
    assert_eq!(pdf, Value::from("200 application/pdf"));
    tab.eval("window.__before_submit = true").await;
    tab.eval("document.querySelector('th a[href^=\"/certifications/\"]').click()")
        .await;
    assert!(
        tab.wait_until(
            "window.__before_submit === undefined && document.readyState === 'complete' && document.querySelector('h1') !== null"
        )
        .await
    );
    assert!(tab.text().await.contains("Current progress"));
    tab.check("certification").await;

    tab.open("/personal-info").await;
    assert_eq!(tab.heading().await, "Personal info");
    tab.check("personal-info").await;
    tab.open("/testing-history?sort=code&order=asc").await;
    assert_eq!(tab.heading().await, "Testing history");
    tab.check("testing-history").await;
    tab.open("/certificates").await;
    assert_eq!(tab.heading().await, "Certificates & plaques");
    tab.check("certificates").await;

    // The Digital Badges tab: each earned certification's badge image shows, and its credential
    // downloads as a VC-JWT.
    tab.open("/badges").await;
    assert_eq!(tab.heading().await, "Digital Badges");
    assert!(
        tab.wait_until(
            "[...document.querySelectorAll('li.badge img')].every(i => i.complete && i.naturalWidth > 0) \
             && document.querySelectorAll('li.badge img').length > 0"
        )
        .await,
        "every badge image shows"
    );
    tab.check("badges").await;
    let credential = tab
        .get_from_page("document.querySelector('a[href$=\"/credential.jwt\"]').href")
        .await;
    assert_eq!(credential, Value::from("200 application/vc+jwt"));

    // A transcript needs consent to third-party verification: given on Personal info, then a
    // transcript made, its edit form unfolded (no script needed) and saved.
    tab.open("/personal-info").await;
    for (name, answer) in [
        ("employee", "no"),
        ("partner", "no"),
        ("email_notifications", "yes"),
        ("academy_student", "no"),
        ("verification_consent", "yes"),
    ] {
        tab.eval(&format!(
            "document.querySelector('input[name={name}][value={answer}]').checked = true"
        ))
        .await;
    }
    tab.submit("form[action='/personal-info/settings'] button")
        .await;
    tab.open("/transcripts").await;
    tab.fill("#new-description", "For the hiring panel").await;
    tab.submit("form[action='/transcripts'] button").await;
    assert!(tab.text().await.contains("Your transcript is ready"));
    tab.eval("document.querySelector('details summary').click()")
        .await;
    tab.fill("input[id$='-remarks']", "Ask me about the lab work")
        .await;
    tab.check("transcripts").await;
    tab.submit("form[action$='/edit'] button").await;
    assert!(tab.text().await.contains("Your changes are saved"));

    // Its link emailed to a recruiter, who opens it from the email: the view is counted.
    let transcript = tab
        .eval("document.querySelector(\"form[action$='/email']\").getAttribute('action').split('/')[2]")
        .await;
    let link = site.url(&format!(
        "/v1/transcripts/{}",
        transcript.as_str().expect("the transcript's id")
    ));
    let recruiter = unique_email("browser.recruiter");
    tab.fill("form[action$='/email'] input[type=email]", &recruiter)
        .await;
    tab.submit("form[action$='/email'] button").await;
    assert!(tab.text().await.contains("The link is on its way"));
    assert!(
        site.latest_message(&recruiter).contains(&link),
        "the email links to the transcript at this site: {link}"
    );
    tab.open(&link[site.url("").len()..]).await;
    assert_eq!(tab.heading().await, "Certification transcript");
    assert!(
        tab.text().await.contains("Lovelace"),
        "{}",
        tab.text().await
    );
    tab.check("transcript-opened").await;
    tab.open("/transcripts").await;
    assert_eq!(tab.fact("Views").await, "1", "the recruiter's view counted");

    // A kit and a plaque ordered: the shipping form, the provider's checkout (the sandbox's page
    // on the embedded default), its approval, and the order history saying how it went.
    tab.open("/certificates").await;
    tab.choose(
        "select[name^='quantity.']:not([name^='quantity.plaque.'])",
        "1",
    )
    .await;
    tab.choose("select[name^='quantity.plaque.']", "1").await;
    for (field, value) in [
        ("first_name", "Ada"),
        ("last_name", "Lovelace"),
        ("email", "ada@example.com"),
        ("phone", "+44 20 7946 0000"),
        ("address", "12 Church Street"),
        ("city", "London"),
        ("postal_code", "N1 1AA"),
    ] {
        tab.fill(&format!("[id='shipping.{field}']"), value).await;
    }
    tab.choose("[id='shipping.country']", "GB").await;
    tab.check("certificates-order").await;
    tab.submit("form[action='/certificates'] button[type=submit]")
        .await;
    assert!(
        tab.text().await.contains("Your order is placed"),
        "{}",
        tab.text().await
    );
    tab.eval("window.__before_submit = true").await;
    tab.eval("document.querySelector('a.button[href*=\"/v1/payments/sandbox/\"]').click()")
        .await;
    assert!(
        tab.wait_until(
            "window.__before_submit === undefined && document.readyState === 'complete' \
             && document.querySelector('button[value=approve]') !== null"
        )
        .await,
        "the provider's checkout opens"
    );
    tab.check("sandbox-checkout").await;
    tab.submit("button[value=approve]").await;
    assert_eq!(tab.heading().await, "Order history");
    assert!(
        tab.eval("location.pathname + location.search")
            .await
            .as_str()
            .is_some_and(|at| at.starts_with("/certificates/orders?order=")
                && at.ends_with("&checkout=success")),
        "back at the order history"
    );
    assert!(tab
        .text()
        .await
        .contains("ships once the payment provider confirms"));
    assert_eq!(
        tab.fact("Status").await,
        "In the queue",
        "paid: in the queue"
    );
    tab.check("order-history").await;

    browser.stop().await;
}

/// A holder (mapped to the samples' record by score report) with a kit ordered: the order's id.
async fn order_a_kit_as_a_holder(app: &TestApp) -> String {
    let (email, _) = tessera_tests::active_account(app, "browser.holder").await;
    let holder = tessera_tests::token_of(&tessera_tests::log_in(app, &email, PASSWORD).await);
    let mapping = serde_json::json!({
        "method": "score_report", "last_name": "Lovelace",
        "registration_number": "REG-2019-0416",
        "new_email": tessera_testkit::unique_email("ada.holder"),
    });
    let mapped = tessera_tests::certification::call(
        app,
        "POST",
        "/v1/candidate/mapping",
        &holder,
        Some(mapping),
    )
    .await;
    assert_eq!(mapped.status, 200, "{}", mapped.text);
    let catalog =
        tessera_tests::authorized("GET", "/v1/candidate/fulfillment/catalog", &holder, None);
    let kits = tessera_tests::fulfillment_call(app, catalog).await;
    let kit = kits.json["kits"][0]["certification_id"].as_str().unwrap();
    let body = tessera_tests::orders::order_body(kit, 1, false);
    let state = tessera_tests::fulfillment_state(app, None);
    let placed = tessera_tests::orders::place(state, &holder, "browser-kit", &body).await;
    assert_eq!(placed.status, 201, "{}", placed.text);
    placed.json["id"].as_str().unwrap().to_string()
}

/// The staff console: a program administrator (granted by the operator's path, signed in with
/// the authenticator through the pages) finds a record by last name and grants a certification
/// by hand from the catalog's menu, reads the catalog's page and an account's, reports a kit in
/// the fulfillment queue sent, reads the audit log, and registers an application, an
/// organisation and an access code. The administrator signs up on the pages like anyone; the
/// roles come from the operator (its command, on `cargo lambda watch`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_program_administrator_grants_by_hand_from_the_console() {
    let Some(browser) = Chromium::start().await else {
        return;
    };
    let site = Site::start().await;
    let tab = browser.tab(&site).await;
    tab.open("/").await;
    site.import_samples(&tab).await;
    // A kit ordered by a holder, for the fulfillment queue's pages: placed here in process; on
    // `cargo lambda watch` the candidate's journey (which runs before this one) ordered and paid.
    let placed = match &site {
        Site::InProcess { app, .. } => Some(order_a_kit_as_a_holder(app).await),
        Site::Watch { .. } => None,
    };
    // The administrator: an account made on the pages, its roles granted by the operator, the
    // authenticator turned on, signed in again with it (staff pages need the second step).
    let admin = unique_email("browser.admin");
    sign_up_and_log_in(&tab, &admin).await;
    site.grant_roles(&admin, &[Role::ProgramAdmin, Role::Auditor])
        .await;
    let secret = enrol_authenticator(&tab, Shots::Skip).await;
    site.next_period().await;
    tab.submit("form[action='/sign-out'] button").await;
    tab.log_in(&admin, PASSWORD).await;
    tab.second_step(&secret).await;

    tab.open("/staff").await;
    assert_eq!(tab.heading().await, "Staff console");
    tab.check("staff-console").await;
    tab.fill("#q", "lovelace").await;
    tab.submit("form[action='/staff/candidates'] button").await;
    assert_eq!(tab.heading().await, "Candidates");
    tab.eval("window.__before_submit = true").await;
    tab.eval("document.querySelector('a[href^=\"/staff/candidates/\"]').click()")
        .await;
    assert!(
        tab.wait_until(
            "window.__before_submit === undefined && document.readyState === 'complete' && document.querySelector('h1') !== null"
        )
        .await
    );
    assert!(tab.heading().await.starts_with("Record: "));
    // The grant's menu is the catalog's certifications; each form's fields have their own ids.
    tab.choose("#grants-certification_id", "security-associate")
        .await;
    tab.fill("#grants-active_on", "2026-11-01").await;
    tab.fill("#grants-reason", "Awarded by the program board")
        .await;
    tab.check("staff-record").await;
    tab.submit("form[action$='/grants'] button").await;
    assert!(tab.text().await.contains("Done."));
    tab.open("/staff/catalog").await;
    assert_eq!(tab.heading().await, "Catalog · Version 1");
    tab.check("staff-catalog").await;
    tab.open(&format!(
        "/staff/accounts?account={}",
        admin.replace('+', "%2B")
    ))
    .await;
    assert!(tab.heading().await.starts_with("Account: "));
    tab.check("staff-account").await;
    tab.open("/staff/orders").await;
    assert_eq!(tab.heading().await, "The fulfillment queue");
    tab.check("staff-orders").await;
    match placed {
        Some(order) => tab.open(&format!("/staff/orders/{order}")).await,
        None => {
            tab.eval("window.__before_submit = true").await;
            let opened = tab
                .eval(
                    "(() => { const order = document.querySelector('a[href^=\"/staff/orders/\"]'); \
                     if (order === null) return false; order.click(); return true; })()",
                )
                .await;
            assert_eq!(opened, Value::Bool(true), "an order in the queue");
            assert!(
                tab.wait_until(
                    "window.__before_submit === undefined && document.readyState === 'complete' \
                     && document.querySelector('h1') !== null"
                )
                .await
            );
        }
    }
    assert!(tab.heading().await.starts_with("Order: "));
    tab.fill("#sent-tracking_number", "1Z999AA1").await;
    tab.fill("#sent-reason", "Picked up today").await;
    tab.check("staff-order").await;
    tab.submit("form[action$='/sent'] button").await;
    assert!(tab.text().await.contains("Done."));
    tab.open("/staff/audit").await;
    assert!(tab.text().await.contains("Awarded by the program board"));
    assert!(tab.text().await.contains("Picked up today"));
    tab.check("staff-audit").await;
    // The applications signing people in through the provider: one registered from its page,
    // the secret shown once.
    tab.open("/staff/oidc-clients").await;
    assert_eq!(tab.heading().await, "Applications");
    tab.fill("#register-name", "Learning Portal").await;
    tab.choose("#register-type", "confidential").await;
    tab.fill(
        "#register-redirect_uris",
        "https://learning.example.com/callback",
    )
    .await;
    tab.fill(
        "#register-reason",
        "The learning portal signs candidates in",
    )
    .await;
    tab.submit("form[action='/staff/oidc-clients'] button")
        .await;
    assert!(tab.text().await.contains("Client secret (copy it now"));
    tab.check("staff-applications").await;
    // An organisation whose people sign in through its own provider, registered with its domain.
    tab.open("/staff/federation-providers").await;
    assert_eq!(tab.heading().await, "Organisations");
    tab.fill("#register-name", "Example Networks").await;
    tab.fill("#register-issuer", "https://login.example.com")
        .await;
    tab.fill("#register-client_id", "tessera").await;
    tab.fill("#register-domains", "example-networks.example")
        .await;
    tab.choose("#register-default_country", "GB").await;
    tab.fill("#register-reason", "Their people sign in at work")
        .await;
    tab.submit("form[action='/staff/federation-providers'] button")
        .await;
    let registered = tab.text().await;
    assert!(
        registered.contains("Its people now sign in at their organisation"),
        "{registered}"
    );
    assert!(registered.contains("example-networks.example"));
    tab.check("staff-organisations").await;
    // A special access code for one resource, shown once.
    tab.open("/staff/access-codes").await;
    tab.fill("#issue-resource", "docs.urgent-file").await;
    tab.choose("#issue-expires_on", "2099-12-31").await;
    tab.fill("#issue-reason", "Customer case 42").await;
    tab.submit("form[action='/staff/access-codes'] button")
        .await;
    let issued = tab.text().await;
    assert!(
        issued.contains("it is not shown again") && issued.contains("2099-12-31"),
        "the day typed, the last it works: {issued}"
    );
    tab.check("staff-access-codes").await;
    browser.stop().await;
}

/// An application signs a person in through the provider: the person signs in on the portal's
/// pages, consents on the provider's page, and the browser lands back at the application with
/// the code and its state; the application's logout asks first, then signs the person out and
/// returns. (In process only: the client is registered through the app.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_signs_a_person_in_through_the_provider() {
    let Some(browser) = Chromium::start().await else {
        return;
    };
    let site = Site::start().await;
    let Site::InProcess { app, .. } = &site else {
        return;
    };
    let tab = browser.tab(&site).await;
    let admin = tessera_tests::staff_member(
        app,
        "browser.oidc-admin",
        &[tessera_identity::staff::Role::ProgramAdmin],
    )
    .await;
    let (callback, signed_out) = (site.url("/app/callback"), site.url("/app/signed-out"));
    let body = serde_json::json!({
        "name": "Learning Portal", "type": "public",
        "redirect_uris": [callback], "post_logout_redirect_uris": [signed_out],
        "reason": "the learning portal signs candidates in"
    });
    let registered = app
        .call(
            oidc::handle,
            tessera_tests::authorized("POST", "/v1/staff/oidc-clients", &admin.token, Some(&body)),
        )
        .await;
    assert_eq!(registered.status, 201, "{}", registered.text);
    let client_id = registered.json["client_id"].as_str().unwrap().to_string();
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", &client_id)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid profile email")
        .append_pair("redirect_uri", &callback)
        .append_pair("state", "journey-state")
        .append_pair(
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        )
        .append_pair("code_challenge_method", "S256")
        .finish();

    let email = unique_email("browser.oidc");
    sign_up_and_log_in(&tab, &email).await;
    tab.open(&format!("/oidc/authorize?{query}")).await;
    assert_eq!(tab.heading().await, "Allow access to your account?");
    let shown = tab.text().await;
    assert!(
        shown.contains("Learning Portal") && shown.contains("your email address"),
        "{shown}"
    );
    tab.check("oidc-consent").await;
    tab.submit("button[value=allow]").await;
    let landed = tab.eval("location.pathname + location.search").await;
    let landed = landed.as_str().unwrap_or_default();
    assert!(landed.starts_with("/app/callback?code="), "{landed}");
    assert!(landed.contains("state=journey-state"), "{landed}");

    let logout: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", &client_id)
        .append_pair("post_logout_redirect_uri", &signed_out)
        .append_pair("state", "bye")
        .finish();
    tab.open(&format!("/oidc/logout?{logout}")).await;
    assert_eq!(tab.heading().await, "Sign out?");
    tab.check("oidc-logout").await;
    tab.submit("form[action='/oidc/logout'] button").await;
    let landed = tab.eval("location.pathname + location.search").await;
    assert_eq!(landed, serde_json::Value::from("/app/signed-out?state=bye"));
    tab.open("/account").await;
    assert_ne!(
        tab.heading().await,
        "Your profile",
        "signed out of the portal too"
    );
    browser.stop().await;
}

/// The Access Management tab: the operators' registry imported, a wrong number refused next to
/// its field, a partner agreement number making the person a partner, and the partner sponsoring
/// a customer by address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_gives_an_agreement_number_and_sponsors_a_customer() {
    let Some(browser) = Chromium::start().await else {
        return;
    };
    let site = Site::start().await;
    let tab = browser.tab(&site).await;
    tab.open("/").await;
    let status = tab
        .eval(&format!(
            "fetch('/v1/admin/imports/access-registry', {{ method: 'POST', headers: {{ \
             authorization: 'Bearer tessera-local-admin-token', 'content-type': 'text/csv' }}, \
             body: {} }}).then(r => r.status)",
            Value::from(tessera_tests::sample("access-registry.csv"))
        ))
        .await;
    assert_eq!(status, Value::from(200), "the registry imported");

    sign_up_and_log_in(&tab, &unique_email("browser.partner")).await;
    assert_eq!(
        tab.eval("document.querySelector('header nav a[href=\"/account/access\"]').textContent")
            .await,
        Value::from("Access"),
        "the header links the tab"
    );
    tab.open("/account/access").await;
    assert_eq!(tab.heading().await, "Access management");
    assert!(tab
        .text()
        .await
        .contains("Nothing beyond guest access yet."));
    assert_eq!(
        tab.eval(
            "document.querySelectorAll('form[action=\"/account/access/sponsorships\"]').length"
        )
        .await,
        Value::from(0),
        "only a partner sponsors"
    );
    tab.check("access").await;

    tab.choose("#kind", "partner_agreement").await;
    tab.fill("#number", "PO-12345").await;
    tab.submit("form[action='/account/access/claims'] button")
        .await;
    assert_eq!(
        tab.eval("document.getElementById('number').getAttribute('aria-invalid')")
            .await,
        Value::from("true"),
        "the refusal is at the field"
    );
    assert!(tab
        .text()
        .await
        .contains("purchase order number cannot be used"));
    assert_eq!(
        tab.eval("[document.getElementById('kind').value, document.getElementById('number').value].join(' ')")
            .await,
        Value::from("partner_agreement PO-12345"),
        "what was sent is shown again"
    );
    tab.check("access-refused").await;

    tab.eval("document.getElementById('number').value = ''")
        .await;
    tab.fill("#number", "pa-2026-0007").await;
    tab.submit("form[action='/account/access/claims'] button")
        .await;
    let shown = tab.text().await;
    assert!(
        shown.contains("Your access is updated.")
            && shown.contains("Partner agreement PA-2026-0007 (Example Integrators Inc)")
            && shown.contains("until 2027-06-30"),
        "{shown}"
    );
    tab.fill("#customer_email", &unique_email("browser.customer"))
        .await;
    tab.submit("form[action='/account/access/sponsorships'] button")
        .await;
    assert!(tab
        .text()
        .await
        .contains("Sponsored. The customer gets access"));
    tab.check("access-partner").await;
    browser.stop().await;
}

/// Serves pages at a loopback address from a state made once the address is known (so an app's
/// public URL can be that address): the address, with `host` in place of 127.0.0.1, and where to
/// put the state.
async fn serve_site<S, F, Fut>(host: &str, handle: F) -> (String, Arc<std::sync::OnceLock<S>>)
where
    S: Clone + Send + Sync + 'static,
    F: Fn(lambda_http::Request, S) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = lambda_http::Response<lambda_http::Body>> + Send + 'static,
{
    let ready: Arc<std::sync::OnceLock<S>> = Arc::new(std::sync::OnceLock::new());
    let serving = ready.clone();
    let base = tessera_testkit::loopback::serve(move |request| {
        let state = serving.get().expect("the site is ready").clone();
        handle.clone()(request, state)
    })
    .await;
    (base.replacen("127.0.0.1", host, 1), ready)
}

/// Federated sign-in in a real browser: the log-in page sends an address at the organisation's
/// domain on to the organisation's own provider (a second Tessera, at `localhost`: a site of its
/// own, with its own cookies), the person logs in and allows there, and comes back to Tessera
/// signed in: the page after the log-in form goes on by itself (a redirect after a form may not
/// leave the site, `form-action 'self'`), and the state cookie set before leaving returns with
/// the cross-site navigation back (`SameSite=Lax`). In process only (the test serves both sites).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_signs_in_through_their_organisation() {
    if std::env::var("TESSERA_PAGES_URL").is_ok() {
        return;
    }
    let Some(browser) = Chromium::start().await else {
        return;
    };
    // The organisation: its provider and its own log-in pages.
    let (org_base, org_ready) = serve_site(
        "localhost",
        |request, (provider, pages): (oidc::OidcState, IdentityDeps)| async move {
            match function_serving(&request).as_str() {
                "oidc" => oidc::handle(request, provider).await,
                _ => portal::handle(request, pages).await,
            }
        },
    )
    .await;
    let org = TestApp::with_vars(Backend::Embedded, &[("TESSERA_PUBLIC_URL", &org_base)]).await;
    org_ready.set((org.state(), org.state())).ok();
    // Tessera: the log-in pages, the account, and federation.
    let (base, ready) = serve_site(
        "127.0.0.1",
        |request, (pages, federation): (IdentityDeps, federation::FederationState)| async move {
            match function_serving(&request).as_str() {
                "federation" => federation::handle(request, federation).await,
                _ => portal::handle(request, pages).await,
            }
        },
    )
    .await;
    let app = TestApp::with_vars(Backend::Embedded, &[("TESSERA_PUBLIC_URL", &base)]).await;
    ready.set((app.state(), app.state())).ok();

    // Tessera registered at the organisation, and the organisation at Tessera.
    let org_admin = tessera_tests::staff_member(
        &org,
        "org.admin",
        &[tessera_identity::staff::Role::ProgramAdmin],
    )
    .await;
    let body = serde_json::json!({
        "name": "Tessera", "type": "confidential",
        "redirect_uris": [format!("{base}/federation/callback")],
        "reason": "our people sign in to the certification program"
    });
    let client = org
        .call(
            oidc::handle,
            tessera_tests::authorized(
                "POST",
                "/v1/staff/oidc-clients",
                &org_admin.token,
                Some(&body),
            ),
        )
        .await;
    assert_eq!(client.status, 201, "{}", client.text);
    let domain = format!("org{}.example", tessera_testkit::app::unique());
    let admin = tessera_tests::staff_member(
        &app,
        "federation.admin",
        &[tessera_identity::staff::Role::ProgramAdmin],
    )
    .await;
    let body = serde_json::json!({
        "name": "Example Networks", "issuer": org_base,
        "client_id": client.json["client_id"], "client_secret": client.json["client_secret"],
        "domains": [domain], "default_country": "GB", "reason": "their people sign in at work"
    });
    let registered = app
        .call(
            federation::handle,
            tessera_tests::authorized(
                "POST",
                "/v1/staff/federation-providers",
                &admin.token,
                Some(&body),
            ),
        )
        .await;
    assert_eq!(registered.status, 201, "{}", registered.text);
    let email = format!("ada@{domain}");
    tessera_tests::activate_address(&org, &email).await;

    let site = Site::InProcess {
        app: Box::new(app),
        base,
    };
    let tab = browser.tab(&site).await;
    tab.open("/").await;
    tab.fill("#email", &email).await;
    tab.submit("form[action='/sign-in'] button").await;
    // At the organisation: its own log-in page.
    let at_org = format!(
        "location.origin === {} && document.readyState === 'complete' \
         && document.querySelector('#email') !== null",
        Value::from(org_base.clone())
    );
    assert!(tab.wait_until(&at_org).await, "sent on to the organisation");
    tab.log_in(&email, PASSWORD).await;
    let consent = "document.readyState === 'complete' && document.querySelector('button[value=allow]') !== null";
    assert!(
        tab.wait_until(consent).await,
        "the organisation asks to allow"
    );
    tab.submit("button[value=allow]").await;
    // Back at Tessera, signed in.
    let home = format!(
        "location.href === {} && document.readyState === 'complete' \
         && document.body.innerText.includes({})",
        Value::from(site.url("/account")),
        Value::from(email.clone())
    );
    assert!(tab.wait_until(&home).await, "signed in at Tessera");
    let Site::InProcess { app, .. } = &site else {
        unreachable!()
    };
    let identity = app
        .deps
        .store
        .identity(&tessera_kernel::email::Email::parse(&email).unwrap())
        .await
        .unwrap()
        .expect("the account made at the first sign-in");
    assert!(identity.federated);
    tab.check("federated-account").await;
    browser.stop().await;
}
