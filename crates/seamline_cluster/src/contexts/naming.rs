//! Readable context names (`billing`, not `cluster-3`), derived from the context's dominant
//! module path segments, file stems and model names.
//!
//! Each member node contributes its lines (at least 1) to every meaningful token of its
//! module path below the crate root (segments split on `_`) and, for models, of its name
//! (split on case changes); segments under a behaviour layer (`services/`, `routes/`, ...)
//! count double, since they name domains where `models/` names entities. Layer words (`routes`, `services`, `repositories`, `models`,
//! `api`, `db`, ...) and generic words are skipped; tokens are singularised. A token's score
//! in context `c` is `w_c(t)^2 / sum_d w_d(t)`: frequent in `c` and concentrated there.
//! Contexts are named from the largest to the smallest, each taking its best token that no
//! other context has taken; pinned contexts keep their declared names. A singular that no
//! identifier spells (`namere` of `nameres`) is written as the code writes the word.
//!
//! A word that is only a modifier (`custom` of `custom_emoji`, `multi` of `MultiCommunity`),
//! or a head a numeral modifies (`factor` of `two_factor`), gives way to the compound it
//! nearly always sits in (a head keeps its name: `click` of `daily_clicks`), and the
//! product's own name (the word most crate names share: `lemmy` of `lemmy_api`) is no
//! concept: a context named after the product or a generic word says nothing of its domain.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use seamline_graph::{DepGraph, NodeId, NodeKey};
use seamline_ir as ir;

/// Words that name a technical layer or nothing in particular, never a domain.
pub const SKIPPED_WORDS: &[&str] = &[
    "route",
    "routes",
    "router",
    "handler",
    "handlers",
    "service",
    "services",
    "repository",
    "repositories",
    "repo",
    "repos",
    "model",
    "models",
    "controller",
    "controllers",
    "api",
    "db",
    "src",
    "mod",
    "lib",
    "main",
    "dto",
    "dtos",
    "entity",
    "entities",
    "domain",
    "infra",
    "infrastructure",
    "web",
    "http",
    "view",
    "views",
    "schema",
    "schemas",
    "store",
    "storage",
    "dao",
    "impl",
    "test",
    "tests",
    "util",
    "utils",
    "helper",
    "helpers",
    "common",
    "shared",
    "core",
    "types",
    "type",
    "data",
    "app",
    "crate",
    "internal",
    "orphan",
    "<orphan>",
    "new",
    "get",
    "set",
    "list",
    "find",
    "save",
    "create",
    "update",
    "delete",
    "by",
    "for",
    "to",
    "from",
    "of",
    "and",
    "the",
    "id",
    "ids",
    "request",
    "response",
    "req",
    "resp",
    "error",
    "errors",
    "job",
    "jobs",
    "client",
    "clients",
    "config",
    "state",
    "manager",
    "mgr",
    "base",
    "default",
    "row",
    "rows",
    "middleware",
    "middlewares",
    "testing",
    "fixture",
    "fixtures",
    "mock",
    "mocks",
];

/// Rust keywords and words that name code rather than a concept (`struct`, `macro`,
/// `code`, `private`): never a context's name.
pub const NOT_CONCEPTS: &[&str] = &[
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "true",
    "for",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "macro",
    "override",
    "priv",
    "typeof",
    "unsized",
    "virtual",
    "yield",
    "try",
    "gen",
    "fn",
    "code",
    "private",
    "public",
    "context",
    "invalid",
    "valid",
    "other",
    "misc",
    "extractor",
    "extractors",
    "generic",
    "wrapper",
    "inner",
    "item",
    "value",
    "result",
    "option",
    "all",
    "path",
    "param",
    "params",
    "init",
    "text",
    "page",
    "postgres",
    "postgre",
    "pagination",
    "paginated",
    "paginate",
    "openapi",
    "swagger",
    "convert",
    "conversion",
    "converter",
    "adapter",
    "compat",
];

/// Layer folders whose children are named after domains rather than entities.
pub const BEHAVIOUR_LAYERS: &[&str] = &[
    "routes",
    "route",
    "handlers",
    "handler",
    "services",
    "service",
    "controllers",
    "controller",
    "api",
    "usecases",
    "use_cases",
    "application",
    "commands",
    "queries",
    "features",
    "modules",
];

/// Singular form of a lowercase word by simple English rules (`categories` -> `category`,
/// `addresses` -> `address`, `orders` -> `order`; `status`, `business` unchanged).
pub fn singular(word: &str) -> String {
    let w = word;
    if w.len() <= 3 {
        return w.to_owned();
    }
    if let Some(stem) = w.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for suffix in ["sses", "shes", "ches", "xes", "zes"] {
        if w.ends_with(suffix) {
            return w[..w.len() - 2].to_owned();
        }
    }
    if w.ends_with("uses") {
        return w[..w.len() - 2].to_owned();
    }
    if w.ends_with("ss") || w.ends_with("us") || w.ends_with("is") {
        return w.to_owned();
    }
    match w.strip_suffix('s') {
        Some(stem) => stem.to_owned(),
        None => w.to_owned(),
    }
}

/// Splits an identifier into lowercase words (`InvoiceLine` -> `invoice`, `line`;
/// `billing_service` -> `billing`, `service`).
pub fn words(ident: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in ident.split(|c: char| !c.is_alphanumeric()) {
        let mut cur = String::new();
        let chars: Vec<char> = part.chars().collect();
        for (i, &ch) in chars.iter().enumerate() {
            let boundary = ch.is_uppercase()
                && i > 0
                && (chars[i - 1].is_lowercase()
                    || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.extend(ch.to_lowercase());
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out.retain(|w| w.chars().any(|c| c.is_alphabetic()));
    out
}

fn meaningful(word: &str) -> Option<String> {
    if SKIPPED_WORDS.contains(&word) || NOT_CONCEPTS.contains(&word) {
        return None;
    }
    let s = singular(word);
    if s.len() < 3 || SKIPPED_WORDS.contains(&s.as_str()) || NOT_CONCEPTS.contains(&s.as_str()) {
        return None;
    }
    Some(s)
}

/// A context's best word takes the compound it sits in (`custom` -> `custom-emoji`,
/// `factor` -> `two-factor`) when that compound carries at least this share of the word's
/// weight there: the word alone is a modifier, the compound is the concept.
const COMPOUND_SHARE: f64 = 0.8;

/// Token weights of one node: single words, and compounds of two adjacent meaningful
/// words of one identifier (`custom_emoji`, `MultiCommunity`).
#[derive(Default)]
struct Tokens {
    words: BTreeMap<String, f64>,
    compounds: BTreeMap<String, f64>,
}

/// Numerals, which make the word they precede a different concept (`two-factor`).
const NUMERALS: &[&str] = &[
    "one", "two", "three", "four", "five", "single", "double", "triple", "multi",
];

/// Whether the compound `a-b` is the concept behind `word`: `word` modifies the head `b`
/// (`custom` of `custom-emoji`), or a numeral modifies `word` (`two-factor`). A head with
/// a plain modifier stays the concept (`click` of `daily-click`).
fn modifies(compound: &str, word: &str) -> bool {
    match compound.split_once('-') {
        Some((a, b)) => a == word || (b == word && NUMERALS.contains(&a)),
        None => false,
    }
}

/// The compounds of two adjacent meaningful words of an identifier.
fn compounds(raw: &str) -> BTreeSet<String> {
    let ws: Vec<Option<String>> = words(raw).iter().map(|w| meaningful(w)).collect();
    ws.windows(2)
        .filter_map(|p| match p {
            [Some(a), Some(b)] if a != b => Some(format!("{a}-{b}")),
            _ => None,
        })
        .collect()
}

fn node_tokens(facts: &ir::Facts, graph: &DepGraph, node: NodeId) -> Tokens {
    let n = graph.node(node);
    let weight = n.code_lines.max(1) as f64;
    let mut res = Tokens::default();
    let mut add = |raw: &str, factor: f64| {
        let tokens: BTreeSet<String> = words(raw).iter().filter_map(|w| meaningful(w)).collect();
        for t in tokens {
            let e = res.words.entry(t).or_default();
            *e = e.max(weight * factor);
        }
        for t in compounds(raw) {
            let e = res.compounds.entry(t).or_default();
            *e = e.max(weight * factor);
        }
    };
    if let Some(m) = facts.modules.get(n.module.index()) {
        let segments: Vec<&str> = m.path.split("::").skip(1).collect();
        for (i, seg) in segments.iter().enumerate() {
            // In a layered monolith `services/inventory.rs` names a domain, while
            // `models/stock.rs` names an entity: segments under a behaviour layer count double.
            let under_behaviour = i > 0 && BEHAVIOUR_LAYERS.contains(&segments[i - 1]);
            add(seg, if under_behaviour { 2.0 } else { 1.0 });
        }
    }
    if let NodeKey::Item(i) = n.key {
        if let Some(it) = facts.items.get(i.index())
            && it.kind.is_model()
        {
            add(&it.name, 1.0);
        }
        // A `table!` names the concept its owner is about: it counts like a model of the
        // size of the code that maps it.
        if let Some(it) = facts.items.get(i.index())
            && it.kind == ir::ItemKind::TableSchema
            && let Some(t) = it.table.and_then(|t| facts.tables.get(t.index()))
        {
            let mapped: u64 = t
                .mapped_by
                .iter()
                .filter_map(|&m| facts.items.get(m.index()))
                .map(|m| u64::from(m.code_lines))
                .sum();
            let w = (weight as u64).max(mapped).max(1) as f64;
            for tok in words(&t.name).iter().filter_map(|x| meaningful(x)) {
                let e = res.words.entry(tok).or_default();
                *e = e.max(w * 2.0);
            }
            for tok in compounds(&t.name) {
                let e = res.compounds.entry(tok).or_default();
                *e = e.max(w * 2.0);
            }
        }
    } else {
        for &i in &n.items {
            if let Some(it) = facts.items.get(i.index())
                && it.kind.is_model()
                && facts.owner_item(i) == i
            {
                let w = u64::from(it.code_lines).max(1) as f64;
                for t in words(&it.name).iter().filter_map(|w| meaningful(w)) {
                    *res.words.entry(t).or_default() += w;
                }
                for t in compounds(&it.name) {
                    *res.compounds.entry(t).or_default() += w;
                }
            }
        }
    }
    res
}

/// Words that name the product rather than a part of it: those in the names of at least
/// half of the codebase's crates (`lemmy` of `lemmy_api`, `lemmy_db_schema`, ...; the one
/// crate's name in a single-crate codebase). A context named after the product says nothing
/// about its domain.
fn product_words(facts: &ir::Facts) -> BTreeSet<String> {
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for krate in &facts.crates {
        let ws: BTreeSet<String> = words(&krate.name).iter().map(|w| singular(w)).collect();
        for w in ws {
            *count.entry(w).or_default() += 1;
        }
    }
    let n = facts.crates.len();
    count
        .into_iter()
        .filter(|&(_, c)| 2 * c >= n)
        .map(|(w, _)| w)
        .collect()
}

/// Names for contexts given as node lists: `declared[c]` is a pinned name to keep. Returns
/// one unique name per context.
pub fn name_contexts(
    facts: &ir::Facts,
    graph: &DepGraph,
    members: &[Vec<NodeId>],
    declared: &[Option<String>],
) -> Vec<String> {
    let k = members.len();
    let mut weights: Vec<BTreeMap<String, f64>> = vec![BTreeMap::new(); k];
    let mut compound: Vec<BTreeMap<String, f64>> = vec![BTreeMap::new(); k];
    let mut total: BTreeMap<String, f64> = BTreeMap::new();
    let mut sizes = vec![0u64; k];
    let product = product_words(facts);
    let is_product = |t: &str| t.split('-').any(|w| product.contains(w));
    // The tokens of every node in parallel (splitting and singularising identifiers is
    // most of the naming), summed in node order below, so the sums never depend on threads.
    let (per_node, written) = rayon::join(
        || {
            members
                .par_iter()
                .map(|nodes| {
                    nodes
                        .iter()
                        .map(|&node| node_tokens(facts, graph, node))
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        },
        || as_written(facts),
    );
    for (c, (nodes, tokens)) in members.iter().zip(per_node).enumerate() {
        for (&node, tokens) in nodes.iter().zip(tokens) {
            sizes[c] += graph.node(node).code_lines.max(1);
            for (t, w) in tokens.words {
                if is_product(&t) {
                    continue;
                }
                *weights[c].entry(t.clone()).or_default() += w;
                *total.entry(t).or_default() += w;
            }
            for (t, w) in tokens.compounds {
                if !is_product(&t) {
                    *compound[c].entry(t).or_default() += w;
                }
            }
        }
    }
    let mut names: Vec<Option<String>> = declared.to_vec();
    names.resize(k, None);
    let mut taken: BTreeSet<String> = names.iter().flatten().cloned().collect();
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by_key(|&c| (std::cmp::Reverse(sizes[c]), c));
    for c in order {
        if names[c].is_some() {
            continue;
        }
        let mut ranked: Vec<(f64, &String)> = weights[c]
            .iter()
            .map(|(t, &w)| (w * w / total[t], t))
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        let name = ranked
            .iter()
            .map(|(_, t)| (*t).clone())
            .find(|t| !taken.contains(t))
            .map(|t| {
                // The compound that carries the word here, if one does.
                let w = weights[c][&t];
                compound[c]
                    .iter()
                    .filter(|&(x, &cw)| {
                        cw >= COMPOUND_SHARE * w && modifies(x, &t) && !taken.contains(x)
                    })
                    .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
                    .map(|(x, _)| x.clone())
                    .unwrap_or(t)
            })
            .or_else(|| {
                // Every concept of this context is taken: pair its two best concepts
                // (`download-queue`), never a number.
                ranked.iter().enumerate().find_map(|(i, (_, a))| {
                    ranked[i + 1..]
                        .iter()
                        .map(|(_, b)| format!("{a}-{b}"))
                        .find(|n| !taken.contains(n))
                })
            })
            .unwrap_or_else(|| fallback_name(facts, graph, &members[c], &taken));
        taken.insert(name.clone());
        names[c] = Some(name);
    }
    let names: Vec<String> = names.into_iter().map(Option::unwrap_or_default).collect();
    let mut used: BTreeSet<String> = names.iter().cloned().collect();
    names
        .into_iter()
        .zip(declared.iter().chain(std::iter::repeat(&None)))
        .map(|(name, pinned)| {
            if pinned.is_some() {
                return name;
            }
            let spelled = name
                .split('-')
                .map(|w| written.get(w).map_or(w, String::as_str))
                .collect::<Vec<_>>()
                .join("-");
            // Names stay unique: a spelling another context holds already is not taken.
            if spelled != name && used.insert(spelled.clone()) {
                spelled
            } else {
                name
            }
        })
        .collect()
}

/// Singular forms no identifier of the codebase spells, each with the word it came from:
/// `namere` of rust-analyzer's `nameres` (name resolution) is no word, and the name keeps
/// the word as the code writes it. A singular the code spells (`order` of `Order` beside
/// `orders`) is kept.
fn as_written(facts: &ir::Facts) -> BTreeMap<String, String> {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for m in &facts.modules {
        for seg in m.path.split("::") {
            seen.extend(words(seg));
        }
    }
    for it in &facts.items {
        seen.extend(words(&it.name));
    }
    for t in &facts.tables {
        seen.extend(words(&t.name));
    }
    let mut out = BTreeMap::new();
    for w in &seen {
        let s = singular(w);
        if s != *w && !seen.contains(&s) {
            out.entry(s).or_insert_with(|| w.clone());
        }
    }
    out
}

/// A name from the context's largest node when no concept is left: the words of its path
/// below the crate root, as many as make it unique (`sync-index`, `admin-sync-index`).
fn fallback_name(
    facts: &ir::Facts,
    graph: &DepGraph,
    nodes: &[NodeId],
    taken: &BTreeSet<String>,
) -> String {
    let mut by_size: Vec<NodeId> = nodes.to_vec();
    by_size.sort_by_key(|&n| (std::cmp::Reverse(graph.node(n).code_lines), n));
    for &n in &by_size {
        let node = graph.node(n);
        let path_words: Vec<String> = node
            .label
            .split("::")
            .skip(1)
            .flat_map(words)
            .filter_map(|w| meaningful(&w))
            .collect();
        for take in 1..=path_words.len() {
            let name = path_words[path_words.len() - take..].join("-");
            if !name.is_empty() && !taken.contains(&name) {
                return name;
            }
        }
    }
    // Only reachable when every path word of every node is taken: the crate's name, with
    // as much of the largest node's path as makes it unique.
    let first = by_size.first().map(|&n| graph.node(n));
    let krate = first
        .and_then(|n| facts.modules.get(n.module.index()))
        .and_then(|m| m.path.split("::").next())
        .unwrap_or("app");
    let mut name = krate.replace('_', "-");
    for w in first
        .map(|n| {
            n.label
                .split("::")
                .skip(1)
                .flat_map(words)
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    {
        if !taken.contains(&name) {
            break;
        }
        name = format!("{name}-{w}");
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_split_and_singularised() {
        assert_eq!(words("InvoiceLine"), vec!["invoice", "line"]);
        assert_eq!(words("billing_service"), vec!["billing", "service"]);
        assert_eq!(words("HTTPServer"), vec!["http", "server"]);
        assert_eq!(singular("categories"), "category");
        assert_eq!(singular("addresses"), "address");
        assert_eq!(singular("orders"), "order");
        assert_eq!(singular("status"), "status");
        assert_eq!(singular("statuses"), "status");
        assert_eq!(meaningful("repositories"), None);
        assert_eq!(meaningful("payments"), Some("payment".to_owned()));
    }

    /// Helpers every API layer has are no domain: on crates.io the version controllers were
    /// named `pagination` after the helper they all call, and an 89-line module `openapi`.
    #[test]
    fn api_plumbing_names_no_context() {
        for w in ["pagination", "paginated", "openapi", "swagger"] {
            assert_eq!(meaningful(w), None, "{w}");
        }
    }
}
