//! `seamline.toml`, the one home of seamline's configuration: parsed from text with every
//! key's and value's span, then validated once into [`Settings`] (cargo-deny's
//! `UnvalidatedConfig::validate` style), which holds one settings value per stage:
//! [`ClusterSettings`] for the clustering (`[clustering]`), the plan's own
//! [`seamline_plan::Thresholds`] for the verdict (`[plan]`), and [`CheckSettings`] for
//! `seamline check` (`[[contexts]]`, `[kernel]`, `[rules]`). Unknown keys and bad values are
//! [`ConfigError`]s at `seamline.toml:line:col` with a hint; all of them are collected, not
//! only the first. Reading the file is the binary's job: this crate takes the text.
//!
//! The schema is documented in `docs/check.md`.
#![deny(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod plan;

use std::fmt;
use std::ops::Range;

use seamline_plan::Thresholds;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

pub use plan::commented_plan_section;

/// A 1-based line and column (in characters) in `seamline.toml`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
}

/// How serious a configured rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Not checked.
    Off,
    /// Reported; does not fail the run.
    Warning,
    /// Reported; fails the run (exit code 1).
    Error,
}

impl Level {
    /// The config spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }

    /// The diagnostic severity, `None` for [`Level::Off`].
    pub fn severity(self) -> Option<seamline_ir::Severity> {
        match self {
            Level::Off => None,
            Level::Warning => Some(seamline_ir::Severity::Warning),
            Level::Error => Some(seamline_ir::Severity::Error),
        }
    }
}

/// One problem in `seamline.toml`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ConfigError {
    /// Where.
    pub pos: Pos,
    /// What is wrong, without a trailing period.
    pub message: String,
    /// How to fix it, if we know.
    pub hint: Option<String>,
}

/// Every problem found in one `seamline.toml`, sorted by position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors {
    /// The config's display path.
    pub path: String,
    /// The problems (at least one).
    pub errors: Vec<ConfigError>,
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(
                f,
                "{}:{}:{}: {}",
                self.path, e.pos.line, e.pos.col, e.message
            )?;
            if let Some(hint) = &e.hint {
                write!(f, "\n  = help: {hint}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// A module glob with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// The glob: over module paths (`shop::billing::**`) or file paths
    /// (`src/**/billing*.rs`). `*` stays within one segment (`::` or `/`), `**` matches
    /// anything, `?` one character.
    pub glob: String,
    /// Where it is written.
    pub pos: Pos,
}

/// A declared bounded context.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextDecl {
    /// Its name, unique.
    pub name: String,
    /// Where `name` is written.
    pub pos: Pos,
    /// The modules that belong to it. A module belongs to the first context (in file
    /// order) with a matching pattern.
    pub modules: Vec<Pattern>,
    /// A per-context `max_instability` overriding `[rules] max_instability`'s value.
    pub max_instability: Option<f64>,
}

/// An `allow` or `deny` entry of `[rules]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowance {
    /// Depending context (a name, or a glob over names such as `*`).
    pub from: String,
    /// Depended-on context (a name or a glob).
    pub to: String,
    /// Why (required for `allow`).
    pub reason: String,
    /// Where the entry starts.
    pub pos: Pos,
}

/// What a cross-context dependency that no `allow` or `deny` entry matches is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unlisted {
    /// Forbidden (allow-list mode).
    Forbid,
    /// Allowed (deny-list mode).
    Allow,
}

/// A threshold on a metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    /// The limit (a count, or a ratio for instability and modularity).
    pub value: f64,
    /// The severity of a violation.
    pub level: Level,
    /// Where the threshold is written.
    pub pos: Pos,
}

/// `[rules]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// Whether unlisted cross-context dependencies are forbidden.
    pub unlisted: Unlisted,
    /// Allowed dependencies.
    pub allow: Vec<Allowance>,
    /// Forbidden dependencies.
    pub deny: Vec<Allowance>,
    /// Severity of dependencies that are forbidden.
    pub forbidden: Level,
    /// `no_cycles`: severity of cycles between contexts, if set. Unset, cycles are errors
    /// between declared contexts and warnings between proposed ones (the proposal is
    /// seamline's guess, not a boundary the team drew): see [`Rules::no_cycles_level`].
    pub no_cycles: Option<Level>,
    /// Where `no_cycles` is written, if it is.
    pub no_cycles_pos: Option<Pos>,
    /// Where `[rules]` is, if anywhere.
    pub pos: Option<Pos>,
    /// `max_shared_models`.
    pub max_shared_models: Option<Threshold>,
    /// `max_shared_tables`.
    pub max_shared_tables: Option<Threshold>,
    /// `max_cross_context_dependencies`.
    pub max_cross_context_dependencies: Option<Threshold>,
    /// `max_instability` (per context; see [`ContextDecl::max_instability`]).
    pub max_instability: Option<Threshold>,
    /// `min_modularity`.
    pub min_modularity: Option<Threshold>,
}

impl Rules {
    /// The effective severity of `cross-context-cycle`.
    pub fn no_cycles_level(&self, declared: bool) -> Level {
        self.no_cycles.unwrap_or(if declared {
            Level::Error
        } else {
            Level::Warning
        })
    }
}

/// `[clustering.weights]`: the weight of each dependency kind in the clustering graph
/// (`seamline_graph::KindWeights`) and of a change-coupling edge (`history`); unset keys
/// keep the standard weights (import 1, type 2, call 3, impl 3, table 4, history 3).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Weights {
    /// `import`: a `use` of an item.
    pub import: Option<f64>,
    /// `type`: the item appears in a field or signature.
    pub type_: Option<f64>,
    /// `call`: the item is called, constructed or matched.
    pub call: Option<f64>,
    /// `impl`: `impl Trait for Type`.
    pub impl_: Option<f64>,
    /// `table`: two nodes touch the same table.
    pub table: Option<f64>,
    /// `history`: a pair of modules that always change together (`--history`);
    /// `--history-weight` wins over it.
    pub history: Option<f64>,
}

/// `[clustering]`: the clustering stage's settings, as overrides of its standard
/// `ContextOptions` (which depend on the granularity, and which `--contexts` and
/// `--min-context-size` override in turn): see [`ClusterSettings::apply`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClusterSettings {
    /// `contexts = N`: ask for about N contexts.
    pub contexts: Option<usize>,
    /// `min_context_size = N`.
    pub min_context_size: Option<usize>,
    /// `pins = [{ glob, context }]`: (glob, context name).
    pub pins: Vec<(String, String)>,
    /// `together = [[a, b]]`.
    pub together: Vec<(String, String)>,
    /// `apart = [[a, b]]`.
    pub apart: Vec<(String, String)>,
    /// `[clustering.weights]`.
    pub weights: Weights,
}

impl ClusterSettings {
    /// The constraints in the clustering stage's vocabulary.
    pub fn constraints(&self) -> seamline_cluster::contexts::Constraints {
        seamline_cluster::contexts::Constraints {
            pins: self.pins.clone(),
            together: self.together.clone(),
            apart: self.apart.clone(),
        }
    }

    /// Applies `contexts`, `min_context_size` and the constraints to clustering options.
    pub fn apply(&self, options: &mut seamline_cluster::contexts::ContextOptions) {
        if let Some(n) = self.contexts {
            options.target_contexts = Some(n);
        }
        if let Some(n) = self.min_context_size {
            options.min_context_size = n;
        }
        options.constraints = self.constraints();
        let (w, g) = (&self.weights, &mut options.graph);
        for (value, slot) in [
            (w.import, &mut g.weights.import),
            (w.type_, &mut g.weights.type_),
            (w.call, &mut g.weights.call),
            (w.impl_, &mut g.weights.impl_),
            (w.table, &mut g.weights.table),
            (w.history, &mut g.history_weight),
        ] {
            if let Some(x) = value {
                *slot = x;
            }
        }
    }
}

/// A validated `seamline.toml`: what the stages see.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The config's display path (`seamline.toml` when there is no file).
    pub path: String,
    /// Whether the settings come from a file.
    pub from_file: bool,
    /// `[[contexts]]`, `[kernel]` and `[rules]`: what `seamline check` enforces.
    pub check: CheckSettings,
    /// `[clustering]`.
    pub cluster: ClusterSettings,
    /// `[plan]`: [`Thresholds::recommended`] with the keys written in the file applied.
    pub plan: Thresholds,
}

/// What `seamline check` reads: the declared contexts, the kernel and the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckSettings {
    /// The config's display path, where violations of a threshold or an allowance point.
    pub path: String,
    /// Declared contexts, in file order (empty: `check` uses the proposal).
    pub contexts: Vec<ContextDecl>,
    /// `[kernel] modules`: modules every context may use.
    pub kernel: Vec<Pattern>,
    /// `[rules]`.
    pub rules: Rules,
}

impl CheckSettings {
    /// Whether contexts are declared (otherwise `check` uses the proposal).
    pub fn declares_contexts(&self) -> bool {
        !self.contexts.is_empty()
    }
}

impl Settings {
    /// The settings when there is no `seamline.toml`: no declared contexts, cycles are
    /// errors, no check thresholds, the standard clustering and the recommended verdict
    /// thresholds.
    pub fn defaults(path: &str) -> Settings {
        Settings {
            path: path.to_owned(),
            from_file: false,
            check: CheckSettings {
                path: path.to_owned(),
                contexts: Vec::new(),
                kernel: Vec::new(),
                rules: Rules {
                    unlisted: Unlisted::Allow,
                    allow: Vec::new(),
                    deny: Vec::new(),
                    forbidden: Level::Error,
                    no_cycles: None,
                    no_cycles_pos: None,
                    pos: None,
                    max_shared_models: None,
                    max_shared_tables: None,
                    max_cross_context_dependencies: None,
                    max_instability: None,
                    min_modularity: None,
                },
            },
            cluster: ClusterSettings::default(),
            plan: Thresholds::recommended(),
        }
    }

    /// Parses and validates `seamline.toml` text; `path` is only used in messages.
    pub fn parse(text: &str, path: &str) -> Result<Settings, ConfigErrors> {
        let mut cx = Cx {
            src: text,
            line_starts: line_starts(text),
            errors: Vec::new(),
        };
        let mut settings = Settings::defaults(path);
        settings.from_file = true;
        match DeTable::parse(text) {
            Ok(root) => cx.root(root.get_ref(), &mut settings),
            Err(err) => {
                let pos = err
                    .span()
                    .map_or(Pos { line: 1, col: 1 }, |s| cx.pos(s.start));
                let message = err.message().trim().trim_end_matches('.').to_owned();
                cx.errors.push(ConfigError {
                    pos,
                    message: format!("invalid TOML: {message}"),
                    hint: None,
                });
            }
        }
        if cx.errors.is_empty() {
            Ok(settings)
        } else {
            cx.errors.sort();
            cx.errors.dedup();
            Err(ConfigErrors {
                path: path.to_owned(),
                errors: cx.errors,
            })
        }
    }
}

/// The smallest edit distance suggestion: the candidate closest to `word`, if it is close
/// enough to be a typo (distance at most a third of the word, at least 1).
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let max = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (levenshtein(word, c), c))
        .filter(|&(d, _)| d <= max)
        .min()
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

const ROOT_KEYS: &[&str] = &["contexts", "kernel", "rules", "clustering", "plan"];
const CONTEXT_KEYS: &[&str] = &["name", "modules", "max_instability", "description"];
const KERNEL_KEYS: &[&str] = &["modules"];
const RULES_KEYS: &[&str] = &[
    "unlisted",
    "allow",
    "deny",
    "forbidden",
    "no_cycles",
    "max_shared_models",
    "max_shared_tables",
    "max_cross_context_dependencies",
    "max_instability",
    "min_modularity",
];
const ALLOW_KEYS: &[&str] = &["from", "to", "reason"];
const THRESHOLD_KEYS: &[&str] = &["value", "severity"];
const CLUSTERING_KEYS: &[&str] = &[
    "contexts",
    "min_context_size",
    "pins",
    "together",
    "apart",
    "weights",
];
const WEIGHT_KEYS: &[&str] = &["import", "type", "call", "impl", "table", "history"];
const PIN_KEYS: &[&str] = &["glob", "context"];

type Value<'i> = Spanned<DeValue<'i>>;

struct Cx<'a> {
    src: &'a str,
    line_starts: Vec<usize>,
    errors: Vec<ConfigError>,
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl Cx<'_> {
    fn pos(&self, offset: usize) -> Pos {
        let offset = offset.min(self.src.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let col = self
            .src
            .get(start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        Pos {
            line: line as u32,
            col: col as u32,
        }
    }

    fn span_pos(&self, span: Range<usize>) -> Pos {
        self.pos(span.start)
    }

    fn err(&mut self, span: Range<usize>, message: impl Into<String>, hint: Option<String>) {
        let pos = self.span_pos(span);
        self.errors.push(ConfigError {
            pos,
            message: message.into(),
            hint,
        });
    }

    /// Reports keys of `table` that are not in `allowed`.
    fn unknown_keys(&mut self, table: &DeTable<'_>, allowed: &[&str], section: &str) {
        for key in table.keys() {
            let name = key.get_ref().as_ref();
            if !allowed.contains(&name) {
                let hint = match did_you_mean(name, allowed.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the keys of {section} are: {}", allowed.join(", ")),
                };
                self.err(
                    key.span(),
                    format!("unknown key `{name}` in {section}"),
                    Some(hint),
                );
            }
        }
    }

    fn expect_table<'v, 'i>(&mut self, v: &'v Value<'i>, what: &str) -> Option<&'v DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                self.err(
                    v.span(),
                    format!("{what} must be a table, found {}", type_name(other)),
                    None,
                );
                None
            }
        }
    }

    fn expect_array<'v, 'i>(
        &mut self,
        v: &'v Value<'i>,
        what: &str,
    ) -> Option<&'v [Spanned<DeValue<'i>>]> {
        match v.get_ref() {
            DeValue::Array(a) => Some(a.as_ref()),
            other => {
                self.err(
                    v.span(),
                    format!("{what} must be an array, found {}", type_name(other)),
                    None,
                );
                None
            }
        }
    }

    fn expect_string(&mut self, v: &Value<'_>, what: &str) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) if s.trim().is_empty() => {
                self.err(v.span(), format!("{what} must not be empty"), None);
                None
            }
            DeValue::String(s) => Some(s.to_string()),
            other => {
                self.err(
                    v.span(),
                    format!("{what} must be a string, found {}", type_name(other)),
                    None,
                );
                None
            }
        }
    }

    fn number(&mut self, v: &Value<'_>, what: &str, integer: bool) -> Option<f64> {
        let parsed = match v.get_ref() {
            DeValue::Integer(i) if i.radix() == 10 => i
                .as_str()
                .replace('_', "")
                .parse::<i64>()
                .ok()
                .map(|n| n as f64),
            DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
                .ok()
                .map(|n| n as f64),
            DeValue::Float(f) if !integer => f
                .as_str()
                .replace('_', "")
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite()),
            other => {
                let expected = if integer { "an integer" } else { "a number" };
                self.err(
                    v.span(),
                    format!("{what} must be {expected}, found {}", type_name(other)),
                    None,
                );
                return None;
            }
        };
        if parsed.is_none() {
            self.err(v.span(), format!("{what} is not a valid number"), None);
        }
        parsed
    }

    fn level(&mut self, v: &Value<'_>, what: &str) -> Option<Level> {
        let s = self.expect_string(v, what)?;
        let levels = ["error", "warning", "off"];
        match s.as_str() {
            "error" | "deny" => Some(Level::Error),
            "warning" | "warn" => Some(Level::Warning),
            "off" | "allow" => Some(Level::Off),
            other => {
                let hint = match did_you_mean(other, levels) {
                    Some(l) => format!("did you mean `{l}`?"),
                    None => "use \"error\", \"warning\" or \"off\"".to_owned(),
                };
                self.err(
                    v.span(),
                    format!("{what} must be \"error\", \"warning\" or \"off\", found \"{other}\""),
                    Some(hint),
                );
                None
            }
        }
    }

    fn root(&mut self, root: &DeTable<'_>, settings: &mut Settings) {
        self.unknown_keys(root, ROOT_KEYS, "seamline.toml");
        if let Some(v) = root.get("contexts") {
            self.contexts(v, &mut settings.check);
        }
        if let Some(v) = root.get("kernel")
            && let Some(t) = self.expect_table(v, "`kernel`")
        {
            self.unknown_keys(t, KERNEL_KEYS, "`[kernel]`");
            if let Some(m) = t.get("modules") {
                settings.check.kernel = self.patterns(m, "`kernel.modules`");
            }
        }
        if let Some(v) = root.get("rules")
            && let Some(t) = self.expect_table(v, "`rules`")
        {
            settings.check.rules.pos = Some(self.span_pos(v.span()));
            self.rules(t, &mut settings.check);
        }
        if let Some(v) = root.get("clustering")
            && let Some(t) = self.expect_table(v, "`clustering`")
        {
            self.clustering(t, &mut settings.cluster);
        }
        if let Some(v) = root.get("plan")
            && let Some(t) = self.expect_table(v, "`plan`")
        {
            self.plan(t, &mut settings.plan);
        }
    }

    /// A number of `table` at `key` within `range`, if written and valid.
    fn ranged(
        &mut self,
        t: &DeTable<'_>,
        key: &str,
        integer: bool,
        range: std::ops::RangeInclusive<f64>,
    ) -> Option<f64> {
        let v = t.get(key)?;
        let x = self.number(v, &format!("`{key}`"), integer)?;
        if range.contains(&x) {
            return Some(x);
        }
        let (lo, hi) = (range.start(), range.end());
        let msg = if *hi == f64::MAX {
            format!("`{key}` must be at least {lo}")
        } else {
            format!("`{key}` must be between {lo} and {hi}")
        };
        self.err(v.span(), msg, None);
        None
    }

    fn weights(&mut self, t: &DeTable<'_>, out: &mut Weights) {
        self.unknown_keys(t, WEIGHT_KEYS, "`[clustering.weights]`");
        for (key, slot) in [
            ("import", &mut out.import),
            ("type", &mut out.type_),
            ("call", &mut out.call),
            ("impl", &mut out.impl_),
            ("table", &mut out.table),
            ("history", &mut out.history),
        ] {
            *slot = self.ranged(t, key, false, 0.0..=f64::MAX);
        }
    }

    fn plan(&mut self, t: &DeTable<'_>, out: &mut Thresholds) {
        let names: Vec<&str> = plan::KEYS.iter().map(|k| k.name).collect();
        self.unknown_keys(t, &names, "`[plan]`");
        for key in plan::KEYS {
            if let Some(x) = self.ranged(t, key.name, key.kind.integer(), key.kind.range()) {
                (key.set)(out, x);
            }
        }
    }

    fn patterns(&mut self, v: &Value<'_>, what: &str) -> Vec<Pattern> {
        let mut out = Vec::new();
        let Some(items) = self.expect_array(v, what) else {
            return out;
        };
        if items.is_empty() {
            self.err(
                v.span(),
                format!("{what} is empty"),
                Some(
                    "list module globs such as \"shop::billing::**\" or \"src/billing/**\""
                        .to_owned(),
                ),
            );
        }
        for item in items {
            let Some(glob) = self.expect_string(item, &format!("an entry of {what}")) else {
                continue;
            };
            if glob.chars().any(char::is_whitespace) {
                self.err(
                    item.span(),
                    format!("the glob \"{glob}\" contains whitespace"),
                    None,
                );
                continue;
            }
            if glob.contains("***") {
                self.err(
                    item.span(),
                    format!("the glob \"{glob}\" has `***`"),
                    Some("use `**` to match any number of segments".to_owned()),
                );
                continue;
            }
            out.push(Pattern {
                glob,
                pos: self.span_pos(item.span()),
            });
        }
        out
    }

    fn contexts(&mut self, v: &Value<'_>, settings: &mut CheckSettings) {
        let Some(items) = self.expect_array(v, "`contexts`") else {
            return;
        };
        for item in items {
            let Some(t) = self.expect_table(item, "an entry of `[[contexts]]`") else {
                continue;
            };
            self.unknown_keys(t, CONTEXT_KEYS, "`[[contexts]]`");
            let name = match t.get("name") {
                Some(n) => self
                    .expect_string(n, "`name`")
                    .map(|s| (s, self.span_pos(n.span()))),
                None => {
                    self.err(
                        item.span(),
                        "a context has no `name`",
                        Some("add `name = \"billing\"`".to_owned()),
                    );
                    None
                }
            };
            if let Some((n, _)) = &name
                && n.chars().any(char::is_whitespace)
            {
                let span = t.get("name").map_or(item.span(), Spanned::span);
                self.err(
                    span,
                    format!("the context name \"{n}\" contains whitespace"),
                    None,
                );
            }
            let modules = match t.get("modules") {
                Some(m) => self.patterns(m, "`modules`"),
                None => {
                    self.err(
                        item.span(),
                        "a context has no `modules`",
                        Some("add `modules = [\"crate::billing::**\"]`".to_owned()),
                    );
                    Vec::new()
                }
            };
            let max_instability = t.get("max_instability").and_then(|m| {
                let x = self.number(m, "`max_instability`", false)?;
                if (0.0..=1.0).contains(&x) {
                    Some(x)
                } else {
                    self.err(m.span(), "`max_instability` must be between 0 and 1", None);
                    None
                }
            });
            if let Some((name, pos)) = name {
                if let Some(first) = settings.contexts.iter().find(|c| c.name == name) {
                    let first = first.pos;
                    self.errors.push(ConfigError {
                        pos,
                        message: format!("the context `{name}` is declared twice"),
                        hint: Some(format!("it is first declared at line {}", first.line)),
                    });
                    continue;
                }
                settings.contexts.push(ContextDecl {
                    name,
                    pos,
                    modules,
                    max_instability,
                });
            }
        }
    }

    fn rules(&mut self, t: &DeTable<'_>, settings: &mut CheckSettings) {
        self.unknown_keys(t, RULES_KEYS, "`[rules]`");
        let names: Vec<String> = settings.contexts.iter().map(|c| c.name.clone()).collect();
        if let Some(v) = t.get("allow") {
            settings.rules.allow = self.allowances(v, "`rules.allow`", true, &names);
        }
        if let Some(v) = t.get("deny") {
            settings.rules.deny = self.allowances(v, "`rules.deny`", false, &names);
        }
        settings.rules.unlisted = if t.contains_key("allow") {
            Unlisted::Forbid
        } else {
            Unlisted::Allow
        };
        if let Some(v) = t.get("unlisted")
            && let Some(s) = self.expect_string(v, "`unlisted`")
        {
            match s.as_str() {
                "forbid" => settings.rules.unlisted = Unlisted::Forbid,
                "allow" => settings.rules.unlisted = Unlisted::Allow,
                other => {
                    let hint = did_you_mean(other, ["forbid", "allow"])
                        .map(|s| format!("did you mean `{s}`?"));
                    self.err(
                        v.span(),
                        format!("`unlisted` must be \"forbid\" or \"allow\", found \"{other}\""),
                        hint,
                    );
                }
            }
        }
        if let Some(v) = t.get("forbidden")
            && let Some(l) = self.level(v, "`forbidden`")
        {
            settings.rules.forbidden = l;
        }
        if let Some(v) = t.get("no_cycles") {
            settings.rules.no_cycles_pos = Some(self.span_pos(v.span()));
            let level = match v.get_ref() {
                DeValue::Boolean(true) => Some(Level::Error),
                DeValue::Boolean(false) => Some(Level::Off),
                _ => self.level(v, "`no_cycles`"),
            };
            if let Some(l) = level {
                settings.rules.no_cycles = Some(l);
            }
        }
        let r = &mut settings.rules;
        r.max_shared_models = self.threshold(t, "max_shared_models", true, 0.0..=f64::MAX);
        r.max_shared_tables = self.threshold(t, "max_shared_tables", true, 0.0..=f64::MAX);
        r.max_cross_context_dependencies =
            self.threshold(t, "max_cross_context_dependencies", true, 0.0..=f64::MAX);
        r.max_instability = self.threshold(t, "max_instability", false, 0.0..=1.0);
        r.min_modularity = self.threshold(t, "min_modularity", false, -0.5..=1.0);
    }

    fn threshold(
        &mut self,
        t: &DeTable<'_>,
        key: &str,
        integer: bool,
        range: std::ops::RangeInclusive<f64>,
    ) -> Option<Threshold> {
        let v = t.get(key)?;
        let pos = self.span_pos(v.span());
        let what = format!("`{key}`");
        let (value_v, level) = match v.get_ref() {
            DeValue::Table(inner) => {
                self.unknown_keys(inner, THRESHOLD_KEYS, &what);
                let level = match inner.get("severity") {
                    Some(s) => self.level(s, &format!("`{key}.severity`"))?,
                    None => Level::Error,
                };
                let Some(value) = inner.get("value") else {
                    self.err(
                        v.span(),
                        format!("{what} has no `value`"),
                        Some(format!(
                            "write `{key} = {{ value = ..., severity = \"error\" }}`"
                        )),
                    );
                    return None;
                };
                (value, level)
            }
            _ => (v, Level::Error),
        };
        let x = self.number(value_v, &format!("the value of {what}"), integer)?;
        if !range.contains(&x) {
            let (lo, hi) = (range.start(), range.end());
            let msg = if *hi == f64::MAX {
                format!("the value of {what} must be at least {lo}")
            } else {
                format!("the value of {what} must be between {lo} and {hi}")
            };
            self.err(value_v.span(), msg, None);
            return None;
        }
        Some(Threshold {
            value: x,
            level,
            pos,
        })
    }

    fn allowances(
        &mut self,
        v: &Value<'_>,
        what: &str,
        need_reason: bool,
        names: &[String],
    ) -> Vec<Allowance> {
        let mut out = Vec::new();
        let Some(items) = self.expect_array(v, what) else {
            return out;
        };
        for item in items {
            let Some(t) = self.expect_table(item, &format!("an entry of {what}")) else {
                continue;
            };
            self.unknown_keys(t, ALLOW_KEYS, &format!("an entry of {what}"));
            let side = |cx: &mut Self, key: &str| -> Option<String> {
                let Some(v) = t.get(key) else {
                    cx.err(
                        item.span(),
                        format!("an entry of {what} has no `{key}`"),
                        Some(
                            "write `{ from = \"orders\", to = \"catalog\", reason = \"...\" }`"
                                .to_owned(),
                        ),
                    );
                    return None;
                };
                let name = cx.expect_string(v, &format!("`{key}`"))?;
                let is_glob = name.contains(['*', '?']);
                if !names.is_empty() && !is_glob && !names.contains(&name) {
                    let hint = match did_you_mean(&name, names.iter().map(String::as_str)) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("declared contexts: {}", names.join(", ")),
                    };
                    cx.err(
                        v.span(),
                        format!("no context is named `{name}`"),
                        Some(hint),
                    );
                    return None;
                }
                Some(name)
            };
            let from = side(self, "from");
            let to = side(self, "to");
            let reason = match t.get("reason") {
                Some(r) => self.expect_string(r, "`reason`"),
                None if need_reason => {
                    self.err(item.span(), format!("an entry of {what} has no `reason`"), Some("every allowed dependency between contexts needs a `reason = \"...\"` saying why it is acceptable".to_owned()));
                    None
                }
                None => Some(String::new()),
            };
            if let (Some(from), Some(to), Some(reason)) = (from, to, reason) {
                out.push(Allowance {
                    from,
                    to,
                    reason,
                    pos: self.span_pos(item.span()),
                });
            }
        }
        out
    }

    fn clustering(&mut self, t: &DeTable<'_>, out: &mut ClusterSettings) {
        self.unknown_keys(t, CLUSTERING_KEYS, "`[clustering]`");
        for (key, slot) in [
            ("contexts", &mut out.contexts),
            ("min_context_size", &mut out.min_context_size),
        ] {
            if let Some(v) = t.get(key)
                && let Some(x) = self.number(v, &format!("`{key}`"), true)
            {
                if x < 0.0 || (key == "contexts" && x < 1.0) {
                    self.err(
                        v.span(),
                        format!(
                            "`{key}` must be at least {}",
                            if key == "contexts" { 1 } else { 0 }
                        ),
                        None,
                    );
                } else {
                    *slot = Some(x as usize);
                }
            }
        }
        if let Some(v) = t.get("pins")
            && let Some(items) = self.expect_array(v, "`pins`")
        {
            for item in items {
                let Some(p) = self.expect_table(item, "an entry of `pins`") else {
                    continue;
                };
                self.unknown_keys(p, PIN_KEYS, "an entry of `pins`");
                let glob = p.get("glob").and_then(|g| self.expect_string(g, "`glob`"));
                let context = p
                    .get("context")
                    .and_then(|c| self.expect_string(c, "`context`"));
                match (glob, context) {
                    (Some(g), Some(c)) => out.pins.push((g, c)),
                    _ if !p.contains_key("glob") || !p.contains_key("context") => self.err(
                        item.span(),
                        "a pin needs `glob` and `context`",
                        Some(
                            "write `{ glob = \"shop::billing::**\", context = \"billing\" }`"
                                .to_owned(),
                        ),
                    ),
                    _ => {}
                }
            }
        }
        if let Some(v) = t.get("weights")
            && let Some(w) = self.expect_table(v, "`clustering.weights`")
        {
            self.weights(w, &mut out.weights);
        }
        for (key, slot) in [("together", &mut out.together), ("apart", &mut out.apart)] {
            let Some(v) = t.get(key) else { continue };
            let Some(items) = self.expect_array(v, &format!("`{key}`")) else {
                continue;
            };
            for item in items {
                let pair = match item.get_ref() {
                    DeValue::Array(a) if a.len() == 2 => {
                        let a0 = self.expect_string(&a[0], "a glob");
                        let a1 = self.expect_string(&a[1], "a glob");
                        a0.zip(a1)
                    }
                    _ => {
                        self.err(
                            item.span(),
                            format!("an entry of `{key}` must be a pair of globs"),
                            Some(format!(
                                "write `{key} = [[\"shop::a::**\", \"shop::b::**\"]]`"
                            )),
                        );
                        None
                    }
                };
                if let Some(p) = pair {
                    slot.push(p);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> String {
        Settings::parse(text, "seamline.toml")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_full_config_is_read_with_positions() {
        let text = r#"
[[contexts]]
name = "billing"
modules = ["shop::billing::**", "src/**/billing*.rs"]
max_instability = 0.5

[[contexts]]
name = "orders"
modules = ["shop::orders::**"]

[kernel]
modules = ["shop::util::**"]

[rules]
allow = [{ from = "orders", to = "billing", reason = "orders are paid" }]
no_cycles = "warning"
max_shared_models = { value = 3, severity = "warning" }
max_shared_tables = 2
min_modularity = 0.25

[clustering]
contexts = 4
pins = [{ glob = "shop::billing::**", context = "billing" }]
together = [["shop::a", "shop::b"]]
"#;
        let s = Settings::parse(text, "seamline.toml").unwrap();
        assert_eq!(s.check.contexts.len(), 2);
        assert_eq!(s.check.contexts[0].name, "billing");
        assert_eq!(s.check.contexts[0].pos, Pos { line: 3, col: 8 });
        assert_eq!(s.check.contexts[0].modules[1].glob, "src/**/billing*.rs");
        assert_eq!(s.check.contexts[0].modules[1].pos, Pos { line: 4, col: 33 });
        assert_eq!(s.check.contexts[0].max_instability, Some(0.5));
        assert_eq!(s.check.kernel[0].glob, "shop::util::**");
        assert_eq!(s.check.rules.unlisted, Unlisted::Forbid);
        assert_eq!(s.check.rules.allow[0].reason, "orders are paid");
        assert_eq!(s.check.rules.allow[0].pos.line, 15);
        assert_eq!(s.check.rules.no_cycles, Some(Level::Warning));
        let m = s.check.rules.max_shared_models.unwrap();
        assert_eq!((m.value, m.level, m.pos.line), (3.0, Level::Warning, 17));
        assert_eq!(s.check.rules.max_shared_tables.unwrap().level, Level::Error);
        assert_eq!(s.check.rules.min_modularity.unwrap().value, 0.25);
        assert_eq!(s.cluster.contexts, Some(4));
        assert_eq!(
            s.cluster.pins,
            vec![("shop::billing::**".to_owned(), "billing".to_owned())]
        );
        assert_eq!(s.cluster.together.len(), 1);
    }

    #[test]
    fn unknown_keys_are_errors_with_a_suggestion() {
        let e = errors("[rules]\nmax_shared_model = 3\n");
        assert_eq!(
            e,
            "seamline.toml:2:1: unknown key `max_shared_model` in `[rules]`\n  = help: did you mean `max_shared_models`?"
        );
        let e = errors("[rulez]\n");
        assert!(
            e.starts_with("seamline.toml:1:2: unknown key `rulez` in seamline.toml"),
            "{e}"
        );
        assert!(e.contains("did you mean `rules`?"), "{e}");
    }

    #[test]
    fn bad_values_are_errors_at_the_value() {
        let e = errors("[rules]\nno_cycles = \"eror\"\n");
        assert!(
            e.starts_with("seamline.toml:2:13: `no_cycles` must be"),
            "{e}"
        );
        assert!(e.contains("did you mean `error`?"), "{e}");
        let e = errors("[rules]\nmax_instability = { value = 1.5 }\n");
        assert!(
            e.starts_with(
                "seamline.toml:2:29: the value of `max_instability` must be between 0 and 1"
            ),
            "{e}"
        );
        let e = errors("[rules]\nmax_shared_tables = \"two\"\n");
        assert!(e.contains("must be an integer, found a string"), "{e}");
    }

    #[test]
    fn every_allowance_needs_a_reason_and_a_known_context() {
        let text = "[[contexts]]\nname = \"billing\"\nmodules = [\"a\"]\n[[contexts]]\nname = \"orders\"\nmodules = [\"b\"]\n[rules]\nallow = [{ from = \"order\", to = \"billing\" }]\n";
        let e = errors(text);
        assert!(
            e.contains("seamline.toml:8:10: an entry of `rules.allow` has no `reason`"),
            "{e}"
        );
        assert!(
            e.contains(
                "seamline.toml:8:19: no context is named `order`\n  = help: did you mean `orders`?"
            ),
            "{e}"
        );
    }

    #[test]
    fn weights_and_plan_thresholds_are_read_and_applied() {
        let text = "[clustering]\ncontexts = 3\n[clustering.weights]\nimport = 0\ntable = 8.5\nhistory = 1\n[plan]\nkeep_below_code_lines = 1000\nmin_modularity = -0.2\nmax_cycle_share = 0.5\nhot_read_count = 4\n";
        let s = Settings::parse(text, "seamline.toml").unwrap();
        assert_eq!(s.cluster.weights.import, Some(0.0));
        assert_eq!(s.cluster.weights.call, None);
        let mut options =
            seamline_cluster::contexts::ContextOptions::standard(seamline_graph::Granularity::Item);
        s.cluster.apply(&mut options);
        let w = options.graph.weights;
        assert_eq!(
            (w.import, w.type_, w.call, w.impl_, w.table),
            (0.0, 2.0, 3.0, 3.0, 8.5)
        );
        assert_eq!(options.graph.history_weight, 1.0);
        assert_eq!(options.target_contexts, Some(3));
        assert_eq!(s.plan.keep_below_code_lines, 1000);
        assert_eq!(s.plan.min_modularity, -0.2);
        assert_eq!(s.plan.max_cycle_share, 0.5);
        assert_eq!(s.plan.hot_read_count, 4);
        assert_eq!(
            s.plan.min_contexts,
            Thresholds::recommended().min_contexts,
            "unset keys keep the recommended value"
        );
    }

    #[test]
    fn bad_weights_and_thresholds_are_errors_with_a_hint() {
        let e = errors("[clustering.weights]\ncall = -1\nimprt = 2\n");
        assert!(
            e.contains("seamline.toml:2:8: `call` must be at least 0"),
            "{e}"
        );
        assert!(
            e.contains("seamline.toml:3:1: unknown key `imprt` in `[clustering.weights]`\n  = help: did you mean `import`?"),
            "{e}"
        );
        let e = errors(
            "[plan]\nmax_cycle_share = 1.5\nkeep_below_code_line = 10\nmin_contexts = 2.5\n",
        );
        assert!(
            e.contains("seamline.toml:2:19: `max_cycle_share` must be between 0 and 1"),
            "{e}"
        );
        assert!(
            e.contains("seamline.toml:3:1: unknown key `keep_below_code_line` in `[plan]`\n  = help: did you mean `keep_below_code_lines`?"),
            "{e}"
        );
        assert!(
            e.contains("seamline.toml:4:16: `min_contexts` must be an integer, found a float"),
            "{e}"
        );
        let e = errors(
            "[plan]\nmin_real_context_share = 1.5\nmax_team_authors = -1\nmin_distinct_owner = 2\n",
        );
        assert!(
            e.contains("seamline.toml:2:26: `min_real_context_share` must be between 0 and 1"),
            "{e}"
        );
        assert!(
            e.contains("seamline.toml:3:20: `max_team_authors` must be between 0 and 4294967295"),
            "{e}"
        );
        assert!(
            e.contains("seamline.toml:4:1: unknown key `min_distinct_owner` in `[plan]`\n  = help: did you mean `min_distinct_owners`?"),
            "{e}"
        );
        let e = errors("[clustering]\nweights = 3\n");
        assert!(e.contains("`clustering.weights` must be a table"), "{e}");
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let e = errors("[rules\n");
        assert!(e.starts_with("seamline.toml:1:"), "{e}");
        assert!(e.contains("invalid TOML"), "{e}");
    }

    #[test]
    fn duplicate_contexts_and_missing_keys_are_reported_together() {
        let text = "[[contexts]]\nname = \"a\"\nmodules = [\"x\"]\n[[contexts]]\nname = \"a\"\nmodules = [\"y\"]\n[[contexts]]\nmodules = [\"z\"]\n";
        let e = Settings::parse(text, "seamline.toml").unwrap_err();
        let msgs: Vec<&str> = e.errors.iter().map(|e| e.message.as_str()).collect();
        assert!(
            msgs.contains(&"the context `a` is declared twice"),
            "{msgs:?}"
        );
        assert!(msgs.contains(&"a context has no `name`"), "{msgs:?}");
    }
}

#[cfg(test)]
mod suggestion_tests {
    use super::did_you_mean;

    #[test]
    fn typos_get_a_suggestion_and_unrelated_words_do_not() {
        let keys = ["max_shared_models", "max_shared_tables", "no_cycles"];
        assert_eq!(
            did_you_mean("max_shared_model", keys),
            Some("max_shared_models")
        );
        assert_eq!(did_you_mean("no_cycle", keys), Some("no_cycles"));
        assert_eq!(did_you_mean("colour", keys), None);
    }
}
