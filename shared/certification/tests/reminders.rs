//! Which notices a holder is owed on a day (`tessera_certification::reminders`): expiry
//! reminders and notices, congratulations on earning, CE credits about to lapse, and the next
//! day to look.
use std::collections::BTreeSet;

use tessera_certification::catalog::CertificationId;
use tessera_certification::reminders::*;
use tessera_certification::requirement::{Ask, Credit, Progress};
use tessera_certification::status::{HistoryEntry, Milestone, Standing, Status};
use time::macros::date;
use time::Date;

fn standing(status: Status, expires: Option<Date>) -> Standing {
    Standing {
        certification: CertificationId::parse("associate").unwrap(),
        status,
        started: None,
        active: None,
        expires,
        held_since: None,
        history: Vec::new(),
        progress: Progress {
            number: "1".into(),
            ask: Ask::AllOf,
            achieved: 0,
            required: 0,
            met: false,
            children: Vec::new(),
        },
    }
}

const EXPIRES: Date = date!(2027 - 04 - 01);

fn due(status: Status, today: Date, sent: &[&str]) -> Vec<String> {
    let sent = sent.iter().map(|s| s.to_string()).collect();
    notices_due(
        &[standing(status, Some(EXPIRES))],
        &[],
        &sent,
        today,
        &ReminderDays::default(),
    )
    .iter()
    .map(Notice::key)
    .collect()
}

#[test]
fn reminders_fall_due_90_30_and_7_days_ahead() {
    assert!(due(Status::Active, date!(2026 - 12 - 31), &[]).is_empty());
    assert_eq!(
        due(Status::Active, date!(2027 - 01 - 01), &[]),
        ["associate@2027-04-01@90"]
    );
    assert_eq!(
        due(Status::Active, date!(2027 - 03 - 02), &[]),
        ["associate@2027-04-01@30"]
    );
    assert_eq!(
        due(Status::Active, date!(2027 - 03 - 31), &[]),
        ["associate@2027-04-01@7"]
    );
}

#[test]
fn a_sent_notice_is_not_owed_again_and_a_late_record_gets_only_the_latest() {
    assert!(due(
        Status::Active,
        date!(2027 - 01 - 15),
        &["associate@2027-04-01@90"]
    )
    .is_empty());
    // First seen 20 days ahead: the 30-day reminder alone.
    assert_eq!(
        due(Status::Active, date!(2027 - 03 - 12), &[]),
        ["associate@2027-04-01@30"]
    );
}

#[test]
fn the_expiry_notice_is_owed_for_thirty_days_from_the_expiration_day() {
    assert_eq!(
        due(Status::Expired, EXPIRES, &[]),
        ["associate@2027-04-01@expired"]
    );
    assert_eq!(due(Status::Expired, date!(2027 - 04 - 30), &[]).len(), 1);
    assert!(due(Status::Expired, date!(2027 - 05 - 01), &[]).is_empty());
    assert!(due(Status::InProgress, EXPIRES, &[]).is_empty());
}

#[test]
fn the_next_check_is_the_next_reminder_or_expiration_day() {
    let days = ReminderDays::default();
    let active = [standing(Status::Active, Some(EXPIRES))];
    assert_eq!(
        next_check(&active, &[], date!(2026 - 06 - 01), &days),
        Some(date!(2027 - 01 - 01))
    );
    assert_eq!(
        next_check(&active, &[], date!(2027 - 01 - 01), &days),
        Some(date!(2027 - 03 - 02))
    );
    assert_eq!(
        next_check(&active, &[], date!(2027 - 03 - 25), &days),
        Some(EXPIRES)
    );
    let expired = [standing(Status::Expired, Some(EXPIRES))];
    assert_eq!(next_check(&expired, &[], EXPIRES, &days), None);
}

/// An active standing earned on `earned` whose rule asks for CE credits.
fn earned_on(earned: Date) -> Standing {
    let mut s = standing(Status::Active, Some(EXPIRES));
    s.history = vec![HistoryEntry {
        date: earned,
        milestone: Milestone::Earned,
        how: Default::default(),
    }];
    s.progress.children = vec![Progress {
        number: "1.1".into(),
        ask: Ask::CeCredits,
        achieved: 0,
        required: 30,
        met: false,
        children: Vec::new(),
    }];
    s
}

#[test]
fn congratulations_are_owed_for_thirty_days_from_the_earning() {
    let days = ReminderDays::default();
    let keys = |today: Date| -> Vec<String> {
        notices_due(
            &[earned_on(date!(2026 - 12 - 01))],
            &[],
            &BTreeSet::new(),
            today,
            &days,
        )
        .iter()
        .map(Notice::key)
        .collect()
    };
    assert_eq!(keys(date!(2026 - 12 - 01)), ["associate@2026-12-01@earned"]);
    assert_eq!(keys(date!(2026 - 12 - 30)).len(), 1);
    assert!(keys(date!(2026 - 12 - 31)).is_empty(), "old news");
}

#[test]
fn lapsing_credits_are_reminded_per_lapse_day_while_credits_count() {
    let days = ReminderDays::default();
    let credit = |points, inactive| Credit {
        points,
        active: date!(2026 - 01 - 01),
        inactive,
    };
    let credits = [
        credit(5, date!(2026 - 06 - 01)),
        credit(10, date!(2026 - 06 - 01)),
        credit(20, date!(2027 - 06 - 01)),
    ];
    let held = [earned_on(date!(2025 - 01 - 01))];
    let owed = |today: Date, standings: &[Standing]| -> Vec<(String, NoticeKind)> {
        notices_due(standings, &credits, &BTreeSet::new(), today, &days)
            .into_iter()
            .filter(|n| n.certification == "#ce-credits")
            .map(|n| (n.key(), n.kind))
            .collect()
    };
    assert!(
        owed(date!(2026 - 03 - 01), &held).is_empty(),
        "91 days ahead"
    );
    assert_eq!(
        owed(date!(2026 - 05 - 05), &held),
        [(
            "#ce-credits@2026-06-01@30".to_string(),
            NoticeKind::CeLapse {
                days_before: 30,
                points: 15
            }
        )]
    );
    assert!(
        owed(date!(2026 - 06 - 01), &held).is_empty(),
        "lapsed already"
    );
    let without_credits = [standing(Status::Active, Some(EXPIRES))];
    assert!(owed(date!(2026 - 05 - 05), &without_credits).is_empty());
    assert_eq!(
        next_check(&held, &credits, date!(2026 - 05 - 05), &days),
        Some(date!(2026 - 05 - 25)),
        "the 7-day reminder of the June lapse"
    );
}

#[test]
fn reminder_days_parse_from_configuration() {
    assert_eq!(
        ReminderDays::parse("7, 90,30,30").unwrap().days(),
        [90, 30, 7]
    );
    for bad in ["", "0", "400", "30,x", " , "] {
        assert_eq!(ReminderDays::parse(bad), None, "{bad:?}");
    }
}
