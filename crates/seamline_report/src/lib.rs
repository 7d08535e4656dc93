//! Renders seamline's results for people and machines: the JSON document (`seamline.json`),
//! the HTML page, the Markdown summary and the DOT graph.
//!
//! The only crate of seamline that knows serde_json (and askama). Every format is a pure
//! function from the stage results to a `String`; the binary decides where it is written.
//! The JSON is a public API: its wire types live in [`json`], separate from the IR, so that
//! the schema changes only on purpose, and `docs/json-schema.md` documents every key.
#![deny(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod json;

pub mod contexts_json;

pub mod dot;
pub mod eval_json;
pub mod html;
pub mod md;
pub mod plan_json;
pub mod svg;

pub use json::{SCHEMA_VERSION, ToolInfo, to_json};

/// Bidi overrides, isolates and marks, and the line and paragraph separators: characters in
/// text from the analysed code that would reorder or break what a reader of the HTML or the
/// Markdown sees.
pub(crate) fn reorders(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{2028}' | '\u{2029}')
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}
