//! `[plan]`: every threshold of the verdict ([`seamline_plan::Thresholds`]) as a key of
//! `seamline.toml`, with the kind of value it takes and the comment that `seamline init`
//! writes beside it. The table is the one list of the keys: validation, the init template
//! and the documentation test read it, and it names every field of `Thresholds`, so a new
//! threshold that is not settable does not compile.

use std::fmt::Write as _;
use std::ops::RangeInclusive;

use seamline_plan::Thresholds;

/// What a `[plan]` value may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Lines of code: an integer, at least 0.
    Lines,
    /// A count: an integer between 0 and `u32::MAX`.
    Count,
    /// A share: a number between 0 and 1.
    Share,
    /// A modularity Q: a number between -0.5 and 1.
    Modularity,
}

impl Kind {
    /// Whether only integers are accepted.
    pub(crate) fn integer(self) -> bool {
        matches!(self, Kind::Lines | Kind::Count)
    }

    /// The accepted values.
    pub(crate) fn range(self) -> RangeInclusive<f64> {
        match self {
            // Beyond 2^53 an f64 no longer holds every integer; no codebase comes close.
            Kind::Lines => 0.0..=9.0e15,
            Kind::Count => 0.0..=f64::from(u32::MAX),
            Kind::Share => 0.0..=1.0,
            Kind::Modularity => -0.5..=1.0,
        }
    }
}

/// One key of `[plan]`.
pub(crate) struct Key {
    /// The key, which is also the field's name.
    pub(crate) name: &'static str,
    /// The values it takes.
    pub(crate) kind: Kind,
    /// The comment written beside it: what crossing it means.
    pub(crate) doc: &'static str,
    /// Reads the field.
    pub(crate) get: fn(&Thresholds) -> f64,
    /// Writes a validated value into the field.
    pub(crate) set: fn(&mut Thresholds, f64),
}

macro_rules! keys {
    ($($field:ident: $kind:ident, $doc:literal;)*) => {
        /// The keys of `[plan]`, in the order of [`Thresholds`]' fields.
        pub(crate) const KEYS: &[Key] = &[$(Key {
            name: stringify!($field),
            kind: Kind::$kind,
            doc: $doc,
            get: |t| t.$field as f64,
            // The value is validated against the kind's range first, so the cast is exact.
            set: |t, x| t.$field = x as _,
        },)*];

        // Every field of `Thresholds` is listed above: a threshold added to the plan without
        // a key here is a compile error, not a setting users cannot reach.
        const _: fn(Thresholds) = |t| {
            let Thresholds { $($field: _,)* } = t;
        };
    };
}

keys! {
    single_service_code_lines: Lines, "below: keep the monolith whatever its structure";
    keep_below_code_lines: Lines, "below: keep the monolith unless it is tangled";
    min_contexts: Count, "fewer real contexts: keep the monolith";
    min_real_context_share: Share, "a context under this share of the code is no real domain (0..1)";
    min_first_step_share: Share, "step 1 holds at least this share of the code when a real domain does (0..1)";
    min_mean_context_lines: Lines, "smaller contexts on average: over-fragmented, merge first";
    min_modularity: Modularity, "below this Q: modularise first (-0.5..1)";
    max_cycle_share: Share, "above this share of contexts in cycles: modularise first (0..1)";
    max_shared_table_share: Share, "above this share of tables touched by several contexts (0..1)";
    max_shared_model_share: Share, "above this share of models used by several contexts (0..1)";
    hot_read_count: Count, "reads of another context's table that call for an event-fed read model";
    coupled_min_degree: Share, "--history: change-coupling degree (0..1) ...";
    coupled_min_shared_commits: Count, "... over this many shared commits: not independently deployable";
    distinct_owner_share: Share, "--history: a main author's share of commits making a distinct owner (0..1)";
    history_discount: Share, "--history: largest share of a seam's cost the history takes off (0..1)";
    active_author_share: Share, "--history: an author with this share of all commits is active (0..1)";
    max_team_authors: Count, "--history: this many active authors or fewer: keep the monolith";
    min_distinct_owners: Count, "--history: this many distinct owners make a small clean codebase worth splitting";
}

/// A key with its recommended value, as `docs/check.md` and the init template write it
/// (`name = value`).
fn assignment(key: &Key, t: &Thresholds) -> String {
    let value = (key.get)(t);
    if key.kind.integer() {
        format!("{} = {}", key.name, value as u64)
    } else {
        format!("{} = {value}", key.name)
    }
}

/// The `[plan]` section of the `seamline init` template: every key commented out with its
/// recommended value and what it means, so that uncommenting a line changes one threshold.
pub fn commented_plan_section() -> String {
    let t = Thresholds::recommended();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# The thresholds of the plan's verdict (`seamline analyze`), with their defaults (see docs/check.md):"
    );
    let _ = writeln!(out, "# [plan]");
    for key in KEYS {
        let _ = writeln!(out, "# {:<38}# {}", assignment(key, &t), key.doc);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Settings;

    /// A value of `kind` that is not the recommended `current` one, for the round trip.
    fn other_value(kind: Kind, current: f64) -> f64 {
        match kind {
            Kind::Lines | Kind::Count => current + 7.0,
            Kind::Share | Kind::Modularity => {
                if current > 0.5 {
                    current - 0.125
                } else {
                    current + 0.125
                }
            }
        }
    }

    #[test]
    fn every_key_sets_its_own_threshold_and_only_it() {
        let recommended = Thresholds::recommended();
        for key in KEYS {
            let x = other_value(key.kind, (key.get)(&recommended));
            let text = if key.kind.integer() {
                format!("[plan]\n{} = {}\n", key.name, x as u64)
            } else {
                format!("[plan]\n{} = {x}\n", key.name)
            };
            let s = Settings::parse(&text, "seamline.toml").unwrap_or_else(|e| panic!("{e}"));
            assert_eq!((key.get)(&s.plan), x, "{}", key.name);
            let mut expected = recommended.clone();
            (key.set)(&mut expected, x);
            assert_eq!(s.plan, expected, "{} changed another threshold", key.name);
            assert_ne!(s.plan, recommended, "{}", key.name);
        }
    }

    #[test]
    fn the_template_parses_to_the_recommended_thresholds_once_uncommented() {
        let section = commented_plan_section();
        for key in KEYS {
            assert!(
                section.contains(&format!("\n# {} = ", key.name)),
                "{} is missing from the template:\n{section}",
                key.name
            );
        }
        let uncommented: String = section
            .lines()
            .skip(1)
            .map(|l| format!("{}\n", l.trim_start_matches("# ")))
            .collect();
        let s = Settings::parse(&uncommented, "seamline.toml")
            .unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
        assert_eq!(s.plan, Thresholds::recommended());
    }

    #[test]
    fn docs_check_md_documents_every_key_with_its_default() {
        let doc = include_str!("../../../docs/check.md");
        let t = Thresholds::recommended();
        for key in KEYS {
            let line = assignment(key, &t);
            assert!(
                doc.lines()
                    .any(|l| l.starts_with(&line)
                        && l[line.len()..].starts_with(char::is_whitespace)),
                "docs/check.md has no `{line}` line in its [plan] section"
            );
        }
    }
}
