//! Tests of the split plan on hand-built facts and proposals (`seamline_plan::sample`).

use seamline_plan::{PlanOptions, Thresholds, plan, sample};

fn options() -> PlanOptions {
    PlanOptions {
        thresholds: Thresholds::recommended(),
    }
}

#[test]
fn shop_plan_dump() {
    let (facts, proposal) = sample::shop(1);
    facts.validate().unwrap();
    let p = plan(&facts, &proposal, &options());
    insta::assert_snapshot!(p.dump());
}
