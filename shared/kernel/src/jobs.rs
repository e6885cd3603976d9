//! What the scheduled jobs share: the report a run answers with, and the page size.
//!
//! Every job finds its work through an index ordered by due time (never a scan), a page at a
//! time, and makes each change with a conditional write, so a run delivered twice or crashed
//! halfway and rerun changes each item once. The items a run changes leave the index (or move to
//! their next due time), so a run keeps taking pages (`drain`) until nothing is due, a page
//! changes nothing, or its time budget is spent; the next run resumes with what is left.

use std::future::Future;
use std::ops::AddAssign;
use std::time::{Duration, Instant};

use serde::Serialize;

/// Items one page of a job takes.
pub const PAGE: usize = 200;

/// How long a run keeps taking pages: well inside the job functions' timeouts (120 s and 300 s),
/// so a run ends on its own and the next one resumes.
pub const RUN_BUDGET: Duration = Duration::from_secs(90);

/// What a page of a job reports, as `drain` needs it.
pub trait PageReport: AddAssign + Default + Copy {
    /// Items the page took (a full page means more may be due).
    fn taken(&self) -> u32;
    /// Whether the page moved anything on (changed, sent or dropped an item).
    fn progressed(&self) -> bool;
}

/// Takes pages (`page`) until one is not full or moves nothing, or `budget` is spent: the run's
/// whole report. A page that fails ends the run with its error (what earlier pages did stays
/// done: each item was its own conditional write).
pub async fn drain<R, E, F, Fut>(budget: Duration, mut page: F) -> Result<R, E>
where
    R: PageReport,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<R, E>>,
{
    let started = Instant::now();
    let mut total = R::default();
    loop {
        let report = page().await?;
        total += report;
        let full = report.taken() as usize >= PAGE;
        if !full || !report.progressed() || started.elapsed() >= budget {
            return Ok(total);
        }
    }
}

/// What one run of a job did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct JobReport {
    /// Items the index listed as due.
    pub due: u32,
    /// Items this run changed.
    pub changed: u32,
    /// Emails this run sent (or kept for the retry job).
    pub notified: u32,
    /// Items another run, a request or a provider's event had changed first.
    pub skipped: u32,
    /// Items left due because a step failed; the next run tries them again.
    pub failed: u32,
}

impl AddAssign for JobReport {
    fn add_assign(&mut self, page: JobReport) {
        self.due += page.due;
        self.changed += page.changed;
        self.notified += page.notified;
        self.skipped += page.skipped;
        self.failed += page.failed;
    }
}

impl PageReport for JobReport {
    fn taken(&self) -> u32 {
        self.due
    }

    fn progressed(&self) -> bool {
        self.changed + self.notified > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn page(due: u32, changed: u32) -> JobReport {
        JobReport {
            due,
            changed,
            ..JobReport::default()
        }
    }

    /// Runs `drain` over `pages` (more pages than given: empty ones); how many were taken.
    fn drained(pages: &[JobReport], budget: Duration) -> (JobReport, usize) {
        let taken = Cell::new(0);
        let run = drain(budget, || {
            let report = pages.get(taken.get()).copied().unwrap_or_default();
            taken.set(taken.get() + 1);
            async move { Ok::<_, ()>(report) }
        });
        let report = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(run)
            .unwrap();
        (report, taken.get())
    }

    #[test]
    fn a_run_takes_pages_until_one_is_short_or_moves_nothing() {
        let full = PAGE as u32;
        let minute = Duration::from_secs(60);
        let (report, taken) = drained(&[page(full, full), page(full, full), page(3, 3)], minute);
        assert_eq!(
            (report.due, report.changed, taken),
            (2 * full + 3, 2 * full + 3, 3)
        );
        let (_, taken) = drained(&[page(full, 0), page(full, full)], minute);
        assert_eq!(
            taken, 1,
            "a full page that changed nothing (all skipped) ends the run"
        );
        let (_, taken) = drained(&[page(full, full), page(full, full)], Duration::ZERO);
        assert_eq!(taken, 1, "a spent budget ends the run after its page");
    }
}
