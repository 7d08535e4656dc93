//! Test support: a builder for small hand-made [`ir::Facts`], so that graph and clustering
//! tests do not need the frontend. Ids are renumbered in [`FactsBuilder::finish`] so that the
//! result satisfies [`ir::Facts::validate`] (files and modules sorted by path, items by
//! module, line and name, tables by name).

use seamline_ir as ir;

/// Builds [`ir::Facts`] by hand. Ids returned by the builder are provisional; use
/// [`FactsBuilder::finish`] and look things up by path in the result.
#[derive(Debug, Clone)]
pub struct FactsBuilder {
    facts: ir::Facts,
    next_line: Vec<u32>,
}

impl FactsBuilder {
    /// An empty codebase with one library crate.
    pub fn new(krate: &str) -> Self {
        let mut facts = ir::Facts {
            root: ".".to_owned(),
            ..ir::Facts::default()
        };
        facts.crates.push(ir::Crate {
            id: ir::CrateId(0),
            name: krate.to_owned(),
            package: Some(krate.to_owned()),
            manifest: Some("Cargo.toml".to_owned()),
            kind: ir::CrateKind::Lib,
            root_file: None,
            root_module: None,
            deps: Vec::new(),
        });
        FactsBuilder {
            facts,
            next_line: Vec::new(),
        }
    }

    /// A file-backed module `path` (`shop::billing`) in `file` (`src/billing.rs`) with
    /// `code_lines` lines of its own. Its parent is the module whose path is the longest
    /// prefix, if declared earlier.
    pub fn module(&mut self, path: &str, file: &str, code_lines: u32) -> ir::ModuleId {
        let file_id = ir::FileId(self.facts.files.len() as u32);
        self.facts.files.push(ir::SourceFile {
            id: file_id,
            path: file.to_owned(),
            krate: Some(ir::CrateId(0)),
            module: None,
            lines: code_lines,
            code_lines,
            bytes: u64::from(code_lines) * 30,
            analysed: true,
            orphan: false,
        });
        let id = ir::ModuleId(self.facts.modules.len() as u32);
        self.facts.files[file_id.index()].module = Some(id);
        let parent = path
            .rsplit_once("::")
            .and_then(|(p, _)| self.facts.modules.iter().find(|m| m.path == p))
            .map(|m| m.id);
        self.facts.modules.push(ir::Module {
            id,
            path: path.to_owned(),
            krate: ir::CrateId(0),
            file: file_id,
            parent,
            inline: false,
            span: ir::LineSpan {
                start: 1,
                end: code_lines.max(1),
            },
            code_lines,
            items: Vec::new(),
        });
        self.next_line.push(1);
        id
    }

    /// An item declared in `module`, `code_lines` long; `parent` for methods (the impl or
    /// trait) and impl blocks (the self type).
    pub fn item(
        &mut self,
        module: ir::ModuleId,
        name: &str,
        kind: ir::ItemKind,
        code_lines: u32,
        parent: Option<ir::ItemId>,
    ) -> ir::ItemId {
        let id = ir::ItemId(self.facts.items.len() as u32);
        let line = self.next_line[module.index()];
        self.next_line[module.index()] += code_lines.max(1);
        let m = &self.facts.modules[module.index()];
        let path = match (kind, parent) {
            (ir::ItemKind::Method, Some(p)) => {
                let owner = &self.facts.items[p.index()];
                let ty = match owner.kind {
                    ir::ItemKind::Impl => owner
                        .parent
                        .map(|t| self.facts.items[t.index()].name.clone())
                        .unwrap_or_else(|| owner.name.clone()),
                    _ => owner.name.clone(),
                };
                format!("{}::{ty}::{name}", m.path)
            }
            (ir::ItemKind::Impl, _) => format!("{}::<{name}>", m.path),
            _ => format!("{}::{name}", m.path),
        };
        let location = ir::Location {
            file: m.file,
            line,
            col: 1,
        };
        self.facts.modules[module.index()].items.push(id);
        self.facts.items.push(ir::Item {
            id,
            name: name.to_owned(),
            path,
            module,
            kind,
            visibility: ir::Visibility::Public,
            location,
            span: ir::LineSpan {
                start: line,
                end: line + code_lines.max(1) - 1,
            },
            code_lines,
            parent,
            implements: None,
            signature: None,
            derives: Vec::new(),
            fields: Vec::new(),
            table: None,
        });
        id
    }

    /// A struct with an inherent impl holding the given methods; returns the struct, the
    /// impl and the methods.
    pub fn model(
        &mut self,
        module: ir::ModuleId,
        name: &str,
        methods: &[&str],
    ) -> (ir::ItemId, ir::ItemId, Vec<ir::ItemId>) {
        let strukt = self.item(module, name, ir::ItemKind::Struct, 5, None);
        let imp = self.item(
            module,
            &format!("impl {name}"),
            ir::ItemKind::Impl,
            2 + 4 * methods.len() as u32,
            Some(strukt),
        );
        let methods = methods
            .iter()
            .map(|m| self.item(module, m, ir::ItemKind::Method, 4, Some(imp)))
            .collect();
        (strukt, imp, methods)
    }

    /// A reference from `from_item` (or from the module itself, for `use`) to `to`.
    pub fn reference(
        &mut self,
        from_module: ir::ModuleId,
        from_item: Option<ir::ItemId>,
        to: ir::ItemId,
        kind: ir::DepKind,
        count: u32,
    ) {
        let line = from_item
            .map(|i| self.facts.items[i.index()].location.line)
            .unwrap_or(1);
        let file = self.facts.modules[from_module.index()].file;
        self.facts.references.push(ir::Reference {
            from_module,
            from_item,
            to,
            kind,
            count,
            first: ir::Location { file, line, col: 5 },
        });
    }

    /// A call from an item to another, in the item's module.
    pub fn call(&mut self, from: ir::ItemId, to: ir::ItemId) {
        let module = self.facts.items[from.index()].module;
        self.reference(module, Some(from), to, ir::DepKind::Call, 1);
    }

    /// A table, declared by a `table!` item if given.
    pub fn table(&mut self, name: &str, schema: Option<ir::ItemId>) -> ir::TableId {
        let id = ir::TableId(self.facts.tables.len() as u32);
        let defined_in = schema.map(|item| {
            let it = &self.facts.items[item.index()];
            ir::TableDefinition {
                module: it.module,
                item: Some(item),
                location: it.location,
            }
        });
        self.facts.tables.push(ir::Table {
            id,
            name: name.to_owned(),
            columns: Vec::new(),
            defined_in,
            mapped_by: Vec::new(),
        });
        id
    }

    /// Maps a model onto a table.
    pub fn map(&mut self, model: ir::ItemId, table: ir::TableId) {
        self.facts.items[model.index()].table = Some(table);
        self.facts.tables[table.index()].mapped_by.push(model);
    }

    /// An access to a table by an item.
    pub fn access(
        &mut self,
        item: ir::ItemId,
        table: ir::TableId,
        mode: ir::AccessMode,
        count: u32,
    ) {
        let it = &self.facts.items[item.index()];
        self.facts.table_accesses.push(ir::TableAccess {
            module: it.module,
            item: Some(item),
            table,
            mode,
            via: ir::AccessVia::Sql,
            count,
            first: it.location,
        });
    }

    /// The facts, with ids renumbered into the canonical sorted order.
    pub fn finish(self) -> ir::Facts {
        let mut f = self.facts;
        let perm = |keys: Vec<String>| -> Vec<u32> {
            let mut order: Vec<usize> = (0..keys.len()).collect();
            order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
            let mut new_of_old = vec![0u32; keys.len()];
            for (new, &old) in order.iter().enumerate() {
                new_of_old[old] = new as u32;
            }
            new_of_old
        };
        let file_map = perm(f.files.iter().map(|x| x.path.clone()).collect());
        let module_map = perm(f.modules.iter().map(|x| x.path.clone()).collect());
        let item_map = perm(
            f.items
                .iter()
                .map(|x| {
                    format!(
                        "{:010}:{:010}:{}",
                        module_map[x.module.index()],
                        x.location.line,
                        x.name
                    )
                })
                .collect(),
        );
        let table_map = perm(f.tables.iter().map(|x| x.name.clone()).collect());
        let fid = |x: ir::FileId| ir::FileId(file_map[x.index()]);
        let mid = |x: ir::ModuleId| ir::ModuleId(module_map[x.index()]);
        let iid = |x: ir::ItemId| ir::ItemId(item_map[x.index()]);
        let tid = |x: ir::TableId| ir::TableId(table_map[x.index()]);
        let loc = |l: ir::Location| ir::Location {
            file: fid(l.file),
            ..l
        };
        for x in &mut f.files {
            x.id = fid(x.id);
            x.module = x.module.map(mid);
        }
        for x in &mut f.modules {
            x.id = mid(x.id);
            x.file = fid(x.file);
            x.parent = x.parent.map(mid);
            for i in &mut x.items {
                *i = iid(*i);
            }
        }
        for x in &mut f.items {
            x.id = iid(x.id);
            x.module = mid(x.module);
            x.location = loc(x.location);
            x.parent = x.parent.map(iid);
            x.implements = x.implements.map(iid);
            x.table = x.table.map(tid);
        }
        for x in &mut f.tables {
            x.id = tid(x.id);
            if let Some(d) = &mut x.defined_in {
                d.module = mid(d.module);
                d.item = d.item.map(iid);
                d.location = loc(d.location);
            }
            for i in &mut x.mapped_by {
                *i = iid(*i);
            }
            x.mapped_by.sort();
        }
        for x in &mut f.table_accesses {
            x.module = mid(x.module);
            x.item = x.item.map(iid);
            x.table = tid(x.table);
            x.first = loc(x.first);
        }
        for x in &mut f.references {
            x.from_module = mid(x.from_module);
            x.from_item = x.from_item.map(iid);
            x.to = iid(x.to);
            x.first = loc(x.first);
        }
        f.files.sort_by_key(|x| x.id);
        f.modules.sort_by_key(|x| x.id);
        f.items.sort_by_key(|x| x.id);
        f.tables.sort_by_key(|x| x.id);
        f.references
            .sort_by_key(|r| (r.from_module, r.from_item, r.to, r.kind));
        f.table_accesses
            .sort_by_key(|a| (a.module, a.item, a.table, a.mode, a.via));
        f.crates[0].root_module = f
            .modules
            .iter()
            .find(|m| !m.path.contains("::"))
            .map(|m| m.id);
        f.crates[0].root_file = f.crates[0].root_module.map(|m| f.modules[m.index()].file);
        f
    }
}

/// A layered two-domain shop: `routes/`, `services/`, `repositories/` and `models/` folders,
/// each holding an `orders` and a `billing` module, plus `error` (used everywhere) and the
/// tables `orders` and `invoices`. Billing reads orders (a cross-domain call and a shared
/// table read), and nothing in orders uses billing.
pub fn layered_shop() -> ir::Facts {
    use ir::DepKind::{Import, Type};
    use ir::ItemKind::{Enum, Function};
    let mut b = FactsBuilder::new("shop");
    let root = b.module("shop", "src/lib.rs", 10);
    let _ = root;
    let error = b.module("shop::error", "src/error.rs", 20);
    let app_error = b.item(error, "AppError", Enum, 12, None);
    for folder in ["models", "repositories", "routes", "services"] {
        b.module(
            &format!("shop::{folder}"),
            &format!("src/{folder}/mod.rs"),
            3,
        );
    }
    let m_order = b.module("shop::models::order", "src/models/order.rs", 30);
    let (order, _, order_methods) = b.model(m_order, "Order", &["total"]);
    let m_invoice = b.module("shop::models::invoice", "src/models/invoice.rs", 25);
    let (invoice, _, _) = b.model(m_invoice, "Invoice", &["due"]);
    let orders_table = b.table("orders", None);
    let invoices_table = b.table("invoices", None);
    b.map(order, orders_table);
    b.map(invoice, invoices_table);

    let r_orders = b.module(
        "shop::repositories::orders",
        "src/repositories/orders.rs",
        40,
    );
    let save_order = b.item(r_orders, "save_order", Function, 10, None);
    let find_order = b.item(r_orders, "find_order", Function, 10, None);
    let r_billing = b.module(
        "shop::repositories::billing",
        "src/repositories/billing.rs",
        40,
    );
    let save_invoice = b.item(r_billing, "save_invoice", Function, 10, None);
    let find_invoice = b.item(r_billing, "find_invoice", Function, 10, None);
    let s_orders = b.module("shop::services::orders", "src/services/orders.rs", 50);
    let place_order = b.item(s_orders, "place_order", Function, 20, None);
    let cancel_order = b.item(s_orders, "cancel_order", Function, 15, None);
    let s_billing = b.module("shop::services::billing", "src/services/billing.rs", 50);
    let charge = b.item(s_billing, "charge", Function, 20, None);
    let refund = b.item(s_billing, "refund", Function, 15, None);
    let h_orders = b.module("shop::routes::orders", "src/routes/orders.rs", 30);
    let create_order = b.item(h_orders, "create_order", Function, 10, None);
    let get_order = b.item(h_orders, "get_order", Function, 10, None);
    let h_billing = b.module("shop::routes::billing", "src/routes/billing.rs", 30);
    let pay = b.item(h_billing, "pay_invoice", Function, 10, None);
    let get_invoice = b.item(h_billing, "get_invoice", Function, 10, None);

    // Orders: routes -> services -> repositories -> model, table.
    for (from, to) in [
        (create_order, place_order),
        (get_order, find_order),
        (place_order, save_order),
        (cancel_order, find_order),
        (cancel_order, save_order),
        (place_order, order),
        (save_order, order),
        (find_order, order),
        (cancel_order, order_methods[0]),
    ] {
        b.call(from, to);
    }
    for (from, to) in [
        (pay, charge),
        (get_invoice, find_invoice),
        (charge, save_invoice),
        (refund, find_invoice),
        (refund, save_invoice),
        (charge, invoice),
        (save_invoice, invoice),
        (find_invoice, invoice),
    ] {
        b.call(from, to);
    }
    // Billing reads an order to bill it: a cross-domain call, a type use and a table read.
    b.call(charge, find_order);
    b.reference(s_billing, Some(charge), order, Type, 1);
    b.access(save_order, orders_table, ir::AccessMode::Write, 2);
    b.access(find_order, orders_table, ir::AccessMode::Read, 1);
    b.access(save_invoice, invoices_table, ir::AccessMode::Write, 2);
    b.access(find_invoice, invoices_table, ir::AccessMode::Read, 1);
    b.access(refund, orders_table, ir::AccessMode::Read, 1);
    // Every function returns `Result<_, AppError>`, imported at module level.
    for (module, funcs) in [
        (r_orders, vec![save_order, find_order]),
        (r_billing, vec![save_invoice, find_invoice]),
        (s_orders, vec![place_order, cancel_order]),
        (s_billing, vec![charge, refund]),
        (h_orders, vec![create_order, get_order]),
        (h_billing, vec![pay, get_invoice]),
    ] {
        b.reference(module, None, app_error, Import, 1);
        for func in funcs {
            b.reference(module, Some(func), app_error, Type, 1);
        }
    }
    b.finish()
}
