//! The strict reader: what it accepts, and every problem at its line:col.

use std::path::Path;

use super::{cn, problems, ts};
use crate::calendar::Calendar;

/// The problems of `source` as `sopline rules check` prints them.
fn located(source: &str) -> Vec<String> {
    problems(source).iter().map(|d| d.locate(Path::new("cal.toml"), source).to_string()).collect()
}

const HEAD: &str = "name = \"x\"\ntimezone = \"Asia/Shanghai\"\n";

#[test]
fn the_shipped_calendar_has_every_2025_and_2026_day() {
    let cn = cn();
    assert_eq!(cn.name(), "cn-mainland");
    assert_eq!(cn.zone().iana_name(), Some("Asia/Shanghai"));
    // 2025: 1 + 8 + 3 + 5 + 3 + 8 closed days; 2026: 3 + 9 + 3 + 5 + 3 + 3 + 7.
    assert_eq!(cn.holidays.len(), 28 + 33);
    assert_eq!(cn.workdays.len(), 5 + 6);
    assert!(cn.holidays.is_sorted() && cn.workdays.is_sorted());
    assert!(cn.week[5].is_empty() && cn.week[6].is_empty());
    assert_eq!(cn.makeup, cn.week[0]);
    assert_eq!(cn.week[0].iter().map(ToString::to_string).collect::<Vec<_>>(), ["09:00-12:00", "13:00-18:00"]);
}

#[test]
fn accepts_the_spec_layout_with_dates_inside_hours() {
    // As the spec's example: the dated keys after [hours], TOML dates allowed,
    // make-up hours defaulting to Monday's.
    let calendar = Calendar::parse(&format!(
        "{HEAD}[hours]\nmon = [\"09:00-12:00\", \"13:00-18:00\"]\nholidays = [2026-02-16]\nworkdays = [\"2026-02-14\"]\n"
    ))
    .unwrap();
    assert!(calendar.is_open(ts("2026-02-14T10:00:00+08:00")), "make-up Saturday");
    assert!(!calendar.is_open(ts("2026-02-14T12:30:00+08:00")), "Monday's lunch");
    assert!(!calendar.is_open(ts("2026-02-16T10:00:00+08:00")), "holiday Monday");
    assert!(calendar.is_open(ts("2026-02-23T10:00:00+08:00")), "ordinary Monday");
}

#[test]
fn unknown_keys_are_errors_at_their_line_and_column() {
    let source = format!("{HEAD}zone = \"UTC\"\n[hours]\nmon = [\"09:00-18:00\"]\ntues = [\"09:00-18:00\"]\n");
    assert_eq!(
        located(&source),
        [
            "cal.toml:3:1: unknown key `zone`: expected name, timezone, hours, holidays, workdays or makeup_hours",
            "cal.toml:6:1: unknown key `tues` in [hours]: expected mon, tue, wed, thu, fri, sat, sun, holidays, workdays or makeup_hours",
        ]
    );
}

#[test]
fn load_reports_path_line_and_column() {
    let path = std::env::temp_dir().join(format!("sopline-calendar-test-{}.toml", std::process::id()));
    std::fs::write(&path, format!("{HEAD}[hours]\nmon = [\"09:00-18:00\"]\nmonday = []\n")).unwrap();
    let err = Calendar::load(&path).unwrap_err().to_string();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(
        err,
        format!(
            "{}:5:1: unknown key `monday` in [hours]: expected mon, tue, wed, thu, fri, sat, sun, holidays, workdays or makeup_hours",
            path.display()
        )
    );

    let missing = Calendar::load(Path::new("/nonexistent/cal.toml")).unwrap_err();
    assert!(format!("{missing:#}").starts_with("reading calendar /nonexistent/cal.toml: "), "{missing:#}");
}

#[test]
fn bad_intervals_are_errors() {
    let source = format!("{HEAD}[hours]\nmon = [\"9:00-12:00\", \"13:00-12:00\"]\n");
    assert_eq!(
        located(&source),
        [
            "cal.toml:4:8: in `hours.mon`: invalid working hours \"9:00-12:00\": write \"HH:MM-HH:MM\", e.g. \"09:00-12:00\"",
            "cal.toml:4:22: in `hours.mon`: invalid working hours \"13:00-12:00\": the start must be before the end",
        ]
    );
    let source = format!("{HEAD}[hours]\nmon = \"09:00-18:00\"\ntue = [9]\n");
    assert_eq!(
        located(&source),
        [
            "cal.toml:4:7: `hours.mon` must be an array, found string",
            "cal.toml:5:8: in `hours.tue`: expected a string such as \"09:00-12:00\", found integer",
        ]
    );
}

#[test]
fn overlapping_or_unsorted_intervals_are_errors() {
    let source =
        format!("{HEAD}[hours]\ntue = [\"09:00-12:00\", \"11:00-13:00\"]\nwed = [\"13:00-18:00\", \"09:00-12:00\"]\n");
    assert_eq!(
        located(&source),
        [
            "cal.toml:4:23: in `hours.tue`: \"11:00-13:00\" overlaps \"09:00-12:00\"",
            "cal.toml:5:23: in `hours.wed`: \"09:00-12:00\" comes after \"13:00-18:00\": list the intervals in time order",
        ]
    );
    let overlapping_makeup =
        format!("{HEAD}makeup_hours = [\"09:00-18:00\", \"17:00-19:00\"]\n[hours]\nmon = [\"09:00-18:00\"]\n");
    assert_eq!(
        located(&overlapping_makeup),
        ["cal.toml:3:32: in `makeup_hours`: \"17:00-19:00\" overlaps \"09:00-18:00\""]
    );
    // Touching intervals do not overlap.
    Calendar::parse(&format!("{HEAD}[hours]\nmon = [\"09:00-12:00\", \"12:00-13:00\"]\n")).unwrap();
}

#[test]
fn an_unknown_zone_is_named() {
    let source = "name = \"x\"\ntimezone = \"Asia/Shangai\"\n[hours]\nmon = [\"09:00-18:00\"]\n";
    assert_eq!(
        located(source),
        ["cal.toml:2:12: unknown time zone \"Asia/Shangai\": use an IANA name such as \"Asia/Shanghai\"",]
    );
}

#[test]
fn a_holiday_cannot_also_be_a_workday() {
    let source = format!(
        "{HEAD}holidays = [\"2026-02-14\", \"2026-02-15\"]\nworkdays = [\"2026-02-14\"]\n[hours]\nmon = [\"09:00-18:00\"]\n"
    );
    assert_eq!(located(&source), ["cal.toml:4:13: 2026-02-14 is both a holiday and a workday: keep it in one list"]);
}

#[test]
fn duplicate_and_malformed_dates_are_errors() {
    let source = format!(
        "{HEAD}holidays = [\"2026-02-15\", \"2026-02-16\", \"2026-02-15\"]\n[hours]\nmon = [\"09:00-18:00\"]\n"
    );
    assert_eq!(located(&source), ["cal.toml:3:41: 2026-02-15 is listed twice in `holidays`"]);

    let source =
        format!("{HEAD}workdays = [\"2026-2-14\", \"2026-02-30\", 20260214]\n[hours]\nmon = [\"09:00-18:00\"]\n");
    let found = located(&source);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert_eq!(
        found[0],
        "cal.toml:3:13: in `workdays`: \"2026-2-14\" is not a date: write YYYY-MM-DD, e.g. \"2026-02-15\""
    );
    assert!(found[1].starts_with("cal.toml:3:26: in `workdays`: \"2026-02-30\" is not a date: "), "{}", found[1]);
    assert_eq!(found[2], "cal.toml:3:40: in `workdays`: expected a date such as \"2026-02-15\", found integer");
}

#[test]
fn dated_keys_cannot_be_given_twice() {
    let source =
        format!("{HEAD}holidays = [\"2026-02-15\"]\n[hours]\nmon = [\"09:00-18:00\"]\nholidays = [\"2026-02-16\"]\n");
    assert_eq!(
        located(&source),
        ["cal.toml:6:1: `holidays` is given both at the top level and inside [hours]: keep one"]
    );
}

#[test]
fn missing_or_mistyped_fields_are_errors() {
    assert_eq!(
        located("[hours]\nmon = [\"09:00-18:00\"]\n"),
        [
            "cal.toml:1:1: missing `name`, e.g. name = \"cn-mainland\"",
            "cal.toml:1:1: missing `timezone`, an IANA name such as timezone = \"Asia/Shanghai\"",
        ]
    );
    assert_eq!(
        located(HEAD),
        ["cal.toml:1:1: missing [hours]: give each weekday's working hours, e.g. mon = [\"09:00-18:00\"]",]
    );
    assert_eq!(
        located("name = 3\ntimezone = \"UTC\"\nhours = 5\n"),
        [
            "cal.toml:1:8: `name` must be a string, found integer",
            "cal.toml:3:9: `hours` must be a table ([hours] with mon = [\"09:00-18:00\"] …), found integer",
        ]
    );
}

#[test]
fn a_calendar_that_never_opens_is_an_error() {
    assert_eq!(
        located(&format!("{HEAD}[hours]\nsat = []\n")),
        ["cal.toml:3:1: the calendar is never open: give working hours for at least one weekday",]
    );
    // Make-up days default to Monday's hours; Monday is closed here.
    let source = format!("{HEAD}workdays = [\"2026-02-14\"]\n[hours]\ntue = [\"09:00-18:00\"]\n");
    assert_eq!(
        located(&source),
        [
            "cal.toml:3:12: make-up days open with Monday's hours unless `makeup_hours` is given, and Monday is closed: give makeup_hours",
        ]
    );
}

#[test]
fn every_problem_is_reported_in_source_order() {
    let source = "name = \"x\"\ntimezone = \"Nowhere/City\"\ncolour = \"red\"\n[hours]\nmon = [\"09:00-12:00\", \"11:00-18:00\"]\nfri = [\"9-5\"]\n";
    let found = located(source);
    let lines: Vec<&str> = found.iter().map(|l| l.split(':').nth(1).unwrap()).collect();
    assert_eq!(lines, ["2", "3", "5", "6"], "{found:#?}");
}

#[test]
fn toml_syntax_errors_carry_their_span() {
    let found = problems("name = \"x\ntimezone = \"UTC\"\n");
    assert!(!found.is_empty());
    assert!(found.iter().all(|d| d.span.is_some()), "{found:?}");
}
