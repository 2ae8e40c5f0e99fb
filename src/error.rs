//! Library errors. The binary prints them as one line and maps them to exit codes.

use std::path::PathBuf;

/// Everything that can go wrong loading or running a scenario.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A problem in the scenario file, located at `file:line:column`.
    #[error("{file}:{line}:{column}: {message}")]
    Scenario {
        /// The scenario file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong, naming the key.
        message: String,
    },
    /// A problem in a `--set` override.
    #[error("{file}: --set {arg}: {message}")]
    Set {
        /// The scenario file.
        file: String,
        /// The override as given.
        arg: String,
        /// What is wrong.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Any other input problem.
    #[error("{0}")]
    Input(String),
    /// A command line that does not say what to do (exit status 2).
    #[error("{0}")]
    Usage(String),
}

/// Shorthand.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}

/// `text` on one line, safe for a terminal: control characters (newlines, escape
/// sequences) as Rust escapes (`\n`, `\u{1b}`), everything else as it is.
pub fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}
