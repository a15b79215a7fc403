//! A department's parameters, checked once in `configure` so the rules can
//! use them without error handling.

use crate::civil::{Offset, TimeOfDay};
use sopline_sdk::{Params, Span};

/// Penalty points per rule.
#[derive(Debug, Clone)]
pub struct Points {
    pub approval: u32,
    pub dispatch: u32,
    pub remote_consent: u32,
    pub ladder: u32,
    pub return_visit: u32,
    pub december_call: u32,
    pub major_fault: u32,
    pub fault_analysis: u32,
    pub onsite_promise: u32,
    pub privacy: u32,
    pub warranty_promise: u32,
    pub buck_passing: u32,
    pub rude: u32,
    pub arguing: u32,
    pub rash_promise: u32,
    pub vague: u32,
}

/// Everything the rules need from the department's parameters.
#[derive(Debug, Clone)]
pub struct Config {
    pub company_name: String,
    pub offset: Offset,
    pub manager: String,
    pub sales: String,
    pub remote_team: String,
    pub field_team: String,
    pub dispatch_within: Span,
    pub remote_before_onsite: bool,
    pub monthly_visit_months: u32,
    pub later_visit_interval_months: u32,
    pub visit_time: TimeOfDay,
    pub visit_window: Span,
    pub visit_max_attempts: u32,
    pub december_call_day: u32,
    pub major_fault_report_within: Span,
    pub fault_analysis_within: Span,
    pub points: Points,
}

impl Config {
    /// Reads and checks the parameters; an error names the bad key.
    pub fn from_params(p: &Params) -> Result<Config, String> {
        let offset_minutes = p.integer("utc_offset_minutes")?;
        let offset = Offset::minutes(offset_minutes).ok_or_else(|| {
            format!("parameter `utc_offset_minutes` must be between -720 and 840 (480 = +08:00), not {offset_minutes}")
        })?;
        let visit_time_text = p.text("visit_time")?;
        let visit_time = TimeOfDay::parse(&visit_time_text).ok_or_else(|| {
            format!("parameter `visit_time` must be a time of day like \"10:00\", not {visit_time_text:?}")
        })?;
        let months = |key: &str| -> Result<u32, String> {
            let n = p.count(key)?;
            if n == 0 || n > 120 {
                return Err(format!("parameter `{key}` must be between 1 and 120 months, not {n}"));
            }
            Ok(n)
        };
        let december_call_day = p.count("december_call_day")?;
        if !(1..=31).contains(&december_call_day) {
            return Err(format!("parameter `december_call_day` must be between 1 and 31, not {december_call_day}"));
        }
        let visit_max_attempts = p.count("visit_max_attempts")?;
        if visit_max_attempts == 0 {
            return Err("parameter `visit_max_attempts` must be at least 1".into());
        }
        let name = |key: &str| -> Result<String, String> {
            let value = p.text(key)?;
            if value.trim().is_empty() {
                return Err(format!("parameter `{key}` must not be empty"));
            }
            Ok(value)
        };
        Ok(Config {
            company_name: p.text("company_name")?,
            offset,
            manager: name("manager")?,
            sales: name("sales")?,
            remote_team: name("remote_team")?,
            field_team: name("field_team")?,
            dispatch_within: p.duration("dispatch_within")?,
            remote_before_onsite: p.flag("remote_before_onsite")?,
            monthly_visit_months: months("monthly_visit_months")?,
            later_visit_interval_months: months("later_visit_interval_months")?,
            visit_time,
            visit_window: p.duration("visit_window")?,
            visit_max_attempts,
            december_call_day,
            major_fault_report_within: p.duration("major_fault_report_within")?,
            fault_analysis_within: p.duration("fault_analysis_within")?,
            points: Points {
                approval: p.count("approval_points")?,
                dispatch: p.count("dispatch_points")?,
                remote_consent: p.count("remote_consent_points")?,
                ladder: p.count("ladder_points")?,
                return_visit: p.count("return_visit_points")?,
                december_call: p.count("december_call_points")?,
                major_fault: p.count("major_fault_points")?,
                fault_analysis: p.count("fault_analysis_points")?,
                onsite_promise: p.count("onsite_promise_points")?,
                privacy: p.count("privacy_points")?,
                warranty_promise: p.count("warranty_promise_points")?,
                buck_passing: p.count("buck_passing_points")?,
                rude: p.count("rude_points")?,
                arguing: p.count("arguing_points")?,
                rash_promise: p.count("rash_promise_points")?,
                vague: p.count("vague_points")?,
            },
        })
    }
}
