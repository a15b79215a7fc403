//! Unit tests of the calendar, on real zones. Every expected instant was
//! worked out by hand from the calendar (weekdays, holidays, 调休 days,
//! lunch break), never by running the code under test.

mod business;
mod parse;
mod zones;

use jiff::Timestamp;

use super::Calendar;

/// The calendar the repository ships.
fn cn() -> Calendar {
    Calendar::parse(include_str!("../../../../rules/calendars/cn-mainland.toml")).expect("cn-mainland.toml parses")
}

fn ts(rfc3339: &str) -> Timestamp {
    rfc3339.parse().unwrap_or_else(|e| panic!("{rfc3339}: {e}"))
}

/// When `span` (written as administrators write it) started at `start` ends,
/// formatted in the calendar's zone.
fn due(calendar: &Calendar, start: &str, span: &str) -> String {
    let end = calendar.add_business(ts(start), sopline_sdk::span::span(span)).unwrap();
    calendar.format(end)
}

/// The messages of a source that must not parse.
fn problems(source: &str) -> Vec<crate::diagnostic::Diagnostic> {
    match Calendar::parse(source) {
        Ok(calendar) => panic!("parsed, but should not have: {calendar:?}"),
        Err(problems) => problems,
    }
}
