//! The renderers at the scale of a large legacy workspace, on a generated input
//! of 60 contexts and about 21,000 items (`generated/mod.rs`): the page stays small and lists
//! the heaviest entries with counts, the module explorer's data is complete and escaped, the
//! map's labels never overlap and its weak edges are hidden, and the Markdown summary fits a
//! pull-request comment.

mod generated;

use seamline_report::{html, md, svg};
use std::sync::OnceLock;

type Input = (
    seamline_ir::Facts,
    seamline_cluster::contexts::Proposal,
    seamline_plan::Plan,
);

fn tool() -> seamline_report::ToolInfo {
    seamline_report::ToolInfo {
        name: "seamline".to_owned(),
        version: "0".to_owned(),
    }
}

/// The input is built once for every test of this file.
fn input() -> &'static Input {
    static INPUT: OnceLock<Input> = OnceLock::new();
    INPUT.get_or_init(generated::large)
}

#[test]
fn the_generated_input_is_large() {
    let (facts, _, p) = input();
    assert!(p.context_names.len() >= 50, "{}", p.context_names.len());
    assert!(facts.items.len() >= 20_000, "{}", facts.items.len());
    let sites: usize = p.extraction.iter().map(|s| s.rewrites.len()).sum();
    assert!(sites > 1_000, "{sites} reference sites");
    assert!(p.shared_models.len() > 100 && !p.cycles.is_empty());
}

#[test]
fn the_page_of_a_large_input_stays_under_3_mb_and_summarises_long_lists() {
    let (facts, _, p) = input();
    let page = html::render(facts, p);
    assert!(page.len() < 3_000_000, "index.html is {} bytes", page.len());
    // Long lists are cut to their heaviest entries, and the page says where the rest are.
    let sites: usize = p.extraction.iter().map(|s| s.rewrites.len()).sum();
    let rows = page.matches("<td class=\"mono\">").count();
    assert!(rows < sites / 2, "{rows} rows for {sites} reference sites");
    assert!(page.contains("heaviest of"));
    assert!(page.contains("more shared models to untangle"));
    // The heaviest reference site of the first step is on the page.
    let first = &p.extraction[0];
    let heaviest = first.rewrites.iter().max_by_key(|r| r.count).unwrap();
    assert!(page.contains(&heaviest.at.to_string()), "{}", heaviest.at);
    // The module explorer is data, not rows: every module is in it, none pre-rendered.
    let data = page
        .split("<script type=\"application/json\" id=\"module-data\">")
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .expect("module data");
    let v: serde_json::Value = serde_json::from_str(data).unwrap();
    assert_eq!(v["modules"].as_array().unwrap().len(), facts.modules.len());
    let deps: usize = v["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m[7].as_array().unwrap().len())
        .sum();
    assert_eq!(deps, facts.module_deps().len());
    assert!(!page.contains("<tr data-context="));
}

#[test]
fn the_map_of_sixty_contexts_has_no_overlapping_labels_and_hides_weak_edges() {
    let (_, _, p) = input();
    let map = svg::layout(p);
    assert_eq!(map.nodes.len(), p.context_names.len());
    assert!(map.layered);
    // Every name and second line (and the edge labels drawn) has a box; no two intersect.
    assert!(map.label_boxes.len() >= 2 * map.nodes.len());
    for (i, a) in map.label_boxes.iter().enumerate() {
        for b in &map.label_boxes[i + 1..] {
            let apart = a.2 <= b.0 || b.2 <= a.0 || a.3 <= b.1 || b.3 <= a.1;
            assert!(apart, "labels {a:?} and {b:?} overlap");
        }
    }
    // Only the heaviest edges are drawn by default; the lighter ones wait behind the toggle.
    let drawn = map.edges.iter().filter(|e| !e.weak).count();
    assert!(map.n_weak > 0 && drawn <= 2 * map.nodes.len() + 16);
    for e in map.edges.iter().filter(|e| e.weak) {
        assert!(
            e.references <= map.weak_below,
            "{} > {}",
            e.references,
            map.weak_below
        );
    }
    // Long names are shortened on the map, whole in the tooltip.
    let long = map.nodes.iter().find(|n| n.full_name.len() > 20).unwrap();
    assert!(long.name.ends_with('…') && long.name.chars().count() == 20);
    let page = html::render(&input().0, p);
    assert!(page.contains("id=\"map-weak\""));
    assert!(page.contains(&format!("<title>{}: ", long.full_name)));
}

#[test]
fn the_markdown_summary_of_a_large_input_fits_a_pull_request() {
    let (facts, _, p) = input();
    let text = md::render(&facts.root, p);
    assert!(
        text.chars().count() < 60_000,
        "plan.md is {} characters",
        text.chars().count()
    );
    assert!(text.len() <= md::MAX_CHARS);
    for heading in [
        "**Verdict:",
        "| Lines of code |",
        "## Services",
        "## Shared models",
        "## Shared tables",
        "## Cycles",
        "## Extraction order",
    ] {
        assert!(text.contains(heading), "missing {heading}");
    }
    // The first step is there, and a line says what was left out and where the rest is.
    assert!(text.contains(&format!(
        "1. **{}**",
        md::escape(p.context_name(p.extraction[0].context))
    )));
    let left = text
        .lines()
        .find(|l| l.starts_with("**Left out of this summary**"))
        .expect("a line saying what was left out");
    assert!(left.contains("seamline.json") && left.contains("index.html"));
    assert!(left.contains(&format!("of {} shared models", p.shared_models.len())));
}

#[test]
fn the_markdown_summary_fits_even_when_every_name_is_long_and_hostile() {
    let (facts, _, p) = input();
    let mut p = p.clone();
    let hostile = "<script>|*_`[x](y)".repeat(40);
    for name in &mut p.context_names {
        name.push_str(&hostile);
    }
    for s in &mut p.services {
        s.name.push_str(&hostile);
        s.purpose.push_str(&hostile);
    }
    for m in &mut p.shared_models {
        m.model.name.push_str(&hostile);
        m.change.push_str(&hostile);
    }
    let text = md::render(&facts.root, &p);
    assert!(text.len() <= md::MAX_CHARS, "{} bytes", text.len());
    assert!(!text.contains("<script"));
    assert!(text.contains("**Left out of this summary**"));
}

#[test]
fn the_reports_of_a_large_input_are_deterministic_and_its_json_is_compact_by_default() {
    use seamline_report::json::{self, JsonStyle};
    let (facts, proposal, p) = input();
    assert_eq!(html::render(facts, p), html::render(facts, p));
    assert_eq!(md::render(&facts.root, p), md::render(&facts.root, p));
    let tool = tool();
    let report = json::document(facts, proposal, p, &tool);
    let compact = json::render_with(&report, Some(JsonStyle::Compact));
    assert!(
        compact.len() > json::PRETTY_UP_TO,
        "{} bytes",
        compact.len()
    );
    assert_eq!(json::render_with(&report, None), compact);
    // Every reference site is in the JSON, however few the page and the summary show.
    let v: serde_json::Value = serde_json::from_str(&compact).unwrap();
    let sites: usize = v["plan"]["extraction"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["rewrites"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        sites,
        p.extraction.iter().map(|s| s.rewrites.len()).sum::<usize>()
    );
}

/// `analyze` writes the JSON's head while the plan is computed, then its tail: together they
/// are the document, byte for byte.
#[test]
fn the_json_written_in_two_parts_is_the_document() {
    use seamline_report::json::{self, JsonStyle};
    let (facts, proposal, p) = input();
    let tool = tool();
    let mut whole = Vec::new();
    json::write_document(facts, proposal, p, &tool, None, &mut whole).unwrap();
    let mut parts = Vec::new();
    assert!(
        json::write_head_from(json::build(facts, &tool), facts, proposal, None, &mut parts)
            .unwrap()
    );
    json::write_tail(p, &mut parts).unwrap();
    assert!(
        parts == whole,
        "{} bytes against {}",
        parts.len(),
        whole.len()
    );
    // Asked pretty, the head is left to the whole document.
    let mut none = Vec::new();
    let pretty = Some(JsonStyle::Pretty);
    assert!(
        !json::write_head_from(
            json::build(facts, &tool),
            facts,
            proposal,
            pretty,
            &mut none
        )
        .unwrap()
    );
    assert!(none.is_empty());
}
