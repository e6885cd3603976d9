//! Calendar arithmetic for validity periods.

use time::{Date, Month};

/// The same day `years` later; 29 February becomes 28 February in a common year.
pub fn add_years(date: Date, years: u32) -> Date {
    let year = date.year().saturating_add(years as i32);
    date.replace_year(year).unwrap_or_else(|_| {
        Date::from_calendar_date(year, Month::February, 28).unwrap_or(Date::MAX)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn years_are_added_on_the_calendar() {
        assert_eq!(add_years(date!(2021 - 04 - 01), 3), date!(2024 - 04 - 01));
        assert_eq!(add_years(date!(2024 - 02 - 29), 1), date!(2025 - 02 - 28));
        assert_eq!(add_years(date!(2024 - 02 - 29), 4), date!(2028 - 02 - 29));
        assert_eq!(add_years(Date::MAX, 3), Date::MAX);
    }
}
