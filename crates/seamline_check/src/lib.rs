//! `seamline check`: gates CI on declared boundaries and coupling metrics.
//!
//! The stage reads [`ir::Facts`] and either the contexts declared in `seamline.toml` or the
//! [`Proposal`](seamline_cluster::contexts::Proposal) of the clustering stage, and returns
//! [`Violation`]s. Everything here is a pure function: the binary reads `seamline.toml`,
//! source lines (for snippets) and baselines from disk and passes them in as values.
//!
//! What it enforces comes from `seamline.toml`, validated by `seamline_config` into
//! [`seamline_config::CheckSettings`].
//!
//! - [`assign`]: which context every module and item belongs to, and the references that
//!   cross a context boundary, with their evidence.
//! - [`rules`]: the rules ([`Rule`]) evaluated on an assignment.
//! - [`render`]: human, JSON, SARIF 2.1.0, GitHub annotations and JUnit output.
//! - [`baseline`]: fingerprints that survive line shifts, and the ratchet.
//! - [`template`]: the commented `seamline.toml` that `seamline init` writes.
#![deny(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod assign;
pub mod baseline;
pub mod render;
pub mod rules;
pub mod template;

use seamline_ir as ir;
use std::fmt;

pub use assign::{Assignment, Source};
pub use rules::{CheckOptions, check};
pub use seamline_cluster::contexts::Crossing;
pub use seamline_cluster::contexts::Proposal;

/// The clustering stage's proposal as `check` and `init` use it: item granularity (as
/// `analyze` uses), with `[clustering]` of `seamline.toml` applied.
pub fn propose(facts: &ir::Facts, clustering: &seamline_config::ClusterSettings) -> Proposal {
    let mut options =
        seamline_cluster::contexts::ContextOptions::standard(seamline_graph::Granularity::Item);
    clustering.apply(&mut options);
    seamline_cluster::contexts::propose(facts, &options)
}

macro_rules! rules {
    ($($(#[$meta:meta])* $variant:ident = $id:literal, $sev:ident, $desc:literal;)*) => {
        /// A rule of `seamline check`. The id (`as_str`) is stable, kebab-case and names the
        /// smell, not the fix.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $($(#[$meta])* #[doc = $desc] $variant,)*
        }

        impl Rule {
            /// Every rule, in declaration order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            /// The stable kebab-case id.
            pub fn as_str(self) -> &'static str {
                match self { $(Rule::$variant => $id,)* }
            }

            /// One line saying what the rule catches.
            pub fn description(self) -> &'static str {
                match self { $(Rule::$variant => $desc,)* }
            }

            /// The severity a violation has unless the config or `-A/-W/-D` say otherwise.
            pub fn default_severity(self) -> ir::Severity {
                match self { $(Rule::$variant => ir::Severity::$sev,)* }
            }
        }
    };
}

rules! {
    ForbiddenDependency = "forbidden-dependency", Error, "code in one context depends on another context that the rules do not allow it to depend on";
    CrossContextCycle = "cross-context-cycle", Error, "contexts depend on each other in a cycle, so none of them can be extracted alone";
    TooManySharedModels = "too-many-shared-models", Error, "more models are used outside the context that defines them than the threshold allows";
    TooManySharedTables = "too-many-shared-tables", Error, "more database tables are touched by several contexts than the threshold allows";
    TooManyCrossContextDependencies = "too-many-cross-context-dependencies", Error, "more dependencies cross a context boundary than the threshold allows";
    UnstableContext = "unstable-context", Error, "a context's instability Ce / (Ca + Ce) is above the threshold";
    LowModularity = "low-modularity", Error, "the modularity Q of the contexts is below the threshold";
    UnmatchedAllowance = "unmatched-allowance", Warning, "an `allow` entry of seamline.toml matches no dependency between contexts";
    UnmatchedModulePattern = "unmatched-module-pattern", Warning, "a module glob of a context or of the kernel in seamline.toml matches no module";
    UnassignedModule = "unassigned-module", Note, "a module matches no declared context and no kernel pattern, so its dependencies are not checked";
}

impl Rule {
    /// The rule with this id.
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.as_str() == id)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place in a file: a source file of the analysed codebase, or `seamline.toml`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Place {
    /// The file, `/`-separated: a source file joined to [`CheckOptions::root`], or the
    /// config's display path.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (in characters).
    pub col: u32,
    /// Whether the place is in `seamline.toml` rather than in the analysed code.
    pub in_config: bool,
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The rule.
    pub rule: Rule,
    /// How serious (after config and command-line overrides).
    pub severity: ir::Severity,
    /// The contexts concerned, in the order the message names them.
    pub contexts: Vec<String>,
    /// One sentence without a trailing period.
    pub message: String,
    /// The exact place: the `use`, call, field type or SQL string that made a dependency,
    /// or the `seamline.toml` line of a threshold or allowance.
    pub place: Option<Place>,
    /// Further lines (`= note: ...` in the human output): evidence, today's values.
    pub notes: Vec<String>,
    /// What to do about it (`= help: ...`).
    pub help: Option<String>,
    /// The parts hashed into [`Violation::fingerprint`]: the rule, the contexts and the
    /// endpoints of the dependency; never line numbers (see [`baseline`]).
    pub identity: Vec<String>,
}

impl Violation {
    /// A fingerprint that survives unrelated edits (lines shifting, files reformatted): a
    /// 64-bit FNV-1a hash of the rule id and [`Violation::identity`], as 16 hex digits.
    pub fn fingerprint(&self) -> String {
        baseline::fingerprint(self.rule, &self.identity)
    }

    /// The sort key that makes every output deterministic: severity, file, line, column,
    /// rule, message.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            self.severity,
            self.place
                .as_ref()
                .map(|p| (p.file.as_str(), p.line, p.col)),
            self.rule,
            self.message.as_str(),
            &self.identity,
        )
    }
}

/// Sorts violations into the order every output uses.
pub fn sort_violations(violations: &mut [Violation]) {
    violations.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_kebab_case_and_round_trip() {
        for &rule in Rule::ALL {
            let id = rule.as_str();
            assert!(
                id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{id}"
            );
            assert_eq!(Rule::from_id(id), Some(rule));
            assert!(!rule.description().ends_with('.'));
        }
    }

    #[test]
    fn globs_match_module_and_file_paths_with_a_fast_path() {
        use seamline_test_utils::facts::FactsBuilder;
        let mut b = FactsBuilder::new("shop");
        b.module("shop::billing", "src/billing/mod.rs", 3);
        b.module("shop::billing::tax", "src/billing/tax.rs", 3);
        let facts = b.finish();
        let m = |glob: &str| -> Vec<&str> {
            facts
                .modules
                .iter()
                .filter(|m| assign::module_matches(&facts, m, glob))
                .map(|m| m.path.as_str())
                .collect()
        };
        assert_eq!(m("shop::billing"), ["shop::billing"]);
        assert_eq!(m("shop::billing::**"), ["shop::billing::tax"]);
        assert_eq!(m("shop::bill*"), ["shop::billing"]);
        assert_eq!(m("src/billing/**"), ["shop::billing", "shop::billing::tax"]);
        assert_eq!(m("src/*/tax.rs"), ["shop::billing::tax"]);
        assert_eq!(m("src/*.rs"), Vec::<&str>::new());
        assert_eq!(m("**/tax.rs"), ["shop::billing::tax"]);
    }
}
