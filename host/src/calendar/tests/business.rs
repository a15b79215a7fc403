//! Business time on the shipped China calendar: Mon–Fri 09:00-12:00 and
//! 13:00-18:00 in Asia/Shanghai (+08:00, no DST), 2025/2026 holidays and 调休.

use super::{cn, due, ts};

#[test]
fn a_start_on_a_holiday_waits_for_the_next_working_day() {
    let cn = cn();
    // Mon 2026-02-16 is inside Spring Festival (02-15…02-23); Tue 02-24 opens.
    assert_eq!(due(&cn, "2026-02-16T10:00:00+08:00", "1h"), "2026-02-24T10:00:00+08:00");
    // Fri 2025-10-03 is inside National Day (10-01…10-08, a Wednesday); Thu 10-09 opens.
    assert_eq!(due(&cn, "2025-10-03T10:00:00+08:00", "30m"), "2025-10-09T09:30:00+08:00");
}

#[test]
fn lunch_is_not_working_time() {
    let cn = cn();
    // Tue 2026-03-03: a start at lunch waits for 13:00.
    assert_eq!(due(&cn, "2026-03-03T12:30:00+08:00", "1h"), "2026-03-03T14:00:00+08:00");
    // 30 min before lunch, 30 min after it.
    assert_eq!(due(&cn, "2026-03-03T11:30:00+08:00", "1h"), "2026-03-03T13:30:00+08:00");
    // 12:00 itself is closed (intervals are half-open).
    assert_eq!(due(&cn, "2026-03-03T12:00:00+08:00", "0s"), "2026-03-03T13:00:00+08:00");
}

#[test]
fn a_make_up_saturday_is_a_working_day() {
    let cn = cn();
    // Fri 2026-02-13 after hours; Sat 02-14 is a make-up day opening at 09:00.
    assert_eq!(due(&cn, "2026-02-13T19:00:00+08:00", "1h"), "2026-02-14T10:00:00+08:00");
    // The same instant written in UTC.
    assert_eq!(due(&cn, "2026-02-13T11:00:00Z", "1h"), "2026-02-14T10:00:00+08:00");
    // 2025: Fri 01-24 after 17:00, Sat 01-25 closed, Sun 01-26 make-up.
    assert_eq!(due(&cn, "2025-01-24T17:00:00+08:00", "2h"), "2025-01-26T10:00:00+08:00");
    // An ordinary Saturday stays closed: Fri 2026-03-06 17:00 + 2h → Mon 03-09 10:00.
    assert_eq!(due(&cn, "2026-03-06T17:00:00+08:00", "2h"), "2026-03-09T10:00:00+08:00");
}

#[test]
fn across_spring_festival_2026() {
    let cn = cn();
    // 1h on Fri 02-13, 2h on the make-up Sat 02-14.
    assert_eq!(due(&cn, "2026-02-13T17:00:00+08:00", "3h"), "2026-02-14T11:00:00+08:00");
    // 1h Fri, then Sat 09:00-12:00 (3h) and 13:00-17:00 (4h).
    assert_eq!(due(&cn, "2026-02-13T17:00:00+08:00", "8h"), "2026-02-14T17:00:00+08:00");
    // 30 min on Sat 02-14, closed 02-15…02-23, 30 min on Tue 02-24.
    assert_eq!(due(&cn, "2026-02-14T17:30:00+08:00", "1h"), "2026-02-24T09:30:00+08:00");
    // Mon 02-09…Fri 02-13 (5 × 8h) and Sat 02-14 (8h) make 48h; 1h more on 02-24.
    assert_eq!(due(&cn, "2026-02-09T09:00:00+08:00", "49h"), "2026-02-24T10:00:00+08:00");
}

#[test]
fn across_spring_festival_2025() {
    // Mon 2025-01-27 17:00: 1h, then 01-28…02-04 closed, Wed 02-05 09:00 + 1h.
    assert_eq!(due(&cn(), "2025-01-27T17:00:00+08:00", "2h"), "2025-02-05T10:00:00+08:00");
}

#[test]
fn across_national_day_2025() {
    let cn = cn();
    // Tue 09-30: 1h, then 10-01…10-08 closed, Thu 10-09.
    assert_eq!(due(&cn, "2025-09-30T17:00:00+08:00", "2h"), "2025-10-09T10:00:00+08:00");
    // Fri 09-26: 1h, Sat 09-27 closed, Sun 09-28 make-up.
    assert_eq!(due(&cn, "2025-09-26T17:00:00+08:00", "2h"), "2025-09-28T10:00:00+08:00");
    // One working day after Tue 09-30 is Thu 10-09; after Fri 10-10, the make-up Sat 10-11.
    assert_eq!(due(&cn, "2025-09-30T10:00:00+08:00", "1d"), "2025-10-09T10:00:00+08:00");
    assert_eq!(due(&cn, "2025-10-10T17:00:00+08:00", "1d"), "2025-10-11T17:00:00+08:00");
}

#[test]
fn days_are_the_same_local_time_on_following_working_days() {
    let cn = cn();
    assert_eq!(due(&cn, "2026-03-02T10:00:00+08:00", "2d"), "2026-03-04T10:00:00+08:00");
    assert_eq!(due(&cn, "2026-03-06T10:00:00+08:00", "1d"), "2026-03-09T10:00:00+08:00");
    // Working days after Fri 02-13: Sat 02-14 (make-up), then Tue 02-24.
    assert_eq!(due(&cn, "2026-02-13T10:00:00+08:00", "2d"), "2026-02-24T10:00:00+08:00");
    // After Fri 02-27: Sat 02-28 (make-up), Mon 03-02.
    assert_eq!(due(&cn, "2026-02-27T11:00:00+08:00", "2d"), "2026-03-02T11:00:00+08:00");
    // 1d → Sat 02-14 17:00; 2h → 1h to 18:00, 1h on Tue 02-24.
    assert_eq!(due(&cn, "2026-02-13T17:00:00+08:00", "1d2h"), "2026-02-24T10:00:00+08:00");
    // A start outside hours first moves to the opening: Tue 20:00 → Wed 09:00 → Thu 09:00.
    assert_eq!(due(&cn, "2026-03-03T20:00:00+08:00", "1d"), "2026-03-05T09:00:00+08:00");
    // Lunch → 13:00, then the next day at 13:00.
    assert_eq!(due(&cn, "2026-03-03T12:15:00+08:00", "1d"), "2026-03-04T13:00:00+08:00");
}

#[test]
fn ends_at_a_closing_time_when_the_time_runs_out_there() {
    let cn = cn();
    assert_eq!(due(&cn, "2026-03-03T16:00:00+08:00", "2h"), "2026-03-03T18:00:00+08:00");
    assert_eq!(due(&cn, "2026-03-03T10:00:00+08:00", "2h"), "2026-03-03T12:00:00+08:00");
    assert_eq!(due(&cn, "2026-03-03T09:00:00+08:00", "8h"), "2026-03-03T18:00:00+08:00");
    assert_eq!(due(&cn, "2026-02-14T09:00:00+08:00", "8h"), "2026-02-14T18:00:00+08:00");
    // One second more spills into the next morning.
    assert_eq!(due(&cn, "2026-03-03T09:00:00+08:00", "8h1s"), "2026-03-04T09:00:01+08:00");
    // Mon 2026-01-05 09:00 + 5 full days → Fri 01-09 18:00.
    assert_eq!(due(&cn, "2026-01-05T09:00:00+08:00", "40h"), "2026-01-09T18:00:00+08:00");
}

#[test]
fn a_zero_span_is_the_start_or_the_next_opening() {
    let cn = cn();
    assert_eq!(due(&cn, "2026-03-03T10:15:00+08:00", "0s"), "2026-03-03T10:15:00+08:00");
    // 2026 National Day 10-01…10-07; Thu 10-08 opens.
    assert_eq!(due(&cn, "2026-10-03T10:00:00+08:00", "0s"), "2026-10-08T09:00:00+08:00");
    // 18:00 is already closed.
    assert_eq!(due(&cn, "2026-03-03T18:00:00+08:00", "0s"), "2026-03-04T09:00:00+08:00");
}

#[test]
fn is_open_follows_hours_holidays_and_make_up_days() {
    let cn = cn();
    for (at, open) in [
        ("2026-03-03T09:00:00+08:00", true),
        ("2026-03-03T08:59:59+08:00", false),
        ("2026-03-03T11:59:59+08:00", true),
        ("2026-03-03T12:00:00+08:00", false),
        ("2026-03-03T13:00:00+08:00", true),
        ("2026-03-03T18:00:00+08:00", false),
        ("2026-03-07T10:00:00+08:00", false), // an ordinary Saturday
        ("2026-02-14T10:00:00+08:00", true),  // make-up Saturday
        ("2026-02-16T10:00:00+08:00", false), // Monday in Spring Festival
        ("2026-02-21T10:00:00+08:00", false), // Saturday in Spring Festival
        ("2026-03-03T02:00:00Z", true),       // 10:00 in Shanghai
    ] {
        assert_eq!(cn.is_open(ts(at)), open, "{at}");
    }
}

#[test]
fn next_opening_is_the_instant_itself_when_open() {
    let cn = cn();
    let open = ts("2026-03-03T10:15:30+08:00");
    assert_eq!(cn.next_opening(open), Some(open));
    let after = |at: &str| cn.next_opening(ts(at)).map(|t| cn.format(t));
    assert_eq!(after("2026-03-03T12:10:00+08:00").as_deref(), Some("2026-03-03T13:00:00+08:00"));
    assert_eq!(after("2026-02-14T18:30:00+08:00").as_deref(), Some("2026-02-24T09:00:00+08:00"));
}

#[test]
fn formats_rfc3339_in_the_zone_in_whole_seconds() {
    let cn = cn();
    assert_eq!(cn.format(ts("2026-02-24T01:00:00.75Z")), "2026-02-24T09:00:00+08:00");
    assert_eq!(cn.format(ts("1969-12-31T15:59:59.5Z")), "1969-12-31T23:59:59+08:00");
}
