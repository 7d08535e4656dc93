//! A layered monolith (`fixtures/layered/`: handlers, services, models and db folders on
//! diesel) read as its architect would: the data layer belongs to the domains, every table
//! is owned by a writer, code nothing uses is not a service, and names are concepts.
//!
//! Contexts are looked up by a member item rather than by name where the name is not the
//! point, so that these tests pin the substance of the plan.

use std::collections::BTreeSet;

use crate::util::{Sandbox, read_json};
use serde_json::Value;

fn analyze(fixture: &str) -> Value {
    let sb = Sandbox::fixture(fixture);
    let run = sb.run(&["analyze", fixture, "--format", "json", "--out", "out"]);
    assert_eq!(run.code, 0, "{run:?}");
    read_json(&sb.tmp().join("out/seamline.json"))
}

fn items(json: &Value) -> &Vec<Value> {
    json["items"].as_array().unwrap()
}

fn context_of(json: &Value, item: &str) -> Option<String> {
    items(json)
        .iter()
        .find(|i| i["id"] == item)
        .unwrap_or_else(|| panic!("no item {item}"))["context"]
        .as_str()
        .map(str::to_owned)
}

fn module_context(json: &Value, module: &str) -> Option<String> {
    json["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == module)
        .unwrap_or_else(|| panic!("no module {module}"))["context"]
        .as_str()
        .map(str::to_owned)
}

fn table<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no table {name}"))
}

#[test]
fn the_data_layer_of_a_layered_monolith_belongs_to_its_domains() {
    let json = analyze("layered");
    let kernel: Vec<&str> = json["kernel"]["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    // `db` is a generic folder name and every domain uses it, yet its queries and schema,
    // and the models, are in contexts.
    for module in [
        "lending::db::books",
        "lending::db::members",
        "lending::db::loans",
        "lending::db::notifications",
        "lending::db::schema",
        "lending::models::book",
        "lending::models::member",
        "lending::models::loan",
        "lending::models::notification",
    ] {
        assert!(!kernel.contains(&module), "{module} is kernel: {kernel:?}");
    }
    for item in [
        "lending::db::books::insert_book",
        "lending::db::loans::insert_loan",
        "lending::models::member::Member",
        "lending::db::schema::loans",
    ] {
        assert!(context_of(&json, item).is_some(), "{item} is in the kernel");
    }
    // Each `table!` goes with the context that owns its table.
    for t in ["books", "members", "loans", "notifications", "genres"] {
        let owner = table(&json, t)["owner"].as_str().map(str::to_owned);
        assert!(owner.is_some(), "{t} has no owner");
        assert_eq!(
            context_of(&json, &format!("lending::db::schema::{t}")),
            owner,
            "the table! of {t}"
        );
    }
    // A model several domains use is a shared model, not kernel.
    let shared: Vec<&str> = json["plan"]["shared_models"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| !m["owner"].is_null())
        .map(|m| m["model"]["path"].as_str().unwrap())
        .collect();
    assert!(
        shared.contains(&"lending::models::member::Member"),
        "{shared:?}"
    );
    // Generic items every domain's handlers use are kernel, and the handlers then go with
    // their domains instead of forming one context around the guard.
    for generic in [
        "lending::handlers::JsonResult",
        "lending::handlers::auth::AuthUser",
    ] {
        assert_eq!(context_of(&json, generic), None, "{generic}");
    }
    let handlers: BTreeSet<Option<String>> = [
        "lending::handlers::books::add_book",
        "lending::handlers::members::register",
        "lending::handlers::loans::borrow",
        "lending::handlers::reminders::run_reminders",
    ]
    .iter()
    .map(|h| context_of(&json, h))
    .collect();
    assert_eq!(handlers.len(), 4, "{handlers:?}");
    assert_eq!(
        context_of(&json, "lending::handlers::books::add_book"),
        context_of(&json, "lending::services::catalog::add_book")
    );
    assert_eq!(
        context_of(&json, "lending::handlers::loans::borrow"),
        context_of(&json, "lending::db::loans::insert_loan")
    );
}

#[test]
fn every_table_is_owned_by_a_writer_and_migrations_are_not_writers() {
    let json = analyze("layered");
    let writers = |t: &Value| -> BTreeSet<Option<String>> {
        t["accessed_by"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["writes"].as_u64().unwrap() > 0)
            .flat_map(|a| {
                a["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| context_of(&json, i.as_str().unwrap()))
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    for name in ["books", "members", "loans", "notifications"] {
        let t = table(&json, name);
        assert_eq!(t["owner_reason"], "writes", "{t}");
        let owner = t["owner"].as_str().map(str::to_owned);
        assert!(writers(t).contains(&owner), "{name}: {t}");
    }
    // `books` is written by the catalogue (insert) and by lending (availability): the
    // catalogue, which creates and reads its rows, owns it.
    assert_eq!(
        table(&json, "books")["owner"].as_str().map(str::to_owned),
        context_of(&json, "lending::services::catalog::add_book")
    );
    // Only the migrations write `genres` (the seed): its main reader owns it.
    let genres = table(&json, "genres");
    assert_eq!(genres["owner_reason"], "main-reader", "{genres}");
    assert_eq!(
        genres["owner"].as_str().map(str::to_owned),
        context_of(&json, "lending::db::books::list_genres")
    );
    assert!(writers(genres).iter().all(Option::is_none), "{genres}");
    assert_eq!(module_context(&json, "lending::db::migrations"), None);
    // The plan's shared tables say why too.
    for t in json["plan"]["shared_tables"].as_array().unwrap() {
        assert!(t["owner_reason"].is_string(), "{t}");
    }
}

#[test]
fn code_nothing_refers_to_is_possibly_dead_not_a_service() {
    let json = analyze("layered");
    let dead = json["plan"]["possibly_dead"].as_array().unwrap();
    let isbn = dead
        .iter()
        .find(|d| {
            d["items"]
                .as_array()
                .unwrap()
                .contains(&Value::from("lending::legacy::isbn::to_isbn13"))
        })
        .unwrap_or_else(|| panic!("legacy::isbn is not reported: {dead:?}"));
    assert_eq!(
        isbn["modules"],
        serde_json::json!(["lending::legacy::isbn"])
    );
    assert!(isbn["reason"].as_str().unwrap().contains("refers to it"));
    assert_eq!(context_of(&json, "lending::legacy::isbn::is_valid10"), None);
    // Every context is a service: it owns a table or answers requests.
    for c in json["contexts"].as_array().unwrap() {
        let m = &c["metrics"];
        assert!(
            !m["owned_tables"].as_array().unwrap().is_empty()
                || !m["endpoints"].as_array().unwrap().is_empty(),
            "{} is not a service",
            c["name"]
        );
    }
}

/// Rust keywords and code words no architect names a domain after.
const NOT_NAMES: &[&str] = &[
    "struct", "enum", "fn", "impl", "trait", "mod", "macro", "code", "private", "pub", "type",
    "crate", "self", "super", "static", "const", "context",
];

#[test]
fn context_names_are_concepts_never_numbered_nor_keywords() {
    for fixture in [
        "layered",
        "shop",
        "tangled",
        "tiny",
        "workspace",
        "check_layers",
    ] {
        let json = analyze(fixture);
        let names: Vec<&str> = json["contexts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        let unique: BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(unique.len(), names.len(), "{fixture}: {names:?}");
        for name in &names {
            let last = name.rsplit('-').next().unwrap();
            assert!(
                !last.chars().all(|c| c.is_ascii_digit()),
                "{fixture}: numbered name {name}"
            );
            assert!(!NOT_NAMES.contains(name), "{fixture}: {name}");
        }
    }
    // The layered fixture's domains are named after their tables and models.
    let json = analyze("layered");
    for (item, name) in [
        ("lending::db::loans::insert_loan", "loan"),
        ("lending::db::members::insert_member", "member"),
        ("lending::db::books::insert_book", "book"),
    ] {
        assert_eq!(context_of(&json, item).as_deref(), Some(name));
    }
}
