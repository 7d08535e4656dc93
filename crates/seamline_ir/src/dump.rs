//! A deterministic, human-readable text dump of [`Facts`], for snapshot tests and
//! `seamline debug facts`.

use crate::{Facts, Location};
use std::fmt::Write;

impl Facts {
    /// Renders a location as `path:line`.
    pub fn loc(&self, loc: Location) -> String {
        self.shown(loc).to_string()
    }

    /// [`Facts::loc`] without building a string (the dump writes one per line).
    fn shown(&self, loc: Location) -> impl std::fmt::Display + '_ {
        struct Shown<'a>(&'a str, u32);
        impl std::fmt::Display for Shown<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0)?;
                f.write_str(":")?;
                std::fmt::Display::fmt(&self.1, f)
            }
        }
        Shown(&self.files[loc.file.index()].path, loc.line)
    }

    /// A stable text rendering of everything in the facts, one fact per line.
    pub fn dump(&self) -> String {
        let mut out = String::new();
        // Writing into a `String` cannot fail.
        let _ = self.write_dump(&mut out);
        out
    }

    /// [`Facts::dump`] written as it goes (to a buffered stdout, say), without holding
    /// the whole text; stops at the first error of `w`.
    pub fn write_dump(&self, w: &mut impl Write) -> std::fmt::Result {
        for c in &self.crates {
            let deps: Vec<String> = c
                .deps
                .iter()
                .map(|d| format!("{}={}", d.local_name, self.crates[d.krate.index()].name))
                .collect();
            writeln!(
                w,
                "crate {} {:?} deps=[{}]",
                c.name,
                c.kind,
                deps.join(", ")
            )?;
        }
        for f in &self.files {
            writeln!(
                w,
                "file {} lines={} code={}{}{}",
                f.path,
                f.lines,
                f.code_lines,
                if f.analysed { "" } else { " not-analysed" },
                if f.orphan { " orphan" } else { "" },
            )?;
        }
        for m in &self.modules {
            writeln!(
                w,
                "module {} file={} lines={}-{}{}",
                m.path,
                self.files[m.file.index()].path,
                m.span.start,
                m.span.end,
                if m.inline { " inline" } else { "" }
            )?;
        }
        for it in &self.items {
            write!(
                w,
                "item {} {:?} {:?} {}",
                it.path,
                it.kind,
                it.visibility,
                self.shown(it.location)
            )?;
            if let Some(p) = it.parent {
                write!(w, " parent={}", self.items[p.index()].path)?;
            }
            if let Some(t) = it.table {
                write!(w, " table={}", self.tables[t.index()].name)?;
            }
            if !it.derives.is_empty() {
                write!(w, " derives=[{}]", it.derives.join(","))?;
            }
            writeln!(w)?;
            for f in &it.fields {
                let refs: Vec<&str> = f
                    .refs
                    .iter()
                    .map(|r| self.items[r.index()].path.as_str())
                    .collect();
                writeln!(
                    w,
                    "  field {}: {}{} -> [{}]",
                    f.name,
                    f.ty,
                    if f.is_id { " (id)" } else { "" },
                    refs.join(", ")
                )?;
            }
        }
        for t in &self.tables {
            let def = t
                .defined_in
                .as_ref()
                .map(|d| self.loc(d.location))
                .unwrap_or_else(|| "-".to_owned());
            writeln!(
                w,
                "table {} defined={} columns=[{}]",
                t.name,
                def,
                t.columns.join(",")
            )?;
        }
        for a in &self.table_accesses {
            writeln!(
                w,
                "access {} {} {:?} {:?} x{} {}",
                a.item
                    .map(|i| self.items[i.index()].path.as_str())
                    .unwrap_or(self.modules[a.module.index()].path.as_str()),
                self.tables[a.table.index()].name,
                a.mode,
                a.via,
                a.count,
                self.shown(a.first)
            )?;
        }
        for r in &self.references {
            let from = r
                .from_item
                .map(|i| self.items[i.index()].path.as_str())
                .unwrap_or(self.modules[r.from_module.index()].path.as_str());
            writeln!(
                w,
                "ref {} -> {} {} x{} {}",
                from,
                self.items[r.to.index()].path,
                r.kind,
                r.count,
                self.shown(r.first)
            )?;
        }
        for e in &self.external {
            writeln!(
                w,
                "external {} -> {} x{}",
                self.modules[e.module.index()].path,
                e.root,
                e.count
            )?;
        }
        for d in &self.diagnostics {
            let at = match &d.file {
                Some(f) => format!("{f}:{}", d.line),
                None => String::new(),
            };
            writeln!(
                w,
                "diag {} {} {} {}",
                d.severity.as_str(),
                d.code,
                at,
                d.message
            )?;
        }
        Ok(())
    }
}
