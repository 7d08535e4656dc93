//! Reading one file: size limit, UTF-8 check, line and code-line counts, and parsing with
//! syn on the current (big-stack) thread.
//!
//! Lines of code are lines holding something other than whitespace and comments; a small
//! lexer skips `//` and nested `/* */` comments while respecting string, raw string, byte
//! string and char literals (so `"http://x"` is code).

use crate::ir;
use std::path::Path;

/// A file's text statistics.
#[derive(Debug, Clone, Default)]
pub(crate) struct LineStats {
    /// Total lines.
    pub lines: u32,
    /// `prefix[i]` = code lines among lines `1..=i`; `prefix[0] = 0`.
    pub code_prefix: Vec<u32>,
}

impl LineStats {
    /// Code lines in the whole file.
    pub fn code_lines(&self) -> u32 {
        self.code_prefix.last().copied().unwrap_or(0)
    }

    /// Code lines among lines `start..=end` (clamped to the file).
    pub fn code_in(&self, span: ir::LineSpan) -> u32 {
        let n = self.code_prefix.len().saturating_sub(1) as u32;
        if n == 0 || span.end < span.start {
            return 0;
        }
        let start = span.start.max(1).min(n);
        let end = span.end.min(n);
        if end < start {
            return 0;
        }
        self.code_prefix[end as usize] - self.code_prefix[start as usize - 1]
    }
}

/// Why a file was not parsed.
#[derive(Debug, Clone)]
pub(crate) struct ReadProblem {
    /// The diagnostic code.
    pub code: ir::DiagCode,
    /// Line (0 when the whole file).
    pub line: u32,
    /// Column (0 when unknown).
    pub col: u32,
    /// Message.
    pub message: String,
    /// Total lines, when they could be counted cheaply: a file that is not UTF-8 counts
    /// its `\n` bytes (plus an unterminated last line). A file over the size limit is not
    /// read at all, so it stays at 0, as does an unreadable one.
    pub lines: u32,
}

/// Reads a file within the size limit and checks it is UTF-8.
pub(crate) fn read_text(path: &Path, max_size: u64) -> (u64, Result<String, ReadProblem>) {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(err) => return (0, Err(io_problem(&err))),
    };
    let bytes = meta.len();
    if bytes > max_size {
        return (
            bytes,
            Err(ReadProblem {
                code: ir::DiagCode::FileTooLarge,
                line: 0,
                col: 0,
                message: format!(
                    "file is {bytes} bytes, over the limit of {max_size} bytes; not analysed"
                ),
                lines: 0,
            }),
        );
    }
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(err) => return (bytes, Err(io_problem(&err))),
    };
    match String::from_utf8(data) {
        Ok(text) => (bytes, Ok(text)),
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let before = &err.as_bytes()[..valid];
            let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
            let col = (valid
                - before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |p| p + 1)) as u32
                + 1;
            (
                bytes,
                Err(ReadProblem {
                    code: ir::DiagCode::NotUtf8,
                    line,
                    col,
                    message: format!("invalid UTF-8 at byte {valid}; not analysed"),
                    lines: total_lines(err.as_bytes()),
                }),
            )
        }
    }
}

fn io_problem(err: &std::io::Error) -> ReadProblem {
    ReadProblem {
        code: ir::DiagCode::IoError,
        line: 0,
        col: 0,
        message: format!("cannot read file: {err}"),
        lines: 0,
    }
}

/// Lines of a text that is not analysed: `\n` bytes, plus an unterminated last line.
fn total_lines(bytes: &[u8]) -> u32 {
    let newlines = bytes.iter().filter(|&&b| b == b'\n').count();
    let unterminated = usize::from(bytes.last().is_some_and(|&b| b != b'\n'));
    u32::try_from(newlines + unterminated).unwrap_or(u32::MAX)
}

/// How [`line_stats`] treats each byte value outside comments and literals.
const PLAIN: u8 = 0;
const SPACE: u8 = 1;
const NEWLINE: u8 = 2;
const SLASH: u8 = 3;
const QUOTE: u8 = 4;
const APOSTROPHE: u8 = 5;
static CLASS: [u8; 256] = {
    let mut t = [PLAIN; 256];
    t[b' ' as usize] = SPACE;
    t[b'\t' as usize] = SPACE;
    t[b'\r' as usize] = SPACE;
    t[0x0c] = SPACE;
    t[b'\n' as usize] = NEWLINE;
    t[b'/' as usize] = SLASH;
    t[b'"' as usize] = QUOTE;
    t[b'\'' as usize] = APOSTROPHE;
    t
};

/// Counts lines and code lines.
///
/// Most bytes are plain code: after one, the loop jumps (memchr) to the next newline, `/`
/// or quote. A raw string (`r"`, `r#"`, `br"`, `cr#"` at a word start) is recognised
/// at its quote by looking back at its prefix.
pub(crate) fn line_stats(text: &str) -> LineStats {
    let bytes = text.as_bytes();
    let mut prefix: Vec<u32> = Vec::with_capacity(text.len() / 30 + 2);
    prefix.push(0);
    let mut code_on_line = false;
    let mut count = 0u32;
    let mut i = 0usize;
    let n = bytes.len();
    while i < n {
        match CLASS[usize::from(bytes[i])] {
            PLAIN => {
                // Code up to the next newline, quote or slash. An apostrophe inside the run
                // needs no stop: the only char literals that matter are `'"'` and `'\"'`,
                // recognised at their quote.
                code_on_line = true;
                i = memchr::memchr3(b'\n', b'"', b'/', &bytes[i + 1..]).map_or(n, |p| i + 1 + p);
            }
            SPACE => {
                // Indentation comes in runs: eight spaces at a time, then one by one.
                i += 1;
                while let Some(word) = bytes.get(i..i + 8)
                    && word == b"        "
                {
                    i += 8;
                }
            }
            NEWLINE => {
                if code_on_line {
                    count += 1;
                }
                prefix.push(count);
                code_on_line = false;
                i += 1;
            }
            SLASH => match bytes.get(i + 1) {
                Some(b'/') => {
                    // To the end of the line (the newline itself is handled above).
                    i = memchr::memchr(b'\n', &bytes[i..]).map_or(n, |p| i + p);
                }
                Some(b'*') => {
                    (i, code_on_line) =
                        skip_block_comment(bytes, i + 2, &mut prefix, &mut count, code_on_line);
                }
                _ => {
                    code_on_line = true;
                    i += 1;
                }
            },
            QUOTE if is_quote_char_literal(bytes, i) => {
                code_on_line = true;
                i += 2;
            }
            QUOTE => {
                code_on_line = true;
                i = match raw_string_hashes(bytes, i) {
                    Some(hashes) => {
                        skip_raw_string_body(bytes, i + 1, hashes, &mut prefix, &mut count)
                    }
                    None => skip_string(bytes, i + 1, &mut prefix, &mut count),
                };
            }
            _ => {
                code_on_line = true;
                i = skip_char_or_lifetime(bytes, i);
            }
        }
    }
    if code_on_line || !text.is_empty() && !text.ends_with('\n') {
        if code_on_line {
            count += 1;
        }
        prefix.push(count);
    }
    LineStats {
        lines: (prefix.len() - 1) as u32,
        code_prefix: prefix,
    }
}
/// Whether the `"` at `i` is the character of a char literal, `'"'` or `'\"'`.
fn is_quote_char_literal(bytes: &[u8], i: usize) -> bool {
    let closed = bytes.get(i + 1) == Some(&b'\'');
    let plain = i >= 1 && bytes[i - 1] == b'\'';
    let escaped = i >= 2 && bytes[i - 1] == b'\\' && bytes[i - 2] == b'\'';
    closed && (plain || escaped)
}

/// Inside a block comment (after its `/*`): skips to after its end, nested comments
/// included, ending the lines it spans (`code` says whether the current line already holds
/// code). Returns the position after the comment and whether its last line holds code.
fn skip_block_comment(
    bytes: &[u8],
    mut i: usize,
    prefix: &mut Vec<u32>,
    count: &mut u32,
    mut code: bool,
) -> (usize, bool) {
    let mut depth = 1u32;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                if code {
                    *count += 1;
                }
                prefix.push(*count);
                code = false;
                i += 1;
            }
            b'*' if bytes.get(i + 1) == Some(&b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    break;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                depth += 1;
                i += 2;
            }
            _ => i += 1,
        }
    }
    (i, code)
}

/// At a `"`: the number of `#`s of a raw string whose prefix (`r`, `br`, `cr`, then the
/// `#`s) ends here and starts a word; `None` for an ordinary string.
fn raw_string_hashes(bytes: &[u8], quote: usize) -> Option<usize> {
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut j = quote;
    while j > 0 && bytes[j - 1] == b'#' {
        j -= 1;
    }
    let hashes = quote - j;
    if j == 0 || bytes[j - 1] != b'r' {
        return None;
    }
    let r = j - 1;
    if r == 0 || !is_word(bytes[r - 1]) {
        return Some(hashes);
    }
    let starts_word = |k: usize| k == 0 || !is_word(bytes[k - 1]);
    (matches!(bytes[r - 1], b'b' | b'c') && starts_word(r - 1)).then_some(hashes)
}

/// Inside a raw string with `hashes` `#`s (after the opening quote): skips to after the
/// closing quote and hashes, counting the lines it spans as code.
fn skip_raw_string_body(
    bytes: &[u8],
    mut i: usize,
    hashes: usize,
    prefix: &mut Vec<u32>,
    count: &mut u32,
) -> usize {
    // From one newline or quote to the next (memchr).
    while let Some(p) = bytes
        .get(i..)
        .and_then(|rest| memchr::memchr2(b'\n', b'"', rest))
    {
        i += p;
        if bytes[i] == b'\n' {
            *count += 1;
            prefix.push(*count);
            i += 1;
            continue;
        }
        let mut k = 0;
        while k < hashes && bytes.get(i + 1 + k) == Some(&b'#') {
            k += 1;
        }
        if k == hashes {
            return i + 1 + hashes;
        }
        i += 1;
    }
    bytes.len().max(i)
}

/// Inside a string (after the opening quote): skips to after the closing quote, counting
/// the lines it spans as code.
fn skip_string(bytes: &[u8], mut i: usize, prefix: &mut Vec<u32>, count: &mut u32) -> usize {
    // From one backslash, quote or newline to the next (memchr).
    while let Some(p) = bytes
        .get(i..)
        .and_then(|rest| memchr::memchr3(b'\\', b'"', b'\n', rest))
    {
        i += p;
        match bytes[i] {
            // An escape; `\` at the end of a line continues the string on the next one.
            b'\\' if bytes.get(i + 1) == Some(&b'\n') => {
                *count += 1;
                prefix.push(*count);
                i += 2;
            }
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'\n' => {
                *count += 1;
                prefix.push(*count);
                i += 1;
            }
            _ => i += 1,
        }
    }
    bytes.len().max(i)
}

/// At a `'`: a char literal (`'a'`, `'\n'`, `'\u{1F600}'`) or a lifetime/label (`'a`).
fn skip_char_or_lifetime(bytes: &[u8], i: usize) -> usize {
    let n = bytes.len();
    if bytes.get(i + 1) == Some(&b'\\') {
        // An escaped char literal: find the closing quote on this line.
        let mut j = i + 2;
        while j < n && bytes[j] != b'\'' && bytes[j] != b'\n' {
            j += 1;
        }
        return if j < n && bytes[j] == b'\'' { j + 1 } else { j };
    }
    // One (possibly multi-byte) character followed by a quote is a char literal.
    if let Some(&first) = bytes.get(i + 1) {
        let width = utf8_width(first);
        if bytes.get(i + 1 + width) == Some(&b'\'') && first != b'\n' {
            return i + 1 + width + 1;
        }
    }
    i + 1
}

fn utf8_width(b: u8) -> usize {
    match b {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// A cheap upper estimate of how deep syn will recurse on the text: the deepest bracket
/// nesting plus the longest run of prefix operators (`- - !&*x`), ignoring comments and
/// literals only roughly. A guard against inputs that would overflow even a big stack.
pub(crate) fn nesting_estimate(text: &str) -> usize {
    let mut depth = 0usize;
    let mut max_depth = 0usize;
    let mut run = 0usize;
    let mut max_run = 0usize;
    for b in text.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max_depth = max_depth.max(depth);
                run = 0;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                run = 0;
            }
            b'-' | b'!' | b'&' | b'*' => {
                run += 1;
                max_run = max_run.max(run);
            }
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => run = 0,
        }
    }
    max_depth + max_run
}

/// Deepest nesting handed to syn. Measured with syn 3 in a debug build: about 14 KiB of
/// stack per level of parenthesised expressions and 20 KiB per level of nested blocks (a
/// release build needs much less); the pool's 256 MiB stacks (virtual memory, touched only
/// when used) take 6,000 levels with room to spare for lowering and dropping the tree.
/// Deeper files become a `parse-error` diagnostic.
pub(crate) const MAX_NESTING: usize = 6_000;

/// Parses a file's text with syn on the current thread. Invalidates the thread's span
/// table first, so that memory stays bounded (see DEPS.md).
pub(crate) fn parse(text: &str) -> Result<syn::File, ReadProblem> {
    let depth = nesting_estimate(text);
    if depth > MAX_NESTING {
        return Err(ReadProblem {
            code: ir::DiagCode::ParseError,
            line: 0,
            col: 0,
            message: format!(
                "code nested about {depth} deep, over the limit of {MAX_NESTING}; not parsed"
            ),
            lines: 0,
        });
    }
    proc_macro2::extra::invalidate_current_thread_spans();
    syn::parse_file(text).map_err(|err| {
        let start = err.span().start();
        ReadProblem {
            code: ir::DiagCode::ParseError,
            line: start.line as u32,
            col: start.column as u32 + 1,
            message: format!("cannot parse: {err}"),
            // The caller has counted the text already.
            lines: 0,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte-by-byte lexer `line_stats` replaced, kept as its oracle.
    fn line_stats_reference(text: &str) -> LineStats {
        let bytes = text.as_bytes();
        let mut prefix: Vec<u32> = Vec::with_capacity(text.len() / 30 + 2);
        prefix.push(0);
        let mut code_on_line = false;
        let mut count = 0u32;
        let mut i = 0usize;
        let mut block_depth = 0u32;
        let n = bytes.len();
        let end_line = |prefix: &mut Vec<u32>, code: &mut bool, count: &mut u32| {
            if *code {
                *count += 1;
            }
            prefix.push(*count);
            *code = false;
        };
        while i < n {
            let b = bytes[i];
            if b == b'\n' {
                end_line(&mut prefix, &mut code_on_line, &mut count);
                i += 1;
                continue;
            }
            if block_depth > 0 {
                if b == b'*' && bytes.get(i + 1) == Some(&b'/') {
                    block_depth -= 1;
                    i += 2;
                } else if b == b'/' && bytes.get(i + 1) == Some(&b'*') {
                    block_depth += 1;
                    i += 2;
                } else {
                    i += 1;
                }
                continue;
            }
            match b {
                b' ' | b'\t' | b'\r' | 0x0c => i += 1,
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    while i < n && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                b'/' if bytes.get(i + 1) == Some(&b'*') => {
                    block_depth = 1;
                    i += 2;
                }
                b'"' => {
                    code_on_line = true;
                    i = skip_string(bytes, i + 1, &mut prefix, &mut count);
                }
                b'r' | b'b' | b'c' if reference_is_raw_string_start(bytes, i) => {
                    code_on_line = true;
                    i = reference_skip_raw_string(bytes, i, &mut prefix, &mut count);
                }
                b'\'' => {
                    code_on_line = true;
                    i = skip_char_or_lifetime(bytes, i);
                }
                _ => {
                    code_on_line = true;
                    // Skip a whole identifier, so that `r"` inside `bar"` is not misread (a
                    // raw string at a word start was matched above).
                    if b.is_ascii_alphanumeric() || b == b'_' {
                        while i < n && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                            i += 1;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
        }
        if code_on_line || !text.is_empty() && !text.ends_with('\n') {
            end_line(&mut prefix, &mut code_on_line, &mut count);
        }
        LineStats {
            lines: (prefix.len() - 1) as u32,
            code_prefix: prefix,
        }
    }

    /// `r"`, `r#"`, `br"`, `cr#"`: at a word start.
    fn reference_is_raw_string_start(bytes: &[u8], i: usize) -> bool {
        if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') {
            return false;
        }
        let mut j = i;
        if matches!(bytes.get(j), Some(b'b') | Some(b'c')) {
            j += 1;
        }
        if bytes.get(j) != Some(&b'r') {
            return false;
        }
        j += 1;
        while bytes.get(j) == Some(&b'#') {
            j += 1;
        }
        bytes.get(j) == Some(&b'"')
    }

    fn reference_skip_raw_string(
        bytes: &[u8],
        mut i: usize,
        prefix: &mut Vec<u32>,
        count: &mut u32,
    ) -> usize {
        while bytes[i] != b'r' {
            i += 1;
        }
        i += 1;
        let mut hashes = 0;
        while bytes.get(i) == Some(&b'#') {
            hashes += 1;
            i += 1;
        }
        i += 1; // the quote
        while i < bytes.len() {
            if bytes[i] == b'\n' {
                *count += 1;
                prefix.push(*count);
                i += 1;
                continue;
            }
            if bytes[i] == b'"' {
                let mut k = 0;
                while k < hashes && bytes.get(i + 1 + k) == Some(&b'#') {
                    k += 1;
                }
                if k == hashes {
                    return i + 1 + hashes;
                }
            }
            i += 1;
        }
        i
    }

    /// Same answers as the reference lexer on tricky snippets and on every `.rs` file of
    /// this repository (fixtures included: hostile and broken ones).
    #[test]
    fn fast_lexer_agrees_with_the_reference() {
        let snippets = [
            "a /* x\n y */ b\n",
            "/* a */ b\n/* c\n*/\n",
            "x = br#\"a\n\"# ; y = cr\"q\";\n",
            "xbr\"not raw\"\nfoo_r\"s\"\n",
            "let c = '\"'; let d = \"'\";\n//x\n",
            "'a: loop {}\n'\\n' \n",
            "r#\"unterminated\n\nx",
            "\"unterminated\n\n",
            "/* unterminated\n\n",
            "#\"x\"\n r##\"a\"#b\"##\n",
            "a/b\n/\n",
            "\u{feff}fn main() {}\r\n\r\n\t// c\r\n",
            "",
            "\n\n",
            "\"ends in a backslash\\",
            "\"continued \\\n line\" x\n",
            "r\"unterminated raw",
            "\"a\\\"b\" // c\n",
        ];
        for text in snippets {
            let (fast, slow) = (line_stats(text), line_stats_reference(text));
            assert_eq!(
                (fast.lines, &fast.code_prefix),
                (slow.lines, &slow.code_prefix),
                "{text:?}"
            );
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut checked = 0;
        for entry in walkdir::WalkDir::new(&root).into_iter().filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            !(name.starts_with('.') || name == "target")
        }) {
            let Ok(entry) = entry else { continue };
            if entry.path().extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            let (fast, slow) = (line_stats(&text), line_stats_reference(&text));
            assert_eq!(
                fast.code_prefix,
                slow.code_prefix,
                "{}",
                entry.path().display()
            );
            checked += 1;
        }
        assert!(checked > 100, "only {checked} files checked");
    }

    fn code(text: &str) -> (u32, u32) {
        let s = line_stats(text);
        (s.lines, s.code_lines())
    }

    #[test]
    fn blank_and_comment_lines_are_not_code() {
        let text = "// c\n\nfn a() {} // tail\n/* a\n b */\n/// doc\nstruct S;\n";
        assert_eq!(code(text), (7, 2));
    }

    #[test]
    fn comment_markers_inside_strings_are_code() {
        let text =
            "let u = \"http://x\";\nlet r = r#\"/* not a comment\n*/\"#;\nlet c = '/';\n// real\n";
        assert_eq!(code(text), (5, 4));
        // A `\` at the end of a line continues the string.
        let continued = "let s = \"a \\\n  b\";\n// c\n";
        assert_eq!(code(continued), (3, 2));
    }

    #[test]
    fn nested_block_comments_and_lifetimes() {
        let text = "/* a /* b */ c */\nfn f<'a>(x: &'a str) {}\n/*\n*/ x\n";
        assert_eq!(code(text), (4, 2));
    }

    #[test]
    fn last_line_without_newline_counts() {
        assert_eq!(code("fn a() {}"), (1, 1));
        assert_eq!(code(""), (0, 0));
    }

    #[test]
    fn code_in_a_span() {
        let s = line_stats("a\n\nb\nc\n");
        assert_eq!(s.code_in(ir::LineSpan { start: 2, end: 3 }), 1);
        assert_eq!(s.code_in(ir::LineSpan { start: 1, end: 99 }), 3);
    }

    #[test]
    fn nesting_counts_brackets_and_prefix_operator_runs() {
        assert_eq!(nesting_estimate("fn f() { ((1)) }"), 3);
        assert_eq!(nesting_estimate("fn f() { - - !x }"), 4);
        assert_eq!(nesting_estimate("a - b - c"), 1);
    }

    #[test]
    fn cargo_script_frontmatter_is_a_parse_error_not_a_crash() {
        let Err(err) = parse("---\n[dependencies]\n---\nfn main() {}\n") else {
            panic!("syn 3 rejects frontmatter");
        };
        assert_eq!((err.code, err.line), (ir::DiagCode::ParseError, 1));
    }

    #[test]
    fn parse_errors_have_a_position() {
        let Err(err) = parse("fn a() {}\nfn b( {}\n") else {
            panic!("should not parse");
        };
        assert_eq!(err.code, ir::DiagCode::ParseError);
        assert_eq!(err.line, 2);
    }
}
