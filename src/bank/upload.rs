//! A pack file someone hands the bot (an upload, or `bank check FILE`): TOML in the bot's
//! format, or a CSV a spreadsheet can produce. Checked with exactly the rules of `bank check`
//! (a CSV is turned into the same TOML, each of its lines remembered as a row and column, so
//! every problem is reported where the author wrote it), after the checks any file from
//! outside gets: size, type, UTF-8, control characters and, for CSV, formula cells.
//!
//! CSV: a header row names the columns (`id`, `level`, `topic`, `prompt`, `look_fors`, `pass`,
//! `bonus`, `red_flags`, `follow_ups`, and optionally `tags`, `detail`, `facts`,
//! `facts_checked`, `aliases`), then one row per question; a list cell holds one item per line
//! (line breaks inside the quoted cell; a leading `• ` bullet, or `- ` after the first line, is
//! dropped). The pack's id comes from the file's name.

use std::fmt;
use std::fmt::Write as _;

use super::export::quoted;
use super::{Bank, PackId, load_str};
use crate::text::formula_like;

/// Largest file accepted.
pub const MAX_UPLOAD_BYTES: usize = 1_000_000;
/// Most questions in one file.
pub const MAX_UPLOAD_QUESTIONS: usize = 2_000;
/// Most problems reported (the rest are counted).
pub const MAX_REPORTED: usize = 200;

/// The two formats a pack file may have, by its name's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadFormat {
    Toml,
    Csv,
}

impl UploadFormat {
    /// The format a file name says, if any.
    pub fn of(filename: &str) -> Option<UploadFormat> {
        let lower = filename.to_ascii_lowercase();
        if lower.ends_with(".toml") {
            Some(UploadFormat::Toml)
        } else if lower.ends_with(".csv") {
            Some(UploadFormat::Csv)
        } else {
            None
        }
    }
}

/// Where in the file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The file as a whole.
    File,
    /// A line of a TOML file (1-based).
    Line(usize),
    /// A CSV row (1-based, the header is row 1) and, if known, its column.
    Cell { row: usize, column: Option<String> },
}

/// One thing wrong with an uploaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadProblem {
    pub place: Place,
    pub message: String,
}

impl fmt::Display for UploadProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.place {
            Place::File => write!(f, "{}", self.message),
            Place::Line(l) => write!(f, "line {l}: {}", self.message),
            Place::Cell { row, column: None } => write!(f, "row {row}: {}", self.message),
            Place::Cell {
                row,
                column: Some(c),
            } => write!(f, "row {row}, column {c}: {}", self.message),
        }
    }
}

fn at(place: Place, message: impl Into<String>) -> UploadProblem {
    UploadProblem {
        place,
        message: message.into(),
    }
}

/// The pack in `bytes`, a file called `filename`, or every problem found (at most
/// [`MAX_REPORTED`], the last saying how many more there were).
pub fn check_upload(filename: &str, bytes: &[u8]) -> Result<Bank, Vec<UploadProblem>> {
    let format = UploadFormat::of(filename).ok_or_else(|| {
        vec![at(
            Place::File,
            "only .toml and .csv files can be packs: save the file as one of them",
        )]
    })?;
    if bytes.is_empty() {
        return Err(vec![at(Place::File, "the file is empty")]);
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(vec![at(
            Place::File,
            format!(
                "the file has {} bytes; a pack file may have at most {MAX_UPLOAD_BYTES} (split it into several packs)",
                bytes.len()
            ),
        )]);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        // Before a CSV is parsed only its lines are known (a cell may span several), so
        // problems found this early are placed by line in either format.
        vec![at(
            Place::Line(line),
            "the file is not UTF-8 text: save it as UTF-8 (in a spreadsheet: \"CSV UTF-8\")",
        )]
    })?;
    // A byte-order mark (spreadsheets write one) and Windows line ends are accepted as they are.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let problems = control_characters(text);
    if !problems.is_empty() {
        return Err(cap(problems));
    }
    let bank = match format {
        UploadFormat::Toml => load_str(filename, text).map_err(|e| {
            e.0.into_iter()
                .map(|p| {
                    at(
                        if p.line == 0 {
                            Place::File
                        } else {
                            Place::Line(p.line)
                        },
                        p.message,
                    )
                })
                .collect::<Vec<_>>()
        }),
        UploadFormat::Csv => csv_pack(filename, text),
    };
    let bank = bank.map_err(cap)?;
    if bank.is_empty() {
        return Err(vec![at(
            Place::File,
            "no questions: a pack needs at least one `[[question]]`",
        )]);
    }
    if bank.len() > MAX_UPLOAD_QUESTIONS {
        return Err(vec![at(
            Place::File,
            format!(
                "the file has {} questions; one pack file may have at most {MAX_UPLOAD_QUESTIONS}",
                bank.len()
            ),
        )]);
    }
    Ok(bank)
}

/// Control characters other than tab and line breaks, each reported once per line (by line in
/// either format, as for bad UTF-8).
fn control_characters(text: &str) -> Vec<UploadProblem> {
    let mut out = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        if out.len() > MAX_REPORTED {
            break;
        }
        if let Some(c) = line
            .chars()
            .find(|c| c.is_control() && !matches!(c, '\t' | '\r'))
        {
            out.push(at(
                Place::Line(i + 1),
                format!(
                    "control character U+{:04X} in the text: remove it",
                    u32::from(c)
                ),
            ));
        }
    }
    out
}

/// At most [`MAX_REPORTED`] problems, the last one counting the rest.
fn cap(mut problems: Vec<UploadProblem>) -> Vec<UploadProblem> {
    if problems.len() > MAX_REPORTED {
        let more = problems.len() - (MAX_REPORTED - 1);
        problems.truncate(MAX_REPORTED - 1);
        problems.push(at(
            Place::File,
            format!("and {more} more problems: fix these and check again"),
        ));
    }
    problems
}

/// How many cells a record has up to its last one that is not blank.
fn last_filled(record: &csv::StringRecord) -> usize {
    (0..record.len())
        .rev()
        .find(|&i| record.get(i).is_some_and(|c| !c.trim().is_empty()))
        .map_or(0, |i| i + 1)
}

/// Most header cells read (the columns, with room for a few unknown ones to report).
const MAX_HEADER_CELLS: usize = 28;

/// The CSV columns, as TOML fields: (column, is a list, required).
const COLUMNS: &[(&str, bool, bool)] = &[
    ("id", false, true),
    ("level", false, true),
    ("topic", false, true),
    ("tags", true, false),
    ("prompt", false, true),
    ("look_fors", true, true),
    ("pass", false, false),
    ("bonus", true, true),
    ("red_flags", true, true),
    ("follow_ups", true, true),
    ("detail", false, false),
    ("facts", true, false),
    ("facts_checked", false, false),
    ("aliases", true, false),
];

/// A CSV pack: read, turned into the bot's TOML with each line's row and column noted, then
/// loaded with the same checks as any pack; the loader's lines become rows and columns.
fn csv_pack(filename: &str, text: &str) -> Result<Bank, Vec<UploadProblem>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = reader.records();
    let header = match rows.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(vec![csv_error(&e)]),
        None => return Err(vec![at(Place::File, "the file is empty")]),
    };
    let mut problems = Vec::new();
    // Spreadsheets often save empty cells after the last named column: they are ignored.
    let width = last_filled(&header);
    if width > MAX_HEADER_CELLS {
        return Err(vec![at(
            Place::Cell {
                row: 1,
                column: None,
            },
            format!(
                "the header has {width} cells; a pack has at most {} columns",
                COLUMNS.len()
            ),
        )]);
    }
    // The column of each header cell, or None for one the format does not know.
    let mut columns: Vec<Option<usize>> = Vec::new();
    let mut seen = [false; COLUMNS.len()];
    for (i, name) in header.iter().take(width).enumerate() {
        let name = name.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        match COLUMNS.iter().position(|(c, ..)| *c == name) {
            Some(c) if seen[c] => problems.push(at(
                Place::Cell {
                    row: 1,
                    column: Some(name.clone()),
                },
                "this column is named twice",
            )),
            Some(c) => {
                seen[c] = true;
                columns.push(Some(c));
                continue;
            }
            None => problems.push(at(
                Place::Cell {
                    row: 1,
                    column: Some(format!("{}", i + 1)),
                },
                format!(
                    "unknown column `{}`: the columns are {}",
                    crate::text::truncate(&name, 40),
                    COLUMNS
                        .iter()
                        .map(|(c, ..)| *c)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
        columns.push(None);
    }
    for (c, (name, _, required)) in COLUMNS.iter().enumerate() {
        if *required && !seen[c] {
            problems.push(at(
                Place::Cell {
                    row: 1,
                    column: None,
                },
                format!("the header has no `{name}` column"),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let stem = filename.rsplit_once('.').map_or(filename, |(s, _)| s);
    let pack = PackId::from_file_stem(stem);
    let mut toml = String::new();
    // The row and column of each line of `toml` (index 0 is line 1).
    let mut lines: Vec<Option<(usize, Option<&'static str>)>> = Vec::new();
    let mut push =
        |toml: &mut String, line: String, place: Option<(usize, Option<&'static str>)>| {
            toml.push_str(&line);
            toml.push('\n');
            lines.push(place);
        };
    push(&mut toml, "[pack]".into(), None);
    push(&mut toml, format!("id = {}", quoted(pack.as_str())), None);
    push(&mut toml, format!("name = {}", quoted(pack.as_str())), None);
    let mut count = 0;
    for (n, record) in rows.enumerate() {
        let row = n + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(csv_error(&e));
                break;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        count += 1;
        if count > MAX_UPLOAD_QUESTIONS {
            problems.push(at(
                Place::Cell { row, column: None },
                format!("more than {MAX_UPLOAD_QUESTIONS} questions: one pack file may have at most {MAX_UPLOAD_QUESTIONS}"),
            ));
            break;
        }
        let used = last_filled(&record);
        if used > columns.len() {
            problems.push(at(
                Place::Cell { row, column: None },
                format!(
                    "{used} cells, but the header names {} columns",
                    columns.len()
                ),
            ));
            continue;
        }
        push(&mut toml, String::new(), None);
        push(&mut toml, "[[question]]".into(), Some((row, None)));
        for (cell, column) in record.iter().zip(&columns) {
            let Some(c) = column else { continue };
            let (name, is_list, _) = COLUMNS[*c];
            let place = Some((row, Some(name)));
            let trimmed = cell.trim();
            if formula_like(trimmed) {
                problems.push(at(
                    Place::Cell {
                        row,
                        column: Some(name.into()),
                    },
                    format!(
                        "starts with `{}`, which spreadsheets run as a formula: reword it to start with a letter or digit",
                        &trimmed[..1]
                    ),
                ));
            }
            let items: Vec<&str> = if is_list {
                // One item a line; a bullet in front of an item is dropped (`- ` only after the
                // first line: a cell starting with `-` is a formula to a spreadsheet).
                cell.split('\n')
                    .map(|s| s.trim_end_matches('\r').trim())
                    .map(|s| {
                        s.strip_prefix("• ")
                            .or_else(|| s.strip_prefix("- "))
                            .unwrap_or(s)
                            .trim()
                    })
                    .filter(|s| !s.is_empty())
                    .collect()
            } else {
                if trimmed.is_empty() {
                    continue;
                }
                vec![trimmed]
            };
            if items.is_empty() {
                continue;
            }
            let value = match name {
                _ if is_list => format!(
                    "[{}]",
                    items
                        .iter()
                        .map(|i| quoted(i))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                // A number or a date is written bare when it is one, else quoted, so the
                // loader says what it expected.
                "pass" if items[0].parse::<u32>().is_ok() => {
                    items[0].parse::<u32>().unwrap_or_default().to_string()
                }
                "facts_checked" if items[0].parse::<toml::value::Datetime>().is_ok() => {
                    items[0].to_string()
                }
                _ => quoted(items[0]),
            };
            push(&mut toml, format!("{name} = {value}"), place);
        }
    }
    if count == 0 && problems.is_empty() {
        return Err(vec![at(
            Place::File,
            "no questions: add a row under the header for each question",
        )]);
    }
    // Every row is checked even when some cells were refused above, so one reply lists all.
    let loaded = load_str(filename, &toml).map_err(|e| {
        e.0.into_iter()
            .map(|p| {
                let place = match lines.get(p.line.wrapping_sub(1)).copied().flatten() {
                    Some((row, column)) => Place::Cell {
                        row,
                        column: column.map(String::from),
                    },
                    None => Place::File,
                };
                at(place, rows_for_lines(&p.message, filename, &lines))
            })
            .collect::<Vec<_>>()
    });
    match loaded {
        Ok(bank) if problems.is_empty() => Ok(bank),
        Ok(_) => Err(problems),
        Err(more) => {
            problems.extend(more);
            problems.sort_by_key(|p| match &p.place {
                Place::Cell { row, .. } => *row,
                _ => 0,
            });
            Err(problems)
        }
    }
}

/// A loader message that points at another place of the file (`p.csv:12`, a line of the
/// generated TOML) points at its row instead.
fn rows_for_lines(
    message: &str,
    filename: &str,
    lines: &[Option<(usize, Option<&'static str>)>],
) -> String {
    let needle = format!("{filename}:");
    let mut out = String::new();
    let mut rest = message;
    while let Some(i) = rest.find(&needle) {
        out.push_str(&rest[..i]);
        let after = &rest[i + needle.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let row = after[..digits]
            .parse::<usize>()
            .ok()
            .and_then(|l| lines.get(l.wrapping_sub(1)).copied().flatten());
        match row {
            Some((row, _)) => out.push_str(&format!("row {row}")),
            None => out.push_str(&rest[i..i + needle.len() + digits]),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

fn csv_error(e: &csv::Error) -> UploadProblem {
    let row = e.position().map_or(0, |p| p.record() as usize + 1);
    let mut message = String::new();
    let _ = write!(message, "the CSV cannot be read here");
    if let csv::ErrorKind::Utf8 { .. } = e.kind() {
        message.push_str(": it is not UTF-8");
    } else {
        message.push_str(": check the quotes around cells");
    }
    at(Place::Cell { row, column: None }, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_the_spreadsheet_kinds() {
        for f in ["=SUM(A1)", "+1", "-1", "@x"] {
            assert!(formula_like(f));
        }
        assert!(!formula_like("Says a"));
    }
}
