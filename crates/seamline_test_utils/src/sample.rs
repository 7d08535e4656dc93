//! Hand-built inputs for tests, examples and report previews: a [`FactsBuilder`] that keeps
//! the [`ir::Facts`] invariants (sorted vectors, ids equal to indices), a [`measure`] that
//! turns a module -> context assignment into a [`Proposal`] with the metrics the plan reads,
//! and [`shop`], a realistic small shop with four contexts, a cycle, shared models and shared
//! tables.
//!
//! `measure` labels the item graph with the assignment and measures it with the clustering
//! stage's own [`ContextMap`] (crossings, context edges with evidence, cycles, shared models
//! and tables, table owners, Ca/Ce); the modularity is taken as given.

use seamline_cluster::contexts::{
    Context, ContextId, ContextMap, ContextMetrics, Measures, PlanMetrics, Proposal, Provenance,
};
use seamline_ir as ir;
use std::collections::BTreeMap;

/// A field of an item under construction.
#[derive(Debug, Clone)]
struct FieldSpec {
    name: String,
    ty: String,
    refs: Vec<String>,
    is_id: bool,
    line: u32,
}

#[derive(Debug, Clone)]
struct ItemSpec {
    module: String,
    name: String,
    path: String,
    kind: ir::ItemKind,
    line: u32,
    lines: u32,
    parent: Option<String>,
    signature: Option<String>,
    fields: Vec<FieldSpec>,
    table: Option<String>,
}

/// Builds [`ir::Facts`] from names, then sorts everything and assigns ids.
#[derive(Debug, Clone, Default)]
pub struct FactsBuilder {
    krate: String,
    modules: Vec<(String, String, u32)>,
    items: Vec<ItemSpec>,
    tables: Vec<(String, Option<(String, u32)>)>,
    accesses: Vec<(String, Option<String>, String, ir::AccessMode, u32, u32)>,
    references: Vec<(String, Option<String>, String, ir::DepKind, u32, u32)>,
    externals: Vec<(String, String, u32, u32)>,
    diagnostics: usize,
}

impl FactsBuilder {
    /// A builder for one crate named `krate`.
    pub fn new(krate: &str) -> FactsBuilder {
        FactsBuilder {
            krate: krate.to_owned(),
            ..FactsBuilder::default()
        }
    }

    /// Adds a module (`shop::orders`) backed by `file` with `code_lines` lines of code.
    pub fn module(&mut self, path: &str, file: &str, code_lines: u32) -> &mut Self {
        self.modules
            .push((path.to_owned(), file.to_owned(), code_lines));
        self
    }

    /// Adds an item at `line` of its module's file; returns its path. Methods pass their
    /// type's path as `parent`.
    pub fn item(
        &mut self,
        module: &str,
        name: &str,
        kind: ir::ItemKind,
        line: u32,
        parent: Option<&str>,
    ) -> String {
        let path = match parent {
            Some(p) => format!("{p}::{name}"),
            None => format!("{module}::{name}"),
        };
        self.items.push(ItemSpec {
            module: module.to_owned(),
            name: name.to_owned(),
            path: path.clone(),
            kind,
            line,
            lines: 5,
            parent: parent.map(str::to_owned),
            signature: None,
            fields: Vec::new(),
            table: None,
        });
        path
    }

    fn spec(&mut self, item: &str) -> &mut ItemSpec {
        self.items
            .iter_mut()
            .find(|i| i.path == item)
            .unwrap_or_else(|| panic!("sample: no item {item}"))
    }

    /// Sets the signature of an item.
    pub fn signature(&mut self, item: &str, signature: &str) -> &mut Self {
        self.spec(item).signature = Some(signature.to_owned());
        self
    }

    /// Adds a field to an item; `refs` are item paths its type names.
    pub fn field(
        &mut self,
        item: &str,
        name: &str,
        ty: &str,
        refs: &[&str],
        is_id: bool,
        line: u32,
    ) -> &mut Self {
        self.spec(item).fields.push(FieldSpec {
            name: name.to_owned(),
            ty: ty.to_owned(),
            refs: refs.iter().map(|s| (*s).to_owned()).collect(),
            is_id,
            line,
        });
        self
    }

    /// Maps an item onto a table (which must be added with [`FactsBuilder::table`]).
    pub fn maps(&mut self, item: &str, table: &str) -> &mut Self {
        self.spec(item).table = Some(table.to_owned());
        self
    }

    /// Adds a table, declared in `defined_in` (module, line) if given.
    pub fn table(&mut self, name: &str, defined_in: Option<(&str, u32)>) -> &mut Self {
        self.tables
            .push((name.to_owned(), defined_in.map(|(m, l)| (m.to_owned(), l))));
        self
    }

    /// Adds a table access from code in `module` (inside `item`, if given).
    pub fn access(
        &mut self,
        module: &str,
        item: Option<&str>,
        table: &str,
        mode: ir::AccessMode,
        count: u32,
        line: u32,
    ) -> &mut Self {
        self.accesses.push((
            module.to_owned(),
            item.map(str::to_owned),
            table.to_owned(),
            mode,
            count,
            line,
        ));
        self
    }

    /// Adds a reference from code in `module` (inside `item`, if given) to the item `to`.
    pub fn reference(
        &mut self,
        module: &str,
        item: Option<&str>,
        to: &str,
        kind: ir::DepKind,
        count: u32,
        line: u32,
    ) -> &mut Self {
        self.references.push((
            module.to_owned(),
            item.map(str::to_owned),
            to.to_owned(),
            kind,
            count,
            line,
        ));
        self
    }

    /// Adds references from `module` to an external crate root.
    pub fn external(&mut self, module: &str, root: &str, count: u32, line: u32) -> &mut Self {
        self.externals
            .push((module.to_owned(), root.to_owned(), count, line));
        self
    }

    /// Adds `n` placeholder diagnostics (notes), to exercise their display.
    pub fn diagnostics(&mut self, n: usize) -> &mut Self {
        self.diagnostics = n;
        self
    }

    /// Sorts everything, assigns ids and returns the facts. Panics on a dangling name: this
    /// is test-only input.
    pub fn build(&self) -> ir::Facts {
        let mut facts = ir::Facts {
            root: self.krate.clone(),
            ..ir::Facts::default()
        };
        // Files.
        let mut file_lines: BTreeMap<&str, u32> = BTreeMap::new();
        for (_, f, lines) in &self.modules {
            *file_lines.entry(f.as_str()).or_default() += lines;
        }
        let file_id: BTreeMap<&str, ir::FileId> = file_lines
            .keys()
            .enumerate()
            .map(|(i, f)| (*f, ir::FileId(i as u32)))
            .collect();
        // Modules.
        let mut modules = self.modules.clone();
        modules.sort();
        let module_id: BTreeMap<&str, ir::ModuleId> = modules
            .iter()
            .enumerate()
            .map(|(i, m)| (m.0.as_str(), ir::ModuleId(i as u32)))
            .collect();
        let module_file: BTreeMap<&str, ir::FileId> = modules
            .iter()
            .map(|m| (m.0.as_str(), file_id[m.1.as_str()]))
            .collect();
        facts.crates.push(ir::Crate {
            id: ir::CrateId(0),
            name: self.krate.clone(),
            package: Some(self.krate.clone()),
            manifest: Some("Cargo.toml".to_owned()),
            kind: ir::CrateKind::Lib,
            root_file: file_id.get("src/lib.rs").copied(),
            root_module: module_id.get(self.krate.as_str()).copied(),
            deps: Vec::new(),
        });
        for (path, lines) in &file_lines {
            let id = file_id[path];
            facts.files.push(ir::SourceFile {
                id,
                path: (*path).to_owned(),
                krate: Some(ir::CrateId(0)),
                module: modules
                    .iter()
                    .find(|m| m.1 == *path)
                    .map(|m| module_id[m.0.as_str()]),
                lines: lines + lines / 5,
                code_lines: *lines,
                bytes: u64::from(*lines) * 32,
                analysed: true,
                orphan: false,
            });
        }
        // Items, sorted by (module, line, name).
        let mut items = self.items.clone();
        items.sort_by(|a, b| {
            (module_id[a.module.as_str()], a.line, &a.name).cmp(&(
                module_id[b.module.as_str()],
                b.line,
                &b.name,
            ))
        });
        let item_id: BTreeMap<&str, ir::ItemId> = items
            .iter()
            .enumerate()
            .map(|(i, it)| (it.path.as_str(), ir::ItemId(i as u32)))
            .collect();
        let mut tables = self.tables.clone();
        tables.sort();
        let table_id: BTreeMap<&str, ir::TableId> = tables
            .iter()
            .enumerate()
            .map(|(i, t)| (t.0.as_str(), ir::TableId(i as u32)))
            .collect();
        let lookup = |p: &str| -> ir::ItemId {
            *item_id
                .get(p)
                .unwrap_or_else(|| panic!("sample: no item {p}"))
        };
        for (m_path, file, lines) in &modules {
            let parent = m_path
                .rsplit_once("::")
                .and_then(|(p, _)| module_id.get(p).copied());
            let id = module_id[m_path.as_str()];
            facts.modules.push(ir::Module {
                id,
                path: m_path.clone(),
                krate: ir::CrateId(0),
                file: file_id[file.as_str()],
                parent,
                inline: false,
                span: ir::LineSpan {
                    start: 1,
                    end: lines + lines / 5,
                },
                code_lines: *lines,
                items: items
                    .iter()
                    .filter(|it| it.module == *m_path)
                    .map(|it| item_id[it.path.as_str()])
                    .collect(),
            });
        }
        for (i, it) in items.iter().enumerate() {
            let file = module_file[it.module.as_str()];
            let mut fields: Vec<ir::Field> = it
                .fields
                .iter()
                .map(|f| {
                    let mut refs: Vec<ir::ItemId> = f.refs.iter().map(|r| lookup(r)).collect();
                    refs.sort();
                    refs.dedup();
                    ir::Field {
                        name: f.name.clone(),
                        ty: f.ty.clone(),
                        refs,
                        is_id: f.is_id,
                        line: f.line,
                    }
                })
                .collect();
            fields.sort_by_key(|f| f.line);
            facts.items.push(ir::Item {
                id: ir::ItemId(i as u32),
                name: it.name.clone(),
                path: it.path.clone(),
                module: module_id[it.module.as_str()],
                kind: it.kind,
                visibility: ir::Visibility::Public,
                location: ir::Location {
                    file,
                    line: it.line,
                    col: 1,
                },
                span: ir::LineSpan {
                    start: it.line,
                    end: it.line + it.lines,
                },
                code_lines: it.lines,
                parent: it.parent.as_deref().map(lookup),
                implements: None,
                signature: it.signature.clone(),
                derives: Vec::new(),
                fields,
                table: it.table.as_deref().map(|t| table_id[t]),
            });
        }
        for (i, (name, def)) in tables.iter().enumerate() {
            let id = ir::TableId(i as u32);
            let mut mapped_by: Vec<ir::ItemId> = facts
                .items
                .iter()
                .filter(|it| it.table == Some(id))
                .map(|it| it.id)
                .collect();
            mapped_by.sort();
            facts.tables.push(ir::Table {
                id,
                name: name.clone(),
                columns: Vec::new(),
                defined_in: def.as_ref().map(|(m, line)| ir::TableDefinition {
                    module: module_id[m.as_str()],
                    item: None,
                    location: ir::Location {
                        file: module_file[m.as_str()],
                        line: *line,
                        col: 1,
                    },
                }),
                mapped_by,
            });
        }
        let loc = |m: &str, line: u32| ir::Location {
            file: module_file[m],
            line,
            col: 5,
        };
        for (m, item, table, mode, count, line) in &self.accesses {
            facts.table_accesses.push(ir::TableAccess {
                module: module_id[m.as_str()],
                item: item.as_deref().map(lookup),
                table: table_id[table.as_str()],
                mode: *mode,
                via: ir::AccessVia::Sql,
                count: *count,
                first: loc(m, *line),
            });
        }
        for (m, item, to, kind, count, line) in &self.references {
            facts.references.push(ir::Reference {
                from_module: module_id[m.as_str()],
                from_item: item.as_deref().map(lookup),
                to: lookup(to),
                kind: *kind,
                count: *count,
                first: loc(m, *line),
            });
        }
        facts
            .references
            .sort_by_key(|r| (r.from_module, r.from_item, r.to, r.kind));
        for (m, root, count, line) in &self.externals {
            facts.external.push(ir::ExternalRef {
                module: module_id[m.as_str()],
                root: root.clone(),
                count: *count,
                first: loc(m, *line),
            });
        }
        facts
            .external
            .sort_by(|a, b| (a.module, &a.root).cmp(&(b.module, &b.root)));
        for i in 0..self.diagnostics {
            facts.diagnostics.push(ir::Diagnostic {
                file: file_id.keys().next().map(|f| (*f).to_owned()),
                line: 1 + i as u32,
                col: 1,
                code: ir::DiagCode::MacroBodySkipped,
                severity: ir::Severity::Note,
                message: "a macro body was scanned as text".to_owned(),
            });
        }
        facts
    }
}

/// Which module (and, optionally, which item) goes to which context.
#[derive(Debug, Clone)]
pub struct Assignment {
    /// Context name -> module paths.
    pub contexts: Vec<(String, Vec<String>)>,
    /// Module paths of the shared kernel.
    pub kernel: Vec<String>,
    /// Items placed in another context than their module's: (item path, context name).
    pub item_overrides: Vec<(String, String)>,
    /// The modularity Q to report.
    pub modularity: f64,
}

/// Computes a [`Proposal`] from an assignment: contexts sorted by name, item contexts (methods
/// follow their type), context edges with evidence, cycles (strongly connected components),
/// shared models and tables, and per-context metrics.
pub fn measure(facts: &ir::Facts, a: &Assignment) -> Proposal {
    let mut names: Vec<&str> = a.contexts.iter().map(|(n, _)| n.as_str()).collect();
    names.sort();
    let ctx_of_name = |n: &str| -> ContextId {
        ContextId(names.iter().position(|x| *x == n).expect("sample: context") as u32)
    };
    let module_by_path: BTreeMap<&str, ir::ModuleId> = facts
        .modules
        .iter()
        .map(|m| (m.path.as_str(), m.id))
        .collect();
    let mut module_context: Vec<Option<ContextId>> = vec![None; facts.modules.len()];
    for (name, modules) in &a.contexts {
        for m in modules {
            module_context[module_by_path[m.as_str()].index()] = Some(ctx_of_name(name));
        }
    }
    let overrides: BTreeMap<&str, ContextId> = a
        .item_overrides
        .iter()
        .map(|(i, c)| (i.as_str(), ctx_of_name(c)))
        .collect();
    let mut item_context: Vec<Option<ContextId>> = facts
        .items
        .iter()
        .map(|it| {
            overrides
                .get(it.path.as_str())
                .copied()
                .or(module_context[it.module.index()])
        })
        .collect();
    for it in &facts.items {
        let owner = facts.owner_item(it.id);
        if owner != it.id {
            item_context[it.id.index()] = item_context[owner.index()];
        }
    }
    // The crossings and what follows from them: the clustering stage's own context map, on
    // the graph labelled with the assignment (the module graph, where every module has a
    // node, unless items are placed apart from their module).
    let granularity = if a.item_overrides.is_empty() {
        seamline_graph::Granularity::Module
    } else {
        seamline_graph::Granularity::Item
    };
    let graph = seamline_graph::DepGraph::build(
        facts,
        &seamline_graph::GraphOptions::standard(granularity),
    );
    let node_context: Vec<Option<u32>> = graph
        .node_ids()
        .map(|n| match graph.node(n).key {
            seamline_graph::NodeKey::Item(i) => item_context[i.index()].map(|c| c.0),
            seamline_graph::NodeKey::Module(m) => module_context[m.index()].map(|c| c.0),
        })
        .collect();
    let map = ContextMap::new(facts, &graph, &node_context);
    let code_ctx = |m: ir::ModuleId, i: Option<ir::ItemId>| map.code_context(m, i);
    let Measures {
        context_edges,
        cycles,
        shared_models,
        shared_tables,
        mut interface,
        afferent,
        efferent,
    } = map.measure(facts, names.len());

    // Contexts and their metrics.
    let mut contexts = Vec::new();
    for (ci, name) in names.iter().enumerate() {
        let id = ContextId(ci as u32);
        let modules: Vec<ir::ModuleId> = facts
            .modules
            .iter()
            .filter(|m| map.module_context[m.id.index()] == Some(id))
            .map(|m| m.id)
            .collect();
        let items: Vec<ir::ItemId> = facts
            .items
            .iter()
            .filter(|it| map.item_context[it.id.index()] == Some(id))
            .map(|it| it.id)
            .collect();
        let (afferent, efferent) = (afferent[ci].len(), efferent[ci].len());
        let out_w: u32 = context_edges
            .iter()
            .filter(|e| e.from == id)
            .map(|e| e.counts.iter().sum::<u32>())
            .sum();
        let internal: u32 = facts
            .references
            .iter()
            .filter(|r| {
                code_ctx(r.from_module, r.from_item) == Some(id)
                    && map.item_context[r.to.index()] == Some(id)
            })
            .map(|r| r.count)
            .sum();
        let interface = std::mem::take(&mut interface[ci]);
        let owned_models = items
            .iter()
            .copied()
            .filter(|&i| facts.items[i.index()].kind.is_model())
            .collect();
        let owned_tables = facts
            .tables
            .iter()
            .filter(|t| map.table_owner(t.id) == Some(id))
            .map(|t| t.id)
            .collect();
        let code_lines = modules
            .iter()
            .map(|m| u64::from(facts.modules[m.index()].code_lines))
            .sum();
        let size = items.iter().filter(|&&i| facts.owner_item(i) == i).count();
        let pairs = (items.len() * items.len().saturating_sub(1)).max(1);
        contexts.push(Context {
            id,
            name: (*name).to_owned(),
            declared: false,
            metrics: ContextMetrics {
                modules: modules.len(),
                items: items.len(),
                size,
                code_lines,
                cohesion: (f64::from(internal) / pairs as f64).min(1.0),
                coupling: if internal + out_w == 0 {
                    0.0
                } else {
                    f64::from(out_w) / f64::from(internal + out_w)
                },
                afferent,
                efferent,
                instability: if afferent + efferent == 0 {
                    0.0
                } else {
                    efferent as f64 / (afferent + efferent) as f64
                },
                interface,
                owned_models,
                owned_tables,
                endpoints: items
                    .iter()
                    .copied()
                    .filter(|&i| seamline_cluster::contexts::is_endpoint(facts, i))
                    .collect(),
            },
            modules,
            items,
        });
    }

    let kernel_modules: Vec<ir::ModuleId> = {
        let mut v: Vec<ir::ModuleId> = a
            .kernel
            .iter()
            .map(|m| module_by_path[m.as_str()])
            .collect();
        v.sort();
        v
    };
    // NED: the share of owner items in contexts of extreme size (the cluster crate's bounds).
    let total_size: usize = contexts.iter().map(|c| c.metrics.size).sum();
    let (lo, hi) = seamline_cluster::contexts::ned_bounds(total_size);
    let extreme: usize = contexts
        .iter()
        .map(|c| c.metrics.size)
        .filter(|&s| s < lo || s > hi)
        .sum();
    Proposal {
        constraint_notes: Vec::new(),
        possibly_dead: Vec::new(),
        kernel_reasons: kernel_modules
            .iter()
            .map(|_| "used by every context and depends on none".to_owned())
            .collect(),
        kernel_modules,
        contexts,
        map,
        provenance: Provenance {
            granularity: seamline_cluster::contexts::Granularity::Module,
            algorithm: seamline_cluster::contexts::Method::HandMade,
            resolution: 1.0,
            seed: 0,
            objective: a.modularity,
            runs: 1,
        },
        metrics: PlanMetrics {
            modularity: a.modularity,
            structural_modularity: a.modularity * 0.8,
            inter_call_percentage: 0.0,
            interface_number: 0.0,
            non_extreme_distribution: if total_size == 0 {
                0.0
            } else {
                extreme as f64 / total_size as f64
            },
            shared_models,
            shared_tables,
            context_edges,
            cycles,
        },
    }
}

/// A small online shop, by hand: catalog, ordering, billing and shipping, plus a kernel.
///
/// - ordering and billing form a cycle: ordering calls `charge` and embeds `Invoice`;
///   billing calls back `mark_paid` (a notification: it returns nothing).
/// - `Order` is shared: billing takes the whole `Order` in `Invoice.order`, shipping holds
///   only `Shipment.order_id`; `Product` is embedded in `OrderLine.product`.
/// - the `orders` table is read by billing and (hot) by shipping; ordering writes `products`
///   (stock), which catalog owns: it creates the products and reads them most.
/// - `refund` belongs to billing but sits in ordering's file.
///
/// `scale` multiplies the lines of code (1 gives about 24k lines).
pub fn shop(scale: u32) -> (ir::Facts, Proposal) {
    use ir::AccessMode::{Read, Write};
    use ir::DepKind::{Call, Import, Type};
    use ir::ItemKind as K;
    let mut b = FactsBuilder::new("shop");
    b.module("shop", "src/lib.rs", 40 * scale)
        .module("shop::billing", "src/billing/mod.rs", 3_200 * scale)
        .module(
            "shop::billing::invoice",
            "src/billing/invoice.rs",
            2_100 * scale,
        )
        .module("shop::catalog", "src/catalog.rs", 5_400 * scale)
        .module("shop::orders", "src/orders/mod.rs", 6_300 * scale)
        .module("shop::orders::cart", "src/orders/cart.rs", 2_900 * scale)
        .module("shop::shipping", "src/shipping.rs", 3_800 * scale)
        .module("shop::util", "src/util.rs", 600 * scale);

    // Kernel.
    let money = b.item("shop::util", "Money", K::Struct, 3, None);
    let now = b.item("shop::util", "now", K::Function, 20, None);
    b.signature(&now, "fn now() -> DateTime<Utc>");

    // Catalog.
    let product_id = b.item("shop::catalog", "ProductId", K::Struct, 8, None);
    let product = b.item("shop::catalog", "Product", K::Struct, 12, None);
    b.field(&product, "id", "ProductId", &[&product_id], true, 13)
        .field(&product, "name", "String", &[], false, 14)
        .field(&product, "price", "Money", &[&money], false, 15)
        .field(&product, "stock", "u32", &[], false, 16)
        .maps(&product, "products");
    let category = b.item("shop::catalog", "Category", K::Enum, 30, None);
    let cache = b.item("shop::catalog", "PRICE_CACHE", K::Static, 44, None);
    let find = b.item("shop::catalog", "find_product", K::Function, 60, None);
    b.signature(&find, "fn find_product(id: ProductId) -> Option<Product>");
    let add_product = b.item("shop::catalog", "add_product", K::Function, 110, None);
    b.signature(
        &add_product,
        "fn add_product(product: Product) -> ProductId",
    );
    let list = b.item("shop::catalog", "list_products", K::Function, 90, None);
    b.signature(
        &list,
        "fn list_products(category: Category) -> Vec<Product>",
    );

    // Ordering.
    let order_id = b.item("shop::orders", "OrderId", K::Struct, 10, None);
    let order = b.item("shop::orders", "Order", K::Struct, 14, None);
    let order_line = b.item("shop::orders", "OrderLine", K::Struct, 24, None);
    let invoice = "shop::billing::invoice::Invoice";
    b.field(&order, "id", "OrderId", &[&order_id], true, 15)
        .field(&order, "customer_id", "Uuid", &[], true, 16)
        .field(&order, "lines", "Vec<OrderLine>", &[&order_line], false, 17)
        .field(&order, "invoice", "Option<Invoice>", &[invoice], false, 18)
        .field(&order, "total", "Money", &[&money], false, 19)
        .maps(&order, "orders");
    b.field(&order_line, "product", "Product", &[&product], false, 25)
        .field(&order_line, "quantity", "u32", &[], false, 26);
    let place = b.item("shop::orders", "place_order", K::Function, 40, None);
    b.signature(
        &place,
        "fn place_order(cart: &Cart) -> Result<Order, OrderError>",
    );
    let mark_paid = b.item("shop::orders", "mark_paid", K::Function, 80, None);
    b.signature(
        &mark_paid,
        "fn mark_paid(order_id: OrderId, at: DateTime<Utc>)",
    );
    let order_total = b.item("shop::orders", "total", K::Method, 100, Some(&order));
    b.signature(&order_total, "fn total(&self) -> Money");
    let refund = b.item("shop::orders", "refund", K::Function, 120, None);
    b.signature(
        &refund,
        "fn refund(order: &Order, reason: &str) -> Result<Refund, PaymentError>",
    );
    let cart = b.item("shop::orders::cart", "Cart", K::Struct, 5, None);
    b.field(
        &cart,
        "items",
        "Vec<(ProductId, u32)>",
        &[&product_id],
        true,
        6,
    );
    let add = b.item("shop::orders::cart", "add", K::Method, 20, Some(&cart));
    b.signature(&add, "fn add(&mut self, product: ProductId, quantity: u32)");

    // Billing.
    let invoice = b.item("shop::billing::invoice", "Invoice", K::Struct, 6, None);
    b.field(&invoice, "id", "InvoiceId", &[], true, 7)
        .field(&invoice, "order", "Order", &[&order], false, 8)
        .field(&invoice, "amount", "Money", &[&money], false, 9)
        .maps(&invoice, "invoices");
    let payment = b.item("shop::billing", "Payment", K::Struct, 12, None);
    b.field(&payment, "order_id", "OrderId", &[&order_id], true, 13)
        .field(&payment, "amount", "Money", &[&money], false, 14);
    let charge = b.item("shop::billing", "charge", K::Function, 30, None);
    b.signature(
        &charge,
        "fn charge(order: &Order, card: &CardToken) -> Result<Invoice, PaymentError>",
    );
    let on_paid = b.item(
        "shop::billing",
        "on_payment_confirmed",
        K::Function,
        70,
        None,
    );
    b.signature(&on_paid, "fn on_payment_confirmed(payment: &Payment)");

    // Shipping.
    let shipment = b.item("shop::shipping", "Shipment", K::Struct, 8, None);
    b.field(&shipment, "order_id", "OrderId", &[&order_id], true, 9)
        .field(&shipment, "address", "Address", &[], false, 10)
        .maps(&shipment, "shipments");
    let ship = b.item("shop::shipping", "ship", K::Function, 30, None);
    b.signature(
        &ship,
        "fn ship(order_id: OrderId) -> Result<Shipment, ShippingError>",
    );
    let track = b.item("shop::shipping", "track", K::Function, 70, None);
    b.signature(&track, "fn track(shipment: &Shipment) -> TrackingStatus");

    b.table("invoices", None)
        .table("orders", None)
        .table("products", None)
        .table("shipments", None);

    // References.
    b.reference("shop::orders", None, &find, Import, 1, 3)
        .reference("shop::orders", Some(&place), &find, Call, 3, 44)
        .reference("shop::orders", Some(&place), &charge, Call, 2, 52)
        .reference("shop::orders", None, &charge, Import, 1, 4)
        .reference("shop::orders", Some(&order), invoice.as_str(), Type, 1, 18)
        .reference("shop::orders", Some(&order_line), &product, Type, 1, 25)
        .reference("shop::orders", Some(&order), &money, Type, 1, 19)
        .reference("shop::orders", Some(&order_total), &now, Call, 1, 101)
        .reference("shop::orders", Some(&refund), &order, Type, 1, 120)
        .reference("shop::orders::cart", Some(&cart), &product_id, Type, 1, 6)
        .reference("shop::orders::cart", Some(&add), &find, Call, 1, 22)
        .reference("shop::orders", Some(&place), &cart, Type, 1, 40)
        .reference("shop::orders", Some(&mark_paid), &order_id, Type, 1, 80)
        .reference("shop::orders", Some(&place), &order, Call, 4, 45)
        .reference("shop::billing::invoice", Some(&invoice), &order, Type, 1, 8)
        .reference("shop::billing", Some(&charge), &order, Type, 1, 30)
        .reference("shop::billing", Some(&on_paid), &mark_paid, Call, 1, 74)
        .reference("shop::billing", Some(&charge), &invoice, Call, 2, 33)
        .reference("shop::billing", Some(&payment), &order_id, Type, 1, 13)
        .reference("shop::orders", Some(&refund), &charge, Call, 1, 121)
        .reference("shop::shipping", Some(&shipment), &order_id, Type, 1, 9)
        .reference("shop::shipping", Some(&ship), &find, Call, 2, 35)
        .reference("shop::shipping", Some(&track), &now, Call, 1, 72)
        .reference("shop::catalog", Some(&list), &category, Type, 1, 90)
        .reference("shop::catalog", Some(&find), &cache, Call, 1, 62)
        .reference("shop::catalog", Some(&product), &money, Type, 1, 15);
    // Table accesses.
    b.access("shop::catalog", Some(&find), "products", Read, 2, 63)
        .access("shop::catalog", Some(&list), "products", Read, 1, 92)
        .access(
            "shop::catalog",
            Some(&add_product),
            "products",
            Write,
            2,
            112,
        )
        .access("shop::orders", Some(&place), "orders", Write, 2, 48)
        .access("shop::orders", Some(&place), "products", Write, 1, 50)
        .access("shop::orders", Some(&mark_paid), "orders", Write, 1, 82)
        .access("shop::billing", Some(&charge), "invoices", Write, 1, 36)
        .access("shop::billing", Some(&charge), "orders", Read, 2, 31)
        .access("shop::shipping", Some(&ship), "orders", Read, 12, 32)
        .access("shop::shipping", Some(&ship), "shipments", Write, 1, 40);
    // External crates.
    b.external("shop::catalog", "sqlx", 9, 1)
        .external("shop::catalog", "serde", 4, 2)
        .external("shop::orders", "sqlx", 14, 1)
        .external("shop::orders", "axum", 6, 2)
        .external("shop::orders", "std", 30, 1)
        .external("shop::billing", "sqlx", 5, 1)
        .external("shop::billing", "reqwest", 3, 2)
        .external("shop::billing", "lapin", 2, 3)
        .external("shop::shipping", "sqlx", 4, 1)
        .external("shop::shipping", "lettre", 2, 2)
        .external("shop::shipping", "redis", 3, 3);
    b.diagnostics(2);
    let facts = b.build();
    let assignment = Assignment {
        contexts: vec![
            ("catalog".to_owned(), vec!["shop::catalog".to_owned()]),
            (
                "ordering".to_owned(),
                vec!["shop::orders".to_owned(), "shop::orders::cart".to_owned()],
            ),
            (
                "billing".to_owned(),
                vec![
                    "shop::billing".to_owned(),
                    "shop::billing::invoice".to_owned(),
                ],
            ),
            ("shipping".to_owned(), vec!["shop::shipping".to_owned()]),
        ],
        kernel: vec!["shop".to_owned(), "shop::util".to_owned()],
        item_overrides: vec![(refund, "billing".to_owned())],
        modularity: 0.41,
    };
    let proposal = measure(&facts, &assignment);
    (facts, proposal)
}
