//! Transcripts: a holder discloses certifications to third parties through a public link. The
//! holder picks which (chosen ones, or all active; new ones may join automatically), for how many
//! days, and what the page says; each view of the page counts, and the page stops working when it
//! expires, is deleted, or the holder withdraws consent to third-party verification.
//!
//! Storage is reached through the `TranscriptStore` port; the page's content is built here from
//! the candidate record, the catalog and the day.

use serde::{Deserialize, Serialize};
use time::Date;

use super::catalog::Catalog;
use super::dates::iso_date;
use super::record::{CandidateProfile, CandidateRecord};
use super::status::Status;
use crate::messages;
use crate::{AccountHolder, CertificationDeps};
use tessera_kernel::delivery::deliver;
use tessera_kernel::email::Email;
use tessera_kernel::ids::CandidateId;
use tessera_kernel::ports::{OutgoingMessage, Random, StoreError};
use tessera_kernel::random_id;
use tessera_kernel::time::{Seconds, Timestamp};

/// Longest a transcript may stay open, in days.
pub const MAX_DAYS: u32 = 365;
/// Transcripts one holder may keep.
pub const MAX_TRANSCRIPTS: usize = 50;
/// Emails of transcripts one holder may send per `EMAIL_WINDOW` (to anyone).
pub const EMAILS_PER_WINDOW: u32 = 20;
pub const EMAIL_WINDOW: Seconds = Seconds(86_400);

/// An expired transcript stays in its holder's list this long (they may still extend it), then the
/// transcripts job deletes it and its public link.
pub const KEPT_AFTER_EXPIRY: Seconds = Seconds::days(30);

/// 128 random bits as 32 lower-case hex digits: unguessable, so the link is the only key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TranscriptId(String);

impl TranscriptId {
    pub fn generate(random: &dyn Random) -> TranscriptId {
        TranscriptId(random_id::generate(random))
    }

    pub fn parse(raw: &str) -> Option<TranscriptId> {
        random_id::is_well_formed(raw).then(|| TranscriptId(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Which certifications the page shows (active ones only, always).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    /// Every active certification, as of the view.
    AllActive,
    /// These (catalog ids), while active.
    Chosen(Vec<String>),
}

/// Address lines a transcript may show, each at most `TextField::AddressLine`'s length.
pub const MAX_ADDRESS_LINES: usize = 4;

/// Which details the public page shows beside the certifications' names (the guide's "Display
/// Options"). Transcripts made before the options existed read the defaults: as they showed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DisplayOptions {
    /// Each certification's active and expiry dates.
    pub dates: bool,
    /// The record's candidate ID, for a verifier to quote to the program.
    pub candidate_id: bool,
    /// The holder's country and organisation, as on their account.
    pub location: bool,
    /// Address lines the holder chose to show under their name (none unless typed).
    pub address_lines: Vec<String>,
}

impl Default for DisplayOptions {
    fn default() -> DisplayOptions {
        DisplayOptions {
            dates: true,
            candidate_id: false,
            location: true,
            address_lines: Vec::new(),
        }
    }
}

/// What the holder sets: everything but the id and the view counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptContent {
    /// The name the page and the email show for the holder.
    pub display_name: String,
    pub description: String,
    #[serde(default)]
    pub remarks: String,
    pub certifications: Selection,
    /// Certifications earned after the transcript was created join it.
    pub include_new: bool,
    pub expires_at: Timestamp,
    /// Where the holder is, as on their account (country code, and organisation if given):
    /// refreshed on every edit.
    pub holder_country: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder_organisation: Option<String>,
    #[serde(default)]
    pub display: DisplayOptions,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transcript {
    pub id: TranscriptId,
    pub candidate_id: CandidateId,
    pub created_at: Timestamp,
    pub content: TranscriptContent,
    #[serde(default)]
    pub views: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_viewed: Option<Timestamp>,
}

impl Transcript {
    pub fn expired(&self, now: Timestamp) -> bool {
        now >= self.content.expires_at
    }
}

/// What a view of the public page found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ViewCount {
    /// Counted; the transcript as it is after.
    Counted(Box<Transcript>),
    Expired,
    Missing,
}

/// The holder's free texts on a transcript, each with its rule: trimmed, no control characters,
/// at most so many characters, and only the remarks may be empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextField {
    DisplayName,
    Description,
    Remarks,
    AddressLine,
}

impl TextField {
    pub fn max_chars(self) -> usize {
        match self {
            TextField::DisplayName => 100,
            TextField::Description => 200,
            TextField::Remarks => 500,
            TextField::AddressLine => 100,
        }
    }

    pub fn may_be_empty(self) -> bool {
        self == TextField::Remarks
    }

    /// The text as the transcript keeps it, or `None` when it breaks the field's rule.
    pub fn parse(self, raw: &str) -> Option<String> {
        let text = raw.trim();
        let count = text.chars().count();
        let fits = (count > 0 || self.may_be_empty()) && count <= self.max_chars();
        (fits && !text.chars().any(char::is_control)).then(|| text.to_string())
    }
}

/// The holder's request, parsed at the edge: every field of a create, the ones given of an edit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TranscriptDraft {
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub remarks: Option<String>,
    pub certifications: Option<Selection>,
    pub include_new: Option<bool>,
    pub expires_in_days: Option<u32>,
    pub show_dates: Option<bool>,
    pub show_candidate_id: Option<bool>,
    pub show_location: Option<bool>,
    pub address_lines: Option<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum TranscriptError {
    #[error("consent to third-party verification is not given")]
    ConsentRequired,
    #[error("certification {0} is not active for this holder")]
    NotHeld(String),
    #[error("no such transcript")]
    NotFound,
    #[error("the transcript has expired")]
    Expired,
    #[error("too many transcripts")]
    TooMany,
    #[error("too many emails; retry after {0} s")]
    TooManyEmails(i64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn consent_given(record: &CandidateRecord) -> Result<(), TranscriptError> {
    match record.profile.settings.verification_consent {
        Some(true) => Ok(()),
        _ => Err(TranscriptError::ConsentRequired),
    }
}

/// The certifications the holder may show: active ones, in catalog order.
fn active_ids(catalog: &Catalog, record: &CandidateRecord, today: Date) -> Vec<String> {
    record
        .standings(catalog, today)
        .into_iter()
        .filter(|s| s.status == Status::Active)
        .map(|s| s.certification.as_str().to_string())
        .collect()
}

fn check_chosen(
    catalog: &Catalog,
    record: &CandidateRecord,
    selection: &Selection,
    today: Date,
) -> Result<(), TranscriptError> {
    if let Selection::Chosen(ids) = selection {
        let active = active_ids(catalog, record, today);
        if let Some(missing) = ids.iter().find(|id| !active.contains(id)) {
            return Err(TranscriptError::NotHeld(missing.clone()));
        }
    }
    Ok(())
}

/// Applies `draft` to `content` (a new transcript starts from `None`), refreshing the holder's
/// place from the account; `None` if a required field is missing (the edge checks that first).
fn merged_content(
    content: Option<&TranscriptContent>,
    draft: &TranscriptDraft,
    holder: &AccountHolder,
    now: Timestamp,
) -> Option<TranscriptContent> {
    let days = draft.expires_in_days;
    let shown = content.map(|c| c.display.clone()).unwrap_or_default();
    let display = DisplayOptions {
        dates: draft.show_dates.unwrap_or(shown.dates),
        candidate_id: draft.show_candidate_id.unwrap_or(shown.candidate_id),
        location: draft.show_location.unwrap_or(shown.location),
        address_lines: draft.address_lines.clone().unwrap_or(shown.address_lines),
    };
    Some(TranscriptContent {
        display_name: draft
            .display_name
            .clone()
            .or_else(|| content.map(|c| c.display_name.clone()))
            .unwrap_or_else(|| {
                format!(
                    "{} {}",
                    holder.first_name.as_str(),
                    holder.last_name.as_str()
                )
            }),
        description: draft
            .description
            .clone()
            .or_else(|| content.map(|c| c.description.clone()))?,
        remarks: draft
            .remarks
            .clone()
            .or_else(|| content.map(|c| c.remarks.clone()))
            .unwrap_or_default(),
        certifications: draft
            .certifications
            .clone()
            .or_else(|| content.map(|c| c.certifications.clone()))?,
        include_new: draft
            .include_new
            .or_else(|| content.map(|c| c.include_new))
            .unwrap_or(false),
        expires_at: match days {
            Some(days) => now + Seconds::days(i64::from(days)),
            None => content?.expires_at,
        },
        holder_country: holder.country.as_str().to_string(),
        holder_organisation: holder.company.clone(),
        display,
    })
}

/// Creates a transcript of the holder's record.
pub async fn create(
    deps: &CertificationDeps,
    holder: &AccountHolder,
    record: &CandidateRecord,
    draft: &TranscriptDraft,
) -> Result<Transcript, TranscriptError> {
    consent_given(record)?;
    let now = deps.clock.now();
    let content = merged_content(None, draft, holder, now).ok_or(TranscriptError::NotFound)?;
    check_chosen(&deps.catalog, record, &content.certifications, now.date())?;
    let candidate = &record.profile.candidate_id;
    if deps.transcripts.transcripts(candidate).await?.len() >= MAX_TRANSCRIPTS {
        return Err(TranscriptError::TooMany);
    }
    let transcript = Transcript {
        id: TranscriptId::generate(deps.random.as_ref()),
        candidate_id: candidate.clone(),
        created_at: now,
        content,
        views: 0,
        last_viewed: None,
    };
    deps.transcripts.create_transcript(&transcript).await?;
    Ok(transcript)
}

/// The transcripts job: deletes transcripts expired more than `KEPT_AFTER_EXPIRY` ago, up to
/// `limit`. Each deletion is conditioned on the expiry read, so an edit that extended the
/// transcript meanwhile keeps it, and a repeated run deletes nothing twice. The holder saw the
/// expiry date on the transcript all along: nobody is emailed.
pub async fn remove_expired(
    deps: &CertificationDeps,
    limit: usize,
) -> Result<tessera_kernel::jobs::JobReport, StoreError> {
    let expired_by = deps.clock.now() - KEPT_AFTER_EXPIRY;
    let due = deps
        .transcripts
        .expired_transcripts(expired_by, limit)
        .await?;
    let mut report = tessera_kernel::jobs::JobReport {
        due: due.len() as u32,
        ..Default::default()
    };
    for transcript in due {
        let removed = deps
            .transcripts
            .delete_expired_transcript(&transcript.candidate_id, &transcript.id, expired_by)
            .await?;
        if removed {
            report.changed += 1;
        } else {
            report.skipped += 1;
        }
    }
    tracing::info!(removed = report.changed, "expired transcripts removed");
    Ok(report)
}

/// Changes what the holder set; the views stay.
pub async fn edit(
    deps: &CertificationDeps,
    holder: &AccountHolder,
    record: &CandidateRecord,
    id: &TranscriptId,
    draft: &TranscriptDraft,
) -> Result<Transcript, TranscriptError> {
    let candidate = &record.profile.candidate_id;
    let current = deps
        .transcripts
        .transcript(candidate, id)
        .await?
        .ok_or(TranscriptError::NotFound)?;
    let now = deps.clock.now();
    let content = merged_content(Some(&current.content), draft, holder, now)
        .ok_or(TranscriptError::NotFound)?;
    if draft.certifications.is_some() {
        check_chosen(&deps.catalog, record, &content.certifications, now.date())?;
    }
    deps.transcripts
        .replace_content(candidate, id, &content)
        .await?
        .ok_or(TranscriptError::NotFound)
}

/// The link a third party opens.
pub fn public_url(public_base: &str, id: &TranscriptId) -> String {
    format!(
        "{}/v1/transcripts/{}",
        public_base.trim_end_matches('/'),
        id.as_str()
    )
}

/// Share links for the three networks the holder may post to, each carrying `url`.
pub fn share_links(url: &str) -> [(&'static str, String); 3] {
    let encoded = percent_encode(url);
    [
        (
            "linkedin",
            format!("https://www.linkedin.com/sharing/share-offsite/?url={encoded}"),
        ),
        (
            "x",
            format!("https://twitter.com/intent/tweet?url={encoded}"),
        ),
        (
            "facebook",
            format!("https://www.facebook.com/sharer/sharer.php?u={encoded}"),
        ),
    ]
}

/// RFC 3986 percent-encoding of everything but the unreserved characters.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `Tuesday, 10 December 2019`.
pub fn long_date(date: Date) -> String {
    format!(
        "{}, {} {} {}",
        date.weekday(),
        date.day(),
        date.month(),
        date.year()
    )
}

/// Emails the link (under `public_base`, the API's address) to a third party, on the holder's
/// behalf (at most `EMAILS_PER_WINDOW` a day).
pub async fn email(
    deps: &CertificationDeps,
    public_base: &str,
    record: &CandidateRecord,
    id: &TranscriptId,
    to: &Email,
) -> Result<(), TranscriptError> {
    consent_given(record)?;
    let candidate = &record.profile.candidate_id;
    let transcript = deps
        .transcripts
        .transcript(candidate, id)
        .await?
        .ok_or(TranscriptError::NotFound)?;
    let now = deps.clock.now();
    if transcript.expired(now) {
        return Err(TranscriptError::Expired);
    }
    let window = Timestamp(now.0 - now.0.rem_euclid(EMAIL_WINDOW.0));
    if !deps
        .transcripts
        .count_email(candidate, window, EMAILS_PER_WINDOW)
        .await?
    {
        return Err(TranscriptError::TooManyEmails(
            window.0 + EMAIL_WINDOW.0 - now.0,
        ));
    }
    let message = email_message(public_base, record, &transcript, to);
    deliver(&deps.postbox, &message, transcript.content.expires_at).await;
    Ok(())
}

/// The email `email` sends to `to`: what the holder previews before sending.
pub fn email_message(
    public_base: &str,
    record: &CandidateRecord,
    transcript: &Transcript,
    to: &Email,
) -> OutgoingMessage {
    messages::TRANSCRIPT.render(
        to.as_str(),
        &[
            ("holder", &record_name(&record.profile)),
            ("url", &public_url(public_base, &transcript.id)),
            ("transcript_id", transcript.id.as_str()),
            ("expires", &long_date(transcript.content.expires_at.date())),
        ],
    )
}

/// One certification as the public page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShownCertification {
    pub id: String,
    pub name: String,
    pub abbreviation: String,
    /// The first day of the current active period (`YYYY-MM-DD`), unless the holder hid dates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<String>,
    /// The last day of it; `None` also when it does not expire (`dates_shown` tells which).
    pub expires: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShownTrack {
    pub track: String,
    pub certifications: Vec<ShownCertification>,
}

/// The public page's content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublicTranscript {
    pub id: String,
    /// The holder's name as the program's record holds it: what the page vouches for.
    pub holder: String,
    /// The name the holder typed for the transcript, when it differs from the record's: shown
    /// as the holder's own words, never as the program's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The record's candidate ID, when the holder shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate_id: Option<String>,
    /// The address lines the holder chose to show.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub address_lines: Vec<String>,
    /// The holder's country and organisation, unless the holder hid them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// Whether the certifications carry their dates.
    pub dates_shown: bool,
    pub description: String,
    pub remarks: String,
    pub tracks: Vec<ShownTrack>,
    /// The last day the link works (`YYYY-MM-DD`).
    pub expires: String,
}

/// The active certifications `transcript` shows of `record` on `today`, grouped by track in
/// catalog order.
pub fn shown(
    catalog: &Catalog,
    record: &CandidateRecord,
    transcript: &Transcript,
    today: Date,
) -> Vec<ShownTrack> {
    let created = transcript.created_at.date();
    let dates = transcript.content.display.dates;
    let standings = record.standings(catalog, today);
    let included = |id: &str, held_since: Option<Date>| match &transcript.content.certifications {
        Selection::AllActive => true,
        Selection::Chosen(ids) => {
            ids.iter().any(|c| c == id)
                || (transcript.content.include_new && held_since.is_some_and(|d| d > created))
        }
    };
    catalog
        .tracks
        .iter()
        .filter_map(|track| {
            let certifications: Vec<ShownCertification> = standings
                .iter()
                .filter(|s| s.status == Status::Active)
                .filter(|s| included(s.certification.as_str(), s.held_since))
                .filter_map(|s| {
                    let c = catalog.certification(s.certification.as_str())?;
                    let active = s.active?;
                    (c.track == track.id).then(|| ShownCertification {
                        id: c.id.to_string(),
                        name: c.name.clone(),
                        abbreviation: c.abbreviation.clone(),
                        active: dates.then(|| iso_date::format(active)),
                        expires: s.expires.filter(|_| dates).map(iso_date::format),
                    })
                })
                .collect();
            (!certifications.is_empty()).then(|| ShownTrack {
                track: track.name.clone(),
                certifications,
            })
        })
        .collect()
}

/// The holder's name as the program's record holds it.
pub fn record_name(profile: &CandidateProfile) -> String {
    format!("{} {}", profile.first_name.trim(), profile.last_name.trim())
}

/// A view of the public page: counted (atomically) only when the page is shown, that is when the
/// transcript exists, has not expired and the holder still consents.
pub async fn view(
    deps: &CertificationDeps,
    id: &TranscriptId,
) -> Result<PublicTranscript, TranscriptError> {
    let candidate = deps
        .transcripts
        .transcript_owner(id)
        .await?
        .ok_or(TranscriptError::NotFound)?;
    let record = deps
        .records
        .candidate(&candidate)
        .await?
        .ok_or(TranscriptError::NotFound)?;
    consent_given(&record).map_err(|_| TranscriptError::NotFound)?;
    let now = deps.clock.now();
    let transcript = match deps.transcripts.count_view(&candidate, id, now).await? {
        ViewCount::Counted(t) => *t,
        ViewCount::Expired => return Err(TranscriptError::Expired),
        ViewCount::Missing => return Err(TranscriptError::NotFound),
    };
    let holder = record_name(&record.profile);
    let tracks = shown(&deps.catalog, &record, &transcript, now.date());
    let content = transcript.content;
    let display_name = content.display_name;
    let shows = content.display;
    Ok(PublicTranscript {
        id: id.as_str().to_string(),
        tracks,
        display_name: (display_name.trim() != holder).then_some(display_name),
        holder,
        candidate_id: shows
            .candidate_id
            .then(|| record.profile.candidate_id.as_str().to_string()),
        address_lines: shows.address_lines,
        country: shows.location.then_some(content.holder_country),
        organisation: content.holder_organisation.filter(|_| shows.location),
        dates_shown: shows.dates,
        description: content.description,
        remarks: content.remarks,
        expires: iso_date::format(content.expires_at.date()),
    })
}
