//! Durations as administrators write them: `"30s"`, `"10m"`, `"1h30m"`, `"2d"`.
//!
//! A [`Span`] keeps days apart from seconds because in business time a day
//! is "the same local time on the next working day", not 24 hours.

use crate::Span;

impl Span {
    /// `n` seconds.
    pub const fn seconds(n: u32) -> Span {
        Span { days: 0, seconds: n }
    }
    /// `n` minutes.
    pub const fn minutes(n: u32) -> Span {
        Span { days: 0, seconds: n * 60 }
    }
    /// `n` hours.
    pub const fn hours(n: u32) -> Span {
        Span { days: 0, seconds: n * 3600 }
    }
    /// `n` days.
    pub const fn days(n: u32) -> Span {
        Span { days: n, seconds: 0 }
    }
    /// The length in natural time, in milliseconds (a day is 24 hours).
    pub const fn natural_millis(&self) -> i64 {
        (self.days as i64 * 86_400 + self.seconds as i64) * 1000
    }
}

/// Parses a span, panicking on a malformed literal. For constants in plugin
/// code; use [`parse`] for anything a person typed.
pub fn span(text: &str) -> Span {
    parse(text).unwrap_or_else(|e| panic!("{e}"))
}

/// Parses `"90s"`, `"10m"`, `"1h30m"`, `"2d"`, `"1d12h"`: whole numbers each
/// followed by `d`, `h`, `m` or `s`, largest unit first.
pub fn parse(text: &str) -> Result<Span, String> {
    let bad = |why: &str| format!("invalid duration {text:?}: {why} (write e.g. \"10m\", \"1h30m\", \"2d\")");
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(bad("it is empty"));
    }
    let (mut days, mut seconds) = (0u64, 0u64);
    let mut number = String::new();
    let mut last_rank = u8::MAX;
    for c in trimmed.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let (rank, factor) = match c {
            'd' => (3, 0),
            'h' => (2, 3600),
            'm' => (1, 60),
            's' => (0, 1),
            _ => return Err(bad(&format!("unexpected {c:?}"))),
        };
        if number.is_empty() {
            return Err(bad(&format!("a number must come before '{c}'")));
        }
        if rank >= last_rank {
            return Err(bad("units must go from largest to smallest, each once"));
        }
        last_rank = rank;
        let n: u64 = number.parse().map_err(|_| bad("the number is too large"))?;
        number.clear();
        if rank == 3 {
            days = n;
        } else {
            seconds += n * factor;
        }
    }
    if !number.is_empty() {
        return Err(bad("the last number has no unit"));
    }
    let days = u32::try_from(days).map_err(|_| bad("too many days"))?;
    let seconds = u32::try_from(seconds).map_err(|_| bad("too long"))?;
    Ok(Span { days, seconds })
}

/// Formats a span the way [`parse`] reads it: `Span::minutes(90)` is `"1h30m"`.
pub fn format(span: &Span) -> String {
    let mut out = String::new();
    if span.days > 0 {
        out.push_str(&format!("{}d", span.days));
    }
    let (h, m, s) = (span.seconds / 3600, span.seconds / 60 % 60, span.seconds % 60);
    for (n, unit) in [(h, 'h'), (m, 'm'), (s, 's')] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_round_trip() {
        for (text, days, seconds) in
            [("10m", 0, 600), ("1h30m", 0, 5400), ("2d", 2, 0), ("1d12h", 1, 43200), ("45s", 0, 45)]
        {
            let s = parse(text).unwrap();
            assert_eq!((s.days, s.seconds), (days, seconds), "{text}");
            assert_eq!(format(&s), text);
        }
    }

    #[test]
    fn rejects_what_a_person_might_mistype() {
        for text in ["", "10", "m", "10x", "10m1h", "1h1h", "ten minutes"] {
            let err = parse(text).unwrap_err();
            assert!(err.contains(&format!("{text:?}")), "{err}");
        }
    }
}
