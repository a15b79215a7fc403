//! Who did what comes from the credential, not from the request.
//!
//! The events' actor fields (`agent` on most events, `by` on `approved`)
//! name the person a penalty, a reward or an approval lands on, so an agent
//! must not be able to write someone else's name there:
//!
//! - an **agent**'s event that names another person is refused (403); one
//!   that names nobody gets the agent's own name filled in;
//! - **supervisors and admins** may name an agent of theirs (acting on their
//!   behalf, e.g. a supervisor taking over); left out, their own name is used;
//! - **approving** (`approved`) needs a supervisor or an admin, and `by` is
//!   always the caller.
//!
//! Every log row also records the authenticated caller (`actor`), whatever
//! the fields say. `from` is not a person: on `message` it says who spoke
//! (an agent may type what a customer said on the phone) and on
//! `department_replied` which department answered.

use serde_json::{Map, Value};

use super::{ApiError, ApiResult};
use crate::server::auth::{Caller, Role};

/// Fills in or checks the actor fields of an event (the raw JSON object,
/// before parsing) for `caller`.
pub fn attribute(caller: &Caller, event: &mut Map<String, Value>) -> ApiResult<()> {
    let kind = event.get("type").and_then(Value::as_str).unwrap_or_default().to_string();
    match kind.as_str() {
        "approved" => {
            caller.require(&[Role::Supervisor, Role::Admin], "approving")?;
            match event.get("by") {
                Some(Value::String(by)) if by != &caller.name => Err(ApiError::forbidden(format!(
                    "you are signed in as `{}`; an approval is always yours, so leave `by` out (it named `{by}`)",
                    caller.name
                ))),
                Some(Value::String(_)) => Ok(()),
                _ => {
                    event.insert("by".into(), caller.name.clone().into());
                    Ok(())
                }
            }
        }
        // No person acts in these.
        "opened" | "classified" | "field_set" | "department_replied" | "reopened" | "tick" => Ok(()),
        "message" if event.get("from").and_then(Value::as_str) != Some("agent") => check(caller, event, false),
        _ => check(caller, event, true),
    }
}

/// Checks `agent` against the caller; fills it in when absent and `fill`.
fn check(caller: &Caller, event: &mut Map<String, Value>, fill: bool) -> ApiResult<()> {
    match event.get("agent") {
        None | Some(Value::Null) => {
            if fill {
                event.insert("agent".into(), caller.name.clone().into());
            }
            Ok(())
        }
        Some(Value::String(named)) if named == &caller.name => Ok(()),
        Some(Value::String(named)) if matches!(caller.role, Role::Supervisor | Role::Admin) => {
            tracing::debug!(caller = %caller.name, agent = %named, "acting for an agent");
            Ok(())
        }
        Some(Value::String(named)) => Err(ApiError::forbidden(format!(
            "you are signed in as `{}`, but the event names `{named}`; agents act only as themselves, so leave `agent` out and it is filled in with you",
            caller.name
        ))),
        // Not a string: the event parser says what is wrong with it.
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn caller(role: Role) -> Caller {
        let token = crate::server::auth::TokenInfo { id: "t".into(), expires_at: None, hash: String::new() };
        Caller { name: "zhang".into(), role, departments: vec!["d".into()], token }
    }

    fn object(value: Value) -> Map<String, Value> {
        let Value::Object(map) = value else { panic!("an object") };
        map
    }

    #[test]
    fn an_agent_is_filled_in_and_cannot_name_a_colleague() {
        let agent = caller(Role::Agent);
        let mut answered = object(json!({"type": "answered"}));
        attribute(&agent, &mut answered).unwrap();
        assert_eq!(answered["agent"], "zhang");
        let mut forged = object(json!({"type": "resolved", "agent": "li", "on_first_contact": true}));
        let refused = attribute(&agent, &mut forged).unwrap_err();
        assert_eq!(refused.status(), 403);
        assert!(refused.message().unwrap().contains("`li`"), "{refused}");
    }

    #[test]
    fn approving_needs_a_supervisor_and_is_always_theirs() {
        let mut approved = object(json!({"type": "approved", "what": "dispatch"}));
        assert_eq!(attribute(&caller(Role::Agent), &mut approved).unwrap_err().status(), 403);
        attribute(&caller(Role::Supervisor), &mut approved).unwrap();
        assert_eq!(approved["by"], "zhang");
        let mut forged = object(json!({"type": "approved", "what": "dispatch", "by": "boss"}));
        assert_eq!(attribute(&caller(Role::Admin), &mut forged).unwrap_err().status(), 403);
    }

    #[test]
    fn a_supervisor_may_act_for_an_agent_and_customer_messages_name_nobody() {
        let mut taken_over = object(json!({"type": "answered", "agent": "li"}));
        attribute(&caller(Role::Supervisor), &mut taken_over).unwrap();
        assert_eq!(taken_over["agent"], "li");
        let mut said = object(json!({"type": "message", "from": "customer", "text": "在吗"}));
        attribute(&caller(Role::Agent), &mut said).unwrap();
        assert!(!said.contains_key("agent"));
        let mut wrote = object(json!({"type": "message", "from": "agent", "text": "您好"}));
        attribute(&caller(Role::Agent), &mut wrote).unwrap();
        assert_eq!(wrote["agent"], "zhang");
    }
}
