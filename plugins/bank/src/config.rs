//! A department's parameters, read once in `configure` and checked so that a
//! bad value is reported with its key instead of misbehaving at 3 a.m.

use sopline_sdk::{Params, Span};

/// One rung of the escalation ladder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rung {
    /// The level's name (`supervisor`, `special-team` …).
    pub level: String,
    /// Who receives an escalation at this level.
    pub to: String,
}

/// The bank plugin's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub bank_name: String,
    pub identity_points: u32,
    pub privacy_points: u32,
    pub promise_points: u32,
    pub argue_points: u32,
    pub buck_passing_points: u32,
    pub rude_points: u32,
    pub vague_points: u32,
    pub complaint_fields: Vec<String>,
    pub accept_within: Span,
    pub handle_within: Span,
    pub major_handle_within: Span,
    pub reply_within: Span,
    pub late_complaint_points: u32,
    pub ladder: Vec<Rung>,
    /// 1-based.
    pub major_entry_level: usize,
    pub escalation_response_within: Span,
    pub survey_after: Span,
    pub survey_within: Span,
    pub survey_retry_after: Span,
    pub survey_max_attempts: u32,
    pub survey_every_contact: bool,
    pub late_survey_points: u32,
    pub satisfied_points: u32,
}

impl Config {
    /// Reads and checks the parameters.
    pub fn from_params(p: &Params) -> Result<Config, String> {
        let ladder = parse_ladder(&p.text("escalation_ladder")?)?;
        let entry = p.count("major_entry_level")? as usize;
        if entry == 0 || entry > ladder.len() {
            return Err(format!(
                "parameter `major_entry_level` must be between 1 and {} (the rungs of `escalation_ladder`), not {entry}",
                ladder.len()
            ));
        }
        let attempts = p.count("survey_max_attempts")?;
        if attempts == 0 {
            return Err("parameter `survey_max_attempts` must be at least 1".into());
        }
        let config = Config {
            bank_name: p.text("bank_name")?,
            identity_points: p.count("identity_breach_points")?,
            privacy_points: p.count("privacy_breach_points")?,
            promise_points: p.count("promise_points")?,
            argue_points: p.count("argue_points")?,
            buck_passing_points: p.count("buck_passing_points")?,
            rude_points: p.count("rude_points")?,
            vague_points: p.count("vague_points")?,
            complaint_fields: p
                .text("complaint_required_fields")?
                .split([',', '，'])
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(str::to_string)
                .collect(),
            accept_within: positive(p, "complaint_accept_within")?,
            handle_within: positive(p, "complaint_handle_within")?,
            major_handle_within: positive(p, "major_complaint_handle_within")?,
            reply_within: positive(p, "complaint_reply_within")?,
            late_complaint_points: p.count("late_complaint_points")?,
            ladder,
            major_entry_level: entry,
            escalation_response_within: positive(p, "escalation_response_within")?,
            survey_after: p.duration("survey_callback_after")?,
            survey_within: positive(p, "survey_within")?,
            survey_retry_after: positive(p, "survey_retry_after")?,
            survey_max_attempts: attempts,
            survey_every_contact: p.flag("survey_every_contact")?,
            late_survey_points: p.count("late_survey_points")?,
            satisfied_points: p.count("satisfied_reward_points")?,
        };
        Ok(config)
    }

    /// The rung at a 1-based level, clamped to the ladder.
    pub fn rung(&self, level: usize) -> &Rung {
        &self.ladder[level.clamp(1, self.ladder.len()) - 1]
    }
}

/// A deadline of zero would fire the moment it is set: always a typo.
fn positive(p: &Params, key: &str) -> Result<Span, String> {
    let span = p.duration(key)?;
    if span.days == 0 && span.seconds == 0 {
        return Err(format!("parameter `{key}` must be longer than 0s"));
    }
    Ok(span)
}

/// `"supervisor:客服值班主管 > special-team:投诉处理专班"`.
pub fn parse_ladder(text: &str) -> Result<Vec<Rung>, String> {
    let mut rungs = Vec::new();
    for (i, part) in text.split('>').enumerate() {
        let part = part.trim();
        let (level, to) = part.split_once([':', '：']).ok_or_else(|| {
            format!("parameter `escalation_ladder`: rung {} {part:?} must be written level:receiver, e.g. supervisor:客服值班主管", i + 1)
        })?;
        let (level, to) = (level.trim(), to.trim());
        if level.is_empty() || to.is_empty() {
            return Err(format!(
                "parameter `escalation_ladder`: rung {} {part:?} needs both a level and a receiver",
                i + 1
            ));
        }
        if rungs.iter().any(|r: &Rung| r.level == level) {
            return Err(format!("parameter `escalation_ladder`: level {level:?} appears twice"));
        }
        rungs.push(Rung { level: level.into(), to: to.into() });
    }
    Ok(rungs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ladder_parses_and_names_mistakes() {
        let l = parse_ladder("supervisor:主管 > special-team：专班").unwrap();
        assert_eq!(l[1], Rung { level: "special-team".into(), to: "专班".into() });
        assert!(parse_ladder("supervisor").unwrap_err().contains("escalation_ladder"));
        assert!(parse_ladder("a:x > a:y").unwrap_err().contains("twice"));
        assert!(parse_ladder("a: > b:y").unwrap_err().contains("rung 1"));
    }
}
