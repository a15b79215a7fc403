//! Questions plugins ask of a contact, answered from its snapshot.

use crate::*;

/// Chinese compound surnames (复姓) that take two characters.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "令狐",
    "澹台", "轩辕",
];

/// Convenience lookups on [`Contact`].
pub trait ContactExt {
    /// A form field's value.
    fn field(&self, name: &str) -> Option<&str>;
    /// A value the plugin remembered with `act::remember`.
    fn memory(&self, key: &str) -> Option<&str>;
    /// A deadline by name (the latest one set under that name).
    fn deadline(&self, name: &str) -> Option<&DeadlineInfo>;
    /// Whether the named deadline is running.
    fn is_pending(&self, name: &str) -> bool;
    /// Whether the named deadline was missed.
    fn was_missed(&self, name: &str) -> bool;
    /// Whether any deadline of this contact was missed.
    fn any_missed(&self) -> bool;
    /// A callback by id.
    fn callback(&self, id: &str) -> Option<&CallbackInfo>;
    /// The customer's surname: the first character, or two for a compound surname.
    fn surname(&self) -> &str;
    /// The agent who owns the contact, or `""` when nobody has answered yet.
    fn owner(&self) -> &str;
}

impl ContactExt for Contact {
    fn field(&self, name: &str) -> Option<&str> {
        lookup(&self.fields, name).or_else(|| lookup(&self.customer.extra, name))
    }

    fn memory(&self, key: &str) -> Option<&str> {
        lookup(&self.memory, key)
    }

    fn deadline(&self, name: &str) -> Option<&DeadlineInfo> {
        self.deadlines.iter().rev().find(|d| d.name == name)
    }

    fn is_pending(&self, name: &str) -> bool {
        self.deadline(name).is_some_and(|d| d.status == DeadlineStatus::Pending)
    }

    fn was_missed(&self, name: &str) -> bool {
        self.deadlines.iter().any(|d| d.name == name && d.status == DeadlineStatus::Missed)
    }

    fn any_missed(&self) -> bool {
        self.deadlines.iter().any(|d| d.status == DeadlineStatus::Missed)
    }

    fn callback(&self, id: &str) -> Option<&CallbackInfo> {
        self.callbacks.iter().find(|c| c.id == id)
    }

    fn surname(&self) -> &str {
        surname_of(&self.customer.name)
    }

    fn owner(&self) -> &str {
        self.agent.as_deref().unwrap_or("")
    }
}

/// The surname in a Chinese full name.
pub fn surname_of(name: &str) -> &str {
    let name = name.trim();
    if let Some(compound) = COMPOUND_SURNAMES.iter().find(|s| name.starts_with(**s)) {
        return &name[..compound.len()];
    }
    name.char_indices().nth(1).map_or(name, |(i, _)| &name[..i])
}

fn lookup<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::surname_of;

    #[test]
    fn surnames_single_and_compound() {
        assert_eq!(surname_of("王小明"), "王");
        assert_eq!(surname_of("欧阳娜娜"), "欧阳");
        assert_eq!(surname_of("李"), "李");
        assert_eq!(surname_of(""), "");
    }
}
