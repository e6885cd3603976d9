//! Certification tracking's domain: the catalog (data), requirement trees and the status
//! engine. Pure: no storage, no clock; callers pass the day to judge.

pub mod catalog;
pub mod dates;
pub mod import;
pub mod requirement;
pub mod status;

pub use catalog::{Catalog, CatalogError, Certification, CertificationId, ExamCode};
pub use requirement::{Ask, Credit, Evidence, Pass, Progress, Requirement, Window};
pub use status::{standings, HistoryEntry, Milestone, Standing, Status};
