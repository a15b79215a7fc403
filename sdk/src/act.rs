//! Constructors for the [`Action`]s a plugin returns, so rules read like the
//! manual: `act::deadline("notify-department", Span::minutes(10))`.

use crate::*;

/// A deadline in natural (wall-clock) time.
pub fn deadline(name: &str, after: Span) -> Action {
    Action::SetDeadline(Deadline { name: name.into(), after, clock: Clock::Natural })
}

/// A deadline in the working time of the department's calendar.
pub fn business_deadline(name: &str, after: Span) -> Action {
    Action::SetDeadline(Deadline { name: name.into(), after, clock: Clock::Business })
}

/// The deadline was kept.
pub fn meet(name: &str) -> Action {
    Action::MeetDeadline(name.into())
}

/// The deadline no longer applies.
pub fn cancel(name: &str) -> Action {
    Action::CancelDeadline(name.into())
}

/// Escalate to a level of the ladder.
pub fn escalate(level: &str, to: &str, reason: &str) -> Action {
    Action::Escalate(Escalation { level: level.into(), to: to.into(), reason: reason.into() })
}

/// A callback (return visit) due `after` from now.
pub fn callback(id: &str, after: Span, purpose: &str) -> Action {
    Action::ScheduleCallback(Callback { id: id.into(), due: CallbackDue::After(after), purpose: purpose.into() })
}

/// A callback due at a fixed time.
pub fn callback_at(id: &str, at: Timestamp, purpose: &str) -> Action {
    Action::ScheduleCallback(Callback { id: id.into(), due: CallbackDue::At(at), purpose: purpose.into() })
}

/// The callback no longer applies.
pub fn cancel_callback(id: &str) -> Action {
    Action::CancelCallback(id.into())
}

/// Penalty points against an agent for breaking a rule.
pub fn penalize(agent: &str, points: u32, rule: &str, reason: &str) -> Action {
    Action::Penalize(Points { agent: agent.into(), points, rule: rule.into(), reason: reason.into() })
}

/// Reward points for an agent.
pub fn reward(agent: &str, points: u32, rule: &str, reason: &str) -> Action {
    Action::Reward(Points { agent: agent.into(), points, rule: rule.into(), reason: reason.into() })
}

/// Fields that must be set before an event of type `before` is accepted.
pub fn require(before: &str, fields: &[&str], rule: &str) -> Action {
    Action::RequireFields(Requirement {
        before: before.into(),
        fields: fields.iter().map(|f| f.to_string()).collect(),
        rule: rule.into(),
    })
}

/// Show the agent what to say now.
pub fn script(scene: &str, text: &str) -> Action {
    Action::ShowScript(ScriptLine { scene: scene.into(), text: text.into() })
}

/// Tell a department or role something.
pub fn notify(to: &str, text: &str) -> Action {
    Action::Notify(Notice { to: to.into(), text: text.into() })
}

/// Record a violation by an agent (outside an utterance check).
pub fn violation(agent: &str, violation: Violation) -> Action {
    Action::RecordViolation(AgentViolation { agent: agent.into(), violation })
}

/// Remember a value on the contact; it comes back in `contact.memory`.
pub fn remember(key: &str, value: &str) -> Action {
    Action::Remember((key.into(), value.into()))
}
