//! Working-time calendars: time zones, hours, holidays and make-up working days.
//!
//! Business-time deadlines ("reply within 3 working hours") must end at the
//! same instant on every host whatever the host's own zone, and must know that
//! China moves working days around its holidays (调休: a Saturday becomes a
//! working day so that the Spring Festival week is closed). A weekday rule
//! cannot say that, so each calendar is a file of `rules/calendars/` read here.
//!
//! Everything in this module is pure: no clock, no I/O except [`Calendar::load`].
//!
//! # Layout
//! - [`Calendar`] (this file): the parsed calendar, loading and formatting.
//! - `hours`: one day's working intervals, as written in the file.
//! - `parse`: the strict TOML reader, every problem with its byte span.
//! - `business`: walking the working intervals in time order, which answers
//!   "is it open", "when does it open" and "when does this span end".

mod business;
mod hours;
mod parse;
#[cfg(test)]
mod tests;

use std::path::Path;

use anyhow::Context as _;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

pub use business::{CalendarError, HORIZON_DAYS};
use hours::Interval;

/// A working-time calendar: its zone, the weekly hours and the dated
/// exceptions (holidays closed all day, make-up days open).
#[derive(Clone, Debug)]
pub struct Calendar {
    name: String,
    zone: TimeZone,
    /// Monday first, as `Weekday::to_monday_zero_offset` counts.
    week: [Vec<Interval>; 7],
    /// Hours of a make-up working day.
    makeup: Vec<Interval>,
    /// Sorted and without duplicates, so a lookup is a binary search.
    holidays: Vec<Date>,
    /// Sorted, without duplicates, disjoint from `holidays`.
    workdays: Vec<Date>,
}

impl Calendar {
    /// Strict parse of the TOML format of the spec: every problem found, each
    /// with its byte span.
    pub fn parse(source: &str) -> Result<Calendar, Vec<crate::diagnostic::Diagnostic>> {
        parse::parse(source)
    }

    /// Reads and parses a file. The error lists every problem as
    /// `path:line:col: message`, one a line.
    pub fn load(path: &Path) -> anyhow::Result<Calendar> {
        let source = std::fs::read_to_string(path).with_context(|| format!("reading calendar {}", path.display()))?;
        Calendar::parse(&source).map_err(|diagnostics| {
            let lines: Vec<String> = diagnostics.iter().map(|d| d.locate(path, &source).to_string()).collect();
            anyhow::Error::msg(lines.join("\n"))
        })
    }

    /// The calendar's name, as written in the file.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The zone the hours and dates are read in.
    pub fn zone(&self) -> &TimeZone {
        &self.zone
    }

    /// RFC 3339 in the calendar's zone, whole seconds, e.g.
    /// `2026-02-24T09:00:00+08:00`.
    pub fn format(&self, at: Timestamp) -> String {
        // Floor rather than truncate toward zero, so that an instant before
        // 1970 with a fraction does not print the second after it.
        let second = at.as_second() - i64::from(at.subsec_nanosecond() < 0);
        let whole = Timestamp::from_second(second).unwrap_or(at);
        whole.display_with_offset(self.zone.to_offset(whole)).to_string()
    }

    /// The working intervals of a local date: make-up hours on a make-up day,
    /// none on a holiday, else the weekday's.
    fn hours_on(&self, date: Date) -> &[Interval] {
        if self.workdays.binary_search(&date).is_ok() {
            &self.makeup
        } else if self.holidays.binary_search(&date).is_ok() {
            &[]
        } else {
            &self.week[date.weekday().to_monday_zero_offset() as usize]
        }
    }
}
