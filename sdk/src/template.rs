//! Scripts with placeholders, as manuals write them:
//! `"{称呼},请问您是多少栋多少号房?"`.
//!
//! Unknown placeholders stay visible (`{物业名称}`) so a missing parameter is
//! noticed in review instead of silently dropped.

use crate::Contact;
use crate::contact::ContactExt;

/// Values for placeholders.
#[derive(Debug, Default, Clone)]
pub struct Vars {
    pairs: Vec<(String, String)>,
}

impl Vars {
    /// No values yet.
    pub fn new() -> Vars {
        Vars::default()
    }

    /// The contact's standard placeholders: `{客户姓名}`, `{客户姓氏}`, and
    /// `{称呼}` (surname + 先生/女士 from the customer's `gender` field, or
    /// the full name when the gender is unknown).
    pub fn for_contact(contact: &Contact) -> Vars {
        let surname = contact.surname().to_string();
        let title = match contact.field("gender") {
            Some("male" | "男" | "m") => format!("{surname}先生"),
            Some("female" | "女" | "f") => format!("{surname}女士"),
            _ if contact.customer.name.is_empty() => "您".to_string(),
            _ => contact.customer.name.clone(),
        };
        Vars::new().set("客户姓名", &contact.customer.name).set("客户姓氏", &surname).set("称呼", &title)
    }

    /// Adds or replaces a value.
    pub fn set(mut self, name: &str, value: &str) -> Vars {
        self.pairs.retain(|(k, _)| k != name);
        self.pairs.push((name.into(), value.into()));
        self
    }

    /// A value by placeholder name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Fills `{name}` placeholders in `template`.
    pub fn render(&self, template: &str) -> String {
        render(template, |name| self.get(name).map(str::to_string))
    }
}

/// Fills each `{name}` in `template` with `lookup(name)`; unknown names stay as written.
pub fn render(template: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if !after[..close].contains('{') => {
                let name = &after[..close];
                match lookup(name) {
                    Some(value) => out.push_str(&value),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_known_and_keeps_unknown() {
        let vars = Vars::new().set("物业名称", "红树西岸");
        assert_eq!(vars.render("欢迎致电{物业名称}管理处,{称呼}"), "欢迎致电红树西岸管理处,{称呼}");
        assert_eq!(vars.render("no { close"), "no { close");
    }
}
