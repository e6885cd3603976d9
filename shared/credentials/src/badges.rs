//! Each earned certification as an Open Badges 3.0 `OpenBadgeCredential`, secured as a VC-JWT
//! with the program's key, and the status list its holds are published in.
//!
//! - A badge is issued once per certification of a record (`IssuedBadge`: its id, its entry in
//!   the status list, the salt of the recipient's hashed email) the first time the holder's badges
//!   are read after it is earned, and kept. The credential itself is written from the record
//!   whenever it is asked for, so a renewal or a change of dates re-issues it under the same id;
//!   an expired certification's credential stays, and verifies as expired by its `validUntil`.
//! - Its `credentialStatus` is one `BitstringStatusListEntry` (Open Badges 3.0 allows one) of
//!   purpose `message` and two bits: 0 active, 1 suspended, 2 revoked. The back office's hold on
//!   the certification is written to the entry in the hold's own write
//!   (`oversight::CredentialStatus`), so a suspension lifts again and a revocation shows at once.
//! - The recipient is named by a salted SHA-256 hash of the email on the record (Open Badges'
//!   `IdentityObject`), never by the address itself.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::io::Write;
use tessera_certification::oversight::HoldKind;
use tessera_certification::{
    CandidateRecord, Catalog, Certification, CertificationDeps, IssuedBadge, Standing, Status,
};
use tessera_kernel::email::Email;
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::Timestamp;
use time::Date;

use crate::achievement::achievement;
use crate::issuer::{profile_url, Program, CONTEXTS};

/// The program's one status list.
pub const STATUS_LIST_ID: &str = "1";
/// Its entries: 2 bits each, 32 KB uncompressed (the W3C minimum is 16 KB, for herd privacy).
pub const STATUS_LIST_ENTRIES: u32 = 131_072;
/// What each value of an entry means, as the entry publishes it.
const STATUS_MESSAGES: [&str; 4] = ["active", "suspended", "revoked", "revoked"];

/// The media type of a credential secured as a JWT (VC-JOSE-COSE).
pub const VC_JWT: &str = "application/vc+jwt";

/// Where a badge's credential is hosted (its `id`).
pub fn badge_url(base: &str, badge_id: &str) -> String {
    format!("{base}/v1/badges/{badge_id}")
}

pub fn status_list_url(base: &str) -> String {
    format!("{base}/v1/status-lists/{STATUS_LIST_ID}")
}

/// A new badge for `certification`: a random id and a random entry of the list (random, so an
/// entry's place says nothing about when or to whom it was issued).
pub fn new_badge(
    certification: &Certification,
    random: &dyn tessera_kernel::ports::Random,
) -> IssuedBadge {
    let mut entry = [0u8; 4];
    random.fill(&mut entry);
    IssuedBadge {
        certification: certification.id.clone(),
        badge_id: tessera_kernel::random_id::generate(random),
        status_index: u32::from_be_bytes(entry) % STATUS_LIST_ENTRIES,
        salt: tessera_kernel::random_id::generate(random),
    }
}

/// Whether a standing has (or had) something a credential can say: earned once, and not held
/// when it would be issued (a held certification keeps the badge it has, and gets none new).
pub fn may_issue(standing: &Standing) -> bool {
    standing.active.is_some() && !matches!(standing.status, Status::Revoked | Status::Suspended)
}

/// The badge of `standing`'s certification on `record`, issued now when it has none and may
/// (`may_issue`); `None` when it has none and may not. A write that loses to another (the same
/// badge issued meanwhile, a hold, an entry taken) reads the record again and decides again.
pub async fn badge_of(
    deps: &CertificationDeps,
    record: &CandidateRecord,
    certification: &Certification,
) -> Result<Option<IssuedBadge>, StoreError> {
    let candidate = &record.profile.candidate_id;
    let mut record = record.clone();
    for _ in 0..3 {
        if let Some(badge) = record
            .badges
            .iter()
            .find(|b| b.certification == certification.id)
        {
            return Ok(Some(badge.clone()));
        }
        let today = deps.today();
        let standing = record
            .standings(&deps.catalog, today)
            .into_iter()
            .find(|s| s.certification == certification.id);
        if !standing.as_ref().is_some_and(may_issue) {
            return Ok(None);
        }
        let badge = new_badge(certification, deps.random.as_ref());
        match deps
            .badges
            .issue(candidate, &badge, &record.profile.oversight)
            .await
        {
            Ok(()) => return Ok(Some(badge)),
            Err(StoreError::Conflict) => {
                record = match deps.records.candidate(candidate).await? {
                    Some(again) => again,
                    None => return Ok(None),
                };
            }
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Conflict)
}

/// The facts a credential states, from the record today.
pub struct BadgeFacts<'a> {
    pub certification: &'a Certification,
    pub badge: &'a IssuedBadge,
    /// The first day of the current (or last) active period.
    pub active: Date,
    /// The day it expires (or expired) on.
    pub expires: Option<Date>,
    /// The email on the record, hashed with the badge's salt.
    pub email: Option<&'a Email>,
}

impl<'a> BadgeFacts<'a> {
    pub fn of(
        certification: &'a Certification,
        badge: &'a IssuedBadge,
        standing: &Standing,
        email: Option<&'a Email>,
    ) -> Option<BadgeFacts<'a>> {
        Some(BadgeFacts {
            certification,
            badge,
            active: standing.active?,
            expires: standing.expires,
            email,
        })
    }
}

fn midnight(date: Date) -> Timestamp {
    Timestamp::day_start(date)
}

/// The salted hash Open Badges names a recipient by: `sha256$` and the hex digest of the
/// address followed by the salt.
pub fn identity_hash(email: &str, salt: &str) -> String {
    let digest = Sha256::digest(format!("{}{salt}", email.to_lowercase()));
    format!("sha256${}", hex_lower(&digest))
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `OpenBadgeCredential` (unsigned) the program issues for `facts`.
pub fn credential(base: &str, program: &Program, catalog: &Catalog, facts: &BadgeFacts) -> Value {
    let list = status_list_url(base);
    let index = facts.badge.status_index;
    let mut subject = json!({
        "type": ["AchievementSubject"],
        "achievement": achievement(base, catalog, facts.certification),
    });
    if let Some(email) = facts.email {
        subject["identifier"] = json!([{
            "type": "IdentityObject",
            "identityHash": identity_hash(email.as_str(), &facts.badge.salt),
            "identityType": "emailAddress",
            "hashed": true,
            "salt": facts.badge.salt,
        }]);
    }
    let mut credential = json!({
        "@context": CONTEXTS,
        "id": badge_url(base, &facts.badge.badge_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": facts.certification.name,
        "issuer": { "id": profile_url(base), "type": ["Profile"], "name": program.name },
        "validFrom": midnight(facts.active).to_rfc3339(),
        "credentialSubject": subject,
        "credentialStatus": {
            "id": format!("{list}#{index}"),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "message",
            "statusListIndex": index.to_string(),
            "statusListCredential": list,
            "statusSize": 2,
            "statusMessage": STATUS_MESSAGES
                .iter()
                .enumerate()
                .map(|(value, message)| json!({ "status": format!("0x{value:x}"), "message": message }))
                .collect::<Vec<_>>(),
        },
    });
    if let Some(expires) = facts.expires {
        credential["validUntil"] = json!(midnight(expires).to_rfc3339());
    }
    credential
}

/// The JWT claims of a credential secured as a VC-JWT (Open Badges 3.0, section 8.2): the
/// credential itself, with `iss`, `jti`, `nbf` and, when it ends, `exp` beside it.
pub fn jwt_claims(credential: &Value) -> Value {
    let mut claims = credential.clone();
    let seconds = |field: &str| {
        credential[field]
            .as_str()
            .and_then(Timestamp::parse)
            .map(|t| t.0)
    };
    claims["iss"] = credential["issuer"]["id"].clone();
    claims["jti"] = credential["id"].clone();
    if let Some(nbf) = seconds("validFrom") {
        claims["nbf"] = json!(nbf);
    }
    if let Some(exp) = seconds("validUntil") {
        claims["exp"] = json!(exp);
    }
    claims
}

/// `credential` secured as a VC-JWT: signed with the program's current key, whose id names the
/// issuer's published key set under `base`.
pub async fn vc_jwt(
    signer: &dyn crate::signing::JwsSigner,
    base: &str,
    credential: &Value,
) -> Result<String, crate::signing::SignError> {
    crate::signing::compact_jws(
        signer,
        &crate::issuer::keys_url(base),
        &jwt_claims(credential),
    )
    .await
}

/// An entry's value: what the hold on its certification is.
fn entry_value(hold: HoldKind) -> u8 {
    match hold {
        HoldKind::Suspended => 1,
        HoldKind::Revoked => 2,
    }
}

/// The bitstring of the list: two bits per entry, entry 0 left-most, each value big-endian.
pub fn bitstring(held: &[(u32, HoldKind)]) -> Vec<u8> {
    let mut bits = vec![0u8; (STATUS_LIST_ENTRIES as usize) * 2 / 8];
    for (index, hold) in held {
        if *index >= STATUS_LIST_ENTRIES {
            continue;
        }
        let value = entry_value(*hold);
        for (offset, bit) in [(value >> 1) & 1, value & 1].into_iter().enumerate() {
            let position = *index as usize * 2 + offset;
            if bit == 1 {
                bits[position / 8] |= 0x80 >> (position % 8);
            }
        }
    }
    bits
}

/// The list as a `BitstringStatusListCredential` (unsigned): its bitstring GZIP-compressed,
/// base64url without padding, with the multibase prefix `u`.
pub fn status_list_credential(base: &str, held: &[(u32, HoldKind)], now: Timestamp) -> Value {
    let mut gzip = GzEncoder::new(Vec::new(), Compression::default());
    // Writing to a Vec cannot fail.
    let _ = gzip.write_all(&bitstring(held));
    let compressed = gzip.finish().unwrap_or_default();
    let list = status_list_url(base);
    json!({
        "@context": [CONTEXTS[0]],
        "id": list,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": profile_url(base),
        "validFrom": now.to_rfc3339(),
        "credentialSubject": {
            "id": format!("{list}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "message",
            "encodedList": format!("u{}", URL_SAFE_NO_PAD.encode(compressed)),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::GzDecoder;
    use std::io::Read;

    /// What a verifier reads at `index` (the W3C algorithm: decode, decompress, read the bits).
    fn read_entry(list: &Value, index: u32) -> u8 {
        let encoded = list["credentialSubject"]["encodedList"].as_str().unwrap();
        let compressed = URL_SAFE_NO_PAD.decode(&encoded[1..]).unwrap();
        let mut bits = Vec::new();
        GzDecoder::new(&compressed[..])
            .read_to_end(&mut bits)
            .unwrap();
        assert!(bits.len() >= 16 * 1024, "at least 16 KB");
        let position = index as usize * 2;
        let bit = |p: usize| (bits[p / 8] >> (7 - p % 8)) & 1;
        (bit(position) << 1) | bit(position + 1)
    }

    #[test]
    fn each_hold_reads_back_from_its_entry_and_the_others_stay_active() {
        let held = [
            (0, HoldKind::Revoked),
            (3, HoldKind::Suspended),
            (STATUS_LIST_ENTRIES - 1, HoldKind::Revoked),
        ];
        let list = status_list_credential("https://x", &held, Timestamp(0));
        assert_eq!(read_entry(&list, 0), 2);
        assert_eq!(read_entry(&list, 3), 1);
        assert_eq!(read_entry(&list, STATUS_LIST_ENTRIES - 1), 2);
        for index in [1, 2, 4, 100_000] {
            assert_eq!(read_entry(&list, index), 0, "{index}");
        }
        assert_eq!(STATUS_MESSAGES[2], "revoked");
        assert_eq!(STATUS_MESSAGES[1], "suspended");
    }

    #[test]
    fn the_recipient_is_a_salted_hash_of_the_address_in_any_case() {
        let hash = identity_hash("Ada@Example.com", "pepper");
        assert!(hash.starts_with("sha256$"));
        assert_eq!(hash.len(), 7 + 64);
        assert_eq!(hash, identity_hash("ada@example.com", "pepper"));
        assert_ne!(hash, identity_hash("ada@example.com", "salt"));
    }
}
