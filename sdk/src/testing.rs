//! A native harness: run a plugin's logic in ordinary `cargo test` without
//! building wasm, and benchmark it against the host.
//!
//! ```ignore
//! let h = Harness::<Property>::new();
//! let c = contact().category("complaint").state(State::Pending).agent("a1").build();
//! let actions = h.on(&c, Event::Ended(Some("a1".into())), at(0));
//! assert!(has_deadline(&actions, "notify-department"));
//! ```

use crate::*;

/// A configured plugin, called directly.
pub struct Harness<P: Plugin> {
    /// The plugin as `configure` built it.
    pub plugin: P,
}

impl<P: Plugin> Default for Harness<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P: Plugin> Harness<P> {
    /// The plugin with its default parameters.
    pub fn new() -> Self {
        Self::with_params(Vec::new()).expect("the plugin accepts its own defaults")
    }

    /// The plugin with some parameters overridden.
    pub fn with_params(params: Vec<(&str, ParamValue)>) -> Result<Self, String> {
        let given = params.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        let params = Params::from_manifest(&P::manifest(), given)?;
        Ok(Harness { plugin: P::configure(&params)? })
    }

    /// `on-event`.
    pub fn on(&self, contact: &Contact, event: Event, now: Timestamp) -> Vec<Action> {
        self.plugin.on_event(contact, &event, now)
    }

    /// `check-utterance` for an agent's message.
    pub fn check(&self, contact: &Contact, text: &str) -> Vec<Violation> {
        self.plugin.check_utterance(contact, Speaker::Agent, text)
    }

    /// `script`.
    pub fn script(&self, scene: &str, contact: &Contact) -> Option<String> {
        self.plugin.script(scene, contact)
    }
}

/// Milliseconds from a number of seconds, for readable test times.
pub fn at(seconds: i64) -> Timestamp {
    seconds * 1000
}

/// Whether `actions` set a deadline called `name`.
pub fn has_deadline(actions: &[Action], name: &str) -> bool {
    actions.iter().any(|a| matches!(a, Action::SetDeadline(d) if d.name == name))
}

/// The penalties in `actions`, as (rule, points).
pub fn penalties(actions: &[Action]) -> Vec<(String, u32)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Penalize(p) => Some((p.rule.clone(), p.points)),
            _ => None,
        })
        .collect()
}

/// The scripts in `actions`, as (scene, text).
pub fn scripts(actions: &[Action]) -> Vec<(String, String)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::ShowScript(s) => Some((s.scene.clone(), s.text.clone())),
            _ => None,
        })
        .collect()
}

/// The deadline called `name` that `actions` set, if any (the first one).
pub fn deadline(actions: &[Action], name: &str) -> Option<Deadline> {
    actions.iter().find_map(|a| match a {
        Action::SetDeadline(d) if d.name == name => Some(d.clone()),
        _ => None,
    })
}

/// The deadlines `actions` marked met, by name, in order.
pub fn met(actions: &[Action]) -> Vec<&str> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::MeetDeadline(n) => Some(n.as_str()),
            _ => None,
        })
        .collect()
}

/// The deadlines and callbacks `actions` cancelled, by name, in order.
pub fn cancelled(actions: &[Action]) -> Vec<&str> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::CancelDeadline(n) | Action::CancelCallback(n) => Some(n.as_str()),
            _ => None,
        })
        .collect()
}

/// The callbacks `actions` scheduled, in order.
pub fn callbacks(actions: &[Action]) -> Vec<Callback> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::ScheduleCallback(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

/// The escalations in `actions`, as (level, to).
pub fn escalations(actions: &[Action]) -> Vec<(String, String)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Escalate(e) => Some((e.level.clone(), e.to.clone())),
            _ => None,
        })
        .collect()
}

/// The notifications in `actions`, as (to, text).
pub fn notices(actions: &[Action]) -> Vec<(String, String)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Notify(n) => Some((n.to.clone(), n.text.clone())),
            _ => None,
        })
        .collect()
}

/// The violations `actions` recorded, as (agent, rule, points).
pub fn violations(actions: &[Action]) -> Vec<(String, String, u32)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::RecordViolation(v) => Some((v.agent.clone(), v.violation.rule.clone(), v.violation.points)),
            _ => None,
        })
        .collect()
}

/// The rewards in `actions`, as (agent, rule, points).
pub fn rewards(actions: &[Action]) -> Vec<(String, String, u32)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Reward(p) => Some((p.agent.clone(), p.rule.clone(), p.points)),
            _ => None,
        })
        .collect()
}

/// The field requirements in `actions`, as (before, fields, rule).
pub fn requirements(actions: &[Action]) -> Vec<(String, Vec<String>, String)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::RequireFields(r) => Some((r.before.clone(), r.fields.clone(), r.rule.clone())),
            _ => None,
        })
        .collect()
}

/// Starts a contact: phone, consultation, waiting, opened at time 0.
pub fn contact() -> ContactBuilder {
    ContactBuilder(Contact {
        id: "c1".into(),
        department: "test".into(),
        channel: Channel::Phone,
        category: "consultation".into(),
        severity: Severity::Normal,
        state: State::Waiting,
        customer: Customer {
            id: "cust-1".into(),
            name: "王小明".into(),
            phone: "13800000000".into(),
            extra: Vec::new(),
        },
        fields: Vec::new(),
        agent: None,
        identified: false,
        opened_at: 0,
        answered_at: None,
        ended_at: None,
        resolved_at: None,
        reopen_count: 0,
        deadlines: Vec::new(),
        callbacks: Vec::new(),
        memory: Vec::new(),
    })
}

/// Builds a [`Contact`] snapshot for a test.
pub struct ContactBuilder(Contact);

impl ContactBuilder {
    /// The channel.
    pub fn channel(mut self, channel: Channel) -> Self {
        self.0.channel = channel;
        self
    }
    /// The category.
    pub fn category(mut self, category: &str) -> Self {
        self.0.category = category.into();
        self
    }
    /// The severity.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.0.severity = severity;
        self
    }
    /// The lifecycle state.
    pub fn state(mut self, state: State) -> Self {
        self.0.state = state;
        self
    }
    /// The customer's name.
    pub fn customer_name(mut self, name: &str) -> Self {
        self.0.customer.name = name.into();
        self
    }
    /// The owning agent.
    pub fn agent(mut self, agent: &str) -> Self {
        self.0.agent = Some(agent.into());
        self
    }
    /// Identity verified.
    pub fn identified(mut self) -> Self {
        self.0.identified = true;
        self
    }
    /// A form field.
    pub fn field(mut self, name: &str, value: &str) -> Self {
        self.0.fields.push((name.into(), value.into()));
        self
    }
    /// A remembered value.
    pub fn memory(mut self, key: &str, value: &str) -> Self {
        self.0.memory.push((key.into(), value.into()));
        self
    }
    /// A deadline with its status.
    pub fn deadline(mut self, name: &str, due: Timestamp, status: DeadlineStatus) -> Self {
        self.0.deadlines.push(DeadlineInfo { name: name.into(), due, status });
        self
    }
    /// A callback.
    pub fn callback(mut self, id: &str, due: Timestamp, purpose: &str) -> Self {
        self.0.callbacks.push(CallbackInfo {
            id: id.into(),
            due,
            purpose: purpose.into(),
            attempts: 0,
            status: CallbackStatus::Pending,
            last_outcome: None,
        });
        self
    }
    /// Callback `id`, already added, after `attempts` tries, the latest ending
    /// in `last_outcome`, now in `status`.
    ///
    /// # Panics
    ///
    /// If no callback `id` was added.
    pub fn callback_attempted(
        mut self,
        id: &str,
        attempts: u32,
        last_outcome: Option<&str>,
        status: CallbackStatus,
    ) -> Self {
        let cb = self.0.callbacks.iter_mut().find(|c| c.id == id).unwrap_or_else(|| panic!("no callback {id}"));
        cb.attempts = attempts;
        cb.last_outcome = last_outcome.map(String::from);
        cb.status = status;
        self
    }
    /// How many times it was reopened.
    pub fn reopened(mut self, times: u32) -> Self {
        self.0.reopen_count = times;
        self
    }
    /// When it was opened.
    pub fn opened_at(mut self, at: Timestamp) -> Self {
        self.0.opened_at = at;
        self
    }
    /// When an agent answered it.
    pub fn answered_at(mut self, at: Timestamp) -> Self {
        self.0.answered_at = Some(at);
        self
    }
    /// When the call or chat ended.
    pub fn ended_at(mut self, at: Timestamp) -> Self {
        self.0.ended_at = Some(at);
        self
    }
    /// When it was resolved.
    pub fn resolved_at(mut self, at: Timestamp) -> Self {
        self.0.resolved_at = Some(at);
        self
    }
    /// The snapshot.
    pub fn build(self) -> Contact {
        self.0
    }
}
