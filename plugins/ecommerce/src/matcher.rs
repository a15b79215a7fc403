//! Clause-aware phrase patterns for Chinese agent messages.
//!
//! The SDK's `phrase` module knows the characters right before and after a
//! phrase. The e-commerce taboos need a little more, because the same words
//! are an insult or innocent depending on the clause they sit in:
//!
//! - "你能" argues when it ends a clause ("你能!", "你能你来") and is
//!   innocent when a verb follows ("你能收到吗") — [`Pattern::at_clause_end`];
//! - "转账" breaks platform rules in "您直接转账给我" but not in
//!   "请不要私下转账" — [`Pattern::unless`] looks at the whole clause;
//! - "明天肯定到" is a delivery promise made of three parts a few characters
//!   apart — [`Pattern::then`] with a [`Pattern::gap`], where `#` stands for
//!   a number ("3天", "两三天", "十五天").
//!
//! A clause ends at sentence or comma punctuation (not at a decimal point);
//! spaces, quotes and full-width forms are ignored as in the SDK, so
//! "你 活 该" still matches "你活该". Candidate for hoisting into `sdk::phrase`.

/// One element of an alternative: literal characters or a number.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Lit(char),
    /// One or more digits (with an inner decimal point) or Chinese numerals.
    Number,
}

type Alt = Vec<Piece>;

/// A phrase made of one or more parts with the context that makes it harmless.
#[derive(Debug, Clone)]
pub struct Pattern {
    slots: Vec<Vec<Alt>>,
    gap: usize,
    not_after: Vec<Vec<char>>,
    not_before: Vec<Vec<char>>,
    at_end: bool,
    unless: Vec<Vec<char>>,
}

/// Sentence-final particles that may follow a clause-final phrase ("你能啊").
const PARTICLES: &[char] = &['啊', '呀', '吧', '了', '哦', '呢', '嘛', '哈', '咯', '啦', '哇', '呗'];

const CHINESE_NUMERALS: &[char] =
    &['零', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '百', '千', '万', '两', '几', '半'];

impl Pattern {
    /// Any of `alternatives`; `#` in an alternative stands for a number.
    pub fn any(alternatives: &[&str]) -> Pattern {
        Pattern {
            slots: vec![parse_alts(alternatives)],
            gap: 0,
            not_after: Vec::new(),
            not_before: Vec::new(),
            at_end: false,
            unless: Vec::new(),
        }
    }

    /// Followed, within the same clause and at most [`Pattern::gap`]
    /// characters later, by any of `alternatives`.
    pub fn then(mut self, alternatives: &[&str]) -> Pattern {
        self.slots.push(parse_alts(alternatives));
        self
    }

    /// How many characters may separate consecutive parts (default 0).
    pub fn gap(mut self, chars: usize) -> Pattern {
        self.gap = chars;
        self
    }

    /// Not a match when directly preceded by one of `prefixes`.
    pub fn not_after(mut self, prefixes: &[&str]) -> Pattern {
        self.not_after.extend(prefixes.iter().map(|p| normalize_str(p)));
        self
    }

    /// Not a match when directly followed by one of `suffixes`.
    pub fn not_before(mut self, suffixes: &[&str]) -> Pattern {
        self.not_before.extend(suffixes.iter().map(|s| normalize_str(s)));
        self
    }

    /// Only a match when nothing but sentence-final particles follows it in
    /// its clause ("你能!", "你对吧" but not "你能收到吗").
    pub fn at_clause_end(mut self) -> Pattern {
        self.at_end = true;
        self
    }

    /// Not a match in a clause that contains any of `words` (negations such as
    /// "不要", "请勿"; conditions such as "如果").
    pub fn unless(mut self, words: &[&str]) -> Pattern {
        self.unless.extend(words.iter().map(|w| normalize_str(w)));
        self
    }

    /// The first match in a normalized clause: the char range of each part.
    fn find_in(&self, clause: &[char]) -> Option<Vec<(usize, usize)>> {
        if self.unless.iter().any(|w| contains(clause, w)) {
            return None;
        }
        (0..clause.len()).find_map(|start| {
            let parts = self.match_from(clause, start, 0)?;
            Some(parts)
        })
    }

    /// Matches slot `slot` starting exactly at `at`, then the rest.
    fn match_from(&self, clause: &[char], at: usize, slot: usize) -> Option<Vec<(usize, usize)>> {
        for alt in &self.slots[slot] {
            let Some(end) = match_alt(alt, clause, at) else {
                continue;
            };
            if slot + 1 == self.slots.len() {
                if self.accepts(clause, end) {
                    return Some(vec![(at, end)]);
                }
                continue;
            }
            for next in end..=(end + self.gap).min(clause.len()) {
                if let Some(mut rest) = self.match_from(clause, next, slot + 1) {
                    rest.insert(0, (at, end));
                    return Some(rest);
                }
            }
        }
        None
    }

    /// Context checks after the last part.
    fn accepts(&self, clause: &[char], end: usize) -> bool {
        if self.not_before.iter().any(|s| clause[end..].starts_with(s)) {
            return false;
        }
        if self.at_end && !clause[end..].iter().all(|c| PARTICLES.contains(c)) {
            return false;
        }
        true
    }

    /// The first match in `text`, as (the excerpt as written, the text of each part).
    pub fn find(&self, text: &str) -> Option<Found> {
        for clause in clauses(text) {
            let chars: Vec<char> = clause.iter().map(|(c, _)| *c).collect();
            let mut start = 0;
            while start < chars.len() {
                let Some(parts) = self.find_in(&chars[start..]) else {
                    break;
                };
                let parts: Vec<(usize, usize)> = parts.iter().map(|(a, b)| (a + start, b + start)).collect();
                let (first, last) = (parts[0].0, parts[parts.len() - 1].1);
                if self.not_after.iter().any(|p| chars[..first].ends_with(p)) {
                    // Try again after this occurrence's first character.
                    start = first + 1;
                    continue;
                }
                let excerpt = sopline_sdk::phrase::excerpt(text, clause[first].1, clause[last - 1].1);
                let texts = parts.iter().map(|(a, b)| chars[*a..*b].iter().collect()).collect();
                return Some(Found { excerpt, parts: texts });
            }
        }
        None
    }
}

/// A match: the words as the agent wrote them, and each part normalized.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// From the first to the last matched character, as written.
    pub excerpt: String,
    /// What each part of the pattern matched, normalized.
    pub parts: Vec<String>,
}

fn parse_alts(alternatives: &[&str]) -> Vec<Alt> {
    alternatives
        .iter()
        .map(|a| normalize_str(a).into_iter().map(|c| if c == '#' { Piece::Number } else { Piece::Lit(c) }).collect())
        .collect()
}

fn match_alt(alt: &Alt, clause: &[char], at: usize) -> Option<usize> {
    let mut i = at;
    for piece in alt {
        match piece {
            Piece::Lit(c) => {
                if clause.get(i) != Some(c) {
                    return None;
                }
                i += 1;
            }
            Piece::Number => {
                let n = clause[i.min(clause.len())..].iter().take_while(|c| is_number_char(**c)).count();
                if n == 0 {
                    return None;
                }
                i += n;
            }
        }
    }
    Some(i)
}

fn is_number_char(c: char) -> bool {
    c.is_ascii_digit() || c == '.' || CHINESE_NUMERALS.contains(&c)
}

fn contains(hay: &[char], needle: &[char]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Folds full-width forms to ASCII and lower-cases; `None` for what matching ignores.
fn normalize_char(c: char) -> Option<char> {
    let c = sopline_sdk::phrase::fold_width(c);
    if c.is_whitespace()
        || matches!(
            c,
            '"' | '\''
                | '“'
                | '”'
                | '‘'
                | '’'
                | '《'
                | '》'
                | '「'
                | '」'
                | '【'
                | '】'
                | '('
                | ')'
                | '（'
                | '）'
                | '*'
                | '-'
                | '_'
        )
    {
        return None;
    }
    Some(c.to_ascii_lowercase())
}

fn normalize_str(text: &str) -> Vec<char> {
    text.chars().filter_map(normalize_char).collect()
}

fn is_boundary(c: char) -> bool {
    matches!(c, ',' | '.' | '!' | '?' | ';' | ':' | '~' | '\n' | '。' | '、' | '…' | '～' | '—' | '|' | '/')
}

/// The text's clauses: normalized characters with each one's byte offset.
pub(crate) fn clauses(text: &str) -> Vec<Vec<(char, usize)>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut current = Vec::new();
    for (k, &(i, raw)) in chars.iter().enumerate() {
        let Some(c) = normalize_char(raw) else {
            continue;
        };
        let decimal_point = c == '.'
            && k > 0
            && chars[k - 1].1.is_ascii_digit()
            && chars.get(k + 1).is_some_and(|(_, n)| n.is_ascii_digit());
        if is_boundary(c) && !decimal_point {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push((c, i));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clause_end_separates_arguing_from_asking() {
        let p = Pattern::any(&["你能", "您能"]).at_clause_end();
        assert_eq!(p.find("你能!").unwrap().excerpt, "你能");
        assert_eq!(p.find("就你能啊,行吧").unwrap().excerpt, "你能");
        assert!(p.find("你能收到吗?").is_none());
    }

    #[test]
    fn parts_with_gaps_and_numbers() {
        let p = Pattern::any(&["大概", "估计"]).gap(2).then(&["#天", "明天"]);
        let found = p.find("好的,大概3天到").unwrap();
        assert_eq!(found.excerpt, "大概3天");
        assert_eq!(found.parts, vec!["大概".to_string(), "3天".to_string()]);
        assert_eq!(p.find("估计要两三天吧").unwrap().parts[1], "两三天");
        assert!(p.find("大概,3天").is_none(), "a clause boundary stops a pattern");
    }

    #[test]
    fn context_and_unless() {
        let p = Pattern::any(&["转账"]).unless(&["不要", "请勿"]);
        assert!(p.find("请不要私下转账").is_none());
        assert!(p.find("您直接转账给我").is_some());
        let q = Pattern::any(&["该"]).not_after(&["应"]);
        assert!(q.find("您应该先付款").is_none());
        assert_eq!(q.find("您应该,这是你该").unwrap().excerpt, "该");
        assert_eq!(Pattern::any(&["你活该"]).find("你 活 该!").unwrap().excerpt, "你 活 该");
    }

    #[test]
    fn decimal_points_do_not_split() {
        assert_eq!(clauses("59.90元,好").len(), 2);
        assert_eq!(Pattern::any(&["#元"]).find("退款59.90元").unwrap().excerpt, "59.90元");
    }
}
