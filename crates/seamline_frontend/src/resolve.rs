//! Name resolution (best effort): turns every module's syntax summary into items,
//! references, tables and table accesses.

use crate::syntax;
use seamline_ir as ir;

/// What the resolver needs: the module tree built by the driver and each module's syntax.
pub(crate) struct ResolveInput<'a> {
    /// Every source file (for locations in diagnostics).
    pub(crate) files: &'a [ir::SourceFile],
    /// Every crate, with its local dependency names.
    pub(crate) crates: &'a [ir::Crate],
    /// Modules with ids assigned, sorted by path, `items` empty.
    pub(crate) modules: &'a [ir::Module],
    /// `bodies[i]` is the syntax of `modules[i]`.
    pub(crate) bodies: Vec<syntax::ModSyntax>,
}

/// What the resolver produces; the driver moves it into [`ir::Facts`].
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    /// Items, ids in order (by module id, then line, column, name); `code_lines` left 0.
    pub(crate) items: Vec<ir::Item>,
    /// `module_items[i]`: the items declared directly in `modules[i]`, in source order.
    pub(crate) module_items: Vec<Vec<ir::ItemId>>,
    /// Tables, sorted by name.
    pub(crate) tables: Vec<ir::Table>,
    /// Table accesses, sorted.
    pub(crate) table_accesses: Vec<ir::TableAccess>,
    /// References, sorted.
    pub(crate) references: Vec<ir::Reference>,
    /// External references, sorted.
    pub(crate) external: Vec<ir::ExternalRef>,
    /// Notes (unresolved imports, unparsable SQL).
    pub(crate) diagnostics: Vec<ir::Diagnostic>,
}

/// Resolves names across the whole codebase.
pub(crate) fn resolve(input: ResolveInput<'_>) -> Resolved {
    Resolved {
        module_items: vec![Vec::new(); input.modules.len()],
        ..Resolved::default()
    }
}
