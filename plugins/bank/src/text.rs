//! Character-level reading of an agent's Chinese sentence: where the amounts,
//! dates and digit runs are.
//!
//! The SDK's phrase matcher finds fixed phrases; account information is not a
//! fixed phrase ("3,280.50元", "3月1日", "6222 0212 3456 7890") so this module
//! scans for the shapes instead. No regex crate: a plugin depends only on the
//! SDK and stays small in wasm.

/// A sentence with its characters normalized (full-width → half-width) and,
/// for each, the byte offset of the original character, so excerpts quote
/// the agent's own text.
pub struct Sentence<'a> {
    source: &'a str,
    pub chars: Vec<char>,
    origin: Vec<usize>,
}

impl<'a> Sentence<'a> {
    /// The original text of normalized characters `start..end`.
    pub fn excerpt(&self, start: usize, end: usize) -> String {
        if start >= end || end > self.chars.len() {
            return String::new();
        }
        let first = self.origin[start];
        let last = self.origin[end - 1];
        let stop = last + self.source[last..].chars().next().map_or(0, char::len_utf8);
        self.source[first..stop].trim().to_string()
    }

    /// The whole sentence as written.
    pub fn text(&self) -> String {
        self.excerpt(0, self.chars.len())
    }

    /// Whether `word` occurs anywhere in the sentence.
    pub fn contains(&self, word: &str) -> bool {
        self.find(word, 0).is_some()
    }

    /// Whether any of `words` occurs.
    pub fn contains_any(&self, words: &[&str]) -> bool {
        words.iter().any(|w| self.contains(w))
    }

    /// The first index at or after `from` where `word` starts.
    pub fn find(&self, word: &str, from: usize) -> Option<usize> {
        let w: Vec<char> = word.chars().map(normalize).collect();
        if w.is_empty() || self.chars.len() < w.len() {
            return None;
        }
        (from..=self.chars.len() - w.len()).find(|&i| self.chars[i..i + w.len()] == w[..])
    }

    /// Every index where `word` starts.
    pub fn find_all(&self, word: &str) -> Vec<usize> {
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(i) = self.find(word, from) {
            out.push(i);
            from = i + 1;
        }
        out
    }

    /// Whether the text at `at` starts with `word`.
    pub fn starts_with_at(&self, at: usize, word: &str) -> bool {
        let w: Vec<char> = word.chars().map(normalize).collect();
        self.chars.get(at..at + w.len()).is_some_and(|s| s == &w[..])
    }
}

/// Splits a message into sentences at 。！？!?；; and line breaks. Commas do
/// not split: "您的余额，目前还有5000元" is one statement.
pub fn sentences(text: &str) -> Vec<Sentence<'_>> {
    let mut out = Vec::new();
    let mut chars = Vec::new();
    let mut origin = Vec::new();
    for (i, c) in text.char_indices() {
        let n = normalize(c);
        if matches!(n, '。' | '!' | '?' | ';' | '\n' | '\r') {
            if !chars.is_empty() {
                out.push(Sentence {
                    source: text,
                    chars: std::mem::take(&mut chars),
                    origin: std::mem::take(&mut origin),
                });
            }
            continue;
        }
        chars.push(n);
        origin.push(i);
    }
    if !chars.is_empty() {
        out.push(Sentence { source: text, chars, origin });
    }
    out
}

/// Full-width ASCII to half-width; the ideographic space to a space.
pub use sopline_sdk::phrase::fold_width as normalize;

const CN_DIGITS: &str = "零〇一二两三四五六七八九十百千万亿";

fn is_cn_numeral(c: char) -> bool {
    CN_DIGITS.contains(c)
}

/// Currency words that make a number an amount of money.
const CURRENCY: &[&str] = &["元", "块", "圆", "美元", "美金", "港元", "港币", "欧元", "日元", "英镑"];

/// Amounts of money: `5000元`, `3,280.50元`, `5万元`, `三千元`, `3000多块`,
/// `¥200`. Each as a range of the sentence's characters.
pub fn amounts(s: &Sentence) -> Vec<(usize, usize)> {
    let c = &s.chars;
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        if matches!(c[i], '¥' | '￥') {
            let mut j = i + 1;
            while j < c.len() && c[j] == ' ' {
                j += 1;
            }
            let start_digits = j;
            while j < c.len() && (c[j].is_ascii_digit() || c[j] == ',' || c[j] == '.') {
                j += 1;
            }
            if j > start_digits {
                out.push((i, j));
                i = j;
                continue;
            }
        }
        let arabic = c[i].is_ascii_digit();
        if !(arabic || is_cn_numeral(c[i])) {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i;
        while j < c.len()
            && (c[j].is_ascii_digit()
                || is_cn_numeral(c[j])
                || (arabic && matches!(c[j], ',' | '.') && c.get(j + 1).is_some_and(|d| d.is_ascii_digit())))
        {
            j += 1;
        }
        let mut k = j;
        if k < c.len() && matches!(c[k], '多' | '余') {
            k += 1;
        }
        while k < c.len() && c[k] == ' ' {
            k += 1;
        }
        let unit = CURRENCY.iter().find(|u| s.starts_with_at(k, u));
        // Chinese numerals alone ("一笔", "十分") are not amounts; they need a currency.
        if let Some(u) = unit {
            out.push((start, k + u.chars().count()));
            i = k + u.chars().count();
        } else {
            i = j.max(i + 1);
        }
    }
    out
}

/// Dates and times of day that pin a transaction: `3月1日`, `2026-03-01`,
/// `昨天`, `上周五`, `14:32`, `下午3点`.
pub fn dates(s: &Sentence) -> Vec<(usize, usize)> {
    let c = &s.chars;
    let mut out = Vec::new();
    for word in ["昨天", "昨日", "昨晚", "前天", "前晚", "今早", "今晨", "上个月", "上月"] {
        for i in s.find_all(word) {
            out.push((i, i + word.chars().count()));
        }
    }
    for word in ["今天上午", "今天下午", "今天早上", "今天凌晨", "今天中午", "今天晚上"] {
        for i in s.find_all(word) {
            out.push((i, i + word.chars().count()));
        }
    }
    for prefix in ["上周", "上星期", "上礼拜"] {
        for i in s.find_all(prefix) {
            let end = i + prefix.chars().count();
            if c.get(end).is_some_and(|d| "一二三四五六日天末".contains(*d)) {
                out.push((i, end + 1));
            }
        }
    }
    let mut i = 0;
    while i < c.len() {
        if !c[i].is_ascii_digit() || (i > 0 && c[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let (n, j) = digits_at(c, i);
        let next = c.get(j).copied();
        let end = match next {
            // 3月1日, 2026年3月1日, 3月
            Some('年') | Some('月') => {
                let mut k = j + 1;
                loop {
                    let (m, after) = digits_at(c, k);
                    if m == 0 || !matches!(c.get(after), Some('月' | '日' | '号')) {
                        break;
                    }
                    k = after + 1;
                }
                // "3月份的明细" names a period to look up, not a transaction's day.
                let month_only = k == j + 1 && c.get(k) == Some(&'份');
                ((next == Some('月') && !month_only) || k > j + 1).then_some(k)
            }
            // 2026-03-01, 2026/3/1
            Some('-' | '/') if n == 4 => {
                let (m, after) = digits_at(c, j + 1);
                (m > 0 && matches!(c.get(after), Some('-' | '/')) && digits_at(c, after + 1).0 > 0)
                    .then(|| digits_at(c, after + 1).1)
            }
            // 14:32
            Some(':') if n <= 2 && digits_at(c, j + 1).0 == 2 => Some(j + 3),
            // 15号的 / 15号那笔 / 15号下午
            Some('日' | '号') if n <= 2 => {
                let after = c.get(j + 1).copied();
                matches!(after, Some('的' | '那' | '有' | '上' | '下' | '晚' | '凌' | '早' | '中' | ',' | '在'))
                    .then_some(j + 1)
            }
            // 下午3点
            Some('点')
                if n <= 2
                    && i >= 2
                    && ["上午", "下午", "晚上", "凌晨", "中午", "早上"].iter().any(|p| s.starts_with_at(i - 2, p)) =>
            {
                Some(j + 1)
            }
            _ => None,
        };
        if let Some(end) = end {
            let start = if next == Some('点') { i - 2 } else { i };
            out.push((start, end));
            i = end;
        } else {
            i = j.max(i + 1);
        }
    }
    out.sort();
    out
}

fn digits_at(c: &[char], from: usize) -> (usize, usize) {
    let mut j = from;
    while j < c.len() && c[j].is_ascii_digit() {
        j += 1;
    }
    (j - from, j)
}

/// Runs of digits that may be grouped by single spaces or dashes
/// ("6222 0212 3456 7890"): (start, end, number of digits).
pub fn digit_runs(s: &Sentence) -> Vec<(usize, usize, usize)> {
    let c = &s.chars;
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        if !c[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let mut count = 0;
        let mut end = i;
        let mut j = i;
        while j < c.len() {
            if c[j].is_ascii_digit() {
                count += 1;
                j += 1;
                end = j;
            } else if matches!(c[j], ' ' | '-') && c.get(j + 1).is_some_and(|d| d.is_ascii_digit()) {
                j += 1;
            } else {
                break;
            }
        }
        out.push((start, end, count));
        i = end;
    }
    out
}

/// Masked card numbers: `6222****1234`, `6222 **** **** 1234`, `****1234`.
pub fn masked_numbers(s: &Sentence) -> Vec<(usize, usize)> {
    let c = &s.chars;
    let is_mask = |ch: char| matches!(ch, '*' | 'x' | 'X' | '×');
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        if !(c[i].is_ascii_digit() || is_mask(c[i])) || (i > 0 && c[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        let start = i;
        let (mut digits, mut masks, mut j, mut end) = (0, 0, i, i);
        while j < c.len() {
            if c[j].is_ascii_digit() {
                digits += 1;
            } else if is_mask(c[j]) {
                masks += 1;
            } else if c[j] == ' ' && c.get(j + 1).is_some_and(|d| d.is_ascii_digit() || is_mask(*d)) {
                j += 1;
                continue;
            } else {
                break;
            }
            j += 1;
            end = j;
        }
        let ends_in_digits = c[end - 1].is_ascii_digit();
        if masks >= 3 && digits >= 4 && ends_in_digits {
            out.push((start, end));
        }
        i = end.max(i + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Sentence<'_> {
        sentences(text).into_iter().next().unwrap()
    }

    fn words(s: &Sentence, ranges: &[(usize, usize)]) -> Vec<String> {
        ranges.iter().map(|&(a, b)| s.excerpt(a, b)).collect()
    }

    #[test]
    fn finds_amounts_in_their_usual_shapes() {
        let s = one("您卡里还有3,280.50元,另有5万元定期和三千多块零钱,¥200已冻结,一笔手续费");
        assert_eq!(words(&s, &amounts(&s)), ["3,280.50元", "5万元", "三千多块", "¥200"]);
        let s = one("请到3单元办理,多元化服务");
        assert!(amounts(&s).is_empty());
    }

    #[test]
    fn finds_dates_but_not_durations() {
        let s = one("您3月1日和2026-02-27 14:32以及昨天、上周五下午3点的交易");
        assert_eq!(words(&s, &dates(&s)), ["3月1日", "2026-02-27", "14:32", "昨天", "上周五", "下午3点"]);
        let s = one("转账一般2小时内到账,3号窗口办理");
        assert!(dates(&s).is_empty());
    }

    #[test]
    fn finds_card_numbers_full_and_masked() {
        let s = one("卡号6222 0212 3456 7890 123,手机13800000000");
        let runs: Vec<usize> = digit_runs(&s).iter().map(|r| r.2).collect();
        assert_eq!(runs, [19, 11]);
        let s = one("尾号为6222****1234和6222 **** **** 5678的卡以及****9012");
        assert_eq!(words(&s, &masked_numbers(&s)), ["6222****1234", "6222 **** **** 5678", "****9012"]);
    }
}
