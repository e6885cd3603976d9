//! What the certification screens show (`tessera_certification::views`), from the sample
//! records: grouping, one certification's tree and history, exams sorted, CE activities, logos.
use tessera_certification::catalog::Catalog;
use tessera_certification::samples::sample_record;
use tessera_certification::views::*;
use time::macros::date;
use time::Date;

const TODAY: Date = date!(2026 - 11 - 25);

fn ids(groups: &[TrackGroup]) -> Vec<(String, Vec<String>)> {
    groups
        .iter()
        .map(|g| {
            (
                g.track.name.clone(),
                g.certifications
                    .iter()
                    .map(|c| c.abbreviation.clone())
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn certifications_are_grouped_by_status_and_track_with_downloads_for_active_ones() {
    let catalog = Catalog::built_in();
    let view = certifications(&catalog, &sample_record("TSC1000001"), TODAY);
    assert_eq!(
        ids(&view.active),
        [
            ("Entry".to_string(), vec!["NT".to_string()]),
            ("Associate".to_string(), vec!["IA".to_string()])
        ]
    );
    assert_eq!(
        ids(&view.past),
        [("Professional".to_string(), vec!["EP".to_string()])]
    );
    let ia = &view.active[1].certifications[0];
    assert_eq!(
        (ia.active.as_deref(), ia.expires.as_deref()),
        (Some("2022-09-02"), Some("2028-12-08"))
    );
    assert_eq!(
        ia.downloads.as_ref().unwrap().certificate_pdf,
        "/v1/candidate/certifications/infrastructure-associate/certificate.pdf"
    );
    assert_eq!(view.past[0].certifications[0].downloads, None);
}

#[test]
fn a_certification_shows_its_tree_in_words_its_credits_and_its_history() {
    let catalog = Catalog::built_in();
    let detail = certification(
        &catalog,
        &sample_record("TSC1000001"),
        "enterprise-professional",
        TODAY,
    )
    .expect("held once");
    assert_eq!(detail.summary.status, "expired");
    assert_eq!(detail.progress_toward, "earning");
    assert_eq!(detail.progress.requirement, "All of the following");
    assert_eq!(
        detail.progress.children[0].requirement,
        "Pass 1 of: EC-301 Enterprise Core"
    );
    let history: Vec<_> = detail
        .history
        .iter()
        .map(|h| (h.date.as_str(), h.event))
        .collect();
    assert_eq!(
        history,
        [("2025-09-02", "expired"), ("2022-09-02", "earned")]
    );
    assert_eq!(detail.history[1].how, ["exam"]);
    assert!(detail.history[0].how.is_empty(), "an expiry has no means");

    // How each renewal happened: CE credits, a higher certification, an exam.
    let nt = certification(
        &catalog,
        &sample_record("TSC1000001"),
        "networking-technician",
        TODAY,
    )
    .unwrap();
    let hows: Vec<_> = nt
        .history
        .iter()
        .map(|h| (h.date.as_str(), h.event, h.how.clone()))
        .collect();
    assert_eq!(
        hows,
        [
            ("2024-05-15", "renewed", vec!["ce_credits"]),
            ("2022-09-02", "renewed", vec!["higher_certification"]),
            (
                "2022-03-01",
                "renewed",
                vec!["exam", "higher_certification"]
            ),
            ("2019-12-09", "earned", vec!["exam"]),
        ]
    );

    let ia = certification(
        &catalog,
        &sample_record("TSC1000001"),
        "infrastructure-associate",
        TODAY,
    )
    .unwrap();
    assert_eq!(ia.progress_toward, "renewal");
    let ce = &ia.progress.children[1];
    // Two of the three credits lapsed on 2026-02-01: 10 points count today.
    assert_eq!(
        (ce.number.as_str(), ce.summary.as_str()),
        ("1.2", "10 / 30 CE credits")
    );
    assert_eq!(ce.requirement, "Earn 30 CE credits");
    assert_eq!(
        ia.progress.children[2].requirement,
        "Earn or renew 1 of: Enterprise Professional, Security Professional"
    );
    // The credits dated in the renewal window, with their state on the day.
    let credits: Vec<_> = ia.ce_credits.iter().map(|c| (c.points, c.status)).collect();
    assert_eq!(credits, [(5, "inactive"), (5, "inactive"), (10, "active")]);
    assert!(certification(
        &catalog,
        &sample_record("TSC1000001"),
        "security-expert",
        TODAY
    )
    .is_none());
}

#[test]
fn exams_sort_by_date_or_code_either_way_and_passes_expire() {
    let catalog = Catalog::built_in();
    let record = sample_record("TSC1000001");
    let by_date_desc = exams(&catalog, &record, ExamSort::Date, SortOrder::Descending);
    let dates: Vec<_> = by_date_desc.iter().map(|e| e.date.as_str()).collect();
    assert_eq!(
        dates,
        [
            "2022-09-02",
            "2022-03-01",
            "2021-11-02",
            "2019-12-09",
            "2019-12-08"
        ]
    );
    let by_code = exams(&catalog, &record, ExamSort::Code, SortOrder::Ascending);
    let codes: Vec<_> = by_code.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, ["EC-301", "EC-301", "ER-311", "IA-201", "NF-101"]);
    let fail = by_code.iter().find(|e| e.grade == "fail").unwrap();
    assert_eq!(
        (fail.date.as_str(), fail.expires.as_deref()),
        ("2021-11-02", None)
    );
    let pass = by_code.iter().find(|e| e.code == "IA-201").unwrap();
    assert_eq!(pass.expires.as_deref(), Some("2022-12-08"));
}

#[test]
fn activities_show_provenance_and_lapse() {
    let record = sample_record("TSC1000001");
    let list = activities(&record, TODAY);
    assert_eq!(list[0].active_date, "2024-05-15");
    assert_eq!(list[0].source.file, "ce-credits.csv");
    assert_eq!(list[0].source.external_id, "1462602");
    assert_eq!(list[0].updated, "2026-11-01");
    let lapsed = activities(&record, date!(2026 - 02 - 01));
    assert_eq!(
        lapsed.iter().map(|a| a.status).collect::<Vec<_>>(),
        ["active", "inactive", "inactive"]
    );
}

#[test]
fn logos_follow_active_certifications_and_tenure() {
    let catalog = Catalog::built_in();
    let alan = sample_record("TSC1000003");
    let ids: Vec<_> = logos(&catalog, &alan, TODAY)
        .into_iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(
        ids,
        [
            "enterprise-expert",
            "enterprise-expert-10-years",
            "enterprise-expert-15-years"
        ]
    );
    let agreements = agreements(&catalog, &alan);
    assert_eq!(agreements[0].active_date, "2008-05-05");
    assert_eq!(agreements[0].expires, None);
}
