//! Supervisors' statistics and the points ledger over HTTP; the counting
//! is in [`crate::server::supervision`].

use axum::Json;
use jiff::Timestamp;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ApiError, ApiResult, Params, State};
use crate::server::auth::{Caller, Role};
use crate::server::store::now_ms;
use crate::server::supervision::{self, PointsLedger, Stats, SupervisionError};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// One department (default: every department of the caller).
    department: Option<String>,
    /// How many days, ending today (1–92; default 7).
    days: Option<i64>,
}

impl From<SupervisionError> for ApiError {
    fn from(e: SupervisionError) -> ApiError {
        match e {
            SupervisionError::Days(_) => ApiError::bad_request("invalid_query", e.to_string()),
            SupervisionError::UnknownDepartment(_) => ApiError::not_found(e.to_string()),
            SupervisionError::NotYours { .. } => ApiError::forbidden(e.to_string()),
            SupervisionError::Time(e) => ApiError::internal(e),
            SupervisionError::Store(e) => e.into(),
        }
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
    let stats =
        supervision::stats(&state.store, &state.calendars, &caller, q.department.as_deref(), days, Timestamp::now())
            .await?;
    Ok(Json(stats))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PointsQuery {
    agent: Option<String>,
    /// RFC 3339, inclusive; default: 30 days ago.
    #[param(format = DateTime)]
    from: Option<String>,
    /// RFC 3339, exclusive; default: now.
    #[param(format = DateTime)]
    to: Option<String>,
}

/// The penalty and reward ledger per agent and period. Agents see their own.
#[utoipa::path(get, path = "/api/v1/points", tag = "contacts", params(PointsQuery), responses((status = 200, body = PointsLedger)))]
pub async fn points(state: State, caller: Caller, Params(q): Params<PointsQuery>) -> ApiResult<Json<PointsLedger>> {
    let parse = |t: &Option<String>, default: i64| -> ApiResult<i64> {
        match t {
            Some(text) => Ok(crate::event::parse_time(text)
                .map_err(|e| ApiError::bad_request("invalid_query", e))?
                .as_millisecond()),
            None => Ok(default),
        }
    };
    let to = parse(&q.to, now_ms() + 1)?;
    let from = parse(&q.from, to - 30 * 24 * 3600 * 1000)?;
    Ok(Json(supervision::points(&state.store, &caller, q.agent.as_deref(), from, to).await?))
}
