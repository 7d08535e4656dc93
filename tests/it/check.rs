//! End-to-end tests of `seamline check` and `seamline init` (and `cargo seamline`): exit
//! codes, the reported places, baselines, output formats and the SARIF schema.
//!
//! Most tests edit a temporary copy of `fixtures/check_layers`, whose `seamline.toml`
//! declares `billing`, `catalog` and `orders` (orders may use the other two) and a kernel.

use crate::util::{Run, Sandbox, run_in};
use serde_json::Value;
use std::path::Path;

const FIXTURE: &str = "check_layers";

fn edit(sandbox: &Sandbox, file: &str, f: impl FnOnce(String) -> String) {
    let path = sandbox.project.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, f(text)).unwrap();
}

fn append(sandbox: &Sandbox, file: &str, code: &str) {
    edit(sandbox, file, |t| t + code);
}

/// The 1-based line number where `needle` first occurs in a project file.
fn line_of(sandbox: &Sandbox, file: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(sandbox.project.join(file)).unwrap();
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

fn set_config(sandbox: &Sandbox, text: &str) {
    std::fs::write(sandbox.project.join("seamline.toml"), text).unwrap();
}

#[track_caller]
fn assert_code(run: &Run, code: i32) {
    assert_eq!(
        run.code, code,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
}

const CONTEXTS: &str = r#"
[[contexts]]
name = "billing"
modules = ["check_layers::billing"]

[[contexts]]
name = "catalog"
modules = ["src/catalog.rs"]

[[contexts]]
name = "orders"
modules = ["check_layers::orders"]

[kernel]
modules = ["check_layers::util"]
"#;

/// A `best_seller` function in the catalog that calls into orders, on a known line.
const CATALOG_USES_ORDERS: &str = "
pub fn best_seller() -> u64 {
    crate::orders::place(1, \"teapot\").id
}
";

#[test]
fn declared_boundaries_pass_and_an_allowed_change_passes() {
    let sb = Sandbox::fixture(FIXTURE);
    let run = sb.run(&["check", FIXTURE]);
    assert_code(&run, 0);
    assert_eq!(
        run.stdout,
        "check passed: 0 errors, 0 warnings (3 contexts declared in check_layers/seamline.toml)\n"
    );
    // A new dependency along an allowed edge (orders -> billing) is fine.
    append(
        &sb,
        "src/orders.rs",
        "\npub fn cancel(invoice: &crate::billing::Invoice) -> crate::util::Money {\n    crate::billing::refund(invoice)\n}\n",
    );
    let run = sb.run(&["check", FIXTURE]);
    assert_code(&run, 0);
}

#[test]
fn a_new_forbidden_dependency_fails_at_its_line() {
    let sb = Sandbox::fixture(FIXTURE);
    append(&sb, "src/catalog.rs", CATALOG_USES_ORDERS);
    let line = line_of(&sb, "src/catalog.rs", "crate::orders::place");
    let run = sb.run(&["check", FIXTURE]);
    assert_code(&run, 1);
    assert!(
        run.stdout.contains(&format!(
            "error[forbidden-dependency]: `catalog` depends on `orders`, which no `allow` entry permits\n  --> check_layers/src/catalog.rs:{line}:5\n"
        )),
        "{}",
        run.stdout
    );
    insta::assert_snapshot!("check_forbidden_dependency", run.normalised(sb.tmp()));
}

#[test]
fn a_cycle_between_contexts_fails() {
    let sb = Sandbox::fixture(FIXTURE);
    // Deny-list mode (no `allow`): only the cycle is a problem.
    set_config(
        &sb,
        &format!("{CONTEXTS}\n[rules]\nno_cycles = \"error\"\n"),
    );
    let run = sb.run(&["check", FIXTURE]);
    assert_code(&run, 0);
    append(&sb, "src/catalog.rs", CATALOG_USES_ORDERS);
    let line = line_of(&sb, "src/catalog.rs", "crate::orders::place");
    let run = sb.run(&["check", FIXTURE]);
    assert_code(&run, 1);
    assert!(
        run.stdout.starts_with(&format!(
            "error[cross-context-cycle]: contexts `catalog`, `orders` depend on each other in a cycle\n  --> check_layers/src/catalog.rs:{line}:5\n"
        )),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("forbidden-dependency"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("the weakest edge of the cycle is `catalog` -> `orders` (1 reference)"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_metric_over_its_threshold_fails() {
    let sb = Sandbox::fixture(FIXTURE);
    // Invoice and Product are used by orders: 2 shared models.
    set_config(
        &sb,
        &format!(
            "{CONTEXTS}\n[rules]\nmax_shared_models = {{ value = 2, severity = \"error\" }}\n"
        ),
    );
    assert_code(&sb.run(&["check", FIXTURE]), 0);
    set_config(
        &sb,
        &format!(
            "{CONTEXTS}\n[rules]\nmax_shared_models = {{ value = 1, severity = \"error\" }}\n"
        ),
    );
    let run = sb.run(&["check", FIXTURE]);
    assert_code(&run, 1);
    let config_line = CONTEXTS.lines().count() + 3;
    assert!(
        run.stdout.starts_with(&format!(
            "error[too-many-shared-models]: 2 models are used outside the context that defines them, more than the 1 allowed\n  --> check_layers/seamline.toml:{config_line}:21\n"
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("= note: `check_layers::billing::Invoice` (billing) is used by orders"),
        "{}",
        run.stdout
    );
    // As a warning it reports and passes.
    set_config(
        &sb,
        &format!(
            "{CONTEXTS}\n[rules]\nmax_shared_models = {{ value = 1, severity = \"warning\" }}\n"
        ),
    );
    let run = sb.run(&["check", FIXTURE]);
    assert_code(&run, 0);
    assert!(
        run.stdout.starts_with("warning[too-many-shared-models]"),
        "{}",
        run.stdout
    );
}

/// Only orders -> billing is allowed: orders' four uses of the catalog are violations.
fn ratchet_config(sb: &Sandbox) {
    set_config(
        sb,
        &format!(
            "{CONTEXTS}\n[rules]\nallow = [{{ from = \"orders\", to = \"billing\", reason = \"an order is paid\" }}]\n"
        ),
    );
}

fn baseline_fingerprints(path: &Path) -> Vec<String> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["fingerprint"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_baseline_round_trip() {
    let sb = Sandbox::fixture(FIXTURE);
    ratchet_config(&sb);
    let run = sb.run(&["check", FIXTURE]);
    assert_code(&run, 1);
    assert!(
        run.stdout.contains("check failed: 4 errors"),
        "{}",
        run.stdout
    );

    // Write: today's violations are recorded, and the run passes.
    let run = sb.run(&["check", FIXTURE, "--write-baseline", "baseline.json"]);
    assert_code(&run, 0);
    assert!(
        run.stderr.contains("Wrote 4 violations to baseline.json"),
        "{}",
        run.stderr
    );
    let recorded = baseline_fingerprints(&sb.tmp().join("baseline.json"));
    assert_eq!(recorded.len(), 4);
    let mut sorted = recorded.clone();
    sorted.sort();
    assert_eq!(recorded, sorted, "baseline entries are sorted");

    // Pass: everything is in the baseline.
    let run = sb.run(&["check", FIXTURE, "--baseline", "baseline.json"]);
    assert_code(&run, 0);
    assert!(
        run.stdout
            .contains("check passed: 0 errors, 0 warnings, 4 accepted by the baseline"),
        "{}",
        run.stdout
    );

    // Add a violation: only the new one is reported, and it fails.
    append(
        &sb,
        "src/orders.rs",
        "\npub fn teapot() -> crate::util::Money {\n    crate::catalog::find(\"teapot\").price\n}\n",
    );
    let line = line_of(&sb, "src/orders.rs", "crate::catalog::find(\"teapot\")");
    let run = sb.run(&["check", FIXTURE, "--baseline", "baseline.json"]);
    assert_code(&run, 1);
    assert_eq!(
        run.stdout.matches("error[forbidden-dependency]").count(),
        1,
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains(&format!("--> check_layers/src/orders.rs:{line}:5")),
        "{}",
        run.stdout
    );

    // Fix one baselined violation (orders::featured_name -> catalog::featured): it is
    // reported as fixed; the new one still fails.
    edit(&sb, "src/orders.rs", |t| {
        t.replace(
            "pub fn featured_name() -> String {\n    crate::catalog::featured().name\n}\n",
            "",
        )
    });
    let run = sb.run(&["check", FIXTURE, "--baseline", "baseline.json"]);
    assert_code(&run, 1);
    assert!(
        run.stdout.contains("fixed: baseline entry ")
            && run
                .stdout
                .contains("[forbidden-dependency] `orders` depends on `catalog`"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("3 accepted by the baseline, 1 baseline entry fixed"),
        "{}",
        run.stdout
    );

    // Remove the new one too: the run passes and still lists the fixed entry.
    edit(&sb, "src/orders.rs", |t| {
        t.replace("\npub fn teapot() -> crate::util::Money {\n    crate::catalog::find(\"teapot\").price\n}\n", "")
    });
    let run = sb.run(&["check", FIXTURE, "--baseline", "baseline.json"]);
    assert_code(&run, 0);
    assert!(
        run.stdout.contains("1 baseline entry fixed"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_line_shift_does_not_break_the_baseline() {
    let sb = Sandbox::fixture(FIXTURE);
    ratchet_config(&sb);
    assert_code(
        &sb.run(&["check", FIXTURE, "--write-baseline", "baseline.json"]),
        0,
    );
    // Shift every line and reformat: comments on top, a blank line after each item,
    // different indentation.
    edit(&sb, "src/orders.rs", |t| {
        let body = t.replace("\n}\n", "\n}\n\n\n").replace("    ", "        ");
        format!("// A comment.\n// Another one.\n\n\n{body}")
    });
    let run = sb.run(&["check", FIXTURE, "--baseline", "baseline.json"]);
    assert_code(&run, 0);
    assert!(!run.stdout.contains("fixed"), "{}", run.stdout);
    assert!(
        run.stdout.contains("4 accepted by the baseline"),
        "{}",
        run.stdout
    );
    // The same shift without a baseline still reports the four violations, at new lines.
    let run = sb.run(&["check", FIXTURE]);
    assert_code(&run, 1);
    let line = line_of(&sb, "src/orders.rs", "crate::catalog::featured()");
    assert!(
        run.stdout
            .contains(&format!("--> check_layers/src/orders.rs:{line}:9")),
        "{}",
        run.stdout
    );
}

#[test]
fn a_bad_config_exits_2_with_its_place_and_a_hint() {
    let sb = Sandbox::fixture(FIXTURE);
    set_config(&sb, "[rules]\nmax_shared_model = 3\nno_cycles = \"eror\"\n");
    let run = sb.run(&["check", FIXTURE]);
    assert_code(&run, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "error: unknown key `max_shared_model` in `[rules]`
  --> check_layers/seamline.toml:2:1
   = help: did you mean `max_shared_models`?
error: `no_cycles` must be \"error\", \"warning\" or \"off\", found \"eror\"
  --> check_layers/seamline.toml:3:13
   = help: did you mean `error`?
error: invalid configuration check_layers/seamline.toml (2 errors)
"
    );
    // Broken TOML, an allowance without a reason, a missing --config file, a bad rule.
    set_config(&sb, "[rules\n");
    let run = sb.run(&["check", FIXTURE]);
    assert_code(&run, 2);
    assert!(run.stderr.contains("invalid TOML"), "{}", run.stderr);
    set_config(
        &sb,
        &format!("{CONTEXTS}\n[rules]\nallow = [{{ from = \"orders\", to = \"billing\" }}]\n"),
    );
    let run = sb.run(&["check", FIXTURE]);
    assert_code(&run, 2);
    assert!(run.stderr.contains("has no `reason`"), "{}", run.stderr);
    let run = sb.run(&["check", FIXTURE, "--config", "missing.toml"]);
    assert_code(&run, 2);
    assert!(
        run.stderr.contains("cannot read missing.toml"),
        "{}",
        run.stderr
    );
    let run = sb.run(&["check", FIXTURE, "-D", "cross-context-cycles"]);
    assert_code(&run, 2);
    assert!(
        run.stderr.contains("did you mean `cross-context-cycle`?"),
        "{}",
        run.stderr
    );
    let run = sb.run(&["check", FIXTURE, "--baseline", "nope.json"]);
    assert_code(&run, 2);
}

#[test]
fn an_incomplete_analysis_exits_2() {
    let sb = Sandbox::fixture(FIXTURE);
    append(&sb, "src/billing.rs", "\npub fn broken( {\n");
    let run = sb.run(&["check", FIXTURE]);
    assert_code(&run, 2);
    assert!(
        run.stderr.contains("the analysis is incomplete"),
        "{}",
        run.stderr
    );
    let run = sb.run(&["check", FIXTURE, "--allow-incomplete"]);
    assert_code(&run, 0);
}

#[test]
fn command_line_levels_override_rules() {
    let sb = Sandbox::fixture(FIXTURE);
    append(&sb, "src/catalog.rs", CATALOG_USES_ORDERS);
    let run = sb.run(&[
        "check",
        FIXTURE,
        "-W",
        "forbidden-dependency",
        "-A",
        "cross-context-cycle",
    ]);
    assert_code(&run, 0);
    assert!(
        run.stdout.starts_with("warning[forbidden-dependency]"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("cross-context-cycle"),
        "{}",
        run.stdout
    );
}

#[test]
fn machine_formats_are_deterministic_and_complete() {
    let sb = Sandbox::fixture(FIXTURE);
    append(&sb, "src/catalog.rs", CATALOG_USES_ORDERS);
    let line = line_of(&sb, "src/catalog.rs", "crate::orders::place");
    for format in ["json", "sarif", "github", "junit"] {
        let a = sb.run(&["check", FIXTURE, "--format", format]);
        let b = sb.run(&["check", FIXTURE, "--format", format, "--threads", "1"]);
        assert_code(&a, 1);
        assert_eq!(a.stdout, b.stdout, "{format} output differs between runs");
    }
    let json: Value =
        serde_json::from_str(&sb.run(&["check", FIXTURE, "--format", "json"]).stdout).unwrap();
    assert_eq!(json["summary"]["errors"], 2);
    assert_eq!(json["violations"][0]["rule"], "forbidden-dependency");
    assert_eq!(json["violations"][0]["file"], "check_layers/src/catalog.rs");
    assert_eq!(json["violations"][0]["line"], line);
    let github = sb.run(&["check", FIXTURE, "--format", "github"]).stdout;
    assert!(
        github.starts_with(&format!(
            "::error file=check_layers/src/catalog.rs,line={line},col=5,title=seamline forbidden-dependency::`catalog` depends on `orders`"
        )),
        "{github}"
    );
    let junit = sb.run(&["check", FIXTURE, "--format", "junit"]).stdout;
    assert!(
        junit.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"),
        "{junit}"
    );
    assert_eq!(junit.matches("<failure ").count(), 2, "{junit}");
    assert_eq!(
        junit.matches("<testcase ").count(),
        junit.matches("</testcase>").count()
    );
}

// --- SARIF schema validation -------------------------------------------------------------

/// Validates `value` against a JSON Schema (draft-07) subset: `$ref` (local), `type`,
/// `enum`, `properties`, `required`, `additionalProperties`, `items`, `minItems`,
/// `uniqueItems`, `minimum`, `maximum`, `anyOf`, `oneOf`, `allOf`. `format` is an
/// annotation in draft-07 and `pattern` is not checked; any other keyword fails the test,
/// so that nothing is skipped silently.
fn validate(root: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    let Some(obj) = schema.as_object() else {
        return;
    };
    for (key, sub) in obj {
        match key.as_str() {
            "$ref" => {
                let name = sub
                    .as_str()
                    .unwrap()
                    .strip_prefix("#/definitions/")
                    .unwrap();
                validate(root, &root["definitions"][name], value, at, errors);
            }
            "type" => {
                let types: Vec<&str> = match sub {
                    Value::String(s) => vec![s.as_str()],
                    Value::Array(a) => a.iter().map(|t| t.as_str().unwrap()).collect(),
                    _ => panic!("bad type"),
                };
                let ok = types.iter().any(|t| match *t {
                    "object" => value.is_object(),
                    "array" => value.is_array(),
                    "string" => value.is_string(),
                    "integer" => value.is_i64() || value.is_u64(),
                    "number" => value.is_number(),
                    "boolean" => value.is_boolean(),
                    "null" => value.is_null(),
                    other => panic!("unknown type {other}"),
                });
                if !ok {
                    errors.push(format!("{at}: expected {types:?}, found {value}"));
                }
            }
            "enum" => {
                if !sub.as_array().unwrap().contains(value) {
                    errors.push(format!("{at}: {value} is not one of {sub}"));
                }
            }
            "properties" => {
                if let Some(v) = value.as_object() {
                    for (name, prop) in sub.as_object().unwrap() {
                        if let Some(x) = v.get(name) {
                            validate(root, prop, x, &format!("{at}.{name}"), errors);
                        }
                    }
                }
            }
            "required" => {
                if let Some(v) = value.as_object() {
                    for name in sub.as_array().unwrap() {
                        if !v.contains_key(name.as_str().unwrap()) {
                            errors.push(format!("{at}: missing required property {name}"));
                        }
                    }
                }
            }
            "additionalProperties" => {
                if let Some(v) = value.as_object() {
                    let known = obj.get("properties").and_then(Value::as_object);
                    for (name, x) in v {
                        if known.is_some_and(|k| k.contains_key(name)) {
                            continue;
                        }
                        match sub {
                            Value::Bool(false) => {
                                errors.push(format!("{at}: unexpected property {name}"))
                            }
                            Value::Bool(true) => {}
                            schema => validate(root, schema, x, &format!("{at}.{name}"), errors),
                        }
                    }
                }
            }
            "items" => {
                if let Some(a) = value.as_array() {
                    for (i, x) in a.iter().enumerate() {
                        validate(root, sub, x, &format!("{at}[{i}]"), errors);
                    }
                }
            }
            "minItems" => {
                if let Some(a) = value.as_array()
                    && (a.len() as u64) < sub.as_u64().unwrap()
                {
                    errors.push(format!("{at}: fewer than {sub} items"));
                }
            }
            "uniqueItems" => {
                if let Some(a) = value.as_array()
                    && sub.as_bool() == Some(true)
                {
                    for (i, x) in a.iter().enumerate() {
                        if a[..i].contains(x) {
                            errors.push(format!("{at}: duplicate item {x}"));
                        }
                    }
                }
            }
            "minimum" | "maximum" => {
                if let (Some(x), Some(limit)) = (value.as_f64(), sub.as_f64()) {
                    let bad = if key == "minimum" {
                        x < limit
                    } else {
                        x > limit
                    };
                    if bad {
                        errors.push(format!("{at}: {x} is outside the {key} {limit}"));
                    }
                }
            }
            "anyOf" | "oneOf" | "allOf" => {
                let results: Vec<Vec<String>> = sub
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| {
                        let mut e = Vec::new();
                        validate(root, s, value, at, &mut e);
                        e
                    })
                    .collect();
                let passing = results.iter().filter(|e| e.is_empty()).count();
                let ok = match key.as_str() {
                    "anyOf" => passing >= 1,
                    "oneOf" => passing == 1,
                    _ => passing == results.len(),
                };
                if !ok {
                    errors.push(format!(
                        "{at}: {key} failed ({passing} of {} match)",
                        results.len()
                    ));
                }
            }
            "format" | "pattern" | "description" | "default" | "title" | "$schema" | "$id"
            | "definitions" => {}
            other => panic!("the test validator does not support `{other}`"),
        }
    }
}

fn sarif_errors(doc: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(include_str!("sarif-2.1.0.json")).unwrap();
    let mut errors = Vec::new();
    validate(&schema, &schema, doc, "$", &mut errors);
    errors
}

#[test]
fn sarif_output_validates_against_the_sarif_2_1_0_schema() {
    let sb = Sandbox::fixture(FIXTURE);
    append(&sb, "src/catalog.rs", CATALOG_USES_ORDERS);
    set_config(
        &sb,
        &format!(
            "{CONTEXTS}\n[rules]\nallow = [{{ from = \"orders\", to = \"*\", reason = \"orders is the top\" }}, {{ from = \"billing\", to = \"catalog\", reason = \"unused\" }}]\nmax_shared_models = 0\n"
        ),
    );
    let run = sb.run(&["check", FIXTURE, "--format", "sarif"]);
    assert_code(&run, 1);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let errors = sarif_errors(&doc);
    assert!(errors.is_empty(), "{errors:#?}");
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let rules: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"forbidden-dependency"), "{rules:?}");
    assert!(rules.contains(&"unmatched-allowance"), "{rules:?}");
    assert!(rules.contains(&"too-many-shared-models"), "{rules:?}");
    let forbidden = results
        .iter()
        .find(|r| r["ruleId"] == "forbidden-dependency")
        .unwrap();
    let place = &forbidden["locations"][0]["physicalLocation"];
    assert_eq!(
        place["artifactLocation"]["uri"],
        "check_layers/src/catalog.rs"
    );
    assert_eq!(place["region"]["startColumn"], 5);

    // The validator is not a rubber stamp: it rejects a wrong level and a missing message.
    let mut bad = doc.clone();
    bad["runs"][0]["results"][0]["level"] = Value::from("fatal");
    bad["runs"][0]["results"][1]
        .as_object_mut()
        .unwrap()
        .remove("message");
    let errors = sarif_errors(&bad);
    assert!(
        errors.iter().any(|e| e.contains("\"fatal\" is not one of")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("missing required property \"message\"")),
        "{errors:?}"
    );
}

// --- init ----------------------------------------------------------------------------------

/// A declared context: its name and module globs.
type Declared = (String, Vec<String>);

/// The contexts and the allowed `(from, to)` pairs of a generated seamline.toml.
fn read_init(path: &Path) -> (Vec<Declared>, Vec<(String, String)>) {
    let doc: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
    let contexts = doc["contexts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let globs = c["modules"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g.as_str().unwrap().to_owned())
                .collect();
            (c["name"].as_str().unwrap().to_owned(), globs)
        })
        .collect();
    let allow = doc["rules"]["allow"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["from"].as_str().unwrap().to_owned(),
                a["to"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (contexts, allow)
}

#[test]
fn init_then_check_passes_and_a_new_use_across_contexts_fails() {
    let sb = Sandbox::fixture("shop");
    let _ = std::fs::remove_file(sb.project.join("seamline.toml"));
    let run = sb.run(&["init", "shop"]);
    assert_code(&run, 0);
    assert!(
        run.stderr.contains("Wrote shop/seamline.toml"),
        "{}",
        run.stderr
    );
    let config = sb.project.join("seamline.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.contains("reason = \"existing dependency at src/"),
        "{text}"
    );
    // Every threshold of the verdict is offered, commented out with its default.
    assert!(text.contains("\n# [plan]\n"), "{text}");
    assert!(
        text.contains("\n# single_service_code_lines = 5000 "),
        "{text}"
    );
    assert!(text.contains("\n# min_distinct_owners = 3 "), "{text}");

    // Right after init, check passes.
    let run = sb.run(&["check", "shop"]);
    assert_code(&run, 0);
    assert!(!run.stdout.contains("error["), "{}", run.stdout);

    // Find two contexts with no dependency from the first to the second, a module of the
    // first (exact glob, so its file is known) and a public function of the second.
    let (contexts, allow) = read_init(&config);
    let facts = sb.run(&["debug", "facts", "shop"]).stdout;
    let functions: Vec<(&str, &str)> = facts
        .lines()
        .filter_map(|l| l.strip_prefix("item "))
        .filter(|l| l.contains(" Function Public "))
        .map(|l| {
            let mut parts = l.split(' ');
            let path = parts.next().unwrap();
            let file = parts.nth(2).unwrap().split(':').next().unwrap();
            (path, file)
        })
        .collect();
    let module_of = |path: &str| path.rsplit_once("::").unwrap().0.to_owned();
    let exact = |ctx: &Declared| -> Vec<String> {
        ctx.1
            .iter()
            .filter(|g| !g.contains('*') && g.starts_with("shop::"))
            .cloned()
            .collect()
    };
    let mut chosen = None;
    'outer: for a in &contexts {
        for b in &contexts {
            if a.0 == b.0 || allow.contains(&(a.0.clone(), b.0.clone())) {
                continue;
            }
            let file_a = functions
                .iter()
                .find(|(p, _)| exact(a).contains(&module_of(p)))
                .map(|(_, f)| *f);
            let target = functions
                .iter()
                .find(|(p, _)| exact(b).contains(&module_of(p)));
            if let (Some(file_a), Some((target, _))) = (file_a, target) {
                chosen = Some((
                    a.0.clone(),
                    b.0.clone(),
                    file_a.to_owned(),
                    target.to_string(),
                ));
                break 'outer;
            }
        }
    }
    let (from, to, file, target) = chosen.expect("two contexts without a dependency");
    let target = target.replacen("shop::", "crate::", 1);
    append(
        &sb,
        &file,
        &format!("\n#[allow(unused_imports)]\nuse {target};\n"),
    );
    let line = line_of(&sb, &file, &format!("use {target};"));
    let run = sb.run(&["check", "shop"]);
    assert_code(&run, 1);
    assert!(
        run.stdout.contains(&format!(
            "error[forbidden-dependency]: `{from}` depends on `{to}`, which no `allow` entry permits\n  --> shop/{file}:{line}:"
        )),
        "{}",
        run.stdout
    );
}

#[test]
fn init_gives_a_config_that_check_accepts_on_other_fixtures() {
    // tiny has an item-level context inside other contexts' modules; tangled has cycles.
    for fixture in ["tiny", "tangled"] {
        let sb = Sandbox::fixture(fixture);
        let _ = std::fs::remove_file(sb.project.join("seamline.toml"));
        assert_code(&sb.run(&["init", fixture]), 0);
        let run = sb.run(&["check", fixture]);
        assert_code(&run, 0);
        assert!(
            run.stdout.contains("check passed: 0 errors"),
            "{fixture}: {}",
            run.stdout
        );
    }
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let sb = Sandbox::fixture(FIXTURE);
    let before = std::fs::read_to_string(sb.project.join("seamline.toml")).unwrap();
    let run = sb.run(&["init", FIXTURE]);
    assert_code(&run, 2);
    assert!(
        run.stderr
            .contains("check_layers/seamline.toml already exists; pass --force to overwrite it"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(sb.project.join("seamline.toml")).unwrap(),
        before
    );
    let run = sb.run(&["init", FIXTURE, "--force"]);
    assert_code(&run, 0);
    assert_ne!(
        std::fs::read_to_string(sb.project.join("seamline.toml")).unwrap(),
        before
    );
    assert_code(&sb.run(&["check", FIXTURE]), 0);
}

#[test]
fn without_declared_contexts_check_uses_the_proposal_and_says_so() {
    let sb = Sandbox::fixture("shop");
    let _ = std::fs::remove_file(sb.project.join("seamline.toml"));
    let run = sb.run(&["check", "shop"]);
    assert!(
        run.stdout
            .contains("no contexts declared in shop/seamline.toml: checked the "),
        "{}",
        run.stdout
    );
    // Cycles between proposed contexts are warnings unless configured.
    assert_code(&run, 0);
}

#[test]
fn cargo_seamline_runs_the_same_code_as_a_cargo_subcommand() {
    let sb = Sandbox::fixture(FIXTURE);
    append(&sb, "src/catalog.rs", CATALOG_USES_ORDERS);
    let direct = sb.run(&["check", FIXTURE]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-seamline"))
        .args(["seamline", "check", FIXTURE])
        .current_dir(sb.tmp())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), direct.stdout);
    // Run directly (not through cargo), it takes the arguments as they are.
    let plain = run_in_cargo_seamline(sb.tmp(), &["check", FIXTURE]);
    assert_eq!(plain, 1);
}

fn run_in_cargo_seamline(cwd: &Path, args: &[&str]) -> i32 {
    std::process::Command::new(env!("CARGO_BIN_EXE_cargo-seamline"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
        .status
        .code()
        .unwrap_or(-1)
}

#[test]
fn help_lists_check_and_init_with_exit_codes() {
    let run = run_in(Path::new("."), &["check", "--help"]);
    assert_code(&run, 0);
    assert!(run.stdout.contains("--write-baseline"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("1  `check` found at least one error-level violation."),
        "{}",
        run.stdout
    );
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let sb = Sandbox::fixture(FIXTURE);
    append(&sb, "src/catalog.rs", CATALOG_USES_ORDERS);
    // The harness pipes stdout (not a terminal): no colour by default.
    let plain = sb.run(&["check", FIXTURE]);
    assert!(!plain.stdout.contains('\x1b'), "{}", plain.stdout);
    let coloured = sb.run(&["check", FIXTURE, "--color", "always"]);
    assert!(
        coloured.stdout.contains("\x1b[1;31merror"),
        "{}",
        coloured.stdout
    );
    assert_code(&coloured, 1);
}
