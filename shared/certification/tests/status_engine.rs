//! The status engine's rules, case by case: earning, renewal, expiry, earning again, higher
//! certifications renewing lower ones, tenure, manual grants (`tessera_certification::status`).

use tessera_certification::catalog::ExamCode;
use tessera_certification::catalog::{Catalog, CertificationId};
use tessera_certification::dates::add_years;
use tessera_certification::status::*;
use tessera_certification::{Credit, Pass};
use time::macros::date;
use time::Date;

/// Two tracks: an associate (earned by one exam; renewed by 1 exam of a list OR 30 CE
/// credits OR earning/renewing the professional), and a professional (core AND one of two
/// concentration exams; renewed by 1 exam, including one the associate's list lacks, OR 80
/// CE credits), with tenure logos.
const CATALOG: &str = r#"
    tenure_years = [10, 15, 20]

    [[track]]
    id = "associate"
    name = "Associate"

    [[track]]
    id = "professional"
    name = "Professional"

    [[exam]]
    code = "200-1"
    name = "Associate exam"
    pass_valid_years = 3

    [[exam]]
    code = "300-1"
    name = "Core"
    pass_valid_years = 3

    [[exam]]
    code = "300-2"
    name = "Concentration A"
    pass_valid_years = 3

    [[exam]]
    code = "300-3"
    name = "Concentration B"
    pass_valid_years = 3

    [[exam]]
    code = "400-1"
    name = "Advanced practice"
    pass_valid_years = 3

    [[certification]]
    id = "associate"
    name = "Associate"
    abbreviation = "A"
    track = "associate"
    valid_years = 3
    earn = { exams = ["200-1"] }
    recertify = { any = [
        { exams = ["200-1", "300-1", "300-2", "300-3"] },
        { ce_credits = 30 },
        { certifications = ["professional"] },
    ] }

    [[certification]]
    id = "professional"
    name = "Professional"
    abbreviation = "P"
    track = "professional"
    valid_years = 3
    tenure_logos = true
    earn = { all = [{ exams = ["300-1"] }, { exams = ["300-2", "300-3"] }] }
    recertify = { any = [{ exams = ["300-1", "300-2", "300-3", "400-1"] }, { ce_credits = 80 }] }
"#;

fn catalog() -> Catalog {
    Catalog::parse(CATALOG).unwrap()
}

#[derive(Clone)]
struct Candidate {
    catalog: Catalog,
    passes: Vec<Pass>,
    credits: Vec<Credit>,
    grants: Vec<Grant>,
}

impl Candidate {
    fn new() -> Candidate {
        Candidate {
            catalog: catalog(),
            passes: Vec::new(),
            credits: Vec::new(),
            grants: Vec::new(),
        }
    }

    fn granted(mut self, id: &str, active: Date, expires: Option<Date>) -> Candidate {
        self.grants.push(Grant {
            certification: CertificationId::parse(id).unwrap(),
            active,
            expires,
        });
        self
    }

    fn passed(mut self, code: &str, date: Date) -> Candidate {
        let code = ExamCode::parse(code).unwrap();
        self.passes.push(pass(&self.catalog, &code, date).unwrap());
        self
    }

    fn credits(mut self, points: u32, active: Date) -> Candidate {
        self.credits.push(Credit {
            points,
            active,
            inactive: add_years(active, 3),
        });
        self
    }

    fn credits_until(mut self, points: u32, active: Date, inactive: Date) -> Candidate {
        self.credits.push(Credit {
            points,
            active,
            inactive,
        });
        self
    }

    fn on(&self, today: Date) -> Vec<Standing> {
        standings(
            &self.catalog,
            self.passes.clone(),
            self.credits.clone(),
            &self.grants,
            today,
        )
    }

    fn standing(&self, id: &str, today: Date) -> Option<Standing> {
        self.on(today)
            .into_iter()
            .find(|s| s.certification.as_str() == id)
    }
}

fn milestones(s: &Standing) -> Vec<(Milestone, Date)> {
    s.history.iter().map(|h| (h.milestone, h.date)).collect()
}

#[test]
fn nothing_done_lists_nothing() {
    assert!(Candidate::new().on(date!(2024 - 01 - 01)).is_empty());
}

#[test]
fn passing_the_exam_earns_it_for_its_validity() {
    let c = Candidate::new().passed("200-1", date!(2021 - 04 - 01));
    let s = c.standing("associate", date!(2021 - 04 - 01)).unwrap();
    assert_eq!(s.status, Status::Active);
    assert_eq!(s.active, Some(date!(2021 - 04 - 01)));
    assert_eq!(s.expires, Some(date!(2024 - 04 - 01)));
    assert_eq!(s.started, None);
    // Renewal progress: the exam that earned it does not count toward renewing it.
    let lines: Vec<String> = s
        .progress
        .flatten()
        .iter()
        .map(|p| format!("{} — {}", p.number, p.summary()))
        .collect();
    assert_eq!(
        lines,
        [
            "1 — 0 / 1 requirements",
            "1.1 — 0 / 1 exams",
            "1.2 — 0 / 30 CE credits",
            "1.3 — 0 / 1 certifications"
        ]
    );
    // The day before, nothing; a fail (not given as a pass) would earn nothing either.
    assert!(c.standing("associate", date!(2021 - 03 - 31)).is_none());
}

#[test]
fn without_renewal_it_expires_on_its_expiration_day() {
    let c = Candidate::new().passed("200-1", date!(2021 - 04 - 01));
    let last_day = c.standing("associate", date!(2024 - 03 - 31)).unwrap();
    assert_eq!(last_day.status, Status::Active);
    let expired = c.standing("associate", date!(2024 - 04 - 01)).unwrap();
    assert_eq!(expired.status, Status::Expired);
    assert_eq!(expired.active, Some(date!(2021 - 04 - 01)));
    assert_eq!(expired.expires, Some(date!(2024 - 04 - 01)));
    assert_eq!(
        milestones(&expired),
        [
            (Milestone::Earned, date!(2021 - 04 - 01)),
            (Milestone::Expired, date!(2024 - 04 - 01))
        ]
    );
    // Expired: the tree shown is the one for earning it again.
    assert_eq!(expired.progress.summary(), "0 / 1 exams");
}

#[test]
fn renewing_by_exam_before_expiry_extends_from_the_old_expiration() {
    let c = Candidate::new()
        .passed("200-1", date!(2021 - 04 - 01))
        .passed("300-2", date!(2022 - 10 - 10));
    let s = c.standing("associate", date!(2025 - 01 - 01)).unwrap();
    assert_eq!(s.status, Status::Active);
    assert_eq!(s.active, Some(date!(2022 - 10 - 10)));
    assert_eq!(s.expires, Some(date!(2027 - 04 - 01)));
    assert_eq!(s.held_since, Some(date!(2021 - 04 - 01)));
    assert_eq!(
        milestones(&s),
        [
            (Milestone::Earned, date!(2021 - 04 - 01)),
            (Milestone::Renewed, date!(2022 - 10 - 10))
        ]
    );
}

#[test]
fn renewing_by_ce_credits_happens_the_day_the_thirtieth_point_arrives() {
    let c = Candidate::new()
        .passed("200-1", date!(2020 - 01 - 01))
        .credits(5, date!(2020 - 02 - 01))
        .credits(5, date!(2020 - 02 - 01));
    let partway = c.standing("associate", date!(2020 - 06 - 01)).unwrap();
    let ce = &partway.progress.children[1];
    assert_eq!(
        (ce.number.as_str(), ce.summary()),
        ("1.2", "10 / 30 CE credits".to_string())
    );

    let c = c.credits(20, date!(2022 - 06 - 01));
    let renewed = c.standing("associate", date!(2022 - 07 - 01)).unwrap();
    assert_eq!(renewed.active, Some(date!(2022 - 06 - 01)));
    assert_eq!(renewed.expires, Some(date!(2026 - 01 - 01)));
    // The renewal used those credits: the next cycle starts from zero.
    assert_eq!(renewed.progress.children[1].achieved, 0);
}

#[test]
fn credits_that_went_inactive_before_the_threshold_do_not_renew() {
    let c = Candidate::new()
        .passed("200-1", date!(2020 - 01 - 01))
        .credits_until(20, date!(2020 - 03 - 01), date!(2021 - 03 - 01))
        .credits(10, date!(2021 - 06 - 01));
    let s = c.standing("associate", date!(2022 - 01 - 01)).unwrap();
    assert_eq!(s.history.len(), 1, "never renewed: {:?}", s.history);
    assert_eq!(s.progress.children[1].summary(), "10 / 30 CE credits");
    let s = c.standing("associate", date!(2023 - 01 - 01)).unwrap();
    assert_eq!(s.status, Status::Expired);
}

#[test]
fn renewal_evidence_after_expiry_does_not_renew_and_earning_again_restores_it() {
    let c = Candidate::new()
        .passed("200-1", date!(2018 - 01 - 01))
        .credits(30, date!(2021 - 02 - 01));
    let s = c.standing("associate", date!(2021 - 06 - 01)).unwrap();
    assert_eq!(s.status, Status::Expired);
    assert_eq!(s.expires, Some(date!(2021 - 01 - 01)));

    // Passing a renewal-only exam after expiry does not earn it either.
    let c = c.passed("300-2", date!(2021 - 07 - 01));
    assert_eq!(
        c.standing("associate", date!(2021 - 08 - 01))
            .unwrap()
            .status,
        Status::Expired
    );

    let c = c.passed("200-1", date!(2021 - 09 - 01));
    let s = c.standing("associate", date!(2021 - 10 - 01)).unwrap();
    assert_eq!(s.status, Status::Active);
    assert_eq!(s.active, Some(date!(2021 - 09 - 01)));
    assert_eq!(s.expires, Some(date!(2024 - 09 - 01)));
    // Held since the new earning, not the first one: the lapse broke the tenure.
    assert_eq!(s.held_since, Some(date!(2021 - 09 - 01)));
    assert_eq!(
        milestones(&s),
        [
            (Milestone::Earned, date!(2018 - 01 - 01)),
            (Milestone::Expired, date!(2021 - 01 - 01)),
            (Milestone::Earned, date!(2021 - 09 - 01))
        ]
    );
}

#[test]
fn renewal_on_the_last_day_counts_and_on_the_expiration_day_does_not() {
    let on_last_day = Candidate::new()
        .passed("200-1", date!(2021 - 04 - 01))
        .passed("300-1", date!(2024 - 03 - 31));
    let s = on_last_day
        .standing("associate", date!(2024 - 05 - 01))
        .unwrap();
    assert_eq!(
        (s.status, s.expires),
        (Status::Active, Some(date!(2027 - 04 - 01)))
    );

    let too_late = Candidate::new()
        .passed("200-1", date!(2021 - 04 - 01))
        .passed("300-1", date!(2024 - 04 - 01));
    let s = too_late
        .standing("associate", date!(2024 - 05 - 01))
        .unwrap();
    assert_eq!(s.status, Status::Expired);
}

#[test]
fn earning_needs_every_branch_of_an_and_and_shows_progress_while_in_progress() {
    let c = Candidate::new().passed("300-1", date!(2022 - 01 - 10));
    let s = c.standing("professional", date!(2022 - 06 - 01)).unwrap();
    assert_eq!(s.status, Status::InProgress);
    assert_eq!(s.started, Some(date!(2022 - 01 - 10)));
    assert_eq!((s.active, s.expires), (None, None));
    let lines: Vec<String> = s
        .progress
        .flatten()
        .iter()
        .map(|p| format!("{} — {}", p.number, p.summary()))
        .collect();
    assert_eq!(
        lines,
        [
            "1 — 1 / 2 requirements",
            "1.1 — 1 / 1 exams",
            "1.2 — 0 / 1 exams"
        ]
    );

    let c = c.passed("300-3", date!(2023 - 03 - 03));
    let s = c.standing("professional", date!(2023 - 03 - 03)).unwrap();
    assert_eq!(
        (s.status, s.active),
        (Status::Active, Some(date!(2023 - 03 - 03)))
    );
}

#[test]
fn an_exam_pass_stops_counting_toward_earning_after_its_validity() {
    // Core in 2018, concentration in 2022: the core pass no longer counts.
    let c = Candidate::new()
        .passed("300-1", date!(2018 - 01 - 10))
        .passed("300-2", date!(2022 - 01 - 10));
    let s = c.standing("professional", date!(2022 - 06 - 01)).unwrap();
    assert_eq!(s.status, Status::InProgress);
    assert_eq!(s.progress.summary(), "1 / 2 requirements");
}

#[test]
fn earning_a_higher_certification_renews_the_lower_one() {
    let c = Candidate::new()
        .passed("200-1", date!(2020 - 01 - 01))
        .passed("300-1", date!(2021 - 01 - 01));
    // The core exam alone is one qualifying exam: it renews the associate by itself.
    let s = c.standing("associate", date!(2021 - 02 - 01)).unwrap();
    assert_eq!(s.active, Some(date!(2021 - 01 - 01)));

    let c = c.passed("300-2", date!(2023 - 06 - 01));
    let associate = c.standing("associate", date!(2023 - 07 - 01)).unwrap();
    assert_eq!(associate.active, Some(date!(2023 - 06 - 01)));
    assert_eq!(associate.expires, Some(date!(2029 - 01 - 01)));
    let professional = c.standing("professional", date!(2023 - 07 - 01)).unwrap();
    assert_eq!(professional.active, Some(date!(2023 - 06 - 01)));
}

#[test]
fn renewing_the_higher_certification_renews_the_lower_one() {
    // 400-1 is on the professional's renewal list only: it renews the associate solely
    // through the professional.
    let c = Candidate::new()
        .passed("300-1", date!(2019 - 12 - 01))
        .passed("300-2", date!(2019 - 12 - 02))
        .passed("200-1", date!(2020 - 01 - 01))
        .passed("400-1", date!(2022 - 05 - 05));
    let professional = c.standing("professional", date!(2022 - 06 - 01)).unwrap();
    assert_eq!(professional.active, Some(date!(2022 - 05 - 05)));
    let associate = c.standing("associate", date!(2022 - 06 - 01)).unwrap();
    assert_eq!(associate.active, Some(date!(2022 - 05 - 05)));
    assert_eq!(associate.expires, Some(date!(2026 - 01 - 01)));
    assert_eq!(
        milestones(&associate),
        [
            (Milestone::Earned, date!(2020 - 01 - 01)),
            (Milestone::Renewed, date!(2022 - 05 - 05))
        ]
    );
}

#[test]
fn tenure_counts_continuous_holding() {
    let mut c = Candidate::new()
        .passed("300-1", date!(2005 - 01 - 01))
        .passed("300-2", date!(2005 - 01 - 02));
    for year in [2007, 2010, 2013, 2016, 2019] {
        c = c.passed(
            "300-3",
            Date::from_calendar_date(year, time::Month::June, 1).unwrap(),
        );
    }
    let catalog = catalog();
    let s = c.standing("professional", date!(2020 - 01 - 02)).unwrap();
    assert_eq!(s.status, Status::Active);
    assert_eq!(s.held_since, Some(date!(2005 - 01 - 02)));
    assert_eq!(
        s.tenure_reached(&catalog, date!(2020 - 01 - 02)),
        vec![10, 15]
    );
    assert_eq!(s.tenure_reached(&catalog, date!(2020 - 01 - 01)), vec![10]);
    // The associate track has no tenure logos configured, but its standing still counts time.
    let expired_later = c.standing("professional", date!(2026 - 06 - 01)).unwrap();
    assert_eq!(expired_later.status, Status::Expired);
    assert!(expired_later
        .tenure_reached(&catalog, date!(2026 - 06 - 01))
        .is_empty());
}

#[test]
fn a_leap_day_earning_expires_on_the_28th() {
    let c = Candidate::new().passed("200-1", date!(2024 - 02 - 29));
    let s = c.standing("associate", date!(2024 - 03 - 01)).unwrap();
    assert_eq!(s.expires, Some(date!(2027 - 02 - 28)));
}

#[test]
fn evidence_dated_after_today_is_not_counted_yet() {
    let c = Candidate::new().passed("200-1", date!(2030 - 01 - 01));
    assert!(c.on(date!(2029 - 12 - 31)).is_empty());
}

#[test]
fn exams_unknown_to_the_catalog_count_for_nothing() {
    let catalog = catalog();
    assert!(pass(
        &catalog,
        &ExamCode::parse("999-9").unwrap(),
        date!(2020 - 01 - 01)
    )
    .is_none());
}

#[test]
fn a_manual_grant_begins_an_active_period_that_renews_and_expires_as_earned_ones_do() {
    let granted = Candidate::new().granted("associate", date!(2024 - 01 - 10), None);
    let s = granted
        .standing("associate", date!(2024 - 06 - 01))
        .unwrap();
    assert_eq!(s.status, Status::Active);
    assert_eq!(s.expires, Some(date!(2027 - 01 - 10)));
    assert_eq!(
        milestones(&s),
        [(Milestone::Granted, date!(2024 - 01 - 10))]
    );
    let later = granted
        .standing("associate", date!(2027 - 01 - 10))
        .unwrap();
    assert_eq!(later.status, Status::Expired);
    let renewed = granted
        .clone()
        .credits(30, date!(2025 - 03 - 01))
        .standing("associate", date!(2027 - 06 - 01))
        .unwrap();
    assert_eq!(renewed.status, Status::Active);
    assert_eq!(renewed.expires, Some(date!(2030 - 01 - 10)));
    assert!(
        granted
            .standing("associate", date!(2024 - 01 - 09))
            .is_none(),
        "not before its day"
    );
}

#[test]
fn a_grant_keeps_its_own_expiration_and_an_earlier_earning_wins() {
    let s = Candidate::new()
        .granted(
            "associate",
            date!(2024 - 01 - 10),
            Some(date!(2024 - 12 - 31)),
        )
        .standing("associate", date!(2025 - 01 - 01))
        .unwrap();
    assert_eq!(s.status, Status::Expired);
    assert_eq!(s.expires, Some(date!(2024 - 12 - 31)));
    let s = Candidate::new()
        .passed("200-1", date!(2023 - 05 - 01))
        .granted("associate", date!(2024 - 01 - 10), None)
        .standing("associate", date!(2024 - 06 - 01))
        .unwrap();
    assert_eq!(milestones(&s), [(Milestone::Earned, date!(2023 - 05 - 01))]);
    let backwards = Candidate::new()
        .granted(
            "associate",
            date!(2024 - 01 - 10),
            Some(date!(2024 - 01 - 10)),
        )
        .standing("associate", date!(2024 - 06 - 01));
    assert!(backwards.is_none(), "an empty period grants nothing");
}
