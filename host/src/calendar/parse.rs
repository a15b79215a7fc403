//! The strict reader of `rules/calendars/NAME.toml`.
//!
//! It walks toml's spanned document tree rather than deriving `Deserialize`:
//! serde stops at the first problem, while an administrator fixing a calendar
//! wants every problem at once, each at its line and column.
//!
//! `holidays`, `workdays` and `makeup_hours` are read both at the top level
//! and inside `[hours]`: the spec's example writes them after the `[hours]`
//! header, where TOML puts them inside that table.

use std::ops::Range;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use toml::Spanned;
use toml::de::{DeArray, DeString, DeTable, DeValue};

use super::{Calendar, Interval};
use crate::diagnostic::Diagnostic;

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

type Key<'i> = Spanned<DeString<'i>>;
type Value<'i> = Spanned<DeValue<'i>>;

pub(super) fn parse(source: &str) -> Result<Calendar, Vec<Diagnostic>> {
    let (root, errors) = DeTable::parse_recoverable(source);
    if !errors.is_empty() {
        // The tree after a syntax error is a guess; checking it would add noise.
        return Err(errors.iter().map(Diagnostic::from_toml).collect());
    }
    let mut reader = Reader::default();
    let calendar = reader.calendar(root.get_ref());
    match calendar {
        Some(calendar) if reader.problems.is_empty() => Ok(calendar),
        _ => {
            let mut problems = reader.problems;
            problems.sort_by_key(|d| d.span.as_ref().map_or(0, |s| s.start));
            Err(problems)
        }
    }
}

/// The values found for each key, before they are checked.
#[derive(Default)]
struct Fields<'t, 'i> {
    name: Option<&'t Value<'i>>,
    timezone: Option<&'t Value<'i>>,
    hours: Option<&'t Value<'i>>,
    week: [Option<&'t Value<'i>>; 7],
    holidays: Option<&'t Value<'i>>,
    workdays: Option<&'t Value<'i>>,
    makeup_hours: Option<&'t Value<'i>>,
}

impl<'t, 'i> Fields<'t, 'i> {
    /// The slot of a key allowed both at the top level and in `[hours]`.
    fn dated(&mut self, key: &str) -> Option<&mut Option<&'t Value<'i>>> {
        match key {
            "holidays" => Some(&mut self.holidays),
            "workdays" => Some(&mut self.workdays),
            "makeup_hours" => Some(&mut self.makeup_hours),
            _ => None,
        }
    }
}

#[derive(Default)]
struct Reader {
    problems: Vec<Diagnostic>,
}

impl Reader {
    fn problem(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.problems.push(Diagnostic::at(span, message));
    }

    fn calendar(&mut self, root: &DeTable<'_>) -> Option<Calendar> {
        let fields = self.fields(root);

        let name = fields.name.and_then(|v| self.name(v));
        let zone = fields.timezone.and_then(|v| self.zone(v));
        if fields.name.is_none() {
            self.problems.push(Diagnostic::whole("missing `name`, e.g. name = \"cn-mainland\""));
        }
        if fields.timezone.is_none() {
            self.problems
                .push(Diagnostic::whole("missing `timezone`, an IANA name such as timezone = \"Asia/Shanghai\""));
        }

        let week = std::array::from_fn(|i| match fields.week[i] {
            Some(v) => self.intervals(v, &format!("hours.{}", WEEKDAYS[i])),
            None => Some(Vec::new()),
        });
        let makeup = match fields.makeup_hours {
            Some(v) => self.intervals(v, "makeup_hours"),
            None => week[0].clone(),
        };
        let holidays = fields.holidays.map_or(Some(Vec::new()), |v| self.dates(v, "holidays"));
        let workdays = fields.workdays.map_or(Some(Vec::new()), |v| self.dates(v, "workdays"));

        if let (Some(holidays), Some(workdays)) = (&holidays, &workdays) {
            for (date, span) in workdays {
                if holidays.binary_search_by_key(date, |(d, _)| *d).is_ok() {
                    self.problem(span.clone(), format!("{date} is both a holiday and a workday: keep it in one list"));
                }
            }
        }
        self.check_opens(&fields, &week, makeup.as_deref(), workdays.as_deref());

        let week = week.map(|day| day.unwrap_or_default());
        let keep_dates = |dates: Vec<(Date, Range<usize>)>| {
            let mut dates: Vec<Date> = dates.into_iter().map(|(d, _)| d).collect();
            dates.dedup();
            dates
        };
        Some(Calendar {
            name: name?,
            zone: zone?,
            week,
            makeup: makeup?,
            holidays: keep_dates(holidays?),
            workdays: keep_dates(workdays?),
        })
    }

    /// Sorts the keys of the document into their slots; reports unknown and
    /// doubly given ones.
    fn fields<'t, 'i>(&mut self, root: &'t DeTable<'i>) -> Fields<'t, 'i> {
        let mut fields = Fields::default();
        for (key, value) in root {
            match key.get_ref().as_ref() {
                "name" => fields.name = Some(value),
                "timezone" => fields.timezone = Some(value),
                "hours" => fields.hours = Some(value),
                other => match fields.dated(other) {
                    Some(slot) => *slot = Some(value),
                    None => self.unknown(key, "", "name, timezone, hours, holidays, workdays or makeup_hours"),
                },
            }
        }
        let Some(hours) = fields.hours else {
            self.problems.push(Diagnostic::whole(
                "missing [hours]: give each weekday's working hours, e.g. mon = [\"09:00-18:00\"]",
            ));
            return fields;
        };
        let DeValue::Table(table) = hours.get_ref() else {
            let found = hours.get_ref().type_str();
            self.problem(
                hours.span(),
                format!("`hours` must be a table ([hours] with mon = [\"09:00-18:00\"] …), found {found}"),
            );
            return fields;
        };
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            if let Some(i) = WEEKDAYS.iter().position(|d| *d == name) {
                fields.week[i] = Some(value);
            } else if let Some(slot) = fields.dated(name) {
                if slot.is_some() {
                    self.problem(
                        key.span(),
                        format!("`{name}` is given both at the top level and inside [hours]: keep one"),
                    );
                } else {
                    *slot = Some(value);
                }
            } else {
                self.unknown(
                    key,
                    " in [hours]",
                    "mon, tue, wed, thu, fri, sat, sun, holidays, workdays or makeup_hours",
                );
            }
        }
        fields
    }

    fn unknown(&mut self, key: &Key<'_>, place: &str, expected: &str) {
        let name = key.get_ref();
        self.problem(key.span(), format!("unknown key `{name}`{place}: expected {expected}"));
    }

    fn name(&mut self, value: &Value<'_>) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) if !s.trim().is_empty() => Some(s.to_string()),
            DeValue::String(_) => {
                self.problem(value.span(), "`name` is empty");
                None
            }
            other => {
                self.problem(value.span(), format!("`name` must be a string, found {}", other.type_str()));
                None
            }
        }
    }

    fn zone(&mut self, value: &Value<'_>) -> Option<TimeZone> {
        let Some(text) = value.get_ref().as_str() else {
            let found = value.get_ref().type_str();
            self.problem(value.span(), format!("`timezone` must be a string, found {found}"));
            return None;
        };
        match TimeZone::get(text) {
            Ok(zone) => Some(zone),
            Err(_) => {
                self.problem(
                    value.span(),
                    format!("unknown time zone {text:?}: use an IANA name such as \"Asia/Shanghai\""),
                );
                None
            }
        }
    }

    fn array<'t, 'i>(&mut self, value: &'t Value<'i>, label: &str) -> Option<&'t DeArray<'i>> {
        match value.get_ref() {
            DeValue::Array(items) => Some(items),
            other => {
                self.problem(value.span(), format!("`{label}` must be an array, found {}", other.type_str()));
                None
            }
        }
    }

    /// A day's intervals, in order and disjoint; `None` when any is wrong.
    fn intervals(&mut self, value: &Value<'_>, label: &str) -> Option<Vec<Interval>> {
        let items = self.array(value, label)?;
        let mut intervals: Vec<Interval> = Vec::with_capacity(items.len());
        let mut ok = true;
        for item in items {
            let parsed = match item.get_ref() {
                DeValue::String(text) => Interval::parse(text),
                other => Err(format!("expected a string such as \"09:00-12:00\", found {}", other.type_str())),
            };
            let checked = parsed.and_then(|interval| match intervals.last() {
                Some(prev) if interval.start < prev.start => {
                    Err(format!("\"{interval}\" comes after \"{prev}\": list the intervals in time order"))
                }
                Some(prev) if interval.start < prev.end => Err(format!("\"{interval}\" overlaps \"{prev}\"")),
                _ => Ok(interval),
            });
            match checked {
                Ok(interval) => intervals.push(interval),
                Err(why) => {
                    ok = false;
                    self.problem(item.span(), format!("in `{label}`: {why}"));
                }
            }
        }
        ok.then_some(intervals)
    }

    /// Sorted dates with where each was written; duplicates reported.
    fn dates(&mut self, value: &Value<'_>, label: &str) -> Option<Vec<(Date, Range<usize>)>> {
        let items = self.array(value, label)?;
        let mut dates = Vec::with_capacity(items.len());
        for item in items {
            match date(item.get_ref()) {
                Ok(date) => dates.push((date, item.span())),
                Err(why) => self.problem(item.span(), format!("in `{label}`: {why}")),
            }
        }
        dates.sort_by_key(|(date, span)| (*date, span.start));
        for pair in dates.windows(2) {
            if pair[0].0 == pair[1].0 {
                self.problem(pair[1].1.clone(), format!("{} is listed twice in `{label}`", pair[1].0));
            }
        }
        Some(dates)
    }

    /// Reports a calendar that could never open, which would make every
    /// business-time question fail at run time instead of here.
    fn check_opens(
        &mut self,
        fields: &Fields<'_, '_>,
        week: &[Option<Vec<Interval>>; 7],
        makeup: Option<&[Interval]>,
        workdays: Option<&[(Date, Range<usize>)]>,
    ) {
        let (Some(workdays), Some(makeup)) = (workdays, makeup) else { return };
        if let (false, Some(value)) = (workdays.is_empty(), fields.workdays)
            && makeup.is_empty()
        {
            let why = if fields.makeup_hours.is_some() {
                "`makeup_hours` is empty, so the make-up days listed here would stay closed"
            } else {
                "make-up days open with Monday's hours unless `makeup_hours` is given, and Monday is closed: give makeup_hours"
            };
            self.problem(value.span(), why);
        }
        let week_closed = week.iter().all(|day| day.as_ref().is_some_and(Vec::is_empty));
        if let (true, true, Some(hours)) = (week_closed, workdays.is_empty(), fields.hours)
            && matches!(hours.get_ref(), DeValue::Table(_))
        {
            self.problem(hours.span(), "the calendar is never open: give working hours for at least one weekday");
        }
    }
}

/// `"2026-02-15"`, or the TOML local date `2026-02-15`.
fn date(value: &DeValue<'_>) -> Result<Date, String> {
    match value {
        DeValue::String(text) => {
            let b = text.as_bytes();
            let shaped = b.len() == 10
                && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() });
            if !shaped {
                return Err(format!("{text:?} is not a date: write YYYY-MM-DD, e.g. \"2026-02-15\""));
            }
            text.parse::<Date>().map_err(|e| format!("{text:?} is not a date: {e}"))
        }
        DeValue::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
            let d = dt.date.ok_or("expected a date")?;
            // Both fit: TOML dates have 4-digit years and checked months and days.
            Date::new(d.year as i16, d.month as i8, d.day as i8).map_err(|e| format!("{dt} is not a date: {e}"))
        }
        other => Err(format!("expected a date such as \"2026-02-15\", found {}", other.type_str())),
    }
}
