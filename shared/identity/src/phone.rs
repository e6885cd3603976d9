//! The mobile number used for SMS recovery: added or changed with the password, bound only once
//! a code sent to it comes back, removed with the password. The owner is emailed each time.

use crate::account::{Identity, Profile};
use crate::held_code::{check_held_code, HeldCodeCheck};
use crate::login::{reauthenticate, ReauthError};
use crate::messages;
use crate::password::{HashError, Password};
use crate::signup::{first_name, IdentityDeps};
use serde::{Deserialize, Serialize};
use std::fmt;
use tessera_kernel::code::{CodePurpose, CodeRecord, OneTimeCode};
use tessera_kernel::delivery::{deliver, deliver_notice};
use tessera_kernel::ports::{Channel, OutgoingMessage, StoreError};
use tessera_kernel::time::{Seconds, Timestamp};

const CODE_TTL: Seconds = Seconds::minutes(10);
/// `+` and at most 15 digits (ITU-T E.164).
const MAX_E164_LEN: usize = 16;

/// A valid number in E.164 form (`+447700900123`), with its country.
#[derive(Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    e164: String,
    country: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("is not a valid phone number in international form (+ country code, number)")]
pub struct PhoneFormatError;

impl PhoneNumber {
    /// Parses and validates a number in international form (`+` and the calling code) with the
    /// numbering plans of libphonenumber's metadata.
    pub fn parse(raw: &str) -> Result<PhoneNumber, PhoneFormatError> {
        let raw = raw.trim();
        if !raw.starts_with('+') {
            return Err(PhoneFormatError);
        }
        PhoneNumber::parse_with(&raw[1..], raw, None)
    }

    /// A number as people type it for `country` (ISO 3166-1 alpha-2): in its national form
    /// ("07700 900123" in GB, the trunk prefix included) or in international form whatever the
    /// country.
    pub fn parse_in(raw: &str, country: &str) -> Result<PhoneNumber, PhoneFormatError> {
        let raw = raw.trim();
        if raw.starts_with('+') {
            return PhoneNumber::parse(raw);
        }
        let region = country.parse().map_err(|_| PhoneFormatError)?;
        PhoneNumber::parse_with(raw, raw, Some(region))
    }

    /// `digits` is what follows any `+`: only digits and the usual separators are read, for the
    /// metadata's parser would also turn keypad letters into digits (`+49…A779YYY9Y`) and accept
    /// a result longer than E.164 allows.
    fn parse_with(
        digits: &str,
        raw: &str,
        region: Option<rlibphonenumber::Region>,
    ) -> Result<PhoneNumber, PhoneFormatError> {
        let typed = |c: char| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')');
        if digits.is_empty() || raw.len() > 32 || !digits.chars().all(typed) {
            return Err(PhoneFormatError);
        }
        let number =
            rlibphonenumber::PhoneNumber::parse(raw, region).map_err(|_| PhoneFormatError)?;
        if !number.is_valid() {
            return Err(PhoneFormatError);
        }
        let e164 = number
            .format_as(rlibphonenumber::PhoneNumberFormat::E164)
            .into_owned();
        if e164.len() > MAX_E164_LEN {
            return Err(PhoneFormatError);
        }
        Ok(PhoneNumber {
            e164,
            country: number.get_region_code().map(|region| region.to_string()),
        })
    }

    pub fn e164(&self) -> &str {
        &self.e164
    }

    pub fn country(&self) -> Option<&str> {
        self.country.as_deref()
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", mask(&self.e164))
    }
}

/// `+447700900123` → `+44•••••••123`: enough to recognise, not enough to use.
pub fn mask(e164: &str) -> String {
    let digits: Vec<char> = e164.chars().skip(1).collect();
    let keep_start = 2.min(digits.len());
    let keep_end = 3.min(digits.len().saturating_sub(keep_start));
    let hidden = digits.len() - keep_start - keep_end;
    let start: String = digits[..keep_start].iter().collect();
    let end: String = digits[digits.len() - keep_end..].iter().collect();
    format!("+{start}{}{end}", "•".repeat(hidden))
}

/// The number on file as its owner and staff see it: masked, and whether it is verified (the
/// verified one wins over one being added).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PhoneShown {
    pub masked: String,
    pub verified: bool,
}

pub fn shown(identity: &Identity) -> Option<PhoneShown> {
    match (&identity.phone, &identity.phone_pending) {
        (Some(bound), _) => Some(PhoneShown {
            masked: mask(&bound.number),
            verified: true,
        }),
        (None, Some(pending)) => Some(PhoneShown {
            masked: mask(&pending.number),
            verified: false,
        }),
        (None, None) => None,
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoundPhone {
    pub number: String,
    pub verified_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingPhone {
    pub number: String,
    pub code: CodeRecord,
}

/// The countries whose numbers may be bound (the operator's list, or every assigned country the
/// numbering plans know when the list is empty), each with its calling code, by country code:
/// the mobile number form's menu.
pub fn allowed_countries(settings: &crate::signup::IdentitySettings) -> Vec<(String, i32)> {
    let util = &*rlibphonenumber::PHONE_NUMBER_UTIL;
    let regions: Vec<String> = if settings.phone_countries.is_empty() {
        util.get_supported_regions()
            .map(|r| r.to_string())
            .collect()
    } else {
        settings
            .phone_countries
            .iter()
            .map(|c| c.to_ascii_uppercase())
            .collect()
    };
    let mut countries: Vec<(String, i32)> = regions
        .into_iter()
        // Assigned ISO codes only: the plans also know territories that have none (AC, TA, XK).
        .filter(|code| tessera_kernel::person::Country::parse(code).is_some())
        .filter_map(|code| {
            let region: rlibphonenumber::Region = code.parse().ok()?;
            Some((code, util.get_country_code_for_region(region)?))
        })
        .collect();
    countries.sort();
    countries.dedup();
    countries
}

/// The countries whose numbers may be bound unless the operator says otherwise
/// (`TESSERA_PHONE_COUNTRIES`): text messages to these cost little and are rarely pumped.
pub const DEFAULT_SMS_COUNTRIES: &str =
    "AT AU BE CA CH DE DK ES FI FR GB IE IT JP LU NL NO NZ PT SE SG US";

#[derive(Debug, thiserror::Error)]
pub enum PhoneError {
    #[error("the password is wrong")]
    WrongPassword,
    #[error("numbers from this country are not accepted")]
    CountryNotAllowed,
    #[error("invalid code")]
    InvalidCode,
    #[error("no number is waiting for verification")]
    NothingPending,
    #[error("no number to remove")]
    NoPhone,
    #[error("too many attempts")]
    TooManyAttempts { retry_at: Timestamp },
    #[error("too many codes sent; try later")]
    TooManySends,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
}

impl From<ReauthError> for PhoneError {
    fn from(e: ReauthError) -> Self {
        match e {
            ReauthError::WrongPassword => PhoneError::WrongPassword,
            ReauthError::TooManyAttempts { retry_at } => PhoneError::TooManyAttempts { retry_at },
            ReauthError::Store(e) => PhoneError::Store(e),
            ReauthError::Hash(e) => PhoneError::Hash(e),
        }
    }
}

/// Sends a code to a new number; it is bound once the code comes back (`verify`).
pub async fn request_change(
    deps: &IdentityDeps,
    profile: &Profile,
    password: &Password,
    number: &PhoneNumber,
) -> Result<(), PhoneError> {
    let settings = &deps.settings;
    let allowed = settings.phone_countries.is_empty()
        || number.country().is_some_and(|c| {
            settings
                .phone_countries
                .iter()
                .any(|a| a.eq_ignore_ascii_case(c))
        });
    if !allowed {
        return Err(PhoneError::CountryNotAllowed);
    }
    tessera_kernel::settle!(
        async {
            let mut identity = reauthenticate(deps, &profile.email, password).await?;
            let now = deps.clock.now();
            if !identity.phone_sends.may_send(now, &settings.sends) {
                return Err(PhoneError::TooManySends);
            }
            let code = OneTimeCode::generate(deps.random.as_ref());
            let record = CodeRecord::issue(
                &settings.pepper,
                CodePurpose::PhoneVerification,
                identity.account_id.as_str(),
                &code,
                now,
                CODE_TTL,
            );
            identity.phone_pending = Some(PendingPhone {
                number: number.e164().to_string(),
                code: record,
            });
            identity.phone_sends.record(now, &settings.sends);
            match deps.store.update_identity(&identity).await {
                Ok(()) => {
                    let text = format!(
                    "Your Tessera code to confirm this number is {}. It is valid for 10 minutes.",
                    code.expose()
                );
                    let sms = OutgoingMessage {
                        channel: Channel::Sms,
                        to: number.e164().to_string(),
                        subject: None,
                        text,
                        html: None,
                    };
                    deliver(&deps.postbox, &sms, now + CODE_TTL).await;
                    Ok(Some(()))
                }
                Err(StoreError::Conflict) => Ok(None),
                Err(e) => Err(e.into()),
            }
        }
        .await
    )
}

/// Binds the pending number when its code comes back.
pub async fn verify(
    deps: &IdentityDeps,
    profile: &Profile,
    code: &OneTimeCode,
) -> Result<(), PhoneError> {
    let settings = &deps.settings;
    tessera_kernel::settle!(
        async {
            let mut identity = deps
                .store
                .identity(&profile.email)
                .await?
                .ok_or(PhoneError::NothingPending)?;
            let pending = identity
                .phone_pending
                .clone()
                .ok_or(PhoneError::NothingPending)?;
            let now = deps.clock.now();
            let check = check_held_code(
                &mut identity,
                |i| i.phone_pending.as_mut().map(|p| &mut p.code),
                settings,
                CodePurpose::PhoneVerification,
                code,
                now,
            );
            match check {
                HeldCodeCheck::Valid => {}
                HeldCodeCheck::Refused => return Err(PhoneError::InvalidCode),
                HeldCodeCheck::Wrong => match deps.store.update_identity(&identity).await {
                    Ok(()) => return Err(PhoneError::InvalidCode),
                    Err(StoreError::Conflict) => return Ok(None),
                    Err(e) => return Err(e.into()),
                },
            }
            identity.phone = Some(BoundPhone {
                number: pending.number.clone(),
                verified_at: now,
            });
            identity.phone_pending = None;
            match deps.store.update_identity(&identity).await {
                Ok(()) => {
                    notify(
                        deps,
                        &identity,
                        &format!(
                            "The mobile number {} was added to your account",
                            mask(&pending.number)
                        ),
                    )
                    .await;
                    Ok(Some(()))
                }
                Err(StoreError::Conflict) => Ok(None),
                Err(e) => Err(e.into()),
            }
        }
        .await
    )
}

pub async fn remove(
    deps: &IdentityDeps,
    profile: &Profile,
    password: &Password,
) -> Result<(), PhoneError> {
    tessera_kernel::settle!(
        async {
            let mut identity = reauthenticate(deps, &profile.email, password).await?;
            let Some(old) = identity.phone.take() else {
                return Err(PhoneError::NoPhone);
            };
            identity.phone_pending = None;
            match deps.store.update_identity(&identity).await {
                Ok(()) => {
                    notify(
                        deps,
                        &identity,
                        &format!(
                            "The mobile number {} was removed from your account",
                            mask(&old.number)
                        ),
                    )
                    .await;
                    Ok(Some(()))
                }
                Err(StoreError::Conflict) => Ok(None),
                Err(e) => Err(e.into()),
            }
        }
        .await
    )
}

async fn notify(deps: &IdentityDeps, identity: &Identity, change: &str) {
    let first_name = first_name(deps, identity).await;
    let when = deps.clock.now().to_rfc3339();
    let message = messages::PHONE_CHANGED.render(
        identity.email.as_str(),
        &[
            ("first_name", &first_name),
            ("change", change),
            ("when", &when),
        ],
    );
    deliver_notice(&deps.postbox, &message).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_validated_and_normalised_to_e164() {
        let n = PhoneNumber::parse(" +33 6 12 34 56 78 ").unwrap();
        assert_eq!(n.e164(), "+33612345678");
        assert_eq!(n.country(), Some("FR"));
        assert_eq!(
            PhoneNumber::parse("+1 201-555-0123").unwrap().country(),
            Some("US")
        );
        // The last: a reserved fictional range, so not a number anyone can own.
        for bad in [
            "0612345678",
            "+33",
            "+999123456",
            "+33 12",
            "not a number",
            "",
            "+33612345678901234",
            "+447700900123",
        ] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad:?}");
        }
    }

    /// Found by the `phone` fuzz target: keypad letters were read as digits and gave a 16-digit
    /// "E.164" number.
    #[test]
    fn letters_and_over_long_numbers_are_refused() {
        for bad in [
            "+4964008A779YYY9Y",
            "+44 7700 9OO 123",
            "+33 6 12 34 56 78 x",
        ] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad:?}");
        }
        assert!(PhoneNumber::parse("+1 (201) 555-0123").is_ok());
        assert!(PhoneNumber::parse("+33.6.12.34.56.78").is_ok());
    }

    #[test]
    fn national_numbers_are_read_for_their_country() {
        let e164 = |raw, country| PhoneNumber::parse_in(raw, country).map(|n| n.e164().to_string());
        assert_eq!(e164("06 12 34 56 78", "FR").as_deref(), Ok("+33612345678"));
        assert_eq!(e164("(201) 555-0123", "US").as_deref(), Ok("+12015550123"));
        // International form wins over the menu's country.
        assert_eq!(
            e164("+33 6 12 34 56 78", "US").as_deref(),
            Ok("+33612345678")
        );
        for (bad, country) in [
            ("06 12 34 56 78", "XX"),
            ("0612", "FR"),
            ("06 12 A4 56 78", "FR"),
        ] {
            assert!(e164(bad, country).is_err(), "{bad:?} in {country}");
        }
    }

    #[test]
    fn masks_keep_the_country_and_last_three_digits() {
        assert_eq!(mask("+33612345678"), "+33••••••678");
        assert_eq!(
            format!("{:?}", PhoneNumber::parse("+33612345678").unwrap()),
            "PhoneNumber(+33••••••678)"
        );
    }
}
