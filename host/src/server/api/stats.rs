//! Supervisors' statistics, counted from the log: deadlines met and missed
//! per day (SLA compliance), today's misses and escalations, and penalties
//! and rewards per agent.
//!
//! A day is a local day of the department's calendar's time zone, so a
//! Shanghai front desk's Monday starts at 00:00 +08:00 whatever the
//! server's zone. The database groups outcomes by quarter hour (every zone's
//! offset is a whole number of them); here each quarter goes to its day.

use std::collections::BTreeMap;

use axum::Json;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::contacts::AgentPoints;
use super::{ApiError, ApiResult, Params, State};
use crate::server::auth::{Caller, Role};

/// Days a request may cover at most.
const MAX_DAYS: i64 = 92;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// One department (default: every department of the caller).
    department: Option<String>,
    /// How many days, ending today (1–92; default 7).
    days: Option<i64>,
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

/// SLA compliance per day, today's misses and escalations, and points per
/// agent, for the caller's departments (supervisors and admins).
#[utoipa::path(get, path = "/api/v1/stats", tag = "supervision", params(StatsQuery),
    responses((status = 200, body = Stats), (status = 400, body = super::ErrorBody, description = "`days` out of range or an unknown query key"),
        (status = 403, body = super::ErrorBody, description = "agents and authors, or a department not the caller's"),
        (status = 404, body = super::ErrorBody, description = "no such department")))]
pub async fn stats(state: State, caller: Caller, Params(q): Params<StatsQuery>) -> ApiResult<Json<Stats>> {
    caller.require(&[Role::Supervisor, Role::Admin], "statistics")?;
    let days = q.days.unwrap_or(7);
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(ApiError::bad_request("invalid_query", format!("`days` must be 1–{MAX_DAYS} (got {days})")));
    }
    let mut bindings = state.store.current_bindings().await?;
    if let Some(d) = &q.department {
        if !bindings.iter().any(|b| &b.department == d) {
            return Err(ApiError::not_found(format!("no department `{d}`")));
        }
        if !caller.sees(d) {
            return Err(ApiError::forbidden(format!("you ({}) do not work for department `{d}`", caller.name)));
        }
    }
    bindings.retain(|b| caller.sees(&b.department) && q.department.as_ref().is_none_or(|d| *d == b.department));

    let now = Timestamp::now();
    let mut spans = BTreeMap::new();
    let mut departments = Vec::new();
    for b in &bindings {
        let zone = state.calendars.get(&b.calendar).map_or(TimeZone::UTC, |c| c.zone().clone());
        let span = Range::new(zone, now, days).map_err(ApiError::internal)?;
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
            d = d.tomorrow().map_err(ApiError::internal)?;
        }
    }
    let mut agents: BTreeMap<String, AgentPoints> = BTreeMap::new();
    let (mut misses, mut escalations) = (0, 0);
    for row in state.store.outcome_counts(&ids, from, to).await? {
        let Some(span) = spans.get(&row.department) else { continue };
        let Some(date) = span.day(row.quarter) else { continue };
        let day = per_day.get_mut(&date).expect("every day of every range is listed");
        match row.kind.as_str() {
            "deadline_met" => day.met += row.count,
            "deadline_missed" => day.missed += row.count,
            "escalated" => day.escalations += row.count,
            _ => {
                let agent = row.agent.unwrap_or_default();
                let a =
                    agents.entry(agent.clone()).or_insert(AgentPoints { agent, penalties: 0, rewards: 0, total: 0 });
                if row.points < 0 {
                    a.penalties -= row.points;
                } else {
                    a.rewards += row.points;
                }
                a.total += row.points;
            }
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
    let incidents = state
        .store
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
    Ok(Json(Stats {
        departments,
        days: per_day.into_values().collect(),
        today: Today { misses, escalations, incidents },
        agents: agents.into_values().collect(),
    }))
}
