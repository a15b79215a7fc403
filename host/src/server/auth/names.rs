//! Which user names are allowed: none that can pass for another.
//!
//! A name is 1–64 characters: ASCII letters, digits, `-`, `_`, `.`, `@`,
//! and CJK unified ideographs (张三 is a real agent's name), with `·`
//! between two ideographs (买买提·艾力). It starts with a letter, a digit or
//! an ideograph, and does not mix ASCII letters with ideographs.
//!
//! That refuses look-alikes by construction: Cyrillic or Greek letters
//! (`аdmin`), full-width forms (`ａｄｍｉｎ`), and control or format
//! characters (U+202E reverses the text after it; U+200B is invisible)
//! are simply not in the set; every allowed character is its own NFKC
//! form (the CJK compatibility ideographs, which NFKC changes, are
//! excluded), so no two names normalise to one; and without mixing, an
//! ideograph that resembles a Latin glyph (丨 and `l`) cannot stand in for
//! it. Digits and the four signs go with either script.

/// Refuses a name that breaks the rule, saying how.
pub fn check(name: &str) -> Result<(), String> {
    let count = name.chars().count();
    if count == 0 || count > 64 {
        return Err(format!("user name `{}`: use 1–64 characters", printable(name)));
    }
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let between_ideographs = || i > 0 && i + 1 < chars.len() && ideograph(chars[i - 1]) && ideograph(chars[i + 1]);
        if !(plain(c) || ideograph(c) || (c == '·' && between_ideographs())) {
            return Err(format!("user name `{}`: {}", printable(name), why_not(c)));
        }
    }
    if !(chars[0].is_ascii_alphanumeric() || ideograph(chars[0])) {
        return Err(format!(
            "user name `{}`: start with a letter, a digit or a Chinese character (not `{}`)",
            printable(name),
            chars[0]
        ));
    }
    if chars.iter().any(|c| c.is_ascii_alphabetic()) && chars.iter().any(|&c| ideograph(c)) {
        return Err(format!(
            "user name `{}` mixes ASCII letters and Chinese characters: use one or the other (digits and `-_.@` go with either)",
            printable(name)
        ));
    }
    Ok(())
}

/// The name with every character the rule does not allow written as
/// `\u{…}`, cut to 64 characters: safe to show (in the audit trail) even
/// when someone typed control characters at the login form.
pub fn printable(name: &str) -> String {
    name.chars()
        .take(64)
        .map(|c| if plain(c) || ideograph(c) || c == '·' { c.to_string() } else { c.escape_unicode().to_string() })
        .collect()
}

fn plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@')
}

/// CJK unified ideographs (the URO and extensions A–H), all NFKC-stable.
fn ideograph(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0x20000..=0x2A6DF | 0x2A700..=0x2EBEF | 0x30000..=0x323AF)
}

fn why_not(c: char) -> String {
    let code = format!("U+{:04X}", c as u32);
    if c.is_control() || format_character(c) || c.is_whitespace() {
        return format!("{code} is an invisible, control or formatting character; names cannot contain one");
    }
    if let Some(ascii) = full_width(c) {
        return format!("{code} is a full-width `{ascii}`: write the ASCII `{ascii}`");
    }
    if c == '·' {
        return format!("{code} (`·`) goes only between two Chinese characters");
    }
    format!("{code} (`{c}`) is not allowed: use ASCII letters, digits, `-`, `_`, `.`, `@`, or Chinese characters")
}

/// Unicode's format characters (category Cf): invisible, some reorder text.
fn format_character(c: char) -> bool {
    matches!(c as u32,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E
        | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0xE0001 | 0xE0020..=0xE007F)
}

/// The ASCII character a full-width form (U+FF01–U+FF5E) stands for.
fn full_width(c: char) -> Option<char> {
    let code = c as u32;
    (0xFF01..=0xFF5E).contains(&code).then(|| char::from_u32(code - 0xFEE0)).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_and_chinese_names_pass() {
        for name in ["admin", "agent-property", "zhang.san@corp", "e2e_agent", "张三", "张三2", "买买提·艾力", "𠀀𠀁"]
        {
            assert_eq!(check(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn look_alikes_are_refused_with_the_reason() {
        for (name, reason) in [
            ("\u{430}dmin", "U+0430"),
            ("ａｄｍｉｎ", "full-width `a`"),
            ("ad\u{202E}nimda", "U+202E is an invisible"),
            ("admin\u{200D}", "U+200D"),
            ("ad\tmin", "U+0009"),
            ("zhang张三", "mixes"),
            ("admin\u{4E28}", "mixes"),
            ("\u{F900}", "U+F900"),
            ("·张三", "U+00B7"),
            ("_admin", "start with"),
            ("", "1–64"),
        ] {
            let message = check(name).expect_err(name);
            assert!(message.contains(reason), "{name:?}: {message}");
            assert!(!message.contains('\u{202E}'), "the message itself is safe to show: {message:?}");
        }
        assert!(check(&"a".repeat(64)).is_ok());
        assert!(check(&"a".repeat(65)).is_err());
    }

    #[test]
    fn printable_escapes_what_a_name_cannot_hold() {
        assert_eq!(printable("ad\u{202E}min"), "ad\\u{202e}min");
        assert_eq!(printable("张三"), "张三");
        assert_eq!(printable(&"x".repeat(100)).len(), 64);
    }
}
