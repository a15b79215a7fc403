//! Real zones: DST changes in America/New_York (2026: clocks go forward on
//! Sun 03-08 at 02:00, back on Sun 11-01 at 02:00), and a calendar that runs
//! out of working time.

use jiff::SignedDuration;

use super::{due, ts};
use crate::calendar::{Calendar, CalendarError, HORIZON_DAYS};

fn new_york_office() -> Calendar {
    let weekdays = ["mon", "tue", "wed", "thu", "fri"].map(|d| format!("{d} = [\"09:00-17:00\"]\n")).concat();
    Calendar::parse(&format!("name = \"us-east\"\ntimezone = \"America/New_York\"\n[hours]\n{weekdays}")).unwrap()
}

fn new_york_round_the_clock() -> Calendar {
    let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map(|d| format!("{d} = [\"00:00-24:00\"]\n")).concat();
    Calendar::parse(&format!("name = \"us-24x7\"\ntimezone = \"America/New_York\"\n[hours]\n{days}")).unwrap()
}

#[test]
fn working_hours_are_local_on_both_sides_of_a_dst_change() {
    let ny = new_york_office();
    assert_eq!(ny.zone().iana_name(), Some("America/New_York"));
    // Fri 03-06 16:00 EST: 1h, then Mon 03-09 09:00 EDT + 1h.
    assert_eq!(due(&ny, "2026-03-06T16:00:00-05:00", "2h"), "2026-03-09T10:00:00-04:00");
    // Fri 10-30 16:30 EDT: 30 min, then Mon 11-02 09:00 EST + 30 min.
    assert_eq!(due(&ny, "2026-10-30T16:30:00-04:00", "1h"), "2026-11-02T09:30:00-05:00");
    // Instants are read in the calendar's zone: 21:00Z is Fri 16:00 EST,
    // open; 22:30Z is Fri 17:30 EST, after closing.
    assert_eq!(due(&ny, "2026-03-06T21:00:00Z", "1h"), "2026-03-06T17:00:00-05:00");
    assert_eq!(due(&ny, "2026-03-06T22:30:00Z", "1h"), "2026-03-09T10:00:00-04:00");
}

#[test]
fn a_business_day_keeps_the_local_time_across_a_dst_change() {
    let ny = new_york_office();
    let (start, end) = ("2026-03-06T10:00:00-05:00", "2026-03-09T10:00:00-04:00");
    assert_eq!(due(&ny, start, "1d"), end);
    // Three calendar days, but the spring-forward night is an hour short.
    assert_eq!(ts(end).duration_since(ts(start)), SignedDuration::from_hours(71));
}

#[test]
fn working_seconds_are_real_seconds_on_a_short_or_long_day() {
    let ny = new_york_round_the_clock();
    // Sun 03-08 has 23 hours: 24 working hours after Sat noon EST is Sun 13:00 EDT.
    assert_eq!(due(&ny, "2026-03-07T12:00:00-05:00", "24h"), "2026-03-08T13:00:00-04:00");
    // Sun 11-01 has 25 hours: 24 working hours after Sat noon EDT is Sun 11:00 EST.
    assert_eq!(due(&ny, "2026-10-31T12:00:00-04:00", "24h"), "2026-11-01T11:00:00-05:00");
    // 24:00 joins one day to the next without a gap.
    assert_eq!(due(&ny, "2026-03-06T23:30:00-05:00", "1h"), "2026-03-07T00:30:00-05:00");
    assert!(ny.is_open(ts("2026-03-08T07:30:00Z")), "03:30 EDT, just after the change");
}

#[test]
fn a_calendar_without_working_time_ahead_says_so() {
    let once = Calendar::parse(
        "name = \"one-day\"\ntimezone = \"Europe/Berlin\"\nworkdays = [\"2026-01-05\"]\nmakeup_hours = [\"09:00-10:00\"]\n[hours]\n",
    )
    .unwrap();
    let opening = once.next_opening(ts("2025-12-01T00:00:00+01:00")).map(|t| once.format(t));
    assert_eq!(opening.as_deref(), Some("2026-01-05T09:00:00+01:00"));
    assert_eq!(once.next_opening(ts("2026-01-05T10:00:00+01:00")), None);

    let err = once.add_business(ts("2026-01-05T09:30:00+01:00"), sopline_sdk::Span::hours(1)).unwrap_err();
    assert!(matches!(err, CalendarError::NoWorkingTime { days: HORIZON_DAYS, .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "calendar \"one-day\" has no working time in the 1098 days (about 3 years) searched after 2026-01-05T10:00:00+01:00"
    );
    let err = once.add_business(ts("2026-01-05T09:30:00+01:00"), sopline_sdk::Span::days(1)).unwrap_err();
    assert!(matches!(err, CalendarError::NoWorkingTime { .. }), "{err:?}");
}
