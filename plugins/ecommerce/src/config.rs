//! The department's parameters, read once in `configure` into typed fields.

use sopline_sdk::{Params, Span};

/// Everything the rules read; built by [`Config::from_params`].
#[derive(Debug, Clone)]
pub struct Config {
    pub shop_name: String,
    pub delivery_estimate: String,
    pub first_response_within: Span,
    pub first_response_from_customer_message: bool,
    pub first_response_points: u32,
    pub hold_reply_within: Span,
    pub answer_question_within: Span,
    pub answer_question_points: u32,
    pub complaint_front_line_within: Span,
    pub complaint_front_line_points: u32,
    pub special_team_within: Span,
    pub special_team: String,
    pub supervisor: String,
    pub manager: String,
    pub complaint_business_time: bool,
    pub satisfaction_callback_within: Span,
    pub satisfaction_callback_points: u32,
    pub satisfied_reward_points: u32,
    pub urge_unpaid_within: Span,
    pub urge_unpaid_points: u32,
    pub after_sales_required_fields: Vec<String>,
    pub insult_points: u32,
    pub block_points: u32,
    pub hold_points: u32,
    pub private_data_points: u32,
    pub arguing_points: u32,
    pub leak_points: u32,
    pub platform_rule_points: u32,
    pub disparage_points: u32,
    pub vague_points: u32,
    pub inexact_amount_points: u32,
}

impl Config {
    /// Reads and checks the parameters; an error names the bad key.
    pub fn from_params(p: &Params) -> Result<Config, String> {
        let positive = |key: &str| -> Result<Span, String> {
            let span = p.duration(key)?;
            if span.days == 0 && span.seconds == 0 {
                return Err(format!("parameter `{key}` must be longer than 0s"));
            }
            Ok(span)
        };
        let name = |key: &str| -> Result<String, String> {
            let value = p.text(key)?;
            if value.trim().is_empty() {
                return Err(format!("parameter `{key}` must not be empty"));
            }
            Ok(value.trim().to_string())
        };
        let fields = p.text("after_sales_required_fields")?;
        let after_sales_required_fields: Vec<String> =
            fields.split([',', ',']).map(str::trim).filter(|f| !f.is_empty()).map(String::from).collect();
        if let Some(bad) = after_sales_required_fields.iter().find(|f| f.contains(char::is_whitespace)) {
            return Err(format!("parameter `after_sales_required_fields`: field name `{bad}` contains a space"));
        }
        Ok(Config {
            shop_name: name("shop_name")?,
            delivery_estimate: name("delivery_estimate")?,
            first_response_within: positive("first_response_within")?,
            first_response_from_customer_message: p.flag("first_response_from_customer_message")?,
            first_response_points: p.count("first_response_points")?,
            hold_reply_within: positive("hold_reply_within")?,
            answer_question_within: positive("answer_question_within")?,
            answer_question_points: p.count("answer_question_points")?,
            complaint_front_line_within: positive("complaint_front_line_within")?,
            complaint_front_line_points: p.count("complaint_front_line_points")?,
            special_team_within: positive("special_team_within")?,
            special_team: name("special_team")?,
            supervisor: name("supervisor")?,
            manager: name("manager")?,
            complaint_business_time: p.flag("complaint_business_time")?,
            satisfaction_callback_within: positive("satisfaction_callback_within")?,
            satisfaction_callback_points: p.count("satisfaction_callback_points")?,
            satisfied_reward_points: p.count("satisfied_reward_points")?,
            urge_unpaid_within: positive("urge_unpaid_within")?,
            urge_unpaid_points: p.count("urge_unpaid_points")?,
            after_sales_required_fields,
            insult_points: p.count("insult_points")?,
            block_points: p.count("block_points")?,
            hold_points: p.count("hold_points")?,
            private_data_points: p.count("private_data_points")?,
            arguing_points: p.count("arguing_points")?,
            leak_points: p.count("leak_points")?,
            platform_rule_points: p.count("platform_rule_points")?,
            disparage_points: p.count("disparage_points")?,
            vague_points: p.count("vague_points")?,
            inexact_amount_points: p.count("inexact_amount_points")?,
        })
    }

    /// Penalty points of an utterance rule.
    pub fn points(&self, rule: &str) -> u32 {
        match rule {
            "EC-T1" => self.insult_points,
            "EC-T2" => self.block_points,
            "EC-T3" => self.hold_points,
            "EC-T4" => self.private_data_points,
            "EC-T5" => self.arguing_points,
            "EC-T6" => self.leak_points,
            "EC-T7" => self.platform_rule_points,
            "EC-T8" => self.disparage_points,
            "EC-V1" => self.vague_points,
            "EC-A2" => self.inexact_amount_points,
            _ => 0,
        }
    }
}
