//! Errors located in a source file, printed as `file:line:col: message` so an
//! administrator's editor can jump to them.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A problem found in a text source, with the byte range it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What is wrong and, where possible, what to do.
    pub message: String,
    /// Byte range in the source; `None` when the whole file is concerned.
    pub span: Option<Range<usize>>,
}

impl Diagnostic {
    /// A problem at `span`.
    pub fn at(span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { message: message.into(), span: Some(span) }
    }

    /// A problem with the file as a whole.
    pub fn whole(message: impl Into<String>) -> Diagnostic {
        Diagnostic { message: message.into(), span: None }
    }

    /// From a TOML parse or deserialization error.
    pub fn from_toml(error: &toml::de::Error) -> Diagnostic {
        Diagnostic { message: error.message().trim().to_string(), span: error.span() }
    }

    /// Places the diagnostic in a file.
    pub fn locate(&self, file: &Path, source: &str) -> Located {
        let (line, col) = match &self.span {
            Some(span) => line_col(source, span.start),
            None => (1, 1),
        };
        Located { file: file.to_path_buf(), line, col, message: self.message.clone() }
    }
}

/// A diagnostic placed in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file.display(), self.line, self.col, self.message)
    }
}

impl std::error::Error for Located {}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = &source[..source.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_characters() {
        let src = "a = 1\n名称 = x\n";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 6), (2, 1));
        assert_eq!(line_col(src, src.find('=').unwrap()), (1, 3));
        let second_eq = src.rfind('=').unwrap();
        assert_eq!(line_col(src, second_eq), (2, 4));
    }
}
