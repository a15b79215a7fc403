//! Checks on what a plugin hands back before the host acts on it.
//!
//! A plugin is untrusted code: a bug (or a hostile author) must not make the
//! host store megabytes per contact, schedule a callback in the year 30000 or
//! set a deadline nobody can name. Each check says which item is wrong and
//! why, so the plugin author can fix it.

use super::wit::{Action, CallbackDue, Clock, Manifest, ParamKind, ParamValue, Span, Violation};

/// The most actions one call may return.
pub const MAX_ACTIONS: usize = 256;
/// The longest name or id (deadline, callback, rule, scene, level, key), in bytes.
pub const MAX_NAME_BYTES: usize = 128;
/// The longest free text (script, reason, purpose, notice), in bytes.
pub const MAX_TEXT_BYTES: usize = 8 * 1024;
/// The most points one penalty, reward or violation may carry.
pub const MAX_POINTS: u32 = 10_000;
/// The longest span a deadline or callback may run (about ten years).
pub const MAX_SPAN_DAYS: u64 = 3660;
/// Callbacks at a fixed time must fall in 2000-01-01 ..= 2200-12-31 (UTC).
pub const CALLBACK_AT_RANGE_MS: std::ops::Range<i64> = 946_684_800_000..7_289_654_400_000;

/// Checks a list of actions; the error names the first bad one.
pub fn actions(actions: &[Action]) -> Result<(), String> {
    if actions.len() > MAX_ACTIONS {
        return Err(format!("{} actions, more than the {MAX_ACTIONS} allowed in one call", actions.len()));
    }
    for (i, action) in actions.iter().enumerate() {
        check_action(action).map_err(|why| format!("action {i} ({}): {why}", action_kind(action)))?;
    }
    Ok(())
}

/// Checks the violations `check-utterance` returned; the error names the first bad one.
pub fn violations(violations: &[Violation]) -> Result<(), String> {
    if violations.len() > MAX_ACTIONS {
        return Err(format!("{} violations, more than the {MAX_ACTIONS} allowed in one call", violations.len()));
    }
    for (i, v) in violations.iter().enumerate() {
        check_violation(v).map_err(|why| format!("violation {i}: {why}"))?;
    }
    Ok(())
}

/// The action's WIT case name, for messages.
pub fn action_kind(action: &Action) -> &'static str {
    match action {
        Action::SetDeadline(_) => "set-deadline",
        Action::MeetDeadline(_) => "meet-deadline",
        Action::CancelDeadline(_) => "cancel-deadline",
        Action::Escalate(_) => "escalate",
        Action::ScheduleCallback(_) => "schedule-callback",
        Action::CancelCallback(_) => "cancel-callback",
        Action::Penalize(_) => "penalize",
        Action::Reward(_) => "reward",
        Action::RequireFields(_) => "require-fields",
        Action::ShowScript(_) => "show-script",
        Action::Notify(_) => "notify",
        Action::RecordViolation(_) => "record-violation",
        Action::Remember(_) => "remember",
    }
}

fn check_action(action: &Action) -> Result<(), String> {
    match action {
        Action::SetDeadline(d) => {
            name("name", &d.name)?;
            span("after", &d.after)?;
            if let Clock::Calendar(calendar) = &d.clock {
                name("calendar", calendar)?;
            }
            Ok(())
        }
        Action::MeetDeadline(n) | Action::CancelDeadline(n) => name("deadline name", n),
        Action::Escalate(e) => {
            name("level", &e.level)?;
            name("to", &e.to)?;
            text("reason", &e.reason)
        }
        Action::ScheduleCallback(c) => {
            // An empty id is fine: the host makes one up.
            optional_name("id", &c.id)?;
            text("purpose", &c.purpose)?;
            match &c.due {
                CallbackDue::After(s) => span("after", s),
                CallbackDue::At(at) if CALLBACK_AT_RANGE_MS.contains(at) => Ok(()),
                CallbackDue::At(at) => Err(format!("`at` {at} ms is outside the years 2000 to 2200")),
            }
        }
        Action::CancelCallback(id) => name("callback id", id),
        Action::Penalize(p) | Action::Reward(p) => {
            // An empty agent means the contact's owner.
            optional_name("agent", &p.agent)?;
            name("rule", &p.rule)?;
            points(p.points)?;
            text("reason", &p.reason)
        }
        Action::RequireFields(r) => {
            name("before", &r.before)?;
            name("rule", &r.rule)?;
            if r.fields.is_empty() {
                return Err("the list of fields is empty".into());
            }
            r.fields.iter().try_for_each(|f| name("field", f))
        }
        Action::ShowScript(s) => {
            name("scene", &s.scene)?;
            text("text", &s.text)
        }
        Action::Notify(n) => {
            name("to", &n.to)?;
            text("text", &n.text)
        }
        Action::RecordViolation(v) => {
            optional_name("agent", &v.agent)?;
            check_violation(&v.violation)
        }
        Action::Remember((key, value)) => {
            name("key", key)?;
            text("value", value)
        }
    }
}

fn check_violation(v: &Violation) -> Result<(), String> {
    name("rule", &v.rule)?;
    text("excerpt", &v.excerpt)?;
    text("reason", &v.reason)?;
    if let Some(s) = &v.suggestion {
        text("suggestion", s)?;
    }
    points(v.points)
}

fn name(what: &str, value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err(format!("the {what} is empty"));
    }
    optional_name(what, value)
}

fn optional_name(what: &str, value: &str) -> Result<(), String> {
    if value.len() > MAX_NAME_BYTES {
        return Err(format!("the {what} is {} bytes long, more than {MAX_NAME_BYTES}", value.len()));
    }
    Ok(())
}

fn text(what: &str, value: &str) -> Result<(), String> {
    if value.len() > MAX_TEXT_BYTES {
        return Err(format!("the {what} is {} bytes long, more than {MAX_TEXT_BYTES}", value.len()));
    }
    Ok(())
}

fn points(points: u32) -> Result<(), String> {
    if points > MAX_POINTS {
        return Err(format!("{points} points, more than {MAX_POINTS}"));
    }
    Ok(())
}

fn span(what: &str, s: &Span) -> Result<(), String> {
    let days = u64::from(s.days) + u64::from(s.seconds) / 86_400;
    if days > MAX_SPAN_DAYS {
        return Err(format!("`{what}` spans {days} days, more than {MAX_SPAN_DAYS}"));
    }
    Ok(())
}

/// Checks a manifest read at load time.
pub fn manifest(m: &Manifest) -> Result<(), String> {
    for (what, value) in [("id", &m.id), ("version", &m.version)] {
        name(what, value)?;
        if value.contains(|c: char| c.is_whitespace() || c == '@') {
            return Err(format!("the {what} {value:?} contains whitespace or '@'"));
        }
    }
    for p in &m.params {
        name("parameter name", &p.name)?;
        if param_kind(&p.default) != p.kind {
            return Err(format!(
                "parameter `{}` is a {} but its default is a {}",
                p.name,
                param_kind_name(p.kind),
                param_kind_name(param_kind(&p.default))
            ));
        }
    }
    Ok(())
}

/// The kind of a parameter value.
pub fn param_kind(value: &ParamValue) -> ParamKind {
    match value {
        ParamValue::Flag(_) => ParamKind::Flag,
        ParamValue::Integer(_) => ParamKind::Integer,
        ParamValue::Text(_) => ParamKind::Text,
        ParamValue::Duration(_) => ParamKind::Duration,
    }
}

/// A parameter kind as administrators write it (`flag`, `integer`, `text`, `duration`).
pub fn param_kind_name(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::Flag => "flag",
        ParamKind::Integer => "integer",
        ParamKind::Text => "text",
        ParamKind::Duration => "duration",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::wit::{self, Deadline, Points};

    fn deadline(name: &str, days: u32, clock: Clock) -> Action {
        Action::SetDeadline(Deadline { name: name.into(), after: Span { days, seconds: 0 }, clock })
    }

    #[test]
    fn accepts_ordinary_actions() {
        let ok = [
            deadline("notify-department", 1, Clock::Calendar("cn-mainland".into())),
            Action::Penalize(Points { agent: String::new(), points: 5, rule: "r1".into(), reason: "late".into() }),
        ];
        assert_eq!(actions(&ok), Ok(()));
    }

    #[test]
    fn names_the_first_bad_action_and_why() {
        let bad = [deadline("ok", 1, Clock::Natural), deadline("", 1, Clock::Natural)];
        assert_eq!(actions(&bad).unwrap_err(), "action 1 (set-deadline): the name is empty");
        let far = [deadline("far", 4000, Clock::Natural)];
        assert!(actions(&far).unwrap_err().contains("4000 days"));
        let calendar = [deadline("x", 1, Clock::Calendar(String::new()))];
        assert!(actions(&calendar).unwrap_err().contains("calendar is empty"));
        let callback = [Action::ScheduleCallback(wit::Callback {
            id: String::new(),
            due: CallbackDue::At(0),
            purpose: "p".into(),
        })];
        assert!(actions(&callback).unwrap_err().contains("outside the years 2000 to 2200"));
        let fields =
            [Action::RequireFields(wit::Requirement { before: "closed".into(), fields: vec![], rule: "r".into() })];
        assert!(actions(&fields).unwrap_err().contains("fields is empty"));
        let points =
            [Action::Reward(Points { agent: "a".into(), points: 10_001, rule: "r".into(), reason: String::new() })];
        assert!(actions(&points).unwrap_err().contains("10001 points"));
        let text = [Action::Notify(wit::Notice { to: "ops".into(), text: "x".repeat(MAX_TEXT_BYTES + 1) })];
        assert!(actions(&text).unwrap_err().contains("more than 8192"));
    }

    #[test]
    fn caps_the_number_of_actions() {
        let many = vec![Action::MeetDeadline("d".into()); MAX_ACTIONS + 1];
        assert!(actions(&many).unwrap_err().starts_with("257 actions"));
    }
}
