//! Business time: walking a calendar's working intervals in time order.
//!
//! Every question (is it open, when does it open, when does a span end) is a
//! walk over whole intervals, day by day, with a binary search for the dated
//! exceptions: the simulator sums business time for many thousands of
//! contacts, so nothing steps minute by minute and nothing allocates.

use std::ops::ControlFlow::{self, Break, Continue};

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use sopline_sdk::Span;

use super::Calendar;

/// How many days in a row without working time a search goes through before
/// giving up: about 3 years, far more than any run of holidays.
pub const HORIZON_DAYS: u32 = 3 * 366;

/// Why a business-time question has no answer.
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    /// The calendar has no working time left, e.g. only make-up days listed
    /// for a past year.
    #[error("calendar {calendar:?} has no working time in the {days} days (about 3 years) searched after {after}")]
    NoWorkingTime {
        /// The calendar's name.
        calendar: String,
        /// Where the search started, RFC 3339 in the calendar's zone.
        after: String,
        /// How far the search went: [`HORIZON_DAYS`].
        days: u32,
    },
    /// The answer would lie beyond the dates jiff supports (year 9999).
    #[error("calendar {calendar:?}: business time from {after} runs past the supported range of dates")]
    OutOfRange {
        /// The calendar's name.
        calendar: String,
        /// Where the computation started, RFC 3339 in the calendar's zone.
        after: String,
        /// What jiff reported.
        #[source]
        source: jiff::Error,
    },
}

impl Calendar {
    /// When a business-time span started at `start` ends.
    ///
    /// A start outside working hours first moves to the next opening. Then
    /// `span.days` moves to the same local time on the N-th following working
    /// day (should that time fall outside that day's hours, the seconds count
    /// from the next opening after it), and `span.seconds` counts working
    /// seconds. When the time runs out exactly at a closing, the answer is
    /// that closing (18:00, not the next morning).
    pub fn add_business(&self, start: Timestamp, span: Span) -> Result<Timestamp, CalendarError> {
        let mut at = self.walk(start, |open, _| Break(open))?;
        if span.days > 0 {
            at = self.same_time_after_working_days(at, span.days)?;
        }
        let mut left = SignedDuration::from_secs(i64::from(span.seconds));
        self.walk(at, |open, close| {
            let available = close.duration_since(open);
            if left <= available {
                // Cannot overflow: the result is at most `close`.
                Break(open + left)
            } else {
                left -= available;
                Continue(())
            }
        })
    }

    /// Whether `at` lies in working hours (intervals are half-open: open at
    /// 09:00, closed at 18:00).
    pub fn is_open(&self, at: Timestamp) -> bool {
        let date = self.zone.to_datetime(at).date();
        self.hours_on(date)
            .iter()
            .any(|interval| interval.on(date, &self.zone).is_ok_and(|(open, close)| open <= at && at < close))
    }

    /// The first working instant at or after `at` (`at` itself when open);
    /// `None` when there is none within [`HORIZON_DAYS`].
    pub fn next_opening(&self, at: Timestamp) -> Option<Timestamp> {
        self.walk(at, |open, _| Break(open)).ok()
    }

    /// Calls `visit(open, close)` for each stretch of working time after
    /// `from`, in order (the first one clipped to start at `from`), until it
    /// breaks with the answer.
    fn walk<T>(
        &self,
        from: Timestamp,
        mut visit: impl FnMut(Timestamp, Timestamp) -> ControlFlow<T>,
    ) -> Result<T, CalendarError> {
        let mut date = self.zone.to_datetime(from).date();
        let mut closed_days = 0;
        // Where the search for more working time began, for the error.
        let mut last = from;
        loop {
            let mut worked = false;
            for interval in self.hours_on(date) {
                let (open, close) = interval.on(date, &self.zone).map_err(|e| self.out_of_range(from, e))?;
                if close <= from {
                    continue;
                }
                worked = true;
                if let Break(answer) = visit(open.max(from), close) {
                    return Ok(answer);
                }
                last = close;
            }
            closed_days = if worked { 0 } else { closed_days + 1 };
            if closed_days > HORIZON_DAYS {
                return Err(self.no_working_time(last));
            }
            date = date.tomorrow().map_err(|e| self.out_of_range(from, e))?;
        }
    }

    /// The same local time as `at` on the `n`-th working day after its date.
    fn same_time_after_working_days(&self, at: Timestamp, n: u32) -> Result<Timestamp, CalendarError> {
        let local = self.zone.to_datetime(at);
        let mut date: Date = local.date();
        let (mut found, mut closed_days) = (0, 0);
        while found < n {
            date = date.tomorrow().map_err(|e| self.out_of_range(at, e))?;
            if self.hours_on(date).is_empty() {
                closed_days += 1;
                if closed_days > HORIZON_DAYS {
                    return Err(self.no_working_time(at));
                }
            } else {
                found += 1;
                closed_days = 0;
            }
        }
        self.zone
            .to_ambiguous_timestamp(date.to_datetime(local.time()))
            .compatible()
            .map_err(|e| self.out_of_range(at, e))
    }

    fn no_working_time(&self, after: Timestamp) -> CalendarError {
        CalendarError::NoWorkingTime { calendar: self.name.clone(), after: self.format(after), days: HORIZON_DAYS }
    }

    fn out_of_range(&self, after: Timestamp, source: jiff::Error) -> CalendarError {
        CalendarError::OutOfRange { calendar: self.name.clone(), after: self.format(after), source }
    }
}
