//! From communities to services: what the clustering found is reshaped so that every context
//! is something a team could own.
//!
//! - Generic items used from most contexts (a `JsonResult<T>` alias, a request guard, an
//!   error type) join the shared kernel instead of tying every context to the one that
//!   clustered them.
//! - Test-support code outside `#[cfg(test)]` (a `testing` module, a `test_utils` crate)
//!   joins the kernel: it is no service.
//! - Every table gets one owner, a writer ([`table_owners`]), and its `table!` schema goes
//!   with that owner.
//! - A context that owns no table and no endpoint and is under 1% of the code, or that no
//!   code outside refers to and that refers to no other context, is not a service: it is
//!   merged into the context it is most tied to, into the kernel when only the kernel uses
//!   it, or reported as possibly dead code when nothing refers to it at all. One that is
//!   mostly request middleware (a `middleware/` folder, functions taking `Next`) is a layer
//!   every request passes through: it joins the kernel, whatever its size.

use std::collections::{BTreeMap, BTreeSet};

use seamline_graph::{DataLayer, DepGraph, Granularity, NodeId, NodeKey};
use seamline_ir as ir;

/// A context under this share of the code (in lines), with no table and no endpoint, is a
/// fragment, not a service.
pub const FRAGMENT_SHARE: f64 = 0.01;

/// A generic item is kernel when at least this many other contexts use it...
pub const GENERIC_MIN_CONTEXTS: usize = 3;

/// ...and at least this share of the other contexts.
pub const GENERIC_MIN_SHARE: f64 = 0.5;

/// Folders whose functions answer requests.
const ENDPOINT_LAYERS: &[&str] = &[
    "routes",
    "route",
    "handlers",
    "handler",
    "controllers",
    "controller",
    "api",
    "endpoints",
    "endpoint",
    "views",
    "web",
    "http",
    "rest",
    "graphql",
];

/// Types in a signature that only a request handler takes or returns.
const WEB_TYPES: &[&str] = &[
    "Json",
    "Form<",
    "Query<",
    "impl Responder",
    "impl IntoResponse",
    "Redirect",
    "Template",
    "web::",
];

/// Why a context owns a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OwnerReason {
    /// It writes the table, and touches it most of the writers.
    Writes,
    /// No code but migrations or schema setup writes it: its main reader owns it.
    MainReader,
    /// No code reads or writes it: it goes with its `table!` schema.
    Schema,
    /// No code reads or writes it: it goes with the models mapped onto it.
    Mapping,
}

impl OwnerReason {
    /// The kebab-case id used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            OwnerReason::Writes => "writes",
            OwnerReason::MainReader => "main-reader",
            OwnerReason::Schema => "schema",
            OwnerReason::Mapping => "mapping",
        }
    }
}

/// The owner of a table with the counts that chose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableOwner {
    /// The owner, as a node label.
    pub label: u32,
    /// Why.
    pub reason: OwnerReason,
    /// Its writes (migrations left out).
    pub writes: u32,
    /// Its reads.
    pub reads: u32,
}

/// Whether code is a migration or schema setup: its module or item is named after
/// migrations (`migrations/`, `run_migrations`) or table creation (`create_tables`,
/// `init_schema`). Such code creates tables, it does not own them.
pub fn is_migration(facts: &ir::Facts, module: ir::ModuleId, item: Option<ir::ItemId>) -> bool {
    let named = |s: &str| {
        let s = s.to_lowercase();
        s.contains("migrat")
            || s.contains("schema_setup")
            || s.starts_with("create_table")
            || s.starts_with("create_schema")
            || s.starts_with("init_schema")
            || s.starts_with("init_db")
            || s.starts_with("setup_db")
            || s.starts_with("setup_database")
    };
    let by_module = facts
        .modules
        .get(module.index())
        .is_some_and(|m| under_folder(m, named));
    let by_item = item.is_some_and(|i| {
        let mut cur = facts.items.get(i.index());
        // The item and the type or impl it belongs to.
        for _ in 0..3 {
            let Some(it) = cur else { break };
            if named(&it.name) {
                return true;
            }
            cur = it.parent.and_then(|p| facts.items.get(p.index()));
        }
        false
    });
    by_module || by_item
}

/// Words that mark test-support code in a module path or a crate name (`testing`,
/// `test_utils`, `crates_io_smoke_test`, `mocks`).
const TEST_WORDS: &[&str] = &[
    "test", "tests", "testing", "mock", "mocks", "fixture", "fixtures",
];

/// Whether a module is test-support code outside `#[cfg(test)]`: a segment of its path, the
/// crate's included, has a test word. Such code builds requests and fake data for the
/// tests; it serves nothing and is no service.
pub fn is_test_support(facts: &ir::Facts, module: ir::ModuleId) -> bool {
    facts.modules.get(module.index()).is_some_and(|m| {
        // Every test word contains `test`, `mock` or `fixture`: most paths are ruled out
        // without splitting them into words.
        let lower = m.path.to_ascii_lowercase();
        if !["test", "mock", "fixture"]
            .iter()
            .any(|w| lower.contains(w))
        {
            return false;
        }
        m.path.split("::").any(|seg| {
            super::naming::words(seg)
                .iter()
                .any(|w| TEST_WORDS.contains(&w.as_str()))
        })
    })
}

/// [`is_endpoint`] of every item (`endpoints[item.index()]`): the clustering asks it of the
/// same items in every pass, so it is answered once per proposal.
pub(crate) fn endpoints(facts: &ir::Facts) -> Vec<bool> {
    let actix = actix_crates(facts);
    facts
        .items
        .iter()
        .map(|it| endpoint_in(facts, it.id, &actix))
        .collect()
}

/// Whether an item answers requests: a function or method whose signature takes or returns
/// a web type (actix's `HttpRequest`/`HttpResponse` only in a crate that serves actix), a
/// tonic service method, or an async function in a handler folder (`routes/`,
/// `controllers/`, `api/`); never middleware (it takes `Next`, or sits in a `middleware/`
/// folder), a test or a test helper.
pub fn is_endpoint(facts: &ir::Facts, item: ir::ItemId) -> bool {
    endpoint_in(facts, item, &actix_crates(facts))
}

/// Whether a node is request middleware: it sits in a `middleware/` folder, or one of its
/// functions takes the handler it wraps (axum's and actix's `Next`).
fn is_middleware(facts: &ir::Facts, graph: &DepGraph, node: NodeId) -> bool {
    let n = graph.node(node);
    let in_folder = facts
        .modules
        .get(n.module.index())
        .is_some_and(|m| under_folder(m, |s| MIDDLEWARE_FOLDERS.contains(&s)));
    in_folder
        || n.items.iter().any(|&i| {
            facts
                .items
                .get(i.index())
                .and_then(|it| it.signature.as_deref())
                .is_some_and(|sig| has_type(sig, "Next"))
        })
}

/// Web types whose names HTTP *clients* use too: `openidconnect`'s and the AWS SDK's
/// connectors take an `HttpRequest` and return an `HttpResponse`, and answer nothing. They
/// mark an endpoint only in a crate that refers to a framework serving them.
const ACTIX_TYPES: &[&str] = &["HttpRequest", "HttpResponse"];

/// Whether each crate refers to a server framework whose handlers take [`ACTIX_TYPES`].
fn actix_crates(facts: &ir::Facts) -> Vec<bool> {
    let mut actix = vec![false; facts.crates.len()];
    for e in &facts.external {
        if matches!(e.root.as_str(), "actix_web" | "ntex")
            && let Some(m) = facts.modules.get(e.module.index())
            && let Some(slot) = actix.get_mut(m.krate.index())
        {
            *slot = true;
        }
    }
    actix
}

fn endpoint_in(facts: &ir::Facts, item: ir::ItemId, actix: &[bool]) -> bool {
    let Some(it) = facts.items.get(item.index()) else {
        return false;
    };
    if !matches!(it.kind, ir::ItemKind::Function | ir::ItemKind::Method) {
        return false;
    }
    let Some(sig) = it.signature.as_deref() else {
        return false;
    };
    // Middleware takes the handler it wraps (axum's and actix's `Next`): it answers no
    // request itself, and a folder of it is a layer, not a service.
    if has_type(sig, "Next") {
        return false;
    }
    let module = facts.modules.get(it.module.index());
    // The helpers of a middleware folder build responses (a rejection, a redirect) for the
    // layer that wraps the handlers; they answer no request of their own.
    if module.is_some_and(|m| under_folder(m, |s| MIDDLEWARE_FOLDERS.contains(&s))) {
        return false;
    }
    let serves_actix =
        || module.is_some_and(|m| actix.get(m.krate.index()).copied().unwrap_or(false));
    // Only what a request gets in and out, not the body: the parameters and return type.
    // The folder is looked at only for an async function.
    let web = WEB_TYPES.iter().any(|t| has_type(sig, t))
        || (ACTIX_TYPES.iter().any(|t| has_type(sig, t)) && serves_actix())
        // A tonic service method: a `Request<T>` in, `Result<Response<T>, Status>` out (the
        // generated clients take an `IntoRequest` instead).
        || (has_type(sig, "Request<") && has_type(sig, "Response<") && has_type(sig, "Status"))
        || (sig.contains("async fn")
            && module.is_some_and(|m| under_folder(m, |s| ENDPOINT_LAYERS.contains(&s))));
    // Tests and their helpers call handlers and build requests; they answer none. (Checked
    // last: it splits every segment of the module's path into words.)
    web && !it.name.starts_with("test_") && !is_test_support(facts, it.module)
}

/// Folders of request middleware: a layer around the handlers, never a handler.
const MIDDLEWARE_FOLDERS: &[&str] = &["middleware", "middlewares"];

/// Whether a module sits in a folder `folder` accepts: a segment of its path below the
/// crate root.
fn under_folder(module: &ir::Module, folder: impl Fn(&str) -> bool) -> bool {
    module.path.split("::").skip(1).any(folder)
}

/// Whether `sig` names `ty` as a whole path segment: `Query<` is in `Query<Params>` and
/// `web::Query<Params>`, not in `PaginatedQuery<T>`; `Json` is not in `JsonValue`.
fn has_type(sig: &str, ty: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let open_end = ty.ends_with(|c: char| !ident(c));
    sig.match_indices(ty).any(|(at, _)| {
        let before = sig[..at].chars().next_back();
        let after = sig[at + ty.len()..].chars().next();
        !before.is_some_and(ident) && (open_end || !after.is_some_and(ident))
    })
}

/// The node holding the code at (module, item), at the graph's granularity.
fn code_node(graph: &DepGraph, module: ir::ModuleId, item: Option<ir::ItemId>) -> Option<NodeId> {
    match graph.granularity() {
        Granularity::Item => item.and_then(|i| graph.node_of_item(i)),
        Granularity::Module => graph.nodes_of_module(module).first().copied(),
    }
}

/// The owner of every table under a labelling of the nodes: a label that writes it
/// (migrations and schema setup are not writers), the one with most accesses (reads and
/// writes), then most writes, then the lowest label;
/// a table only migrations write goes to its main reader; a table nobody touches goes with
/// its `table!` schema, else with most of its mapped models. `None`: no labelled code
/// touches, declares or maps it.
pub fn table_owners(
    facts: &ir::Facts,
    graph: &DepGraph,
    node_label: &[Option<u32>],
) -> Vec<Option<TableOwner>> {
    let label = |n: Option<NodeId>| n.and_then(|n| node_label.get(n.index()).copied().flatten());
    // (writes, reads) per table and label.
    let mut uses: Vec<BTreeMap<u32, (u32, u32)>> = vec![BTreeMap::new(); facts.tables.len()];
    for a in &facts.table_accesses {
        if a.table.index() >= uses.len() || is_migration(facts, a.module, a.item) {
            continue;
        }
        let Some(l) = label(code_node(graph, a.module, a.item)) else {
            continue;
        };
        let e = uses[a.table.index()].entry(l).or_default();
        match a.mode {
            ir::AccessMode::Write => e.0 += a.count,
            ir::AccessMode::Read => e.1 += a.count,
        }
    }
    facts
        .tables
        .iter()
        .zip(uses)
        .map(|(t, uses)| {
            // Writers first; among them the one that touches the table most, then writes it
            // most: a static reading misses writes through a variable
            // (`diesel::update(target)`), so one context's extra `UPDATE` must not outweigh
            // the code that creates and reads the rows.
            let best = uses
                .iter()
                .max_by(|a, b| {
                    let key = |&(w, r): &(u32, u32)| (w > 0, w + r, w);
                    key(a.1).cmp(&key(b.1)).then_with(|| b.0.cmp(a.0))
                })
                .map(|(&l, &(w, r))| (l, w, r));
            if let Some((l, w, r)) = best {
                return Some(TableOwner {
                    label: l,
                    reason: if w > 0 {
                        OwnerReason::Writes
                    } else {
                        OwnerReason::MainReader
                    },
                    writes: w,
                    reads: r,
                });
            }
            let schema = t.defined_in.as_ref().and_then(|d| {
                label(
                    d.item
                        .and_then(|i| graph.node_of_item(i))
                        .or_else(|| graph.nodes_of_module(d.module).first().copied()),
                )
            });
            if let Some(l) = schema {
                return Some(TableOwner {
                    label: l,
                    reason: OwnerReason::Schema,
                    writes: 0,
                    reads: 0,
                });
            }
            let mut count: BTreeMap<u32, u32> = BTreeMap::new();
            for &i in &t.mapped_by {
                if let Some(l) = label(graph.node_of_item(i)) {
                    *count.entry(l).or_default() += 1;
                }
            }
            count
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(&l, _)| TableOwner {
                    label: l,
                    reason: OwnerReason::Mapping,
                    writes: 0,
                    reads: 0,
                })
        })
        .collect()
}

/// Nodes made only of migration or schema-setup code ([`is_migration`]), set aside before
/// clustering; pinned nodes never are.
pub(crate) fn migration_nodes(
    facts: &ir::Facts,
    graph: &DepGraph,
    readmitted: &[NodeId],
) -> BTreeMap<NodeId, String> {
    graph
        .node_ids()
        .filter(|n| !graph.is_kernel(*n) && readmitted.binary_search(n).is_err())
        .filter(|&n| {
            let node = graph.node(n);
            match node.key {
                NodeKey::Item(i) => is_migration(facts, node.module, Some(i)),
                NodeKey::Module(m) => is_migration(facts, m, None),
            }
        })
        .map(|n| {
            (
                n,
                "is migration or schema-setup code: it creates every table and owns none; each service takes the part that creates its own tables".to_owned(),
            )
        })
        .collect()
}

/// Generic hubs found in a first clustering (item granularity): a node that is not data
/// and not a request handler, used from at least [`GENERIC_MIN_CONTEXTS`] modules whose
/// code otherwise leans to as many different contexts (a request guard or a result alias
/// every handler uses). Clustered, such a hub glues the handlers of every domain into one
/// context; set aside, each handler goes with its domain.
pub(crate) fn generic_hubs(
    facts: &ir::Facts,
    graph: &DepGraph,
    endpoints: &[bool],
    cluster: &seamline_graph::ClusterGraph,
    labels: &[u32],
    groups: &super::constraints::Groups,
) -> BTreeMap<NodeId, String> {
    let mut out = BTreeMap::new();
    if graph.granularity() != Granularity::Item {
        return out;
    }
    let label = |n: NodeId| {
        cluster
            .index
            .get(n.index())
            .copied()
            .flatten()
            .map(|i| labels[i as usize])
    };
    let k = labels.iter().map(|&l| l as usize + 1).max().unwrap_or(0);
    if k <= GENERIC_MIN_CONTEXTS {
        return out;
    }
    let data = DataLayer::of(facts);
    // Values that domain data embeds (an `Address` in an order) are shared models, not
    // infrastructure.
    let embedded = embedded_values(facts, &data);
    for (i, &node) in cluster.nodes.iter().enumerate() {
        if groups.pin[groups.node_group[i] as usize].is_some()
            || data.node(facts, graph, node)
            || graph.node(node).items.iter().any(|x| embedded.contains(x))
            || graph.node(node).items.iter().any(|&x| endpoints[x.index()])
        {
            continue;
        }
        let own = labels[i];
        let own_module = graph.node(node).module;
        let users: BTreeSet<NodeId> = graph
            .in_edges(node)
            .iter()
            .map(|e| e.from)
            .filter(|&u| graph.node(u).module != own_module)
            .collect();
        let modules: BTreeSet<ir::ModuleId> = users.iter().map(|&u| graph.node(u).module).collect();
        if modules.len() < GENERIC_MIN_CONTEXTS {
            continue;
        }
        // Where each user leans: its own context if it is another, else the context its
        // other dependencies weigh most in.
        let mut leans: BTreeSet<u32> = BTreeSet::new();
        for &u in &users {
            match label(u) {
                Some(l) if l != own => {
                    leans.insert(l);
                }
                _ => {
                    let mut by: BTreeMap<u32, f64> = BTreeMap::new();
                    for e in graph.out_edges(u) {
                        if e.to == node {
                            continue;
                        }
                        if let Some(l) = label(e.to)
                            && l != own
                        {
                            *by.entry(l).or_default() += e.weight;
                        }
                    }
                    if let Some((&l, _)) = by
                        .iter()
                        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
                    {
                        leans.insert(l);
                    }
                }
            }
        }
        let others = k - 1;
        if leans.len() >= GENERIC_MIN_CONTEXTS
            && leans.len() as f64 >= GENERIC_MIN_SHARE * others as f64
        {
            out.insert(
                node,
                format!(
                    "used from {} modules that lean to {} different contexts, and holds no data: generic infrastructure (a guard, an alias, a helper every domain uses)",
                    modules.len(),
                    leans.len()
                ),
            );
        }
    }
    out
}

/// The items that domain data embeds in its fields (an `Address` in an order): shared
/// models, never generic kernel.
fn embedded_values(facts: &ir::Facts, data: &DataLayer) -> BTreeSet<ir::ItemId> {
    facts
        .items
        .iter()
        .filter(|it| data.item(facts, it.id))
        .flat_map(|it| it.fields.iter().flat_map(|f| f.refs.iter().copied()))
        .collect()
}

/// What [`shape`] set aside.
#[derive(Debug, Default)]
pub(crate) struct Shaped {
    /// Nodes moved into the kernel after clustering, with their reason.
    pub kernel: BTreeMap<NodeId, String>,
    /// Groups of nodes nothing refers to, each with its reason.
    pub dead: Vec<(Vec<NodeId>, String)>,
}

/// Reshapes `node_label` (labels `0..k`, `None` for kernel and set-aside nodes) in place;
/// `pinned[l]` keeps label `l` as declared. Labels that end up empty are left unused: the
/// caller renumbers.
pub(crate) fn shape(
    facts: &ir::Facts,
    graph: &DepGraph,
    endpoints: &[bool],
    node_label: &mut [Option<u32>],
    pinned: &[bool],
) -> Shaped {
    let mut out = Shaped::default();
    let k = node_label
        .iter()
        .flatten()
        .map(|&l| l as usize + 1)
        .max()
        .unwrap_or(0);
    if k == 0 {
        return out;
    }
    let data = DataLayer::of(facts);
    let is_pinned = |l: u32| pinned.get(l as usize).copied().unwrap_or(false);
    let edges: Vec<seamline_graph::DepEdge> = graph.edges().collect();

    // Generic items used from most other contexts join the kernel; values that domain data
    // embeds are shared models instead.
    let embedded = embedded_values(facts, &data);
    if graph.granularity() == Granularity::Item && k > GENERIC_MIN_CONTEXTS {
        let mut users: BTreeMap<NodeId, BTreeSet<u32>> = BTreeMap::new();
        for e in &edges {
            if let (Some(from), Some(to)) = (node_label[e.from.index()], node_label[e.to.index()])
                && from != to
            {
                users.entry(e.to).or_default().insert(from);
            }
        }
        for (node, by) in users {
            let Some(own) = node_label[node.index()] else {
                continue;
            };
            let others = k - 1;
            if by.len() >= GENERIC_MIN_CONTEXTS
                && by.len() as f64 >= GENERIC_MIN_SHARE * others as f64
                && !is_pinned(own)
                && !data.node(facts, graph, node)
                && !graph.node(node).items.iter().any(|x| embedded.contains(x))
            {
                out.kernel.insert(
                    node,
                    format!(
                        "used from {} of the {others} other contexts and holds no data: generic infrastructure, not part of one domain",
                        by.len()
                    ),
                );
            }
        }
        for node in out.kernel.keys() {
            node_label[node.index()] = None;
        }
    }

    // Test-support code is no service: it joins the kernel, where each service takes the
    // helpers its own tests use. Data it declares stays with the domains.
    for n in graph.node_ids() {
        let Some(l) = node_label[n.index()] else {
            continue;
        };
        if !is_pinned(l)
            && is_test_support(facts, graph.node(n).module)
            && !data.node(facts, graph, n)
        {
            node_label[n.index()] = None;
            out.kernel.insert(
                n,
                "is test-support code: it builds requests and fake data for the tests, serves nothing and owns no data".to_owned(),
            );
        }
    }

    // Fragments, one at a time, the smallest first.
    let total_lines: u64 = graph
        .node_ids()
        .filter(|n| node_label[n.index()].is_some())
        .map(|n| graph.node(n).code_lines)
        .sum();
    let endpoint: Vec<bool> = graph
        .node_ids()
        .map(|n| graph.node(n).items.iter().any(|&i| endpoints[i.index()]))
        .collect();
    let links: Vec<(NodeId, NodeId, f64)> = graph
        .table_links()
        .iter()
        .map(|t| (t.a, t.b, t.weight))
        .collect();
    let middleware: Vec<bool> = graph
        .node_ids()
        .map(|n| is_middleware(facts, graph, n))
        .collect();
    let mut settled: BTreeSet<u32> = BTreeSet::new();
    for _ in 0..k {
        let owners = table_owners(facts, graph, node_label);
        let mut lines = vec![0u64; k];
        let mut middleware_lines = vec![0u64; k];
        let mut has_node = vec![false; k];
        let mut serves = vec![false; k];
        for n in graph.node_ids() {
            if let Some(l) = node_label[n.index()] {
                lines[l as usize] += graph.node(n).code_lines;
                if middleware[n.index()] {
                    middleware_lines[l as usize] += graph.node(n).code_lines;
                }
                has_node[l as usize] = true;
                serves[l as usize] |= endpoint[n.index()];
            }
        }
        for o in owners.iter().flatten() {
            serves[o.label as usize] = true;
        }
        // Ties between labels, and whether anything outside a label refers to it.
        let mut ties: Vec<BTreeMap<u32, f64>> = vec![BTreeMap::new(); k];
        let mut referenced = vec![false; k];
        let mut from_kernel = vec![false; k];
        for e in &edges {
            let (a, b) = (node_label[e.from.index()], node_label[e.to.index()]);
            if let Some(b) = b
                && a != Some(b)
            {
                referenced[b as usize] = true;
                if a.is_none() {
                    from_kernel[b as usize] = true;
                }
            }
            if let (Some(a), Some(b)) = (a, b)
                && a != b
            {
                let w = e.weight.max(1e-3);
                *ties[a as usize].entry(b).or_default() += w;
                *ties[b as usize].entry(a).or_default() += w;
            }
        }
        for &(x, y, w) in &links {
            if let (Some(a), Some(b)) = (node_label[x.index()], node_label[y.index()])
                && a != b
            {
                *ties[a as usize].entry(b).or_default() += w;
                *ties[b as usize].entry(a).or_default() += w;
            }
        }
        // A codebase of one context is that context, whatever its shape.
        if has_node.iter().filter(|&&h| h).count() <= 1 {
            break;
        }
        // Request middleware that answers nothing and owns no table is a layer every
        // context's requests pass through, however large: generic infrastructure.
        let layer = |l: usize| middleware_lines[l] > 0 && 2 * middleware_lines[l] >= lines[l];
        let fragment = |l: usize| {
            has_node[l]
                && !serves[l]
                && !is_pinned(l as u32)
                && !settled.contains(&(l as u32))
                && ((lines[l] as f64) < FRAGMENT_SHARE * total_lines as f64
                    || (ties[l].is_empty() && !referenced[l])
                    || layer(l))
        };
        let Some(l) = (0..k)
            .filter(|&l| fragment(l))
            .min_by_key(|&l| (lines[l], l))
        else {
            break;
        };
        let nodes: Vec<NodeId> = graph
            .node_ids()
            .filter(|n| node_label[n.index()] == Some(l as u32))
            .collect();
        if layer(l) {
            for &n in &nodes {
                node_label[n.index()] = None;
                out.kernel.insert(
                    n,
                    "is request middleware with its helpers: a layer every request passes through, answering none and owning no data, so generic infrastructure".to_owned(),
                );
            }
            continue;
        }
        let target = ties[l]
            .iter()
            .filter(|&(&t, _)| has_node[t as usize])
            .max_by(|a, b| {
                a.1.total_cmp(b.1)
                    .then(lines[*a.0 as usize].cmp(&lines[*b.0 as usize]))
                    .then(b.0.cmp(a.0))
            })
            .map(|(&t, _)| t);
        if let Some(t) = target {
            for &n in &nodes {
                node_label[n.index()] = Some(t);
            }
            continue;
        }
        let has_main = nodes.iter().any(|&n| {
            graph.node(n).items.iter().any(|&i| {
                facts
                    .items
                    .get(i.index())
                    .is_some_and(|it| it.name == "main" && it.kind == ir::ItemKind::Function)
            })
        });
        let (kernel, reason) = if from_kernel[l] {
            (
                true,
                "is used only from the shared kernel and by no context: generic infrastructure"
                    .to_owned(),
            )
        } else if has_main {
            (
                true,
                "is an entry point tied to no context: it only calls the shared kernel".to_owned(),
            )
        } else if (lines[l] as f64) < FRAGMENT_SHARE * total_lines as f64 || !referenced[l] {
            (
                false,
                "no code outside it refers to it, and it refers to no context".to_owned(),
            )
        } else {
            settled.insert(l as u32);
            continue;
        };
        for &n in &nodes {
            node_label[n.index()] = None;
            if kernel {
                out.kernel.insert(n, reason.clone());
            }
        }
        if !kernel {
            out.dead.push((nodes, reason));
        }
    }

    // Each `table!` goes with its table's owner.
    let owners = table_owners(facts, graph, node_label);
    for t in &facts.tables {
        let (Some(owner), Some(def)) = (owners[t.id.index()], &t.defined_in) else {
            continue;
        };
        if let Some(node) = def.item.and_then(|i| graph.node_of_item(i))
            && matches!(graph.node(node).key, NodeKey::Item(_))
            && node_label[node.index()].is_some_and(|l| !is_pinned(l))
        {
            node_label[node.index()] = Some(owner.label);
        }
    }
    out
}
