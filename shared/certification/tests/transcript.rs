//! Transcripts' rules (`tessera_certification::transcript`): the holder's texts, the ids, the
//! share links, which certifications a transcript shows and which details (display options).
use tessera_certification::catalog::Catalog;
use tessera_certification::transcript::*;
use tessera_kernel::ids::CandidateId;
use tessera_kernel::ports::Random;
use tessera_kernel::time::Timestamp;
use time::Date;

#[test]
fn transcript_texts_follow_their_fields_rules() {
    assert_eq!(
        TextField::DisplayName.parse("  Ada L.  ").as_deref(),
        Some("Ada L.")
    );
    assert_eq!(TextField::Remarks.parse("  ").as_deref(), Some(""));
    assert!(
        TextField::Description.parse(" ").is_none(),
        "only remarks may be empty"
    );
    assert!(TextField::DisplayName.parse(&"x".repeat(101)).is_none());
    assert!(
        TextField::Description.parse(&"é".repeat(200)).is_some(),
        "characters, not bytes"
    );
    assert!(TextField::Remarks.parse("line\u{0}break").is_none());
}

#[test]
fn ids_are_128_bits_of_hex_and_parse_back() {
    struct Counting;
    impl Random for Counting {
        fn fill(&self, buf: &mut [u8]) {
            for (i, b) in buf.iter_mut().enumerate() {
                *b = i as u8 * 17;
            }
        }
    }
    let id = TranscriptId::generate(&Counting);
    assert_eq!(id.as_str().len(), 32);
    assert_eq!(TranscriptId::parse(id.as_str()), Some(id));
    assert_eq!(
        TranscriptId::parse("ABCDEF0123456789abcdef0123456789"),
        None
    );
    assert_eq!(TranscriptId::parse("0123"), None);
    assert_eq!(TranscriptId::parse("../etc/passwd/0123456789abcdef0"), None);
}

#[test]
fn share_links_carry_the_encoded_url() {
    let links = share_links("https://x.test/v1/transcripts/ab?c=1&d=2");
    assert_eq!(links[0].0, "linkedin");
    assert!(links[0]
        .1
        .ends_with("url=https%3A%2F%2Fx.test%2Fv1%2Ftranscripts%2Fab%3Fc%3D1%26d%3D2"));
    assert!(links[1]
        .1
        .starts_with("https://twitter.com/intent/tweet?url=https%3A"));
    assert!(links[2].1.contains("sharer.php?u=https%3A"));
}

fn transcript_of(selection: Selection, include_new: bool, created: Date) -> Transcript {
    Transcript {
        id: TranscriptId::parse(&"0".repeat(32)).unwrap(),
        candidate_id: CandidateId::parse("TSC1000001").unwrap(),
        created_at: Timestamp(created.midnight().assume_utc().unix_timestamp()),
        content: TranscriptContent {
            display_name: "Ada Lovelace".into(),
            description: "d".into(),
            remarks: String::new(),
            certifications: selection,
            include_new,
            expires_at: Timestamp(i64::MAX),
            holder_country: "US".into(),
            holder_organisation: None,
            display: DisplayOptions::default(),
        },
        views: 0,
        last_viewed: None,
    }
}

/// What a transcript of Ada's sample record created on 2019-12-08 (the day she earned the
/// associate certification, the day before the entry one) shows on the samples' day.
fn shown_ids(selection: Selection, include_new: bool) -> Vec<String> {
    let catalog = Catalog::built_in();
    let record = tessera_certification::samples::sample_record("TSC1000001");
    let transcript = transcript_of(selection, include_new, time::macros::date!(2019 - 12 - 08));
    shown(
        &catalog,
        &record,
        &transcript,
        time::macros::date!(2026 - 11 - 25),
    )
    .into_iter()
    .flat_map(|t| t.certifications.into_iter().map(|c| c.id))
    .collect()
}

#[test]
fn all_active_shows_every_active_certification() {
    assert_eq!(
        shown_ids(Selection::AllActive, false),
        ["networking-technician", "infrastructure-associate"]
    );
}

#[test]
fn chosen_shows_only_those_unless_new_ones_join() {
    let chosen = Selection::Chosen(vec!["infrastructure-associate".into()]);
    assert_eq!(
        shown_ids(chosen.clone(), false),
        ["infrastructure-associate"]
    );
    // Earned after the transcript was created (2019-12-09): it joins.
    assert_eq!(
        shown_ids(chosen, true),
        ["networking-technician", "infrastructure-associate"]
    );
}

#[test]
fn chosen_certifications_that_are_not_active_are_not_shown() {
    // Held once, expired since.
    let chosen = Selection::Chosen(vec!["enterprise-professional".into()]);
    assert!(shown_ids(chosen, false).is_empty());
}

#[test]
fn long_dates_name_the_weekday_and_month() {
    assert_eq!(
        long_date(time::macros::date!(2019 - 12 - 10)),
        "Tuesday, 10 December 2019"
    );
}

#[test]
fn hidden_dates_leave_the_certifications_without_them() {
    let catalog = Catalog::built_in();
    let record = tessera_certification::samples::sample_record("TSC1000001");
    let mut transcript = transcript_of(
        Selection::AllActive,
        false,
        time::macros::date!(2019 - 12 - 08),
    );
    let today = time::macros::date!(2026 - 11 - 25);
    let dated = shown(&catalog, &record, &transcript, today);
    assert!(dated[0].certifications[0].active.is_some());
    transcript.content.display.dates = false;
    let undated = shown(&catalog, &record, &transcript, today);
    for c in undated.iter().flat_map(|t| &t.certifications) {
        assert_eq!((&c.active, &c.expires), (&None, &None), "{}", c.id);
    }
    assert_eq!(undated.len(), dated.len(), "the same certifications");
}

#[test]
fn transcripts_stored_before_display_options_read_as_they_showed() {
    let options: DisplayOptions = serde_json::from_str("{}").unwrap();
    assert_eq!(
        (options.dates, options.candidate_id, options.location),
        (true, false, true)
    );
    assert!(options.address_lines.is_empty());
    assert_eq!(TextField::AddressLine.parse(&"x".repeat(101)), None);
}
