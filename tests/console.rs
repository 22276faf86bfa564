//! The console, driven through stdin of the built binary, as a newcomer would use it.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn console(input: &str, extra_env: &[(&str, &str)]) -> (Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_interview-bot"));
    cmd.arg("console")
        .current_dir(dir.path())
        .env_remove("DISCORD_TOKEN")
        .env("QUESTIONS_DIR", common::questions_dir())
        .env("DATABASE_PATH", dir.path().join("console.sqlite3"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    // The process may exit before reading everything (a config error): that is fine.
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    (child.wait_with_output().unwrap(), dir)
}

#[test]
fn a_senior_question_with_its_id_then_its_model_answer() {
    let (out, dir) = console("/question senior\n!1\n!2\n", &[]);
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let bank = common::real_bank();
    let id_line = stdout
        .lines()
        .find(|l| l.starts_with("Level: senior"))
        .expect(&stdout);
    let id = id_line.rsplit('`').nth(1).unwrap();
    let q = bank.get(id).expect("the printed id is a real question");
    assert!(stdout.contains(&q.prompt));
    assert!(stdout.contains("[!1] Model answer"));
    // !1 pressed the button: the rubric, marked private.
    assert!(stdout.contains("(only you can see this)"));
    assert!(stdout.contains(&q.red_flags[0]));
    // !2 pressed "Another question" of the same reply: a second senior question.
    assert_eq!(stdout.matches("Level: senior").count(), 2, "{stdout}");
    // The data went to the configured database file.
    assert!(dir.path().join("console.sqlite3").exists());
}

#[test]
fn bad_input_gets_clear_messages_and_the_console_goes_on() {
    let lines = [
        "/question level:expert",
        "/question",
        "/question mid topic:quantum",
        "/question mid colour:red",
        "/nosuch",
        "hello",
        "/answer \"unclosed",
        "!7",
        &format!("/answer id:\"{}\"", "@everyone ".repeat(2000)),
        "/answer id:aws-s3-basix",
        "/question level:mid topic:networking",
    ];
    let (out, _dir) = console(&(lines.join("\n") + "\n"), &[]);
    // Lines failed, so scripts are told: exit code 1, yet every line was answered.
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    for expected in [
        "`expert` is not a valid `level`: expected one of: junior, mid, senior",
        "/question needs the option `level`",
        "No topic called `quantum`",
        "/question has no option `colour`",
        "There is no command /nosuch",
        "Commands start with `/`",
        "A quote is not closed",
        "There are no buttons to press yet",
        "is not a valid `id`: expected at most 64 characters",
        "No question has the id `aws-s3-basix`. Did you mean `aws-s3-basics`",
        "Level: mid | Topic: networking",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    assert!(!stdout.contains("@everyone"));
}

#[test]
fn help_and_positional_options() {
    let (out, _dir) = console(
        "/help\n/answer aws-vpc-basics\n/question junior storage\n",
        &[],
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("/question level:<junior|mid|senior> [topic:<text>]"));
    assert!(stdout.contains("Model answer · aws-vpc-basics"));
    assert!(
        stdout.contains("Level: junior | Topic: storage"),
        "{stdout}"
    );
}

#[test]
fn a_broken_config_or_bank_stops_with_one_clear_line() {
    let (out, _dir) = console("/help\n", &[("DISCORD_GUILD_ID", "not-a-number")]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("DISCORD_GUILD_ID is not valid"), "{stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"));

    let bad = tempfile::tempdir().unwrap();
    std::fs::write(bad.path().join("x.toml"), "[[question]]\nid = 'a'\n").unwrap();
    let (out, _dir) = console(
        "/help\n",
        &[("QUESTIONS_DIR", bad.path().to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("x.toml:1:"), "{stderr}");
}

#[test]
fn the_bot_without_a_token_explains_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_interview-bot"))
        .arg("run")
        .current_dir(dir.path())
        .env_remove("DISCORD_TOKEN")
        .env("QUESTIONS_DIR", common::questions_dir())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("DISCORD_TOKEN is not set"), "{stderr}");
    assert!(stderr.contains("interview-bot console"), "{stderr}");
}

#[test]
fn without_a_command_or_token_the_console_starts() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_interview-bot"))
        .current_dir(dir.path())
        .env_remove("DISCORD_TOKEN")
        .env("QUESTIONS_DIR", common::questions_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"/question junior\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("DISCORD_TOKEN is not set"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Level: junior"));
    // The database went to the default path in the working directory.
    assert!(dir.path().join("interview-bot.sqlite3").exists());
}
