//! The context map: a deterministic layout of the contexts and their dependencies, drawn as
//! SVG (inline in the HTML report, or standalone).
//!
//! Two layouts, both computed here so that the page does no layout work:
//! - a few contexts sit on a circle in extraction order (step 1 at the top, then clockwise),
//!   so the map reads like the plan;
//! - many contexts (or a circle whose labels would touch) are placed on a grid of cells as
//!   wide as the widest label, so no two labels can overlap, in reading order along a
//!   topological order of the drawn edges (cycles broken in extraction order): a context
//!   comes before the contexts it depends on, and most arrows point right or down. A
//!   layering with one rank per row would stack a chain of 50 contexts into one column.
//!
//! A node's area grows with its lines of code; an edge's thickness with the square root of
//! its references (coupling); edges inside a cycle are highlighted and the edges the plan
//! cuts are dashed. On a big map only the heaviest edges are drawn: the weak ones are marked
//! `weak`, hidden until the reader asks for them (or hovers a context). The shared kernel is
//! not on the map. Label sizes are estimated from the number of characters with generous
//! widths, and an edge label that would touch another label is dropped (its edge keeps the
//! tooltip). Every coordinate is rounded to one decimal, so the output is byte-identical
//! across runs.
//!
//! Names come from the analysed code: the template escapes them (askama, `.svg` and `.html`
//! escape by default); nothing here is marked safe.

use askama::Template;
use seamline_cluster::contexts::ContextId;
use seamline_ir::format::thousands;
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
    /// Whether the contexts are placed on a grid (or on a circle).
    pub layered: bool,
    /// Edges hidden until asked for (below [`ContextMap::weak_below`] references).
    pub n_weak: usize,
    /// The weight of the lightest edge drawn by default.
    pub weak_below: u32,
    /// The estimated boxes of every label drawn (names, second lines, edge labels), none
    /// overlapping another: what the layout guarantees, for tests.
    pub label_boxes: Vec<(f64, f64, f64, f64)>,
    /// Text and marker sizes, grown with the canvas so that a big map shrunk to the page
    /// stays readable: name font, second-line font, edge-label font, arrow size (px).
    pub sizes: [String; 4],
}

/// A context on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapNode {
    /// The context index (for anchors and scripts).
    pub index: usize,
    /// Its name as drawn, shortened when long (from the analysed code: escape it).
    pub name: String,
    /// Its whole name, for the tooltip.
    pub full_name: String,
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
    /// Hidden until the reader asks for the weak edges (or hovers one of its contexts).
    pub weak: bool,
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

/// Contexts up to this many may sit on a circle; more are laid out in layers.
const CIRCLE_MAX: usize = 8;

/// Names longer than this are shortened on the map (the tooltip has the whole name).
const LABEL_CHARS: usize = 20;

/// The width the layered map is drawn for: about the width of the report's column, so that
/// its text shows at its nominal size.
const LAYERED_WIDTH: f64 = 1100.0;

/// An axis-aligned box (x0, y0, x1, y1).
type Rect = (f64, f64, f64, f64);

fn overlaps(a: &Rect, b: &Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// The estimated box of a text of `chars` characters at font size `px`, centred on `x`, with
/// its baseline at `y` (or its middle at `y` when `middle`). The widths are generous on
/// purpose: 0.7 em per character covers bold DejaVu Sans, the widest of the fallback fonts.
fn text_box(x: f64, y: f64, chars: usize, px: f64, per_char: f64, middle: bool) -> Rect {
    let w = chars as f64 * per_char * px + 4.0;
    if middle {
        (x - w / 2.0, y - 0.65 * px, x + w / 2.0, y + 0.65 * px)
    } else {
        (x - w / 2.0, y - 1.0 * px, x + w / 2.0, y + 0.32 * px)
    }
}

const NAME_EM: f64 = 0.7;
const SUB_EM: f64 = 0.64;

/// The name as drawn on the map.
fn short_name(name: &str) -> String {
    if name.chars().count() <= LABEL_CHARS {
        name.to_owned()
    } else {
        let mut s: String = name.chars().take(LABEL_CHARS - 1).collect();
        s.push('…');
        s
    }
}

/// Lays out the context map of a plan.
pub fn layout(plan: &Plan) -> ContextMap {
    let n = plan.context_names.len();
    // Order: extraction steps first, then any context the plan did not order.
    let mut order: Vec<usize> = plan.extraction.iter().map(|s| s.context.index()).collect();
    let mut seen = vec![false; n];
    order.retain(|&i| i < n && !std::mem::replace(&mut seen[i], true));
    for (i, &s) in seen.iter().enumerate() {
        if !s {
            order.push(i);
        }
    }
    let mut lines = vec![0u64; n];
    for s in &plan.services {
        if s.context.index() < n && lines[s.context.index()] == 0 {
            lines[s.context.index()] = s.code_lines;
        }
    }
    let max_lines = lines.iter().copied().max().unwrap_or(0).max(1) as f64;
    let names: Vec<String> = plan.context_names.iter().map(|s| short_name(s)).collect();
    let subs: Vec<String> = (0..n)
        .map(|i| match plan.step_of(ContextId(i as u32)) {
            Some(step) => format!("{} LOC · step {step}", thousands(lines[i])),
            None => format!("{} LOC", thousands(lines[i])),
        })
        .collect();

    let weights: BTreeMap<(usize, usize), u32> = plan
        .context_edges
        .iter()
        .map(|e| ((e.from.index(), e.to.index()), e.references))
        .collect();
    let cycle_pairs: BTreeSet<(usize, usize)> = plan
        .context_edges
        .iter()
        .filter(|e| e.in_cycle)
        .map(|e| (e.from.index(), e.to.index()))
        .collect();
    let cut_pairs: BTreeSet<(usize, usize)> = plan
        .context_edges
        .iter()
        .filter(|e| e.cut)
        .map(|e| (e.from.index(), e.to.index()))
        .collect();
    // Heaviest first, ties broken by the pair.
    let mut ranked: Vec<(u32, (usize, usize))> = weights.iter().map(|(&k, &w)| (w, k)).collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    // The edges drawn: every edge of a small map; on a big one the 2n heaviest (an average
    // of two per context), and the 16 heaviest edges the plan cuts (a tangled workspace has
    // a hundred cuts: the page lists them all).
    let n_strong = (2 * n).max(16);
    let heaviest_cuts: Vec<(usize, usize)> = ranked
        .iter()
        .filter(|(_, k)| cut_pairs.contains(k))
        .take(16)
        .map(|&(_, k)| k)
        .collect();
    let strong: BTreeSet<(usize, usize)> = ranked
        .iter()
        .take(n_strong)
        .map(|&(_, k)| k)
        .chain(heaviest_cuts.iter().copied())
        .collect();
    let weak_below = ranked
        .get(n_strong.min(ranked.len()).saturating_sub(1))
        .map_or(0, |&(w, _)| w);

    let circle = if n <= CIRCLE_MAX {
        circle_layout(n, &order, &lines, max_lines, &names, &subs)
    } else {
        None
    };
    let layered = circle.is_none();
    let (pos, width, height, scale) = match circle {
        Some(c) => c,
        None => grid_layout(n, &order, &lines, max_lines, &names, &subs, &strong),
    };
    let name_px = 14.0 * scale;
    let sub_px = 11.0 * scale;
    let edge_px = 11.0 * scale;

    let in_cycle: BTreeSet<usize> = plan
        .cycles
        .iter()
        .flat_map(|c| c.contexts.iter().map(|c| c.index()))
        .collect();

    let mut label_boxes: Vec<Rect> = Vec::new();
    let nodes = order
        .iter()
        .map(|&i| {
            let (x, y, r) = pos[i];
            let label_y = y + r + 17.0 * scale;
            let sub_y = y + r + 33.0 * scale;
            label_boxes.push(text_box(
                x,
                label_y,
                names[i].chars().count(),
                name_px,
                NAME_EM,
                false,
            ));
            label_boxes.push(text_box(
                x,
                sub_y,
                subs[i].chars().count(),
                sub_px,
                SUB_EM,
                false,
            ));
            MapNode {
                index: i,
                name: names[i].clone(),
                full_name: plan.context_names[i].clone(),
                cx: f1(x),
                cy: f1(y),
                r: f1(r),
                label_y: f1(label_y),
                sub_y: f1(sub_y),
                sub: subs[i].clone(),
                colour: colour(ContextId(i as u32)),
                in_cycle: in_cycle.contains(&i),
            }
        })
        .collect();

    let max_w = ranked.first().map_or(1, |&(w, _)| w).max(1) as f64;
    // Edge labels: the 8 heaviest cut edges and the 16 heaviest edges, each only where it
    // touches no other label.
    let mut labelled: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut candidates: Vec<(usize, usize)> = heaviest_cuts.iter().take(8).copied().collect();
    candidates.extend(ranked.iter().take(16).map(|&(_, k)| k));
    let mut edges: Vec<MapEdge> = weights
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
                weak: !strong.contains(&(a, b)),
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
                label: false,
            }
        })
        .collect();
    for key in candidates {
        if !labelled.insert(key) {
            continue;
        }
        let Some(e) = edges.iter_mut().find(|e| (e.from, e.to) == key) else {
            continue;
        };
        if e.weak {
            continue;
        }
        let (x, y) = (
            e.lx.parse::<f64>().unwrap_or(0.0),
            e.ly.parse::<f64>().unwrap_or(0.0),
        );
        let b = text_box(x, y, e.references.to_string().len(), edge_px, SUB_EM, true);
        if label_boxes.iter().all(|l| !overlaps(l, &b)) {
            label_boxes.push(b);
            e.label = true;
        }
    }
    let n_weak = edges.iter().filter(|e| e.weak).count();
    ContextMap {
        width: width as u32,
        height: height as u32,
        layered,
        nodes,
        edges,
        n_weak,
        weak_below,
        label_boxes,
        sizes: [f1(name_px), f1(sub_px), f1(edge_px), f1(11.0 * scale)],
    }
}

/// Node positions (x, y, radius), canvas width and height, and the text scale.
type Placed = (Vec<(f64, f64, f64)>, f64, f64, f64);

/// The circle: contexts in extraction order, clockwise from the top; `None` when two
/// labels would touch.
fn circle_layout(
    n: usize,
    order: &[usize],
    lines: &[u64],
    max_lines: f64,
    names: &[String],
    subs: &[String],
) -> Option<Placed> {
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
    let mut boxes: Vec<Rect> = Vec::new();
    for &i in order {
        let (x, y, r) = pos[i];
        let name = text_box(
            x,
            y + r + 17.0 * scale,
            names[i].chars().count(),
            14.0 * scale,
            NAME_EM,
            false,
        );
        let sub = text_box(
            x,
            y + r + 33.0 * scale,
            subs[i].chars().count(),
            11.0 * scale,
            SUB_EM,
            false,
        );
        // Inside the canvas, and clear of every other label.
        for b in [name, sub] {
            if b.0 < 0.0 || b.2 > size || b.3 > size || boxes.iter().any(|o| overlaps(o, &b)) {
                return None;
            }
            boxes.push(b);
        }
    }
    Some((pos, size, size, scale))
}

/// The grid: contexts in a topological order of the drawn edges (depth first from each
/// context in extraction order; an edge back to a context on the current path closes a
/// cycle and is ignored), `cols` to a row, each row centred.
fn grid_layout(
    n: usize,
    order: &[usize],
    lines: &[u64],
    max_lines: f64,
    names: &[String],
    subs: &[String],
    strong: &BTreeSet<(usize, usize)>,
) -> Placed {
    let slot: Vec<usize> = {
        let mut s = vec![0; n];
        for (k, &i) in order.iter().enumerate() {
            s[i] = k;
        }
        s
    };
    // Depth-first from each context in extraction order: an edge to a context on the
    // current path closes a cycle and is ignored.
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in strong {
        if a < n && b < n {
            out[a].push(b);
        }
    }
    for v in &mut out {
        v.sort_by_key(|&b| slot[b]);
    }
    let mut state = vec![0u8; n]; // 0 new, 1 on the path, 2 done
    let mut post: Vec<usize> = Vec::with_capacity(n);
    for &root in order {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(&w) = out[v].get(*next) {
                *next += 1;
                if state[w] == 0 {
                    state[w] = 1;
                    stack.push((w, 0));
                }
            } else {
                state[v] = 2;
                post.push(v);
                stack.pop();
            }
        }
    }
    // In reverse post-order every edge kept goes forward.
    let topo: Vec<usize> = post.iter().rev().copied().collect();

    let r_of = |i: usize| 10.0 + 18.0 * (lines[i] as f64 / max_lines).sqrt();
    let max_r = (0..n).map(r_of).fold(10.0, f64::max);
    let label_w = (0..n)
        .map(|i| {
            let name = text_box(0.0, 0.0, names[i].chars().count(), 14.0, NAME_EM, false);
            let sub = text_box(0.0, 0.0, subs[i].chars().count(), 11.0, SUB_EM, false);
            (name.2 - name.0).max(sub.2 - sub.0)
        })
        .fold(2.0 * max_r, f64::max);
    let cell = label_w + 20.0;
    let margin = 24.0;
    let cols = (((LAYERED_WIDTH - 2.0 * margin) / cell).floor() as usize).max(1);
    let width = (cols as f64 * cell + 2.0 * margin).max(LAYERED_WIDTH);
    // A row: circles, the two label lines below them, and room for the edges between rows.
    let row_h = 2.0 * max_r + 33.0 + 0.32 * 11.0 + 40.0;

    let rows: Vec<&[usize]> = topo.chunks(cols).collect();
    let mut pos = vec![(width / 2.0, 0.0, 10.0); n];
    for (k, row) in rows.iter().enumerate() {
        let y = margin + max_r + k as f64 * row_h;
        let left = width / 2.0 - (row.len() as f64 - 1.0) * cell / 2.0;
        for (j, &i) in row.iter().enumerate() {
            pos[i] = (left + j as f64 * cell, y, r_of(i));
        }
    }
    let height = margin + rows.len() as f64 * row_h;
    (pos, width, height, 1.0)
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
