//! The context map: a deterministic layout of the contexts and their dependencies, drawn as
//! SVG (inline in the HTML report, or standalone).
//!
//! Layout: the contexts sit on a circle in extraction order (step 1 at the top, then
//! clockwise), so the map reads like the plan. A node's area grows with its lines of code;
//! an edge's thickness with the square root of its references (coupling); edges inside a
//! cycle are highlighted and the edges the plan cuts are dashed. Two opposite edges bend to
//! opposite sides, so both stay visible. Every coordinate is rounded to one decimal, so the
//! output is byte-identical across runs.
//!
//! Names come from the analysed code: the template escapes them (askama, `.svg` and `.html`
//! escape by default); nothing here is marked safe.

use askama::Template;
use seamline_cluster::contexts::ContextId;
use seamline_plan::Plan;
use std::collections::{BTreeMap, BTreeSet};

/// The colours of contexts, by context index (cycled); the kernel is grey.
pub const PALETTE: [&str; 12] = [
    "#4f6bed", "#e8833a", "#2ba471", "#c94f7c", "#8a5cd6", "#1f9bb4", "#d4a21a", "#6b7f3a",
    "#d1495b", "#3d7ab8", "#9c6644", "#5b8e7d",
];

/// The colour of a context.
pub fn colour(c: ContextId) -> &'static str {
    PALETTE[c.index() % PALETTE.len()]
}

/// A laid-out context map.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextMap {
    /// Canvas width.
    pub width: u32,
    /// Canvas height.
    pub height: u32,
    /// One node per context.
    pub nodes: Vec<MapNode>,
    /// One edge per ordered pair of contexts with references.
    pub edges: Vec<MapEdge>,
    /// Text and marker sizes, grown with the canvas so that a big map shrunk to the page
    /// stays readable: name font, second-line font, edge-label font, arrow size (px).
    pub sizes: [String; 4],
}

/// A context on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapNode {
    /// The context index (for anchors and scripts).
    pub index: usize,
    /// Its name (from the analysed code: escape it).
    pub name: String,
    /// Centre x.
    pub cx: String,
    /// Centre y.
    pub cy: String,
    /// Radius.
    pub r: String,
    /// y of the name label.
    pub label_y: String,
    /// y of the second label line.
    pub sub_y: String,
    /// Second label line (`9,200 LOC · step 2`).
    pub sub: String,
    /// Fill colour.
    pub colour: &'static str,
    /// Whether it is in a cycle.
    pub in_cycle: bool,
}

/// A dependency between two contexts on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapEdge {
    /// Depending context index.
    pub from: usize,
    /// Depended-on context index.
    pub to: usize,
    /// SVG path data.
    pub d: String,
    /// Stroke width.
    pub width: String,
    /// `edge`, `edge cycle`, or `edge cycle cut`.
    pub class: &'static str,
    /// References (sum of counts).
    pub references: u32,
    /// Tooltip (`ordering → billing: 4 references`; names from the analysed code).
    pub title: String,
    /// Label x.
    pub lx: String,
    /// Label y.
    pub ly: String,
    /// Whether to print the reference count on the edge (only the heaviest edges, so that a
    /// dense map stays readable; every edge keeps its tooltip).
    pub label: bool,
}

fn f1(x: f64) -> String {
    let s = format!("{x:.1}");
    if s == "-0.0" { "0.0".to_owned() } else { s }
}

/// Lays out the context map of a plan.
pub fn layout(plan: &Plan) -> ContextMap {
    let n = plan.context_names.len();
    // Order: extraction steps first, then any context the plan did not order.
    let mut order: Vec<usize> = plan.extraction.iter().map(|s| s.context.index()).collect();
    for i in 0..n {
        if !order.contains(&i) {
            order.push(i);
        }
    }
    order.retain(|&i| i < n);
    let step_of: BTreeMap<usize, usize> = plan
        .extraction
        .iter()
        .map(|s| (s.context.index(), s.step))
        .collect();
    let lines: Vec<u64> = (0..n)
        .map(|i| {
            plan.services
                .iter()
                .find(|s| s.context.index() == i)
                .map(|s| s.code_lines)
                .unwrap_or(0)
        })
        .collect();
    let max_lines = lines.iter().copied().max().unwrap_or(0).max(1) as f64;

    let ring = (n as f64 * 36.0).max(150.0);
    let margin = 120.0;
    let size = 2.0 * (ring + margin);
    let centre = size / 2.0;
    // Pages show the map about 900 px wide: grow the text of bigger maps accordingly.
    let scale = (size / 900.0).max(1.0);
    let mut pos = vec![(centre, centre, 24.0); n];
    for (slot, &i) in order.iter().enumerate() {
        let angle = if n <= 1 {
            0.0
        } else {
            -std::f64::consts::FRAC_PI_2 + slot as f64 * std::f64::consts::TAU / n as f64
        };
        let (x, y) = if n <= 1 {
            (centre, centre)
        } else {
            (centre + ring * angle.cos(), centre + ring * angle.sin())
        };
        let r = 16.0 + 26.0 * (lines[i] as f64 / max_lines).sqrt();
        pos[i] = (x, y, r);
    }

    let in_cycle: BTreeSet<usize> = plan
        .cycles
        .iter()
        .flat_map(|c| c.contexts.iter().map(|c| c.index()))
        .collect();
    let mut cycle_pairs: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut cut_pairs: BTreeSet<(usize, usize)> = BTreeSet::new();
    for c in &plan.cycles {
        for e in &c.edges {
            cycle_pairs.insert((e.from.index(), e.to.index()));
        }
        for cut in &c.cuts {
            if let Some(e) = c.edges.get(cut.edge) {
                cut_pairs.insert((e.from.index(), e.to.index()));
            }
        }
    }

    let nodes = order
        .iter()
        .map(|&i| {
            let (x, y, r) = pos[i];
            MapNode {
                index: i,
                name: plan.context_names[i].clone(),
                cx: f1(x),
                cy: f1(y),
                r: f1(r),
                label_y: f1(y + r + 17.0 * scale),
                sub_y: f1(y + r + 32.0 * scale),
                sub: match step_of.get(&i) {
                    Some(step) => format!("{} LOC · step {step}", thousands(lines[i])),
                    None => format!("{} LOC", thousands(lines[i])),
                },
                colour: colour(ContextId(i as u32)),
                in_cycle: in_cycle.contains(&i),
            }
        })
        .collect();

    let mut weights: BTreeMap<(usize, usize), u32> = BTreeMap::new();
    for r in &plan.cross_references {
        let key = (r.from_context.index(), r.to_context.index());
        if key.0 < n && key.1 < n {
            *weights.entry(key).or_default() += r.count;
        }
    }
    let max_w = weights.values().copied().max().unwrap_or(1).max(1) as f64;
    // Label the 16 heaviest edges (ties broken by the pair), every edge of a sparse map.
    let mut ranked: Vec<(u32, (usize, usize))> = weights.iter().map(|(&k, &w)| (w, k)).collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let labelled: BTreeSet<(usize, usize)> = ranked.iter().take(16).map(|&(_, k)| k).collect();
    let edges = weights
        .iter()
        .map(|(&(a, b), &w)| {
            let (ax, ay, ar) = pos[a];
            let (bx, by, br) = pos[b];
            let (dx, dy) = (bx - ax, by - ay);
            let len = (dx * dx + dy * dy).sqrt().max(1.0);
            // Bend to the right of the direction of travel.
            let (nx, ny) = (-dy / len, dx / len);
            let bend = 0.22 * len;
            let (cx, cy) = ((ax + bx) / 2.0 + nx * bend, (ay + by) / 2.0 + ny * bend);
            let towards = |px: f64, py: f64, r: f64| {
                let (ux, uy) = (cx - px, cy - py);
                let l = (ux * ux + uy * uy).sqrt().max(1.0);
                (px + ux / l * r, py + uy / l * r)
            };
            let (sx, sy) = towards(ax, ay, ar + 2.0);
            let (ex, ey) = towards(bx, by, br + 6.0 * scale);
            let width = 1.5 + 6.5 * (f64::from(w) / max_w).sqrt();
            let class = if cut_pairs.contains(&(a, b)) {
                "edge cycle cut"
            } else if cycle_pairs.contains(&(a, b)) {
                "edge cycle"
            } else {
                "edge"
            };
            let (lx, ly) = (
                0.25 * sx + 0.5 * cx + 0.25 * ex,
                0.25 * sy + 0.5 * cy + 0.25 * ey,
            );
            MapEdge {
                from: a,
                to: b,
                d: format!(
                    "M{} {} Q{} {} {} {}",
                    f1(sx),
                    f1(sy),
                    f1(cx),
                    f1(cy),
                    f1(ex),
                    f1(ey)
                ),
                width: f1(width),
                class,
                references: w,
                title: format!(
                    "{} → {}: {w} reference{}{}",
                    plan.context_names[a],
                    plan.context_names[b],
                    if w == 1 { "" } else { "s" },
                    if class.ends_with("cut") {
                        " (cut this edge)"
                    } else {
                        ""
                    }
                ),
                lx: f1(lx),
                ly: f1(ly),
                label: labelled.contains(&(a, b)) || class.ends_with("cut"),
            }
        })
        .collect();
    ContextMap {
        width: size as u32,
        height: size as u32,
        nodes,
        edges,
        sizes: [
            f1(14.0 * scale),
            f1(11.0 * scale),
            f1(11.0 * scale),
            f1(11.0 * scale),
        ],
    }
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[derive(Template)]
#[template(path = "context_map.svg")]
struct Standalone<'a> {
    map: &'a ContextMap,
}

/// The context map as a standalone SVG document.
pub fn render(plan: &Plan) -> String {
    let map = layout(plan);
    Standalone { map: &map }.render().unwrap_or_else(|e| {
        format!(
            "<!-- render error: {} -->",
            e.to_string().replace("--", "- -")
        )
    })
}
