//! The JSON of `seamline eval --format json`: the scores of the proposal and of the two
//! baselines against a ground truth.
//!
//! Keys are in alphabetical order (fields are declared in that order), so that a reader
//! diffing two runs sees the same layout as before the document had wire types.
//! Scores are rounded to 6 decimals: enough to compare, and no float noise in the file.

use crate::json::SCHEMA_VERSION;
use seamline_cluster::contexts::{Agreement, EvalReport, KernelScore};
use serde::Serialize;

/// One scored partition, as the binary hands it over.
#[derive(Debug, Clone, Copy)]
pub struct Scored<'a> {
    /// `proposal`, `folder baseline` or `components baseline`.
    pub name: &'a str,
    /// How many contexts it has.
    pub contexts: usize,
    /// Its scores.
    pub report: &'a EvalReport,
}

/// What the run was about, beside the scores.
#[derive(Debug, Clone, Copy)]
pub struct EvalRun {
    /// `module` or `item`.
    pub granularity: &'static str,
    /// Contexts of the truth (the kernel left out).
    pub truth_contexts: usize,
    /// Labelled files that were not analysed.
    pub missing_files: usize,
    /// With `--history`: (commits read, co-changing module pairs).
    pub history: Option<(usize, usize)>,
}

/// The whole document.
#[derive(Debug, Serialize)]
pub struct EvalJson<'a> {
    /// `module` or `item`.
    pub granularity: &'a str,
    /// With `--history`, what the history gave; `null` without.
    pub history: Option<HistoryJson>,
    /// Labelled files that were not analysed.
    pub missing_files: usize,
    /// The proposal, then the folder and the components baselines.
    pub results: Vec<ResultJson<'a>>,
    /// [`SCHEMA_VERSION`].
    pub schema_version: &'a str,
    /// Contexts of the truth (the kernel left out).
    pub truth_contexts: usize,
    /// Owner items whose file the truth does not mention.
    pub unlabelled_items: usize,
}

/// `history`.
#[derive(Debug, Serialize)]
pub struct HistoryJson {
    /// Co-changing module pairs turned into edges.
    pub co_change_pairs: usize,
    /// Commits read.
    pub commits: usize,
}

/// `results[]`.
#[derive(Debug, Serialize)]
pub struct ResultJson<'a> {
    /// How many contexts the partition has.
    pub contexts: usize,
    /// Agreement over owner items.
    pub items: AgreementJson,
    /// Kernel detection over owner items.
    pub kernel_items: KernelJson,
    /// Kernel detection over file-backed modules.
    pub kernel_modules: KernelJson,
    /// Agreement over file-backed modules.
    pub modules: AgreementJson,
    /// `proposal`, `folder baseline` or `components baseline`.
    pub name: &'a str,
}

/// `results[].items`, `results[].modules`.
#[derive(Debug, Serialize)]
pub struct AgreementJson {
    /// Adjusted Rand index.
    pub ari: f64,
    /// Inverse purity.
    pub inverse_purity: f64,
    /// MoJoFM, 0..100.
    pub mojofm: f64,
    /// Elements scored.
    pub n: usize,
    /// Normalised mutual information.
    pub nmi: f64,
    /// Purity.
    pub purity: f64,
}

/// `results[].kernel_items`, `results[].kernel_modules`.
#[derive(Debug, Serialize)]
pub struct KernelJson {
    /// Elements in both kernels.
    pub correct: usize,
    /// `correct / predicted`.
    pub precision: f64,
    /// Elements the proposal puts in the kernel.
    pub predicted: usize,
    /// `correct / truth`.
    pub recall: f64,
    /// Elements the truth puts in the kernel.
    pub truth: usize,
}

/// Six decimals.
fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn agreement(a: &Agreement) -> AgreementJson {
    AgreementJson {
        ari: round(a.ari),
        inverse_purity: round(a.inverse_purity),
        mojofm: round(a.mojofm),
        n: a.n,
        nmi: round(a.nmi),
        purity: round(a.purity),
    }
}

fn kernel(k: &KernelScore) -> KernelJson {
    KernelJson {
        correct: k.correct,
        precision: round(k.precision),
        predicted: k.predicted,
        recall: round(k.recall),
        truth: k.truth,
    }
}

/// Builds the document.
pub fn build<'a>(scored: &[Scored<'a>], run: &EvalRun) -> EvalJson<'a> {
    EvalJson {
        granularity: run.granularity,
        history: run.history.map(|(commits, pairs)| HistoryJson {
            co_change_pairs: pairs,
            commits,
        }),
        missing_files: run.missing_files,
        results: scored
            .iter()
            .map(|s| ResultJson {
                contexts: s.contexts,
                items: agreement(&s.report.items),
                kernel_items: kernel(&s.report.kernel_items),
                kernel_modules: kernel(&s.report.kernel_modules),
                modules: agreement(&s.report.modules),
                name: s.name,
            })
            .collect(),
        schema_version: SCHEMA_VERSION,
        truth_contexts: run.truth_contexts,
        unlabelled_items: scored.first().map_or(0, |s| s.report.unlabelled_items),
    }
}

/// The document as pretty-printed JSON with a final newline.
pub fn render(scored: &[Scored<'_>], run: &EvalRun) -> String {
    // Serialising plain structs of numbers and strings cannot fail.
    let mut text = serde_json::to_string_pretty(&build(scored, run)).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(nmi: f64) -> EvalReport {
        let agreement = Agreement {
            n: 10,
            ari: 0.5,
            nmi,
            mojofm: 90.0,
            purity: 1.0,
            inverse_purity: 0.75,
        };
        let kernel = KernelScore {
            truth: 2,
            predicted: 1,
            correct: 1,
            precision: 1.0,
            recall: 0.5,
        };
        EvalReport {
            items: agreement.clone(),
            modules: agreement,
            kernel_items: kernel.clone(),
            kernel_modules: kernel,
            unlabelled_items: 3,
        }
    }

    #[test]
    fn the_document_has_a_schema_version_sorted_keys_and_rounded_scores() {
        let r = report(1.0 / 3.0);
        let scored = [Scored {
            name: "proposal",
            contexts: 4,
            report: &r,
        }];
        let run = EvalRun {
            granularity: "item",
            truth_contexts: 5,
            missing_files: 0,
            history: None,
        };
        let text = render(&scored, &run);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["schema_version"], SCHEMA_VERSION);
        assert_eq!(value["history"], serde_json::Value::Null);
        assert_eq!(value["unlabelled_items"], 3);
        assert_eq!(value["results"][0]["items"]["nmi"], 0.333333);
        assert_eq!(value["results"][0]["kernel_modules"]["recall"], 0.5);
        // The text lists the keys in the order a sorted map would.
        let top: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("  \"") && !l.starts_with("   "))
            .map(|l| l.trim().split('"').nth(1).unwrap_or(""))
            .collect();
        let mut sorted = top.clone();
        sorted.sort_unstable();
        assert_eq!(top, sorted);
        assert!(text.ends_with("}\n"));
    }
}
