//! The question bank: the shipped packs, and every kind of broken pack.

mod common;

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use interview_bot::bank::{Bank, Level, load_named, load_str};

#[test]
fn shipped_packs_have_at_least_30_complete_questions_per_level() {
    let bank = common::real_bank();
    for level in Level::ALL {
        let qs: Vec<_> = bank.filter(Some(level), None).collect();
        assert!(qs.len() >= 30, "{level}: only {}", qs.len());
        for q in qs {
            assert!(q.prompt.len() > 10, "{}", q.id);
            assert!(q.look_fors.len() >= 3, "{}: too few look-fors", q.id);
            assert!(!q.bonus.is_empty(), "{}: no bonus points", q.id);
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
        "api",
        "data",
        "ai",
        "operations",
        "migration",
    ] {
        assert!(topics.contains(t), "missing topic {t}");
    }
}

/// A random draw must not ask the same thing twice: no prompt, answer point, red flag or
/// follow-up text appears in two questions.
#[test]
fn no_rubric_text_is_repeated_across_questions() {
    let bank = common::real_bank();
    let mut seen: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
    let mut repeats = Vec::new();
    for q in bank.all() {
        let texts = std::iter::once(&q.prompt)
            .chain(&q.look_fors)
            .chain(&q.bonus)
            .chain(&q.red_flags)
            .chain(&q.follow_ups);
        for t in texts {
            let key = words(t).join(" ");
            if let Some(first) = seen.insert(key, &q.id)
                && first != q.id
            {
                repeats.push(format!("{} and {}: {t}", first, q.id));
            }
        }
    }
    assert!(repeats.is_empty(), "{}", repeats.join("\n"));
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

// The seed page is not part of this repository: only fingerprints of its 6-word runs are
// (tests/fixtures/seed-fingerprints.txt), so the copy check runs on a plain clone. When the page
// is at hand (its folder in SEED_DIR; CI sets it when the page sits beside the clone), a second
// test checks the fingerprints still match it and can rewrite them.

/// How many consecutive words make a run that counts as copied.
const SEED_RUN: usize = 6;
/// The committed fingerprints, relative to the repository root.
const SEED_FINGERPRINTS: &str = "tests/fixtures/seed-fingerprints.txt";
/// Set to 1 to make `seed_fingerprints_match_the_seed_page` rewrite the committed file.
const REGENERATE_VAR: &str = "REGENERATE_SEED_FINGERPRINTS";

/// Lowercased words: maximal runs of alphanumeric characters.
fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// 64-bit FNV-1a: small, stable across platforms and releases, written here so the fixture
/// does not depend on any crate's hasher.
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The fingerprint of one run: FNV-1a of its words joined by single spaces (UTF-8).
fn run_fingerprint<S: AsRef<str>>(run: &[S]) -> u64 {
    let joined: Vec<&str> = run.iter().map(AsRef::as_ref).collect();
    fnv1a64(joined.join(" ").as_bytes())
}

/// Sorted, distinct fingerprints of every run of every text.
fn fingerprints_of<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<u64> {
    let mut fps: Vec<u64> = texts
        .into_iter()
        .flat_map(|t| {
            words(t)
                .windows(SEED_RUN)
                .map(run_fingerprint)
                .collect::<Vec<_>>()
        })
        .collect();
    fps.sort_unstable();
    fps.dedup();
    fps
}

fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The folder holding the seed page, from `SEED_DIR`.
fn seed_dir() -> Option<PathBuf> {
    std::env::var_os("SEED_DIR").map(PathBuf::from)
}

/// The text of each file of the seed page, or `None` when `SEED_DIR` does not name it.
fn seed_page() -> Option<Vec<String>> {
    let mut paths: Vec<PathBuf> = fs::read_dir(seed_dir()?)
        .ok()?
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    Some(
        paths
            .iter()
            .map(|p| fs::read_to_string(p).unwrap())
            .collect(),
    )
}

/// The fixture file for these fingerprints: a header saying what it is, then one line each.
fn render_fingerprints(fps: &[u64]) -> String {
    let mut out = format!(
        "# Fingerprints of the seed page (kept outside this repository; SEED_DIR names its folder).\n\
         # tests/bank.rs `no_text_is_copied_from_the_seed_page` checks the question packs against\n\
         # them, so that check runs on a plain clone. The page's text is not stored here.\n\
         #\n\
         # How it was made: the page is split into words (maximal runs of alphanumeric characters,\n\
         # lowercased); every run of {SEED_RUN} consecutive words is joined with single spaces and\n\
         # hashed with 64-bit FNV-1a over its UTF-8 bytes; each line is one hash in 16 lowercase hex\n\
         # digits, sorted, without duplicates. {count} fingerprints.\n\
         #\n\
         # Regenerate (needs the page):\n\
         #   SEED_DIR=<folder> {REGENERATE_VAR}=1 cargo test --test bank seed_fingerprints_match_the_seed_page\n",
        count = fps.len()
    );
    for fp in fps {
        out.push_str(&format!("{fp:016x}\n"));
    }
    out
}

/// Parses the fixture: `#` lines are comments, every other line is exactly one fingerprint of
/// 16 lowercase hex digits, in strictly increasing order. Errors never echo a line, which
/// keeps any plain text that slipped in out of test output.
fn parse_fingerprints(text: &str) -> Result<HashSet<u64>, String> {
    let mut fps = HashSet::new();
    let mut last = None;
    let mut comments = 0;
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        if line.starts_with('#') {
            comments += 1;
            continue;
        }
        let is_hex = line.len() == 16
            && line
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !is_hex {
            return Err(format!(
                "line {n}: expected one fingerprint (16 lowercase hex digits), found {} \
                 characters of something else",
                line.len()
            ));
        }
        let fp = u64::from_str_radix(line, 16).unwrap();
        if last.is_some_and(|l| fp <= l) {
            return Err(format!(
                "line {n}: fingerprints must be sorted and distinct"
            ));
        }
        last = Some(fp);
        fps.insert(fp);
    }
    // The header is a fixed few lines; anything longer in comments is text that does not belong.
    if comments > 16 {
        return Err(format!("{comments} comment lines; the header has 11"));
    }
    Ok(fps)
}

fn committed_fingerprints() -> HashSet<u64> {
    let path = repo_path(SEED_FINGERPRINTS);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the seed fingerprints {}: {e}. The file is part of the repository; \
             restore it from git, or regenerate it from the page with \
             `SEED_DIR=<folder> {REGENERATE_VAR}=1 cargo test --test bank seed_fingerprints_match_the_seed_page`",
            path.display()
        )
    });
    assert!(
        text.len() < 64 * 1024,
        "{} is {} bytes; it should hold only sorted, distinct fingerprints",
        path.display(),
        text.len()
    );
    parse_fingerprints(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text of one question (or of one pack's header), field by field, in a fixed order.
struct TextUnit {
    /// "question `id` (file.toml)" or "pack header (file.toml)".
    label: String,
    /// Field path (`answer[2]`) and its text.
    fields: Vec<(String, String)>,
}

/// Every string in a TOML value, with its path. Tables list these fields first, in this order,
/// then any other key alphabetically, so that a run spanning two fields is checked too.
fn collect_strings(path: &str, value: &toml::Value, out: &mut Vec<(String, String)>) {
    const FIRST: [&str; 5] = ["prompt", "answer", "bonus", "red_flags", "follow_ups"];
    match value {
        toml::Value::String(s) => out.push((path.to_string(), s.clone())),
        toml::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_strings(&format!("{path}[{i}]"), item, out);
            }
        }
        toml::Value::Table(table) => {
            let mut keys: Vec<&String> = table.keys().collect();
            keys.sort_by_key(|k| {
                (
                    FIRST.iter().position(|f| f == k).unwrap_or(FIRST.len()),
                    k.as_str(),
                )
            });
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                collect_strings(&p, &table[k.as_str()], out);
            }
        }
        _ => {}
    }
}

/// All the text of the shipped packs, read straight from the TOML so that any field counts,
/// including ones the bank does not load.
fn pack_text() -> Vec<TextUnit> {
    let mut paths: Vec<PathBuf> = fs::read_dir(common::questions_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut units = Vec::new();
    for path in paths {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut table: toml::Table = toml::from_str(&fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let questions = table.remove("question");
        let mut header = Vec::new();
        collect_strings("", &toml::Value::Table(table), &mut header);
        units.push(TextUnit {
            label: format!("pack header ({file})"),
            fields: header,
        });
        for q in questions.iter().flat_map(|q| q.as_array().unwrap()) {
            let id = q.get("id").and_then(|v| v.as_str()).unwrap_or("?");
            let mut fields = Vec::new();
            collect_strings("", q, &mut fields);
            units.push(TextUnit {
                label: format!("question `{id}` ({file})"),
                fields,
            });
        }
    }
    units
}

/// One message per run of a unit whose fingerprint is in `seed`, saying where the run is.
fn copied_runs(unit: &TextUnit, seed: &HashSet<u64>) -> Vec<String> {
    // Each word with the field it came from and its 1-based position in that field.
    let mut tokens: Vec<(String, usize, usize)> = Vec::new();
    for (f, (_, text)) in unit.fields.iter().enumerate() {
        for (i, w) in words(text).into_iter().enumerate() {
            tokens.push((w, f, i + 1));
        }
    }
    let mut found = Vec::new();
    for run in tokens.windows(SEED_RUN) {
        let ws: Vec<&str> = run.iter().map(|(w, _, _)| w.as_str()).collect();
        if !seed.contains(&run_fingerprint(&ws)) {
            continue;
        }
        let (_, first_field, first_pos) = run[0];
        let (_, last_field, last_pos) = run[SEED_RUN - 1];
        let name = |f: usize| unit.fields[f].0.as_str();
        let place = if first_field == last_field {
            format!("{} words {first_pos}-{last_pos}", name(first_field))
        } else {
            format!(
                "{} word {first_pos} to {} word {last_pos}",
                name(first_field),
                name(last_field)
            )
        };
        found.push(format!(
            "{}: {place} (\"{}\") repeat {SEED_RUN} words of the seed page",
            unit.label,
            ws.join(" ")
        ));
    }
    found
}

/// No run of six words from the seed page appears in the packs: they are in our own words.
#[test]
fn no_text_is_copied_from_the_seed_page() {
    let seed = committed_fingerprints();
    assert!(
        seed.len() >= 100,
        "only {} seed fingerprints in {SEED_FINGERPRINTS}",
        seed.len()
    );
    let units = pack_text();
    // The TOML walk sees exactly the questions the bank loads, so none escapes the check.
    let mut walked: Vec<&str> = units
        .iter()
        .filter_map(|u| u.label.strip_prefix("question `"))
        .map(|l| l.split('`').next().unwrap())
        .collect();
    walked.sort_unstable();
    let bank = common::real_bank();
    let mut loaded: Vec<&str> = bank.all().iter().map(|q| q.id.as_str()).collect();
    loaded.sort_unstable();
    assert_eq!(walked, loaded);
    for unit in &units {
        let fields: HashSet<&str> = unit.fields.iter().map(|(p, _)| p.as_str()).collect();
        if unit.label.starts_with("question") {
            for f in ["prompt", "bonus[0]", "red_flags[0]", "follow_ups[0]"] {
                assert!(fields.contains(f), "{}: no {f} read", unit.label);
            }
            // The bar, in either format.
            assert!(
                fields.contains("look_fors[0]") || fields.contains("answer[0]"),
                "{}: no look_fors[0] read",
                unit.label
            );
        }
    }
    let copied: Vec<String> = units.iter().flat_map(|u| copied_runs(u, &seed)).collect();
    assert!(copied.is_empty(), "{}", copied.join("\n"));
}

#[test]
fn the_seed_check_names_the_question_and_where_the_shared_words_are() {
    let seed: HashSet<u64> = fingerprints_of(["Alpha beta, gamma delta epsilon zeta! eta"])
        .into_iter()
        .collect();
    assert_eq!(seed.len(), 2);
    let unit = TextUnit {
        label: "question `t-one` (pack.toml)".into(),
        fields: vec![
            ("prompt".into(), "Nothing in common here at all.".into()),
            ("answer[0]".into(), "One two ALPHA beta gamma delta".into()),
            ("answer[1]".into(), "epsilon zeta, and more.".into()),
        ],
    };
    let found = copied_runs(&unit, &seed);
    assert_eq!(
        found,
        [
            "question `t-one` (pack.toml): answer[0] word 3 to answer[1] word 2 \
             (\"alpha beta gamma delta epsilon zeta\") repeat 6 words of the seed page",
        ]
    );
    let clean = TextUnit {
        label: "x".into(),
        fields: vec![("prompt".into(), "alpha beta gamma delta epsilon".into())],
    };
    assert!(copied_runs(&clean, &seed).is_empty());
}

#[test]
fn fingerprints_are_fnv1a_of_the_normalised_run() {
    // Published FNV-1a 64 test vectors.
    assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    assert_eq!(
        fingerprints_of(["One, TWO three-four five\nsix"]),
        [fnv1a64(b"one two three four five six")]
    );
    let fixture = render_fingerprints(&[1, 0xabc]);
    assert_eq!(
        parse_fingerprints(&fixture).unwrap(),
        HashSet::from([1, 0xabc])
    );
    assert!(parse_fingerprints("0000000000000002\n0000000000000001\n").is_err());
    assert!(parse_fingerprints("the quick brown fox\n").is_err());
}

/// The committed fingerprints are those of the seed page; with `REGENERATE_SEED_FINGERPRINTS=1`
/// this rewrites them. Without the page (`SEED_DIR`) there is nothing to compare,
/// and the copy check above still runs on the committed file.
#[test]
fn seed_fingerprints_match_the_seed_page() {
    let regenerate = std::env::var(REGENERATE_VAR).is_ok_and(|v| v == "1");
    let Some(page) = seed_page() else {
        assert!(
            !regenerate,
            "{REGENERATE_VAR}=1 but SEED_DIR does not name the seed page's folder ({:?})",
            seed_dir()
        );
        eprintln!(
            "no seed page (SEED_DIR {:?}); skipped (the committed fingerprints are still checked)",
            seed_dir()
        );
        return;
    };
    let fps = fingerprints_of(page.iter().map(String::as_str));
    assert!(
        !fps.is_empty(),
        "the seed page at {:?} has no text",
        seed_dir()
    );
    let expected = render_fingerprints(&fps);
    let seed: HashSet<u64> = fps.into_iter().collect();
    // The fixture, header included, holds none of the page's text.
    let header = TextUnit {
        label: SEED_FINGERPRINTS.into(),
        fields: vec![("header".into(), expected.clone())],
    };
    let leaked = copied_runs(&header, &seed);
    assert!(leaked.is_empty(), "{}", leaked.join("\n"));
    let path = repo_path(SEED_FINGERPRINTS);
    if regenerate {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, &expected).unwrap();
        eprintln!("wrote {} fingerprints to {}", seed.len(), path.display());
        return;
    }
    let committed = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expected,
        "{} is out of date with the seed page ({} fingerprints committed, {} from the page); \
         regenerate it with `{REGENERATE_VAR}=1 cargo test --test bank \
         seed_fingerprints_match_the_seed_page`",
        path.display(),
        parse_fingerprints(&committed).map_or(0, |f| f.len()),
        seed.len()
    );
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
bonus = ["Five addresses per subnet are reserved."]
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
    // Several missing: one problem naming them all.
    let p = problems(
        &GOOD
            .replace("red_flags = [\"Thinks a subnet spans zones.\"]\n", "")
            .replace("topic = \"networking\"\n", ""),
    );
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("pack.toml:5: question: missing fields `topic`, `red_flags`"),
        "{p:?}"
    );
}

#[test]
fn missing_or_empty_bonus_is_reported_with_its_line() {
    let p = problems(&GOOD.replace(
        "bonus = [\"Five addresses per subnet are reserved.\"]\n",
        "",
    ));
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].starts_with("pack.toml:5:"), "{p:?}");
    assert!(p[0].contains("bonus"), "{p:?}");

    let p = problems(&GOOD.replace(
        "bonus = [\"Five addresses per subnet are reserved.\"]",
        "bonus = []",
    ));
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("pack.toml:12:") && p[0].contains("`bonus` is empty"),
        "{p:?}"
    );

    let p = problems(&GOOD.replace("Five addresses per subnet are reserved.", "  "));
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("pack.toml:12:") && p[0].contains("`bonus` has empty text"),
        "{p:?}"
    );
}

#[test]
fn repeated_entries_and_a_pass_under_half_are_refused_with_their_lines() {
    // Interviewers tick items by their words: two the same could never be told apart.
    let p = problems(&GOOD.replace(
        "bonus = [\"Five addresses per subnet are reserved.\"]",
        "bonus = [\"Five addresses per subnet are reserved.\", \" five addresses per subnet are reserved.\"]",
    ));
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("pack.toml:12:") && p[0].contains("`bonus` repeats an entry"),
        "{p:?}"
    );
}

#[test]
fn bonus_points_count_towards_the_rubric_limits() {
    let long = "y".repeat(1001);
    let p = problems(&GOOD.replace("Five addresses per subnet are reserved.", &long));
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("pack.toml:12:") && p[0].contains("bonus") && p[0].contains("1001"),
        "{p:?}"
    );
    // Each item fits, but the four bonus points push the whole rubric over 4000 characters.
    let items: Vec<String> = ('w'..='z')
        .map(|c| format!("\"{}\"", c.to_string().repeat(990)))
        .collect();
    let many = format!("bonus = [{}]", items.join(", "));
    let p = problems(&GOOD.replace(
        "bonus = [\"Five addresses per subnet are reserved.\"]",
        &many,
    ));
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].contains("the rubric (look_fors, bonus, red_flags, follow_ups)"),
        "{p:?}"
    );
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
        p.iter().any(|m| m.starts_with("pack.toml:13:")
            && m.contains("red_flags")
            && m.contains("1200")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|m| m.starts_with("pack.toml:14:") && m.contains("empty")),
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
            .any(|m| m.starts_with("pack.toml:14:") && m.contains("follow_ups")),
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

/// Issue 20: one unknown field used to hide every other problem of its question, and the
/// duplicate id only showed once the rest was fixed. One run reports them all, each with its
/// line, sorted by file and line.
#[test]
fn bank_check_reports_every_problem_of_a_question_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    // a.toml: a good question, and a name for a topic only the broken question uses.
    fs::write(
        dir.path().join("a.toml"),
        format!("{GOOD}\n[topics]\nstorage = \"Storage\"\nquantum = \"Quantum\"\n"),
    )
    .unwrap();
    let long = "x".repeat(1200);
    let broken = format!(
        r#"[pack]
name = "Broken"

[[question]]
id = "t-one"
level = "expert"
topic = "storage"
colour = "blue"
tags = "s3"
prompt = ""
answer = []
bonus = ["  "]
red_flags = ["{long}"]
difficulty = 3
"#
    );
    fs::write(dir.path().join("b.toml"), broken).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_interview-bot"))
        .args(["bank", "check"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let at = |file: &str, line: usize| format!("{}:{line}: ", dir.path().join(file).display());
    let expected: Vec<(String, &str)> = vec![
        (
            at("a.toml", 18),
            "topic `quantum` has a name but no question uses it",
        ),
        (at("b.toml", 4), "missing field `follow_ups`"),
        (at("b.toml", 4), "duplicate id `t-one`: already used at"),
        (at("b.toml", 6), "unknown level `expert`"),
        (at("b.toml", 8), "unknown field `colour`"),
        (at("b.toml", 9), "`tags`"),
        (at("b.toml", 10), "`prompt` has empty text"),
        (at("b.toml", 11), "`answer` is empty"),
        (at("b.toml", 12), "`bonus` has empty text"),
        (at("b.toml", 13), "`red_flags` text has 1200 characters"),
        (at("b.toml", 14), "unknown field `difficulty`"),
    ];
    let lines: Vec<&str> = err.lines().skip(1).map(str::trim_start).collect();
    assert_eq!(lines.len(), expected.len(), "{err}");
    for (line, (place, what)) in lines.iter().zip(&expected) {
        assert!(
            line.starts_with(place.as_str()) && line.contains(what),
            "expected {place}...{what}, got {line}\n{err}"
        );
    }
    assert!(
        err.starts_with(&format!(
            "interview-bot: the question bank has {} problems:",
            expected.len()
        )),
        "{err}"
    );
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
        for key in [
            "look_fors",
            "bonus",
            "red_flags",
            "follow_ups",
            "tags",
            "facts",
        ] {
            assert!(q[key].is_array(), "{key}");
        }
        assert!(q["id"].is_string() && q["prompt"].is_string() && q["topic"].is_string());
        assert!(q["pass"].as_u64().unwrap() as usize <= q["look_fors"].as_array().unwrap().len());
        assert!(!q["look_fors"].as_array().unwrap().is_empty());
        assert!(!q["bonus"].as_array().unwrap().is_empty());
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

/// Issue 20: the table used to cut prompts when a filter left short ids, and print them whole
/// under each row when long ids left little room (the whole bank at 80 columns). Whatever the
/// filter, it is one line per question, the prompt cut with an ellipsis to fit.
#[test]
fn bank_list_is_one_line_per_question_filtered_or_not() {
    let bank = common::real_bank();
    let one_line = |prompt: &str| prompt.split_whitespace().collect::<Vec<_>>().join(" ");
    for args in [
        &[][..],
        &["--level", "senior"],
        &["--topic", "ai"],
        &["--level", "mid", "--topic", "networking"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_interview-bot"))
            .args(["bank", "list"])
            .args(args)
            .env("QUESTIONS_DIR", common::questions_dir())
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        let table = String::from_utf8_lossy(&out.stdout);
        let lines: Vec<&str> = table.lines().collect();
        let rows = &lines[1..lines.len() - 1];
        assert!(
            lines[0].starts_with("ID") && lines[0].ends_with("PROMPT"),
            "{table}"
        );
        assert!(
            lines[lines.len() - 1].ends_with(&format!("{} questions", rows.len())),
            "{args:?}: a row per line\n{table}"
        );
        let prompt_at = lines[0].find("PROMPT").unwrap();
        let mut cut = 0;
        for row in rows {
            assert!(row.chars().count() <= 80, "{args:?}: {row}");
            let id = row.split(' ').next().unwrap();
            let q = bank
                .get(id)
                .unwrap_or_else(|| panic!("{args:?}: not a question's row: {row}"));
            let prompt = one_line(&q.prompt);
            // Ids, levels and topics are ASCII: the prompt starts where its heading does.
            let shown = &row[prompt_at..];
            match shown.strip_suffix('…') {
                Some(start) => {
                    cut += 1;
                    assert!(prompt.starts_with(start), "{args:?}: {row}");
                }
                None => assert_eq!(shown, prompt, "{args:?}"),
            }
        }
        assert!(cut > 0, "{args:?}: no prompt had to be cut?\n{table}");
    }
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

#[test]
fn topic_names_are_declared_once_for_topics_in_use() {
    let named = format!("{GOOD}\n[topics]\nnetworking = \"Networking and DNS\"\n");
    let bank = load_str("pack.toml", &named).unwrap();
    assert_eq!(bank.topic_name("networking"), "Networking and DNS");
    // Without a name, the slug made readable.
    let plain = load_str("pack.toml", GOOD).unwrap();
    assert_eq!(plain.topic_name("multi-account"), "Multi account");
    // A name for a topic nobody uses, a name twice, an empty name: each reported with its line.
    let unused = format!("{GOOD}\n[topics]\nquantum = \"Quantum\"\n");
    let p = problems(&unused);
    assert!(
        p.iter()
            .any(|p| p.contains("topic `quantum` has a name but no question uses it")),
        "{p:?}"
    );
    assert!(p[0].starts_with("pack.toml:17:"), "{p:?}");
    let long = format!("{GOOD}\n[topics]\nnetworking = \"{}\"\n", "x".repeat(41));
    assert!(problems(&long)[0].contains("1 to 40 characters"));
    let twice = load_named(&[
        ("a.toml", named.as_str()),
        ("b.toml", "[topics]\nnetworking = \"Again\"\n"),
    ])
    .unwrap_err();
    assert!(twice.to_string().contains("named twice"), "{twice}");
    // A file may hold only names.
    let split = load_named(&[
        ("a.toml", GOOD),
        ("topics.toml", "[topics]\nnetworking = \"Nets\"\n"),
    ])
    .unwrap();
    assert_eq!(split.topic_name("networking"), "Nets");
    // The shipped packs name every topic they use.
    let shipped = Bank::load(&common::questions_dir()).unwrap();
    for t in shipped.topics() {
        let name = shipped.topic_name(t);
        assert!(name.chars().next().unwrap().is_uppercase(), "{t}: {name}");
    }
    assert_eq!(shipped.topic_name("iac"), "Infrastructure as code");
}

#[test]
fn a_pack_with_crlf_line_endings_loads_without_carriage_returns() {
    let pack = r#"
[pack]
name = "Windows"

[topics]
networking = "Networking"

[[question]]
id = "t-crlf"
level = "junior"
topic = "networking"
tags = ["vpc"]
prompt = """
What is a subnet?
Say where it lives."""
answer = ["""A range of addresses
inside a VPC."""]
bonus = ["Five addresses per subnet are reserved."]
red_flags = ['''Thinks a subnet
spans zones.''']
follow_ups = ["What makes a subnet public?"]
"#
    .replace('\n', "\r\n");
    assert!(pack.contains("\r\n"));
    let bank = load_str("windows.toml", &pack).unwrap();
    let q = bank.get("t-crlf").unwrap();
    let strings: Vec<&str> = std::iter::once(q.prompt.as_str())
        .chain(q.look_fors.iter().map(String::as_str))
        .chain(q.bonus.iter().map(String::as_str))
        .chain(q.red_flags.iter().map(String::as_str))
        .chain(q.follow_ups.iter().map(String::as_str))
        .chain(q.tags.iter().map(String::as_str))
        .collect();
    for s in &strings {
        assert!(!s.contains('\r'), "{s:?}");
    }
    assert_eq!(q.prompt, "What is a subnet?\nSay where it lives.");
    assert_eq!(q.look_fors, ["A range of addresses\ninside a VPC."]);
    assert_eq!(q.red_flags, ["Thinks a subnet\nspans zones."]);
    // Problems still name the right line.
    let broken = pack.replace("level = \"junior\"", "level = \"guru\"");
    let found = match load_str("windows.toml", &broken) {
        Ok(_) => vec![],
        Err(e) => e.0.iter().map(|p| p.to_string()).collect(),
    };
    assert!(
        found.iter().any(|p| p.starts_with("windows.toml:10:")),
        "{found:?}"
    );
}

/// A question in the look-for format: single ideas, a pass rule, detail and dated facts.
const LOOK_FOR_PACK: &str = r#"
[[question]]
id = "t-lf"
level = "junior"
topic = "networking"
prompt = "What is a subnet?"
look_fors = [
  "An address range inside one VPC",
  "Lives in exactly one Availability Zone",
  "Public or private by its route table",
  "Instances get their addresses from it",
]
pass = 3
bonus = ["Knows some addresses in each subnet are reserved."]
red_flags = ["Says a subnet spans several zones"]
follow_ups = ["What makes a subnet public?"]
detail = "The route table decides: a route to an internet gateway makes it public."
facts = ["Five addresses of every subnet are reserved."]
facts_checked = 2026-12-07
"#;

#[test]
fn a_look_for_question_loads_with_its_pass_rule_detail_and_facts() {
    let bank = load_str("pack.toml", LOOK_FOR_PACK).unwrap();
    let q = bank.get("t-lf").unwrap();
    assert_eq!(q.look_fors.len(), 4);
    assert_eq!(q.pass, 3);
    assert!(!q.legacy);
    assert_eq!(
        q.detail.as_deref(),
        Some("The route table decides: a route to an internet gateway makes it public.")
    );
    assert_eq!(q.facts, ["Five addresses of every subnet are reserved."]);
    assert_eq!(q.facts_checked.as_deref(), Some("2026-12-07"));
    assert_eq!(bank.legacy_note(), None);
    // An "ask first" note whose numbers are in range loads.
    let asked = LOOK_FOR_PACK.replace(
        "detail = \"The route",
        "detail = \"Ask follow-up 1 before scoring look-for 4. The route",
    );
    assert!(load_str("pack.toml", &asked).is_ok());
    // Without `pass`, every look-for is needed.
    let all = load_str("pack.toml", &LOOK_FOR_PACK.replace("pass = 3\n", "")).unwrap();
    assert_eq!(all.get("t-lf").unwrap().pass, 4);
    // The older format loads too: `answer` is the look-fors, all of them needed, and the
    // check says how to move.
    let old = load_str("pack.toml", GOOD).unwrap();
    let q = old.get("t-one").unwrap();
    assert!(q.legacy && q.pass == q.look_fors.len());
    let note = old.legacy_note().unwrap();
    assert!(
        note.contains("rename `answer` to `look_fors`") && note.contains("`t-one`"),
        "{note}"
    );
}

#[test]
fn look_for_limits_are_reported_with_their_lines() {
    let cases: Vec<(String, &str)> = vec![
        (
            LOOK_FOR_PACK.replace("  \"Instances get their addresses from it\",\n", &format!("  \"{}\",\n", "x".repeat(101))),
            "`look_fors` text has 101 characters; at most 100",
        ),
        (LOOK_FOR_PACK.replace("pass = 3", "pass = 5"), "`pass` is 5: give how many of the 4 look-fors"),
        (LOOK_FOR_PACK.replace("pass = 3", "pass = 0"), "`pass` is 0"),
        // Under half the look-fors suggests a strong no, and a no needs room below the pass
        // rule: a yes needs more than half.
        (
            LOOK_FOR_PACK.replace("pass = 3", "pass = 2"),
            "`pass` is 2: give how many of the 4 look-fors make a yes, from more than half (3) to all (4)",
        ),
        (
            LOOK_FOR_PACK.replace(
                "  \"Public or private by its route table\",\n  \"Instances get their addresses from it\",\n",
                "",
            ),
            "`look_fors` has 2 entries: give 3 to 6",
        ),
        (
            LOOK_FOR_PACK.replace("\"Says a subnet spans several zones\"", &format!("\"{}\"", "y".repeat(120))),
            "`red_flags` text has 120 characters; at most 100",
        ),
        (
            LOOK_FOR_PACK.replace("facts_checked = 2026-12-07\n", ""),
            "`facts` need `facts_checked`",
        ),
        (
            LOOK_FOR_PACK.replace("facts_checked = 2026-12-07", "facts_checked = 2026-12-07T10:00:00"),
            "`facts_checked` is 2026-12-07T10:00:00: give a date",
        ),
        (
            LOOK_FOR_PACK.replace("pass = 3\n", "pass = 3\nanswer = [\"old\"]\n"),
            "give `look_fors` or the older `answer`, not both",
        ),
        // An "ask first" note in `detail` numbers the card's lists: past the end points at
        // nothing (one follow-up, four look-fors here).
        (
            LOOK_FOR_PACK.replace("detail = \"The route", "detail = \"Ask follow-up 2 before scoring look-for 4. The route"),
            "`detail` names follow-up 2, but the question has 1",
        ),
        (
            LOOK_FOR_PACK.replace("detail = \"The route", "detail = \"Ask follow-up 1 before scoring look-fors 5 and 6. The route"),
            "`detail` names look-for 5, but the question has 4",
        ),
    ];
    for (text, expected) in cases {
        let p = problems(&text);
        assert!(
            p.iter()
                .any(|m| m.contains(expected) && m.starts_with("pack.toml:")),
            "{expected}: {p:?}"
        );
    }
    // The older format keeps its limits: a long red flag still loads there.
    let long_flag = GOOD.replace(
        "\"Thinks a subnet spans zones.\"",
        &format!("\"{}\"", "z".repeat(300)),
    );
    assert!(problems(&long_flag).is_empty());
}

/// Issue 22: a renamed question keeps its old id as an alias, so posted buttons, stored
/// scores and daily history that name it still find it; an alias may not clash with any id
/// or alias.
#[test]
fn a_renamed_question_is_found_by_its_old_id_and_aliases_never_clash() {
    let renamed = GOOD.replace(
        "id = \"t-one\"",
        "id = \"t-subnets\"\naliases = [\"t-one\", \"t-first\"]",
    );
    let bank = load_str("pack.toml", &renamed).unwrap();
    assert_eq!(bank.get("t-one").unwrap().id, "t-subnets");
    assert_eq!(bank.get("t-first").unwrap().id, "t-subnets");
    assert_eq!(bank.get("t-subnets").unwrap().aliases, ["t-one", "t-first"]);
    assert_eq!(bank.len(), 1, "an alias is not a question of its own");
    // An alias that is another question's id, or another's alias, is refused at its line.
    let second = GOOD.replace("[pack]\nname = \"Test\"\n", "").replace(
        "id = \"t-one\"",
        "id = \"t-two\"\naliases = [\"t-subnets\"]",
    );
    let p = problems(&format!("{renamed}{second}"));
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].contains("duplicate alias `t-subnets`"), "{p:?}");
    let p = problems(&GOOD.replace(
        "id = \"t-one\"",
        "id = \"t-one\"\naliases = [\"Not A Slug\"]",
    ));
    assert!(
        p.iter()
            .any(|p| p.contains("alias `Not A Slug` must be a slug")),
        "{p:?}"
    );
}

/// Issue 22: one idea, one tag: spellings that differ only by a hyphen, a plural, the order of
/// their words or one letter are refused, naming the first use.
#[test]
fn near_duplicate_tags_are_refused_with_where_the_first_is_used() {
    for (first, second) in [
        ("auto-scaling", "autoscaling"),
        ("backups", "backup"),
        ("rto-rpo", "rpo-rto"),
        ("data-modelling", "data-modeling"),
        ("permissions-boundary", "permissions-boundaries"),
        ("artefacts", "artifacts"),
    ] {
        let two = format!(
            "{}{}",
            GOOD.replace("tags = [\"vpc\"]", &format!("tags = [\"{first}\"]")),
            GOOD.replace("[pack]\nname = \"Test\"\n", "")
                .replace("id = \"t-one\"", "id = \"t-two\"")
                .replace("tags = [\"vpc\"]", &format!("tags = [\"{second}\"]"))
        );
        let p = problems(&two);
        assert_eq!(p.len(), 1, "{first} / {second}: {p:?}");
        assert!(
            p[0].contains(&format!("tag `{second}` is spelt nearly like `{first}`")),
            "{p:?}"
        );
    }
    // Distinct ideas stay apart, short tags included.
    let fine = GOOD.replace("tags = [\"vpc\"]", "tags = [\"ec2\", \"ecs\", \"eks\", \"s3\", \"sqs\", \"sns\", \"vpc-endpoints\", \"vpc-peering\"]");
    assert_eq!(problems(&fine), Vec::<String>::new());
}

/// Issue 23: a file's `[pack] id` names its pack (else the file name does); the files of one
/// pack may each name it, but alike; a bad id is a problem at its line.
#[test]
fn packs_are_named_by_their_id_or_their_file() {
    let q = |id: &str| {
        format!(
            "[[question]]\nid = \"{id}\"\nlevel = \"junior\"\ntopic = \"t\"\nprompt = \"P?\"\nlook_fors = [\"a\", \"b\", \"c\"]\nbonus = [\"x\"]\nred_flags = [\"r\"]\nfollow_ups = [\"f\"]\n"
        )
    };
    let named = format!("[pack]\nid = \"team-x\"\nname = \"Team X\"\n\n{}", q("q-1"));
    let plain = q("q-2");
    let bank = load_named(&[("one.toml", &named), ("My Own Pack.toml", &plain)]).unwrap();
    let ids: Vec<&str> = bank.packs().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["my-own-pack", "team-x"]);
    assert_eq!(bank.get("q-1").unwrap().pack.as_str(), "team-x");
    assert_eq!(bank.get("q-2").unwrap().pack.as_str(), "my-own-pack");
    assert_eq!(bank.packs().last().unwrap().title(), "Team X");

    // Two files of one pack naming it differently.
    let other = format!("[pack]\nid = \"team-x\"\nname = \"Team Y\"\n\n{}", q("q-3"));
    let err = load_named(&[("one.toml", &named), ("two.toml", &other)]).unwrap_err();
    assert!(
        err.to_string().contains("two.toml:1") && err.to_string().contains("another name"),
        "{err}"
    );
    // Alike, or named once, is fine.
    let same = format!("[pack]\nid = \"team-x\"\nname = \"Team X\"\n\n{}", q("q-3"));
    assert!(load_named(&[("one.toml", &named), ("two.toml", &same)]).is_ok());

    for bad in ["Team X", "-x", "a--b", "x_y", &"a".repeat(41)] {
        let text = format!("[pack]\nid = \"{bad}\"\nname = \"N\"\n\n{}", q("q-4"));
        let err = load_str("bad.toml", &text).unwrap_err();
        assert!(
            err.to_string().contains("bad.toml:2") && err.to_string().contains("[pack]: id"),
            "{bad}: {err}"
        );
    }
}

/// The shipped files make one pack, `aws`.
#[test]
fn the_shipped_files_are_one_pack() {
    let bank = load_named(interview_bot::bank::BUILTIN_PACKS).unwrap();
    let packs: Vec<_> = bank.packs().collect();
    assert_eq!(packs.len(), 1);
    assert_eq!(packs[0].id.as_str(), "aws");
    assert_eq!(packs[0].title(), "AWS cloud engineering");
    assert!(packs[0].description.is_some());
    assert!(bank.all().iter().all(|q| q.pack.as_str() == "aws"));
}
