//! Wire types of the split plan in the JSON document (the `plan` key).
//!
//! Dedicated serde types, separate from [`seamline_plan::Plan`], so that the schema changes
//! only on purpose. Contexts are referred to by name, items by path with `file` and `line`,
//! and every list keeps the plan's deterministic order.

use seamline_plan as sp;
use serde::Serialize;

/// The plan as it appears under `plan` in `seamline.json`.
#[derive(Debug, Serialize)]
pub struct PlanJson {
    /// `split-now`, `modularise-first` or `keep-monolith`.
    pub verdict: &'static str,
    /// The advice that goes with the verdict, fitted to the codebase.
    pub advice: String,
    /// The measured facts behind the verdict, decisive ones first.
    pub reasons: Vec<ReasonJson>,
    /// What the codebase is: entry points, real contexts, team.
    pub codebase: CodebaseJson,
    /// Headline numbers.
    pub numbers: NumbersJson,
    /// The thresholds used.
    pub thresholds: ThresholdsJson,
    /// One service per context.
    pub services: Vec<ServiceJson>,
    /// Models used by several contexts.
    pub shared_models: Vec<SharedModelJson>,
    /// Tables touched by several contexts.
    pub shared_tables: Vec<SharedTableJson>,
    /// Cycles between contexts and the edges to cut.
    pub cycles: Vec<CycleJson>,
    /// Extraction steps, first first.
    pub extraction: Vec<StepJson>,
    /// The changes inside the monolith that would make the split possible (where no split
    /// is advised: tidy its modules or crate boundaries), most effective first.
    pub worklist: Vec<WorkItemJson>,
    /// What the git history says; absent without `--history`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<HistoryJson>,
    /// Code nothing refers to, set aside rather than proposed as a service, largest first.
    pub possibly_dead: Vec<DeadCodeJson>,
}

/// `plan.possibly_dead[]`.
#[derive(Debug, Serialize)]
pub struct DeadCodeJson {
    /// Item ids (owner items), by path.
    pub items: Vec<String>,
    /// Module ids of the modules wholly in it.
    pub modules: Vec<String>,
    /// Lines of code.
    pub code_lines: u64,
    /// Why, in one sentence.
    pub reason: String,
}

/// What the codebase is (`plan.codebase`).
#[derive(Debug, Serialize)]
pub struct CodebaseJson {
    /// `network-service`, `command-line` or `library`.
    pub kind: &'static str,
    /// Network entry points, by crate.
    pub entry_points: Vec<EntryPointJson>,
    /// Names of the contexts that are real domains, by context order.
    pub real_contexts: Vec<String>,
    /// Names of the contexts with most of their code in client crates (a web UI, a CLI),
    /// by context order: no service candidates.
    pub client_contexts: Vec<String>,
    /// With `--history`: who works on it; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<TeamJson>,
}

/// A network entry point.
#[derive(Debug, Serialize)]
pub struct EntryPointJson {
    /// The crate root (`axum`).
    #[serde(rename = "crate")]
    pub krate: String,
    /// What it serves (`HTTP server`, `gRPC server`, `queue`).
    pub infra: &'static str,
    /// The first module using it.
    pub module: String,
    /// Its first use there.
    pub file: String,
    /// Line of that use.
    pub line: u32,
    /// Modules using it.
    pub modules: usize,
}

/// The team, from the git history.
#[derive(Debug, Serialize)]
pub struct TeamJson {
    /// Active authors, most commits first.
    pub active_authors: Vec<AuthorJson>,
    /// Distinct owners of contexts, sorted.
    pub distinct_owners: Vec<String>,
}

/// One change of the worklist.
#[derive(Debug, Serialize)]
pub struct WorkItemJson {
    /// 1-based rank.
    pub rank: usize,
    /// `break-cycle`, `replace-model-by-id` or `own-table`.
    pub kind: &'static str,
    /// Where to start.
    pub file: String,
    /// Line there.
    pub line: u32,
    /// The change, in one sentence.
    pub change: String,
    /// The reason kind whose metric it moves (`cycles`, `shared-models`, `shared-tables`).
    pub metric: &'static str,
    /// The metric before, with every earlier change applied.
    pub before: f64,
    /// The metric with this change applied too.
    pub after: f64,
    /// The metric's threshold.
    pub threshold: f64,
    /// The edges a `break-cycle` cuts together, strongest first (empty for other kinds).
    pub cuts: Vec<WorkCutJson>,
}

/// One edge of a `break-cycle` item.
#[derive(Debug, Serialize)]
pub struct WorkCutJson {
    /// The depending context.
    pub from: String,
    /// The depended-on context.
    pub to: String,
    /// `events`, `dependency-inversion`, `move-item`, `reference-by-id`.
    pub technique: &'static str,
    /// References to rewrite.
    pub references: u32,
    /// The file of the first reference.
    pub file: String,
    /// Its line.
    pub line: u32,
}

/// The git history signals (`plan.history`, only with `--history`).
#[derive(Debug, Serialize)]
pub struct HistoryJson {
    /// Non-merge commits examined.
    pub commits_read: usize,
    /// Merge commits skipped.
    pub merges_skipped: usize,
    /// Commits skipped because they changed too many files.
    pub huge_skipped: usize,
    /// The thresholds the history was used with.
    pub thresholds: HistoryThresholdsJson,
    /// Churn and ownership per context, by context.
    pub contexts: Vec<ContextHistoryJson>,
    /// Modules by churn × size, hottest first.
    pub hotspots: Vec<HotspotJson>,
    /// Module pairs of different contexts that change in the same commits, strongest first:
    /// the coupling static analysis cannot see.
    pub change_coupling: Vec<ChangeCouplingJson>,
    /// Contexts changed by the same people, most overlapping first.
    pub contributor_coupling: Vec<ContributorCouplingJson>,
    /// Pairs of contexts that are not independently deployable.
    pub not_independently_deployable: Vec<NotIndependentJson>,
}

/// The thresholds of the history's use in the plan.
#[derive(Debug, Serialize)]
pub struct HistoryThresholdsJson {
    /// A module pair at least this coupled (degree)...
    pub coupled_min_degree: f64,
    /// ...over at least this many shared commits makes two contexts not independently
    /// deployable.
    pub coupled_min_shared_commits: u32,
    /// A main author with at least this share, leading no other context, is a distinct owner.
    pub distinct_owner_share: f64,
    /// The largest share of a seam's cost the history takes off in the extraction order.
    pub history_discount: f64,
}

/// Churn and ownership of a context.
#[derive(Debug, Serialize)]
pub struct ContextHistoryJson {
    /// The context.
    pub context: String,
    /// Commits that changed it.
    pub commits: u32,
    /// Lines added.
    pub lines_added: u64,
    /// Lines removed.
    pub lines_removed: u64,
    /// The author with the most commits.
    pub main_author: String,
    /// Their share of the commits, in `(0, 1]`.
    pub main_share: f64,
    /// Every author and their commits, most first.
    pub authors: Vec<AuthorJson>,
}

/// An author's commits in a context.
#[derive(Debug, Serialize)]
pub struct AuthorJson {
    /// The name (after `.mailmap`).
    pub name: String,
    /// Commits.
    pub commits: u32,
}

/// A hotspot module.
#[derive(Debug, Serialize)]
pub struct HotspotJson {
    /// The module path.
    pub module: String,
    /// Its context (`null`: the shared kernel).
    pub context: Option<String>,
    /// Commits that changed it.
    pub commits: u32,
    /// Lines of code.
    pub code_lines: u64,
    /// Change frequency × size, normalised to `[0, 1]`.
    pub score: f64,
}

/// Two modules of different contexts that change together.
#[derive(Debug, Serialize)]
pub struct ChangeCouplingJson {
    /// One module.
    pub a: String,
    /// Its context.
    pub a_context: String,
    /// The other module.
    pub b: String,
    /// Its context.
    pub b_context: String,
    /// Commits that changed both.
    pub shared_commits: u32,
    /// Degree of coupling, in `[0, 1]`.
    pub degree: f64,
    /// Whether it crosses the not-independently-deployable thresholds.
    pub strong: bool,
}

/// Two contexts changed by the same people.
#[derive(Debug, Serialize)]
pub struct ContributorCouplingJson {
    /// One context.
    pub a: String,
    /// The other.
    pub b: String,
    /// Shared authors over all their authors (Jaccard).
    pub jaccard: f64,
}

/// Two contexts whose code changes together.
#[derive(Debug, Serialize)]
pub struct NotIndependentJson {
    /// One context.
    pub a: String,
    /// The other.
    pub b: String,
    /// The sentence.
    pub text: String,
    /// The strong module pairs, as indices into `change_coupling`.
    pub pairs: Vec<usize>,
}

/// A measured fact behind the verdict.
#[derive(Debug, Serialize)]
pub struct ReasonJson {
    /// `size`, `contexts`, `service-size`, `modularity`, `cycles`, `shared-tables`,
    /// `shared-models`.
    pub kind: &'static str,
    /// Whether it decided the verdict.
    pub decisive: bool,
    /// Whether its threshold was crossed.
    pub crossed: bool,
    /// The measured value.
    pub value: f64,
    /// The threshold.
    pub threshold: f64,
    /// The sentence.
    pub text: String,
}

/// Headline numbers.
#[derive(Debug, Serialize)]
pub struct NumbersJson {
    /// Lines of code.
    pub code_lines: u64,
    /// Files.
    pub files: usize,
    /// Modules.
    pub modules: usize,
    /// Items.
    pub items: usize,
    /// Tables.
    pub tables: usize,
    /// Contexts.
    pub contexts: usize,
    /// Kernel modules.
    pub kernel_modules: usize,
    /// Modularity Q.
    pub modularity: f64,
    /// Cross-context references (sum of counts).
    pub cross_references: u64,
    /// Contexts in cycles.
    pub contexts_in_cycles: usize,
    /// Shared models (identifier types left out).
    pub shared_models: usize,
    /// Shared tables.
    pub shared_tables: usize,
    /// Diagnostics.
    pub diagnostics: usize,
}

/// The verdict's thresholds.
#[derive(Debug, Serialize)]
pub struct ThresholdsJson {
    /// Keep the monolith below this many lines of code.
    pub keep_below_code_lines: u64,
    /// Keep the monolith with fewer contexts.
    pub min_contexts: usize,
    /// Over-fragmented below this mean context size.
    pub min_mean_context_lines: u64,
    /// Modularise first below this modularity.
    pub min_modularity: f64,
    /// Modularise first above this share of contexts in cycles.
    pub max_cycle_share: f64,
    /// Modularise first above this share of shared tables.
    pub max_shared_table_share: f64,
    /// Modularise first above this share of shared models.
    pub max_shared_model_share: f64,
    /// Replicate a table by events from this many reads.
    pub hot_read_count: u32,
    /// Keep the monolith below this many lines of code, whatever its structure.
    pub single_service_code_lines: u64,
    /// A context under this share of the code is no real domain.
    pub min_real_context_share: f64,
    /// Step 1 is a real domain with at least this share of the code when there is one.
    pub min_first_step_share: f64,
    /// With `--history`: the share of commits that makes an author active.
    pub active_author_share: f64,
    /// With `--history`: keep the monolith with at most this many active authors.
    pub max_team_authors: usize,
    /// With `--history`: this many distinct owners make a small clean codebase worth splitting.
    pub min_distinct_owners: usize,
}

/// An item, with where it is declared.
#[derive(Debug, Serialize)]
pub struct ItemJson {
    /// Full path.
    pub path: String,
    /// `struct`, `fn`, `method`, ...
    pub kind: &'static str,
    /// File, relative to the root.
    pub file: String,
    /// Line.
    pub line: u32,
}

impl ItemJson {
    fn new(i: &sp::ItemRef) -> ItemJson {
        ItemJson {
            path: i.path.clone(),
            kind: i.kind_str(),
            file: i.at.file.clone(),
            line: i.at.line,
        }
    }
}

/// A service.
#[derive(Debug, Serialize)]
pub struct ServiceJson {
    /// Name (the context's).
    pub name: String,
    /// One sentence.
    pub purpose: String,
    /// Lines of code.
    pub code_lines: u64,
    /// Module paths.
    pub modules: Vec<String>,
    /// Owned models.
    pub models: Vec<ItemJson>,
    /// Owned tables.
    pub tables: Vec<String>,
    /// Files wholly owned.
    pub files: Vec<String>,
    /// Items to move out of mixed files.
    pub to_move: Vec<MoveJson>,
    /// API surface.
    pub api: Vec<ApiJson>,
    /// Contexts it depends on, with reference counts.
    pub calls: Vec<LinkJson>,
    /// Contexts depending on it.
    pub called_by: Vec<LinkJson>,
    /// External crates.
    pub external_crates: Vec<String>,
    /// Infrastructure implied by them.
    pub stack: Vec<StackJson>,
    /// `stateful` or `stateless`.
    pub state: &'static str,
    /// `static` items.
    pub statics: Vec<ItemJson>,
}

/// An item in a mixed file.
#[derive(Debug, Serialize)]
pub struct MoveJson {
    /// The item.
    pub item: ItemJson,
    /// Its module today.
    pub module: String,
    /// That module's context (`null`: the kernel).
    pub module_context: Option<String>,
}

/// An item of the API surface.
#[derive(Debug, Serialize)]
pub struct ApiJson {
    /// The item.
    pub item: ItemJson,
    /// Its signature.
    pub signature: Option<String>,
    /// Whether it is called (a candidate endpoint) rather than a data contract.
    pub endpoint: bool,
    /// Contexts using it.
    pub used_by: Vec<String>,
    /// References from other contexts.
    pub references: u32,
}

/// A link between services.
#[derive(Debug, Serialize)]
pub struct LinkJson {
    /// The other context.
    pub context: String,
    /// References.
    pub references: u32,
}

/// A piece of infrastructure.
#[derive(Debug, Serialize)]
pub struct StackJson {
    /// `database`, `cache`, `queue`, ...
    pub infra: &'static str,
    /// The crates implying it.
    pub crates: Vec<String>,
}

/// A field holding another context's model.
#[derive(Debug, Serialize)]
pub struct FieldJson {
    /// The holding model's path.
    pub holder: String,
    /// Its context (`null`: the kernel).
    pub context: Option<String>,
    /// Field name.
    pub field: String,
    /// Field type.
    pub ty: String,
    /// File.
    pub file: String,
    /// Line.
    pub line: u32,
}

/// A shared model.
#[derive(Debug, Serialize)]
pub struct SharedModelJson {
    /// The model.
    pub model: ItemJson,
    /// Owner (`null`: the kernel).
    pub owner: Option<String>,
    /// Other users.
    pub used_by: Vec<String>,
    /// References from other contexts.
    pub references: u32,
    /// Whether it is an identifier type.
    pub id_type: bool,
    /// Fields embedding the whole model.
    pub embedded_in: Vec<FieldJson>,
    /// Fields holding only its id.
    pub held_by_id: Vec<FieldJson>,
    /// The change.
    pub change: String,
}

/// One context's use of a shared table.
#[derive(Debug, Serialize)]
pub struct TableUseJson {
    /// The context.
    pub context: String,
    /// Reads.
    pub reads: u32,
    /// Writes.
    pub writes: u32,
    /// First access, `file:line`.
    pub first: Option<String>,
}

/// A shared table.
#[derive(Debug, Serialize)]
pub struct SharedTableJson {
    /// Table name.
    pub table: String,
    /// Owner.
    pub owner: Option<String>,
    /// Whether the plan proposed the owner.
    pub owner_proposed: bool,
    /// Why the owner owns it (`writes`, `main-reader`, `schema`, `mapping`), null when the
    /// plan proposed it.
    pub owner_reason: Option<&'static str>,
    /// Uses per context.
    pub uses: Vec<TableUseJson>,
    /// `owner-api`, `replicate-by-events` or `saga`.
    pub technique: &'static str,
    /// The change.
    pub change: String,
}

/// A cross-context reference.
#[derive(Debug, Serialize)]
pub struct RefJson {
    /// Depending context.
    pub from_context: String,
    /// Holder (item or module path).
    pub from: String,
    /// Depended-on context.
    pub to_context: String,
    /// Target (item path or `table name`).
    pub to: String,
    /// `import`, `type`, `call`, `impl`, `read`, `write`.
    pub kind: &'static str,
    /// Count.
    pub count: u32,
    /// File.
    pub file: String,
    /// Line.
    pub line: u32,
}

/// An edge of a cycle.
#[derive(Debug, Serialize)]
pub struct CycleEdgeJson {
    /// From.
    pub from: String,
    /// To.
    pub to: String,
    /// References.
    pub references: u32,
    /// The references.
    pub evidence: Vec<RefJson>,
}

/// A cut.
#[derive(Debug, Serialize)]
pub struct CutJson {
    /// From.
    pub from: String,
    /// To.
    pub to: String,
    /// `events`, `dependency-inversion`, `move-item`, `reference-by-id`.
    pub technique: &'static str,
    /// Why.
    pub rationale: String,
}

/// A cycle.
#[derive(Debug, Serialize)]
pub struct CycleJson {
    /// Contexts.
    pub contexts: Vec<String>,
    /// Edges.
    pub edges: Vec<CycleEdgeJson>,
    /// Cuts, in order.
    pub cuts: Vec<CutJson>,
}

/// An extraction step.
#[derive(Debug, Serialize)]
pub struct StepJson {
    /// 1-based.
    pub step: usize,
    /// The context.
    pub context: String,
    /// Why now.
    pub why: String,
    /// Seam cost.
    pub cost: usize,
    /// Inbound references from the remaining monolith.
    pub inbound_references: u32,
    /// Outbound references to it.
    pub outbound_references: u32,
    /// Shared models and tables touched.
    pub shared_data: usize,
    /// References to rewrite (sum of counts).
    pub effort: u32,
    /// New synchronous network calls.
    pub new_network_calls: usize,
    /// New events.
    pub new_events: usize,
    /// Tables to migrate.
    pub tables_to_migrate: Vec<String>,
    /// Advice.
    pub advice: Vec<String>,
    /// The reference sites to rewrite.
    pub rewrites: Vec<RefJson>,
}

fn refj(plan: &sp::Plan, r: &sp::CrossRef) -> RefJson {
    RefJson {
        from_context: plan.context_name(r.from_context).to_owned(),
        from: r.from.clone(),
        to_context: plan.context_name(r.to_context).to_owned(),
        to: r.to.clone(),
        kind: match (r.kind, r.writes) {
            (seamline_ir::DepKind::Table, true) => "write",
            (seamline_ir::DepKind::Table, false) => "read",
            (k, _) => k.as_str(),
        },
        count: r.count,
        file: r.at.file.clone(),
        line: r.at.line,
    }
}

/// Converts a plan into its wire form.
pub fn plan_json(plan: &sp::Plan) -> PlanJson {
    let name = |c: seamline_cluster::contexts::ContextId| plan.context_name(c).to_owned();
    let field = |f: &sp::FieldUse| FieldJson {
        holder: f.holder.path.clone(),
        context: f.context.map(name),
        field: f.field.clone(),
        ty: f.ty.clone(),
        file: f.at.file.clone(),
        line: f.at.line,
    };
    let n = &plan.numbers;
    let t = &plan.thresholds;
    PlanJson {
        verdict: plan.verdict.as_str(),
        advice: plan.advice.clone(),
        reasons: plan
            .reasons
            .iter()
            .map(|r| ReasonJson {
                kind: r.kind.as_str(),
                decisive: r.decisive,
                crossed: r.crossed,
                value: r.value,
                threshold: r.threshold,
                text: r.text.clone(),
            })
            .collect(),
        codebase: CodebaseJson {
            kind: plan.codebase.kind.as_str(),
            entry_points: plan
                .codebase
                .entry_points
                .iter()
                .map(|e| EntryPointJson {
                    krate: e.krate.clone(),
                    infra: e.infra.label(),
                    module: e.module.path.clone(),
                    file: e.at.file.clone(),
                    line: e.at.line,
                    modules: e.modules,
                })
                .collect(),
            real_contexts: plan
                .codebase
                .real_contexts
                .iter()
                .map(|&c| name(c))
                .collect(),
            client_contexts: plan
                .codebase
                .client_contexts
                .iter()
                .map(|&c| name(c))
                .collect(),
            team: plan.codebase.team.as_ref().map(|t| TeamJson {
                active_authors: t
                    .active_authors
                    .iter()
                    .map(|(a, n)| AuthorJson {
                        name: a.clone(),
                        commits: *n,
                    })
                    .collect(),
                distinct_owners: t.distinct_owners.clone(),
            }),
        },
        numbers: NumbersJson {
            code_lines: n.code_lines,
            files: n.files,
            modules: n.modules,
            items: n.items,
            tables: n.tables,
            contexts: n.contexts,
            kernel_modules: n.kernel_modules,
            modularity: n.modularity,
            cross_references: n.cross_references,
            contexts_in_cycles: n.contexts_in_cycles,
            shared_models: n.shared_models,
            shared_tables: n.shared_tables,
            diagnostics: n.diagnostics,
        },
        thresholds: ThresholdsJson {
            keep_below_code_lines: t.keep_below_code_lines,
            min_contexts: t.min_contexts,
            min_mean_context_lines: t.min_mean_context_lines,
            min_modularity: t.min_modularity,
            max_cycle_share: t.max_cycle_share,
            max_shared_table_share: t.max_shared_table_share,
            max_shared_model_share: t.max_shared_model_share,
            hot_read_count: t.hot_read_count,
            single_service_code_lines: t.single_service_code_lines,
            min_real_context_share: t.min_real_context_share,
            min_first_step_share: t.min_first_step_share,
            active_author_share: t.active_author_share,
            max_team_authors: t.max_team_authors,
            min_distinct_owners: t.min_distinct_owners,
        },
        services: plan
            .services
            .iter()
            .map(|s| ServiceJson {
                name: s.name.clone(),
                purpose: s.purpose.clone(),
                code_lines: s.code_lines,
                modules: s.modules.iter().map(|m| m.path.clone()).collect(),
                models: s.owns.models.iter().map(ItemJson::new).collect(),
                tables: s.owns.tables.iter().map(|t| t.name.clone()).collect(),
                files: s.owns.files.clone(),
                to_move: s
                    .owns
                    .to_move
                    .iter()
                    .map(|m| MoveJson {
                        item: ItemJson::new(&m.item),
                        module: m.module.path.clone(),
                        module_context: m.module_context.map(name),
                    })
                    .collect(),
                api: s
                    .api
                    .iter()
                    .map(|a| ApiJson {
                        item: ItemJson::new(&a.item),
                        signature: a.signature.clone(),
                        endpoint: a.is_endpoint(),
                        used_by: a.used_by.iter().map(|&c| name(c)).collect(),
                        references: a.references,
                    })
                    .collect(),
                calls: s
                    .calls
                    .iter()
                    .map(|l| LinkJson {
                        context: name(l.context),
                        references: l.references,
                    })
                    .collect(),
                called_by: s
                    .called_by
                    .iter()
                    .map(|l| LinkJson {
                        context: name(l.context),
                        references: l.references,
                    })
                    .collect(),
                external_crates: s.external_crates.iter().map(|e| e.name.clone()).collect(),
                stack: s
                    .stack
                    .iter()
                    .map(|x| StackJson {
                        infra: x.infra.label(),
                        crates: x.crates.clone(),
                    })
                    .collect(),
                state: if s.state.is_stateful() {
                    "stateful"
                } else {
                    "stateless"
                },
                statics: s.state.statics.iter().map(ItemJson::new).collect(),
            })
            .collect(),
        shared_models: plan
            .shared_models
            .iter()
            .map(|m| SharedModelJson {
                model: ItemJson::new(&m.model),
                owner: m.owner.map(name),
                used_by: m.used_by.iter().map(|&c| name(c)).collect(),
                references: m.references,
                id_type: m.id_type,
                embedded_in: m.embedded_in.iter().map(field).collect(),
                held_by_id: m.held_by_id.iter().map(field).collect(),
                change: m.change.clone(),
            })
            .collect(),
        shared_tables: plan
            .shared_tables
            .iter()
            .map(|t| SharedTableJson {
                table: t.table.name.clone(),
                owner: t.owner.map(name),
                owner_proposed: t.owner_proposed,
                owner_reason: t.owner_reason,
                uses: t
                    .uses
                    .iter()
                    .map(|u| TableUseJson {
                        context: name(u.context),
                        reads: u.reads,
                        writes: u.writes,
                        first: u.at.as_ref().map(|l| l.to_string()),
                    })
                    .collect(),
                technique: t.technique.as_str(),
                change: t.change.clone(),
            })
            .collect(),
        cycles: plan
            .cycles
            .iter()
            .map(|c| CycleJson {
                contexts: c.contexts.iter().map(|&x| name(x)).collect(),
                edges: c
                    .edges
                    .iter()
                    .map(|e| CycleEdgeJson {
                        from: name(e.from),
                        to: name(e.to),
                        references: e.references,
                        evidence: e.evidence.iter().map(|r| refj(plan, r)).collect(),
                    })
                    .collect(),
                cuts: c
                    .cuts
                    .iter()
                    .map(|x| {
                        let e = &c.edges[x.edge];
                        CutJson {
                            from: name(e.from),
                            to: name(e.to),
                            technique: x.technique.as_str(),
                            rationale: x.rationale.clone(),
                        }
                    })
                    .collect(),
            })
            .collect(),
        extraction: plan
            .extraction
            .iter()
            .map(|s| StepJson {
                step: s.step,
                context: name(s.context),
                why: s.why.clone(),
                cost: s.cost,
                inbound_references: s.inbound_references,
                outbound_references: s.outbound_references,
                shared_data: s.shared_data,
                effort: s.effort(),
                new_network_calls: s.new_network_calls,
                new_events: s.new_events,
                tables_to_migrate: s.tables_to_migrate.iter().map(|t| t.name.clone()).collect(),
                advice: s.advice.clone(),
                rewrites: s.rewrites.iter().map(|r| refj(plan, r)).collect(),
            })
            .collect(),
        worklist: plan
            .worklist
            .iter()
            .map(|w| WorkItemJson {
                rank: w.rank,
                kind: w.kind.as_str(),
                file: w.at.file.clone(),
                line: w.at.line,
                change: w.change.clone(),
                metric: w.metric.as_str(),
                before: round6(w.before),
                after: round6(w.after),
                threshold: w.threshold,
                cuts: w
                    .cuts
                    .iter()
                    .map(|x| WorkCutJson {
                        from: name(x.from),
                        to: name(x.to),
                        technique: x.technique.as_str(),
                        references: x.references,
                        file: x.at.file.clone(),
                        line: x.at.line,
                    })
                    .collect(),
            })
            .collect(),
        history: plan.history.as_ref().map(|h| history_json(plan, h)),
        possibly_dead: plan
            .possibly_dead
            .iter()
            .map(|d| DeadCodeJson {
                items: d.items.iter().map(|i| i.path.clone()).collect(),
                modules: d.modules.iter().map(|m| m.path.clone()).collect(),
                code_lines: d.code_lines,
                reason: d.reason.clone(),
            })
            .collect(),
    }
}

fn history_json(plan: &sp::Plan, h: &sp::PlanHistory) -> HistoryJson {
    let name = |c: seamline_cluster::contexts::ContextId| plan.context_name(c).to_owned();
    let t = &plan.thresholds;
    HistoryJson {
        commits_read: h.commits_read,
        merges_skipped: h.merges_skipped,
        huge_skipped: h.huge_skipped,
        thresholds: HistoryThresholdsJson {
            coupled_min_degree: t.coupled_min_degree,
            coupled_min_shared_commits: t.coupled_min_shared_commits,
            distinct_owner_share: t.distinct_owner_share,
            history_discount: t.history_discount,
        },
        contexts: h
            .contexts
            .iter()
            .map(|c| ContextHistoryJson {
                context: name(c.context),
                commits: c.commits,
                lines_added: c.lines_added,
                lines_removed: c.lines_removed,
                main_author: c.main_author.clone(),
                main_share: c.main_share,
                authors: c
                    .authors
                    .iter()
                    .map(|(n, k)| AuthorJson {
                        name: n.clone(),
                        commits: *k,
                    })
                    .collect(),
            })
            .collect(),
        hotspots: h
            .hotspots
            .iter()
            .map(|r| HotspotJson {
                module: r.module.path.clone(),
                context: r.context.map(name),
                commits: r.commits,
                code_lines: r.code_lines,
                score: r.score,
            })
            .collect(),
        change_coupling: h
            .coupling
            .iter()
            .map(|r| ChangeCouplingJson {
                a: r.a.path.clone(),
                a_context: name(r.a_context),
                b: r.b.path.clone(),
                b_context: name(r.b_context),
                shared_commits: r.shared,
                degree: r.degree,
                strong: r.strong,
            })
            .collect(),
        contributor_coupling: h
            .contributor_coupling
            .iter()
            .map(|&(a, b, jaccard)| ContributorCouplingJson {
                a: name(a),
                b: name(b),
                jaccard,
            })
            .collect(),
        not_independently_deployable: h
            .not_independent
            .iter()
            .map(|p| NotIndependentJson {
                a: name(p.a),
                b: name(p.b),
                text: p.text.clone(),
                pairs: p.pairs.clone(),
            })
            .collect(),
    }
}

/// Rounds a share to 6 decimals, like the other metrics of the document.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
