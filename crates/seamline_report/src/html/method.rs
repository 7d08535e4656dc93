//! The method section (`<section id="method">` of `templates/index.html`): the quality
//! metrics of the partition, how it was found, the verdict's thresholds and the glossary.

use seamline_ir::format::thousands;
use seamline_plan::Plan;

/// The method section.
pub(super) struct MethodV {
    pub(super) quality: Vec<Quality>,
    pub(super) provenance: String,
    pub(super) thresholds: Vec<(String, String)>,
    pub(super) glossary: Vec<Term>,
}

/// A quality metric: its value, name and which way is better.
pub(super) struct Quality {
    pub(super) value: String,
    pub(super) label: &'static str,
    pub(super) hint: &'static str,
}

pub(super) struct Term {
    pub(super) name: &'static str,
    pub(super) formula: &'static str,
    pub(super) meaning: &'static str,
}

pub(super) fn section(plan: &Plan) -> MethodV {
    let c = &plan.clustering;
    let q = |value: String, label: &'static str, hint: &'static str| Quality { value, label, hint };
    let quality = vec![
        q(
            format!("{:.2}", plan.numbers.modularity),
            "Modularity Q",
            "higher is better",
        ),
        q(
            format!("{:.2}", c.structural_modularity),
            "Structural modularity SM",
            "higher is better",
        ),
        q(
            format!("{:.0}%", c.inter_call_percentage * 100.0),
            "Inter-call percentage ICP",
            "lower is better",
        ),
        q(
            format!("{:.1}", c.interface_number),
            "Interface number IFN",
            "lower is better",
        ),
        q(
            format!("{:.0}%", c.non_extreme_distribution * 100.0),
            "Non-extreme distribution NED",
            "lower is better",
        ),
    ];
    let p = &c.provenance;
    let provenance = format!(
        "{} granularity; {} (resolution {:.2}, seed {}), best of {} runs.",
        p.granularity.as_str(),
        p.algorithm,
        p.resolution,
        p.seed,
        p.runs
    );
    let mut glossary = glossary();
    if plan.history.is_some() {
        glossary.extend(history_glossary());
    }
    MethodV {
        quality,
        provenance,
        thresholds: thresholds(plan),
        glossary,
    }
}

/// The verdict's thresholds as label and value; the history ones only with `--history`.
fn thresholds(plan: &Plan) -> Vec<(String, String)> {
    let t = &plan.thresholds;
    let mut thresholds = vec![
        (
            "Keep the monolith below".to_owned(),
            format!("{} lines of code", thousands(t.keep_below_code_lines)),
        ),
        (
            "Keep the monolith with fewer than".to_owned(),
            format!("{} contexts", t.min_contexts),
        ),
        (
            "Over-fragmented below".to_owned(),
            format!(
                "{} lines per context on average",
                thousands(t.min_mean_context_lines)
            ),
        ),
        (
            "Modularise first below modularity".to_owned(),
            format!("{:.2}", t.min_modularity),
        ),
        (
            "… or with contexts in cycles above".to_owned(),
            format!("{:.0}%", t.max_cycle_share * 100.0),
        ),
        (
            "… or with shared tables above".to_owned(),
            format!("{:.0}%", t.max_shared_table_share * 100.0),
        ),
        (
            "… or with shared models above".to_owned(),
            format!("{:.0}%", t.max_shared_model_share * 100.0),
        ),
        (
            "Replicate a table by events from".to_owned(),
            format!("{} reads", t.hot_read_count),
        ),
    ];
    if plan.history.is_some() {
        thresholds.extend([
            (
                "Not independently deployable from".to_owned(),
                format!(
                    "degree {:.2} over {} shared commits",
                    t.coupled_min_degree, t.coupled_min_shared_commits
                ),
            ),
            (
                "Distinct owner from".to_owned(),
                format!("{:.0}% of the commits", t.distinct_owner_share * 100.0),
            ),
            (
                "History discount on the seam cost, at most".to_owned(),
                format!("{:.0}%", t.history_discount * 100.0),
            ),
        ]);
    }
    thresholds
}

fn history_glossary() -> [Term; 3] {
    [
        Term {
            name: "Hotspot",
            formula: "score = (commits / max commits) × (lines of code / max lines of code)",
            meaning: "Tornhill (Your Code as a Crime Scene; CodeScene): code that is both large and changed often is where the cost of change concentrates. A hotspot split across services gets slower to change, not faster.",
        },
        Term {
            name: "Degree of change coupling",
            formula: "degree = shared commits / ((commits of a + commits of b) / 2)",
            meaning: "How often two modules change in the same commit (code-maat, CodeScene). Across contexts it is the hidden coupling static analysis cannot see: a shared format, a protocol, duplicated rules.",
        },
        Term {
            name: "Ranked seam cost (with history)",
            formula: "ranked = cost × (1 − d/2 × change rate − d/2 × [distinct owner])",
            meaning: "The extraction order prefers contexts that change often and have their own main author (d is the largest discount): extracting them first pays off soonest and needs the fewest people to coordinate.",
        },
    ]
}

fn glossary() -> Vec<Term> {
    vec![
        Term {
            name: "Modularity Q",
            formula: "Q = Σ_c [ L_c / m − (d_c / 2m)² ]",
            meaning: "Newman–Girvan modularity (γ = 1) of the partition on the weighted dependency graph, shared kernel left out: L_c is the weight inside context c, d_c the total degree of its nodes, m the total weight. Above 0.3 the graph has a significant community structure.",
        },
        Term {
            name: "Structural modularity SM",
            formula: "SM = (1/K) Σ_i μ_i / N_i² − (1 / (K(K−1)/2)) Σ_{i<j} σ_ij / (2 N_i N_j)",
            meaning: "Jin et al. 2019, as in the Mono2Micro replication: mean cohesion of the K contexts (μ_i internal edges over N_i nodes) minus their mean pairwise coupling (σ_ij edges between i and j). Higher is better.",
        },
        Term {
            name: "Inter-call percentage ICP",
            formula: "ICP = call sites between contexts / all call sites between contexts' items",
            meaning: "Jin et al.; Mono2Micro: the share of calls that would cross the network after the split. Lower is better.",
        },
        Term {
            name: "Interface number IFN",
            formula: "IFN = (1/K) Σ_c |interface_c|",
            meaning: "Jin et al.'s definition: the mean number of published interfaces per context, an interface being an item used from another context (the candidate endpoints). Lower is better.",
        },
        Term {
            name: "Non-extreme distribution NED",
            formula: "NED = items in contexts of extreme size / all items, extreme = outside 5..max(20, n/4)",
            meaning: "Jin et al. 2019: the share of the code in contexts that are too small or too large, size counted in owner items (types, free functions; methods count with their type). Lower is better.",
        },
        Term {
            name: "Instability I",
            formula: "I = Ce / (Ca + Ce)",
            meaning: "Martin: Ce counts the contexts this one depends on, Ca those depending on it. 0 is maximally stable (everyone depends on it), 1 maximally unstable.",
        },
        Term {
            name: "Cross-context reference",
            formula: "a reference or table access whose two ends are in different contexts",
            meaning: "Each one must be rewritten when the seam becomes a network boundary: a call, an event, an ID or a DTO. References to the shared kernel stay library calls.",
        },
        Term {
            name: "Seam cost",
            formula: "cost = 4 × synchronous call sites + notification sites + type sites (imports are free)",
            meaning: "How the extraction order ranks contexts: a synchronous call needs the other side to be up (timeouts, circuit breakers); a notification becomes an event; a type becomes an ID or a DTO.",
        },
        Term {
            name: "Shared model / shared table",
            formula: "used (or touched) by more than one context",
            meaning: "Each must end with one owner: others hold an ID and ask the owner, or keep a read model replicated by events.",
        },
    ]
}
