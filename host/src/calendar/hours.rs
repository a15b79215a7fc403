//! One day's working intervals, `"09:00-12:00"` as administrators write them.
//!
//! Kept in local minutes rather than instants: the same `09:00` is a
//! different instant on each date and on each side of a DST change, so it is
//! placed on a date only when the walk reaches that date.

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

/// Minutes in a day; `24:00` may close an interval (open until midnight).
const DAY_MINUTES: u16 = 24 * 60;

/// A half-open interval of local time `[start, end)`, in minutes after
/// midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Interval {
    pub start: u16,
    pub end: u16,
}

impl Interval {
    /// Parses `"HH:MM-HH:MM"` with the start before the end. `24:00` is
    /// accepted as an end only, so that a round-the-clock desk can write
    /// `"00:00-24:00"`.
    pub fn parse(text: &str) -> Result<Interval, String> {
        let shape = || format!("invalid working hours {text:?}: write \"HH:MM-HH:MM\", e.g. \"09:00-12:00\"");
        let (start, end) = text.split_once('-').ok_or_else(shape)?;
        let start = minutes(start).ok_or_else(shape)?;
        let end = minutes(end).ok_or_else(shape)?;
        if start >= DAY_MINUTES {
            return Err(format!("invalid working hours {text:?}: 24:00 can only end an interval"));
        }
        if start >= end {
            return Err(format!("invalid working hours {text:?}: the start must be before the end"));
        }
        Ok(Interval { start, end })
    }

    /// The instants this interval covers on `date` in `zone`. A local time
    /// that a DST change skips moves forward and one it repeats takes the
    /// first occurrence (jiff's "compatible" rule, as RFC 5545 does).
    pub fn on(self, date: Date, zone: &TimeZone) -> Result<(Timestamp, Timestamp), jiff::Error> {
        Ok((at_minute(date, self.start, zone)?, at_minute(date, self.end, zone)?))
    }
}

impl std::fmt::Display for Interval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hm = |m: u16| (m / 60, m % 60);
        let ((sh, sm), (eh, em)) = (hm(self.start), hm(self.end));
        write!(f, "{sh:02}:{sm:02}-{eh:02}:{em:02}")
    }
}

/// `"HH:MM"`, two digits each, up to `24:00`.
fn minutes(text: &str) -> Option<u16> {
    let b = text.as_bytes();
    if b.len() != 5 || b[2] != b':' || ![b[0], b[1], b[3], b[4]].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let digit = |i: usize| u16::from(b[i] - b'0');
    let (h, m) = (digit(0) * 10 + digit(1), digit(3) * 10 + digit(4));
    let total = h * 60 + m;
    (m < 60 && total <= DAY_MINUTES).then_some(total)
}

fn at_minute(date: Date, minute: u16, zone: &TimeZone) -> Result<Timestamp, jiff::Error> {
    let datetime = if minute == DAY_MINUTES {
        date.tomorrow()?.to_datetime(Time::midnight())
    } else {
        // Both fit: minute < 1440 was checked at parse time.
        date.at((minute / 60) as i8, (minute % 60) as i8, 0, 0)
    };
    zone.to_ambiguous_timestamp(datetime).compatible()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_spec_writes() {
        assert_eq!(Interval::parse("09:00-12:00"), Ok(Interval { start: 540, end: 720 }));
        assert_eq!(Interval::parse("00:00-24:00"), Ok(Interval { start: 0, end: 1440 }));
        assert_eq!(Interval::parse("13:30-18:05").unwrap().to_string(), "13:30-18:05");
    }

    #[test]
    fn rejects_malformed_and_empty_intervals() {
        for text in [
            "9:00-12:00",
            "09:00–12:00",
            "09:00",
            "09:60-10:00",
            "25:00-26:00",
            "09:00-24:01",
            " 09:00-12:00",
            "0a:00-12:00",
        ] {
            let err = Interval::parse(text).unwrap_err();
            assert!(err.contains("HH:MM-HH:MM"), "{text}: {err}");
        }
        assert!(Interval::parse("12:00-09:00").unwrap_err().contains("start must be before the end"));
        assert!(Interval::parse("12:00-12:00").unwrap_err().contains("start must be before the end"));
        assert!(Interval::parse("24:00-24:00").unwrap_err().contains("24:00 can only end"));
    }
}
