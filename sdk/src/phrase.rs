//! Phrase matching for agents' Chinese messages, with context.
//!
//! Chinese has no spaces, so a plain substring search flags "应该" (should)
//! when the manual forbids the insult "你活该", or "死机" (the device froze)
//! when it forbids "死". A [`Phrase`] therefore carries the characters that
//! may not stand right before or after it, and matching ignores spaces,
//! punctuation and full-width/half-width differences, so "你 活 该!" is
//! still caught.

use crate::Violation;

/// One forbidden phrase with the context that makes it harmless.
#[derive(Debug, Clone)]
pub struct Phrase {
    text: Vec<char>,
    not_after: Vec<Vec<char>>,
    not_before: Vec<Vec<char>>,
}

impl Phrase {
    /// A phrase matched wherever it occurs.
    pub fn new(text: &str) -> Phrase {
        Phrase { text: normalize_str(text), not_after: Vec::new(), not_before: Vec::new() }
    }

    /// Not a match when directly preceded by one of `prefixes` ("应" before "该").
    pub fn not_after(mut self, prefixes: &[&str]) -> Phrase {
        self.not_after.extend(prefixes.iter().map(|p| normalize_str(p)));
        self
    }

    /// Not a match when directly followed by one of `suffixes` ("机" after "死").
    pub fn not_before(mut self, suffixes: &[&str]) -> Phrase {
        self.not_before.extend(suffixes.iter().map(|s| normalize_str(s)));
        self
    }

    /// The first match in `text` as a range of `text`'s normalized characters.
    fn find(&self, text: &[char]) -> Option<(usize, usize)> {
        let n = self.text.len();
        if n == 0 || text.len() < n {
            return None;
        }
        (0..=text.len() - n).find_map(|start| {
            let end = start + n;
            let hit = text[start..end] == self.text[..]
                && !self.not_after.iter().any(|p| text[..start].ends_with(p))
                && !self.not_before.iter().any(|s| text[end..].starts_with(s));
            hit.then_some((start, end))
        })
    }
}

/// A rule of the manual: the phrases that break it and what to say instead.
#[derive(Debug, Clone)]
pub struct PhraseRule {
    /// The rule id reported in violations.
    pub rule: String,
    /// Why it is wrong, for the agent.
    pub reason: String,
    /// What to say instead, if the manual says.
    pub suggestion: Option<String>,
    /// Penalty points per violation.
    pub points: u32,
    /// The phrases that break the rule.
    pub phrases: Vec<Phrase>,
}

impl PhraseRule {
    /// A rule with no phrases yet.
    pub fn new(rule: &str, reason: &str, points: u32) -> PhraseRule {
        PhraseRule { rule: rule.into(), reason: reason.into(), suggestion: None, points, phrases: Vec::new() }
    }

    /// Adds plain phrases.
    pub fn phrases(mut self, phrases: &[&str]) -> PhraseRule {
        self.phrases.extend(phrases.iter().map(|p| Phrase::new(p)));
        self
    }

    /// Adds a phrase with context.
    pub fn phrase(mut self, phrase: Phrase) -> PhraseRule {
        self.phrases.push(phrase);
        self
    }

    /// The wording to suggest.
    pub fn suggest(mut self, suggestion: &str) -> PhraseRule {
        self.suggestion = Some(suggestion.into());
        self
    }
}

/// A set of rules checked together against one message.
#[derive(Debug, Clone, Default)]
pub struct Phrasebook {
    rules: Vec<PhraseRule>,
}

impl Phrasebook {
    /// An empty book.
    pub fn new() -> Phrasebook {
        Phrasebook::default()
    }

    /// Adds a rule.
    pub fn rule(mut self, rule: PhraseRule) -> Phrasebook {
        self.rules.push(rule);
        self
    }

    /// At most one violation per rule, in rule order, each with the excerpt
    /// as the agent wrote it.
    pub fn check(&self, text: &str) -> Vec<Violation> {
        let (normalized, origin) = normalize_with_origin(text);
        self.rules
            .iter()
            .filter_map(|rule| {
                // Report what the agent wrote first, not the rule's first phrase.
                let (start, end) =
                    rule.phrases.iter().filter_map(|p| p.find(&normalized)).min_by_key(|(start, _)| *start)?;
                let excerpt = excerpt(text, origin[start], origin[end - 1]);
                Some(Violation {
                    rule: rule.rule.clone(),
                    excerpt,
                    reason: rule.reason.clone(),
                    suggestion: rule.suggestion.clone(),
                    points: rule.points,
                })
            })
            .collect()
    }
}

/// The original text from the char at byte `first` to the char at byte
/// `last`, inclusive: how a match is quoted back to the agent.
pub fn excerpt(text: &str, first: usize, last: usize) -> String {
    let end = last + text[last..].chars().next().map_or(0, char::len_utf8);
    text[first..end].to_string()
}

/// Full-width ASCII forms (Ａ, １, ！) to their half-width letters, and the
/// ideographic space to a space, so agents' input methods do not hide a phrase.
pub fn fold_width(c: char) -> char {
    match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    }
}

fn normalize_char(c: char) -> Option<char> {
    let c = fold_width(c);
    if c.is_whitespace() || c.is_ascii_punctuation() || is_cjk_punctuation(c) {
        return None;
    }
    Some(c.to_ascii_lowercase())
}

fn is_cjk_punctuation(c: char) -> bool {
    matches!(
        c,
        '。' | '，'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '“'
            | '”'
            | '‘'
            | '’'
            | '（'
            | '）'
            | '《'
            | '》'
            | '…'
            | '—'
            | '～'
            | '·'
            | '「'
            | '」'
            | '【'
            | '】'
    )
}

fn normalize_str(text: &str) -> Vec<char> {
    text.chars().filter_map(normalize_char).collect()
}

/// Normalized characters and, for each, the byte offset of its original.
fn normalize_with_origin(text: &str) -> (Vec<char>, Vec<usize>) {
    text.char_indices().filter_map(|(i, c)| normalize_char(c).map(|n| (n, i))).unzip()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insults() -> Phrasebook {
        Phrasebook::new().rule(
            PhraseRule::new("taboo-1", "侮辱性用语", 5)
                .phrases(&["你活该", "活该"])
                .phrase(Phrase::new("死").not_before(&["机", "角"]).not_after(&["生"]))
                .suggest("非常抱歉给您带来不便"),
        )
    }

    #[test]
    fn flags_the_insult_but_not_ordinary_words() {
        let book = insults();
        let hit = book.check("这是你活该!");
        assert_eq!(hit.len(), 1);
        assert_eq!(hit[0].excerpt, "你活该");
        assert!(book.check("您应该先重启一下路由器").is_empty());
        assert!(book.check("设备死机了,我帮您远程处理").is_empty());
        assert!(book.check("生死攸关").is_empty());
        assert_eq!(book.check("你去死吧")[0].excerpt, "死");
        assert_eq!(book.check("活该,你活该")[0].excerpt, "活该", "the earliest match in the text is reported");
    }

    #[test]
    fn ignores_spacing_punctuation_and_width() {
        let hit = insults().check("你 活,该");
        assert_eq!(hit[0].excerpt, "你 活,该");
        let book = Phrasebook::new().rule(PhraseRule::new("r", "x", 1).phrases(&["呵呵了"]));
        assert_eq!(book.check("呵呵了!!").len(), 1);
        let latin = Phrasebook::new().rule(PhraseRule::new("r", "x", 1).phrases(&["ok"]));
        assert_eq!(latin.check("ＯＫ").len(), 1);
    }
}
