//! The split plan's key facts on the fixtures with known answers, through the real binary:
//! the verdicts, who owns which table, the shared `User`, the cycle and where it is cut,
//! and which context leaves first (issue 4, "Done when").
//!
//! Contexts are looked up by a member item rather than by name, so that a better naming
//! rule does not break these tests; what they pin is the plan's substance.

use crate::util::{Sandbox, read_json};
use serde_json::Value;

fn analyze(fixture: &str) -> Value {
    let sb = Sandbox::fixture(fixture);
    let run = sb.run(&["analyze", fixture, "--format", "json", "--out", "out"]);
    assert_eq!(run.code, 0, "{run:?}");
    read_json(&sb.tmp().join("out/seamline.json"))
}

fn context_of(json: &Value, item: &str) -> String {
    json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == item)
        .unwrap_or_else(|| panic!("no item {item}"))["context"]
        .as_str()
        .unwrap_or_else(|| panic!("{item} is in the kernel"))
        .to_owned()
}

fn by<'a>(list: &'a Value, key: &str, value: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|x| x[key] == value)
        .unwrap_or_else(|| panic!("no {key} = {value} in {list}"))
}

fn strings(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn shop_plan_says_what_an_architect_would() {
    let json = analyze("shop");
    let plan = &json["plan"];
    let order = context_of(&json, "shop::services::orders::checkout");
    let billing = context_of(&json, "shop::services::billing::charge_order");
    let accounts = context_of(&json, "shop::models::user::User");
    let notifications = context_of(&json, "shop::repositories::outbox_repo::enqueue");
    assert_eq!(
        [&order, &billing, &accounts, &notifications]
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        4,
        "orders, billing, accounts and notifications are four contexts"
    );

    // Tangled (a cycle through every context, a quarter of the models shared): not yet.
    assert_eq!(plan["verdict"], "modularise-first");

    // Every table has one owner: billing owns its tables, orders owns `orders`.
    let billing_service = by(&plan["services"], "name", &billing);
    for table in ["invoices", "payments", "refunds"] {
        assert!(
            strings(&billing_service["tables"]).contains(&table.to_owned()),
            "{billing_service}"
        );
    }
    let orders_table = by(&plan["shared_tables"], "table", "orders");
    assert_eq!(orders_table["owner"], order.as_str());
    let shipping = context_of(
        &json,
        "shop::repositories::shipment_repo::mark_order_shipped",
    );
    let shipping_use = by(&orders_table["uses"], "context", &shipping);
    assert!(
        shipping_use["writes"].as_u64().unwrap() >= 1,
        "{orders_table}"
    );
    assert_eq!(
        orders_table["technique"], "saga",
        "a foreign writer needs a saga"
    );

    // `User` is embedded whole in Order, Invoice and Shipment (pass the ID instead), while
    // other models already hold `user_id`.
    let user = plan["shared_models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["model"]["path"] == "shop::models::user::User")
        .unwrap_or_else(|| panic!("User is not shared: {}", plan["shared_models"]));
    assert_eq!(user["owner"], accounts.as_str());
    let embedded: Vec<String> = user["embedded_in"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}.{} {}:{}",
                e["holder"].as_str().unwrap(),
                e["field"].as_str().unwrap(),
                e["file"].as_str().unwrap(),
                e["line"]
            )
        })
        .collect();
    for expected in [
        "shop::models::order::Order.customer src/models/order.rs:130",
        "shop::models::invoice::Invoice.billed_to src/models/invoice.rs:67",
        "shop::models::shipment::Shipment.recipient src/models/shipment.rs:56",
    ] {
        assert!(embedded.contains(&expected.to_owned()), "{embedded:#?}");
    }
    let by_id: Vec<String> = user["held_by_id"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}:{}", e["file"].as_str().unwrap(), e["line"]))
        .collect();
    assert!(
        by_id.contains(&"src/models/order.rs:19".to_owned()),
        "{by_id:?}"
    );

    // The orders <-> billing cycle is cut on the backward edge, billing -> orders
    // (`mark_paid`, `mark_refunded`: notifications), with events.
    let cycle = plan["cycles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            let cs = strings(&c["contexts"]);
            cs.contains(&order) && cs.contains(&billing)
        })
        .unwrap_or_else(|| panic!("no cycle through orders and billing: {}", plan["cycles"]));
    let cut = cycle["cuts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["from"] == billing.as_str() && c["to"] == order.as_str())
        .unwrap_or_else(|| panic!("billing -> orders is not cut: {}", cycle["cuts"]));
    assert_eq!(cut["technique"], "events");
    assert!(
        !cycle["cuts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["from"] == order.as_str() && c["to"] == billing.as_str()),
        "the forward call orders -> billing (charge) stays"
    );

    // Strangler fig: notifications leave first (only called, calls back into nothing that
    // needs an answer); orders, the hub everything touches, leaves last.
    let steps = plan["extraction"].as_array().unwrap();
    assert_eq!(steps[0]["context"], notifications.as_str(), "{plan}");
    assert_eq!(steps.last().unwrap()["context"], order.as_str());
    assert!(steps[0]["effort"].as_u64().unwrap() > 0);
}

#[test]
fn tiny_is_kept_whole_and_tangled_is_modularised_first() {
    assert_eq!(analyze("tiny")["plan"]["verdict"], "keep-monolith");
    assert_eq!(analyze("tangled")["plan"]["verdict"], "modularise-first");
}
