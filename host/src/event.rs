//! The event vocabulary of the spec, as JSON: one parser for the API, the
//! scenario files and the console.
//!
//! Parsing is strict. A missing required field or an unknown field (a typo
//! such as `agnet`) is an error naming it, because a silently ignored field is
//! an SOP step that silently did not happen.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// How a contact reached the centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Phone,
    Chat,
    Email,
    Visit,
    Web,
}

/// How serious a matter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    #[default]
    Normal,
    Major,
}

/// Who said something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    Agent,
    Customer,
}

/// The result of a return visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallbackOutcome {
    Satisfied,
    Unsatisfied,
    NoAnswer,
    Reached,
}

impl CallbackOutcome {
    /// The spelling used in JSON and passed to plugins.
    pub fn as_str(self) -> &'static str {
        match self {
            CallbackOutcome::Satisfied => "satisfied",
            CallbackOutcome::Unsatisfied => "unsatisfied",
            CallbackOutcome::NoAnswer => "no_answer",
            CallbackOutcome::Reached => "reached",
        }
    }
}

/// The customer on an `opened` event; fields beyond id, name and phone are kept (as text).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Customer {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(flatten, deserialize_with = "text_map")]
    pub extra: BTreeMap<String, String>,
}

/// A contact arrives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Opened {
    pub department: String,
    pub channel: Channel,
    pub category: String,
    #[serde(default)]
    pub customer: Customer,
    #[serde(default, deserialize_with = "text_map")]
    pub fields: BTreeMap<String, String>,
}

/// One event of a contact's life.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Opened(Opened),
    Answered {
        agent: String,
        rings: Option<u32>,
    },
    Message {
        from: Speaker,
        agent: Option<String>,
        text: String,
    },
    Identified {
        agent: String,
        method: String,
    },
    Classified {
        category: String,
        severity: Severity,
    },
    FieldSet {
        name: String,
        value: String,
    },
    Ended {
        agent: Option<String>,
    },
    HandedOff {
        agent: String,
        to: String,
    },
    CustomerNotified {
        agent: String,
    },
    DepartmentReplied {
        from: String,
        text: String,
    },
    EscalationRequested {
        agent: String,
        reason: String,
    },
    Approved {
        by: String,
        what: String,
    },
    Resolved {
        agent: String,
        on_first_contact: bool,
    },
    CallbackAttempted {
        agent: String,
        outcome: CallbackOutcome,
        callback: Option<String>,
    },
    Reopened {
        reason: String,
    },
    Closed {
        agent: Option<String>,
    },
    /// A type the department's plugin declared in its manifest.
    Custom {
        kind: String,
        agent: Option<String>,
        fields: BTreeMap<String, String>,
    },
}

/// The event types every plugin understands.
pub const COMMON_TYPES: &[&str] = &[
    "opened",
    "answered",
    "message",
    "identified",
    "classified",
    "field_set",
    "ended",
    "handed_off",
    "customer_notified",
    "department_replied",
    "escalation_requested",
    "approved",
    "resolved",
    "callback_attempted",
    "reopened",
    "closed",
];

impl Event {
    /// The `type` as written in JSON.
    pub fn kind(&self) -> &str {
        match self {
            Event::Opened(_) => "opened",
            Event::Answered { .. } => "answered",
            Event::Message { .. } => "message",
            Event::Identified { .. } => "identified",
            Event::Classified { .. } => "classified",
            Event::FieldSet { .. } => "field_set",
            Event::Ended { .. } => "ended",
            Event::HandedOff { .. } => "handed_off",
            Event::CustomerNotified { .. } => "customer_notified",
            Event::DepartmentReplied { .. } => "department_replied",
            Event::EscalationRequested { .. } => "escalation_requested",
            Event::Approved { .. } => "approved",
            Event::Resolved { .. } => "resolved",
            Event::CallbackAttempted { .. } => "callback_attempted",
            Event::Reopened { .. } => "reopened",
            Event::Closed { .. } => "closed",
            Event::Custom { kind, .. } => kind,
        }
    }

    /// The agent who acted, where the event names one.
    pub fn agent(&self) -> Option<&str> {
        match self {
            Event::Answered { agent, .. }
            | Event::Identified { agent, .. }
            | Event::HandedOff { agent, .. }
            | Event::CustomerNotified { agent }
            | Event::EscalationRequested { agent, .. }
            | Event::Resolved { agent, .. }
            | Event::CallbackAttempted { agent, .. } => Some(agent),
            Event::Message { agent, .. }
            | Event::Ended { agent }
            | Event::Closed { agent }
            | Event::Custom { agent, .. } => agent.as_deref(),
            _ => None,
        }
    }

    /// Parses an event object whose envelope keys (`type`, `contact`, `at`)
    /// were already taken out. `custom_types` are the extra types the
    /// department's plugin declared; `None` accepts any unknown type as custom
    /// (the caller checks it against the plugin later).
    pub fn from_json(kind: &str, mut body: Map<String, Value>) -> Result<Event, String> {
        Ok(match kind {
            "opened" => Event::Opened(parse(kind, Value::Object(body))?),
            "answered" => {
                let b: AnsweredBody = parse(kind, Value::Object(body))?;
                Event::Answered { agent: nonempty(kind, "agent", b.agent)?, rings: b.rings }
            }
            "message" => {
                let b: MessageBody = parse(kind, Value::Object(body))?;
                if b.from == Speaker::Agent && b.agent.as_deref().unwrap_or("").is_empty() {
                    return Err("message from an agent needs `agent`".into());
                }
                Event::Message { from: b.from, agent: b.agent, text: b.text }
            }
            "identified" => {
                let b: IdentifiedBody = parse(kind, Value::Object(body))?;
                Event::Identified { agent: nonempty(kind, "agent", b.agent)?, method: b.method }
            }
            "classified" => {
                let b: ClassifiedBody = parse(kind, Value::Object(body))?;
                Event::Classified { category: nonempty(kind, "category", b.category)?, severity: b.severity }
            }
            "field_set" => {
                let b: FieldSetBody = parse(kind, Value::Object(body))?;
                Event::FieldSet { name: nonempty(kind, "name", b.name)?, value: text_of(&b.value) }
            }
            "ended" => Event::Ended { agent: parse::<AgentOnly>(kind, Value::Object(body))?.agent },
            "handed_off" => {
                let b: HandedOffBody = parse(kind, Value::Object(body))?;
                Event::HandedOff { agent: nonempty(kind, "agent", b.agent)?, to: nonempty(kind, "to", b.to)? }
            }
            "customer_notified" => {
                let b: AgentOnly = parse(kind, Value::Object(body))?;
                Event::CustomerNotified { agent: nonempty(kind, "agent", b.agent.unwrap_or_default())? }
            }
            "department_replied" => {
                let b: DepartmentRepliedBody = parse(kind, Value::Object(body))?;
                Event::DepartmentReplied { from: nonempty(kind, "from", b.from)?, text: b.text }
            }
            "escalation_requested" => {
                let b: EscalationBody = parse(kind, Value::Object(body))?;
                Event::EscalationRequested { agent: nonempty(kind, "agent", b.agent)?, reason: b.reason }
            }
            "approved" => {
                let b: ApprovedBody = parse(kind, Value::Object(body))?;
                Event::Approved { by: nonempty(kind, "by", b.by)?, what: nonempty(kind, "what", b.what)? }
            }
            "resolved" => {
                let b: ResolvedBody = parse(kind, Value::Object(body))?;
                Event::Resolved { agent: nonempty(kind, "agent", b.agent)?, on_first_contact: b.on_first_contact }
            }
            "callback_attempted" => {
                let b: CallbackBody = parse(kind, Value::Object(body))?;
                Event::CallbackAttempted {
                    agent: nonempty(kind, "agent", b.agent)?,
                    outcome: b.outcome,
                    callback: b.callback,
                }
            }
            "reopened" => Event::Reopened { reason: parse::<ReasonOnly>(kind, Value::Object(body))?.reason },
            "closed" => Event::Closed { agent: parse::<AgentOnly>(kind, Value::Object(body))?.agent },
            other => {
                if other.is_empty() || !other.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                {
                    return Err(format!("`type` {other:?} is not an event type (lower-case letters, digits and _)"));
                }
                let agent = match body.remove("agent") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(s)) => Some(s),
                    Some(_) => return Err(format!("{other}: `agent` must be a string")),
                };
                let fields = body.iter().map(|(k, v)| (k.clone(), text_of(v))).collect();
                Event::Custom { kind: other.to_string(), agent, fields }
            }
        })
    }
}

/// An event as it arrives: the envelope and the event.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// The contact's id, when the source gives it in the body.
    pub contact: Option<String>,
    /// When it happened (scenario files); the server uses its own clock.
    pub at: Option<jiff::Timestamp>,
    /// `None` for a scenario `tick`.
    pub event: Option<Event>,
}

impl Envelope {
    /// Parses one JSON object of the vocabulary.
    pub fn parse(value: Value) -> Result<Envelope, String> {
        if let Some(path) = nul_at(&value, &mut String::new()) {
            return Err(format!(
                "`{path}` contains a NUL character (\\u0000), which no text may hold; remove it and send the event again"
            ));
        }
        let Value::Object(mut body) = value else {
            return Err("an event must be a JSON object".into());
        };
        let kind = match body.remove("type") {
            Some(Value::String(kind)) => kind,
            Some(_) => return Err("`type` must be a string".into()),
            None => return Err("missing `type` (e.g. \"answered\")".into()),
        };
        let contact = match body.remove("contact") {
            None | Some(Value::Null) => None,
            Some(Value::String(id)) if !id.trim().is_empty() => Some(id),
            Some(_) => return Err("`contact` must be a non-empty string".into()),
        };
        let at = match body.remove("at") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(parse_time(&text).map_err(|e| format!("`at` {e}"))?),
            Some(_) => return Err("`at` must be an RFC 3339 string such as \"2026-03-02T09:00:00+08:00\"".into()),
        };
        let event = if kind == "tick" {
            if let Some(key) = body.keys().next() {
                return Err(format!("tick: unknown field `{key}` (a tick has only `at`)"));
            }
            None
        } else {
            Some(Event::from_json(&kind, body)?)
        };
        Ok(Envelope { contact, at, event })
    }
}

/// Where a NUL character hides in a JSON value (a key or a string), as a
/// path like `customer.name`. Databases refuse NUL in text (PostgreSQL does;
/// SQLite cuts the text at it), and no person means one.
fn nul_at(value: &Value, path: &mut String) -> Option<String> {
    match value {
        Value::String(s) if s.contains('\0') => Some(if path.is_empty() { "(the value)".into() } else { path.clone() }),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let found = nul_at(item, path);
            path.truncate(len);
            found
        }),
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&key.replace('\0', "\\u0000"));
            let found = if key.contains('\0') { Some(path.clone()) } else { nul_at(item, path) };
            path.truncate(len);
            found
        }),
        _ => None,
    }
}

/// One event as clients post it (`POST /api/v1/contacts/{id}/events`), for
/// the OpenAPI document only: parsing is [`Envelope::parse`], and these
/// variants are its own body types (`min_length` where it calls
/// `nonempty`), so the two say the same. Types a
/// department's plugin declares come on top, with text fields.
#[derive(utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
// Never built: its variants hold the parser's own (private) body types.
#[allow(dead_code, private_interfaces)]
pub(crate) enum PostedEvent {
    Answered(AnsweredBody),
    Message(MessageBody),
    Identified(IdentifiedBody),
    Classified(ClassifiedBody),
    FieldSet(FieldSetBody),
    Ended(AgentOnly),
    HandedOff(HandedOffBody),
    CustomerNotified(AgentOnly),
    DepartmentReplied(DepartmentRepliedBody),
    EscalationRequested(EscalationBody),
    Approved(ApprovedBody),
    Resolved(ResolvedBody),
    CallbackAttempted(CallbackBody),
    Reopened(ReasonOnly),
    Closed(AgentOnly),
}

/// Parses an RFC 3339 time that carries an offset. The error does not name
/// the field: the API's query parameters use this too.
pub fn parse_time(text: &str) -> Result<jiff::Timestamp, String> {
    text.parse::<jiff::Timestamp>().map_err(|e| format!("{text:?} is not an RFC 3339 time with an offset ({e})"))
}

fn parse<T: DeserializeOwned>(kind: &str, value: Value) -> Result<T, String> {
    serde_json::from_value(value).map_err(|e| format!("{kind}: {e}"))
}

fn nonempty(kind: &str, field: &str, value: String) -> Result<String, String> {
    if value.trim().is_empty() { Err(format!("{kind}: `{field}` must not be empty")) } else { Ok(value) }
}

/// A JSON value as text: strings as they are, anything else as JSON.
pub fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn text_map<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    let map = BTreeMap::<String, Value>::deserialize(d)?;
    Ok(map.into_iter().map(|(k, v)| (k, text_of(&v))).collect())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct AnsweredBody {
    #[schema(min_length = 1)]
    agent: String,
    rings: Option<u32>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct MessageBody {
    from: Speaker,
    agent: Option<String>,
    text: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct IdentifiedBody {
    #[schema(min_length = 1)]
    agent: String,
    #[serde(default)]
    method: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ClassifiedBody {
    #[schema(min_length = 1)]
    category: String,
    #[serde(default)]
    severity: Severity,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct FieldSetBody {
    #[schema(min_length = 1)]
    name: String,
    /// Kept as text (JSON for anything but a string).
    #[schema(value_type = String)]
    value: Value,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct AgentOnly {
    agent: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct HandedOffBody {
    #[schema(min_length = 1)]
    agent: String,
    #[schema(min_length = 1)]
    to: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct DepartmentRepliedBody {
    #[schema(min_length = 1)]
    from: String,
    #[serde(default)]
    text: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct EscalationBody {
    #[schema(min_length = 1)]
    agent: String,
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ApprovedBody {
    #[schema(min_length = 1)]
    by: String,
    #[schema(min_length = 1)]
    what: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ResolvedBody {
    #[schema(min_length = 1)]
    agent: String,
    #[serde(default)]
    on_first_contact: bool,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CallbackBody {
    #[schema(min_length = 1)]
    agent: String,
    outcome: CallbackOutcome,
    callback: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ReasonOnly {
    #[serde(default)]
    reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse_one(v: Value) -> Result<Envelope, String> {
        Envelope::parse(v)
    }

    #[test]
    fn parses_the_spec_vocabulary() {
        let e = parse_one(json!({"at": "2026-03-02T09:00:00+08:00", "type": "opened", "contact": "c1",
            "department": "property-frontdesk", "channel": "phone", "category": "complaint",
            "customer": {"id": "o7", "name": "王小明", "phone": "138", "room": 1203}, "fields": {"building": "5栋"}}))
        .unwrap();
        assert_eq!(e.contact.as_deref(), Some("c1"));
        let Some(Event::Opened(o)) = e.event else { panic!() };
        assert_eq!(o.customer.extra["room"], "1203");
        assert_eq!(o.fields["building"], "5栋");
        let e = parse_one(json!({"type": "callback_attempted", "agent": "a1", "outcome": "no_answer"})).unwrap();
        assert!(matches!(e.event, Some(Event::CallbackAttempted { outcome: CallbackOutcome::NoAnswer, .. })));
        let tick = parse_one(json!({"type": "tick", "at": "2026-03-02T10:00:00Z"})).unwrap();
        assert!(tick.event.is_none());
    }

    #[test]
    fn names_what_is_wrong() {
        let cases = [
            (json!({"agent": "a1"}), "missing `type`"),
            (json!({"type": "answered"}), "missing field `agent`"),
            (json!({"type": "answered", "agnet": "a1"}), "unknown field `agnet`"),
            (json!({"type": "answered", "agent": ""}), "`agent` must not be empty"),
            (json!({"type": "message", "from": "agent", "text": "hi"}), "needs `agent`"),
            (json!({"type": "opened", "department": "d", "channel": "fax", "category": "x"}), "unknown variant `fax`"),
            (json!({"type": "tick", "at": "yesterday"}), "not an RFC 3339 time"),
            (json!({"type": "Dispatched!"}), "not an event type"),
            (json!([1, 2]), "must be a JSON object"),
        ];
        for (input, expected) in cases {
            let err = parse_one(input.clone()).unwrap_err();
            assert!(err.contains(expected), "{input}: {err}");
        }
    }

    #[test]
    fn unknown_types_are_custom_with_text_fields() {
        let e =
            parse_one(json!({"type": "dispatched", "agent": "t1", "technician": "张工", "eta_minutes": 30})).unwrap();
        let Some(Event::Custom { kind, agent, fields }) = e.event else { panic!() };
        assert_eq!((kind.as_str(), agent.as_deref()), ("dispatched", Some("t1")));
        assert_eq!(fields["eta_minutes"], "30");
    }
}
