//! Diagnostics: problems found in the input, reported and never fatal.
//!
//! One [`Diagnostic`] type serves every stage and every output format; each [`DiagCode`]
//! keeps its kebab-case id and one-line description together.

use std::fmt;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Something was not analysed, or analysed wrongly.
    Error,
    /// Something may be analysed incompletely.
    Warning,
    /// Information about how the input was read.
    Note,
}

impl Severity {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

macro_rules! diag_codes {
    ($($(#[$meta:meta])* $variant:ident = $id:literal, $sev:ident, $desc:literal;)*) => {
        /// What a diagnostic is about. The id (`as_str`) is stable and documented.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum DiagCode {
            $($(#[$meta])* #[doc = $desc] $variant,)*
        }

        impl DiagCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [DiagCode] = &[$(DiagCode::$variant,)*];

            /// The stable kebab-case id.
            pub fn as_str(self) -> &'static str {
                match self { $(DiagCode::$variant => $id,)* }
            }

            /// One line saying what the code means.
            pub fn description(self) -> &'static str {
                match self { $(DiagCode::$variant => $desc,)* }
            }

            /// The severity the code has unless configured otherwise.
            pub fn default_severity(self) -> Severity {
                match self { $(DiagCode::$variant => Severity::$sev,)* }
            }
        }
    };
}

diag_codes! {
    ParseError = "parse-error", Error, "a file is not valid Rust as syn 3 parses it; its items are missing from the model";
    NotUtf8 = "not-utf8", Error, "a file is not valid UTF-8 and was not analysed";
    FileTooLarge = "file-too-large", Error, "a file is larger than the size limit and was not analysed";
    IoError = "io-error", Error, "a file or folder could not be read";
    MissingModuleFile = "missing-module-file", Error, "a `mod x;` declaration has no file on disk";
    PathOutsideRoot = "path-outside-root", Error, "a `#[path]` attribute or a symlink points outside the analysed root and was not followed";
    SymlinkLoop = "symlink-loop", Warning, "a symlink loop was found while walking the tree and was not followed";
    BrokenManifest = "broken-manifest", Error, "cargo rejected a Cargo.toml; crates were discovered by walking the tree instead";
    CargoUnavailable = "cargo-unavailable", Warning, "cargo could not be run; crates were discovered by walking the tree instead";
    OrphanFile = "orphan-file", Warning, "a .rs file is reached by no crate's module tree; it is analysed on its own";
    DuplicateModule = "duplicate-module", Warning, "two declarations lead to the same module file; the first one wins";
    UnresolvedImport = "unresolved-import", Note, "a `use` of a crate-local path names nothing that was found";
    MacroBodySkipped = "macro-body-skipped", Note, "the body of a macro invocation could not be parsed as items or expressions and was scanned as text";
    MacroNotExpanded = "macro-not-expanded", Warning, "an item-position call of a `macro_rules!` macro of the analysed code matched no rule or exceeded an expansion bound; the items it would declare are missing";
    SqlUnparsed = "sql-unparsed", Note, "an SQL string could not be parsed; its tables were found by a simple scan";
    NotAGitRepository = "not-a-git-repository", Warning, "history was requested but the analysed folder is in no git repository that could be opened; analysis ran without history";
    EmptyGitHistory = "empty-git-history", Warning, "the git repository has no commit reachable from HEAD; analysis ran without history";
    ShallowGitHistory = "shallow-git-history", Warning, "the git repository is a shallow clone; history signals cover only the commits present";
    GitHistoryTruncated = "git-history-truncated", Note, "more commits were reachable than the limits allow; only the newest were read";
    GitObjectUnreadable = "git-object-unreadable", Warning, "a git commit or tree could not be read (missing or corrupt); that commit was skipped";
}

impl fmt::Display for DiagCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem in the input.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file, relative to the analysed root and `/`-separated (a source file, a
    /// manifest, a folder), if the problem has a place. Diagnostics sort by file first.
    pub file: Option<String>,
    /// 1-based line, 0 when the problem concerns the whole file.
    pub line: u32,
    /// 1-based column, 0 when unknown.
    pub col: u32,
    /// What kind of problem.
    pub code: DiagCode,
    /// How serious.
    pub severity: Severity,
    /// A sentence without a trailing period, in rustc style.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity at `file:line:col` (0 for unknown).
    pub fn new(
        code: DiagCode,
        file: Option<String>,
        line: u32,
        col: u32,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            file,
            line,
            col,
            code,
            severity: code.default_severity(),
            message: message.into(),
        }
    }
}
