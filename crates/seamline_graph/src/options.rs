//! Options of the dependency graph: granularity, per-kind weights, count dampening and the
//! shared-kernel rule. No `Default`: callers pick [`GraphOptions::standard`] or spell it out.

use seamline_ir as ir;

/// What a node of the graph is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Granularity {
    /// One node per module (file-backed or inline).
    Module,
    /// One node per owner item: models, free functions, consts, statics, traits, macros,
    /// `table!` schemas. Methods and impl blocks are folded into their type
    /// ([`ir::Facts::owner_item`]).
    Item,
}

impl Granularity {
    /// `module` or `item`, as on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Module => "module",
            Granularity::Item => "item",
        }
    }
}

/// The weight of one reference of each kind, before dampening.
///
/// Standard values ([`KindWeights::standard`]): import 1, type 2, call 3, impl 3, table 4.
/// The order follows the strength of the evidence: a `use` only says a name is in scope;
/// a type in a signature or field ties data shapes together; a call or an `impl` ties
/// behaviour; touching the same table ties the data itself, the hardest thing to split.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KindWeights {
    /// `use` of an item.
    pub import: f64,
    /// The item appears in a type.
    pub type_: f64,
    /// The item is called, constructed or matched.
    pub call: f64,
    /// `impl Trait for Type`.
    pub impl_: f64,
    /// Two nodes touch the same table.
    pub table: f64,
}

impl KindWeights {
    /// import 1, type 2, call 3, impl 3, table 4.
    pub fn standard() -> Self {
        KindWeights {
            import: 1.0,
            type_: 2.0,
            call: 3.0,
            impl_: 3.0,
            table: 4.0,
        }
    }

    /// The weight of one kind.
    pub fn get(&self, kind: ir::DepKind) -> f64 {
        match kind {
            ir::DepKind::Import => self.import,
            ir::DepKind::Type => self.type_,
            ir::DepKind::Call => self.call,
            ir::DepKind::Impl => self.impl_,
            ir::DepKind::Table => self.table,
        }
    }
}

/// How the number of references of one kind between two nodes scales the kind's weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dampening {
    /// `w * (1 + ln(count))`: ten calls weigh about 3.3 times one call, so one chatty pair
    /// does not dominate the graph.
    Log,
    /// `w * count`.
    Linear,
    /// `w`, whatever the count.
    Binary,
}

impl Dampening {
    /// The dampened weight of `count` references of weight `w` (0 when `count` is 0).
    pub fn apply(self, w: f64, count: u32) -> f64 {
        if count == 0 {
            return 0.0;
        }
        match self {
            Dampening::Log => w * (1.0 + f64::from(count).ln()),
            Dampening::Linear => w * f64::from(count),
            Dampening::Binary => w,
        }
    }
}

/// The shared-kernel rule: which nodes are generic infrastructure (errors, config, utils)
/// to set aside rather than glue to one context.
///
/// A node is kernel when it is used from many modules spread over many areas (top-level
/// folders). Measured structure decides; a generic name only lowers the bar:
///
/// - `fan_in` = modules other than the node's own that reference it (any kind);
/// - `share` = `fan_in` / modules that reference anything outside themselves (minus the
///   node's own module);
/// - `areas` = distinct areas among those modules, where an area is the first module path
///   segment below the crate root (`shop::routes::orders` is in `shop::routes`);
/// - a node is kernel if `fan_in >= min_fan_in`, `share >= min_share` and
///   `areas >= min(min_areas, areas in the codebase)` (structure alone);
/// - a module with a segment of its path in `generic_names` is kernel as a whole (all its
///   nodes, at either granularity) if the same three quantities measured for the whole
///   module reach `named_min_fan_in`, `named_min_share` and `named_min_areas`: the name lowers the
///   bar, the structure still decides;
/// - the data layer ([`crate::DataLayer`]: `table!` schemas, models mapped to a table or with
///   an `id`, code that reads or writes a table, and at module granularity the modules holding
///   them) is never kernel: a model many contexts use is a shared model, not infrastructure.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelOptions {
    /// Whether to detect a kernel at all.
    pub enabled: bool,
    /// Whether modules without items of their own (only `mod` and `use` declarations:
    /// `lib.rs`, most `mod.rs`) are plumbing set aside with the kernel. At module granularity
    /// they are kernel nodes; at item granularity they have no node and are listed by
    /// [`crate::DepGraph::plumbing_modules`].
    pub plumbing: bool,
    /// Minimum number of distinct depending modules.
    pub min_fan_in: usize,
    /// Minimum share of depending modules (structural rule).
    pub min_share: f64,
    /// Minimum number of distinct areas (structural rule).
    pub min_areas: usize,
    /// Minimum number of distinct depending modules for generically named modules.
    pub named_min_fan_in: usize,
    /// Minimum share of depending modules for generically named modules.
    pub named_min_share: f64,
    /// Minimum number of distinct areas for generically named modules.
    pub named_min_areas: usize,
    /// Module names that suggest infrastructure (compared with each path segment below the
    /// crate root, lowercase).
    pub generic_names: Vec<String>,
}

impl KernelOptions {
    /// The standard rule: fan-in of at least 3 modules; 70% of modules across 3 areas, or
    /// 2 modules and 5% of modules for modules named error(s), config, util(s), prelude, db,
    /// telemetry, logging, macros, state. (`common`, `shared` and `helpers` are not in the
    /// list: in tangled codebases they often hold domain types and rules.)
    pub fn standard() -> Self {
        KernelOptions {
            enabled: true,
            plumbing: true,
            min_fan_in: 3,
            min_share: 0.7,
            min_areas: 3,
            named_min_fan_in: 2,
            named_min_share: 0.05,
            named_min_areas: 1,
            generic_names: [
                "error",
                "errors",
                "config",
                "util",
                "utils",
                "prelude",
                "db",
                "telemetry",
                "logging",
                "macros",
                "state",
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        }
    }

    /// No kernel detection.
    pub fn disabled() -> Self {
        KernelOptions {
            enabled: false,
            plumbing: false,
            ..KernelOptions::standard()
        }
    }
}

/// How to build a [`crate::DepGraph`].
#[derive(Debug, Clone, PartialEq)]
pub struct GraphOptions {
    /// Module or item nodes.
    pub granularity: Granularity,
    /// Per-kind weights.
    pub weights: KindWeights,
    /// Count dampening.
    pub dampening: Dampening,
    /// The shared-kernel rule.
    pub kernel: KernelOptions,
    /// Extra undirected, weighted edges between modules that do not come from the code:
    /// change coupling read from version control (`--history`), `(a, b, w)` with `w` in
    /// `[0, 1]` (the caller's normalised coupling, e.g. CodeScene's degree of coupling).
    /// They take part in clustering only ([`crate::DepGraph::cluster_graph_with_history_of`]
    /// and the objective): never in the directed graph, cycles, the kernel rule or the
    /// structural metrics (cohesion, coupling, Q, SM, ICP), which describe the code as it
    /// is. Pairs naming the same module twice, unknown modules, or weights that are not
    /// finite and positive are ignored. Empty by default.
    pub co_change: Vec<(ir::ModuleId, ir::ModuleId, f64)>,
    /// The weight of a `co_change` edge of `w = 1` between two modules, on the scale of
    /// [`KindWeights`] (a call weighs 3). At item granularity it is spread evenly over the
    /// item pairs of the two modules, so the total between them does not depend on how
    /// many items they hold. Standard: [`GraphOptions::STANDARD_HISTORY_WEIGHT`].
    pub history_weight: f64,
}

impl GraphOptions {
    /// The standard [`GraphOptions::history_weight`].
    pub const STANDARD_HISTORY_WEIGHT: f64 = 3.0;

    /// Standard weights, log dampening, the standard kernel rule.
    pub fn standard(granularity: Granularity) -> Self {
        GraphOptions {
            granularity,
            weights: KindWeights::standard(),
            dampening: Dampening::Log,
            kernel: KernelOptions::standard(),
            co_change: Vec::new(),
            history_weight: Self::STANDARD_HISTORY_WEIGHT,
        }
    }
}
