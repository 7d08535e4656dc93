//! The split plan's key facts on the fixtures with known answers, through the real binary:
//! the verdicts, who owns which table, the shared `User`, the cycle and where it is cut,
//! and which context leaves first.
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

    // 4,400 lines: a few thousand keep the monolith whatever the structure; the
    // tangles (a cycle through every context, a quarter of the models shared) are crossed
    // but not decisive, and they become the worklist that tidies the modules.
    assert_eq!(plan["verdict"], "keep-monolith");
    assert_eq!(plan["reasons"][0]["kind"], "size");
    let cycles = by(&plan["reasons"], "kind", "cycles");
    assert_eq!(cycles["crossed"], true);
    assert_eq!(cycles["decisive"], false);
    // The cycle through every context is broken by one change, its whole cut set with every
    // edge at file:line: cut edge by edge, the first changes would leave the cycle share at
    // 100% and read as changes that buy nothing.
    let worklist = plan["worklist"].as_array().unwrap();
    let first = &worklist[0];
    assert_eq!(first["kind"], "break-cycle", "{first}");
    assert_eq!(first["before"], 1.0);
    assert_eq!(first["after"], 0.0, "{first}");
    let cuts = first["cuts"].as_array().unwrap();
    assert!(cuts.len() > 1, "{first}");
    for cut in cuts {
        assert!(cut["line"].as_u64().unwrap() > 0, "{cut}");
        assert!(cut["file"].as_str().unwrap().ends_with(".rs"), "{cut}");
    }
    assert_eq!(
        worklist.iter().filter(|w| w["metric"] == "cycles").count(),
        1,
        "{worklist:?}"
    );

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
    // needs an answer); orders and accounts (the shared `User`), the hubs everything
    // touches, leave last of the domains with a meaningful share of the code (3%); only
    // smaller real domains wait behind them.
    let steps = plan["extraction"].as_array().unwrap();
    assert_eq!(steps[0]["context"], notifications.as_str(), "{plan}");
    let total = plan["numbers"]["code_lines"].as_f64().unwrap();
    let share = |name: &Value| {
        by(&plan["services"], "name", name.as_str().unwrap())["code_lines"]
            .as_f64()
            .unwrap()
            / total
    };
    let large: Vec<&str> = steps
        .iter()
        .filter(|s| share(&s["context"]) >= 0.03)
        .map(|s| s["context"].as_str().unwrap())
        .collect();
    let mut hubs = large[large.len() - 2..].to_vec();
    hubs.sort();
    let mut expected = [order.as_str(), accounts.as_str()];
    expected.sort();
    assert_eq!(hubs, expected, "{large:?}");
    assert!(steps[0]["effort"].as_u64().unwrap() > 0);
}

#[test]
fn tiny_and_tangled_are_kept_whole_and_tangled_gets_the_worklist() {
    assert_eq!(analyze("tiny")["plan"]["verdict"], "keep-monolith");
    // 1,200 tangled lines: tidy the modules, no split plan.
    let tangled = analyze("tangled");
    let plan = &tangled["plan"];
    assert_eq!(plan["verdict"], "keep-monolith");
    assert!(
        plan["advice"]
            .as_str()
            .unwrap()
            .contains("Tidy its modules first"),
        "{}",
        plan["advice"]
    );
    let worklist = plan["worklist"].as_array().unwrap();
    assert!(!worklist.is_empty());
    for w in worklist {
        assert!(w["before"].as_f64().unwrap() >= w["after"].as_f64().unwrap());
        assert!(w["line"].as_u64().unwrap() > 0, "{w}");
    }
}

/// A domain of the generated marketplace: its name, its entities with their own columns, and
/// the domains it asks.
type Domain = (
    &'static str,
    &'static [(&'static str, &'static [&'static str])],
    &'static [&'static str],
);

/// The domains of the generated marketplace: (domain, entities with their fields, the other
/// domains it asks by ID). Each domain owns its tables; the others hold only IDs and call
/// the owner's service for what they need (a yes/no or a number, never its model).
const MARKETPLACE: &[Domain] = &[
    (
        "accounts",
        &[
            (
                "user",
                &[
                    "email",
                    "display_name",
                    "password_hash",
                    "locale",
                    "time_zone",
                    "phone",
                    "status",
                ],
            ),
            (
                "address",
                &[
                    "user_id", "line1", "line2", "city", "postcode", "country", "label",
                ],
            ),
            (
                "session",
                &[
                    "user_id",
                    "token_hash",
                    "user_agent",
                    "ip",
                    "expires_at",
                    "revoked",
                ],
            ),
            (
                "api_key",
                &[
                    "user_id",
                    "name",
                    "prefix",
                    "key_hash",
                    "scopes",
                    "last_used_at",
                ],
            ),
        ],
        &[],
    ),
    (
        "catalog",
        &[
            (
                "product",
                &[
                    "sku",
                    "title",
                    "description",
                    "brand",
                    "category_id",
                    "status",
                    "weight_grams",
                ],
            ),
            (
                "category",
                &[
                    "parent_id",
                    "name",
                    "slug",
                    "position",
                    "visible",
                    "description",
                ],
            ),
            (
                "price",
                &[
                    "product_id",
                    "currency",
                    "amount_cents",
                    "valid_from",
                    "valid_to",
                    "channel",
                ],
            ),
            (
                "product_image",
                &[
                    "product_id",
                    "url",
                    "alt_text",
                    "position",
                    "width",
                    "height",
                ],
            ),
        ],
        &[],
    ),
    (
        "inventory",
        &[
            (
                "warehouse",
                &["code", "name", "city", "country", "capacity", "active"],
            ),
            (
                "stock_item",
                &[
                    "product_id",
                    "warehouse_id",
                    "on_hand",
                    "reserved",
                    "reorder_level",
                    "bin",
                ],
            ),
            (
                "reservation",
                &[
                    "product_id",
                    "warehouse_id",
                    "quantity",
                    "order_ref",
                    "expires_at",
                    "state",
                ],
            ),
        ],
        &["catalog"],
    ),
    (
        "orders",
        &[
            (
                "order",
                &[
                    "user_id",
                    "status",
                    "currency",
                    "total_cents",
                    "placed_at",
                    "note",
                ],
            ),
            (
                "order_line",
                &[
                    "order_id",
                    "product_id",
                    "quantity",
                    "unit_cents",
                    "discount_cents",
                    "tax_cents",
                ],
            ),
            (
                "cart",
                &[
                    "user_id",
                    "currency",
                    "coupon",
                    "expires_at",
                    "channel",
                    "status",
                ],
            ),
            (
                "cart_item",
                &[
                    "cart_id",
                    "product_id",
                    "quantity",
                    "added_at",
                    "unit_cents",
                    "gift",
                ],
            ),
        ],
        &["accounts", "catalog", "inventory"],
    ),
    (
        "payments",
        &[
            (
                "payment",
                &[
                    "order_id",
                    "provider",
                    "provider_ref",
                    "amount_cents",
                    "currency",
                    "state",
                ],
            ),
            (
                "refund",
                &[
                    "payment_id",
                    "amount_cents",
                    "reason",
                    "requested_by",
                    "state",
                    "settled_at",
                ],
            ),
            (
                "payout",
                &[
                    "merchant_ref",
                    "amount_cents",
                    "currency",
                    "period_start",
                    "period_end",
                    "state",
                ],
            ),
        ],
        &["orders"],
    ),
    (
        "shipping",
        &[
            (
                "carrier",
                &[
                    "code",
                    "name",
                    "tracking_url",
                    "active",
                    "contact_email",
                    "priority",
                ],
            ),
            (
                "shipment",
                &[
                    "order_id",
                    "carrier_id",
                    "tracking_code",
                    "state",
                    "shipped_at",
                    "delivered_at",
                ],
            ),
            (
                "tracking_event",
                &[
                    "shipment_id",
                    "code",
                    "description",
                    "location",
                    "happened_at",
                    "source",
                ],
            ),
        ],
        &["orders"],
    ),
    (
        "reviews",
        &[
            (
                "review",
                &["product_id", "user_id", "title", "body", "stars", "state"],
            ),
            (
                "review_vote",
                &[
                    "review_id",
                    "user_id",
                    "helpful",
                    "voted_at",
                    "weight",
                    "source",
                ],
            ),
            (
                "abuse_report",
                &[
                    "review_id",
                    "user_id",
                    "reason",
                    "state",
                    "handled_by",
                    "handled_at",
                ],
            ),
        ],
        &["catalog", "accounts"],
    ),
    (
        "support",
        &[
            (
                "ticket",
                &[
                    "user_id",
                    "subject",
                    "priority",
                    "state",
                    "assignee",
                    "opened_at",
                ],
            ),
            (
                "ticket_message",
                &[
                    "ticket_id",
                    "author",
                    "body",
                    "internal",
                    "sent_at",
                    "channel",
                ],
            ),
            (
                "agent",
                &["email", "name", "team", "active", "max_open", "languages"],
            ),
        ],
        &["accounts"],
    ),
    (
        "promotions",
        &[
            (
                "campaign",
                &[
                    "name",
                    "starts_at",
                    "ends_at",
                    "budget_cents",
                    "channel",
                    "state",
                ],
            ),
            (
                "coupon",
                &[
                    "campaign_id",
                    "code",
                    "percent_off",
                    "max_uses",
                    "used",
                    "expires_at",
                ],
            ),
            (
                "gift_card",
                &[
                    "code",
                    "balance_cents",
                    "currency",
                    "issued_to",
                    "expires_at",
                    "state",
                ],
            ),
        ],
        &[],
    ),
    (
        "notifications",
        &[
            (
                "email_template",
                &[
                    "key",
                    "locale",
                    "subject",
                    "body_html",
                    "body_text",
                    "version_tag",
                ],
            ),
            (
                "notification",
                &[
                    "user_id",
                    "template_key",
                    "channel",
                    "payload",
                    "state",
                    "sent_at",
                ],
            ),
            (
                "subscription",
                &[
                    "user_id",
                    "topic",
                    "channel",
                    "frequency",
                    "active",
                    "confirmed_at",
                ],
            ),
        ],
        &["accounts"],
    ),
];

fn camel(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Columns every table of the marketplace has besides its own.
const COMMON_COLUMNS: &[&str] = &[
    "external_ref",
    "notes",
    "tags",
    "metadata",
    "source",
    "revision",
];

/// Writes a vertical-slice axum + sqlx marketplace of over 10k lines of code: every domain has its
/// models, repository (SQL on its own tables), service and routes; a thin kernel (pool,
/// errors, config) and a `main` that mounts every router.
fn marketplace() -> String {
    let mut out = String::new();
    let w = &mut out;
    let push = |w: &mut String, s: &str| {
        w.push_str(s);
        w.push('\n');
    };
    push(w, "//- /marketplace/Cargo.toml");
    push(
        w,
        "[package]\nname = \"marketplace\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\naxum = \"0.7\"\nsqlx = { version = \"0.7\", features = [\"postgres\"] }\nserde = { version = \"1\", features = [\"derive\"] }\ntokio = { version = \"1\", features = [\"full\"] }\nthiserror = \"1\"\n\n[workspace]",
    );
    push(w, "//- /marketplace/src/main.rs");
    let mods: Vec<&str> = MARKETPLACE.iter().map(|d| d.0).collect();
    for m in &mods {
        push(w, &format!("mod {m};"));
    }
    push(
        w,
        "mod config;\nmod db;\nmod error;\n\nuse axum::Router;\n\n#[tokio::main]\nasync fn main() {\n    let config = config::Config::from_env();\n    let pool = db::connect(&config.database_url).await.expect(\"database\");\n    let app = Router::new()",
    );
    for m in &mods {
        push(w, &format!("        .merge({m}::routes::router())"));
    }
    push(
        w,
        "        .with_state(pool);\n    let listener = tokio::net::TcpListener::bind(&config.listen).await.expect(\"bind\");\n    axum::serve(listener, app).await.expect(\"serve\");\n}",
    );
    push(
        w,
        "//- /marketplace/src/config.rs\n/// Settings read from the environment.\npub struct Config {\n    pub database_url: String,\n    pub listen: String,\n}\n\nimpl Config {\n    pub fn from_env() -> Config {\n        Config {\n            database_url: std::env::var(\"DATABASE_URL\").unwrap_or_default(),\n            listen: std::env::var(\"LISTEN\").unwrap_or_else(|_| \"0.0.0.0:8080\".to_owned()),\n        }\n    }\n}",
    );
    push(
        w,
        "//- /marketplace/src/db.rs\npub type Pool = sqlx::PgPool;\n\npub async fn connect(url: &str) -> Result<Pool, sqlx::Error> {\n    sqlx::postgres::PgPoolOptions::new().max_connections(10).connect(url).await\n}",
    );
    push(
        w,
        "//- /marketplace/src/error.rs\n#[derive(Debug, thiserror::Error)]\npub enum AppError {\n    #[error(\"not found\")]\n    NotFound,\n    #[error(\"invalid: {0}\")]\n    Invalid(String),\n    #[error(transparent)]\n    Db(#[from] sqlx::Error),\n}\n\npub type AppResult<T> = Result<T, AppError>;\n\nimpl axum::response::IntoResponse for AppError {\n    fn into_response(self) -> axum::response::Response {\n        let status = match self {\n            AppError::NotFound => axum::http::StatusCode::NOT_FOUND,\n            AppError::Invalid(_) => axum::http::StatusCode::UNPROCESSABLE_ENTITY,\n            AppError::Db(_) => axum::http::StatusCode::INTERNAL_SERVER_ERROR,\n        };\n        (status, self.to_string()).into_response()\n    }\n}",
    );
    for (domain, entities, asks) in MARKETPLACE {
        let entities: Vec<(&str, Vec<&str>)> = entities
            .iter()
            .map(|(e, fs)| (*e, fs.iter().chain(COMMON_COLUMNS).copied().collect()))
            .collect();
        let entities = &entities;
        push(w, &format!("//- /marketplace/src/{domain}/mod.rs"));
        push(
            w,
            "pub mod model;\npub mod repo;\npub mod routes;\npub mod service;",
        );
        push(w, &format!("//- /marketplace/src/{domain}/model.rs"));
        push(w, "use serde::{Deserialize, Serialize};\n");
        for (entity, fields) in entities {
            let ty = camel(entity);
            push(
                w,
                &format!(
                    "#[derive(Debug, Clone, Serialize, sqlx::FromRow)]\npub struct {ty} {{\n    pub id: i64,"
                ),
            );
            for f in fields {
                push(w, &format!("    pub {f}: String,"));
            }
            push(
                w,
                "    pub created_at: String,\n    pub updated_at: String,\n}\n",
            );
            push(
                w,
                &format!("#[derive(Debug, Deserialize)]\npub struct New{ty} {{"),
            );
            for f in fields {
                push(w, &format!("    pub {f}: String,"));
            }
            push(w, "}\n");
            push(
                w,
                &format!("#[derive(Debug, Deserialize)]\npub struct {ty}Changes {{"),
            );
            for f in fields {
                push(w, &format!("    pub {f}: Option<String>,"));
            }
            push(w, "}\n");
        }
        push(w, &format!("//- /marketplace/src/{domain}/repo.rs"));
        push(
            w,
            "use super::model::*;\nuse crate::db::Pool;\nuse crate::error::{AppError, AppResult};\n",
        );
        for (entity, fields) in entities {
            let ty = camel(entity);
            let table = format!("{entity}s");
            let cols = fields.join(", ");
            let binds: Vec<String> = (1..=fields.len()).map(|i| format!("${i}")).collect();
            push(
                w,
                &format!(
                    "pub async fn find_{entity}(pool: &Pool, id: i64) -> AppResult<{ty}> {{\n    sqlx::query_as::<_, {ty}>(\n        \"SELECT id, {cols}, created_at, updated_at FROM {table} WHERE id = $1\",\n    )\n    .bind(id)\n    .fetch_optional(pool)\n    .await?\n    .ok_or(AppError::NotFound)\n}}\n"
                ),
            );
            push(
                w,
                &format!(
                    "pub async fn list_{entity}s(pool: &Pool, limit: i64, offset: i64) -> AppResult<Vec<{ty}>> {{\n    let rows = sqlx::query_as::<_, {ty}>(\n        \"SELECT id, {cols}, created_at, updated_at FROM {table} ORDER BY id LIMIT $1 OFFSET $2\",\n    )\n    .bind(limit)\n    .bind(offset)\n    .fetch_all(pool)\n    .await?;\n    Ok(rows)\n}}\n"
                ),
            );
            for f in fields.iter().take(fields.len() - COMMON_COLUMNS.len()) {
                push(
                    w,
                    &format!(
                        "pub async fn list_{entity}s_by_{f}(pool: &Pool, value: &str, limit: i64) -> AppResult<Vec<{ty}>> {{\n    let rows = sqlx::query_as::<_, {ty}>(\n        \"SELECT id, {cols}, created_at, updated_at FROM {table} WHERE {f} = $1 ORDER BY id LIMIT $2\",\n    )\n    .bind(value)\n    .bind(limit)\n    .fetch_all(pool)\n    .await?;\n    Ok(rows)\n}}\n"
                    ),
                );
            }
            push(
                w,
                &format!(
                    "pub async fn count_{entity}s(pool: &Pool) -> AppResult<i64> {{\n    let (n,): (i64,) = sqlx::query_as(\"SELECT count(*) FROM {table}\").fetch_one(pool).await?;\n    Ok(n)\n}}\n"
                ),
            );
            push(
                w,
                &format!(
                    "pub async fn exists_{entity}(pool: &Pool, id: i64) -> AppResult<bool> {{\n    let row: Option<(i64,)> = sqlx::query_as(\"SELECT id FROM {table} WHERE id = $1\")\n        .bind(id)\n        .fetch_optional(pool)\n        .await?;\n    Ok(row.is_some())\n}}\n"
                ),
            );
            push(
                w,
                &format!(
                    "pub async fn insert_{entity}(pool: &Pool, new: &New{ty}) -> AppResult<{ty}> {{\n    let row = sqlx::query_as::<_, {ty}>(\n        \"INSERT INTO {table} ({cols}) VALUES ({}) RETURNING id, {cols}, created_at, updated_at\",\n    )",
                    binds.join(", ")
                ),
            );
            for f in fields {
                push(w, &format!("    .bind(&new.{f})"));
            }
            push(w, "    .fetch_one(pool)\n    .await?;\n    Ok(row)\n}\n");
            let sets: Vec<String> = fields
                .iter()
                .enumerate()
                .map(|(i, f)| format!("{f} = COALESCE(${}, {f})", i + 2))
                .collect();
            push(
                w,
                &format!(
                    "pub async fn update_{entity}(pool: &Pool, id: i64, changes: &{ty}Changes) -> AppResult<{ty}> {{\n    sqlx::query_as::<_, {ty}>(\n        \"UPDATE {table} SET {}, updated_at = now() WHERE id = $1 RETURNING id, {cols}, created_at, updated_at\",\n    )\n    .bind(id)",
                    sets.join(", ")
                ),
            );
            for f in fields {
                push(w, &format!("    .bind(changes.{f}.as_deref())"));
            }
            push(
                w,
                "    .fetch_optional(pool)\n    .await?\n    .ok_or(AppError::NotFound)\n}\n",
            );
            push(
                w,
                &format!(
                    "pub async fn delete_{entity}(pool: &Pool, id: i64) -> AppResult<()> {{\n    let done = sqlx::query(\"DELETE FROM {table} WHERE id = $1\").bind(id).execute(pool).await?;\n    if done.rows_affected() == 0 {{\n        return Err(AppError::NotFound);\n    }}\n    Ok(())\n}}\n"
                ),
            );
        }
        push(w, &format!("//- /marketplace/src/{domain}/service.rs"));
        push(
            w,
            "use super::model::*;\nuse super::repo;\nuse crate::db::Pool;\nuse crate::error::{AppError, AppResult};\n",
        );
        for (entity, fields) in entities {
            let ty = camel(entity);
            push(
                w,
                &format!("fn validate_{entity}(new: &New{ty}) -> AppResult<()> {{"),
            );
            for f in fields {
                push(
                    w,
                    &format!(
                        "    if new.{f}.trim().is_empty() {{\n        return Err(AppError::Invalid(\"{f} is required\".to_owned()));\n    }}\n    if new.{f}.len() > 500 {{\n        return Err(AppError::Invalid(\"{f} is too long\".to_owned()));\n    }}"
                    ),
                );
            }
            push(w, "    Ok(())\n}\n");
            push(
                w,
                &format!(
                    "pub async fn create_{entity}(pool: &Pool, new: New{ty}) -> AppResult<{ty}> {{\n    validate_{entity}(&new)?;"
                ),
            );
            // Ask the owners of the IDs this entity holds.
            for f in fields {
                if let Some(other) = f.strip_suffix("_id")
                    && let Some((owner, _, _)) = MARKETPLACE.iter().find(|(d, es, _)| {
                        d != domain && asks.contains(d) && es.iter().any(|(e, _)| *e == other)
                    })
                {
                    push(
                        w,
                        &format!(
                            "    let {other}: i64 = new.{f}.parse().map_err(|_| AppError::Invalid(\"{f}\".to_owned()))?;\n    if !crate::{owner}::service::{other}_exists(pool, {other}).await? {{\n        return Err(AppError::Invalid(\"unknown {other}\".to_owned()));\n    }}"
                        ),
                    );
                }
            }
            push(
                w,
                &format!("    repo::insert_{entity}(pool, &new).await\n}}\n"),
            );
            push(
                w,
                &format!(
                    "pub async fn get_{entity}(pool: &Pool, id: i64) -> AppResult<{ty}> {{\n    repo::find_{entity}(pool, id).await\n}}\n"
                ),
            );
            push(
                w,
                &format!(
                    "pub async fn {entity}_exists(pool: &Pool, id: i64) -> AppResult<bool> {{\n    repo::exists_{entity}(pool, id).await\n}}\n"
                ),
            );
            push(
                w,
                &format!(
                    "pub async fn page_of_{entity}s(pool: &Pool, page: i64, per_page: i64) -> AppResult<(Vec<{ty}>, i64)> {{\n    let per_page = per_page.clamp(1, 100);\n    let offset = page.max(0) * per_page;\n    let rows = repo::list_{entity}s(pool, per_page, offset).await?;\n    let total = repo::count_{entity}s(pool).await?;\n    Ok((rows, total))\n}}\n"
                ),
            );
            push(
                w,
                &format!(
                    "pub async fn change_{entity}(pool: &Pool, id: i64, changes: {ty}Changes) -> AppResult<{ty}> {{\n    repo::update_{entity}(pool, id, &changes).await\n}}\n"
                ),
            );
            push(
                w,
                &format!(
                    "pub async fn remove_{entity}(pool: &Pool, id: i64) -> AppResult<()> {{\n    repo::delete_{entity}(pool, id).await\n}}\n"
                ),
            );
        }
        push(w, &format!("//- /marketplace/src/{domain}/routes.rs"));
        push(
            w,
            "use axum::extract::{Path, Query, State};\nuse axum::routing::get;\nuse axum::{Json, Router};\nuse serde::Deserialize;\n\nuse super::model::*;\nuse super::service;\nuse crate::db::Pool;\nuse crate::error::AppResult;\n\n#[derive(Deserialize)]\npub struct PageParams {\n    pub page: Option<i64>,\n    pub per_page: Option<i64>,\n}\n",
        );
        push(w, "pub fn router() -> Router<Pool> {\n    Router::new()");
        for (entity, _) in entities {
            push(
                w,
                &format!(
                    "        .route(\"/{domain}/{entity}s\", get(list_{entity}s).post(create_{entity}))\n        .route(\"/{domain}/{entity}s/:id\", get(show_{entity}).patch(update_{entity}).delete(delete_{entity}))"
                ),
            );
        }
        push(w, "}\n");
        for (entity, _) in entities {
            let ty = camel(entity);
            push(
                w,
                &format!(
                    "async fn list_{entity}s(State(pool): State<Pool>, Query(p): Query<PageParams>) -> AppResult<Json<(Vec<{ty}>, i64)>> {{\n    let page = service::page_of_{entity}s(&pool, p.page.unwrap_or(0), p.per_page.unwrap_or(20)).await?;\n    Ok(Json(page))\n}}\n"
                ),
            );
            push(
                w,
                &format!(
                    "async fn create_{entity}(State(pool): State<Pool>, Json(new): Json<New{ty}>) -> AppResult<Json<{ty}>> {{\n    Ok(Json(service::create_{entity}(&pool, new).await?))\n}}\n"
                ),
            );
            push(
                w,
                &format!(
                    "async fn show_{entity}(State(pool): State<Pool>, Path(id): Path<i64>) -> AppResult<Json<{ty}>> {{\n    Ok(Json(service::get_{entity}(&pool, id).await?))\n}}\n"
                ),
            );
            push(
                w,
                &format!(
                    "async fn update_{entity}(\n    State(pool): State<Pool>,\n    Path(id): Path<i64>,\n    Json(changes): Json<{ty}Changes>,\n) -> AppResult<Json<{ty}>> {{\n    Ok(Json(service::change_{entity}(&pool, id, changes).await?))\n}}\n"
                ),
            );
            push(
                w,
                &format!(
                    "async fn delete_{entity}(State(pool): State<Pool>, Path(id): Path<i64>) -> AppResult<()> {{\n    service::remove_{entity}(&pool, id).await\n}}\n"
                ),
            );
        }
    }
    out
}

/// "Split" is reachable. A large, clean, data-separated codebase (ten vertical
/// slices of an axum + sqlx marketplace, each owning its tables, the others holding only
/// IDs and asking the owner) is told to split now, and step 1 is one of its domains.
#[test]
fn a_large_clean_data_separated_marketplace_is_told_to_split() {
    let sb = Sandbox::inline("marketplace", &marketplace());
    let run = sb.run(&["analyze", "marketplace", "--format", "json", "--out", "out"]);
    assert_eq!(run.code, 0, "{run:?}");
    let json = read_json(&sb.tmp().join("out/seamline.json"));
    let plan = &json["plan"];
    let reasons: Vec<&str> = plan["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    assert!(
        plan["numbers"]["code_lines"].as_u64().unwrap() > 10_000,
        "{}",
        plan["numbers"]
    );
    assert_eq!(plan["verdict"], "split-now", "{reasons:#?}");
    assert_eq!(plan["codebase"]["kind"], "network-service");
    assert_eq!(plan["numbers"]["shared_tables"], 0);
    assert!(plan["worklist"].as_array().unwrap().is_empty());
    // Every table is owned by the context of its domain's repository.
    let product = context_of(&json, "marketplace::catalog::repo::find_product");
    let first = plan["extraction"][0]["context"].as_str().unwrap();
    let real = strings(&plan["codebase"]["real_contexts"]);
    assert!(real.contains(&first.to_owned()), "{first} in {real:?}");
    assert!(real.contains(&product), "{product} in {real:?}");
    assert!(real.len() >= 6, "{real:?}");
}
