//! The question bank: the shipped packs, and every kind of broken pack.

mod common;

use std::collections::HashSet;
use std::fs;
use std::process::Command;

use interview_bot::bank::{Bank, Level, load_str};

#[test]
fn shipped_packs_have_at_least_20_complete_questions_per_level() {
    let bank = common::real_bank();
    for level in Level::ALL {
        let qs: Vec<_> = bank.filter(Some(level), None).collect();
        assert!(qs.len() >= 20, "{level}: only {}", qs.len());
        for q in qs {
            assert!(q.prompt.len() > 10, "{}", q.id);
            assert!(q.answer.len() >= 3, "{}: answer too thin", q.id);
            assert!(
                !q.red_flags.is_empty() && !q.follow_ups.is_empty(),
                "{}",
                q.id
            );
        }
    }
    // Spread over the areas a cloud engineer works in.
    let topics: HashSet<&str> = bank.topics().collect();
    for t in [
        "compute",
        "storage",
        "networking",
        "security",
        "databases",
        "messaging",
        "caching",
        "observability",
        "cost",
        "iac",
        "reliability",
        "serverless",
        "multi-account",
    ] {
        assert!(topics.contains(t), "missing topic {t}");
    }
}

/// Each question of the seed page, by the id we gave it and the level the page gives it.
const SEED: &[(&str, Level)] = &[
    ("aws-compute-ec2-lambda-containers", Level::Junior),
    ("aws-s3-basics", Level::Junior),
    ("aws-regions-azs", Level::Junior),
    ("aws-iam-basics", Level::Junior),
    ("aws-sg-vs-nacl", Level::Junior),
    ("aws-rds-basics", Level::Junior),
    ("aws-vpc-basics", Level::Junior),
    ("aws-s3-pricing", Level::Junior),
    ("aws-ha-web-app", Level::Mid),
    ("aws-horizontal-vs-vertical-scaling", Level::Mid),
    ("aws-lambda-vs-service", Level::Mid),
    ("aws-iam-roles-vs-keys", Level::Mid),
    ("aws-decoupling-queues", Level::Mid),
    ("aws-caching-cloudfront-elasticache", Level::Mid),
    ("aws-secrets-config", Level::Mid),
    ("aws-iac-basics", Level::Mid),
    ("aws-fault-tolerance-dr", Level::Senior),
    ("aws-cost-optimisation", Level::Senior),
    ("aws-securing-environment", Level::Senior),
    ("aws-secure-network-topology", Level::Senior),
    ("aws-observability-incident-response", Level::Senior),
    ("aws-serverless-tradeoffs", Level::Senior),
    ("aws-multi-account", Level::Senior),
    ("aws-data-transfer-costs", Level::Senior),
];

#[test]
fn every_seed_question_is_covered_at_its_level() {
    let bank = common::real_bank();
    for (id, level) in SEED {
        let q = bank
            .get(id)
            .unwrap_or_else(|| panic!("seed question {id} missing"));
        assert_eq!(q.level, *level, "{id}");
    }
}

fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// No run of six words from the seed page appears in the pack: the pack is in our own words.
#[test]
fn no_text_is_copied_from_the_seed_page() {
    let seed_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seed");
    let Ok(entries) = fs::read_dir(&seed_dir) else {
        eprintln!("no seed page at {}; skipped", seed_dir.display());
        return;
    };
    let mut grams = HashSet::new();
    for e in entries.flatten() {
        let w = words(&fs::read_to_string(e.path()).unwrap());
        for g in w.windows(6) {
            grams.insert(g.join(" "));
        }
    }
    assert!(!grams.is_empty());
    let bank = common::real_bank();
    for q in bank.all() {
        let text = [
            vec![q.prompt.clone()],
            q.answer.clone(),
            q.red_flags.clone(),
            q.follow_ups.clone(),
        ]
        .concat()
        .join(" ");
        for g in words(&text).windows(6) {
            let g = g.join(" ");
            assert!(
                !grams.contains(&g),
                "{} repeats the seed page: \"{g}\"",
                q.id
            );
        }
    }
}

const GOOD: &str = r#"
[pack]
name = "Test"

[[question]]
id = "t-one"
level = "junior"
topic = "networking"
tags = ["vpc"]
prompt = "What is a subnet?"
answer = ["A range of addresses inside a VPC, tied to one availability zone."]
red_flags = ["Thinks a subnet spans zones."]
follow_ups = ["What makes a subnet public?"]
"#;

fn problems(text: &str) -> Vec<String> {
    match load_str("pack.toml", text) {
        Ok(_) => vec![],
        Err(e) => e.0.iter().map(|p| p.to_string()).collect(),
    }
}

#[test]
fn a_good_pack_loads() {
    let bank = load_str("pack.toml", GOOD).unwrap();
    assert_eq!(bank.len(), 1);
    assert_eq!(bank.get("t-one").unwrap().level, Level::Junior);
}

#[test]
fn syntax_error_names_file_and_line() {
    let broken = GOOD.replace(
        "prompt = \"What is a subnet?\"",
        "prompt = \"What is a subnet?",
    );
    let p = problems(&broken);
    assert!(!p.is_empty());
    assert!(p[0].starts_with("pack.toml:10: TOML syntax"), "{p:?}");
}

#[test]
fn unknown_field_names_its_line() {
    let p = problems(&GOOD.replace("tags = [\"vpc\"]", "tags = [\"vpc\"]\ndifficulty = 3"));
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].starts_with("pack.toml:10:"), "{p:?}");
    assert!(p[0].contains("difficulty"), "{p:?}");
}

#[test]
fn missing_field_names_the_question() {
    let p = problems(&GOOD.replace("red_flags = [\"Thinks a subnet spans zones.\"]\n", ""));
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].starts_with("pack.toml:5:"), "{p:?}");
    assert!(p[0].contains("red_flags"), "{p:?}");
}

#[test]
fn unknown_level_empty_text_and_long_text_are_each_reported() {
    let long = "x".repeat(1200);
    let broken = GOOD
        .replace("level = \"junior\"", "level = \"expert\"")
        .replace("What makes a subnet public?", "")
        .replace("Thinks a subnet spans zones.", &long);
    let p = problems(&broken);
    assert_eq!(p.len(), 3, "{p:?}");
    assert!(
        p.iter()
            .any(|m| m.starts_with("pack.toml:7:") && m.contains("unknown level `expert`")),
        "{p:?}"
    );
    assert!(
        p.iter().any(|m| m.starts_with("pack.toml:12:")
            && m.contains("red_flags")
            && m.contains("1200")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|m| m.starts_with("pack.toml:13:") && m.contains("empty")),
        "{p:?}"
    );
}

#[test]
fn empty_lists_and_bad_ids_are_reported() {
    let p = problems(
        &GOOD
            .replace(
                "follow_ups = [\"What makes a subnet public?\"]",
                "follow_ups = []",
            )
            .replace("t-one", "T One"),
    );
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(
        p.iter()
            .any(|m| m.starts_with("pack.toml:6:") && m.contains("slug")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|m| m.starts_with("pack.toml:13:") && m.contains("follow_ups")),
        "{p:?}"
    );
}

#[test]
fn duplicate_ids_across_files_name_both_places() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.toml"), GOOD).unwrap();
    fs::write(dir.path().join("b.toml"), format!("\n\n{GOOD}")).unwrap();
    let err = Bank::load(dir.path()).unwrap_err();
    assert_eq!(err.0.len(), 1, "{err}");
    let msg = err.0[0].to_string();
    assert!(msg.contains("b.toml:7: duplicate id `t-one`"), "{msg}");
    assert!(msg.contains("a.toml:5"), "{msg}");
}

#[test]
fn an_empty_or_missing_folder_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        Bank::load(dir.path())
            .unwrap_err()
            .to_string()
            .contains("no question packs")
    );
    assert!(
        Bank::load(&dir.path().join("nope"))
            .unwrap_err()
            .to_string()
            .contains("cannot read")
    );
}

#[test]
fn bank_check_command_reports_and_exits_non_zero() {
    let bin = env!("CARGO_BIN_EXE_interview-bot");
    let ok = Command::new(bin)
        .args(["bank", "check"])
        .arg(common::questions_dir())
        .output()
        .unwrap();
    assert!(ok.status.success());
    let out = String::from_utf8_lossy(&ok.stdout);
    assert!(
        out.contains("ok,") && out.contains("junior") && out.contains("networking"),
        "{out}"
    );

    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("good.toml"), GOOD.replace("t-one", "t-two")).unwrap();
    fs::write(
        dir.path().join("bad.toml"),
        GOOD.replace("level = \"junior\"", "level = \"guru\""),
    )
    .unwrap();
    let bad = Command::new(bin)
        .args(["bank", "check"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("bad.toml:7: unknown level `guru`"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bank_list_json_has_the_documented_fields() {
    let bin = env!("CARGO_BIN_EXE_interview-bot");
    let out = Command::new(bin)
        .args(["bank", "list", "--json"])
        .env("QUESTIONS_DIR", common::questions_dir())
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = v.as_array().unwrap();
    for level in ["junior", "mid", "senior"] {
        assert!(items.iter().filter(|q| q["level"] == level).count() >= 20);
    }
    for q in items {
        for key in ["answer", "red_flags", "follow_ups", "tags"] {
            assert!(q[key].is_array(), "{key}");
        }
        assert!(q["id"].is_string() && q["prompt"].is_string() && q["topic"].is_string());
        assert!(!q["answer"].as_array().unwrap().is_empty());
    }
    let filtered = Command::new(bin)
        .args(["bank", "list", "--level", "mid", "--topic", "networking"])
        .env("QUESTIONS_DIR", common::questions_dir())
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&filtered.stdout);
    assert!(
        table
            .lines()
            .skip(1)
            .filter(|l| l.contains(" mid "))
            .count()
            >= 1,
        "{table}"
    );
    assert!(!table.contains(" senior "), "{table}");
}

#[test]
fn every_shipped_pack_is_built_in_identically() {
    let mut shipped: Vec<(String, String)> = fs::read_dir(common::questions_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read_to_string(&p).unwrap())
        })
        .collect();
    shipped.sort();
    let built_in: Vec<(String, String)> = interview_bot::bank::BUILTIN_PACKS
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    assert_eq!(shipped, built_in);
}

#[test]
fn outside_the_repository_the_built_in_packs_are_used() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_interview-bot"))
        .args(["bank", "check"])
        .current_dir(dir.path())
        .env_remove("QUESTIONS_DIR")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("built-in packs: ok,"), "{stdout}");
    assert_eq!(
        interview_bot::bank::load_named(interview_bot::bank::BUILTIN_PACKS)
            .unwrap()
            .len(),
        common::real_bank().len()
    );
}
