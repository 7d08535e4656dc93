//! Writes the HTML report, the Markdown summary and the map of the large generated input
//! (60 contexts, about 22,000 items: `tests/generated/mod.rs`) into a folder, for the browser
//! check: `cargo run --release -p seamline_report --example large_report -- /tmp/large`.
#![allow(clippy::print_stderr)]

#[path = "../tests/generated/mod.rs"]
mod generated;

use seamline_report::{html, md, svg};

fn main() -> std::io::Result<()> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "large-report".to_owned());
    let (facts, _, p) = generated::large();
    std::fs::create_dir_all(&out)?;
    let dir = std::path::Path::new(&out);
    std::fs::write(dir.join("index.html"), html::render(&facts, &p))?;
    std::fs::write(dir.join("plan.md"), md::render(&facts.root, &p))?;
    std::fs::write(dir.join("map.svg"), svg::render(&p))?;
    eprintln!(
        "wrote {} ({} contexts, {} items)",
        dir.display(),
        p.context_names.len(),
        facts.items.len()
    );
    Ok(())
}
