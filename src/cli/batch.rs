//! `reviewdesk respond --batch FILE`: many responses from CSV or JSON lines.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use futures::StreamExt;

use super::RespondArgs;
use super::respond::{describe_item, outcome_line};
use crate::config::Config;
use crate::sanitize::sanitize_line;
use crate::session::{Session, usage};
use crate::store::validate::{normalize_store_id, validate_email, validate_response_text, validate_review_id};
use crate::store::{ResponseInfo, ResponseItem, StoreError, SubmitStatus};

/// Eligibility checks in flight at once: quick, without hammering the service.
const CONCURRENT_CHECKS: usize = 4;

#[derive(Debug, Clone, PartialEq)]
pub struct BatchLine {
    pub line: usize,
    pub app: String,
    pub review: String,
    pub text: String,
    pub private: bool,
    pub support_email: Option<String>,
}

pub async fn run(config: Config, args: RespondArgs) -> Result<ExitCode> {
    let path = args.batch.as_deref().expect("batch mode");
    let template = args
        .template
        .as_deref()
        .map(|name| super::compose::load_template(&config, name))
        .transpose()?;
    let lines = read_batch(path, template.is_some())?;
    let checker = super::compose::Checker::new(&config);
    if lines.is_empty() {
        return Err(usage(format!("{} holds no responses", path.display())));
    }
    let session = Session::resolve(config).await?;
    session.require(crate::provider::Feature::Respond)?;
    let client = session.client.with_progress(super::reviews::progress_printer());

    // Eligibility and default support email for every line before anything is sent.
    let checks: Vec<(usize, Result<ResponseInfo, StoreError>)> = futures::stream::iter(lines.iter().enumerate())
        .map(|(i, l)| {
            let client = &client;
            async move { (i, client.response_info(&l.app, Some(&l.review)).await) }
        })
        .buffer_unordered(CONCURRENT_CHECKS)
        .collect()
        .await;
    let mut verdicts: BTreeMap<usize, Result<ResponseInfo, StoreError>> = checks.into_iter().collect();
    if let Some(down) = verdicts.values_mut().find_map(|v| match v {
        Err(e @ StoreError::ReviewsApiDown { .. }) => {
            Some(std::mem::replace(e, StoreError::Unconfirmed(String::new())))
        }
        _ => None,
    }) {
        return Err(anyhow::Error::from(down).context("nothing was sent"));
    }

    let mut report_lines: BTreeMap<usize, String> = BTreeMap::new();
    let mut to_send: Vec<(usize, ResponseItem)> = Vec::new();
    let (mut skipped, mut failed) = (0usize, 0usize);
    for (i, l) in lines.iter().enumerate() {
        let review = sanitize_line(&l.review);
        match verdicts.remove(&i).expect("one verdict per line") {
            Err(e) => {
                failed += 1;
                report_lines.insert(i, format!("failed       {} {review}: {e}", l.app));
            }
            Ok(info) if !info.can_respond() => {
                skipped += 1;
                report_lines.insert(
                    i,
                    format!(
                        "skipped      {} {review}: the customer cannot be answered (opted out)",
                        l.app
                    ),
                );
            }
            Ok(info) => match l
                .support_email
                .clone()
                .or_else(|| info.support_email().map(str::to_owned))
            {
                None => {
                    skipped += 1;
                    report_lines.insert(i, format!("skipped      {} {review}: no support email (add a support_email column; the listing has none)", l.app));
                }
                Some(email) => to_send.push((
                    i,
                    ResponseItem {
                        application_id: l.app.clone(),
                        review_id: l.review.clone(),
                        response_text: l.text.clone(),
                        support_email: email,
                        is_public: !l.private,
                    },
                )),
            },
        }
    }

    // The reviews themselves: to fill the template, and for the canned-reply check.
    let mut review_texts: BTreeMap<usize, Option<String>> = BTreeMap::new();
    if template.is_some() || args.check {
        let fetched: Vec<(usize, Result<Option<crate::store::Review>, StoreError>)> =
            futures::stream::iter(to_send.iter().map(|(i, it)| (*i, it.clone())))
                .map(|(i, it)| {
                    let client = &client;
                    async move { (i, client.fetch_review(&it.application_id, &it.review_id).await) }
                })
                .buffer_unordered(CONCURRENT_CHECKS)
                .collect()
                .await;
        let fetched: BTreeMap<usize, _> = fetched.into_iter().collect();
        let mut kept = Vec::new();
        for (i, mut item) in std::mem::take(&mut to_send) {
            let review = match &fetched[&i] {
                Ok(r) => r.as_ref(),
                Err(e) => {
                    failed += 1;
                    report_lines.insert(
                        i,
                        format!(
                            "failed       {} {}: {e}",
                            item.application_id,
                            sanitize_line(&item.review_id)
                        ),
                    );
                    continue;
                }
            };
            if item.response_text.is_empty() {
                let (Some(t), Some(r)) = (&template, review) else {
                    skipped += 1;
                    report_lines.insert(
                        i,
                        format!(
                            "skipped      {} {}: the review was not found, so the template cannot be filled",
                            item.application_id,
                            sanitize_line(&item.review_id)
                        ),
                    );
                    continue;
                };
                item.response_text = t.render_for(r, Some(&item.support_email)).text;
            }
            review_texts.insert(i, review.and_then(|r| r.review_text.clone()));
            kept.push((i, item));
        }
        to_send = kept;
    }
    let mut blocked = 0usize;
    for (i, item) in &to_send {
        let findings = checker.check(
            &item.response_text,
            &item.review_id,
            review_texts.get(i).and_then(|t| t.as_deref()),
            Some(&item.support_email),
        );
        super::compose::print_findings(&format!("line {:>4}  ", lines[*i].line), &findings);
        if crate::policy::blocks(&findings) {
            blocked += 1;
        }
    }
    if args.check {
        for (i, item) in &to_send {
            report_lines.insert(*i, format!("checked      {}", describe_item(item)));
        }
        for (i, text) in &report_lines {
            println!("line {:>4}  {text}", lines[*i].line);
        }
        println!(
            "Check: {} replies, {blocked} with a finding that blocks sending, {skipped} skipped, {failed} failed. Nothing was sent.",
            to_send.len()
        );
        return Ok(if blocked + skipped + failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    if blocked > 0 {
        return Err(usage(format!(
            "{blocked} of the replies break a rule that blocks sending (listed above); nothing was sent: fix them and run again"
        )));
    }
    let (mut sent, mut refused) = (0usize, 0usize);
    if args.dry_run {
        for (i, item) in &to_send {
            report_lines.insert(*i, format!("would send   {}", describe_item(item)));
        }
    } else if !to_send.is_empty() {
        let items: Vec<ResponseItem> = to_send.iter().map(|(_, it)| it.clone()).collect();
        let report = client.submit_responses(&items).await?;
        for ((i, _), outcome) in to_send.iter().zip(&report.outcomes) {
            match outcome.status {
                SubmitStatus::Sent => sent += 1,
                SubmitStatus::Rejected(_) => refused += 1,
                _ => failed += 1,
            }
            report_lines.insert(*i, outcome_line(outcome));
        }
        if let Some(e) = &report.error {
            eprintln!("error: {e}");
        }
    }
    for (i, text) in &report_lines {
        println!("line {:>4}  {text}", lines[*i].line);
    }
    if args.dry_run {
        println!(
            "Dry run: {} would be sent, {skipped} skipped, {failed} failed. Nothing was sent.",
            to_send.len()
        );
        return Ok(if skipped + failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    println!("Summary: {sent} sent, {refused} refused, {skipped} skipped, {failed} failed.");
    Ok(if sent == lines.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Reads and checks every line; any problem refuses the whole file before anything is sent,
/// listing every problem with its line number.
/// With `text_optional` (a template fills the empty ones), lines may leave the text out.
pub fn read_batch(path: &Path, text_optional: bool) -> Result<Vec<BatchLine>> {
    let content = std::fs::read_to_string(path)
        .map_err(|e| usage(format!("cannot read the batch file {}: {e}", path.display())))?;
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let json = match ext.as_deref() {
        Some("csv") => false,
        Some("jsonl" | "ndjson" | "json") => true,
        _ => content.trim_start().starts_with('{'),
    };
    let (parsed, mut problems) = if json {
        parse_jsonl(&content)
    } else {
        parse_csv(&content, text_optional)
    };
    let mut seen = HashSet::new();
    let mut lines = Vec::new();
    for raw in parsed {
        match check_line(raw, text_optional) {
            Ok(l) => {
                if !seen.insert(l.review.to_ascii_lowercase()) {
                    problems.push(format!(
                        "line {}: review {} appears again; the Store keeps one response per review",
                        l.line,
                        sanitize_line(&l.review)
                    ));
                } else {
                    lines.push(l);
                }
            }
            Err(p) => problems.push(p),
        }
    }
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("{p}");
        }
        return Err(usage(format!(
            "{} of {} has problems (listed above); nothing was sent: fix them and run again",
            if problems.len() == 1 {
                "1 line".to_owned()
            } else {
                format!("{} lines", problems.len())
            },
            path.display()
        )));
    }
    Ok(lines)
}

fn check_line(l: BatchLine, text_optional: bool) -> Result<BatchLine, String> {
    let at = |e: String| format!("line {}: {e}", l.line);
    let app = normalize_store_id(&l.app).map_err(|e| at(e.to_string()))?;
    let review = validate_review_id(&l.review).map_err(|e| at(e.to_string()))?;
    if !(text_optional && l.text.trim().is_empty()) {
        validate_response_text(&l.text).map_err(|e| at(e.to_string()))?;
    }
    let support_email = l
        .support_email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_owned);
    if let Some(e) = &support_email {
        validate_email(e).map_err(|e| at(e.to_string()))?;
    }
    Ok(BatchLine {
        app,
        review,
        support_email,
        ..l
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Column {
    App,
    Review,
    Text,
    Private,
    Public,
    Email,
}

fn column(name: &str) -> Option<Column> {
    let n: String = name
        .trim()
        .to_ascii_lowercase()
        .chars()
        .filter(|c| *c != '_' && *c != '-' && *c != ' ')
        .collect();
    Some(match n.as_str() {
        "app" | "application" | "applicationid" | "storeid" => Column::App,
        "review" | "reviewid" | "id" => Column::Review,
        "text" | "response" | "responsetext" => Column::Text,
        "private" | "isprivate" => Column::Private,
        "public" | "ispublic" => Column::Public,
        "supportemail" | "email" => Column::Email,
        _ => return None,
    })
}

fn flag(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "false" | "no" | "0" | "n" => Some(false),
        "true" | "yes" | "1" | "y" => Some(true),
        _ => None,
    }
}

const COLUMNS_HINT: &str = "expected app, review, text, and optionally private and support_email";

fn apply(line: &mut BatchLine, col: Column, value: &str) -> Result<(), String> {
    match col {
        Column::App => line.app = value.to_owned(),
        Column::Review => line.review = value.to_owned(),
        Column::Text => line.text = value.to_owned(),
        Column::Email => line.support_email = Some(value.to_owned()),
        Column::Private | Column::Public => {
            let b = flag(value).ok_or_else(|| format!("line {}: {value:?} is not true or false", line.line))?;
            line.private = if col == Column::Private { b } else { !b };
        }
    }
    Ok(())
}

fn empty_line(line: usize) -> BatchLine {
    BatchLine {
        line,
        app: String::new(),
        review: String::new(),
        text: String::new(),
        private: false,
        support_email: None,
    }
}

fn parse_csv(content: &str, text_optional: bool) -> (Vec<BatchLine>, Vec<String>) {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(content.as_bytes());
    let mut problems = Vec::new();
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return (Vec::new(), vec![format!("line 1: the CSV header cannot be read ({e})")]);
        }
    };
    let mut columns = Vec::new();
    for h in headers.iter() {
        match column(h) {
            Some(c) => columns.push(c),
            None => problems.push(format!("line 1: unknown column {:?}: {COLUMNS_HINT}", sanitize_line(h))),
        }
    }
    for needed in [Column::App, Column::Review, Column::Text] {
        if needed == Column::Text && text_optional {
            continue;
        }
        if !columns.contains(&needed) && problems.is_empty() {
            problems.push(format!("line 1: the header lacks a required column: {COLUMNS_HINT}"));
        }
    }
    if !problems.is_empty() {
        return (Vec::new(), problems);
    }
    let mut lines = Vec::new();
    for record in reader.records() {
        match record {
            Err(e) => {
                let at = e.position().map(|p| p.line() as usize).unwrap_or(0);
                problems.push(format!("line {at}: {e}"));
            }
            Ok(rec) => {
                let at = rec.position().map(|p| p.line() as usize).unwrap_or(0);
                if rec.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                let mut line = empty_line(at);
                for (col, value) in columns.iter().zip(rec.iter()) {
                    if let Err(p) = apply(&mut line, *col, super::export::restore_formula(value)) {
                        problems.push(p);
                    }
                }
                lines.push(line);
            }
        }
    }
    (lines, problems)
}

fn parse_jsonl(content: &str) -> (Vec<BatchLine>, Vec<String>) {
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    for (i, raw) in content.lines().enumerate() {
        let at = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let obj = match serde_json::from_str::<serde_json::Value>(raw) {
            Ok(serde_json::Value::Object(o)) => o,
            Ok(_) => {
                problems.push(format!("line {at}: expected a JSON object such as {{\"app\":\"9NBLGGGZ5QDR\",\"review\":\"…\",\"text\":\"…\"}}"));
                continue;
            }
            Err(e) => {
                problems.push(format!("line {at}: not valid JSON ({e})"));
                continue;
            }
        };
        let mut line = empty_line(at);
        for (k, v) in &obj {
            let Some(col) = column(k) else {
                problems.push(format!(
                    "line {at}: unknown field {:?}: {COLUMNS_HINT}",
                    sanitize_line(k)
                ));
                continue;
            };
            let value = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            if let Err(p) = apply(&mut line, col, &value) {
                problems.push(p);
            }
        }
        lines.push(line);
    }
    (lines, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_aliases_and_quotes() {
        let (lines, problems) = parse_csv(
            "App,Review_ID,Text,private,support_email\n9NBLGGGZ5QDR,r1,\"Thanks, \"\"really\"\"\nsecond line\",yes,\n9NBLGGGZ5QDR,r2,ok,,a@b.co\n",
            false,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text, "Thanks, \"really\"\nsecond line");
        assert!(lines[0].private);
        assert_eq!(lines[1].line, 4);
        assert_eq!(lines[1].support_email.as_deref(), Some("a@b.co"));
    }

    #[test]
    fn jsonl_and_problems_have_line_numbers() {
        let (lines, problems) = parse_jsonl(
            "{\"app\":\"9NBLGGGZ5QDR\",\"review\":\"r1\",\"text\":\"hi\",\"private\":true}\n\nnot json\n{\"app\":\"x\",\"colour\":\"red\"}\n",
        );
        assert_eq!(lines.len(), 2);
        assert!(lines[0].private);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("line 3:"));
        assert!(problems[1].starts_with("line 4:") && problems[1].contains("colour"));
    }

    #[test]
    fn exported_csv_reads_back_with_the_same_text() {
        let texts = [
            "=HYPERLINK(\"http://evil\")",
            "-- thanks, \"really\"\nsecond line",
            "'quoted' and, commas",
            "@here +1",
            "plain",
        ];
        let rows: Vec<serde_json::Map<String, serde_json::Value>> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let v = serde_json::json!({"app": "9NBLGGGZ5QDR", "review": format!("r{i}"), "text": t});
                v.as_object().unwrap().clone()
            })
            .collect();
        let mut csv = Vec::new();
        super::super::export::write_rows(
            &mut csv,
            super::super::export::ExportFormat::Csv,
            &["app", "review", "text"],
            &rows,
        )
        .unwrap();
        let (lines, problems) = parse_csv(std::str::from_utf8(&csv).unwrap(), false);
        assert!(problems.is_empty(), "{problems:?}");
        let back: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(back, texts);
    }

    #[test]
    fn unknown_csv_columns_are_named() {
        let (_, problems) = parse_csv("app,review,body\n", false);
        assert!(problems[0].contains("\"body\""), "{problems:?}");
    }
}
