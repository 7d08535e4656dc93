//! SQL: the tables a statement reads and writes, found with sqlparser.
//!
//! Rules:
//! - The text is parsed with the generic dialect, then PostgreSQL, MySQL and SQLite until
//!   one accepts it (placeholders `$1`, `?`, `?1`, `:name` are accepted by at least one).
//! - Every relation named anywhere (FROM, JOIN, subqueries, CTE bodies, INSERT targets...)
//!   is collected; names defined by a `WITH` clause are dropped.
//! - The targets of INSERT, UPDATE, DELETE and MERGE (also when nested in a CTE) are writes;
//!   every other mention is a read. A table that is both a target and mentioned elsewhere
//!   (`UPDATE t .. WHERE x IN (SELECT .. FROM t)`) is both.
//! - Names are the last part of the object name (`public.users` -> `users`), lowercased
//!   unless quoted.
//! - Not tables of the application: table-valued functions (`FROM generate_series(1, $1)`),
//!   the database's own catalogs (anything in `pg_catalog` or `information_schema`, an
//!   unqualified `pg_*` name, which PostgreSQL reserves for them, and SQLite's
//!   `sqlite_master`, `sqlite_schema`, `sqlite_sequence`), and the target of a `DELETE`
//!   without `FROM`, which PostgreSQL, MySQL and SQLite all require (`"Delete group"` in a
//!   button label parses as one).
//! - When no dialect parses the text, a tolerant scan takes the word after FROM, JOIN (reads)
//!   and INTO, UPDATE, and FROM after DELETE (writes), and `parsed` is false.

use sqlparser::ast::{ObjectName, ObjectNamePart, Statement, TableFactor, Visit, Visitor};
use sqlparser::dialect::{Dialect, GenericDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;

/// The tables an SQL string touches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SqlTables {
    /// Tables read, sorted and deduplicated.
    pub(crate) reads: Vec<String>,
    /// Tables written, sorted and deduplicated.
    pub(crate) writes: Vec<String>,
    /// Whether a real SQL parser accepted the text (else a simple scan found the tables).
    pub(crate) parsed: bool,
}

/// Texts longer than this are only scanned: the parser is not worth its time on them.
const MAX_PARSE_LEN: usize = 64 * 1024;

/// The tables read and written by `sql`. Never panics.
pub(crate) fn tables_in_sql(sql: &str) -> SqlTables {
    if sql.len() <= MAX_PARSE_LEN {
        let dialects: [&dyn Dialect; 4] = [
            &GenericDialect {},
            &PostgreSqlDialect {},
            &MySqlDialect {},
            &SQLiteDialect {},
        ];
        for dialect in dialects {
            if let Ok(statements) = Parser::parse_sql(dialect, sql) {
                return from_statements(&statements);
            }
        }
    }
    scan(sql)
}

/// Collects relations, CTE names and write targets.
#[derive(Default)]
struct Collect {
    mentions: BTreeMap<String, u32>,
    writes: Vec<String>,
    ctes: BTreeSet<String>,
    /// Table-valued functions called in FROM: their names are relations for the visitor.
    functions: Vec<String>,
}

impl Visitor for Collect {
    type Break = ();

    fn pre_visit_query(&mut self, query: &sqlparser::ast::Query) -> ControlFlow<()> {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                self.ctes.insert(ident_name(&cte.alias.name));
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
        if let TableFactor::Table {
            name,
            args: Some(_),
            ..
        } = factor
            && let Some(name) = object_name(name)
        {
            self.functions.push(name);
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_relation(&mut self, relation: &ObjectName) -> ControlFlow<()> {
        if let Some(name) = object_name(relation) {
            *self.mentions.entry(name).or_insert(0) += 1;
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_statement(&mut self, statement: &Statement) -> ControlFlow<()> {
        let mut targets: Vec<&ObjectName> = Vec::new();
        match statement {
            Statement::Insert(insert) => {
                if let sqlparser::ast::TableObject::TableName(name) = &insert.table {
                    targets.push(name);
                }
            }
            Statement::Update(update) => {
                if let TableFactor::Table { name, .. } = &update.table.relation {
                    targets.push(name);
                }
            }
            Statement::Delete(delete) => {
                if delete.tables.is_empty() {
                    let from = match &delete.from {
                        sqlparser::ast::FromTable::WithFromKeyword(t) => t.as_slice(),
                        sqlparser::ast::FromTable::WithoutKeyword(t) => {
                            // Not SQL of the databases Rust backends use: drop its
                            // mention too.
                            for twj in t {
                                if let TableFactor::Table { name, .. } = &twj.relation
                                    && let Some(name) = object_name(name)
                                {
                                    self.functions.push(name);
                                }
                            }
                            &[]
                        }
                    };
                    for twj in from {
                        if let TableFactor::Table { name, .. } = &twj.relation {
                            targets.push(name);
                        }
                    }
                } else {
                    targets.extend(delete.tables.iter());
                }
            }
            Statement::Merge(merge) => {
                if let TableFactor::Table { name, .. } = &merge.table {
                    targets.push(name);
                }
            }
            _ => {}
        }
        self.writes
            .extend(targets.into_iter().filter_map(object_name));
        ControlFlow::Continue(())
    }
}

fn from_statements(statements: &[Statement]) -> SqlTables {
    let mut c = Collect::default();
    for statement in statements {
        let _ = statement.visit(&mut c);
    }
    for f in &c.functions {
        if let Some(n) = c.mentions.get_mut(f) {
            *n = n.saturating_sub(1);
        }
    }
    let mut writes = BTreeSet::new();
    for w in &c.writes {
        if let Some(n) = c.mentions.get_mut(w) {
            *n = n.saturating_sub(1);
        }
        if !c.ctes.contains(w) {
            writes.insert(w.clone());
        }
    }
    let reads = c
        .mentions
        .into_iter()
        .filter(|(name, n)| *n > 0 && !c.ctes.contains(name))
        .map(|(name, _)| name)
        .collect();
    SqlTables {
        reads,
        writes: writes.into_iter().collect(),
        parsed: true,
    }
}

fn ident_name(ident: &sqlparser::ast::Ident) -> String {
    match ident.quote_style {
        Some(_) => ident.value.clone(),
        None => ident.value.to_lowercase(),
    }
}

/// The table part of an object name (`public.users` -> `users`); `None` for a catalog of
/// the database itself (see the module docs).
fn object_name(name: &ObjectName) -> Option<String> {
    let n = match name.0.last()? {
        ObjectNamePart::Identifier(ident) => ident_name(ident),
        _ => return None,
    };
    let schema = match name.0.len().checked_sub(2).and_then(|i| name.0.get(i)) {
        Some(ObjectNamePart::Identifier(ident)) => Some(ident_name(ident)),
        _ => None,
    };
    let system = match schema.as_deref() {
        Some(schema) => {
            schema.eq_ignore_ascii_case("pg_catalog")
                || schema.eq_ignore_ascii_case("information_schema")
        }
        None => {
            n.starts_with("pg_")
                || matches!(
                    n.as_str(),
                    "sqlite_master" | "sqlite_schema" | "sqlite_sequence"
                )
        }
    };
    (!n.is_empty() && !system).then_some(n)
}

/// The tolerant fallback: the word after FROM/JOIN (reads), INTO/UPDATE/DELETE FROM
/// (writes).
fn scan(sql: &str) -> SqlTables {
    let mut reads = BTreeSet::new();
    let mut writes = BTreeSet::new();
    let words: Vec<&str> = sql
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')'))
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        let kw = w.to_ascii_lowercase();
        let is_write = match kw.as_str() {
            "into" | "update" => true,
            "from" => i > 0 && words[i - 1].eq_ignore_ascii_case("delete"),
            "join" => false,
            _ => continue,
        };
        let Some(next) = words.get(i + 1) else {
            continue;
        };
        let Some(name) = scan_name(next) else {
            continue;
        };
        if is_write {
            writes.insert(name);
        } else {
            reads.insert(name);
        }
    }
    SqlTables {
        reads: reads.into_iter().collect(),
        writes: writes.into_iter().collect(),
        parsed: false,
    }
}

/// A table name from a scanned word: quotes removed, schema dropped; keywords and
/// placeholders rejected.
fn scan_name(word: &str) -> Option<String> {
    let mut parts = word.rsplit('.');
    let last = parts.next()?;
    let unquote = |part: &str| {
        part.trim_matches(|c| matches!(c, '"' | '`' | '[' | ']'))
            .to_ascii_lowercase()
    };
    let system = match parts.next().map(unquote) {
        Some(schema) => schema == "pg_catalog" || schema == "information_schema",
        None => {
            let name = unquote(last);
            name.starts_with("pg_")
                || matches!(
                    name.as_str(),
                    "sqlite_master" | "sqlite_schema" | "sqlite_sequence"
                )
        }
    };
    if system {
        return None;
    }
    let quoted = last.starts_with(['"', '`', '[']);
    let name = last.trim_matches(|c| matches!(c, '"' | '`' | '[' | ']'));
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$' && quoted)
        && !name.starts_with(|c: char| c.is_ascii_digit());
    const NOT_TABLES: &[&str] = &[
        "select", "only", "lateral", "unnest", "values", "set", "where", "table", "ignore",
    ];
    if !valid || NOT_TABLES.contains(&name.to_ascii_lowercase().as_str()) {
        return None;
    }
    Some(if quoted {
        name.to_owned()
    } else {
        name.to_lowercase()
    })
}

#[cfg(test)]
mod tests {
    use super::tables_in_sql;

    #[track_caller]
    fn check(sql: &str, expect: &str) {
        let t = tables_in_sql(sql);
        let actual = format!(
            "reads=[{}] writes=[{}]{}",
            t.reads.join(","),
            t.writes.join(","),
            if t.parsed { "" } else { " scanned" }
        );
        assert_eq!(actual, expect, "for {sql:?}");
    }

    #[test]
    fn select_reads_every_joined_table() {
        check(
            "SELECT o.id, u.name FROM orders o JOIN users u ON u.id = o.user_id LEFT JOIN public.items i ON i.order_id = o.id WHERE o.id = $1",
            "reads=[items,orders,users] writes=[]",
        );
    }

    #[test]
    fn subqueries_count_as_reads() {
        check(
            "select * from Orders where user_id in (select id from USERS where active = ?)",
            "reads=[orders,users] writes=[]",
        );
    }

    #[test]
    fn insert_writes_its_target_and_reads_its_source() {
        check(
            "INSERT INTO audit_log (id, what) SELECT id, 'x' FROM orders WHERE id = :id",
            "reads=[orders] writes=[audit_log]",
        );
        check(
            "INSERT INTO users (name) VALUES ($1) RETURNING id",
            "reads=[] writes=[users]",
        );
    }

    #[test]
    fn update_and_delete_write_their_targets() {
        check(
            "UPDATE orders SET status = $1 WHERE id = $2",
            "reads=[] writes=[orders]",
        );
        check(
            "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE banned)",
            "reads=[users] writes=[sessions]",
        );
        check(
            "UPDATE stock SET qty = qty - 1 WHERE id IN (SELECT id FROM stock WHERE qty > 0)",
            "reads=[stock] writes=[stock]",
        );
    }

    #[test]
    fn merge_writes_its_target() {
        check(
            "MERGE INTO inventory t USING incoming s ON t.id = s.id WHEN MATCHED THEN UPDATE SET qty = s.qty",
            "reads=[incoming] writes=[inventory]",
        );
    }

    #[test]
    fn cte_names_are_not_tables() {
        check(
            "WITH recent AS (SELECT * FROM orders WHERE at > now()) SELECT * FROM recent JOIN users ON users.id = recent.user_id",
            "reads=[orders,users] writes=[]",
        );
    }

    #[test]
    fn quoted_names_keep_their_case_and_schemas_are_stripped() {
        check(
            r#"SELECT * FROM "Billing"."Invoices", shop.Payments"#,
            "reads=[Invoices,payments] writes=[]",
        );
    }

    #[test]
    fn quoted_names_are_unquoted_alike_in_reads_and_writes() {
        check(
            r#"INSERT INTO "Users" (name) SELECT name FROM "Users" WHERE id = $1"#,
            "reads=[Users] writes=[Users]",
        );
        check(
            r#"INSERT INTO "</script><script>alert('sql')</script>" (id, note) VALUES ($1, '<!--')"#,
            "reads=[] writes=[</script><script>alert('sql')</script>]",
        );
        check(
            r#"SELECT * FROM "</script><script>alert('sql')</script>""#,
            "reads=[</script><script>alert('sql')</script>] writes=[]",
        );
    }

    #[test]
    fn several_statements_are_all_read() {
        check(
            "BEGIN; INSERT INTO a VALUES (1); DELETE FROM b; COMMIT;",
            "reads=[] writes=[a,b]",
        );
    }

    #[test]
    fn table_functions_and_the_databases_own_catalogs_are_not_tables() {
        check(
            "SELECT d.day, count(r.id) FROM generate_series(1, $1) AS d(day) LEFT JOIN releases r ON r.day = d.day",
            "reads=[releases] writes=[]",
        );
        check(
            "SELECT target_crate_id FROM compute_reverse_dependencies(ARRAY[$1]::integer[])",
            "reads=[] writes=[]",
        );
        check(
            "SELECT relname FROM pg_class INNER JOIN pg_namespace ON pg_class.relnamespace = pg_namespace.oid",
            "reads=[] writes=[]",
        );
        check(
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'x%'",
            "reads=[] writes=[]",
        );
        check(
            "SELECT name FROM sqlite_master WHERE type = 'table'",
            "reads=[] writes=[]",
        );
        // A schema of the application's own is kept.
        check(
            "SELECT * FROM audit.pg_events",
            "reads=[pg_events] writes=[]",
        );
    }

    #[test]
    fn a_delete_without_from_is_prose_not_sql() {
        check("Delete group", "reads=[] writes=[]");
        check(
            "DELETE FROM groups WHERE id = $1",
            "reads=[] writes=[groups]",
        );
    }

    #[test]
    fn unparsable_sql_falls_back_to_a_scan() {
        check(
            "SELECT * FROM orders o JOIN users u ON {{broken}} WHERE",
            "reads=[orders,users] writes=[] scanned",
        );
        check(
            "DELETE FROM carts WHERE ??? ; INSERT INTO log ((((",
            "reads=[] writes=[carts,log] scanned",
        );
        check("not sql at all", "reads=[] writes=[] scanned");
        check(
            "SELECT * FROM pg_class JOIN information_schema.tables JOIN t ON {{broken}}",
            "reads=[t] writes=[] scanned",
        );
    }
}
