//! The engine: one event in, outcomes out. The simulator drives it with a
//! virtual clock; the server drives it with the wall clock and storage. Both
//! call exactly these functions, so a scenario that passes in `simulate`
//! behaves the same in production.
//!
//! For each event: the lifecycle decides whether it fits (pure), the contact
//! records it, the plugin checks what an agent wrote and decides what
//! follows, and the actions are applied. A plugin that fails does not lose
//! the event: the lifecycle's part stands and a `plugin_failed` outcome says
//! what went wrong.

mod actions;
pub mod convert;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use jiff::Timestamp;

use crate::calendar::Calendar;
use crate::contact::{CallbackStatus, Contact, DeadlineStatus, PluginRef};
use crate::event::{COMMON_TYPES, Event, Opened, Speaker};
use crate::lifecycle;
use crate::outcome::{Body, Outcome};
use crate::plugin::{LoadedPlugin, PluginInstance, wit};

/// The categories every plugin accepts, besides those its manifest adds.
pub const COMMON_CATEGORIES: &[&str] =
    &["consultation", "complaint", "repair", "feedback", "after_sales", "installation"];

/// A department as the rules bind it: one revision of its binding.
#[derive(Clone)]
pub struct Department {
    pub id: String,
    pub name: String,
    pub calendar: Arc<Calendar>,
    pub plugin: Arc<LoadedPlugin>,
    pub params: Vec<(String, wit::ParamValue)>,
    /// Counts the department's bindings: 1 for the first, one more per swap.
    pub revision: u32,
}

impl Department {
    /// The plugin version and binding new contacts of this department are pinned to.
    pub fn plugin_ref(&self) -> PluginRef {
        PluginRef {
            id: self.plugin.manifest.id.clone(),
            version: self.plugin.manifest.version.clone(),
            binding: self.revision,
        }
    }
}

/// Something that will happen to a contact at a time unless it is settled first.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Timer {
    Deadline(String),
    Callback(String),
}

pub struct Engine {
    /// Each department's current binding: what new contacts get.
    departments: BTreeMap<String, Department>,
    /// Earlier bindings, kept while contacts opened under them are still open.
    retired: HashMap<(String, u32), Department>,
    calendars: BTreeMap<String, Arc<Calendar>>,
    /// One live instance per (department, plugin version), reused for every
    /// event; keyed by department so a lookup allocates nothing.
    instances: HashMap<String, Vec<(PluginRef, PluginInstance)>>,
}

impl Engine {
    pub fn new(departments: Vec<Department>, calendars: BTreeMap<String, Arc<Calendar>>) -> Engine {
        let departments = departments.into_iter().map(|d| (d.id.clone(), d)).collect();
        Engine { departments, retired: HashMap::new(), calendars, instances: HashMap::new() }
    }

    /// Makes `department` the current binding of its department, at once:
    /// the next contact opened gets it. Contacts already open keep the
    /// binding they were opened with (see [`Engine::retain`]).
    pub fn rebind(&mut self, department: Department) {
        if let Some(old) = self.departments.insert(department.id.clone(), department) {
            self.retired.insert((old.id.clone(), old.revision), old);
        }
    }

    /// Keeps an earlier binding loaded for the contacts pinned to it (after
    /// a restart, the server loads those its open contacts use).
    pub fn retain(&mut self, department: Department) {
        let current = self.departments.get(&department.id).map(|d| d.revision);
        if current != Some(department.revision) {
            self.retired.insert((department.id.clone(), department.revision), department);
        }
    }

    /// Whether the binding a contact is pinned to is loaded.
    pub fn has_binding(&self, department: &str, revision: u32) -> bool {
        self.departments.get(department).is_some_and(|d| d.revision == revision)
            || self.retired.contains_key(&(department.to_string(), revision))
    }

    /// The binding a contact was opened under.
    pub fn binding_of(&self, contact: &Contact) -> Option<&Department> {
        match self.departments.get(&contact.department) {
            Some(d) if d.revision == contact.plugin.binding => Some(d),
            _ => self.retired.get(&(contact.department.clone(), contact.plugin.binding)),
        }
    }

    /// Moves a contact to its department's current binding (an administrator's explicit migration).
    pub fn migrate(&self, contact: &mut Contact) -> Result<(), String> {
        let department = self
            .departments
            .get(&contact.department)
            .ok_or_else(|| format!("department `{}` is not bound", contact.department))?;
        contact.plugin = department.plugin_ref();
        Ok(())
    }

    pub fn department(&self, id: &str) -> Option<&Department> {
        self.departments.get(id)
    }

    pub fn departments(&self) -> impl Iterator<Item = &Department> {
        self.departments.values()
    }

    /// Opens a contact. Rejected when the department or category is unknown.
    pub fn open(&mut self, id: &str, opened: &Opened, at: Timestamp) -> Result<(Contact, Vec<Outcome>), String> {
        let department = self.departments.get(&opened.department).ok_or_else(|| {
            let known: Vec<&str> = self.departments.keys().map(String::as_str).collect();
            format!("unknown department `{}` (known: {})", opened.department, known.join(", "))
        })?;
        let manifest = &department.plugin.manifest;
        if !COMMON_CATEGORIES.contains(&opened.category.as_str()) && !manifest.categories.contains(&opened.category) {
            let mut known: Vec<&str> = COMMON_CATEGORIES.to_vec();
            known.extend(manifest.categories.iter().map(String::as_str).filter(|c| !COMMON_CATEGORIES.contains(c)));
            return Err(format!(
                "category `{}` is not known to {} (known: {})",
                opened.category,
                department.plugin.id_version(),
                known.join(", ")
            ));
        }
        let mut contact = Contact::open(id.to_string(), opened, department.plugin_ref(), at);
        let event = Event::Opened(opened.clone());
        let bodies = self.decide(&mut contact, &event, None, at);
        let outcomes = self.stamp(&contact, at, bodies);
        Ok((contact, outcomes))
    }

    /// Applies an event to an open contact. `Err` means rejected: nothing changed.
    pub fn handle(&mut self, contact: &mut Contact, event: &Event, at: Timestamp) -> Result<Vec<Outcome>, String> {
        if let Event::Custom { kind, .. } = event {
            let manifest = &self.instance(contact)?.manifest().clone();
            if !manifest.event_types.contains(kind) {
                return Err(format!(
                    "unknown event type `{kind}`: neither common ({}) nor declared by {}@{} ({})",
                    COMMON_TYPES.join(", "),
                    manifest.id,
                    manifest.version,
                    manifest.event_types.join(", ")
                ));
            }
        }
        let to = lifecycle::next(contact.state, event)?;
        contact.precondition(event)?;
        let callback_id = match event {
            Event::CallbackAttempted { callback, .. } => {
                Some(contact.callbacks[contact.callback_for(callback.as_deref())?].id.clone())
            }
            _ => None,
        };
        let from = contact.state;
        contact.record(event, to, at);
        let mut bodies = Vec::new();
        if from != to {
            bodies.push(Body::State { from, to });
        }
        bodies.extend(self.decide(contact, event, callback_id.as_deref(), at));
        Ok(self.stamp(contact, at, bodies))
    }

    /// The timers a contact has running, with their due times.
    pub fn timers(contact: &Contact) -> impl Iterator<Item = (Timestamp, Timer)> + '_ {
        let deadlines = contact
            .deadlines
            .iter()
            .filter(|d| d.status == DeadlineStatus::Pending)
            .map(|d| (d.due, Timer::Deadline(d.name.clone())));
        let callbacks = contact
            .callbacks
            .iter()
            .filter(|c| c.status == CallbackStatus::Pending && !c.due_fired)
            .map(|c| (c.due, Timer::Callback(c.id.clone())));
        deadlines.chain(callbacks)
    }

    /// Fires a timer that fell due at `due`. Does nothing if it was settled
    /// or rescheduled in the meantime, so stale timers are harmless.
    pub fn fire(&mut self, contact: &mut Contact, timer: &Timer, due: Timestamp) -> Vec<Outcome> {
        let (event, first) = match timer {
            Timer::Deadline(name) => {
                let Some(d) = contact.pending_deadline(name).filter(|d| d.due == due) else { return Vec::new() };
                d.status = DeadlineStatus::Missed;
                let zoned = due.to_zoned(self.zone(contact));
                let event =
                    wit::Event::DeadlinePassed(wit::DeadlinePassed { name: name.clone(), due: due.as_millisecond() });
                (event, Body::DeadlineMissed { name: name.clone(), due: zoned })
            }
            Timer::Callback(id) => {
                let Some(cb) = contact
                    .callbacks
                    .iter_mut()
                    .find(|c| &c.id == id && c.status == CallbackStatus::Pending && !c.due_fired && c.due == due)
                else {
                    return Vec::new();
                };
                cb.due_fired = true;
                let body = Body::CallbackDue { id: cb.id.clone(), purpose: cb.purpose.clone() };
                (wit::Event::CallbackDue(convert::callback(cb)), body)
            }
        };
        let mut bodies = vec![first];
        let snapshot = convert::contact(contact);
        bodies.extend(self.run_plugin(contact, "deadline-passed", due, |instance| {
            instance.on_event(&snapshot, &event, due.as_millisecond())
        }));
        self.stamp(contact, due, bodies)
    }

    /// Violations in a text an agent is about to send (the console's check).
    pub fn check_utterance(&mut self, contact: &Contact, text: &str) -> Result<Vec<wit::Violation>, String> {
        let snapshot = convert::contact(contact);
        self.instance(contact)?.check_utterance(&snapshot, wit::Speaker::Agent, text).map_err(|e| e.to_string())
    }

    /// The plugin's script for a scene.
    pub fn script(&mut self, contact: &Contact, scene: &str) -> Result<Option<String>, String> {
        let snapshot = convert::contact(contact);
        self.instance(contact)?.script(scene, &snapshot).map_err(|e| e.to_string())
    }

    /// The plugin's part of an event: utterance checks, then its decision.
    fn decide(&mut self, contact: &mut Contact, event: &Event, callback: Option<&str>, at: Timestamp) -> Vec<Body> {
        let mut bodies = Vec::new();
        let snapshot = convert::contact(contact);
        if let Event::Message { from: Speaker::Agent, agent, text } = event {
            let agent = agent.clone().unwrap_or_default();
            match self
                .instance(contact)
                .and_then(|i| i.check_utterance(&snapshot, wit::Speaker::Agent, text).map_err(|e| e.to_string()))
            {
                Ok(violations) => {
                    for v in violations {
                        actions::violation(agent.clone(), v, &mut bodies);
                    }
                }
                Err(error) => bodies.push(self.failure(contact, event.kind(), error)),
            }
        }
        let wit_event = convert::event(event, callback);
        let now = at.as_millisecond();
        bodies.extend(
            self.run_plugin(contact, event.kind(), at, |instance| instance.on_event(&snapshot, &wit_event, now)),
        );
        bodies
    }

    /// Calls the plugin through `call` and applies the actions it returns.
    fn run_plugin(
        &mut self,
        contact: &mut Contact,
        kind: &str,
        at: Timestamp,
        call: impl FnOnce(&mut PluginInstance) -> Result<Vec<wit::Action>, crate::plugin::PluginError>,
    ) -> Vec<Body> {
        let decided = self.instance(contact).and_then(|i| call(i).map_err(|e| e.to_string()));
        let result = decided.and_then(|actions| {
            let calendar = match self.binding_of(contact) {
                Some(binding) => &binding.calendar,
                None => &self.departments[&contact.department].calendar,
            };
            let cx = actions::Context { now: at, calendar, calendars: &self.calendars };
            actions::apply(contact, actions, &cx)
        });
        result.unwrap_or_else(|error| vec![self.failure(contact, kind, error)])
    }

    fn failure(&self, contact: &Contact, kind: &str, error: String) -> Body {
        tracing::warn!(contact = %contact.id, plugin = %contact.plugin, event = kind, %error, "plugin failed");
        Body::PluginFailed { plugin: contact.plugin.to_string(), event: kind.to_string(), error }
    }

    /// The live instance for a contact's department and pinned plugin version.
    fn instance(&mut self, contact: &Contact) -> Result<&mut PluginInstance, String> {
        let live = self.instances.get(contact.department.as_str());
        if !live.is_some_and(|v| v.iter().any(|(p, _)| *p == contact.plugin)) {
            let department = self.binding_of(contact).ok_or_else(|| {
                format!(
                    "contact {} is pinned to {} (binding {} of department {}), which is not loaded",
                    contact.id, contact.plugin, contact.plugin.binding, contact.department
                )
            })?;
            let instance = department.plugin.instantiate(department.params.clone()).map_err(|e| e.to_string())?;
            self.instances.entry(contact.department.clone()).or_default().push((contact.plugin.clone(), instance));
        }
        let live = self.instances.get_mut(contact.department.as_str()).expect("inserted above");
        Ok(live.iter_mut().find(|(p, _)| *p == contact.plugin).map(|(_, i)| i).expect("inserted above"))
    }

    /// The zone of the calendar the contact's own binding uses (not the
    /// department's current one: a swap may have changed the calendar).
    fn zone(&self, contact: &Contact) -> jiff::tz::TimeZone {
        self.binding_of(contact)
            .or_else(|| self.departments.get(&contact.department))
            .map_or(jiff::tz::TimeZone::UTC, |d| d.calendar.zone().clone())
    }

    fn stamp(&self, contact: &Contact, at: Timestamp, bodies: Vec<Body>) -> Vec<Outcome> {
        let at = at.to_zoned(self.zone(contact));
        bodies.into_iter().map(|body| Outcome { at: at.clone(), contact: contact.id.clone(), body }).collect()
    }
}
