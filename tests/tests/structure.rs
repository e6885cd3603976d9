//! The structure the README's layout table describes: one crate per context, each depending only
//! downward (identity and certification on the kernel, fulfillment on certification too), no
//! shared crate too big to read, and every function linking only the contexts it serves.

use std::collections::BTreeSet;
use std::process::Command;
use tessera_testkit::repo_root;

const CONTEXTS: [&str; 8] = [
    "tessera-kernel",
    "tessera-identity",
    "tessera-certification",
    "tessera-fulfillment",
    "tessera-credentials",
    "tessera-oidc",
    "tessera-access",
    "tessera-federation",
];

/// Every crate `package` links in a normal (non-test) build, by name, as `cargo tree` resolves
/// its features on its own (what a Lambda built from that package alone contains), to `depth`
/// levels when given.
fn linked(package: &str, depth: Option<u32>) -> BTreeSet<String> {
    let mut command = Command::new(env!("CARGO"));
    command.current_dir(repo_root()).args([
        "tree",
        "--offline",
        "-e",
        "normal",
        "--prefix",
        "none",
        "-p",
        package,
    ]);
    if let Some(depth) = depth {
        command.args(["--depth", &depth.to_string()]);
    }
    let output = command.output().expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree -p {package}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != package)
        .map(str::to_string)
        .collect()
}

/// The workspace crates `package` links.
fn linked_tessera_crates(package: &str, depth: Option<u32>) -> BTreeSet<String> {
    linked(package, depth)
        .into_iter()
        .filter(|name| name.starts_with("tessera-"))
        .collect()
}

/// Every crate `package` links in a normal build, by name.
fn linked_crates(package: &str) -> BTreeSet<String> {
    linked(package, None)
}

fn function_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo_root().join("functions"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn no_function_is_wired_from_another_functions_crate() {
    let functions = function_names();
    for function in &functions {
        let linked = linked_crates(function);
        let others: Vec<&String> = functions.iter().filter(|f| linked.contains(*f)).collect();
        assert!(others.is_empty(), "{function} links {others:?}");
    }
}

/// Each function's state is put together in one place, its `FromWiring`, which the flow tests
/// call too: a `main` builds nothing by hand (no state literal, no port), it only asks
/// `tessera_http::wiring` for the state its handler takes.
#[test]
fn every_main_builds_its_state_through_the_wiring_the_tests_use() {
    for function in function_names() {
        let main = std::fs::read_to_string(
            repo_root()
                .join("functions")
                .join(&function)
                .join("src/main.rs"),
        )
        .unwrap();
        assert!(
            main.contains("tessera_http::wiring::run(")
                || main.contains("tessera_http::wiring::state_from_env::<"),
            "{function}'s main does not build its state through FromWiring"
        );
        for by_hand in ["Deps {", "State {", "Connections", "::new(", "_deps("] {
            assert!(
                !main.contains(by_hand),
                "{function}'s main builds something by hand ({by_hand:?})"
            );
        }
    }
}

fn contexts_of(crates: &BTreeSet<String>) -> BTreeSet<&'static str> {
    CONTEXTS
        .into_iter()
        .filter(|c| crates.contains(*c))
        .collect()
}

#[test]
fn contexts_depend_only_downward() {
    let expected: [(&str, &[&str]); 8] = [
        ("tessera-kernel", &[]),
        ("tessera-identity", &["tessera-kernel"]),
        ("tessera-certification", &["tessera-kernel"]),
        (
            "tessera-fulfillment",
            &["tessera-kernel", "tessera-certification"],
        ),
        (
            "tessera-credentials",
            &["tessera-kernel", "tessera-certification"],
        ),
        (
            "tessera-oidc",
            &["tessera-kernel", "tessera-identity", "tessera-access"],
        ),
        ("tessera-access", &["tessera-kernel"]),
        (
            "tessera-federation",
            &["tessera-kernel", "tessera-identity"],
        ),
    ];
    for (context, allowed) in expected {
        let direct = contexts_of(&linked_tessera_crates(context, Some(1)));
        let allowed: BTreeSet<&str> = allowed.iter().copied().collect();
        assert_eq!(direct, allowed, "{context} depends on");
    }
}

#[test]
fn each_function_links_only_the_contexts_it_serves() {
    let identity = ["tessera-kernel", "tessera-identity"];
    let certification = [
        "tessera-kernel",
        "tessera-identity",
        "tessera-certification",
    ];
    // The certificate and verification of printed codes: certification's records, seen by a
    // third party.
    let credentials = [
        "tessera-kernel",
        "tessera-identity",
        "tessera-certification",
        "tessera-credentials",
    ];
    let everything = CONTEXTS;
    let mut checked = 0;
    for name in function_names() {
        let expected: &[&str] = match name.as_str() {
            "imports" | "transcript-page" => &certification,
            // The candidate's certification routes, one of which makes the PDF certificate.
            "mapping"
            | "personal-info"
            | "certifications"
            | "transcripts"
            | "staff-records"
            | "portal-certifications"
            | "verification"
            | "issuer"
            | "badges"
            | "portal-badges" => &credentials,
            "fulfillment" | "expiry-jobs" | "staff-orders" | "portal-orders" => &everything[..4],
            // A person's export lists their orders, access levels and the applications they
            // consented to.
            "staff-privacy" => &[
                "tessera-kernel",
                "tessera-identity",
                "tessera-certification",
                "tessera-fulfillment",
                "tessera-oidc",
                "tessera-access",
            ],
            // The console's erasure and export reach a person's orders (and the export their
            // access and consents); its records' pages, the certification routes.
            "staff-console" => &everything[..7],
            // Identity for other applications: accounts, and the provider's own context.
            "oidc" => &[
                "tessera-kernel",
                "tessera-identity",
                "tessera-oidc",
                "tessera-access",
            ],
            // Access levels: sessions, and the levels' own context.
            "access" => &["tessera-kernel", "tessera-identity", "tessera-access"],
            // Signing in through organisations' providers.
            "federation" => &["tessera-kernel", "tessera-identity", "tessera-federation"],
            _ => &identity,
        };
        let linked = contexts_of(&linked_tessera_crates(&name, None));
        let expected: BTreeSet<&str> = expected.iter().copied().collect();
        assert_eq!(linked, expected, "the contexts {name} links");
        checked += 1;
    }
    assert!(checked >= 18, "every function checked ({checked})");
}

#[test]
fn no_shared_crate_is_too_big_to_read() {
    for crate_dir in std::fs::read_dir(repo_root().join("shared")).unwrap() {
        let dir = crate_dir.unwrap().path().join("src");
        let lines = rust_lines(&dir);
        assert!(
            lines <= 6_000,
            "{} holds {lines} lines of source",
            dir.display()
        );
    }
}

fn rust_lines(dir: &std::path::Path) -> usize {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            total += rust_lines(&path);
        } else if path.extension().is_some_and(|e| e == "rs") {
            total += std::fs::read_to_string(&path).unwrap().lines().count();
        }
    }
    total
}
