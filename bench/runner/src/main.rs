//! `make bench`: measures what a serverless identity system is judged on and writes
//! `bench/RESULTS.md` and `bench/results.json`. Expects release binaries in `target/release/`,
//! arm64 bootstraps in `target/lambda/` and moto at `AWS_ENDPOINT_URL` (scripts/bench.sh sees to
//! all three). Figures are medians with min–max, and ratios measured side by side in one run.

mod cold;
mod cost;
mod load;
mod memory;
mod overhead;
mod sizes;
mod stats;

use serde_json::json;
use stats::Summary;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use tessera_testkit::{repo_root, template};

const FLOOR: &str = "bench-hello";
/// Functions that hold no AWS SDK client (their Init target is 1.5× the floor, not 2×).
const SDK_FREE: &[&str] = &["password-policy"];

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn function_names(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("functions"))
        .expect("functions/")
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// The first event in `events/<function>/`, by name.
fn first_event(root: &Path, function: &str) -> String {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("events").join(function))
        .expect("events/<function>/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    std::fs::read_to_string(&files[0]).unwrap()
}

/// What every cold-started process gets: the Lambda variables, the aws backend on moto.
async fn function_env(table: &str) -> HashMap<String, String> {
    let mut env: HashMap<String, String> = [
        ("AWS_LAMBDA_FUNCTION_NAME", "bench"),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench"),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "bench"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("TESSERA_BACKEND", "aws"),
        ("TESSERA_EMAIL_FROM", tessera_testkit::app::TEST_SENDER),
        ("TESSERA_CODE_PEPPER", "bench-pepper-0123456789"),
        ("TESSERA_TOTP_KEYS", tessera_testkit::app::MOTO_SEED_KEYS),
        ("TESSERA_UNIFORM_ANSWER_MS", "0"),
        // The fulfillment function as deployed: the provider's API (never called here; its
        // HTTPS client is built on the first checkout, so Init does not include it).
        ("TESSERA_PAYMENT_PROVIDER", "stripe"),
        ("TESSERA_STRIPE_SECRET_KEY", "sk_test_bench_never_used"),
        ("TESSERA_STRIPE_API_BASE", "http://127.0.0.1:9"),
        ("TESSERA_PAYMENT_WEBHOOK_SECRET", "whsec_bench_0123456789"),
        (
            "TESSERA_CHECKOUT_RETURN_URL",
            "https://app.example.com/orders",
        ),
        ("RUST_LOG", "warn"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    env.insert("TESSERA_IDENTITY_TABLE".into(), table.into());
    env.insert("AWS_ENDPOINT_URL".into(), tessera_testkit::moto::endpoint());
    env
}

/// Init ms, first-response ms and resident MiB of each cold start of one function.
type ColdSamples = (Vec<f64>, Vec<f64>, Vec<f64>);

struct ColdRow {
    function: String,
    init: Summary,
    first_response: Summary,
    /// Resident MiB right after the first response.
    rss_mib: Summary,
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} × {cpu}, {}", std::env::consts::ARCH)
}

#[tokio::main]
async fn main() {
    let root = repo_root();
    // `make soak`'s load run: only the load on `cargo lambda watch --release`, printed.
    if std::env::args().nth(1).as_deref() == Some("load") {
        let report = run_load(&root);
        print!("{}", load::table(&report.runs));
        println!();
        print!(
            "{}",
            load::memory_table(&report.memory, &template::memory_sizes(&template::load()))
        );
        if report.runs.iter().any(|r| r.errors > 0) {
            eprintln!("the load run had errors");
            std::process::exit(1);
        }
        if let Some(m) = report
            .memory
            .iter()
            .find(|m| m.growth_mib() >= load::GROWTH_ALLOWED_MIB)
        {
            eprintln!(
                "{} grew by {:.1} MiB over the load run",
                m.function,
                m.growth_mib()
            );
            std::process::exit(1);
        }
        return;
    }
    let samples = env_number("BENCH_SAMPLES", 30);
    // Only the login beside its argon2 verification, printed: a quick check of one figure.
    if std::env::args().nth(1).as_deref() == Some("login") {
        let login = overhead::login_against_argon2(samples).await;
        println!(
            "argon2 verification {} ms, login {} ms, login ÷ verification {}",
            login.argon2_verify.show(2),
            login.login.show(2),
            login.ratio.show(3)
        );
        let reference = overhead::verify_against_reference(&root, samples).await;
        println!(
            "argon2 verification {} ms, reference {} ms, ours ÷ reference {:.3}",
            reference.ours.show(2),
            reference.reference.show(2),
            reference.ratio
        );
        let read = overhead::authenticated_read(samples * 10).await;
        println!("GET /v1/me in process {} ms", read.show(3));
        return;
    }
    let runs = env_number("BENCH_COLD_RUNS", 10);
    let functions = function_names(&root);
    let date = time::OffsetDateTime::now_utc().date().to_string();

    // Cold starts, the floor first and then each function, interleaved run by run so drift in
    // the machine's load spreads over all of them alike.
    let sdk = tessera_testkit::moto::sdk_config().await;
    let table = format!("bench-{}", tessera_testkit::app::unique());
    let candidates = format!("bench-candidates-{}", tessera_testkit::app::unique());
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    let definitions = template::load();
    template::create_table(&dynamodb, &definitions, "IdentityTable", &table).await;
    template::create_table(&dynamodb, &definitions, "CandidateTable", &candidates).await;
    let audit = format!("bench-audit-{}", tessera_testkit::app::unique());
    template::create_table(&dynamodb, &definitions, "AuditTable", &audit).await;
    tessera_testkit::moto::verify_sender_domain(&sdk, "tessera.test").await;
    let mut env = function_env(&table).await;
    env.insert("TESSERA_CANDIDATE_TABLE".into(), candidates);
    // The template gives every function the audit table, as it does the others.
    env.insert("TESSERA_AUDIT_TABLE".into(), audit);
    // And the functions that sign credentials or ID tokens their KMS keys (one each on moto, as
    // the tests make).
    for keys in [
        tessera_kernel::signing::SigningKeys::Credentials,
        tessera_kernel::signing::SigningKeys::IdTokens,
    ] {
        env.insert(
            keys.variable().into(),
            tessera_testkit::moto::signing_key(keys).await,
        );
    }
    let mut subjects: Vec<(String, String)> =
        vec![(FLOOR.to_string(), first_event(&root, "password-policy"))];
    subjects.extend(functions.iter().map(|f| (f.clone(), first_event(&root, f))));
    let mut samples_by: HashMap<String, ColdSamples> = HashMap::new();
    for run in 0..runs {
        for (name, event) in &subjects {
            let binary = root.join("target/release").join(name);
            let c = cold::run_once(&binary, event, &env)
                .unwrap_or_else(|e| panic!("{name}, run {run}: {e}"));
            let entry = samples_by.entry(name.clone()).or_default();
            entry.0.push(c.init.as_secs_f64() * 1000.0);
            entry.1.push(c.first_response.as_secs_f64() * 1000.0);
            entry.2.push(c.memory.rss_mib());
        }
        eprintln!("cold starts: run {} of {runs}", run + 1);
    }
    let cold_rows: Vec<ColdRow> = subjects
        .iter()
        .map(|(name, _)| {
            let (init, first, rss) = &samples_by[name];
            ColdRow {
                function: name.clone(),
                init: Summary::of(init),
                first_response: Summary::of(first),
                rss_mib: Summary::of(rss),
            }
        })
        .collect();
    let floor_init = cold_rows[0].init.median;

    let sizes = sizes::arm64_sizes(&root.join("target/lambda"), &{
        let mut all = vec![FLOOR.to_string()];
        all.extend(functions.iter().cloned());
        all
    });

    eprintln!("login beside argon2: {samples} pairs");
    let login = overhead::login_against_argon2(samples).await;
    let read = overhead::authenticated_read(samples).await;
    eprintln!("our argon2 verification beside the reference: {samples} each");
    let reference = overhead::verify_against_reference(&root, samples).await;

    eprintln!("DynamoDB round trips on moto");
    let trips = tessera_tests::round_trips::flows().await;
    eprintln!("the pending-accounts job over 10,000 accounts, 50 due, on moto");
    let scale = tessera_tests::job_scale::pending_accounts(10_000, 50).await;

    let load = if std::env::var_os("BENCH_SKIP_LOAD").is_some() {
        None
    } else {
        Some(run_load(&root))
    };
    let memory_sizes = template::memory_sizes(&definitions);

    let handler_ms = (login.login.median - login.argon2_verify.median).max(0.0);
    let costs = cost::price(login.argon2_verify.median, handler_ms, 400.0);

    let markdown = report(
        &date,
        runs,
        floor_init,
        &cold_rows,
        &sizes,
        &login,
        &reference,
        &read,
        &trips,
        &scale,
        load.as_ref(),
        &memory_sizes,
        &costs,
    );
    let json = json!({
        "date": date,
        "machine": machine(),
        "cold_start_ms": cold_rows.iter().map(|r| json!({
            "function": r.function,
            "init": r.init,
            "first_response": r.first_response,
            "init_ratio_to_floor": r.init.median / floor_init,
            "rss_mib_after_first_response": r.rss_mib,
        })).collect::<Vec<_>>(),
        "arm64_sizes": sizes,
        "login_ms": login.login,
        "argon2_verify_ms": login.argon2_verify,
        "login_over_argon2": login.ratio,
        "argon2_verify_beside_reference_ms": { "ours": reference.ours, "reference": reference.reference, "ours_over_reference": reference.ratio },
        "authenticated_read_ms": read,
        "dynamodb_calls": trips,
        "expiry_job_at_scale": scale,
        "load_on_watch": load.as_ref().map(|l| &l.runs),
        "memory_on_watch": load.as_ref().map(|l| &l.memory),
        "template_memory_mb": memory_sizes,
        "cost_per_million_usd": costs,
        "prices_dated": cost::PRICES_DATED,
    });
    let out = root.join("bench");
    std::fs::write(out.join("RESULTS.md"), markdown).unwrap();
    std::fs::write(
        out.join("results.json"),
        serde_json::to_string_pretty(&json).unwrap() + "\n",
    )
    .unwrap();
    eprintln!("wrote bench/RESULTS.md and bench/results.json");
}

fn run_load(root: &Path) -> load::LoadReport {
    eprintln!("load on cargo lambda watch --release");
    load::run(
        root,
        9137,
        load::Counts {
            logins: env_number("BENCH_LOAD_LOGINS", 1000),
            signups: env_number("BENCH_LOAD_SIGNUPS", 1000),
            reads: env_number("BENCH_LOAD_READS", 2000),
            mixed: env_number("BENCH_LOAD_MIXED", 500),
        },
        4,
    )
}

#[allow(clippy::too_many_arguments)]
fn report(
    date: &str,
    runs: usize,
    floor_init: f64,
    cold_rows: &[ColdRow],
    sizes: &[sizes::Size],
    login: &overhead::LoginOverhead,
    reference: &overhead::AgainstReference,
    read: &Summary,
    trips: &[tessera_tests::round_trips::FlowCalls],
    scale: &tessera_tests::job_scale::JobScale,
    load: Option<&load::LoadReport>,
    memory_sizes: &std::collections::BTreeMap<String, u64>,
    costs: &[cost::FlowCost],
) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Benchmark results\n");
    let _ = writeln!(
        md,
        "Written by `make bench` on {date}, on {}. Medians with min–max; ratios are measured side \
         by side in one run (absolute times on a shared machine are noisy). What each figure \
         means and its target: `../shared/design/PERFORMANCE.md`; how it is measured: \
         `bench/runner/src/`.\n",
        machine()
    );

    let _ = writeln!(
        md,
        "## Cold start (native release binaries, {runs} runs each)\n"
    );
    let _ = writeln!(
        md,
        "Process start → first `next` call to a local Runtime API stand-in (Init), and → the \
         first response to one event from `events/` (DynamoDB on moto over loopback, so no TLS \
         handshake). The floor is `bench-hello`, a bare `lambda_http` function built the same way. \
         RSS is the process's resident memory right after that first response, beside the size \
         the template gives the function.\n"
    );
    let _ = writeln!(
        md,
        "| Function | Init ms | Init ÷ floor | Target | First response ms | RSS MiB | Template MB |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|");
    for row in cold_rows {
        let ratio = row.init.median / floor_init;
        let target = if row.function == FLOOR {
            "—".to_string()
        } else {
            let limit = if SDK_FREE.contains(&row.function.as_str()) {
                1.5
            } else {
                2.0
            };
            format!("≤ {limit}× {}", if ratio <= limit { "✓" } else { "✗" })
        };
        let _ = writeln!(
            md,
            "| {} | {} | {:.2} | {} | {} | {:.1} | {} |",
            row.function,
            row.init.show(2),
            ratio,
            target,
            row.first_response.show(1),
            row.rss_mib.median,
            memory_sizes
                .get(&row.function)
                .map_or("—".to_string(), |mb| mb.to_string())
        );
    }

    let _ = writeln!(
        md,
        "\n## Binary size (arm64, `cargo lambda build --release --arm64`)\n"
    );
    if sizes.is_empty() {
        let _ = writeln!(
            md,
            "No arm64 build found in `target/lambda/` (BENCH_SKIP_ARM64 was set)."
        );
    } else {
        let _ = writeln!(
            md,
            "| Function | bootstrap MB | zipped MB | Target (zipped) |"
        );
        let _ = writeln!(md, "|---|---|---|---|");
        for s in sizes {
            let zipped = s.zipped_bytes as f64 / 1e6;
            let target = if s.function == FLOOR {
                "—".to_string()
            } else {
                let limit = if SDK_FREE.contains(&s.function.as_str()) {
                    1.5
                } else {
                    3.5
                };
                format!("≤ {limit} {}", if zipped <= limit { "✓" } else { "✗" })
            };
            let _ = writeln!(
                md,
                "| {} | {:.2} | {:.2} | {} |",
                s.function,
                s.bytes as f64 / 1e6,
                zipped,
                target
            );
        }
    }

    let _ = writeln!(
        md,
        "\n## Login beside its password hash (in process, embedded store)\n"
    );
    let _ = writeln!(md, "| Measure | ms or ratio |");
    let _ = writeln!(md, "|---|---|");
    let _ = writeln!(
        md,
        "| One argon2id verification (m = 19 MiB, t = 2, p = 1) | {} |",
        login.argon2_verify.show(2)
    );
    let _ = writeln!(
        md,
        "| The same verification by the reference (`@node-rs/argon2`, prebuilt, under Node.js; alternating batches of 5) | {} |",
        reference.reference.show(2)
    );
    let _ = writeln!(
        md,
        "| Ours (again, beside the reference) ÷ the reference, medians (target ≤ 1.1) | {:.3} {} |",
        reference.ratio,
        if reference.ratio <= 1.1 { "✓" } else { "✗" }
    );
    let _ = writeln!(
        md,
        "| `POST /v1/sessions` through the handler | {} |",
        login.login.show(2)
    );
    let _ = writeln!(
        md,
        "| Login ÷ verification, per pair (target ≤ 1.15) | {} {} |",
        login.ratio.show(3),
        if login.ratio.median <= 1.15 {
            "✓"
        } else {
            "✗"
        }
    );
    let _ = writeln!(
        md,
        "| `GET /v1/me` with a token: the handler's own work plus SQLite (target ≤ 1 ms) | {} |",
        read.show(3)
    );

    let _ = writeln!(
        md,
        "\n## DynamoDB calls per request (counted by an SDK interceptor on moto)\n"
    );
    let _ = writeln!(md, "| Flow | Calls | Minimum | Operations |");
    let _ = writeln!(md, "|---|---|---|---|");
    for f in trips {
        let _ = writeln!(
            md,
            "| {} | {} | {} {} | {} |",
            f.flow,
            f.calls.len(),
            f.minimum,
            if f.calls.len() <= f.minimum {
                "✓"
            } else {
                "✗"
            },
            f.calls.join(", ")
        );
    }

    let count = |op: &str| scale.calls.iter().filter(|c| *c == op).count();
    let _ = writeln!(
        md,
        "\n## A scheduled job at scale (moto)\n\nThe pending-accounts job over {} pending \
         accounts, {} of them due: it found {} and purged {}, with {} `Query` and {} \
         `TransactWriteItems` ({} calls in all, no `Scan`); a second run with nothing due made \
         {} call(s): {}.",
        scale.items,
        scale.due,
        scale.report.due,
        scale.report.changed,
        count("Query"),
        count("TransactWriteItems"),
        scale.calls.len(),
        scale.idle_calls.len(),
        scale.idle_calls.join(", ")
    );

    let _ = writeln!(
        md,
        "\n## Throughput on the embedded default (`cargo lambda watch --release`, loopback)\n"
    );
    match load {
        None => {
            let _ = writeln!(md, "Skipped (BENCH_SKIP_LOAD was set).");
        }
        Some(load) => {
            let _ = writeln!(
                md,
                "One account made through the API; each client is a thread with its own \
                 keep-alive connection. The watcher runs one process per function, as `make dev` \
                 does. The sign-up run signs up a new address each time (argon2 hash, outbox \
                 email); the mixed run signs up a new address every tenth request, logs in on two \
                 and reads the profile on seven.\n"
            );
            md.push_str(&load::table(&load.runs));
            let _ = writeln!(
                md,
                "\n### Memory of each function process over the load run\n\nResident memory \
                 (`VmRSS`) after ten requests of each kind, one by one, and after all the runs \
                 above; the peak is `VmHWM`, the most the process ever held. A warm function \
                 must not grow with the requests it serves, and its peak must stay well under \
                 the memory the template gives it.\n"
            );
            md.push_str(&load::memory_table(&load.memory, memory_sizes));
        }
    }

    let _ = writeln!(
        md,
        "\n## Cost model (us-east-1 list prices of {}, arm64, 1024 MB)\n",
        cost::PRICES_DATED
    );
    let _ = writeln!(
        md,
        "Billed duration = measured CPU time ÷ {:.0} % (the CPU share of 1024 MB) + {} ms per \
         DynamoDB round trip (calls sent together wait once) + {} ms per email, at least the \
         400 ms uniform-answer floor where it applies. Lambda $0.0000133334/GB-s + $0.20/M \
         requests; HTTP API $1.00/M; DynamoDB on-demand $0.625/M write units, $0.125/M read \
         units; SES $0.10/1,000 emails.\n",
        cost::CPU_SHARE_AT_1024_MB * 100.0,
        cost::DYNAMODB_CALL_MS,
        cost::SEND_CALL_MS
    );
    let _ = writeln!(
        md,
        "| Flow | Billed ms per request | Lambda | HTTP API | DynamoDB | SES | Total $/M |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|");
    for c in costs {
        let (name, b) = (c.flow, &c.per_million);
        let billed = c
            .billed_ms
            .iter()
            .map(|(request, ms)| format!("{request}: {ms:.0}"))
            .collect::<Vec<_>>()
            .join("; ");
        let _ = writeln!(
            md,
            "| {name} | {billed} | {:.2} | {:.2} | {:.2} | {:.2} | **{:.2}** |",
            b.lambda, b.http_api, b.dynamodb, b.ses, c.total
        );
    }
    md
}
