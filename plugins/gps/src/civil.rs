//! Civil dates and calendar-month arithmetic at a fixed UTC offset.
//!
//! The return-visit cadence is written in months ("一年内项目每月回访一次"), and
//! months are not a fixed number of milliseconds, so visits are computed on
//! dates: delivered on 31 January, the first visit is on the last day of
//! February. Plugins have no time-zone database, so local time is a fixed
//! offset from UTC (a department parameter; China has had no daylight saving
//! time since 1991, so +08:00 is exact there).
//!
//! Nothing here is GPS-specific; it is a candidate for the SDK.

use sopline_sdk::Timestamp;

const MILLIS_PER_DAY: i64 = 86_400_000;

/// A date in the proleptic Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// The year, e.g. 2026.
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
    /// 1 to the month's length.
    pub day: u32,
}

/// Whether `year` has a 29 February.
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// How many days `month` of `year` has.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        _ => 28,
    }
}

impl Date {
    /// A valid date, or `None`.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)).then_some(Date {
            year,
            month,
            day,
        })
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.trim().splitn(3, '-');
        let year = parts.next()?.parse().ok()?;
        let month = parts.next()?.parse().ok()?;
        let day = parts.next()?.parse().ok()?;
        Date::new(year, month, day)
    }

    /// The date `months` calendar months later, on the same day of the month
    /// or, when that month is shorter, on its last day (31 Jan + 1 month =
    /// 28 or 29 Feb). Always computed from `self`, so a chain of visits never
    /// drifts: 31 Jan + 2 months is 31 March, not 28 March.
    pub fn add_months(self, months: u32) -> Date {
        let index = self.year as i64 * 12 + (self.month as i64 - 1) + months as i64;
        let year = index.div_euclid(12) as i32;
        let month = index.rem_euclid(12) as u32 + 1;
        Date { year, month, day: self.day.min(days_in_month(year, month)) }
    }

    /// Days since 1970-01-01 (negative before), after H. Hinnant's `days_from_civil`.
    pub fn days_since_epoch(self) -> i64 {
        let y = self.year as i64 - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = self.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01, after H. Hinnant's `civil_from_days`.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A time of day, in seconds after local midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeOfDay(pub u32);

impl TimeOfDay {
    /// Parses `HH:MM` (24-hour clock).
    pub fn parse(text: &str) -> Option<TimeOfDay> {
        let (h, m) = text.trim().split_once(':')?;
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(TimeOfDay(h * 3600 + m * 60))
    }
}

/// Local time at a fixed offset from UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offset {
    minutes: i32,
}

impl Offset {
    /// An offset east of UTC in minutes (+08:00 is 480). Real offsets lie
    /// between −12:00 and +14:00.
    pub fn minutes(minutes: i64) -> Option<Offset> {
        (-720..=840).contains(&minutes).then_some(Offset { minutes: minutes as i32 })
    }

    fn millis(self) -> i64 {
        self.minutes as i64 * 60_000
    }

    /// The local date and time of day of an instant.
    pub fn local(self, at: Timestamp) -> (Date, TimeOfDay) {
        let local = at + self.millis();
        let date = Date::from_days_since_epoch(local.div_euclid(MILLIS_PER_DAY));
        (date, TimeOfDay((local.rem_euclid(MILLIS_PER_DAY) / 1000) as u32))
    }

    /// The instant of a local date and time of day.
    pub fn instant(self, date: Date, time: TimeOfDay) -> Timestamp {
        date.days_since_epoch() * MILLIS_PER_DAY + time.0 as i64 * 1000 - self.millis()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::new(y, m, day).unwrap()
    }

    #[test]
    fn month_ends_clamp_without_drift() {
        assert_eq!(d(2026, 1, 31).add_months(1), d(2026, 2, 28));
        assert_eq!(d(2028, 1, 31).add_months(1), d(2028, 2, 29));
        assert_eq!(d(2026, 1, 31).add_months(2), d(2026, 3, 31));
        assert_eq!(d(2026, 1, 31).add_months(3), d(2026, 4, 30));
        assert_eq!(d(2026, 8, 31).add_months(6), d(2027, 2, 28));
        assert_eq!(d(2026, 11, 15).add_months(2), d(2027, 1, 15));
        assert_eq!(d(2024, 2, 29).add_months(12), d(2025, 2, 28));
        assert_eq!(d(2024, 2, 29).add_months(48), d(2028, 2, 29));
    }

    #[test]
    fn leap_years_follow_the_gregorian_rule() {
        assert!(is_leap_year(2000) && is_leap_year(2028));
        assert!(!is_leap_year(1900) && !is_leap_year(2026) && !is_leap_year(2100));
    }

    #[test]
    fn days_round_trip_across_centuries() {
        assert_eq!(d(1970, 1, 1).days_since_epoch(), 0);
        assert_eq!(d(2000, 3, 1).days_since_epoch(), 11_017);
        for days in [-800_000, -1, 0, 1, 19_000, 20_513, 60_000, 2_000_000] {
            assert_eq!(Date::from_days_since_epoch(days).days_since_epoch(), days);
        }
    }

    #[test]
    fn local_time_at_a_fixed_offset() {
        let beijing = Offset::minutes(480).unwrap();
        // 2026-01-31T16:00:00Z is 2026-02-01 00:00 in Beijing.
        let at = 1_769_875_200_000;
        assert_eq!(beijing.local(at), (d(2026, 2, 1), TimeOfDay(0)));
        assert_eq!(beijing.instant(d(2026, 2, 1), TimeOfDay(0)), at);
        let west = Offset::minutes(-300).unwrap();
        assert_eq!(west.local(at), (d(2026, 1, 31), TimeOfDay(11 * 3600)));
        assert!(Offset::minutes(900).is_none());
    }

    #[test]
    fn parses_dates_and_times() {
        assert_eq!(Date::parse("2026-02-28"), Some(d(2026, 2, 28)));
        assert_eq!(Date::parse("2026-02-29"), None);
        assert_eq!(Date::parse("2026/02/01"), None);
        assert_eq!(TimeOfDay::parse("10:30"), Some(TimeOfDay(37_800)));
        assert_eq!(TimeOfDay::parse("24:00"), None);
        assert_eq!(d(2026, 3, 2).to_string(), "2026-03-02");
    }
}
