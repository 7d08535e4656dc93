//! Accuracy against a ground truth (`seamline eval --truth FILE`): the naive baselines the
//! literature compares with (top-level folder = context; connected components) and
//! [`evaluate`], which scores a proposal's items and modules with ARI, NMI and MoJoFM, and
//! the shared kernel separately with precision and recall.

use std::collections::{BTreeMap, BTreeSet};

use seamline_graph::{DepGraph, Granularity, GraphOptions, KernelOptions, NodeId};
use seamline_ir as ir;

use super::{Method, Proposal, Provenance, measure, naming};

/// A ground-truth labelling, parsed by the caller from the `fixtures/shop/expected.json`
/// shape: `{"labels": {"src/x.rs": "billing"}, "items": {"src/models/mixed.rs":
/// {"Invoice": "billing"}}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truth {
    /// File path (relative to the analysed root) -> context label.
    pub labels: BTreeMap<String, String>,
    /// File path -> item name -> label, overriding the file's label for that item (and its
    /// methods and impls).
    pub items: BTreeMap<String, BTreeMap<String, String>>,
}

impl Truth {
    /// Labels that mean "shared kernel" rather than a context (compared lowercase).
    pub const KERNEL_LABELS: &'static [&'static str] =
        &["kernel", "shared", "shared-kernel", "shared_kernel"];

    /// Whether a label marks the shared kernel.
    pub fn is_kernel(label: &str) -> bool {
        Self::KERNEL_LABELS.contains(&label.to_lowercase().as_str())
    }

    /// The true label of an item: its own entry, else its file's.
    pub fn item_label(&self, file: &str, item_name: &str) -> Option<&str> {
        self.items
            .get(file)
            .and_then(|m| m.get(item_name))
            .or_else(|| self.labels.get(file))
            .map(String::as_str)
    }
}

/// Agreement of a proposal with the truth on one set of elements (kernel elements of the
/// truth left out; elements the proposal put in the kernel count as one extra cluster).
#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    /// Elements scored.
    pub n: usize,
    /// Adjusted Rand index (Hubert & Arabie 1985), -1..1.
    pub ari: f64,
    /// Normalised mutual information, 0..1.
    pub nmi: f64,
    /// MoJoFM of the proposal against the truth (Wen & Tzerpos 2004), 0..100.
    pub mojofm: f64,
    /// Purity, 0..1: the share of elements that belong to the true label most common in
    /// their proposed cluster (Manning, Raghavan & Schütze, "Introduction to Information
    /// Retrieval", 2008, §16.3). 1 when no proposed cluster mixes true labels, however
    /// finely the truth is split: read it with NMI, which punishes splitting.
    pub purity: f64,
    /// Inverse purity, 0..1: the same with the roles swapped, the share of elements in the
    /// proposed cluster most common within their true label. 1 when no true label is split.
    pub inverse_purity: f64,
}

/// How well the shared kernel was found.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelScore {
    /// Elements the truth puts in the kernel.
    pub truth: usize,
    /// Elements the proposal puts in the kernel (among those the truth labels).
    pub predicted: usize,
    /// Elements in both.
    pub correct: usize,
    /// `correct / predicted` (1 when both are empty, 0 when only the truth has some).
    pub precision: f64,
    /// `correct / truth` (1 when the truth has none).
    pub recall: f64,
}

/// The result of [`evaluate`].
#[derive(Debug, Clone, PartialEq)]
pub struct EvalReport {
    /// Over owner items (models, free functions, ...; methods follow their type).
    pub items: Agreement,
    /// Over file-backed modules whose file the truth labels.
    pub modules: Agreement,
    /// Kernel detection over owner items.
    pub kernel_items: KernelScore,
    /// Kernel detection over file-backed modules.
    pub kernel_modules: KernelScore,
    /// Owner items whose file the truth does not mention (left out).
    pub unlabelled_items: usize,
}

impl EvalReport {
    /// One line per measure, for `seamline eval` and snapshots:
    /// `items n=316 ARI 0.869 NMI 0.864 MoJoFM 92.6 purity .. inverse ..`, `modules ...`, `kernel items P R`,
    /// `kernel modules P R`, `unlabelled items N`.
    pub fn dump(&self) -> String {
        let agreement = |what: &str, a: &Agreement| {
            format!(
                "{what} n={} ARI {:.3} NMI {:.3} MoJoFM {:.1} purity {:.3} inverse {:.3}\n",
                a.n, a.ari, a.nmi, a.mojofm, a.purity, a.inverse_purity
            )
        };
        let kernel = |what: &str, k: &KernelScore| {
            format!(
                "{what} truth={} predicted={} correct={} precision {:.2} recall {:.2}\n",
                k.truth, k.predicted, k.correct, k.precision, k.recall
            )
        };
        let mut out = agreement("items", &self.items);
        out += &agreement("modules", &self.modules);
        out += &kernel("kernel items", &self.kernel_items);
        out += &kernel("kernel modules", &self.kernel_modules);
        out += &format!("unlabelled items {}\n", self.unlabelled_items);
        out
    }
}

/// The label the proposal gives elements it put in the kernel.
const PREDICTED_KERNEL: &str = "<kernel>";

/// Scores `proposal` against `truth`.
pub fn evaluate(facts: &ir::Facts, proposal: &Proposal, truth: &Truth) -> EvalReport {
    let name_of = |c: Option<super::ContextId>| -> String {
        c.and_then(|c| proposal.contexts.get(c.index()))
            .map(|c| c.name.clone())
            .unwrap_or_else(|| PREDICTED_KERNEL.to_owned())
    };
    let file_of_module = |m: ir::ModuleId| -> &str {
        facts
            .modules
            .get(m.index())
            .and_then(|m| facts.files.get(m.file.index()))
            .map(|f| f.path.as_str())
            .unwrap_or("")
    };
    let mut item_pairs: Vec<(String, String)> = Vec::new();
    let mut kernel_items = KernelCount::default();
    let mut unlabelled_items = 0;
    for item in &facts.items {
        if facts.owner_item(item.id) != item.id {
            continue;
        }
        let Some(label) = truth.item_label(file_of_module(item.module), &item.name) else {
            unlabelled_items += 1;
            continue;
        };
        let predicted = proposal
            .map
            .item_context
            .get(item.id.index())
            .copied()
            .flatten();
        kernel_items.add(Truth::is_kernel(label), predicted.is_none());
        if !Truth::is_kernel(label) {
            item_pairs.push((label.to_owned(), name_of(predicted)));
        }
    }
    let kernel_set: BTreeSet<ir::ModuleId> = proposal.kernel_modules.iter().copied().collect();
    let mut module_pairs: Vec<(String, String)> = Vec::new();
    let mut kernel_modules = KernelCount::default();
    for module in &facts.modules {
        if module.inline {
            continue;
        }
        let Some(label) = truth.labels.get(file_of_module(module.id)) else {
            continue;
        };
        let is_kernel = kernel_set.contains(&module.id);
        kernel_modules.add(Truth::is_kernel(label), is_kernel);
        if !Truth::is_kernel(label) {
            let predicted = if is_kernel {
                None
            } else {
                proposal
                    .map
                    .module_context
                    .get(module.id.index())
                    .copied()
                    .flatten()
            };
            module_pairs.push((label.clone(), name_of(predicted)));
        }
    }
    EvalReport {
        items: agreement(&item_pairs),
        modules: agreement(&module_pairs),
        kernel_items: kernel_items.score(),
        kernel_modules: kernel_modules.score(),
        unlabelled_items,
    }
}

#[derive(Default)]
struct KernelCount {
    truth: usize,
    predicted: usize,
    correct: usize,
}

impl KernelCount {
    fn add(&mut self, truth: bool, predicted: bool) {
        self.truth += usize::from(truth);
        self.predicted += usize::from(predicted);
        self.correct += usize::from(truth && predicted);
    }

    fn score(&self) -> KernelScore {
        let ratio = |num: usize, den: usize, empty: f64| {
            if den == 0 {
                empty
            } else {
                num as f64 / den as f64
            }
        };
        KernelScore {
            truth: self.truth,
            predicted: self.predicted,
            correct: self.correct,
            precision: ratio(
                self.correct,
                self.predicted,
                if self.truth == 0 { 1.0 } else { 0.0 },
            ),
            recall: ratio(self.correct, self.truth, 1.0),
        }
    }
}

fn agreement(pairs: &[(String, String)]) -> Agreement {
    let truth: Vec<&str> = pairs.iter().map(|p| p.0.as_str()).collect();
    let predicted: Vec<&str> = pairs.iter().map(|p| p.1.as_str()).collect();
    let t = crate::eval::labels_from_strings(&truth);
    let p = crate::eval::labels_from_strings(&predicted);
    Agreement {
        n: pairs.len(),
        ari: crate::adjusted_rand_index(&p, &t),
        nmi: crate::normalized_mutual_information(&p, &t),
        mojofm: crate::mojofm(&p, &t),
        purity: purity(&p, &t),
        inverse_purity: purity(&t, &p),
    }
}

/// The share of elements whose `of` label is the most common one within their `within`
/// cluster (1 for no element).
fn purity(within: &[u32], of: &[u32]) -> f64 {
    if within.is_empty() {
        return 1.0;
    }
    let mut counts: BTreeMap<(u32, u32), usize> = BTreeMap::new();
    for (&w, &o) in within.iter().zip(of) {
        *counts.entry((w, o)).or_default() += 1;
    }
    let mut best: BTreeMap<u32, usize> = BTreeMap::new();
    for (&(w, _), &c) in &counts {
        let b = best.entry(w).or_default();
        *b = (*b).max(c);
    }
    best.values().sum::<usize>() as f64 / within.len() as f64
}

fn baseline_graph(facts: &ir::Facts) -> DepGraph {
    DepGraph::build(
        facts,
        &GraphOptions {
            kernel: KernelOptions::disabled(),
            ..GraphOptions::standard(Granularity::Module)
        },
    )
}

fn baseline_proposal(
    facts: &ir::Facts,
    graph: &DepGraph,
    raw: &[u32],
    algorithm: Method,
    names: Option<Vec<String>>,
) -> Proposal {
    let labels = seamline_graph::Partition::from_labels(raw).labels;
    let k = labels.iter().map(|&l| l as usize + 1).max().unwrap_or(0);
    let mut members: Vec<Vec<NodeId>> = vec![Vec::new(); k];
    for (n, &l) in labels.iter().enumerate() {
        members[l as usize].push(NodeId(n as u32));
    }
    let names = match names {
        Some(n) => n,
        None => naming::name_contexts(facts, graph, &members, &vec![None; k]),
    };
    let node_label: Vec<Option<u32>> = labels.iter().map(|&l| Some(l)).collect();
    measure::build(
        facts,
        graph,
        &graph.cluster_graph(),
        &measure::Labelling {
            node_label: &node_label,
            names: &names,
            declared: &vec![false; k],
            endpoints: &super::shape::endpoints(facts),
            extra_kernel: &BTreeMap::new(),
            dead: &[],
        },
        Provenance {
            granularity: Granularity::Module,
            algorithm,
            resolution: 0.0,
            seed: 0,
            objective: 0.0,
            runs: 0,
        },
        Vec::new(),
    )
}

/// The folder baseline: every top-level folder (the first module path segment below the
/// crate root, [`seamline_graph::module_area`]) is a context, named after it; no kernel.
pub fn folder_baseline(facts: &ir::Facts) -> Proposal {
    let graph = baseline_graph(facts);
    let mut areas: BTreeMap<String, u32> = BTreeMap::new();
    let raw: Vec<u32> = graph
        .node_ids()
        .map(|n| {
            let module = graph.node(n).module;
            let area = facts
                .modules
                .get(module.index())
                .map(|m| seamline_graph::module_area(&m.path).to_owned())
                .unwrap_or_default();
            let next = areas.len() as u32;
            *areas.entry(area).or_insert(next)
        })
        .collect();
    // Names in first-appearance order, as `Partition::from_labels` numbers them.
    let mut by_label: Vec<(u32, String)> = areas.into_iter().map(|(a, l)| (l, a)).collect();
    by_label.sort();
    let mut taken = BTreeSet::new();
    let names: Vec<String> = by_label
        .into_iter()
        .map(|(_, area)| {
            let base = area.rsplit("::").next().unwrap_or(&area).to_owned();
            let name = (1..)
                .map(|i| {
                    if i == 1 {
                        base.clone()
                    } else {
                        format!("{base}-{i}")
                    }
                })
                .find(|n| !taken.contains(n))
                .unwrap_or(base);
            taken.insert(name.clone());
            name
        })
        .collect();
    baseline_proposal(facts, &graph, &raw, Method::FolderBaseline, Some(names))
}

/// The connected-components baseline: modules connected by any dependency (either
/// direction, tables included) form a context; no kernel.
pub fn components_baseline(facts: &ir::Facts) -> Proposal {
    let graph = baseline_graph(facts);
    let n = graph.node_count();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn find(parent: &mut [u32], x: u32) -> u32 {
        let mut r = x;
        while parent[r as usize] != r {
            r = parent[r as usize];
        }
        let mut c = x;
        while parent[c as usize] != r {
            let next = parent[c as usize];
            parent[c as usize] = r;
            c = next;
        }
        r
    }
    for (a, b, _) in graph.undirected_edges() {
        let (ra, rb) = (find(&mut parent, a.0), find(&mut parent, b.0));
        if ra != rb {
            parent[ra.max(rb) as usize] = ra.min(rb);
        }
    }
    let raw: Vec<u32> = (0..n as u32).map(|x| find(&mut parent, x)).collect();
    baseline_proposal(facts, &graph, &raw, Method::ComponentsBaseline, None)
}

#[cfg(test)]
mod tests {
    use super::purity;

    #[test]
    fn purity_rewards_clusters_that_mix_nothing_and_inverse_purity_whole_labels() {
        // Truth: two labels of 4. Proposal: the first label split in two, nothing mixed.
        let truth = [0, 0, 0, 0, 1, 1, 1, 1];
        let split = [0, 0, 1, 1, 2, 2, 2, 2];
        assert_eq!(purity(&split, &truth), 1.0);
        assert_eq!(purity(&truth, &split), 0.75);
        // One element of label 1 moved into the first cluster.
        let mixed = [0, 0, 0, 0, 0, 1, 1, 1];
        assert_eq!(purity(&mixed, &truth), 7.0 / 8.0);
        assert_eq!(purity(&[], &[]), 1.0);
    }
}
