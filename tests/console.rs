//! The console and the command line, driven as a newcomer would: the built binary through
//! pipes (plain output, exit codes, write errors, bad bytes) and through a pseudo-terminal
//! (line editing, history, completion, styles).

mod common;

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// The binary as `common::bin`, and without `NO_COLOR`.
fn bin() -> Command {
    let mut cmd = common::bin();
    cmd.env_remove("NO_COLOR");
    cmd
}

/// Runs `interview-bot console` with `input` on a pipe and returns what it printed.
fn console_bytes(input: &[u8], extra_env: &[(&str, &str)]) -> (Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = bin();
    cmd.arg("console")
        .current_dir(dir.path())
        .env("QUESTIONS_DIR", common::questions_dir())
        .env("DATABASE_PATH", dir.path().join("console.sqlite3"))
        .envs(extra_env.iter().copied());
    (common::output_with_input(&mut cmd, input), dir)
}

fn console(input: &str, extra_env: &[(&str, &str)]) -> (Output, tempfile::TempDir) {
    console_bytes(input.as_bytes(), extra_env)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The question id on a card: the start of its footer line, `(aws-... · question 1 of 34 ...)`.
fn card_ids(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|l| l.starts_with("(aws-") && l.contains(" this round)"))
        .map(|l| l[1..].split(" · ").next().unwrap().to_string())
        .collect()
}

#[test]
fn a_senior_question_then_its_model_answer_then_another() {
    let (out, dir) = console("/question senior\n!1\n!2\n", &[]);
    assert!(out.status.success(), "{out:?}");
    let stdout = text(&out.stdout);
    let bank = common::real_bank();
    let ids = card_ids(&stdout);
    assert_eq!(ids.len(), 2, "two cards: {stdout}");
    let q = bank
        .get(&ids[0])
        .expect("the printed id is a real question");
    assert_eq!(q.level.as_str(), "senior");
    assert!(
        stdout.starts_with(&format!("Senior · {}", bank.topic_name(&q.topic))),
        "{stdout}"
    );
    // A fresh install keeps rubrics for interviewers; the console's user is an administrator.
    assert!(stdout.contains("[!1] 🔒 Model answer (interviewers only)  [!2] Another question"));
    // !1 pressed the button: the rubric, without Discord's markup.
    let rubric = &stdout[stdout.find("Model answer · Senior").expect(&stdout)..];
    assert!(rubric.contains("Yes at this level") && rubric.contains("A strong yes adds\n"));
    assert!(!stdout.contains("**") && !stdout.contains('`') && !stdout.contains('\x1b'));
    assert!(!stdout.contains("(continued)") && !stdout.contains("only you can see this"));
    let first_flag_words: Vec<&str> = q.red_flags[0].split_whitespace().take(3).collect();
    assert!(rubric.contains(&first_flag_words.join(" ")), "{rubric}");
    // !2 pressed "Another question" of the first card: a second senior question.
    assert_eq!(bank.get(&ids[1]).unwrap().level.as_str(), "senior");
    assert_ne!(ids[0], ids[1]);
    // Every line fits 80 columns when piped.
    for line in stdout.lines() {
        assert!(line.chars().count() <= 80, "{line}");
    }
    // The data went to the configured database file; no prompt or banner when piped.
    assert!(dir.path().join("console.sqlite3").exists());
    assert!(!stdout.contains("> ") && !stdout.contains("questions loaded"));
}

#[test]
fn bad_input_gets_clear_messages_on_stderr_and_the_console_goes_on() {
    let lines = [
        "/question level:expert",
        "/question",
        "/question mid topic:quantum",
        "/question mid colour:red",
        "/nosuch",
        "/questoin senior",
        "hello",
        "/answer \"unclosed",
        "!7",
        &format!("/answer id:\"{}\"", "@everyone ".repeat(2000)),
        "/answer id:aws-s3-basix",
        "/question networking",
        "/question level:seniro",
        "/question level: mid topic:networking",
    ];
    let (out, _dir) = console(&(lines.join("\n") + "\n"), &[]);
    // Lines failed, so scripts are told: exit code 1, yet every line was answered.
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    for expected in [
        "expert is not a valid level: expected one of: junior, mid, senior",
        "/question needs the option level",
        "No topic called quantum",
        "/question has no option colour",
        "There is no command /nosuch",
        "There is no command /questoin. Did you mean /question?",
        "Commands start with /",
        "A quote is not closed",
        "There are no buttons or lists to use yet",
        "is not a valid id: expected at most 64 characters",
        "No question has the id aws-s3-basix. Did you mean aws-s3-basics",
        "networking is a topic, not a level: put the level first, as in /question <level>",
        "(did you mean senior?)",
    ] {
        let flat = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
    // The answers went to standard output: the last line asked for a mid networking card.
    assert!(stdout.starts_with("Mid-level · Networking"), "{stdout}");
    assert_eq!(card_ids(&stdout).len(), 1);
    assert!(!stdout.contains('⚠'));
    // Hostile text is shortened, and nothing looks like a hidden character.
    assert!(!stderr.contains('\u{200B}'));
    assert!(stderr.matches("@everyone").count() <= 10);
}

/// Values after `!N` are for a drop-down list: given to a button they are refused, and
/// nothing is pressed; `!N` past the buttons says how many there are.
#[test]
fn a_button_given_values_is_not_pressed() {
    let (out, _dir) = console("/question senior\n!2 1\n!2 x\n!3 1,2\n", &[]);
    assert_eq!(out.status.code(), Some(1));
    let (stdout, stderr) = (text(&out.stdout), flat(&text(&out.stderr)));
    assert_eq!(card_ids(&stdout).len(), 1, "no second question: {stdout}");
    assert_eq!(
        stderr
            .matches("!2 is a button: buttons take no values. Type !2 alone to press it.")
            .count(),
        2,
        "{stderr}"
    );
    assert!(stderr.contains("No button 3: choose !1 to !2."), "{stderr}");
}

#[test]
fn one_bad_byte_is_reported_for_its_line_and_the_next_line_runs() {
    let (out, _dir) = console_bytes(b"/question junior\n/ans\xffwer\n/question mid\n", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("not valid UTF-8"));
    let ids = card_ids(&text(&out.stdout));
    assert_eq!(ids.len(), 2, "both good lines ran");
}

#[test]
fn help_explains_the_console_and_positional_options_work() {
    let (out, _dir) = console(
        "help\nhelp question\n/answer aws-vpc-basics\n/question junior storage\nquit\n/question senior\n",
        &[],
    );
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(stdout.contains("/question level:<junior|mid|senior> [topic:<text>]"));
    assert!(stdout.contains("1. Post a question."));
    assert!(stdout.contains("In this console"));
    assert!(stdout.contains("!N presses button N"));
    assert!(stdout.contains("quit, exit or Ctrl-D leaves"));
    assert!(stdout.contains("Topics: ") && stdout.contains("networking"));
    assert!(stdout.contains("Model answer · "));
    assert!(stdout.contains("(aws-vpc-basics"));
    assert!(stdout.contains("Junior · Storage"), "{stdout}");
    // `quit` ended the session before the last line.
    assert!(!stdout.contains("Senior · "));
}

#[test]
fn a_full_disk_or_a_closed_pipe_is_handled_like_a_unix_tool() {
    // Standard output on /dev/full: one line, exit 1, never a panic.
    let dir = tempfile::tempdir().unwrap();
    for args in [&["bank", "list"][..], &["console"][..]] {
        let mut child = bin()
            .args(args)
            .env("QUESTIONS_DIR", common::questions_dir())
            .env("DATABASE_PATH", dir.path().join("db"))
            .stdin(Stdio::piped())
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let _ = child.stdin.take().unwrap().write_all(b"/question mid\n");
        let out = child.wait_with_output().unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains("cannot write the output"), "{stderr}");
        assert!(!stderr.contains("panicked"));
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    // A reader that stops early (`| head -1`): quiet, no panic, no complaint. The JSON is
    // larger than a pipe holds, so the bot is still writing when the reader goes.
    let mut child = bin()
        .args(["bank", "list", "--json"])
        .env("QUESTIONS_DIR", common::questions_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(text(&out.stderr), "");
    assert_eq!(out.status.code(), Some(141), "as a tool ended by SIGPIPE");
}

#[test]
fn bank_list_fits_80_columns_and_check_counts_problems() {
    let out = bin()
        .args(["bank", "list"])
        .env("QUESTIONS_DIR", common::questions_dir())
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    for line in stdout.lines() {
        assert!(line.chars().count() <= 80, "{line}");
    }
    assert!(stdout.starts_with("ID"));

    let bad = tempfile::tempdir().unwrap();
    std::fs::write(bad.path().join("a.toml"), "[[question]]\nid = 'a'\n").unwrap();
    let out = bin()
        .args(["bank", "check", bad.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("has 1 problem:"),
        "{}",
        text(&out.stderr)
    );
    std::fs::write(bad.path().join("b.toml"), "nonsense = [\n").unwrap();
    let out = bin()
        .args(["bank", "check", bad.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        text(&out.stderr).contains("has 2 problems:"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn configuration_and_database_errors_name_the_thing_to_fix() {
    let run = |dir: &std::path::Path, env: &[(&str, &str)]| {
        let mut cmd = bin();
        cmd.args(["console"]).current_dir(dir).stdin(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        (out.status.code(), text(&out.stderr))
    };
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = run(dir.path(), &[("QUESTIONS_DIR", "/nonexistent")]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("QUESTIONS_DIR: no such folder /nonexistent"),
        "{err}"
    );
    let (code, err) = run(dir.path(), &[("RUST_LOG", "interview_bot=loudest")]);
    assert_eq!(code, Some(2));
    assert!(err.contains("RUST_LOG is not a valid log filter"), "{err}");
    // A malformed .env: its line number, never its text (it may hold the token).
    std::fs::write(
        dir.path().join(".env"),
        "DATABASE_PATH=x.sqlite3\nthis line is broken secret-token\n",
    )
    .unwrap();
    let (code, err) = run(dir.path(), &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(".env line 2"), "{err}");
    assert!(!err.contains("secret-token"));
    std::fs::remove_file(dir.path().join(".env")).unwrap();
    // Databases that cannot be used.
    let (code, err) = run(
        dir.path(),
        &[("DATABASE_PATH", dir.path().to_str().unwrap())],
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("is a folder"), "{err}");
    let junk = dir.path().join("junk.sqlite3");
    std::fs::write(&junk, "this is not a database, just some text ".repeat(200)).unwrap();
    let (code, err) = run(dir.path(), &[("DATABASE_PATH", junk.to_str().unwrap())]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("junk.sqlite3") && err.contains("not an SQLite database"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn the_command_line_says_what_exists_and_how_to_proceed() {
    let short = text(&bin().arg("-h").output().unwrap().stdout);
    let long = text(&bin().arg("--help").output().unwrap().stdout);
    let first = |s: &str| s.lines().next().unwrap_or("").to_string();
    assert_eq!(
        first(&short),
        first(&long),
        "-h and --help describe the same program"
    );
    assert!(
        !short.to_lowercase().contains("score"),
        "nothing promised that does not exist"
    );
    // invite-url without a token points at --client-id.
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .arg("invite-url")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--client-id"),
        "{}",
        text(&out.stderr)
    );
    let out = bin()
        .args(["invite-url", "--client-id", "42"])
        .output()
        .unwrap();
    assert!(text(&out.stdout).contains("client_id=42"));
}

#[test]
fn a_broken_bank_stops_with_its_report() {
    let bad = tempfile::tempdir().unwrap();
    std::fs::write(bad.path().join("x.toml"), "[[question]]\nid = 'a'\n").unwrap();
    let (out, _dir) = console(
        "/help\n",
        &[("QUESTIONS_DIR", bad.path().to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("x.toml:1:"), "{stderr}");
    let (out, _dir) = console("/help\n", &[("DISCORD_GUILD_ID", "not-a-number")]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("DISCORD_GUILD_ID is not valid"), "{stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"));
}

#[test]
fn the_bot_without_a_token_explains_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .arg("run")
        .current_dir(dir.path())
        .env("QUESTIONS_DIR", common::questions_dir())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("DISCORD_TOKEN is not set"), "{stderr}");
    assert!(stderr.contains("interview-bot console"), "{stderr}");
}

#[test]
fn without_a_command_or_token_the_console_starts() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::output_with_input(
        bin()
            .current_dir(dir.path())
            .env("QUESTIONS_DIR", common::questions_dir()),
        b"/question junior\n",
    );
    assert!(out.status.success());
    assert!(text(&out.stderr).contains("DISCORD_TOKEN is not set"));
    assert!(text(&out.stdout).starts_with("Junior · "));
    // The database went to the default path in the working directory.
    assert!(dir.path().join("interview-bot.sqlite3").exists());
}

/// In a real terminal: styles, arrow keys and history, Tab completion.
#[test]
fn in_a_terminal_the_console_edits_lines_keeps_history_and_completes() {
    use expectrl::Expect;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_interview-bot"));
    cmd.arg("console")
        .current_dir(dir.path())
        .env_remove("DISCORD_TOKEN")
        .env_remove("RUST_LOG")
        .env_remove("NO_COLOR")
        .env("TERM", "xterm-256color")
        .env("QUESTIONS_DIR", common::questions_dir())
        .env("DATABASE_PATH", dir.path().join("tty.sqlite3"));
    let mut session = expectrl::Session::spawn(cmd).expect("a pseudo-terminal");
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session.expect("questions loaded").unwrap();
    session.expect("> ").unwrap();
    // Tab completes the command name; the card comes back styled.
    session.send("/qu\t").unwrap();
    session.send("senior\r").unwrap();
    let card = session.expect("this round").unwrap();
    let shown = String::from_utf8_lossy(card.before()).to_string();
    session.expect("> ").unwrap();
    assert!(
        shown.contains("\x1b[1;38;2;237;66;69mSenior"),
        "styled title: {shown:?}"
    );
    // The up arrow brings the last line back.
    session.send("\x1b[A").unwrap();
    session.send("\r").unwrap();
    session.expect("this round").unwrap();
    session.expect("> ").unwrap();
    session.send("quit\r").unwrap();
    session.expect(expectrl::Eof).unwrap();
    let history = std::fs::read_to_string(dir.path().join("tty.history")).unwrap();
    assert!(history.contains("/question senior"), "{history}");
    // The history holds what was typed (names, notes): owner-only, like the database.
    #[cfg(unix)]
    for file in ["tty.history", "tty.sqlite3"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }
}

#[test]
fn console_member_starts_as_a_plain_member_to_try_the_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("console.sqlite3");
    let run = |args: &[&str], input: &str| {
        common::output_with_input(
            bin()
                .args(args)
                .current_dir(dir.path())
                .env("QUESTIONS_DIR", common::questions_dir())
                .env("DATABASE_PATH", &db),
            input.as_bytes(),
        )
    };
    let admin = run(&["console"], "/score Ada aws-s3-basics 3\n/scores export\n");
    assert!(admin.status.success(), "{admin:?}");
    let out = text(&admin.stdout);
    assert!(out.contains("Recorded 3 Yes for Ada"), "{out}");
    // The export is saved beside the console, like a download.
    let saved = out
        .lines()
        .find_map(|l| l.strip_prefix("(saved as "))
        .and_then(|l| l.split(' ').next())
        .expect(&out);
    let csv = std::fs::read_to_string(dir.path().join(saved)).unwrap();
    assert!(
        csv.starts_with("candidate,question_id,")
            && csv.contains("Ada,aws-s3-basics,junior,storage,1,"),
        "{csv}"
    );
    let member = run(
        &["console", "--member"],
        "/score Ada aws-s3-basics 4\n/answer aws-s3-basics\n/scores team\n",
    );
    assert_eq!(member.status.code(), Some(1));
    let err = text(&member.stderr);
    assert_eq!(err.matches("Only interviewers").count(), 2, "{err}");
    assert!(err.contains("/config rubric-access"), "{err}");
    assert!(member.stdout.is_empty(), "{member:?}");
}

/// The console in a pseudo-terminal, started on `dir`'s `tty.sqlite3` (history in
/// `tty.history`).
fn tty_console(dir: &std::path::Path) -> expectrl::session::OsSession {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_interview-bot"));
    cmd.arg("console")
        .current_dir(dir)
        .env_remove("DISCORD_TOKEN")
        .env_remove("RUST_LOG")
        .env_remove("NO_COLOR")
        .env("TERM", "xterm-256color")
        .env("QUESTIONS_DIR", common::questions_dir())
        .env("DATABASE_PATH", dir.join("tty.sqlite3"));
    let mut session = expectrl::Session::spawn(cmd).expect("a pseudo-terminal");
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session
}

/// Issue 19, finding 6: a stored value holding escape sequences (a candidate added before
/// names were checked, or written to the database by hand) reaches the terminal through Tab
/// completion and every answer without its ESC and BEL bytes.
#[test]
fn escape_sequences_in_stored_values_never_reach_the_terminal() {
    use expectrl::Expect;
    use interview_bot::console::CONSOLE_GUILD;
    use interview_bot::model::UserId;
    let dir = tempfile::tempdir().unwrap();
    let hostile = "Mal\x1b]0;pwned\x07\x1b[2J\x1b[31mory";
    {
        let store = interview_bot::store::Store::open(&dir.path().join("tty.sqlite3")).unwrap();
        store
            .write(|db| {
                db.find_or_add_candidate(CONSOLE_GUILD, hostile, "mal-hostile", UserId(7), 0)
            })
            .unwrap();
    }
    let mut session = tty_console(dir.path());
    let mut seen = Vec::new();
    fn until(
        session: &mut expectrl::session::OsSession,
        seen: &mut Vec<u8>,
        what: impl expectrl::Needle,
    ) {
        let found = session.expect(what).unwrap();
        seen.extend_from_slice(found.before());
        seen.extend_from_slice(found.as_bytes());
    }
    until(&mut session, &mut seen, "questions loaded");
    until(&mut session, &mut seen, "> ");
    // Tab completes the candidate's name (written into the line), then the lookup runs.
    session.send("/scores candidate candidate:mal\t").unwrap();
    std::thread::sleep(Duration::from_millis(500));
    session.send("\r").unwrap();
    // Each answer in turn (a redrawn prompt after Tab is not the next prompt).
    until(
        &mut session,
        &mut seen,
        expectrl::Regex("Scorecard|No candidate"),
    );
    until(&mut session, &mut seen, "> ");
    session.send("/scores team\r").unwrap();
    until(&mut session, &mut seen, "Team scorecards");
    until(&mut session, &mut seen, "> ");
    session.send("quit\r").unwrap();
    let end = session.expect(expectrl::Eof).unwrap();
    seen.extend_from_slice(end.before());
    let shown = String::from_utf8_lossy(&seen).to_string();
    assert!(shown.contains("Mal"), "the suggestion was shown: {shown:?}");
    for raw in ["\x1b]0;pwned", "\x07", "\x1b[2J", "\x1b[31m"] {
        assert!(
            !shown.contains(raw),
            "{raw:?} reached the terminal: {shown:?}"
        );
    }
}

/// Issue 19, finding 2 (the console's part): the history file never holds a form's answers,
/// and forgetting a candidate drops every line that names them, from this run and earlier
/// ones, keeping the file owner-only.
#[test]
fn the_history_keeps_no_notes_and_forgets_a_forgotten_candidate() {
    use expectrl::Expect;
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("tty.history");
    std::fs::write(
        &history,
        "#V2\n/score 'Dana Scully' aws-s3-basics 3\n/question senior\n/recommend candidate:dana  SCULLY recommendation:yes\n",
    )
    .unwrap();
    let mut session = tty_console(dir.path());
    session.expect("questions loaded").unwrap();
    session.expect("> ").unwrap();
    session
        .send("/interview start candidate:\"Dana Scully\" level:junior questions:1\r")
        .unwrap();
    session.expect("[!7] Skip").unwrap();
    session.expect("> ").unwrap();
    // Notes (button 5): the form asks on the next line.
    session.send("!5\r").unwrap();
    session.expect("Your notes").unwrap();
    session.send("xyzzy-private-note\r").unwrap();
    session.expect("Notes saved").unwrap();
    session.expect("> ").unwrap();
    session.send("/help\r").unwrap();
    session.expect("> ").unwrap();
    session
        .send("/scores forget candidate:'dana scully'\r")
        .unwrap();
    session.expect("[!1] Delete everything").unwrap();
    session.expect("> ").unwrap();
    session.send("!1\r").unwrap();
    session.expect("Deleted:").unwrap();
    session.expect("> ").unwrap();
    // Rewritten at once, before the console ends.
    let now = std::fs::read_to_string(&history).unwrap();
    assert!(!now.to_lowercase().contains("scully"), "{now}");
    session.send("quit\r").unwrap();
    session.expect(expectrl::Eof).unwrap();
    let kept = std::fs::read_to_string(&history).unwrap();
    assert!(
        !kept.contains("xyzzy"),
        "a form's answer in the history: {kept}"
    );
    assert!(!kept.to_lowercase().contains("scully"), "{kept}");
    assert!(
        kept.contains("/question senior") && kept.contains("/help"),
        "{kept}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&history).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

/// Hiring data the console leaves beside the code (its history, exports, the default
/// database) is ignored by git, so it never shows in `git status` or a commit.
#[test]
fn the_consoles_files_are_ignored_by_git() {
    let repo = env!("CARGO_MANIFEST_DIR");
    for path in [
        "interview-bot.history",
        "interview-bot.sqlite3",
        "interview-bot.sqlite3-wal",
        "scores-2026-12-07.csv",
        "scores-2026-12-07-2.csv",
    ] {
        let ignored = Command::new("git")
            .args(["check-ignore", "--no-index", "-q", path])
            .current_dir(repo)
            .status()
            .expect("git runs");
        assert!(ignored.success(), "{path} is not ignored by .gitignore");
    }
}

/// Interactive use exits 0 even after a line with a typo (the error was shown as it happened);
/// piped use keeps exit code 1 for a failed line, for scripts.
#[test]
fn a_typo_at_the_terminal_still_exits_0_and_a_piped_one_exits_1() {
    use expectrl::Expect;
    let dir = tempfile::tempdir().unwrap();
    let mut session = tty_console(dir.path());
    session.expect("> ").unwrap();
    session.send("/qestion senior\r").unwrap();
    session.expect("Did you mean").unwrap();
    session.expect("> ").unwrap();
    session.send("quit\r").unwrap();
    session.expect(expectrl::Eof).unwrap();
    let status = session.get_process().wait().unwrap();
    assert!(
        matches!(status, expectrl::process::unix::WaitStatus::Exited(_, 0)),
        "{status:?}"
    );
    let (piped, _dir) = console("/qestion senior\n", &[]);
    assert_eq!(piped.status.code(), Some(1), "{piped:?}");
}

/// In a form (a session's Notes), Ctrl-C cancels it, even after some typing (before, it
/// cleared the line and asked again, so a `!1` typed next became the note), as does Ctrl-D on
/// an empty line; the prompt says so, nothing is saved, and the console goes on.
#[test]
fn ctrl_c_or_ctrl_d_in_a_form_cancels_it() {
    use expectrl::Expect;
    let dir = tempfile::tempdir().unwrap();
    let mut session = tty_console(dir.path());
    session.expect("> ").unwrap();
    session
        .send("/interview start candidate:Ada level:junior questions:1\r")
        .unwrap();
    session.expect("[!7] Skip").unwrap();
    session.expect("> ").unwrap();
    for (typed, key) in [("!1", "\x03"), ("", "\x04")] {
        session.send("!5\r").unwrap();
        session.expect("Ctrl-C or Ctrl-D cancels").unwrap();
        session.expect("Your notes").unwrap();
        session.send(typed).unwrap();
        session.send(key).unwrap();
        session.expect("Form cancelled").unwrap();
        session.expect("> ").unwrap();
    }
    session.send("/scores candidate Ada\r").unwrap();
    let card = session.expect("> ").unwrap();
    let shown = String::from_utf8_lossy(card.before()).to_string();
    assert!(
        !shown.contains("!1"),
        "a cancelled form saved a note: {shown}"
    );
    session.send("quit\r").unwrap();
    session.expect(expectrl::Eof).unwrap();
}

/// What a newcomer types first gets an answer that helps: `HH:MM` is a value, not an option
/// named `09`; a channel that does not exist lists those that do; a mistyped subcommand gets a
/// "did you mean"; too many values say how to quote, or which choice was meant.
#[test]
fn first_hour_typos_get_answers_that_say_what_to_type() {
    let (out, _dir) = console(
        "/daily set #general 09:00\n/daily set #console 09:00\n/daily stats\n/scores candidat Ada\n\
         /config tz\n/score Ada aws-s3-basics 3 clear on trade offs\n/recommend Ada strong yes\n",
        &[],
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        stdout.contains("Daily practice set for #console"),
        "{stdout}"
    );
    for expected in [
        "No channel matches #general for channel: the channels here: #console.",
        "/daily has no subcommand stats. Did you mean /daily status?",
        "/scores has no subcommand candidat. Did you mean /scores candidate?",
        "/config has no subcommand tz. Did you mean /config timezone?",
        "Put a value with spaces in quotes: notes:\"like",
        "strong yes is one word, with a hyphen: strong-",
    ] {
        let flat = stderr.replace('\n', " ");
        assert!(
            flat.contains(expected) || stderr.contains(expected),
            "{expected}\n{stderr}"
        );
    }
    assert!(!stderr.contains("has no option 09"), "{stderr}");
}

/// A session left open by an earlier console run is shown again at start, so its buttons
/// work (`!5` opened "There are no buttons to press yet" before); ending it counts the
/// question that was on screen as asked, and notes without a rating as a scorecard.
#[test]
fn a_session_goes_on_after_a_restart_and_counts_what_was_asked() {
    use expectrl::Expect;
    let dir = tempfile::tempdir().unwrap();
    let mut first = tty_console(dir.path());
    first.expect("> ").unwrap();
    first
        .send("/interview start candidate:Ada level:junior questions:2\r")
        .unwrap();
    first.expect("[!7] Skip").unwrap();
    first.expect("> ").unwrap();
    first.send("!5\r").unwrap();
    first.expect("Your notes").unwrap();
    first.send("first thoughts\r").unwrap();
    first.expect("Notes saved").unwrap();
    first.expect("> ").unwrap();
    first.send("quit\r").unwrap();
    first.expect(expectrl::Eof).unwrap();

    let mut again = tty_console(dir.path());
    again.expect("An interview session is open").unwrap();
    again.expect("question 1 of 2").unwrap();
    again.expect("[!7] Skip").unwrap();
    again.expect("> ").unwrap();
    again.send("!5\r").unwrap();
    again.expect("Your notes").unwrap();
    again.send("\x03").unwrap();
    again.expect("Form cancelled").unwrap();
    again.expect("> ").unwrap();
    again.send("/interview end\r").unwrap();
    again.expect("1 of 2 questions asked").unwrap();
    again.expect("> ").unwrap();
    // The notes are a scorecard, though nothing was rated.
    again.send("/scores candidate Ada\r").unwrap();
    again.expect("1 scorecard from 1 interviewer").unwrap();
    again.expect("> ").unwrap();
    again.send("quit\r").unwrap();
    again.expect(expectrl::Eof).unwrap();
}

/// Issue 20: a line of the console's output or errors holding Discord's markup (a mention, a
/// timestamp, a link to a message) that a terminal shows as it is.
fn assert_no_discord_markup(text: &str) {
    for line in text.lines() {
        for markup in ["<@", "<#", "<t:", "](https://discord.com"] {
            assert!(!line.contains(markup), "{markup:?} in {line:?} of:\n{text}");
        }
    }
}

/// Text with every run of whitespace one space: what a sentence reads as, however it wrapped.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Issue 20: people and channels are named, not mentioned, and a session already open says
/// when it started and where its message is in words.
#[test]
fn piped_sessions_name_people_and_channels() {
    let (out, _dir) = console(
        "/interview start Bob junior\n/interview start Cy junior\n/interview end\n",
        &[("USER", "Ada")],
    );
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert_no_discord_markup(&stdout);
    assert_no_discord_markup(&stderr);
    assert!(flat(&stdout).contains("Ended by @Ada."), "{stdout}");
    assert!(stdout.contains("(posted in #console)"), "{stdout}");
    let refused = flat(&stderr);
    assert!(
        refused
            .contains("with @Ada, started a few seconds ago (its message: message 2 in #console)."),
        "{stderr}"
    );
}

/// Issue 20: Discord's timestamps read as the terminal's local date and time, roles and
/// channels by name, in the cards and the audit log.
#[test]
fn piped_daily_times_are_local_and_roles_named() {
    let (out, _dir) = console(
        "/config interviewer-role role:interviewers\n\
         /daily set channel:#console time:09:00 timezone:UTC role:interviewers\n\
         /daily status\n\
         /daily preview channel:#console\n\
         /config audit\n",
        &[("USER", "Ada"), ("TZ", "Asia/Tokyo")],
    );
    assert!(out.status.success(), "{out:?}");
    let stdout = text(&out.stdout);
    assert_no_discord_markup(&stdout);
    let shown = flat(&stdout);
    assert!(
        shown.contains("Interviewers are now members with @interviewers (and"),
        "{stdout}"
    );
    assert!(shown.contains("Mentions: @interviewers"), "{stdout}");
    // 09:00 UTC is 18:00 in Tokyo, the same day; the schedule's own zone follows.
    let next = shown
        .split("Next post: ")
        .nth(1)
        .expect("a next post")
        .split(" UTC)")
        .next()
        .unwrap();
    assert!(
        next.contains(" 18:00 JST (") && next.ends_with(" 09:00"),
        "{next:?}"
    );
    let day = next.split(' ').nth(1).unwrap();
    assert!(
        next.contains(&format!("({} {day} ", &next[..3])),
        "{next:?}"
    );
    assert!(
        shown.contains("@Ada set daily practice in #console: 09:00 UTC"),
        "{stdout}"
    );
    assert!(
        shown.contains("@Ada set the interviewer role to @interviewers"),
        "{stdout}"
    );
}

/// Issue 20: a note reads back exactly as it was typed: no backslashes before markdown
/// characters, no markup applied, `@everyone` as written (nothing pings in a terminal).
#[test]
fn a_piped_note_reads_back_exactly_as_typed() {
    let note = r"@everyone =SUM(A1) <b>hi</b> **bold** _x_ C:\dir\*.txt ~~s~~ `c` #1 - [a](b)";
    let (out, _dir) = console(
        &format!(
            "/interview start candidate:Åsa-xxx level:junior questions:1\n!5\n{note}\n\
             /interview end\n/scores candidate Åsa-xxx\n"
        ),
        &[("USER", "Ada")],
    );
    assert!(out.status.success(), "{out:?}");
    let stdout = text(&out.stdout);
    assert_no_discord_markup(&stdout);
    assert!(stdout.contains("Candidate: Åsa-xxx\n"), "{stdout}");
    let scorecard = flat(&stdout[stdout.rfind("Scorecard").expect(&stdout)..]);
    assert!(
        scorecard.contains(&format!("notes only: {note}")),
        "{scorecard}"
    );
}

/// Issue 20: a button that cannot be pressed says so, "(disabled)"; "(used)" is for a button
/// that was pressed.
#[test]
fn buttons_never_pressed_read_disabled_not_used() {
    let mut lines: String = "abcdefghijk"
        .chars()
        .map(|c| format!("/score Cand-{c} aws-s3-basics 3\n"))
        .collect();
    lines.push_str("/scores team\n!2\n");
    let (out, _dir) = console(&lines, &[]);
    assert!(out.status.success(), "{out:?}");
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("[!1] ◀ Newer (disabled)  [!2] Older ▶\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("[!1] ◀ Newer  [!2] Older ▶ (disabled)\n"),
        "{stdout}"
    );
    assert!(!stdout.contains("(used)"), "{stdout}");
}

/// Issue 21 in the console: `/score`'s confirmation is the evidence panel, its lists numbered
/// first; ticking shows the suggestion, and a 4 against it asks for a reason, given in the
/// modal's line.
#[test]
fn a_quick_score_then_its_evidence_then_a_reason() {
    let bank = common::real_bank();
    let q = bank.get("aws-s3-basics").unwrap();
    let (n, pass) = (q.look_fors.len(), q.pass);
    assert!(n >= 4 && !q.bonus.is_empty(), "the figures below assume it");
    // Look-fors 1 and 2 of n (4 or more): under half, so 1; the rating is 4: an override
    // asking a reason (button !7: lists !1 and !2, ratings !3 to !6). Then every look-for
    // and bonus 1: 4, as rated.
    let all: Vec<String> = (1..=n + 1).map(|i| i.to_string()).collect();
    let (out, _dir) = console(
        &format!(
            "/score candidate:Ada question:aws-s3-basics rating:4\n!1 1 2\n!7\nTold the story well\n!1 {}\n",
            all.join(" ")
        ),
        &[],
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(
        stdout.contains("[!1] Covered: tick the look-fors"),
        "{stdout}"
    );
    assert!(stdout.contains("[!2] Red flags heard"), "{stdout}");
    let words = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains(&format!(
            "covered 2 of {n} look-fors (a yes needs {pass}), no red flags: suggests 1 Strong no"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("Reason saved: Told the story well"),
        "{stdout}"
    );
    let last = &stdout[stdout.rfind("Your evidence").unwrap()..];
    let last = last.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        last.contains(&format!(
            "covered {n} of {n} look-fors (a yes needs {pass}), 1 bonus point, no red flags: suggests 4 Strong yes"
        )),
        "{last}"
    );
    assert!(last.contains("as the evidence suggests"), "{last}");
}
