//! What supervisors manage by, counted from the log: deadlines met and
//! missed per day (SLA compliance), today's misses and escalations, and
//! penalties and rewards per agent. The API and the command line both call
//! these.
//!
//! A day is a local day of the department's calendar's time zone, so a
//! Shanghai front desk's Monday starts at 00:00 +08:00 whatever the
//! server's zone. The database groups outcomes by quarter hour (every zone's
//! offset is a whole number of them); here each quarter goes to its day.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::auth::Caller;
use super::store::{PointsRow, Store};
use crate::calendar::Calendar;

/// Days one statistics request may cover at most.
pub const MAX_DAYS: i64 = 92;

/// Why statistics could not be counted.
#[derive(Debug, thiserror::Error)]
pub enum SupervisionError {
    #[error("`days` must be 1–{MAX_DAYS} (got {0})")]
    Days(i64),
    #[error("no department `{0}`")]
    UnknownDepartment(String),
    #[error("you ({caller}) do not work for department `{department}`")]
    NotYours { caller: String, department: String },
    #[error(transparent)]
    Time(#[from] jiff::Error),
    #[error(transparent)]
    Store(#[from] anyhow::Error),
}

#[derive(Serialize, ToSchema)]
pub struct Stats {
    /// The departments counted, each with the calendar whose zone sets its days.
    pub departments: Vec<StatsDepartment>,
    /// One row per local day, oldest first, ending today.
    pub days: Vec<DayStats>,
    pub today: Today,
    /// Penalties and rewards per agent over the days.
    pub agents: Vec<AgentPoints>,
}

#[derive(Serialize, ToSchema)]
pub struct StatsDepartment {
    pub id: String,
    pub calendar: String,
    /// IANA name, e.g. `Asia/Shanghai`.
    pub timezone: String,
    /// Today's date there, `2026-03-02`.
    pub today: String,
}

#[derive(Serialize, ToSchema)]
pub struct DayStats {
    /// `2026-03-02`.
    pub date: String,
    /// Deadlines kept in time.
    pub met: i64,
    /// Deadlines that passed.
    pub missed: i64,
    /// `met ÷ (met + missed)`, from 0 to 1; null on a day without either.
    pub compliance: Option<f64>,
    pub escalations: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Today {
    /// Deadlines missed today.
    pub misses: i64,
    pub escalations: i64,
    /// Those misses and escalations, newest first (at most 200).
    pub incidents: Vec<IncidentView>,
}

#[derive(Serialize, ToSchema)]
pub struct IncidentView {
    pub contact: String,
    pub department: String,
    /// The contact's agent now (none while nobody answered).
    pub agent: Option<String>,
    /// `deadline_missed` or `escalated`.
    pub kind: String,
    /// The outcome as logged: `name` and `due` of a miss; `level`, `to` and `reason` of an escalation.
    #[schema(value_type = Object)]
    pub outcome: Value,
}

/// A department's days: its zone and the instants its range starts and ends.
struct Range {
    zone: TimeZone,
    first: Date,
    today: Date,
    start: i64,
    today_start: i64,
    end: i64,
}

impl Range {
    fn new(zone: TimeZone, now: Timestamp, days: i64) -> Result<Range, jiff::Error> {
        let today = now.to_zoned(zone.clone()).date();
        let first = today.checked_sub((days - 1).days())?;
        let start_of = |d: Date| d.to_zoned(zone.clone()).map(|z| z.timestamp().as_millisecond());
        Ok(Range {
            start: start_of(first)?,
            today_start: start_of(today)?,
            end: start_of(today.tomorrow()?)?,
            first,
            today,
            zone,
        })
    }

    /// The local day of a quarter hour (its start, in ms), if it is in the range.
    fn day(&self, quarter: i64) -> Option<Date> {
        let date = Timestamp::from_millisecond(quarter).ok()?.to_zoned(self.zone.clone()).date();
        (self.first..=self.today).contains(&date).then_some(date)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgentPoints {
    pub agent: String,
    pub penalties: i64,
    pub rewards: i64,
    pub total: i64,
}

/// Penalties and rewards summed per agent (the one tally both the
/// statistics and the points ledger use).
#[derive(Default)]
pub struct Tally(BTreeMap<String, AgentPoints>);

impl Tally {
    /// Books `points` (negative: a penalty) on `agent`.
    pub fn add(&mut self, agent: &str, points: i64) {
        let a = self.0.entry(agent.to_string()).or_insert_with(|| AgentPoints {
            agent: agent.to_string(),
            penalties: 0,
            rewards: 0,
            total: 0,
        });
        if points < 0 {
            a.penalties -= points;
        } else {
            a.rewards += points;
        }
        a.total += points;
    }

    /// Every agent's sums, by name.
    pub fn agents(self) -> Vec<AgentPoints> {
        self.0.into_values().collect()
    }
}

#[derive(Serialize, ToSchema)]
pub struct PointsLedger {
    pub agents: Vec<AgentPoints>,
    pub entries: Vec<PointsRow>,
}

/// The penalty and reward ledger of `caller`'s departments between `from`
/// and `to` (ms): every entry and the sums per agent. Agents see their own.
pub async fn points(
    store: &Store,
    caller: &Caller,
    agent: Option<&str>,
    from: i64,
    to: i64,
) -> anyhow::Result<PointsLedger> {
    let agent = match caller.role {
        super::auth::Role::Agent => Some(caller.name.as_str()),
        _ => agent,
    };
    let entries = store.points(caller.scope(), agent, from, to).await?;
    let mut tally = Tally::default();
    for e in &entries {
        tally.add(&e.agent, e.points);
    }
    Ok(PointsLedger { agents: tally.agents(), entries })
}

/// SLA compliance per day over `days` days ending today, today's misses and
/// escalations, and points per agent, for `caller`'s departments (or one).
pub async fn stats(
    store: &Store,
    calendars: &BTreeMap<String, Arc<Calendar>>,
    caller: &Caller,
    department: Option<&str>,
    days: i64,
    now: Timestamp,
) -> Result<Stats, SupervisionError> {
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(SupervisionError::Days(days));
    }
    let mut bindings = store.current_bindings().await?;
    if let Some(d) = department {
        if !bindings.iter().any(|b| b.department == d) {
            return Err(SupervisionError::UnknownDepartment(d.to_string()));
        }
        if !caller.sees(d) {
            return Err(SupervisionError::NotYours { caller: caller.name.clone(), department: d.to_string() });
        }
    }
    bindings.retain(|b| caller.sees(&b.department) && department.is_none_or(|d| d == b.department));

    let mut spans = BTreeMap::new();
    let mut departments = Vec::new();
    for b in &bindings {
        let zone = calendars.get(&b.calendar).map_or(TimeZone::UTC, |c| c.zone().clone());
        let span = Range::new(zone, now, days)?;
        departments.push(StatsDepartment {
            id: b.department.clone(),
            calendar: b.calendar.clone(),
            timezone: span.zone.iana_name().unwrap_or("UTC").to_string(),
            today: span.today.to_string(),
        });
        spans.insert(b.department.clone(), span);
    }
    let ids: Vec<String> = spans.keys().cloned().collect();
    let from = spans.values().map(|s| s.start).min().unwrap_or(0);
    let to = spans.values().map(|s| s.end).max().unwrap_or(0);

    let mut per_day: BTreeMap<Date, DayStats> = BTreeMap::new();
    for span in spans.values() {
        let mut d = span.first;
        while d <= span.today {
            per_day.entry(d).or_insert_with(|| DayStats {
                date: d.to_string(),
                met: 0,
                missed: 0,
                compliance: None,
                escalations: 0,
            });
            d = d.tomorrow()?;
        }
    }
    let mut agents = Tally::default();
    let (mut misses, mut escalations) = (0, 0);
    for row in store.outcome_counts(&ids, from, to).await? {
        let Some(span) = spans.get(&row.department) else { continue };
        let Some(date) = span.day(row.quarter) else { continue };
        let day = per_day.get_mut(&date).expect("every day of every range is listed");
        match row.kind.as_str() {
            "deadline_met" => day.met += row.count,
            "deadline_missed" => day.missed += row.count,
            "escalated" => day.escalations += row.count,
            _ => agents.add(row.agent.as_deref().unwrap_or_default(), row.points),
        }
        if date == span.today {
            match row.kind.as_str() {
                "deadline_missed" => misses += row.count,
                "escalated" => escalations += row.count,
                _ => {}
            }
        }
    }
    for day in per_day.values_mut() {
        let counted = day.met + day.missed;
        day.compliance = (counted > 0).then(|| day.met as f64 / counted as f64);
    }

    let today_from = spans.values().map(|s| s.today_start).min().unwrap_or(0);
    let incidents = store
        .incidents(&ids, today_from, to, 200)
        .await?
        .into_iter()
        .filter(|i| spans.get(&i.department).is_some_and(|s| i.at >= s.today_start))
        .map(|i| IncidentView {
            kind: i.outcome["kind"].as_str().unwrap_or_default().to_string(),
            contact: i.contact,
            department: i.department,
            agent: i.agent,
            outcome: i.outcome,
        })
        .collect();
    Ok(Stats {
        departments,
        days: per_day.into_values().collect(),
        today: Today { misses, escalations, incidents },
        agents: agents.agents(),
    })
}
