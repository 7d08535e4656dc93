//! Tests of the plan renderers (HTML, Markdown, DOT, SVG, plan JSON) on the hand-made shop
//! sample and on hostile names.

use seamline_ir as ir;
use seamline_plan::{Plan, PlanOptions, Thresholds, plan};
use seamline_report::{dot, html, md, plan_json, svg};
use seamline_test_utils::sample::{Assignment, FactsBuilder, measure, shop};

fn options() -> PlanOptions {
    PlanOptions {
        thresholds: Thresholds::recommended(),
    }
}

fn shop_plan() -> (ir::Facts, seamline_cluster::contexts::Proposal, Plan) {
    let (facts, proposal) = shop(1);
    let p = plan(&facts, &proposal, &options());
    (facts, proposal, p)
}

#[test]
fn markdown_summary_of_the_shop() {
    let (facts, _, p) = shop_plan();
    insta::assert_snapshot!(md::render(&facts.root, &p));
}

#[test]
fn dot_context_map_of_the_shop() {
    let (_, _, p) = shop_plan();
    insta::assert_snapshot!(dot::render(&p));
}

#[test]
fn html_report_has_every_section_and_no_external_resource() {
    let (facts, _, p) = shop_plan();
    let page = html::render(&facts, &p);
    for id in [
        "id=\"verdict\"",
        "id=\"map\"",
        "id=\"services\"",
        "id=\"shared-models\"",
        "id=\"shared-tables\"",
        "id=\"cycles\"",
        "id=\"extraction\"",
        "id=\"modules\"",
        "id=\"method\"",
    ] {
        assert!(page.contains(id), "missing {id}");
    }
    assert!(page.contains("<h1>Modularise first</h1>"));
    // Self-contained: no external scripts, styles, fonts or images.
    for bad in ["src=\"http", "href=\"http", "@import", "url(http", "<link"] {
        assert!(!page.contains(bad), "external resource: {bad}");
    }
    // One inline script and its data, one inline SVG map with a node per context and the cut edge dashed.
    assert_eq!(page.matches("<script").count(), 2);
    assert_eq!(page.matches("<g class=\"node").count(), 4);
    assert_eq!(page.matches("class=\"edge cycle cut\"").count(), 1);
    // Evidence down to file and line.
    assert!(page.contains("src/billing/mod.rs:74"));
    // Deterministic.
    assert_eq!(page, html::render(&facts, &p));
}

#[test]
fn the_svg_map_places_contexts_in_extraction_order() {
    let (_, _, p) = shop_plan();
    let map = svg::layout(&p);
    let order: Vec<&str> = map.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(order, ["shipping", "catalog", "billing", "ordering"]);
    // Step 1 at the top centre.
    assert_eq!(
        map.nodes[0].cx,
        format!("{:.1}", f64::from(map.width) / 2.0)
    );
    // Thickness grows with references: shipping -> ordering (13) is the heaviest edge.
    let heaviest = map.edges.iter().max_by_key(|e| e.references).unwrap();
    assert_eq!((heaviest.from, heaviest.to), (3, 2));
    let thinnest = map.edges.iter().min_by_key(|e| e.references).unwrap();
    assert!(thinnest.width.parse::<f64>().unwrap() < heaviest.width.parse::<f64>().unwrap());
    assert!(svg::render(&p).starts_with("<?xml"));
}

/// A small document's style depends on its plan too: its head is not written ahead, unless
/// it is asked compact, and then head and tail are the document.
#[test]
fn a_small_json_is_written_whole_unless_asked_compact() {
    use seamline_report::json::{self, JsonStyle};
    let (facts, proposal, p) = shop_plan();
    let tool = seamline_report::ToolInfo {
        name: "seamline".to_owned(),
        version: "0".to_owned(),
    };
    let mut head = Vec::new();
    assert!(
        !json::write_head_from(
            json::build(&facts, &tool),
            &facts,
            &proposal,
            None,
            &mut head
        )
        .unwrap()
    );
    assert!(head.is_empty());
    let compact = Some(JsonStyle::Compact);
    assert!(
        json::write_head_from(
            json::build(&facts, &tool),
            &facts,
            &proposal,
            compact,
            &mut head
        )
        .unwrap()
    );
    json::write_tail(&p, &mut head).unwrap();
    let mut whole = Vec::new();
    json::write_document(&facts, &proposal, &p, &tool, compact, &mut whole).unwrap();
    assert_eq!(
        String::from_utf8(head).unwrap(),
        String::from_utf8(whole).unwrap()
    );
}

#[test]
fn plan_json_carries_the_key_facts() {
    let (_, _, p) = shop_plan();
    let v = serde_json::to_value(plan_json::plan_json(&p)).unwrap();
    assert_eq!(v["verdict"], "modularise-first");
    assert_eq!(v["extraction"][0]["context"], "shipping");
    assert_eq!(v["cycles"][0]["cuts"][0]["technique"], "events");
    assert_eq!(
        v["shared_models"][0]["model"]["path"],
        "shop::orders::Order"
    );
    assert_eq!(v["shared_models"][0]["embedded_in"][0]["line"], 8);
    assert_eq!(v["shared_tables"][1]["technique"], "saga");
}

const HOSTILE: [&str; 5] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "</script>",
    "{{ }}",
    "<!--",
];

/// Facts and a proposal where every name the renderers print is hostile.
fn hostile() -> (ir::Facts, seamline_cluster::contexts::Proposal, Plan) {
    use ir::DepKind::{Call, Type};
    use ir::ItemKind::{Function, Struct};
    let [script, img, close, braces, comment] = HOSTILE;
    let m_a = format!("x::a{script}");
    let m_b = format!("x::b{img}");
    let mut b = FactsBuilder::new(&format!("root{img}"));
    b.module(&m_a, &format!("src/{img}.rs"), 100)
        .module(&m_b, &format!("src/{script}.rs"), 100);
    let f = b.item(&m_a, &format!("f{close}"), Function, 1, None);
    b.signature(&f, &format!("fn f(x: {braces}) -> {script}"));
    let model = b.item(&m_b, &format!("Model{img}"), Struct, 3, None);
    b.field(&model, &format!("id{comment}"), "u32", &[], true, 4);
    b.maps(&model, &format!("t{script}"));
    let holder = b.item(&m_a, &format!("Holder{braces}"), Struct, 10, None);
    b.field(
        &holder,
        &format!("m{img}"),
        &format!("Vec<{script}>"),
        &[&model],
        false,
        11,
    );
    let g = b.item(&m_b, &format!("g{comment}"), Function, 20, None);
    b.signature(&g, &format!("fn g() -> {img}"));
    b.table(&format!("t{script}"), None);
    b.reference(&m_a, Some(&f), &g, Call, 2, 2)
        .reference(&m_a, Some(&holder), &model, Type, 1, 11)
        .reference(&m_b, Some(&g), &f, Call, 1, 21)
        .access(
            &m_a,
            Some(&f),
            &format!("t{script}"),
            ir::AccessMode::Write,
            1,
            3,
        )
        .access(
            &m_b,
            Some(&g),
            &format!("t{script}"),
            ir::AccessMode::Write,
            2,
            22,
        )
        .external(&m_a, &format!("crate{img}"), 1, 1);
    b.diagnostics(1);
    let mut facts = b.build();
    facts.diagnostics[0].message = format!("bad {script} {img}");
    facts.validate().unwrap();
    let proposal = measure(
        &facts,
        &Assignment {
            contexts: vec![
                (format!("ctx{script}"), vec![m_a.clone()]),
                (format!("ctx{img}"), vec![m_b.clone()]),
            ],
            kernel: vec![],
            item_overrides: vec![],
            modularity: 0.5,
        },
    );
    let p = plan(&facts, &proposal, &options());
    (facts, proposal, p)
}

#[test]
fn hostile_names_are_escaped_in_every_format() {
    let (facts, _, p) = hostile();
    // The plan does carry the hostile strings (so the test exercises the renderers).
    assert!(p.dump().contains("<script>alert(1)</script>"));
    assert!(!p.cycles.is_empty() && !p.shared_models.is_empty() && !p.shared_tables.is_empty());

    let page = html::render(&facts, &p);
    assert_eq!(
        page.matches("<script").count(),
        2,
        "only our own script tags: the module data and the script"
    );
    assert_eq!(
        page.matches("</script>").count(),
        2,
        "only our own closing tags"
    );
    // The module explorer's data holds the hostile names, escaped for a script element: no
    // `<`, `>` or `&` at all, and it still parses to the names.
    let data = page
        .split("<script type=\"application/json\" id=\"module-data\">")
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .unwrap();
    assert!(!data.contains(['<', '>', '&']), "{data}");
    assert!(data.contains("\\u003cscript\\u003e"));
    let v: serde_json::Value = serde_json::from_str(data).unwrap();
    assert_eq!(v["modules"][0][0], "x::a<script>alert(1)</script>");
    assert!(!page.contains("<img"));
    assert!(!page.contains("onerror=alert(1)>"));
    assert_eq!(page.matches("<!--").count(), 0);
    // The text is there, as text (askama writes numeric entities).
    assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(page.contains("&#34;&#62;&#60;img src=x onerror=alert(1)&#62;"));

    let map = svg::render(&p);
    assert!(!map.contains("<script") && !map.contains("<img") && !map.contains("<!--"));
    assert!(!map.contains("onerror=alert(1)>"));

    let markdown = md::render(&facts.root, &p);
    assert!(!markdown.contains("<script") && !markdown.contains("<img"));
    assert!(!markdown.contains("</script") && !markdown.contains("<!--"));
    assert!(!markdown.contains("{{"));
    // The Mermaid block: quoted labels with no quote, angle bracket or backtick inside.
    let mermaid = markdown
        .split("```mermaid")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .unwrap();
    for line in mermaid.lines().filter(|l| l.contains("[\"")) {
        let label = line.split("[\"").nth(1).unwrap().trim_end_matches("\"]");
        assert!(!label.contains(['"', '<', '>', '`']), "{line}");
    }

    let graph = dot::render(&p);
    for line in graph.lines().filter(|l| l.contains("label=\"ctx")) {
        let label = line.split("label=\"").nth(1).unwrap();
        // Every quote inside the label is escaped; the label ends at the first unescaped one.
        let end = label
            .char_indices()
            .find(|&(i, c)| c == '"' && !label[..i].ends_with('\\'))
            .map(|(i, _)| i)
            .unwrap();
        assert!(label[end..].starts_with("\", fillcolor="), "{line}");
    }
}

#[test]
fn an_empty_codebase_renders_without_a_map() {
    let facts = ir::Facts::default();
    let proposal = measure(
        &facts,
        &Assignment {
            contexts: vec![],
            kernel: vec![],
            item_overrides: vec![],
            modularity: 0.0,
        },
    );
    let p = plan(&facts, &proposal, &options());
    let page = html::render(&facts, &p);
    assert!(page.contains("<h1>Keep the monolith</h1>"));
    assert!(page.contains("No contexts were found."));
    assert!(md::render("", &p).contains("Keep the monolith"));
    assert!(dot::render(&p).starts_with("digraph seamline {"));
}
