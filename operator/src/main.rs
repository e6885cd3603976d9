//! `tessera-operator grant-role --email <address> --role <role> --reason <text> [--operator <name>]`
//! `tessera-operator backup <file>` / `tessera-operator restore <file>` (the embedded default:
//! on AWS the tables' point-in-time recovery is the backup, docs/runbooks.md)
//!
//! Reads the same configuration as the functions (`TESSERA_BACKEND`, the tables, …), so it runs
//! against the embedded default or a deployment. Prints the account and its roles as JSON.

use tessera_http::config::{Config, Secrets};
use tessera_http::wiring::{Connections, OsRandom, SystemClock};
use tessera_identity::staff::{roles_text, Role};
use tessera_kernel::audit::Reason;
use tessera_kernel::email::Email;

const USAGE: &str = "usage: tessera-operator grant-role --email <address> --role <support|fulfillment|program_admin|auditor> --reason <text> [--operator <name>]\n       tessera-operator backup <file> | restore <file>";

struct GrantRole {
    email: Email,
    role: Role,
    reason: Reason,
    operator: String,
}

fn parse(args: &[String]) -> Result<GrantRole, String> {
    let Some((command, flags)) = args.split_first() else {
        return Err(USAGE.into());
    };
    if command != "grant-role" {
        return Err(format!("unknown command {command:?}\n{USAGE}"));
    }
    let flag = |name: &str| {
        flags
            .iter()
            .position(|f| f == name)
            .and_then(|i| flags.get(i + 1))
            .cloned()
    };
    let email = flag("--email")
        .and_then(|e| Email::parse(&e).ok())
        .ok_or("--email: an email address")?;
    let role = flag("--role")
        .and_then(|r| Role::parse(&r))
        .ok_or("--role: support, fulfillment, program_admin or auditor")?;
    let reason = flag("--reason")
        .and_then(|r| Reason::parse(&r))
        .ok_or("--reason: why (1 to 500 characters)")?;
    let operator = flag("--operator")
        .or_else(|| std::env::var("USER").ok())
        .filter(|o| !o.trim().is_empty())
        .unwrap_or_else(|| "operator".into());
    Ok(GrantRole {
        email,
        role,
        reason,
        operator,
    })
}

/// `backup <file>` or `restore <file>` on the embedded default's database.
fn backup_or_restore(args: &[String]) -> Option<Result<String, String>> {
    let (command, rest) = args.split_first()?;
    if command != "backup" && command != "restore" {
        return None;
    }
    let [file] = rest else {
        return Some(Err(USAGE.into()));
    };
    let config = match Config::from_env_for(Secrets::NONE) {
        Ok(config) => config,
        Err(e) => return Some(Err(format!("configuration error: {e}"))),
    };
    let tessera_http::config::Backend::Embedded { dir } = &config.backend else {
        return Some(Err(
            "backup and restore are for the embedded default; on AWS, restore a table to a point in time (docs/runbooks.md)".into(),
        ));
    };
    let database = tessera_local::database_file(dir);
    let file = std::path::Path::new(file);
    let done = if command == "backup" {
        tessera_local::backup(&database, file)
    } else {
        tessera_local::restore(file, &database)
    };
    Some(
        done.map(|()| {
            serde_json::json!({ "command": command, "database": database, "file": file })
                .to_string()
        })
        .map_err(|e| e.to_string()),
    )
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(done) = backup_or_restore(&args) {
        match done {
            Ok(report) => println!("{report}"),
            Err(message) => {
                eprintln!("{message}");
                std::process::exit(1);
            }
        }
        return;
    }
    let grant = match parse(&args) {
        Ok(grant) => grant,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let config = match Config::from_env_for(Secrets::NONE) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("configuration error: {e}");
            std::process::exit(2);
        }
    };
    let deps = match Connections::open_by_standard_chain(&config)
        .await
        .and_then(|c| {
            c.identity_deps(
                &config,
                std::sync::Arc::new(SystemClock),
                std::sync::Arc::new(OsRandom),
            )
        }) {
        Ok(deps) => deps,
        Err(e) => {
            eprintln!("cannot open the backend: {e}");
            std::process::exit(1);
        }
    };
    match tessera_operator::grant_role(
        &deps,
        &grant.operator,
        &grant.email,
        grant.role,
        &grant.reason,
    )
    .await
    {
        Ok((account, change)) => println!(
            "{}",
            serde_json::json!({
                "account_id": account.as_str(),
                "email": grant.email.as_str(),
                "roles_before": roles_text(&change.before),
                "roles": roles_text(&change.after),
            })
        ),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
