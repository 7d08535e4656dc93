//! `seamline.toml` constraints on the clustering: pins (glob -> named context), `together`
//! and `apart`; and the refinement every candidate partition goes through (keep `apart`
//! things apart, merge fragments below the minimum size, merge down to the requested number
//! of contexts).
//!
//! Pins and `together` are applied before clustering by contracting the graph: nodes that
//! must share a context become one group node, so no algorithm can separate them; pinned
//! groups start in their pin's community and are fixed there (the ensemble's
//! `initial`/`fixed`), so pins double as seeds. `apart` is applied after clustering.

use std::collections::{BTreeMap, BTreeSet};

use seamline_graph::{ClusterGraph, DepGraph, NodeKey, WeightedGraph};
use seamline_ir as ir;

/// Constraints from `seamline.toml`. Globs match module paths (`shop::billing::*`), file
/// paths (`src/billing/**`) and, at item granularity, item paths
/// (`shop::models::Invoice`). `*` matches within one path segment (not across `/` or `::`),
/// `**` matches anything, `?` one character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraints {
    /// `(glob, context name)`: matching nodes go to the named context. The first matching pin
    /// wins.
    pub pins: Vec<(String, String)>,
    /// `(glob, glob)`: everything matching either side ends in one context.
    pub together: Vec<(String, String)>,
    /// `(glob, glob)`: nothing matching the left side shares a context with anything matching
    /// the right side.
    pub apart: Vec<(String, String)>,
}

impl Constraints {
    /// No constraints.
    pub fn none() -> Self {
        Constraints {
            pins: Vec::new(),
            together: Vec::new(),
            apart: Vec::new(),
        }
    }
}

/// Whether `text` matches `glob` (see [`Constraints`] for the syntax).
///
/// `check` asks this of every crossing reference against every `allow` entry, so it
/// allocates nothing in the common case (ASCII text under 256 characters).
pub fn glob_match(glob: &str, text: &str) -> bool {
    if !glob.contains(['*', '?']) {
        return glob == text;
    }
    if glob.is_ascii() && text.is_ascii() {
        return match_tokens(glob.as_bytes(), text.as_bytes());
    }
    let p: Vec<char> = glob.chars().collect();
    let t: Vec<char> = text.chars().collect();
    match_tokens(&p, &t)
}

/// The matcher of [`glob_match`] over bytes or chars: `dp[j]` says whether the pattern read
/// so far matches `t[..j]`, advanced one pattern token at a time.
fn match_tokens<T: Copy + Into<u32>>(p: &[T], t: &[T]) -> bool {
    const STACK: usize = 256;
    let is = |c: T, ch: char| c.into() == ch as u32;
    let n = t.len();
    let mut stack = [[false; STACK]; 2];
    let mut heap: Vec<bool>;
    let [a, b] = &mut stack;
    let (mut dp, mut next): (&mut [bool], &mut [bool]) = if n < STACK {
        (&mut a[..=n], &mut b[..=n])
    } else {
        heap = vec![false; 2 * (n + 1)];
        heap.split_at_mut(n + 1)
    };
    dp[0] = true;
    let mut i = 0;
    while i < p.len() {
        next.fill(false);
        if is(p[i], '*') {
            let double = i + 1 < p.len() && is(p[i + 1], '*');
            let mut reach = false;
            for j in 0..=n {
                if dp[j] {
                    reach = true;
                }
                next[j] = reach;
                if j < n && !double && (is(t[j], '/') || is(t[j], ':')) {
                    reach = false;
                }
            }
            i += if double { 2 } else { 1 };
        } else {
            for j in 0..n {
                if dp[j] && (is(p[i], '?') || p[i].into() == t[j].into()) {
                    next[j + 1] = true;
                }
            }
            i += 1;
        }
        std::mem::swap(&mut dp, &mut next);
    }
    dp[n]
}

/// Kernel nodes that a pin matches: the user's word wins over the kernel rule, so they are
/// clustered (into their pin's context) after all. Sorted.
pub(crate) fn pinned_kernel_nodes(
    facts: &ir::Facts,
    graph: &DepGraph,
    constraints: &Constraints,
) -> Vec<seamline_graph::NodeId> {
    graph
        .kernel_nodes()
        .into_iter()
        .filter(|&n| {
            let texts = node_texts(facts, graph, n);
            constraints
                .pins
                .iter()
                .any(|(glob, _)| texts.iter().any(|t| glob_match(glob, t)))
        })
        .collect()
}

/// The graph contracted by pins and `together`, ready for the ensemble.
#[derive(Debug, Clone)]
pub(crate) struct Groups {
    /// Cluster node -> group.
    pub node_group: Vec<u32>,
    /// Group -> cluster nodes, sorted.
    pub members: Vec<Vec<u32>>,
    /// Group -> index into `pin_names`.
    pub pin: Vec<Option<u32>>,
    /// Names of the pinned contexts, in pin order (deduplicated).
    pub pin_names: Vec<String>,
    /// Per `apart` rule: the groups on the left and on the right.
    pub apart: Vec<(BTreeSet<u32>, BTreeSet<u32>)>,
    /// The contracted graph (internal weight as self-loops, so modularity is unchanged).
    pub graph: WeightedGraph,
    /// Group size in items (owner items), the unit of `min_context_size`.
    pub size: Vec<u64>,
    /// Group -> module of its first node, and that module's area (numbered: groups of one
    /// area share the number), for placing isolated fragments.
    pub home: Vec<(ir::ModuleId, u32)>,
    /// Sentences about constraints that matched nothing or conflict.
    pub notes: Vec<String>,
}

fn node_texts<'a>(
    facts: &'a ir::Facts,
    graph: &'a DepGraph,
    node: seamline_graph::NodeId,
) -> Vec<&'a str> {
    let n = graph.node(node);
    let mut out = Vec::new();
    if let Some(m) = facts.modules.get(n.module.index()) {
        out.push(m.path.as_str());
        if let Some(f) = facts.files.get(m.file.index()) {
            out.push(f.path.as_str());
        }
    }
    if let NodeKey::Item(i) = n.key
        && let Some(it) = facts.items.get(i.index())
    {
        out.push(it.path.as_str());
    }
    out
}

struct UnionFind(Vec<u32>);

impl UnionFind {
    fn find(&mut self, x: u32) -> u32 {
        let mut root = x;
        while self.0[root as usize] != root {
            root = self.0[root as usize];
        }
        let mut cur = x;
        while self.0[cur as usize] != root {
            let next = self.0[cur as usize];
            self.0[cur as usize] = root;
            cur = next;
        }
        root
    }
    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        // The smaller root wins, so groups are numbered by their first node.
        if ra < rb {
            self.0[rb as usize] = ra;
        } else if rb < ra {
            self.0[ra as usize] = rb;
        }
    }
}

/// Contracts the cluster graph by pins and `together`.
pub(crate) fn contract(
    facts: &ir::Facts,
    graph: &DepGraph,
    cluster: &ClusterGraph,
    constraints: &Constraints,
) -> Groups {
    let n = cluster.nodes.len();
    let mut notes = Vec::new();
    let texts: Vec<Vec<&str>> = cluster
        .nodes
        .iter()
        .map(|&id| node_texts(facts, graph, id))
        .collect();
    let matching = |glob: &str| -> Vec<u32> {
        (0..n as u32)
            .filter(|&i| texts[i as usize].iter().any(|t| glob_match(glob, t)))
            .collect()
    };
    let mut uf = UnionFind((0..n as u32).collect());
    let mut pin_names: Vec<String> = Vec::new();
    let mut node_pin: Vec<Option<u32>> = vec![None; n];
    for (glob, name) in &constraints.pins {
        let idx = match pin_names.iter().position(|p| p == name) {
            Some(i) => i as u32,
            None => {
                pin_names.push(name.clone());
                (pin_names.len() - 1) as u32
            }
        };
        let nodes = matching(glob);
        if nodes.is_empty() {
            notes.push(format!("pin `{glob}` -> `{name}` matches nothing"));
        }
        for node in nodes {
            if node_pin[node as usize].is_none() {
                node_pin[node as usize] = Some(idx);
            }
        }
    }
    let mut first_of_pin: Vec<Option<u32>> = vec![None; pin_names.len()];
    for node in 0..n as u32 {
        if let Some(p) = node_pin[node as usize] {
            match first_of_pin[p as usize] {
                Some(first) => uf.union(first, node),
                None => first_of_pin[p as usize] = Some(node),
            }
        }
    }
    for (left, right) in &constraints.together {
        let nodes: Vec<u32> = matching(left).into_iter().chain(matching(right)).collect();
        if nodes.is_empty() {
            notes.push(format!("together `{left}` + `{right}` matches nothing"));
            continue;
        }
        // A `together` rule never merges two different pins.
        let pins: BTreeSet<u32> = nodes.iter().filter_map(|&x| node_pin[x as usize]).collect();
        if pins.len() > 1 {
            notes.push(format!(
                "together `{left}` + `{right}` spans several pinned contexts and was ignored"
            ));
            continue;
        }
        for w in nodes.windows(2) {
            uf.union(w[0], w[1]);
        }
    }
    // Group ids in order of their smallest node.
    let mut group_of_root: BTreeMap<u32, u32> = BTreeMap::new();
    let mut node_group = vec![0u32; n];
    for node in 0..n as u32 {
        let root = uf.find(node);
        let next = group_of_root.len() as u32;
        node_group[node as usize] = *group_of_root.entry(root).or_insert(next);
    }
    let k = group_of_root.len();
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); k];
    let mut pin: Vec<Option<u32>> = vec![None; k];
    let mut size = vec![0u64; k];
    for node in 0..n {
        let g = node_group[node] as usize;
        members[g].push(node as u32);
        if let Some(p) = node_pin[node] {
            pin[g] = Some(p);
        }
        size[g] += node_size(facts, graph, cluster.nodes[node]);
    }
    let mut area_ids: BTreeMap<&str, u32> = BTreeMap::new();
    let home = members
        .iter()
        .map(|m| {
            let module = graph.node(cluster.nodes[m[0] as usize]).module;
            let area = facts
                .modules
                .get(module.index())
                .map_or("", |x| seamline_graph::module_area(&x.path));
            let next = area_ids.len() as u32;
            (module, *area_ids.entry(area).or_insert(next))
        })
        .collect();
    let mut apart = Vec::new();
    for (left, right) in &constraints.apart {
        let l: BTreeSet<u32> = matching(left)
            .into_iter()
            .map(|x| node_group[x as usize])
            .collect();
        let r: BTreeSet<u32> = matching(right)
            .into_iter()
            .map(|x| node_group[x as usize])
            .collect();
        if l.is_empty() || r.is_empty() {
            notes.push(format!(
                "apart `{left}` / `{right}`: a side matches nothing"
            ));
        }
        if !l.is_disjoint(&r) {
            notes.push(format!(
                "apart `{left}` / `{right}` cannot hold: some nodes match both sides or are kept together"
            ));
        }
        apart.push((l, r));
    }
    let mut edges: Vec<(u32, u32, f64)> = Vec::new();
    for u in 0..n as u32 {
        let gu = node_group[u as usize];
        for (v, w) in cluster.graph.neighbors(u) {
            if v >= u {
                edges.push((gu, node_group[v as usize], w));
            }
        }
    }
    let contracted = WeightedGraph::from_edges(k, edges);
    Groups {
        node_group,
        members,
        pin,
        pin_names,
        apart,
        graph: contracted,
        size,
        home,
        notes,
    }
}

/// The size of a node in items: owner items folded into it (a module with no items: 0).
pub(crate) fn node_size(facts: &ir::Facts, graph: &DepGraph, node: seamline_graph::NodeId) -> u64 {
    match graph.node(node).key {
        NodeKey::Item(_) => 1,
        NodeKey::Module(_) => graph
            .node(node)
            .items
            .iter()
            .filter(|&&i| facts.owner_item(i) == i)
            .count() as u64,
    }
}

/// Refinement parameters.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Refine {
    pub min_size: u64,
    pub target: Option<usize>,
}

/// Community-level bookkeeping for merges.
struct Communities {
    adj: Vec<BTreeMap<u32, f64>>,
    self_weight: Vec<f64>,
    degree: Vec<f64>,
    size: Vec<u64>,
    pinned: Vec<Option<u32>>,
    /// (apart rule, side) pairs present in the community.
    sides: Vec<BTreeSet<(usize, bool)>>,
    members: Vec<Vec<u32>>,
    alive: Vec<bool>,
    n_alive: usize,
}

impl Communities {
    fn new(groups: &Groups, label: &[u32]) -> Communities {
        let k = label.iter().map(|&l| l as usize + 1).max().unwrap_or(0);
        let mut c = Communities {
            adj: vec![BTreeMap::new(); k],
            self_weight: vec![0.0; k],
            degree: vec![0.0; k],
            size: vec![0; k],
            pinned: vec![None; k],
            sides: vec![BTreeSet::new(); k],
            members: vec![Vec::new(); k],
            alive: vec![false; k],
            n_alive: 0,
        };
        // Edges between communities are gathered flat and summed per pair in the order they
        // were met, then each map is built at once from sorted pairs: the same sums as
        // inserting edge by edge, without a tree search per edge (this runs on every
        // candidate of the ensemble).
        let mut between: Vec<(u32, u32, f64)> = Vec::new();
        for (g, &l) in label.iter().enumerate() {
            let l = l as usize;
            if !c.alive[l] {
                c.n_alive += 1;
            }
            c.alive[l] = true;
            c.members[l].push(g as u32);
            c.size[l] += groups.size[g];
            if groups.pin[g].is_some() {
                c.pinned[l] = groups.pin[g];
            }
            c.degree[l] += groups.graph.degree(g as u32);
            for (v, w) in groups.graph.neighbors(g as u32) {
                let lv = label[v as usize] as usize;
                if lv == l {
                    // Each internal edge is seen from both ends except self-loops.
                    c.self_weight[l] += if v as usize == g { w } else { w / 2.0 };
                } else {
                    between.push((l as u32, lv as u32, w));
                }
            }
        }
        // Stable: equal pairs keep the order they were met in, so the sums are unchanged.
        between.sort_by_key(|&(a, b, _)| (a, b));
        let mut i = 0;
        while i < between.len() {
            let a = between[i].0;
            let mut row: Vec<(u32, f64)> = Vec::new();
            while i < between.len() && between[i].0 == a {
                let b = between[i].1;
                let mut sum = 0.0;
                while i < between.len() && between[i].0 == a && between[i].1 == b {
                    sum += between[i].2;
                    i += 1;
                }
                row.push((b, sum));
            }
            c.adj[a as usize] = row.into_iter().collect();
        }
        for (rule, (left, right)) in groups.apart.iter().enumerate() {
            for &g in left {
                c.sides[label[g as usize] as usize].insert((rule, false));
            }
            for &g in right {
                c.sides[label[g as usize] as usize].insert((rule, true));
            }
        }
        c
    }

    fn can_merge(&self, a: usize, b: usize) -> bool {
        if let (Some(x), Some(y)) = (self.pinned[a], self.pinned[b])
            && x != y
        {
            return false;
        }
        !self.sides[a]
            .iter()
            .any(|&(rule, side)| self.sides[b].contains(&(rule, !side)))
    }

    /// Merges `from` into `into`.
    fn merge(&mut self, from: usize, into: usize) {
        let adj = std::mem::take(&mut self.adj[from]);
        for (other, w) in adj {
            let other = other as usize;
            if other == into {
                self.self_weight[into] += w;
                self.adj[into].remove(&(from as u32));
                continue;
            }
            self.adj[other].remove(&(from as u32));
            *self.adj[other].entry(into as u32).or_default() += w;
            *self.adj[into].entry(other as u32).or_default() += w;
        }
        self.self_weight[into] += self.self_weight[from];
        self.degree[into] += self.degree[from];
        self.size[into] += self.size[from];
        if self.pinned[into].is_none() {
            self.pinned[into] = self.pinned[from];
        }
        let sides = std::mem::take(&mut self.sides[from]);
        self.sides[into].extend(sides);
        let members = std::mem::take(&mut self.members[from]);
        self.members[into].extend(members);
        self.alive[from] = false;
        self.n_alive -= 1;
    }

    fn alive_count(&self) -> usize {
        self.n_alive
    }
}

/// Applies `apart`, the minimum size and the target count to a group partition; returns
/// group labels numbered by first appearance.
pub(crate) fn refine(groups: &Groups, raw: &[u32], params: Refine) -> Vec<u32> {
    let mut label = seamline_graph::Partition::from_labels(raw).labels;
    if label.len() != groups.members.len() {
        label = (0..groups.members.len() as u32).collect();
    }
    separate_apart(groups, &mut label);
    let mut comms = Communities::new(groups, &label);
    merge_small(groups, &mut comms, params.min_size);
    if let Some(target) = params.target {
        merge_to_target(groups, &mut comms, target.max(1));
    }
    for (c, members) in comms.members.iter().enumerate() {
        for &g in members {
            label[g as usize] = c as u32;
        }
    }
    seamline_graph::Partition::from_labels(&label).labels
}

fn separate_apart(groups: &Groups, label: &mut [u32]) {
    let mut next_label = label.iter().map(|&l| l + 1).max().unwrap_or(0);
    for (left, right) in &groups.apart {
        if !left.is_disjoint(right) {
            continue;
        }
        let communities: BTreeSet<u32> = left.iter().map(|&g| label[g as usize]).collect();
        for c in communities {
            let in_c = |set: &BTreeSet<u32>| -> Vec<u32> {
                set.iter()
                    .copied()
                    .filter(|&g| label[g as usize] == c)
                    .collect()
            };
            let (l_in, r_in) = (in_c(left), in_c(right));
            if l_in.is_empty() || r_in.is_empty() {
                continue;
            }
            let unpinned = |v: &[u32]| v.iter().all(|&g| groups.pin[g as usize].is_none());
            let (movers, stayers) = if unpinned(&r_in) {
                (r_in, left)
            } else if unpinned(&l_in) {
                (l_in, right)
            } else {
                continue;
            };
            let blocked: BTreeSet<u32> = stayers.iter().map(|&g| label[g as usize]).collect();
            for g in movers {
                let mut weights: BTreeMap<u32, f64> = BTreeMap::new();
                for (v, w) in groups.graph.neighbors(g) {
                    let lv = label[v as usize];
                    if lv != c && !blocked.contains(&lv) {
                        *weights.entry(lv).or_default() += w;
                    }
                }
                let best =
                    weights
                        .into_iter()
                        .fold(None::<(u32, f64)>, |best, (l, w)| match best {
                            Some((_, bw)) if bw >= w => best,
                            _ => Some((l, w)),
                        });
                label[g as usize] = match best {
                    Some((l, _)) => l,
                    None => {
                        next_label += 1;
                        next_label - 1
                    }
                };
            }
        }
    }
}

fn merge_small(groups: &Groups, comms: &mut Communities, min_size: u64) {
    let k = comms.alive.len();
    let eligible = |comms: &Communities, c: usize| {
        comms.alive[c] && comms.pinned[c].is_none() && comms.size[c] < min_size
    };
    // Smallest first; ties to the lower label.
    let mut queue: BTreeSet<(u64, usize)> = (0..k)
        .filter(|&c| eligible(comms, c))
        .map(|c| (comms.size[c], c))
        .collect();
    let mut stuck: Vec<usize> = Vec::new();
    while let Some((_, c)) = queue.pop_first() {
        if comms.n_alive <= 1 {
            return;
        }
        // Strongest neighbour; ties: larger, then lower label.
        let mut best: Option<(usize, f64)> = None;
        for (&d, &w) in &comms.adj[c] {
            let d = d as usize;
            if !comms.can_merge(c, d) {
                continue;
            }
            let better = match best {
                None => true,
                Some((b, bw)) => {
                    w > bw
                        || (w == bw
                            && (comms.size[d], std::cmp::Reverse(d))
                                > (comms.size[b], std::cmp::Reverse(b)))
                }
            };
            if better {
                best = Some((d, w));
            }
        }
        match best {
            Some((d, _)) => {
                queue.remove(&(comms.size[d], d));
                comms.merge(c, d);
                if eligible(comms, d) {
                    queue.insert((comms.size[d], d));
                }
            }
            None => stuck.push(c),
        }
    }
    place_stuck(groups, comms, &stuck);
}

/// Fragments with no neighbour join the community holding most groups of their modules,
/// else of their areas, else the largest (a context of one stray item is worse than a
/// slightly impure one); ties to the larger, then lower label.
fn place_stuck(groups: &Groups, comms: &mut Communities, stuck: &[usize]) {
    if stuck.is_empty() {
        return;
    }
    let is_stuck: BTreeSet<usize> = stuck.iter().copied().collect();
    // Indexed by module and by area number: this runs on every candidate of the ensemble.
    let n_modules = groups.home.iter().map(|(m, _)| m.index() + 1).max();
    let n_areas = groups.home.iter().map(|&(_, a)| a as usize + 1).max();
    let mut by_module: Vec<BTreeMap<usize, usize>> = vec![BTreeMap::new(); n_modules.unwrap_or(0)];
    let mut by_area: Vec<BTreeMap<usize, usize>> = vec![BTreeMap::new(); n_areas.unwrap_or(0)];
    for c in 0..comms.alive.len() {
        if !comms.alive[c] || is_stuck.contains(&c) {
            continue;
        }
        for &g in &comms.members[c] {
            let (module, area) = groups.home[g as usize];
            *by_module[module.index()].entry(c).or_default() += 1;
            *by_area[area as usize].entry(c).or_default() += 1;
        }
    }
    // Alive communities by (size, reverse label), so that "the largest other community" is
    // a lookup rather than a scan per stuck fragment: crates of unconnected declarations
    // (windows-sys, linux-raw-sys) have hundreds of thousands of them.
    let mut by_size: BTreeSet<(u64, std::cmp::Reverse<usize>)> = (0..comms.alive.len())
        .filter(|&d| comms.alive[d])
        .map(|d| (comms.size[d], std::cmp::Reverse(d)))
        .collect();
    for &c in stuck {
        if !comms.alive[c] || comms.n_alive <= 1 {
            continue;
        }
        let members = comms.members[c].clone();
        let pick = |counts: &BTreeMap<usize, usize>, comms: &Communities| -> Option<usize> {
            counts
                .iter()
                .filter(|&(&d, _)| d != c && comms.alive[d] && comms.can_merge(c, d))
                .max_by_key(|&(&d, &n)| (n, comms.size[d], std::cmp::Reverse(d)))
                .map(|(&d, _)| d)
        };
        let mut module_counts: BTreeMap<usize, usize> = BTreeMap::new();
        for &g in &members {
            let (module, _) = groups.home[g as usize];
            for (&d, &n) in &by_module[module.index()] {
                *module_counts.entry(d).or_default() += n;
            }
        }
        // Areas are only counted when the modules give no answer (they are large).
        let target = pick(&module_counts, comms)
            .or_else(|| {
                let mut area_counts: BTreeMap<usize, usize> = BTreeMap::new();
                for &g in &members {
                    let (_, area) = groups.home[g as usize];
                    for (&d, &n) in &by_area[area as usize] {
                        *area_counts.entry(d).or_default() += n;
                    }
                }
                pick(&area_counts, comms)
            })
            .or_else(|| {
                by_size
                    .iter()
                    .rev()
                    .map(|&(_, std::cmp::Reverse(d))| d)
                    .find(|&d| d != c && comms.can_merge(c, d))
            });
        if let Some(d) = target {
            by_size.remove(&(comms.size[c], std::cmp::Reverse(c)));
            by_size.remove(&(comms.size[d], std::cmp::Reverse(d)));
            comms.merge(c, d);
            by_size.insert((comms.size[d], std::cmp::Reverse(d)));
            for &g in &members {
                let (module, area) = groups.home[g as usize];
                *by_module[module.index()].entry(d).or_default() += 1;
                *by_area[area as usize].entry(d).or_default() += 1;
            }
        }
    }
}

fn merge_to_target(groups: &Groups, comms: &mut Communities, target: usize) {
    let two_m = 2.0 * groups.graph.total_weight();
    if two_m <= 0.0 {
        return;
    }
    while comms.alive_count() > target {
        // The merge with the largest modularity gain: w_cd / m - 2 K_c K_d / (2m)^2.
        let mut best: Option<(usize, usize, f64)> = None;
        for c in 0..comms.alive.len() {
            if !comms.alive[c] {
                continue;
            }
            for (&d, &w) in &comms.adj[c] {
                let d = d as usize;
                if d <= c || !comms.can_merge(c, d) {
                    continue;
                }
                let gain =
                    2.0 * w / two_m - 2.0 * comms.degree[c] * comms.degree[d] / (two_m * two_m);
                if best.is_none_or(|(_, _, g)| gain > g) {
                    best = Some((c, d, gain));
                }
            }
        }
        match best {
            // Merge the smaller into the larger to keep pins' labels meaningful.
            Some((c, d, _)) => {
                if comms.size[c] > comms.size[d] {
                    comms.merge(d, c)
                } else {
                    comms.merge(c, d)
                }
            }
            None => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs_match_within_and_across_segments() {
        assert!(glob_match("shop::billing::*", "shop::billing::invoice"));
        assert!(!glob_match(
            "shop::billing::*",
            "shop::billing::invoice::pdf"
        ));
        assert!(glob_match(
            "shop::billing::**",
            "shop::billing::invoice::pdf"
        ));
        assert!(glob_match("src/**/billing.rs", "src/routes/billing.rs"));
        assert!(glob_match("src/*/billing.rs", "src/routes/billing.rs"));
        assert!(!glob_match("src/*/billing.rs", "src/a/b/billing.rs"));
        assert!(glob_match("*::Invoice", "models::Invoice"));
        assert!(!glob_match("*::Invoice", "shop::models::Invoice"));
        assert!(glob_match("**::Invoice", "shop::models::Invoice"));
        assert!(glob_match("shop::mo?els", "shop::models"));
        assert!(!glob_match("shop", "shop::models"));
    }

    #[test]
    fn globs_match_long_and_non_ascii_text_alike() {
        // `?` is one character, not one byte; texts past the stack buffer take the heap.
        assert!(glob_match("café::?", "café::é"));
        assert!(glob_match("caf?::*", "café::menu"));
        assert!(!glob_match("caf?::*", "café::menu::drinks"));
        let long = format!("shop::{}::invoice", "segment".repeat(60));
        assert!(long.len() > 256);
        assert!(glob_match("shop::**::invoice", &long));
        assert!(glob_match("shop::*::invoice", &long));
        assert!(!glob_match("shop::*::pdf", &long));
        let deep = format!("shop::{}::x", "a::".repeat(100));
        assert!(!glob_match("shop::*::x", &deep));
        assert!(glob_match("shop::**::x", &deep));
    }
}
