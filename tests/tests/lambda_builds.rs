//! What SAM deploys is each function's package built on its own (`cargo lambda build` in the
//! function's folder, no features): that build must leave the embedded backend out, since Lambda
//! only ever talks to AWS and SQLite is about 0.5 MB of every binary.

use std::process::Command;
use tessera_testkit::repo_root;

/// The packages `package` links when built on its own with `features`, one per line.
fn linked_packages(package: &str, features: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(repo_root())
        .args(["tree", "--offline", "--edges", "normal", "--prefix", "none"])
        .args(["--package", package])
        .args(features.iter().flat_map(|f| ["--features", f]))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn deployed_functions_carry_no_embedded_backend() {
    let functions = std::fs::read_dir(repo_root().join("functions")).unwrap();
    let mut checked = 0;
    for function in functions {
        let name = function.unwrap().file_name().into_string().unwrap();
        let linked = linked_packages(&name, &[]);
        assert!(
            linked.lines().any(|l| l.starts_with("tessera-http ")),
            "{name}: {linked}"
        );
        for embedded in ["tessera-local ", "rusqlite ", "libsqlite3-sys "] {
            assert!(
                !linked.lines().any(|l| l.starts_with(embedded)),
                "{name} links {embedded}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 15, "{checked} functions");
}

/// The local runs turn it on: the feature `make dev`, `make jobs` and the scripts name exists and
/// brings SQLite in.
#[test]
fn the_embedded_feature_brings_the_local_store() {
    let linked = linked_packages("accounts", &["tessera-http/embedded"]);
    assert!(
        linked.lines().any(|l| l.starts_with("rusqlite ")),
        "{linked}"
    );
    let makefile = std::fs::read_to_string(repo_root().join("Makefile")).unwrap();
    assert!(makefile.contains("--features tessera-http/embedded"));
}
