//! Throughput on the embedded default: `cargo lambda watch --release` on loopback (as `make dev`
//! serves the API, with release builds), one account made through the API, then bounded runs of
//! logins, of sign-ups, of authenticated reads, and of a mix of the three, from a few concurrent
//! keep-alive clients. Each function process's resident memory is read after the first ten
//! requests of each kind and again after all the runs: a warm function must not grow.
//!
//! The watcher builds into its own target folder (`target/watch`): its feature set (the
//! embedded backend) differs from the bench's and the deployed build's, and in one folder each
//! build would rebuild what the other had just built.

use crate::memory::{self, Resident};
use crate::stats::Summary;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "Quartz-Harbor-42x";

#[derive(Clone, Debug, Serialize)]
pub struct LoadRun {
    pub route: &'static str,
    pub requests: usize,
    pub clients: usize,
    pub errors: usize,
    pub requests_per_second: f64,
    pub latency_ms: Summary,
    pub p99_ms: f64,
}

/// Stops `cargo lambda watch` and the function processes it started.
struct Watch(Child);

impl Drop for Watch {
    fn drop(&mut self) {
        // The watcher runs in its own process group: end the group, functions included.
        let _ = Command::new("kill")
            .args(["--", &format!("-{}", self.0.id())])
            .status();
        let _ = self.0.wait();
    }
}

/// How many requests each run sends.
pub struct Counts {
    pub logins: usize,
    pub signups: usize,
    pub reads: usize,
    /// Of every ten: one sign-up of a new address, two logins, seven reads.
    pub mixed: usize,
}

/// Requests of each kind sent one by one before the first memory reading.
const WARM_UP: usize = 10;

/// A function process's memory after the warm-up and after every run.
#[derive(Clone, Debug, Serialize)]
pub struct FunctionMemory {
    pub function: String,
    pub after_first_ten: Resident,
    pub after_runs: Resident,
}

impl FunctionMemory {
    pub fn growth_mib(&self) -> f64 {
        (self.after_runs.rss_kib as f64 - self.after_first_ten.rss_kib as f64) / 1024.0
    }
}

pub struct LoadReport {
    pub runs: Vec<LoadRun>,
    pub memory: Vec<FunctionMemory>,
}

pub fn run(root: &Path, port: u16, counts: Counts, clients: usize) -> LoadReport {
    let state = tempfile::tempdir().expect("a state folder");
    let mut command = Command::new("setsid");
    command
        .args([
            "cargo",
            "lambda",
            "watch",
            "--release",
            "--features",
            "tessera-http/embedded",
            "--invoke-address",
            "127.0.0.1",
        ])
        .args(["--invoke-port", &port.to_string()])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", root.join("target/watch"))
        .env("TESSERA_LOCAL_DIR", state.path())
        .env("TESSERA_UNIFORM_ANSWER_MS", "0")
        // Every request comes from loopback: the per-client limits would measure themselves.
        .env("TESSERA_CLIENT_REGISTRATIONS", "0")
        .env("TESSERA_CLIENT_LOGINS", "0")
        .env("TESSERA_CLIENT_RECOVERIES", "0")
        .env("TESSERA_CLIENT_VERIFICATIONS", "0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut watch = Watch(command.spawn().expect("cargo lambda watch starts"));
    let base = format!("http://127.0.0.1:{port}");
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(120))
        .build();
    wait_until_serving(&agent, &base, &mut watch.0);

    let email = format!("load.{}@example.com", std::process::id());
    let body = serde_json::json!({ "email": email, "password": PASSWORD, "first_name": "Ada", "last_name": "Lovelace", "country": "GB" });
    post(&agent, &format!("{base}/v1/accounts"), &body).expect("sign-up");
    let outbox = tessera_testkit::messages::from_outbox(&state.path().join("outbox.jsonl"));
    let code = outbox
        .iter()
        .rev()
        .find(|m| m.to == email)
        .and_then(|m| tessera_testkit::messages::extract_code(&m.body))
        .expect("the activation code in the outbox");
    post(
        &agent,
        &format!("{base}/v1/accounts/activate"),
        &serde_json::json!({ "email": email, "code": code, "password": PASSWORD }),
    )
    .expect("activation");
    let login = serde_json::json!({ "email": email, "password": PASSWORD });
    let token = post(&agent, &format!("{base}/v1/sessions"), &login).expect("log in")["token"]
        .as_str()
        .expect("a token")
        .to_string();
    get_me(&agent, &base, &token).expect("a first read");

    let login_url = format!("{base}/v1/sessions");
    let signup_url = format!("{base}/v1/accounts");
    let new_address = |run: &str, n: usize| {
        let email = format!("load.{}.{run}.{n}@example.com", std::process::id());
        serde_json::json!({ "email": email, "password": PASSWORD, "first_name": "Grace", "last_name": "Hopper", "country": "US" })
    };
    for n in 0..WARM_UP {
        post(&agent, &login_url, &login).expect("a warm-up login");
        post(&agent, &signup_url, &new_address("warm", n)).expect("a warm-up sign-up");
        get_me(&agent, &base, &token).expect("a warm-up read");
    }
    let functions = root.join("target/watch/release");
    let after_first_ten: Vec<(String, u32, Resident)> = memory::processes_in(&functions)
        .into_iter()
        .filter_map(|(name, pid)| memory::of(pid).map(|m| (name, pid, m)))
        .collect();
    assert!(
        after_first_ten.iter().any(|(name, ..)| name == "sessions"),
        "no sessions process under {}",
        functions.display()
    );

    let logins_run = drive("POST /v1/sessions", counts.logins, clients, |agent, _| {
        post(agent, &login_url, &login).map(|_| ())
    });
    let signups_run = drive("POST /v1/accounts", counts.signups, clients, |agent, n| {
        post(agent, &signup_url, &new_address("signup", n)).map(|_| ())
    });
    let reads_run = drive("GET /v1/me", counts.reads, clients, |agent, _| {
        get_me(agent, &base, &token)
    });
    let mixed_run = drive(
        "mixed: 10 % sign-up, 20 % log-in, 70 % GET /v1/me",
        counts.mixed,
        clients,
        |agent, n| match n % 10 {
            0 => post(agent, &signup_url, &new_address("mixed", n)).map(|_| ()),
            3 | 6 => post(agent, &login_url, &login).map(|_| ()),
            _ => get_me(agent, &base, &token),
        },
    );
    let memory = after_first_ten
        .into_iter()
        .map(|(function, pid, first)| FunctionMemory {
            after_runs: memory::of(pid)
                .unwrap_or_else(|| panic!("{function} ended during the load run")),
            function,
            after_first_ten: first,
        })
        .collect();
    LoadReport {
        runs: vec![logins_run, signups_run, reads_run, mixed_run],
        memory,
    }
}

/// Growth a warm function may show over the runs: allocator and page-cache noise, far below
/// one password hash's 19 MiB arena.
pub const GROWTH_ALLOWED_MIB: f64 = 8.0;

/// The memory readings as a Markdown table, beside the size the template gives each function.
pub fn memory_table(memory: &[FunctionMemory], sizes: &BTreeMap<String, u64>) -> String {
    let mut md = format!(
        "| Function | RSS after the first {WARM_UP} MiB | RSS after the runs MiB | Growth MiB (target < {GROWTH_ALLOWED_MIB}) | Peak MiB | Template MB | Peak ÷ template |\n|---|---|---|---|---|---|---|\n"
    );
    for m in memory {
        let size = sizes.get(&m.function).copied().unwrap_or(0);
        let growth = m.growth_mib();
        md.push_str(&format!(
            "| {} | {:.1} | {:.1} | {:.1} {} | {:.1} | {} | {:.0} % |\n",
            m.function,
            m.after_first_ten.rss_mib(),
            m.after_runs.rss_mib(),
            growth,
            if growth < GROWTH_ALLOWED_MIB {
                "✓"
            } else {
                "✗"
            },
            m.after_runs.peak_mib(),
            size,
            100.0 * m.after_runs.peak_mib() / size as f64,
        ));
    }
    md
}

/// The runs as a Markdown table.
pub fn table(runs: &[LoadRun]) -> String {
    let mut md = String::from(
        "| Route | Requests | Clients | Errors | Requests/s | Latency ms | p99 ms |\n|---|---|---|---|---|---|---|\n",
    );
    for l in runs {
        md.push_str(&format!(
            "| {} | {} | {} | {} | {:.0} | {} | {:.1} |\n",
            l.route,
            l.requests,
            l.clients,
            l.errors,
            l.requests_per_second,
            l.latency_ms.show(1),
            l.p99_ms
        ));
    }
    md
}

fn wait_until_serving(agent: &ureq::Agent, base: &str, watch: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(600);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = watch.try_wait() {
            panic!("cargo lambda watch exited ({status}): is cargo-lambda on PATH (make bench)?");
        }
        if agent
            .get(&format!("{base}/v1/password-policy"))
            .call()
            .is_ok()
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    panic!("cargo lambda watch did not serve within 10 minutes");
}

fn post(
    agent: &ureq::Agent,
    url: &str,
    body: &serde_json::Value,
) -> Result<serde_json::Value, String> {
    let response = agent.post(url).send_json(body).map_err(|e| e.to_string())?;
    response.into_json().or(Ok(serde_json::Value::Null))
}

fn get_me(agent: &ureq::Agent, base: &str, token: &str) -> Result<(), String> {
    agent
        .get(&format!("{base}/v1/me"))
        .set("authorization", &format!("Bearer {token}"))
        .call()
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// `total` requests from `clients` threads, each with its own keep-alive connection; `request`
/// gets each request's number (0 … total − 1).
fn drive(
    route: &'static str,
    total: usize,
    clients: usize,
    request: impl Fn(&ureq::Agent, usize) -> Result<(), String> + Sync,
) -> LoadRun {
    let start = Instant::now();
    let results: Vec<(Vec<f64>, usize)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|i| {
                let request = &request;
                let share = total / clients + usize::from(i < total % clients);
                scope.spawn(move || {
                    let agent = ureq::AgentBuilder::new()
                        .timeout(Duration::from_secs(30))
                        .build();
                    let (mut times, mut errors) = (Vec::with_capacity(share), 0);
                    for j in 0..share {
                        let t = Instant::now();
                        match request(&agent, i + j * clients) {
                            Ok(()) => times.push(t.elapsed().as_secs_f64() * 1000.0),
                            Err(_) => errors += 1,
                        }
                    }
                    (times, errors)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let elapsed = start.elapsed().as_secs_f64();
    let errors = results.iter().map(|(_, e)| e).sum();
    let mut times: Vec<f64> = results.into_iter().flat_map(|(t, _)| t).collect();
    times.sort_by(f64::total_cmp);
    let p99 = times
        .get(((times.len() as f64) * 0.99) as usize)
        .or(times.last())
        .copied()
        .unwrap_or(f64::NAN);
    LoadRun {
        route,
        requests: total,
        clients,
        errors,
        requests_per_second: total as f64 / elapsed,
        latency_ms: Summary::of(&times),
        p99_ms: p99,
    }
}
