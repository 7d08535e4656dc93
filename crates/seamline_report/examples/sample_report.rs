//! Writes every report format for the hand-made shop sample (`seamline_test_utils::sample::shop`)
//! into a folder, to look at the design without running the whole pipeline:
//! `cargo run -p seamline_report --example sample_report -- /tmp/sample`.
#![allow(clippy::print_stderr)]

use seamline_plan::{PlanOptions, Thresholds, plan};
use seamline_report::{dot, html, md, svg};
use seamline_test_utils::sample;

fn main() -> std::io::Result<()> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sample-report".to_owned());
    let scale = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let (facts, proposal) = sample::shop(scale);
    let p = plan(
        &facts,
        &proposal,
        &PlanOptions {
            thresholds: Thresholds::recommended(),
        },
    );
    std::fs::create_dir_all(&out)?;
    let dir = std::path::Path::new(&out);
    std::fs::write(dir.join("index.html"), html::render(&facts, &p))?;
    std::fs::write(dir.join("plan.md"), md::render(&facts.root, &p))?;
    std::fs::write(dir.join("plan.dot"), dot::render(&p))?;
    std::fs::write(dir.join("map.svg"), svg::render(&p))?;
    eprintln!("wrote {}", dir.display());
    Ok(())
}
