//! The Rust version the project declares (`rust-version`, named in the README) is one that
//! can build it: at least the `rust-version` of every dependency in the lock file.

use std::process::Command;

fn parse(v: &str) -> Vec<u64> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

#[test]
fn the_declared_rust_version_builds_every_dependency() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = meta["packages"].as_array().unwrap();
    let workspace: Vec<&str> = meta["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m.as_str())
        .collect();
    let ours: Vec<&serde_json::Value> = packages
        .iter()
        .filter(|p| workspace.contains(&p["id"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(ours.len(), 2, "interview-bot and fake-discord");
    let root = ours.iter().find(|p| p["name"] == "interview-bot").unwrap();
    let declared = root["rust_version"]
        .as_str()
        .expect("interview-bot declares rust-version");
    for p in &ours {
        assert_eq!(
            p["rust_version"].as_str(),
            Some(declared),
            "{} declares another version",
            p["name"]
        );
    }
    let too_new: Vec<String> = packages
        .iter()
        .filter_map(|p| {
            let v = p["rust_version"].as_str()?;
            (parse(v) > parse(declared))
                .then(|| format!("{} {} needs {v}", p["name"], p["version"]))
        })
        .collect();
    assert!(
        too_new.is_empty(),
        "rust-version is {declared}, but: {too_new:?}. Raise rust-version (and the README) or pin these."
    );
    // The README names the same version.
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(
        readme.contains(&format!("Rust ({declared} or newer)")),
        "the README's quickstart must name Rust {declared}"
    );
}

/// `cargo run` builds the bot and what it needs, not the test-only fake Discord (a default
/// workspace member would be built too); the README's test command, and CI, still run the
/// fake's own tests with `--workspace`.
#[test]
fn cargo_run_builds_only_the_bot_and_the_test_command_covers_the_workspace() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--no-deps"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success());
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let defaults: Vec<&str> = meta["workspace_default_members"]
        .as_array()
        .expect("cargo reports the default members")
        .iter()
        .filter_map(|m| m.as_str())
        .collect();
    assert_eq!(defaults.len(), 1, "{defaults:?}");
    assert!(defaults[0].contains("interview-bot"), "{defaults:?}");
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let ci = std::fs::read_to_string(format!("{root}/.ci/run")).unwrap();
    assert!(readme.contains("cargo test --workspace   # the tests"));
    assert!(ci.contains("\ncargo test --workspace --locked\n"));
}
