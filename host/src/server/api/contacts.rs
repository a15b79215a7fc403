//! Contacts: open one, post events, read it with its timeline, list them;
//! the agent's utterance check and scripts; callbacks, deadlines, points.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, ApiResult, Body, Params, State};
use crate::event::{Envelope, Event};
use crate::server::auth::Caller;
use crate::server::core::{Job, OutcomeJson};
use crate::server::store::{CallbackView, ContactFilter, ContactSummary, now_ms};

/// `{"outcomes": [...]}` written from already-serialized outcomes.
fn outcomes_body(status: StatusCode, id: Option<&str>, outcomes: &OutcomeJson) -> Response {
    let mut body = String::with_capacity(64 + outcomes.iter().map(|o| o.len() + 1).sum::<usize>());
    body.push('{');
    if let Some(id) = id {
        body.push_str("\"id\":");
        body.push_str(&serde_json::to_string(id).expect("a string"));
        body.push(',');
    }
    body.push_str("\"outcomes\":[");
    for (i, o) in outcomes.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(o);
    }
    body.push_str("]}");
    (status, [(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn new_id() -> String {
    let t = jiff::Timestamp::now().strftime("%Y%m%d").to_string();
    format!("c-{t}-{}", crate::server::auth::random_hex(6))
}

/// `POST /contacts`: an `opened` event without `type`, and the contact's
/// id if the caller chooses it. For the OpenAPI document; the handler parses
/// the body as an event (`event::Opened`), whose fields these are.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct NewContact {
    /// 1–100 letters, digits, `-`, `_` or `.`; generated (`c-YYYYMMDD-…`) if absent.
    #[schema(nullable = false, pattern = "^[A-Za-z0-9._-]{1,100}$")]
    id: Option<String>,
    #[schema(min_length = 1)]
    department: String,
    channel: crate::event::Channel,
    /// One of the department's plugin's categories.
    #[schema(min_length = 1)]
    category: String,
    #[schema(required = false)]
    customer: crate::event::Customer,
    /// The contact's own fields (room, order number …), as text.
    #[schema(required = false)]
    fields: std::collections::BTreeMap<String, String>,
}

/// Open a contact: the `opened` event without `type`.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts", request_body = NewContact,
    responses((status = 201, description = "Opened; `{id, outcomes}`"),
        (status = 400, body = super::ErrorBody, description = "not JSON, or a bad `id`"),
        (status = 403, body = super::ErrorBody, description = "a department the caller does not work for, or an author"),
        (status = 409, body = super::ErrorBody, description = "a contact with this `id` exists"),
        (status = 422, body = super::ErrorBody, description = "Rejected (unknown department or category, a missing or unknown field)")))]
pub async fn create(state: State, caller: Caller, Body(body): Body<Value>) -> ApiResult<Response> {
    let Value::Object(mut map) = body else {
        return Err(ApiError::bad_request(
            "invalid_body",
            "the body must be a JSON object (an `opened` event without `type`)",
        ));
    };
    let given = match map.remove("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) if valid_id(&id) => Some(id),
        Some(_) => {
            return Err(ApiError::bad_request("invalid_id", "`id` must be 1–100 letters, digits, `-`, `_` or `.`"));
        }
    };
    if let Some(t) = map.remove("type")
        && t != "opened"
    {
        return Err(ApiError::bad_request(
            "invalid_body",
            "POST /contacts takes an `opened` event; post other events to /contacts/{id}/events",
        ));
    }
    map.remove("at");
    map.remove("contact");
    let mut raw = Value::Object(map.clone());
    map.insert("type".into(), "opened".into());
    let envelope = Envelope::parse(Value::Object(map))
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_event", e))?;
    let Some(Event::Opened(opened)) = envelope.event else { unreachable!("type is opened") };
    if !caller.sees(&opened.department) || caller.role == crate::server::auth::Role::Author {
        return Err(ApiError::forbidden(format!(
            "you ({}) do not work for department `{}`",
            caller.name, opened.department
        )));
    }
    raw["type"] = "opened".into();
    let generated = given.is_none();
    let id = given.unwrap_or_else(new_id);
    let job = Job::Open { id: id.clone(), opened, raw, generated, actor: caller.name.clone() };
    let outcomes = state.core.open(job).await?;
    Ok(outcomes_body(StatusCode::CREATED, Some(&id), &outcomes))
}

fn valid_id(id: &str) -> bool {
    (1..=100).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// The department of a contact the caller may see, or 404.
/// What the core checks a contact's department against (it has the contact at hand).
fn scope(caller: &Caller) -> crate::server::core::Scope {
    caller.scope().map(<[String]>::to_vec)
}

async fn visible(state: &State, caller: &Caller, id: &str) -> ApiResult<crate::contact::Contact> {
    let found = state.store.load_contact(id).await?;
    match found {
        Some((contact, _)) if caller.sees(&contact.department) => Ok(contact),
        // The same answer whether it does not exist or is another department's.
        _ => Err(ApiError::not_found(format!("no contact `{id}` in your departments"))),
    }
}

/// Post any event of the vocabulary to a contact; answers once committed.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/events", tag = "contacts",
    params(("id" = String, Path, description = "contact id")),
    request_body(content = crate::event::PostedEvent, description = "an event: `type` and its fields (`contact` optional); a department's plugin may declare more types, whose fields are text"),
    responses((status = 200, description = "`{outcomes: [...]}`"), (status = 403, body = super::ErrorBody, description = "authors do not work contacts"), (status = 422, body = super::ErrorBody, description = "Rejected: does not fit the contact's state or lacks a field"), (status = 404, body = super::ErrorBody)))]
pub async fn post_event(
    state: State,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<Value>,
) -> ApiResult<Response> {
    if caller.role == crate::server::auth::Role::Author {
        return Err(ApiError::forbidden("authors upload plugins; they do not work contacts"));
    }
    let mut raw = body;
    if let Some(c) = raw.get("contact").and_then(Value::as_str)
        && c != id
    {
        return Err(ApiError::bad_request("invalid_body", format!("`contact` is `{c}` but the path names `{id}`")));
    }
    let Value::Object(map) = &mut raw else {
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_event", "an event must be a JSON object"));
    };
    map.remove("at");
    super::attribution::attribute(&caller, map)?;
    let envelope = Envelope::parse(raw.clone())
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_event", e))?;
    let Some(event) = envelope.event else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_event",
            "`tick` is for scenario files, not the API",
        ));
    };
    if matches!(event, Event::Opened(_)) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_event",
            "open contacts with POST /api/v1/contacts",
        ));
    }
    let job = Job::Event { contact: id, event, raw, actor: caller.name.clone() };
    let outcomes = state.core.run(job, &scope(&caller)).await?;
    Ok(outcomes_body(StatusCode::OK, None, &outcomes))
}

/// A contact with its timeline, deadlines, callbacks and penalties.
#[derive(Serialize, ToSchema)]
pub struct ContactView {
    pub id: String,
    pub department: String,
    pub state: String,
    #[schema(value_type = Object)]
    pub plugin: Value,
    pub agent: Option<String>,
    pub channel: String,
    pub category: String,
    pub severity: String,
    #[schema(value_type = Object)]
    pub customer: Value,
    #[schema(value_type = Object)]
    pub fields: Value,
    pub opened_at: String,
    #[schema(value_type = Vec<Object>)]
    pub timeline: Vec<Value>,
    #[schema(value_type = Vec<Object>)]
    pub deadlines: Vec<Value>,
    #[schema(value_type = Vec<Object>)]
    pub callbacks: Vec<Value>,
    #[schema(value_type = Vec<Object>)]
    pub penalties: Vec<Value>,
    #[schema(value_type = Vec<Object>)]
    pub requirements: Vec<Value>,
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = String, Path, description = "contact id")),
    responses((status = 200, body = ContactView), (status = 404, body = super::ErrorBody)))]
pub async fn get_contact(state: State, caller: Caller, Path(id): Path<String>) -> ApiResult<axum::Json<ContactView>> {
    let c = visible(&state, &caller, &id).await?;
    let timeline = state.store.timeline(&id).await?;
    let penalties = timeline
        .iter()
        .filter(|e| e["entry"] == "outcome" && (e["kind"] == "penalty" || e["kind"] == "reward"))
        .cloned()
        .collect();
    // Times in the zone of the calendar the contact's binding uses.
    let binding = state.store.binding(&c.department, i64::from(c.plugin.binding)).await?;
    let zone = binding
        .and_then(|b| state.calendars.get(&b.calendar).map(|cal| cal.zone().clone()))
        .unwrap_or(jiff::tz::TimeZone::UTC);
    let time = |t: jiff::Timestamp| crate::outcome::format_time(&t.to_zoned(zone.clone()));
    Ok(axum::Json(ContactView {
        id: c.id.clone(),
        department: c.department.clone(),
        state: crate::server::store::enum_text(&c.state),
        plugin: serde_json::to_value(&c.plugin).unwrap_or_default(),
        agent: c.agent.clone(),
        channel: crate::server::store::enum_text(&c.channel),
        category: c.category.clone(),
        severity: crate::server::store::enum_text(&c.severity),
        customer: json(&c.customer),
        fields: json(&c.fields),
        opened_at: time(c.opened_at),
        timeline,
        deadlines: c
            .deadlines
            .iter()
            .map(|d| serde_json::json!({ "name": d.name, "due": time(d.due), "status": crate::server::store::enum_text(&d.status) }))
            .collect(),
        callbacks: c
            .callbacks
            .iter()
            .map(|cb| serde_json::json!({
                "id": cb.id, "due": time(cb.due), "purpose": cb.purpose, "attempts": cb.attempts,
                "status": if cb.status == crate::contact::CallbackStatus::Done { "done" } else if cb.due_fired { "overdue" } else { "pending" },
                "last_outcome": cb.last_outcome.map(|o| crate::server::store::enum_text(&o)),
            }))
            .collect(),
        penalties,
        requirements: c.requirements.iter().map(json).collect(),
    }))
}

fn json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or_default()
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    department: Option<String>,
    #[param(value_type = Option<StateFilter>)]
    state: Option<String>,
    agent: Option<String>,
    limit: Option<i64>,
    #[serde(default)]
    #[allow(dead_code)]
    token: Option<String>,
}

/// A contact's state, for filtering lists.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum StateFilter {
    Waiting,
    InProgress,
    Pending,
    Resolved,
    Closed,
}

#[derive(Serialize, ToSchema)]
pub struct ContactList {
    pub contacts: Vec<ContactSummary>,
}

/// Contacts of the caller's departments, newest first.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts", params(ListQuery),
    responses((status = 200, body = ContactList), (status = 400, body = super::ErrorBody), (status = 403, body = super::ErrorBody, description = "a department the caller does not work for")))]
pub async fn list(state: State, caller: Caller, Params(q): Params<ListQuery>) -> ApiResult<axum::Json<ContactList>> {
    if let Some(d) = &q.department
        && !caller.sees(d)
    {
        return Err(ApiError::forbidden(format!("you ({}) do not work for department `{d}`", caller.name)));
    }
    if let Some(s) = &q.state
        && !["waiting", "in_progress", "pending", "resolved", "closed"].contains(&s.as_str())
    {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("unknown state `{s}` (waiting, in_progress, pending, resolved, closed)"),
        ));
    }
    let filter =
        ContactFilter { department: q.department, state: q.state, agent: q.agent, limit: q.limit.unwrap_or(200) };
    let contacts = state.store.list_contacts(&filter, caller.scope()).await?;
    Ok(axum::Json(ContactList { contacts }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// What the agent is about to send.
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct CheckAnswer {
    #[schema(value_type = Vec<Object>)]
    pub violations: Vec<Value>,
}

/// Check what an agent is about to say against the contact's SOP (nothing is recorded).
#[utoipa::path(post, path = "/api/v1/contacts/{id}/check", tag = "contacts",
    params(("id" = String, Path, description = "contact id")), request_body = CheckRequest,
    responses((status = 200, body = CheckAnswer)))]
pub async fn check(
    state: State,
    caller: Caller,
    Path(id): Path<String>,
    Body(req): Body<CheckRequest>,
) -> ApiResult<axum::Json<CheckAnswer>> {
    let violations = state.core.check(id, &scope(&caller), req.text).await?;
    let violations = violations
        .into_iter()
        .map(|v| serde_json::json!({ "rule": v.rule, "excerpt": v.excerpt, "reason": v.reason, "suggestion": v.suggestion }))
        .collect();
    Ok(axum::Json(CheckAnswer { violations }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScriptQuery {
    /// e.g. `greeting`, `closing`; the plugin's manifest lists its scenes.
    scene: String,
}

#[derive(Serialize, ToSchema)]
pub struct ScriptAnswer {
    pub scene: String,
    pub text: Option<String>,
}

/// The plugin's script for a scene, filled in for this contact.
#[utoipa::path(get, path = "/api/v1/contacts/{id}/script", tag = "contacts",
    params(("id" = String, Path, description = "contact id"), ScriptQuery), responses((status = 200, body = ScriptAnswer)))]
pub async fn script(
    state: State,
    caller: Caller,
    Path(id): Path<String>,
    Params(q): Params<ScriptQuery>,
) -> ApiResult<axum::Json<ScriptAnswer>> {
    let scene = q.scene.clone();
    let text = state.core.script(id, &scope(&caller), q.scene).await?;
    Ok(axum::Json(ScriptAnswer { scene, text }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    department: Option<String>,
    agent: Option<String>,
    /// RFC 3339; default: the end of today (UTC+8 days run to 24:00 local).
    #[param(format = DateTime)]
    before: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CallbackList {
    pub callbacks: Vec<CallbackView>,
}

/// Callbacks due (and overdue) in the caller's departments.
#[utoipa::path(get, path = "/api/v1/callbacks", tag = "contacts", params(CallbackQuery), responses((status = 200, body = CallbackList)))]
pub async fn callbacks(
    state: State,
    caller: Caller,
    Params(q): Params<CallbackQuery>,
) -> ApiResult<axum::Json<CallbackList>> {
    let before = match &q.before {
        Some(text) => {
            crate::event::parse_time(text).map_err(|e| ApiError::bad_request("invalid_query", e))?.as_millisecond()
        }
        None => now_ms() + 24 * 3600 * 1000,
    };
    let callbacks =
        state.store.callbacks_due(caller.scope(), q.department.as_deref(), q.agent.as_deref(), before).await?;
    Ok(axum::Json(CallbackList { callbacks }))
}

#[derive(Serialize, ToSchema)]
pub struct DeadlineList {
    #[schema(value_type = Vec<Object>)]
    pub deadlines: Vec<Value>,
}

/// Running deadlines in the caller's departments, soonest first.
#[utoipa::path(get, path = "/api/v1/deadlines", tag = "contacts", responses((status = 200, body = DeadlineList)))]
pub async fn deadlines(state: State, caller: Caller) -> ApiResult<axum::Json<DeadlineList>> {
    let rows = state.store.deadlines_due(caller.scope(), 200).await?;
    let deadlines = rows
        .into_iter()
        .map(|(contact, department, name, due)| {
            serde_json::json!({ "contact": contact, "department": department, "name": name,
                "due": jiff::Timestamp::from_millisecond(due).map(|t| t.to_string()).unwrap_or_default() })
        })
        .collect();
    Ok(axum::Json(DeadlineList { deadlines }))
}
