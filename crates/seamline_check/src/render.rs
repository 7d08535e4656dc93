//! Output formats of `seamline check`: human (rustc-like, with a source snippet), JSON,
//! SARIF 2.1.0 (GitHub code scanning), GitHub workflow annotations and JUnit XML.
//!
//! Every renderer takes the same [`Report`] and keeps its order, which [`crate::check`]
//! made deterministic.

use seamline_ir::format::plural;
use serde_json::{Value, json};

use crate::baseline::Entry;
use crate::{Rule, Violation};
use seamline_ir::Severity;

/// What a run found, ready to render.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    /// Violations to report (after the baseline), sorted.
    pub violations: &'a [Violation],
    /// Baseline entries that are fixed now.
    pub fixed: &'a [Entry],
    /// How many violations the baseline accepted.
    pub baselined: usize,
    /// Where the contexts come from, one sentence: "contexts declared in seamline.toml".
    pub contexts: &'a str,
    /// The tool version (for SARIF and JSON).
    pub version: &'a str,
}

impl Report<'_> {
    /// Number of violations of a severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.violations
            .iter()
            .filter(|v| v.severity == severity)
            .count()
    }

    /// Whether the run fails (at least one error).
    pub fn failed(&self) -> bool {
        self.count(Severity::Error) > 0
    }
}

/// ANSI styles, or nothing.
struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn severity(&self, s: Severity) -> String {
        let code = match s {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Note => "1;36",
        };
        self.paint(code, s.as_str())
    }
}

/// The human format: each violation as a compiler diagnostic with a source snippet
/// (`snippet(file, line)` returns the line's text), then the fixed baseline entries and
/// a summary line. `color` adds ANSI colours.
pub fn human(
    report: &Report<'_>,
    snippet: &dyn Fn(&str, u32) -> Option<String>,
    color: bool,
) -> String {
    let st = Style { color };
    let mut out = String::new();
    for v in report.violations {
        out.push_str(&format!(
            "{}{}: {}\n",
            st.severity(v.severity),
            st.paint("1", &format!("[{}]", v.rule)),
            st.paint("1", &v.message)
        ));
        let gutter_width = v.place.as_ref().map_or(1, |p| p.line.to_string().len());
        let pad = " ".repeat(gutter_width);
        if let Some(p) = &v.place {
            out.push_str(&format!(
                "{pad}{} {}:{}:{}\n",
                st.paint("1;34", "-->"),
                p.file,
                p.line,
                p.col
            ));
            if let Some(text) = snippet(&p.file, p.line) {
                let text = text.trim_end_matches(['\n', '\r']).replace('\t', "    ");
                let bar = st.paint("1;34", "|");
                out.push_str(&format!("{pad} {bar}\n"));
                out.push_str(&format!(
                    "{} {bar} {text}\n",
                    st.paint("1;34", &p.line.to_string())
                ));
                let col = (p.col.max(1) - 1) as usize;
                let caret_pad: String = text
                    .chars()
                    .take(col)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                let marker = match v.severity {
                    Severity::Error => st.paint("1;31", "^"),
                    Severity::Warning => st.paint("1;33", "^"),
                    Severity::Note => st.paint("1;36", "^"),
                };
                out.push_str(&format!("{pad} {bar} {caret_pad}{marker}\n"));
            }
        }
        for note in &v.notes {
            out.push_str(&format!("{pad} = {}: {note}\n", st.paint("1", "note")));
        }
        if let Some(help) = &v.help {
            out.push_str(&format!("{pad} = {}: {help}\n", st.paint("1", "help")));
        }
        out.push('\n');
    }
    for e in report.fixed {
        out.push_str(&format!(
            "{}: baseline entry {} is fixed: [{}] {}{}\n",
            st.paint("1;32", "fixed"),
            e.fingerprint,
            e.rule,
            e.message,
            if e.place.is_empty() {
                String::new()
            } else {
                format!(" (was at {})", e.place)
            }
        ));
    }
    if !report.fixed.is_empty() {
        out.push_str(
            "  = help: run with --write-baseline to drop fixed entries from the baseline\n\n",
        );
    }
    let (e, w, n) = (
        report.count(Severity::Error),
        report.count(Severity::Warning),
        report.count(Severity::Note),
    );
    let mut parts = vec![
        plural(e, "error", "errors"),
        plural(w, "warning", "warnings"),
    ];
    if n > 0 {
        parts.push(plural(n, "note", "notes"));
    }
    if report.baselined > 0 {
        parts.push(format!("{} accepted by the baseline", report.baselined));
    }
    if !report.fixed.is_empty() {
        parts.push(format!(
            "{} fixed",
            plural(report.fixed.len(), "baseline entry", "baseline entries")
        ));
    }
    let verdict = if e > 0 {
        st.paint("1;31", "check failed")
    } else {
        st.paint("1;32", "check passed")
    };
    out.push_str(&format!(
        "{verdict}: {} ({})\n",
        parts.join(", "),
        report.contexts
    ));
    out
}

fn violation_json(v: &Violation) -> Value {
    json!({
        "rule": v.rule.as_str(),
        "severity": v.severity.as_str(),
        "contexts": v.contexts,
        "message": v.message,
        "file": v.place.as_ref().map(|p| p.file.clone()),
        "line": v.place.as_ref().map(|p| p.line),
        "col": v.place.as_ref().map(|p| p.col),
        "in_config": v.place.as_ref().is_some_and(|p| p.in_config),
        "notes": v.notes,
        "help": v.help,
        "fingerprint": v.fingerprint(),
    })
}

/// `--format json`: one document (`schema_version` 1) with the summary, the violations and
/// the fixed baseline entries.
pub fn json(report: &Report<'_>) -> String {
    let doc = json!({
        "schema_version": 1,
        "tool": { "name": "seamline", "version": report.version },
        "contexts": report.contexts,
        "summary": {
            "errors": report.count(Severity::Error),
            "warnings": report.count(Severity::Warning),
            "notes": report.count(Severity::Note),
            "baselined": report.baselined,
            "fixed": report.fixed.len(),
            "failed": report.failed(),
        },
        "violations": report.violations.iter().map(violation_json).collect::<Vec<_>>(),
        "fixed": report.fixed.iter().map(|e| json!({
            "fingerprint": e.fingerprint, "rule": e.rule, "message": e.message, "place": e.place,
        })).collect::<Vec<_>>(),
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// Percent-encodes what a relative URI reference cannot hold literally.
fn uri_path(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `--format sarif`: a SARIF 2.1.0 log for GitHub code scanning: every rule in
/// `tool.driver.rules`, one result per violation with its physical location (paths
/// relative to `%SRCROOT%`) and a `partialFingerprints` entry that survives line shifts.
pub fn sarif(report: &Report<'_>) -> String {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.as_str(),
                "name": r.as_str(),
                "shortDescription": { "text": r.description() },
                "fullDescription": { "text": r.description() },
                "defaultConfiguration": { "level": sarif_level(r.default_severity()) },
                "help": { "text": format!("See docs/check.md#{}", r.as_str()) },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .violations
        .iter()
        .map(|v| {
            let mut text = v.message.clone();
            for note in &v.notes {
                text.push_str(&format!("\nnote: {note}"));
            }
            if let Some(help) = &v.help {
                text.push_str(&format!("\nhelp: {help}"));
            }
            let mut result = json!({
                "ruleId": v.rule.as_str(),
                "ruleIndex": Rule::ALL.iter().position(|r| *r == v.rule).unwrap_or(0),
                "level": sarif_level(v.severity),
                "message": { "text": text },
                "partialFingerprints": { "seamlineFingerprint/v1": v.fingerprint() },
            });
            if let Some(p) = &v.place {
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri_path(&p.file), "uriBaseId": "%SRCROOT%" },
                        "region": { "startLine": p.line.max(1), "startColumn": p.col.max(1) },
                    }
                }]);
            }
            result
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "seamline",
                    "version": report.version,
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `--format github`: one workflow command per violation
/// (`::error file=..,line=..,col=..,title=..::message`), then a summary line.
pub fn github(report: &Report<'_>) -> String {
    let mut out = String::new();
    for v in report.violations {
        let cmd = match v.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut props = Vec::new();
        if let Some(p) = &v.place {
            props.push(format!("file={}", gh_property(&p.file)));
            props.push(format!("line={}", p.line));
            props.push(format!("col={}", p.col));
        }
        props.push(format!(
            "title={}",
            gh_property(&format!("seamline {}", v.rule))
        ));
        let mut text = v.message.clone();
        for note in &v.notes {
            text.push_str(&format!("\nnote: {note}"));
        }
        if let Some(help) = &v.help {
            text.push_str(&format!("\nhelp: {help}"));
        }
        out.push_str(&format!(
            "::{cmd} {}::{}\n",
            props.join(","),
            gh_data(&text)
        ));
    }
    for e in report.fixed {
        out.push_str(&format!(
            "::notice title=seamline baseline::{}\n",
            gh_data(&format!(
                "baseline entry {} is fixed: [{}] {}",
                e.fingerprint, e.rule, e.message
            ))
        ));
    }
    out.push_str(&format!(
        "seamline check: {}, {} ({})\n",
        plural(report.count(Severity::Error), "error", "errors"),
        plural(report.count(Severity::Warning), "warning", "warnings"),
        report.contexts
    ));
    out
}

/// Escapes text for XML content and attribute values; drops characters XML 1.0 forbids.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push_str(&format!("&#{};", c as u32)),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// `--format junit`: one test suite; every rule is a test case, failing (with one
/// `<failure>` per error) when it has error-level violations; warnings and notes go to
/// the case's `<system-out>`.
pub fn junit(report: &Report<'_>) -> String {
    let errors = report.count(Severity::Error);
    let failing_rules = Rule::ALL
        .iter()
        .filter(|r| {
            report
                .violations
                .iter()
                .any(|v| v.rule == **r && v.severity == Severity::Error)
        })
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"seamline check\" tests=\"{}\" failures=\"{failing_rules}\" errors=\"0\">\n",
        Rule::ALL.len()
    ));
    out.push_str(&format!(
        "  <testsuite name=\"seamline check\" tests=\"{}\" failures=\"{failing_rules}\" errors=\"0\" skipped=\"0\">\n",
        Rule::ALL.len()
    ));
    out.push_str(&format!(
        "    <properties><property name=\"contexts\" value=\"{}\"/><property name=\"error-violations\" value=\"{errors}\"/></properties>\n",
        xml_escape(report.contexts)
    ));
    for &rule in Rule::ALL {
        let mine: Vec<&Violation> = report
            .violations
            .iter()
            .filter(|v| v.rule == rule)
            .collect();
        out.push_str(&format!(
            "    <testcase classname=\"seamline\" name=\"{}\">\n",
            rule.as_str()
        ));
        let mut system_out = String::new();
        for v in &mine {
            let at = v.place.as_ref().map_or(String::new(), |p| {
                format!("{}:{}:{}: ", p.file, p.line, p.col)
            });
            let mut body = format!("{at}{}", v.message);
            for note in &v.notes {
                body.push_str(&format!("\nnote: {note}"));
            }
            if let Some(help) = &v.help {
                body.push_str(&format!("\nhelp: {help}"));
            }
            if v.severity == Severity::Error {
                out.push_str(&format!(
                    "      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                    rule.as_str(),
                    xml_escape(&format!("{at}{}", v.message)),
                    xml_escape(&body)
                ));
            } else {
                system_out.push_str(&format!("{}: {body}\n", v.severity.as_str()));
            }
        }
        if !system_out.is_empty() {
            out.push_str(&format!(
                "      <system-out>{}</system-out>\n",
                xml_escape(&system_out)
            ));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Place;

    fn sample() -> Vec<Violation> {
        vec![Violation {
            rule: Rule::ForbiddenDependency,
            severity: Severity::Error,
            contexts: vec!["orders".into(), "billing".into()],
            message: "`orders` depends on `billing`, which no `allow` entry permits".into(),
            place: Some(Place {
                file: "src/orders.rs".into(),
                line: 3,
                col: 9,
                in_config: false,
            }),
            notes: vec!["`shop::orders::pay` calls or constructs `shop::billing::charge`".into()],
            help: Some("remove it, <or> allow it & say why".into()),
            identity: vec!["orders".into(), "billing".into()],
        }]
    }

    fn report(v: &[Violation]) -> Report<'_> {
        Report {
            violations: v,
            fixed: &[],
            baselined: 0,
            contexts: "contexts declared in seamline.toml",
            version: "0.1.0",
        }
    }

    #[test]
    fn human_output_looks_like_rustc() {
        let v = sample();
        let snippet = |_: &str, _: u32| Some("    use crate::billing::charge;".to_owned());
        let text = human(&report(&v), &snippet, false);
        assert_eq!(
            text,
            "error[forbidden-dependency]: `orders` depends on `billing`, which no `allow` entry permits
 --> src/orders.rs:3:9
  |
3 |     use crate::billing::charge;
  |         ^
  = note: `shop::orders::pay` calls or constructs `shop::billing::charge`
  = help: remove it, <or> allow it & say why

check failed: 1 error, 0 warnings (contexts declared in seamline.toml)
"
        );
        assert!(human(&report(&v), &snippet, true).contains("\x1b[1;31merror"));
    }

    #[test]
    fn github_annotations_escape_properties_and_data() {
        let mut v = sample();
        v[0].place.as_mut().unwrap().file = "src/a,b.rs".into();
        let text = github(&report(&v));
        assert!(text.starts_with("::error file=src/a%2Cb.rs,line=3,col=9,title=seamline forbidden-dependency::`orders` depends"), "{text}");
        assert!(text.contains("%0Anote: "), "{text}");
    }

    #[test]
    fn junit_escapes_xml() {
        let v = sample();
        let text = junit(&report(&v));
        assert!(text.contains("&lt;or&gt; allow it &amp; say why"), "{text}");
        assert!(text.contains("failures=\"1\""), "{text}");
        assert!(!text.contains("<or>"));
    }

    #[test]
    fn sarif_has_rules_results_and_fingerprints() {
        let v = sample();
        let doc: Value = serde_json::from_str(&sarif(&report(&v))).unwrap();
        assert_eq!(doc["version"], "2.1.0");
        let run = &doc["runs"][0];
        assert_eq!(
            run["tool"]["driver"]["rules"].as_array().unwrap().len(),
            Rule::ALL.len()
        );
        let r = &run["results"][0];
        assert_eq!(r["ruleId"], "forbidden-dependency");
        assert_eq!(r["level"], "error");
        assert_eq!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            3
        );
        assert_eq!(
            r["partialFingerprints"]["seamlineFingerprint/v1"],
            v[0].fingerprint()
        );
    }
}
