//! The shared kernel in the legend of the context map (`<section id="map">` of
//! `templates/index.html`).

use super::shown;
use seamline_plan::Plan;

/// The kernel's modules shown, and how many there are.
pub(super) struct KernelV {
    pub(super) modules: Vec<KernelModuleV>,
    pub(super) total: usize,
}

pub(super) struct KernelModuleV {
    pub(super) path: String,
    pub(super) reason: String,
}

pub(super) fn section(plan: &Plan) -> KernelV {
    KernelV {
        modules: plan
            .kernel
            .iter()
            .take(shown::KERNEL)
            .map(|k| KernelModuleV {
                path: k.module.path.clone(),
                reason: k.reason.clone(),
            })
            .collect(),
        total: plan.kernel.len(),
    }
}
