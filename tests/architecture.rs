//! The invariants of ARCHITECTURE.md that can be read off the source text, checked over every
//! file under `src/` (rust-analyzer "tidy" style). Each failure names the file, the line and
//! the rule it breaks.
//!
//! That every `migrations/*.sql` file is listed in `store::MIGRATIONS`, in order, is checked in
//! `tests/store.rs`; here we only check that each listed entry embeds the file it names.

use std::fs;
use std::path::{Path, PathBuf};

use interview_bot::store::MIGRATIONS;

const NO_DISCORD_IN_ENGINE: &str = "ARCHITECTURE.md: \"The engine knows no Discord. Only \
     `src/discord/` may import serenity.\"";
const SQL_IN_STORE: &str = "ARCHITECTURE.md: \"All SQL lives in `store/`. Commands never see \
     rusqlite.\" (`store/` is the only module that touches rusqlite)";
const TIME_FROM_CLOCK: &str = "ARCHITECTURE.md: \"Time comes from a `Clock`\" (`clock.rs`: \
     nothing reads the system time directly)";
const NO_UNFINISHED_CODE: &str = "ARCHITECTURE.md: \"No `todo!` or `unimplemented!` in `src/`\"";
const NO_SHARED_FOLDER: &str = "ARCHITECTURE.md: \"Nothing outside `tests/` reads the shared folder beside the repository\" \
     (the repository must work as a plain clone)";

/// One Rust source file: its path relative to the repository root, with `/` separators.
struct Source {
    path: String,
    text: String,
}

impl Source {
    fn is_under(&self, dir: &str) -> bool {
        self.path.starts_with(dir)
    }

    /// Numbered lines with `//` comments (line and doc comments) removed.
    fn code_lines(&self) -> impl Iterator<Item = (usize, &str)> {
        self.text
            .lines()
            .enumerate()
            .map(|(i, line)| (i + 1, strip_line_comment(line)))
    }
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir` (relative to the repository root), recursively, sorted.
fn sources(dir: &str) -> Vec<Source> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let entries =
            fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        for e in entries {
            let path = e.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(&repo().join(dir), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(repo()).unwrap();
            let path = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            Source {
                text: fs::read_to_string(&p).unwrap(),
                path,
            }
        })
        .collect()
}

/// The line without a trailing `//` comment. A `//` right after `:` (a URL such as `https://`)
/// is not a comment; a `//` inside any other string literal is, which only hides the rest of
/// that line from the checks.
fn strip_line_comment(line: &str) -> &str {
    let mut from = 0;
    while let Some(i) = line[from..].find("//") {
        let at = from + i;
        if !line[..at].ends_with(':') {
            return &line[..at];
        }
        from = at + 2;
    }
    line
}

/// Whether `code` names the crate `krate` as a path (`krate::…`) or in `use krate` /
/// `extern crate krate`. Identifiers that merely contain the name do not count.
fn names_crate(code: &str, krate: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut previous: Vec<&str> = Vec::new();
    let mut rest = code;
    let mut offset = 0;
    while let Some(start) = rest.find(|c: char| is_ident(c)) {
        let len = rest[start..]
            .find(|c: char| !is_ident(c))
            .unwrap_or(rest.len() - start);
        let ident = &rest[start..start + len];
        let after = &rest[start + len..];
        let begins_ident = code[..offset + start]
            .chars()
            .next_back()
            .is_none_or(|c| !is_ident(c));
        if begins_ident && ident == krate {
            let as_path = after.trim_start().starts_with("::");
            let imported = matches!(previous.as_slice(), [.., "use"] | [.., "extern", "crate"]);
            if as_path || imported {
                return true;
            }
        }
        previous.push(ident);
        offset += start + len;
        rest = after;
    }
    false
}

/// One message per line of `sources` outside `allowed` that names `krate`.
fn crate_outside(sources: &[Source], krate: &str, allowed: &str, rule: &str) -> Vec<String> {
    let mut found = Vec::new();
    for s in sources.iter().filter(|s| !s.is_under(allowed)) {
        for (n, code) in s.code_lines() {
            if names_crate(code, krate) {
                found.push(format!(
                    "{}:{n}: names `{krate}` outside {allowed}: {rule}",
                    s.path
                ));
            }
        }
    }
    found
}

/// One message per line of `sources` (except those under `allowed`) containing `needle`.
fn text_in(sources: &[Source], needle: &str, allowed: &[&str], rule: &str) -> Vec<String> {
    let mut found = Vec::new();
    for s in sources
        .iter()
        .filter(|s| !allowed.iter().any(|a| s.is_under(a)))
    {
        for (n, code) in s.code_lines() {
            if code.contains(needle) {
                found.push(format!("{}:{n}: `{needle}`: {rule}", s.path));
            }
        }
    }
    found
}

fn assert_none(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{} architecture violation(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The scan sees the whole tree, so the checks below cannot pass by finding nothing.
#[test]
fn the_scan_sees_every_module() {
    let src = sources("src");
    let paths: Vec<&str> = src.iter().map(|s| s.path.as_str()).collect();
    for expected in [
        "src/main.rs",
        "src/lib.rs",
        "src/clock.rs",
        "src/discord/mod.rs",
        "src/store/mod.rs",
        "src/engine/mod.rs",
        "src/bank/load.rs",
    ] {
        assert!(
            paths.contains(&expected),
            "{expected} not scanned: {paths:?}"
        );
    }
    let in_discord = src.iter().filter(|s| s.is_under("src/discord/")).count();
    let in_store = src.iter().filter(|s| s.is_under("src/store/")).count();
    assert!(in_discord >= 2 && in_store >= 2, "{paths:?}");
    // The detectors find the real uses where they are allowed.
    let uses = |dir: &str, krate: &str| {
        src.iter()
            .filter(|s| s.is_under(dir))
            .flat_map(|s| s.code_lines())
            .filter(|(_, code)| names_crate(code, krate))
            .count()
    };
    assert!(
        uses("src/discord/", "serenity") >= 5,
        "serenity not found in src/discord/"
    );
    assert!(
        uses("src/store/", "rusqlite") >= 2,
        "rusqlite not found in src/store/"
    );
    assert!(uses("src/store/", "rusqlite_migration") >= 1);
    let clock = src.iter().find(|s| s.path == "src/clock.rs").unwrap();
    assert!(
        clock
            .code_lines()
            .any(|(_, c)| c.contains("SystemTime::now"))
    );
}

#[test]
fn the_detectors_tell_code_from_lookalikes() {
    for code in [
        "use serenity::all::Interaction;",
        "pub use serenity;",
        "extern crate serenity;",
        "    let x: serenity::model::id::GuildId = id;",
        "fn f(c: &::serenity::Client) {}",
        "use serenity :: all;",
    ] {
        assert!(names_crate(strip_line_comment(code), "serenity"), "{code}");
    }
    for code in [
        "\"interview_bot=info,serenity=warn,warn\"",
        "//! it (serenity builders, or text in a terminal).",
        "let x = 1; // see serenity::Client",
        "my_serenity::x()",
        "serenity_like::x()",
        "let serenity = 3;",
    ] {
        assert!(!names_crate(strip_line_comment(code), "serenity"), "{code}");
    }
    assert!(names_crate(
        "use rusqlite_migration::M;",
        "rusqlite_migration"
    ));
    assert!(!names_crate("use rusqlite_migration::M;", "rusqlite"));
    assert_eq!(
        strip_line_comment("let u = \"https://x/y\"; // note"),
        "let u = \"https://x/y\"; "
    );
    let planted = [Source {
        path: "src/engine/bad.rs".into(),
        text: "fn a() {}\nuse serenity::all::Http;\n".into(),
    }];
    assert_eq!(
        crate_outside(&planted, "serenity", "src/discord/", "RULE"),
        ["src/engine/bad.rs:2: names `serenity` outside src/discord/: RULE"]
    );
}

#[test]
fn only_src_discord_names_serenity() {
    assert_none(crate_outside(
        &sources("src"),
        "serenity",
        "src/discord/",
        NO_DISCORD_IN_ENGINE,
    ));
}

#[test]
fn only_src_store_names_rusqlite() {
    let src = sources("src");
    let mut problems = crate_outside(&src, "rusqlite", "src/store/", SQL_IN_STORE);
    problems.extend(crate_outside(
        &src,
        "rusqlite_migration",
        "src/store/",
        SQL_IN_STORE,
    ));
    assert_none(problems);
}

#[test]
fn only_the_clock_reads_the_system_time() {
    assert_none(text_in(
        &sources("src"),
        "SystemTime::now",
        &["src/clock.rs"],
        TIME_FROM_CLOCK,
    ));
}

#[test]
fn no_unfinished_code_in_src() {
    let src = sources("src");
    let mut problems = text_in(&src, "todo!(", &[], NO_UNFINISHED_CODE);
    problems.extend(text_in(&src, "unimplemented!(", &[], NO_UNFINISHED_CODE));
    assert_none(problems);
}

#[test]
fn nothing_outside_tests_reads_the_shared_folder() {
    let mut code = sources("src");
    code.extend(sources("benches"));
    assert!(code.iter().any(|s| s.is_under("benches/")));
    // The folder's name is put together here, so this rule's own source does not read as a
    // use of it to tools that search the tests for the literal path.
    let unix = ["..", "shared"].join("/");
    let windows = ["..", "shared"].join("\\\\");
    let mut problems = text_in(&code, &unix, &[], NO_SHARED_FOLDER);
    problems.extend(text_in(&code, &windows, &[], NO_SHARED_FOLDER));
    assert_none(problems);
}

/// `tests/store.rs` checks the names in `MIGRATIONS` against `migrations/`; this checks that
/// each entry embeds the file it is named after.
#[test]
fn each_listed_migration_embeds_the_file_it_names() {
    assert!(!MIGRATIONS.is_empty());
    for (name, sql) in MIGRATIONS {
        let path = repo().join("migrations").join(name);
        let on_disk = fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("src/store/mod.rs: MIGRATIONS lists {name}: {e}"));
        assert!(
            on_disk == *sql,
            "src/store/mod.rs: the MIGRATIONS entry {name} embeds different SQL from \
             migrations/{name}: ARCHITECTURE.md: \"embedded with `include_str!` and listed in \
             `store::MIGRATIONS`\""
        );
    }
}

const FRAMEWORK_KNOWS_NO_FEATURE: &str = "ARCHITECTURE.md: \"The framework (src/engine/) imports \
     no feature; features are listed once, in src/features/mod.rs.\"";
const FEATURES_ARE_APART: &str = "ARCHITECTURE.md: \"A feature imports the framework, the store, \
     the bank and shared presentation, never another feature: what two share moves down.\"";
const NO_SUPER_SUPER: &str = "ARCHITECTURE.md: \"Paths name `crate::…`, not `super::super::…`.\"";

/// The feature folders under `src/features/`.
fn feature_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo().join("src/features"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The identifiers that follow `prefix` in `code` (`features::` + `daily` → `daily`).
fn segments_after<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = code[from..].find(prefix) {
        let at = from + i;
        let starts_ident = code[..at].chars().next_back().is_none_or(|c| !is_ident(c));
        let rest = &code[at + prefix.len()..];
        let len = rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len());
        if starts_ident && len > 0 {
            out.push(&rest[..len]);
        }
        from = at + prefix.len();
    }
    out
}

/// One message per line of a framework file that names the features, and per line of a
/// feature that names another feature (`crate::features::other`, or `super::other` from a
/// feature's `mod.rs`).
fn layer_problems(sources: &[Source], features: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for s in sources {
        if s.is_under("src/engine/") {
            for (n, code) in s.code_lines() {
                if names_crate(code, "features") {
                    found.push(format!(
                        "{}:{n}: the framework names a feature: {FRAMEWORK_KNOWS_NO_FEATURE}",
                        s.path
                    ));
                }
            }
        }
        let Some(own) = s
            .path
            .strip_prefix("src/features/")
            .and_then(|p| p.split_once('/'))
            .map(|(f, _)| f)
        else {
            continue;
        };
        let is_root = s.path.ends_with(&format!("src/features/{own}/mod.rs"));
        for (n, code) in s.code_lines() {
            let mut named: Vec<&str> = segments_after(code, "features::");
            if is_root {
                named.extend(segments_after(code, "super::"));
            }
            for other in named {
                if other != own && features.iter().any(|f| f == other) {
                    found.push(format!(
                        "{}:{n}: feature `{own}` names feature `{other}`: {FEATURES_ARE_APART}",
                        s.path
                    ));
                }
            }
        }
    }
    found
}

#[test]
fn the_framework_imports_no_feature_and_features_not_each_other() {
    let features = feature_names();
    assert!(
        features.len() >= 5,
        "feature folders not found: {features:?}"
    );
    assert_none(layer_problems(&sources("src"), &features));
}

#[test]
fn the_layer_check_finds_planted_imports() {
    let features: Vec<String> = ["daily", "questions"].map(String::from).to_vec();
    let planted = [
        Source {
            path: "src/engine/bad.rs".into(),
            text: "use crate::features::questions::FEATURE;\n".into(),
        },
        Source {
            path: "src/features/daily/mod.rs".into(),
            text: "// crate::features::questions is fine in a comment\nuse super::questions::x;\n"
                .into(),
        },
        Source {
            path: "src/features/daily/cards.rs".into(),
            text: "fn f() { crate::features::questions::g(); crate::features::daily::h(); }\n"
                .into(),
        },
    ];
    let problems = layer_problems(&planted, &features);
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(problems[0].starts_with("src/engine/bad.rs:1:"));
    assert!(problems[1].starts_with("src/features/daily/mod.rs:2:"));
    assert!(problems[2].starts_with("src/features/daily/cards.rs:1:"));
}

#[test]
fn no_super_super_paths_in_src() {
    assert_none(text_in(
        &sources("src"),
        "super::super::",
        &[],
        NO_SUPER_SUPER,
    ));
}
