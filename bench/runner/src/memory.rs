//! Resident memory of the function processes, from `/proc/<pid>/status`: `VmRSS` (now) and
//! `VmHWM` (the process's peak). Lambda bills and kills by the memory a function holds, so each
//! figure is reported beside the size the template gives the function.

use serde::Serialize;
use std::path::Path;

#[derive(Clone, Copy, Debug, Serialize)]
pub struct Resident {
    pub rss_kib: u64,
    pub peak_kib: u64,
}

impl Resident {
    pub fn rss_mib(&self) -> f64 {
        self.rss_kib as f64 / 1024.0
    }
    pub fn peak_mib(&self) -> f64 {
        self.peak_kib as f64 / 1024.0
    }
}

/// A running process's memory, or `None` once it has gone.
pub fn of(pid: u32) -> Option<Resident> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
    };
    Some(Resident {
        rss_kib: field("VmRSS:")?,
        peak_kib: field("VmHWM:")?,
    })
}

/// The processes whose executable is `<folder>/<name>`, as `(name, pid)`, sorted by name.
pub fn processes_in(folder: &Path) -> Vec<(String, u32)> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(exe) = std::fs::read_link(entry.path().join("exe")) else {
            continue;
        };
        if exe.parent() == Some(folder) {
            if let Some(name) = exe.file_name().and_then(|n| n.to_str()) {
                found.push((name.to_string(), pid));
            }
        }
    }
    found.sort();
    found
}
