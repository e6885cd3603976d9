//! What the scheduled jobs share: the report a run answers with, and the page size.
//!
//! Every job finds its work through an index ordered by due time (never a scan), takes at most
//! one page per run, and makes each change with a conditional write, so a run delivered twice
//! or crashed halfway and rerun changes each item once. The items a run changes leave the index
//! (or move to their next due time), so the next run resumes with what is left.

use serde::Serialize;

/// Items one run of a job takes; the next run takes the rest.
pub const PAGE: usize = 200;

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
