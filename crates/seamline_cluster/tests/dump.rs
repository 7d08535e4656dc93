//! Snapshot of `Proposal::dump` on the hand-built `layered_shop` (routes, services,
//! repositories and models folders, each with an `orders` and a `billing` module; an
//! `error` module everyone uses): the whole proposal in one reviewable text, at both
//! granularities, and with a pin, so that any change to contexts, names, kernel, metrics,
//! edges or evidence shows up in review.

use seamline_cluster::contexts::{self, Constraints, ContextOptions};
use seamline_graph::Granularity;
use seamline_test_utils::facts::layered_shop;

#[test]
fn layered_shop_proposal_at_item_granularity() {
    let facts = layered_shop();
    facts.validate().expect("hand-built facts are valid");
    let p = contexts::propose(&facts, &ContextOptions::standard(Granularity::Item));
    insta::assert_snapshot!(p.dump(&facts));
}

#[test]
fn layered_shop_proposal_at_module_granularity() {
    let facts = layered_shop();
    let p = contexts::propose(&facts, &ContextOptions::standard(Granularity::Module));
    insta::assert_snapshot!(p.dump(&facts));
}

#[test]
fn layered_shop_proposal_with_a_pin_and_an_apart_rule() {
    let facts = layered_shop();
    let mut options = ContextOptions::standard(Granularity::Item);
    options.constraints = Constraints {
        pins: vec![("src/routes/billing.rs".to_owned(), "payments".to_owned())],
        together: Vec::new(),
        apart: vec![(
            "shop::services::orders::**".to_owned(),
            "shop::repositories::orders::**".to_owned(),
        )],
    };
    let p = contexts::propose(&facts, &options);
    insta::assert_snapshot!(p.dump(&facts));
}
