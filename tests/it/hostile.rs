//! `fixtures/hostile` (47 payloads in doc comments, attribute values, SQL strings, table and
//! file names; see its README): every report stays inert. The HTML holds no tag, attribute,
//! script or URL that the template does not hold itself, and the payloads that reach the page
//! are there as text; the Markdown and DOT cannot be broken out of either.
//!
//! The HTML is checked structurally with a small tokenizer rather than by searching for a
//! few strings, so that an unforeseen payload is caught too: any tag name the templates do
//! not contain, any `on*` attribute, any `href`/`src` that is not a fragment, any CSS `url()`
//! that is not a fragment fails.

use crate::reports::generate;
use crate::util::repo_root;

/// A start tag, with its attributes (values as written, entities not decoded).
#[derive(Debug)]
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
}

/// The parts of an HTML document that can do something: start tags, and the raw text of
/// `<script>` and `<style>` elements. Text outside them is checked separately (decoded).
#[derive(Debug, Default)]
struct Html {
    tags: Vec<Tag>,
    scripts: Vec<String>,
    /// The raw text of `<script type="application/json">` elements (data, never run).
    data: Vec<String>,
    styles: Vec<String>,
    /// Text content with entities decoded (what a reader sees), tags left out.
    text: String,
}

fn parse(html: &str) -> Html {
    let mut doc = Html::default();
    let bytes = html.as_bytes();
    let mut i = 0;
    let mut text_start = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        doc.text.push_str(&decode(&html[text_start..i]));
        let next = bytes.get(i + 1).copied().unwrap_or(b' ');
        if next == b'!' || next == b'/' || next == b'?' {
            // Doctype, comment, closing tag: nothing inside can act.
            let end = html[i..].find('>').map_or(bytes.len(), |e| i + e + 1);
            i = end;
            text_start = i;
            continue;
        }
        if !next.is_ascii_alphabetic() {
            // A stray `<` in text is not a tag (it would be a bug in escaping, but not a
            // tag a browser would build).
            i += 1;
            continue;
        }
        let (tag, end) = start_tag(html, i + 1);
        i = end;
        let raw_end = |close: &str| -> usize {
            html[i..]
                .to_ascii_lowercase()
                .find(close)
                .map_or(bytes.len(), |e| i + e)
        };
        if tag.name == "script" || tag.name == "style" {
            let close = format!("</{}", tag.name);
            let end = raw_end(&close);
            let body = html[i..end].to_owned();
            let is_data = tag
                .attrs
                .iter()
                .any(|(k, v)| k == "type" && v == "application/json");
            if tag.name == "script" && is_data {
                doc.data.push(body);
            } else if tag.name == "script" {
                doc.scripts.push(body);
            } else {
                doc.styles.push(body);
            }
            i = end;
        }
        doc.tags.push(tag);
        text_start = i;
    }
    doc.text
        .push_str(&decode(&html[text_start.min(html.len())..]));
    doc
}

/// Parses a start tag whose name begins at `at`; returns it and the index after its `>`.
fn start_tag(html: &str, at: usize) -> (Tag, usize) {
    let bytes = html.as_bytes();
    let mut i = at;
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-') {
        i += 1;
    }
    let mut tag = Tag {
        name: html[at..i].to_ascii_lowercase(),
        attrs: Vec::new(),
    };
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            return (tag, i);
        }
        if bytes[i] == b'>' {
            return (tag, i + 1);
        }
        let name_start = i;
        while i < bytes.len() && !b" \t\n\r=>/".contains(&bytes[i]) {
            i += 1;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        let mut value = String::new();
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = html[i + 1..]
                        .find(q as char)
                        .map_or(bytes.len(), |e| i + 1 + e);
                    value = html[i + 1..end].to_owned();
                    i = (end + 1).min(bytes.len());
                }
                _ => {
                    let start = i;
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                        i += 1;
                    }
                    value = html[start..i].to_owned();
                }
            }
        }
        tag.attrs.push((name, value));
    }
}

/// Decodes the entities askama and the report write (`&#60;`, `&#x3C;`, `&lt;`...).
fn decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let Some(semi) = rest[..rest.len().min(12)].find(';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let ch = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Tag names the report's templates contain: the only ones a page may hold.
fn template_tags() -> std::collections::BTreeSet<String> {
    let dir = repo_root().join("crates/seamline_report/templates");
    let mut names = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for (i, _) in text.match_indices('<') {
            let name: String = text[i + 1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            if name.starts_with(|c: char| c.is_ascii_alphabetic()) {
                names.insert(name.to_ascii_lowercase());
            }
        }
    }
    names
}

/// Characters that must never reach a page raw: bidi overrides (they reorder what a reader
/// sees), line separators (they end JS string literals), control characters.
const INVISIBLE: [char; 8] = [
    '\u{202E}', '\u{202D}', '\u{2066}', '\u{2028}', '\u{2029}', '\0', '\u{7}', '\u{1b}',
];

/// The checks every report page must pass: inert and self-contained.
#[track_caller]
fn assert_inert_and_self_contained(html: &str, what: &str) {
    let doc = parse(html);
    let allowed = template_tags();
    for tag in &doc.tags {
        assert!(
            allowed.contains(&tag.name),
            "{what}: tag <{}> is not in the templates: {tag:?}",
            tag.name
        );
        for (name, value) in &tag.attrs {
            assert!(
                !name.starts_with("on"),
                "{what}: event handler attribute on <{}>: {name}={value:?}",
                tag.name
            );
            if [
                "href",
                "src",
                "xlink:href",
                "action",
                "formaction",
                "srcset",
                "poster",
            ]
            .contains(&name.as_str())
            {
                assert!(
                    value.starts_with('#'),
                    "{what}: <{} {name}={value:?}> is not a link inside the page",
                    tag.name
                );
            }
            if name == "style" {
                assert_css_is_local(&decode(value), what);
            }
        }
        if tag.name == "script" {
            assert!(
                tag.attrs.iter().all(|(n, _)| n != "src"),
                "{what}: external script"
            );
        }
        assert!(tag.name != "link" && tag.name != "iframe" && tag.name != "img");
    }
    for css in &doc.styles {
        assert_css_is_local(css, what);
    }
    assert!(
        doc.scripts.len() <= 1,
        "{what}: {} scripts",
        doc.scripts.len()
    );
    for c in INVISIBLE {
        assert!(
            !html.contains(c),
            "{what}: raw U+{:04X} in the page",
            c as u32
        );
    }
}

#[track_caller]
fn assert_css_is_local(css: &str, what: &str) {
    let lower = css.to_ascii_lowercase();
    for (i, _) in lower.match_indices("url(") {
        let arg = lower[i + 4..].trim_start_matches(['"', '\'', ' ']);
        assert!(arg.starts_with('#'), "{what}: CSS {}", &css[i..]);
    }
    for bad in ["@import", "expression(", "http:", "https:", "//cdn"] {
        assert!(!lower.contains(bad), "{what}: CSS holds {bad}");
    }
}

#[test]
fn the_hostile_html_report_is_inert_and_shows_the_payloads_as_text() {
    let report = generate("hostile");
    let html = report.text("index.html");
    assert_inert_and_self_contained(&html, "hostile index.html");

    // The page's one script is the report's own constant: the same as for a benign fixture.
    let tiny = generate("tiny");
    let script = |h: &str| parse(h).scripts;
    assert_eq!(
        script(&html),
        script(&tiny.text("index.html")),
        "the inline script must not depend on the analysed code"
    );
    // The module explorer's data does hold the payloads, escaped for a script element: no
    // `<`, `>` or `&` can end it or open a comment, whatever the names hold.
    let data = parse(&html).data;
    assert_eq!(data.len(), 1, "one data element");
    assert!(
        data[0].contains("odd\\u0026name"),
        "the payloads reach the data"
    );
    assert!(!data[0].contains(['<', '>', '&']), "raw markup in the data");

    // Not vacuous: payloads do reach the page, as text a reader sees.
    let doc = parse(&html);
    for payload in [
        // #24, a table name.
        "<script>alert(1)</script>",
        // #26, the Mermaid and DOT break-out table name.
        "audit\"]; A-->B[\"pwned\"",
        // #28, a diesel `sql_name`.
        "</script><script>alert('sql_name')</script>",
    ] {
        assert!(
            doc.text.contains(payload),
            "payload {payload:?} is not shown as text"
        );
        assert!(
            !html.contains(payload),
            "payload {payload:?} is in the page raw"
        );
    }
    // And none of them anywhere raw, whatever the context.
    for raw in [
        "<script>alert",
        "onerror=",
        "onload=",
        "</textarea>",
        "<plaintext>",
        "<marquee>",
        "<iframe",
        "<img",
        "javascript:",
        "data:text/html",
    ] {
        assert!(
            !html
                .to_ascii_lowercase()
                .contains(&raw.to_ascii_lowercase()),
            "hostile index.html holds {raw:?} raw"
        );
    }
}

#[test]
fn every_example_report_is_self_contained() {
    for name in ["shop", "tangled", "workspace", "broken"] {
        let report = generate(name);
        assert_inert_and_self_contained(&report.text("index.html"), name);
    }
}

#[test]
fn the_hostile_markdown_and_dot_cannot_be_broken_out_of() {
    let report = generate("hostile");
    let md = report.text("plan.md");
    // Only the renderer's own tags; everything else is escaped text.
    for (i, _) in md.match_indices('<') {
        let tag: String = md[i + 1..]
            .chars()
            .take_while(|c| *c != '>' && *c != ' ')
            .collect();
        assert!(
            [
                "code", "/code", "sub", "/sub", "br", "br/", "details", "/details", "summary",
                "/summary"
            ]
            .contains(&tag.as_str()),
            "plan.md holds a raw <{tag}"
        );
    }
    let lower = md.to_ascii_lowercase();
    assert!(
        !lower.contains("javascript:"),
        "plan.md links to javascript:"
    );
    assert!(!lower.contains("](data:"), "plan.md links to data:");
    for c in INVISIBLE {
        assert!(!md.contains(c), "plan.md: raw U+{:04X}", c as u32);
    }
    // Payloads are there, escaped (not vacuous).
    assert!(
        md.contains("&lt;script&gt;alert\\(1\\)&lt;/script&gt;"),
        "{md}"
    );
    // Every table row has as many cells as its header: no payload adds a `|`.
    let cells = |line: &str| line.replace("\\|", "").matches('|').count();
    let mut header = None;
    for line in md.lines() {
        if line.starts_with('|') {
            let n = cells(line);
            let expected = *header.get_or_insert(n);
            assert_eq!(n, expected, "table row broken: {line}");
        } else {
            header = None;
        }
    }
    // The Mermaid block: no interaction, no HTML, quoted labels only.
    let mermaid = md
        .split("```mermaid")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a Mermaid context map");
    for line in mermaid.lines() {
        let t = line.trim();
        assert!(!t.starts_with("click"), "Mermaid click directive: {t}");
        assert!(!t.contains('<'), "HTML in Mermaid: {t}");
        assert_eq!(t.matches('"').count() % 2, 0, "unbalanced quote: {t}");
    }

    let dot = report.text("plan.dot");
    assert_eq!(dot.matches("digraph").count(), 1, "{dot}");
    assert!(!dot.contains("label=<"), "HTML-like label in DOT: {dot}");
    for line in dot.lines() {
        let unescaped = line.replace("\\\\", "").replace("\\\"", "");
        assert_eq!(
            unescaped.matches('"').count() % 2,
            0,
            "DOT break-out: {line}"
        );
    }
    for c in INVISIBLE {
        assert!(!dot.contains(c), "plan.dot: raw U+{:04X}", c as u32);
    }

    // The JSON stays valid and keeps the payloads as data, unmangled.
    let json: serde_json::Value = serde_json::from_str(&report.text("seamline.json")).unwrap();
    let tables: Vec<&str> = json["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(tables.contains(&"<script>alert(1)</script>"), "{tables:?}");
}

#[test]
fn the_tokenizer_sees_tags_attributes_and_entities() {
    let doc = parse(
        "<!doctype html><p class=\"a\" title='x>y'>1 &lt; 2 &#x26; &#60;b&#62;</p><script>if (a<b) {}</script><a href=#x>k</a>",
    );
    let names: Vec<&str> = doc.tags.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["p", "script", "a"]);
    assert_eq!(doc.tags[0].attrs[1], ("title".to_owned(), "x>y".to_owned()));
    assert_eq!(doc.tags[2].attrs[0], ("href".to_owned(), "#x".to_owned()));
    assert_eq!(doc.scripts, ["if (a<b) {}"]);
    assert!(doc.text.contains("1 < 2 & <b>"), "{}", doc.text);
}
