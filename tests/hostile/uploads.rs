//! Pack files handed to the bot (issue 23): random bytes, and the templates mutated byte by
//! byte or cell by cell. Never a panic; a refusal lists clear, located problems; a file is
//! either a whole pack or nothing.

use super::*;
use interview_bot::bank::{MAX_UPLOAD_BYTES, Place, UploadProblem, check_upload};
use interview_bot::features::packs::{TEMPLATE, TEMPLATE_CSV};

fn check_refusal(problems: &[UploadProblem], input: &str) -> Result<(), TestCaseError> {
    prop_assert!(!problems.is_empty());
    prop_assert!(problems.len() <= 200);
    for p in problems {
        let shown = p.to_string();
        let unescaped = p.message.replace("\\\"", "\"").replace("\\n", " ");
        check_clear(&unescaped, input)?;
        prop_assert!(!shown.contains('\n'), "multi-line: {shown:?}");
        prop_assert!(shown.chars().count() <= 400, "long: {shown:?}");
        if let Place::Cell { row, .. } | Place::Line(row) = &p.place {
            prop_assert!(*row >= 1, "{shown:?}");
        }
    }
    Ok(())
}

fn mutated(base: &'static str) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec((0usize..base.len(), any::<u8>()), 1..6),
        prop::option::of(0usize..base.len()),
    )
        .prop_map(move |(edits, cut)| {
            let mut bytes = base.as_bytes().to_vec();
            for (at, b) in edits {
                let at = at % bytes.len();
                bytes[at] = b;
            }
            if let Some(c) = cut {
                bytes.truncate(c.max(1));
            }
            bytes
        })
}

proptest! {
    #![proptest_config(config(192))]

    #[test]
    fn random_bytes_are_refused_clearly(
        bytes in prop::collection::vec(any::<u8>(), 0..600),
        csv in any::<bool>(),
    ) {
        let name = if csv { "p.csv" } else { "p.toml" };
        if let Err(problems) = check_upload(name, &bytes) {
            check_refusal(&problems, &String::from_utf8_lossy(&bytes))?;
        }
    }

    #[test]
    fn mutated_toml_templates_load_whole_or_are_refused_clearly(bytes in mutated(TEMPLATE)) {
        match check_upload("p.toml", &bytes) {
            Ok(bank) => prop_assert!(bank.len() <= 2),
            Err(problems) => check_refusal(&problems, &String::from_utf8_lossy(&bytes))?,
        }
    }

    #[test]
    fn mutated_csv_templates_load_whole_or_are_refused_clearly(bytes in mutated(TEMPLATE_CSV)) {
        match check_upload("p.csv", &bytes) {
            Ok(bank) => prop_assert!(bank.len() <= 2),
            Err(problems) => check_refusal(&problems, &String::from_utf8_lossy(&bytes))?,
        }
    }

    #[test]
    fn hostile_cells_are_refused_or_kept_as_text(cell in hostile_text(), column in 0usize..4) {
        let mut rows: Vec<Vec<String>> = csv::Reader::from_reader(TEMPLATE_CSV.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        let col = [4, 5, 7, 9][column]; // prompt, look_fors, bonus, follow_ups
        rows[0][col] = cell.clone();
        let mut out = csv::Writer::from_writer(Vec::new());
        let header: Vec<&str> = TEMPLATE_CSV.lines().next().unwrap().split(',').collect();
        out.write_record(&header).unwrap();
        for r in &rows {
            out.write_record(r).unwrap();
        }
        let bytes = out.into_inner().unwrap();
        match check_upload("p.csv", &bytes) {
            Ok(bank) => {
                // Kept as written (trimmed), never interpreted.
                let q = bank.get("backend-idempotent-retries").unwrap();
                let text = format!("{} {:?} {:?} {:?}", q.prompt, q.look_fors, q.bonus, q.follow_ups);
                prop_assert!(!text.is_empty());
            }
            Err(problems) => check_refusal(&problems, &cell)?,
        }
    }
}

#[test]
fn each_kind_of_bad_file_gets_its_own_clear_problem() {
    let refused = |name: &str, bytes: &[u8]| -> String {
        match check_upload(name, bytes) {
            Ok(b) => panic!("{name}: accepted {} questions", b.len()),
            Err(p) => p
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        }
    };
    assert!(refused("p.toml", b"").contains("the file is empty"));
    assert!(refused("p.xlsx", b"PK\x03\x04").contains("only .toml and .csv"));
    assert!(refused("p.png", TEMPLATE.as_bytes()).contains("only .toml and .csv"));
    let big = vec![b'#'; MAX_UPLOAD_BYTES * 10];
    assert!(refused("p.toml", &big).contains("at most 1000000"));
    assert!(refused("p.csv", b"id,level\n\xff\xfe,x\n").contains("line 2: the file is not UTF-8"));
    assert!(
        refused("p.toml", b"[pack]\nname = \"a\x07b\"\n")
            .contains("line 2: control character U+0007")
    );
    let formula = TEMPLATE_CSV.replacen("A client times out", "=cmd|' /C calc'!A0 client", 1);
    assert!(refused("p.csv", formula.as_bytes()).contains("row 2, column prompt: starts with `=`"));
    // A leading `- ` bullet is still a formula to a spreadsheet.
    let dash = TEMPLATE_CSV.replacen(
        "\"Says the first request",
        "\"- 2+cmd|' /C calc'!A0 Says the first request",
        1,
    );
    assert!(refused("p.csv", dash.as_bytes()).contains("row 2, column look_fors: starts with `-`"));
    // A control character written as a TOML escape is refused once decoded.
    let escaped = TEMPLATE.replacen(
        "name = \"Backend basics\"",
        "name = \"Back\\u001B[2Jend\"",
        1,
    );
    assert!(refused("p.toml", escaped.as_bytes()).contains("control character U+001B"));
    // A header of half a million empty cells then names: refused by its width, at once.
    let wide = format!("{}{}\nx\n", ",".repeat(500_000), "id,".repeat(100_000));
    assert!(wide.len() <= MAX_UPLOAD_BYTES);
    assert!(refused("p.csv", wide.as_bytes()).contains("the header has"));
    // A TOML file with no question.
    assert!(refused("p.toml", b"[topics]\nhttp = \"HTTP\"\n").contains("no questions"));
    let unknown = TEMPLATE_CSV.replacen("facts_checked", "colour", 1);
    assert!(refused("p.csv", unknown.as_bytes()).contains("unknown column `colour`"));
    let missing = "id,level,topic\nx,junior,t\n";
    assert!(refused("p.csv", missing.as_bytes()).contains("the header has no `prompt` column"));
    assert!(
        refused(
            "p.csv",
            b"id,level,topic,prompt,look_fors,bonus,red_flags,follow_ups\n"
        )
        .contains("no questions")
    );

    // 10,000 rows: refused at the limit, nothing loaded.
    let mut many = String::from("id,level,topic,prompt,look_fors,bonus,red_flags,follow_ups\n");
    for i in 0..10_000 {
        many.push_str(&format!("q-{i},junior,t,P?,\"a\nb\nc\",x,r,f\n"));
    }
    assert!(many.len() < MAX_UPLOAD_BYTES);
    assert!(refused("p.csv", many.as_bytes()).contains("more than 2000 questions"));
}

#[test]
fn a_byte_order_mark_and_windows_line_ends_are_accepted() {
    for (name, text) in [("p.toml", TEMPLATE), ("p.csv", TEMPLATE_CSV)] {
        let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
        let with_bom = format!("\u{feff}{crlf}");
        let bank =
            check_upload(name, with_bom.as_bytes()).unwrap_or_else(|p| panic!("{name}: {p:?}"));
        assert_eq!(bank.len(), 2);
        // Line ends inside list cells do not reach the text.
        assert!(
            bank.all()
                .iter()
                .all(|q| q.look_fors.iter().all(|l| !l.contains('\r')))
        );
    }
}

#[test]
fn thousands_of_distinct_tags_are_checked_quickly() {
    // 2,000 questions with 10 tags each, all distinct and far apart: the near-duplicate check
    // looks tags up rather than comparing each with every other.
    let mut text =
        String::from("id,level,topic,prompt,look_fors,bonus,red_flags,follow_ups,tags\n");
    for i in 0..2_000 {
        let tags: Vec<String> = (0..10)
            .map(|j| format!("tag{:05}x{j:02}q", i * 10 + j))
            .collect();
        text.push_str(&format!(
            "q-{i},junior,t,P?,\"a\nb\nc\",x,r,f,\"{}\"\n",
            tags.join("\n")
        ));
    }
    let started = std::time::Instant::now();
    let result = check_upload("p.csv", text.as_bytes());
    // Generous for a debug build on a loaded CI machine; quadratic took minutes.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    // Such tags are near one another (one digit apart), so they are reported, not accepted.
    assert!(result.is_err());
}

#[test]
fn a_duplicate_id_names_the_row_of_the_first() {
    let text = "id,level,topic,prompt,look_fors,bonus,red_flags,follow_ups\n\
                same,junior,t,P?,\"a\nb\nc\",x,r,f\n\
                other,junior,t,P?,\"a\nb\nc\",x,r,f\n\
                same,junior,t,P?,\"a\nb\nc\",x,r,f\n";
    let problems = check_upload("p.csv", text.as_bytes()).unwrap_err();
    let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        shown
            .iter()
            .any(|p| p.starts_with("row 4") && p.contains("already used at row 2")),
        "{shown:?}"
    );
}

#[test]
fn every_problem_of_a_csv_is_reported_at_its_row_and_column() {
    let text = "id,level,topic,prompt,look_fors,pass,bonus,red_flags,follow_ups\n\
                ok-one,junior,t,Fine?,\"a\nb\nc\",3,x,r,f\n\
                bad-level,expert,t,P?,\"a\nb\nc\",3,x,r,f\n\
                few,junior,t,P?,a,x,b,r,f\n";
    let problems = check_upload("p.csv", text.as_bytes()).unwrap_err();
    let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        shown.iter().any(|p| p.starts_with("row 3, column level:")),
        "{shown:?}"
    );
    assert!(
        shown
            .iter()
            .any(|p| p.starts_with("row 4, column look_fors:")),
        "{shown:?}"
    );
    assert!(
        shown.iter().any(|p| p.starts_with("row 4, column pass:")),
        "{shown:?}"
    );
    assert!(!shown.iter().any(|p| p.starts_with("row 2")), "{shown:?}");
}

/// `/pack import` of `bytes` as `filename`, as a manager, with the file already fetched.
fn import_request(guild: u64, filename: &str, bytes: &[u8]) -> Request {
    common::attach(
        command_as(guild, &admin(USER), "pack import", &[]),
        "file",
        filename,
        bytes,
    )
}

/// What the server's packs hold: imported packs and questions.
fn imported(f: &Fixture, guild: u64) -> (usize, usize) {
    f.engine
        .store()
        .read(|db| {
            Ok::<_, interview_bot::store::StoreError>((
                db.team_packs(interview_bot::model::GuildId(guild))?.len(),
                db.team_question_count(interview_bot::model::GuildId(guild))?,
            ))
        })
        .unwrap()
}

proptest! {
    #![proptest_config(config(96))]

    /// Through the engine: never a panic, always a private answer that is not an internal
    /// error, and nothing imported (a valid file only gets a preview).
    #[test]
    fn hostile_files_get_a_private_answer_and_store_nothing(
        bytes in prop_oneof![
            mutated(TEMPLATE),
            mutated(TEMPLATE_CSV),
            prop::collection::vec(any::<u8>(), 0..400),
        ],
        csv in any::<bool>(),
    ) {
        let f = fixture();
        let name = if csv { "team.csv" } else { "team.toml" };
        let outcome = f.engine.run(&import_request(GUILD, name, &bytes));
        let (visibility, message) = outcome.first_reply().expect("answered");
        prop_assert_eq!(visibility, Visibility::Private);
        let text = message.content.clone().unwrap_or_default();
        prop_assert!(!text.contains("went wrong"), "{}", text);
        prop_assert_eq!(imported(&f, GUILD), (0, 0));
    }
}

#[test]
fn a_ten_megabyte_file_and_ten_thousand_rows_are_refused_before_anything_is_stored() {
    let f = fixture();
    let mut big = import_request(GUILD, "big.csv", b"id");
    big.resolved.attachments.get_mut(&1).unwrap().size = 10_000_000;
    let refusal = f.engine.dispatch(&big).unwrap_err();
    assert!(refusal.user_message().contains("too large"), "{refusal:?}");
    let header = TEMPLATE_CSV.lines().next().unwrap();
    let rows: String = (0..10_000)
        .map(|i| format!("q{i},junior,t,,p,a,1,,,,,,\n"))
        .collect();
    let file = format!("{header}\n{rows}");
    let outcome = f
        .engine
        .run(&import_request(GUILD, "rows.csv", file.as_bytes()));
    let text = outcome
        .first_reply()
        .unwrap()
        .1
        .content
        .clone()
        .unwrap_or_default();
    assert!(text.contains("nothing was stored"), "{text}");
    assert_eq!(imported(&f, GUILD), (0, 0));
}
