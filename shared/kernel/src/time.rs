//! Whole seconds since the Unix epoch: the unit every expiry and rate limit is reckoned in.

use serde::{Deserialize, Serialize};
use std::ops::{Add, Sub};

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

/// A length of time in whole seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Seconds(pub i64);

impl Seconds {
    pub const fn minutes(m: i64) -> Self {
        Seconds(m * 60)
    }
    pub const fn hours(h: i64) -> Self {
        Seconds(h * 3600)
    }
    pub const fn days(d: i64) -> Self {
        Seconds(d * 86_400)
    }
}

impl Add for Seconds {
    type Output = Seconds;
    fn add(self, rhs: Seconds) -> Seconds {
        Seconds(self.0.saturating_add(rhs.0))
    }
}

impl Sub for Seconds {
    type Output = Seconds;
    fn sub(self, rhs: Seconds) -> Seconds {
        Seconds(self.0.saturating_sub(rhs.0))
    }
}

impl Add<Seconds> for Timestamp {
    type Output = Timestamp;
    fn add(self, rhs: Seconds) -> Timestamp {
        Timestamp(self.0.saturating_add(rhs.0))
    }
}

impl Sub<Seconds> for Timestamp {
    type Output = Timestamp;
    fn sub(self, rhs: Seconds) -> Timestamp {
        Timestamp(self.0.saturating_sub(rhs.0))
    }
}

impl Sub<Timestamp> for Timestamp {
    type Output = Seconds;
    fn sub(self, rhs: Timestamp) -> Seconds {
        Seconds(self.0.saturating_sub(rhs.0))
    }
}

impl Timestamp {
    /// The UTC calendar day.
    pub fn date(self) -> ::time::Date {
        ::time::OffsetDateTime::from_unix_timestamp(self.0)
            .map(|t| t.date())
            .unwrap_or(::time::Date::MIN)
    }

    /// The start of `day` in UTC.
    pub fn day_start(day: ::time::Date) -> Timestamp {
        Timestamp(day.midnight().assume_utc().unix_timestamp())
    }

    /// An instant as a caller writes it: RFC 3339 (`2026-12-06T13:00:00Z`), or a calendar day
    /// (`2026-12-06`) for its start in UTC.
    pub fn parse(raw: &str) -> Option<Timestamp> {
        use ::time::format_description::well_known::Rfc3339;
        let raw = raw.trim();
        if let Ok(at) = ::time::OffsetDateTime::parse(raw, &Rfc3339) {
            return Some(Timestamp(at.unix_timestamp()));
        }
        let day = ::time::macros::format_description!("[year]-[month]-[day]");
        let date = ::time::Date::parse(raw, &day).ok()?;
        Some(Timestamp::day_start(date))
    }

    /// RFC 3339 in UTC, for API answers and messages.
    pub fn to_rfc3339(self) -> String {
        ::time::OffsetDateTime::from_unix_timestamp(self.0)
            .ok()
            .and_then(|t| {
                t.format(&::time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_parse_as_written_or_as_a_day() {
        let at = Timestamp::parse("2026-12-06T13:00:00Z").unwrap();
        assert_eq!(at.to_rfc3339(), "2026-12-06T13:00:00Z");
        assert_eq!(
            Timestamp::parse("2026-12-06").unwrap().to_rfc3339(),
            "2026-12-06T00:00:00Z"
        );
        assert_eq!(Timestamp::parse("2026-12-06T14:00:00+01:00"), Some(at));
        assert_eq!(Timestamp::parse("yesterday"), None);
        assert_eq!(Timestamp::parse("2026-13-01"), None);
    }
}
