//! Calendar arithmetic for validity periods.

use time::{Date, Month};

/// The same day `years` later; 29 February becomes 28 February in a common year.
pub fn add_years(date: Date, years: u32) -> Date {
    let year = date.year().saturating_add(years as i32);
    date.replace_year(year).unwrap_or_else(|_| {
        Date::from_calendar_date(year, Month::February, 28).unwrap_or(Date::MAX)
    })
}

/// Dates stored and answered as `YYYY-MM-DD` (`#[serde(with = "iso_date")]`).
pub mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::{format_description::FormatItem, macros::format_description, Date};

    pub const FORMAT: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");

    pub fn format(date: Date) -> String {
        date.format(FORMAT).unwrap_or_default()
    }

    pub fn serialize<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*date))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        Date::parse(&text, FORMAT).map_err(serde::de::Error::custom)
    }
}

/// Optional dates, as `iso_date` writes them (`null` or absent for none).
pub mod optional_iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(date) => super::iso_date::serialize(date, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        match Option::<String>::deserialize(d)? {
            Some(text) => Date::parse(&text, super::iso_date::FORMAT)
                .map(Some)
                .map_err(serde::de::Error::custom),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn dates_are_written_as_iso_days() {
        assert_eq!(iso_date::format(date!(2021 - 04 - 01)), "2021-04-01");
    }

    #[test]
    fn years_are_added_on_the_calendar() {
        assert_eq!(add_years(date!(2021 - 04 - 01), 3), date!(2024 - 04 - 01));
        assert_eq!(add_years(date!(2024 - 02 - 29), 1), date!(2025 - 02 - 28));
        assert_eq!(add_years(date!(2024 - 02 - 29), 4), date!(2028 - 02 - 29));
        assert_eq!(add_years(Date::MAX, 3), Date::MAX);
    }
}
