//! `reviewdesk template list|show|add|edit|remove`: the reply templates in the `templates/`
//! folder next to config.toml (one TOML file per template; see `crate::templates`).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;
use serde_json::json;

use super::export::{self, ExportFormat, Shape};
use crate::config::Config;
use crate::sanitize::{sanitize_line, sanitize_text};
use crate::session::usage;
use crate::templates::{self, Template, check_name, parse_template, template_path};

#[derive(Subcommand, Debug)]
pub enum TemplateCommand {
    /// The templates, with their languages and hints.
    List {
        /// table for people; json (an array), jsonl, csv or tsv (name, languages, ratings,
        /// keywords, description; the lists as JSON arrays).
        #[arg(long, value_enum, default_value = "table")]
        format: ExportFormat,
    },
    /// One template's file.
    Show { name: String },
    /// A new template: from --body TEXT, --from FILE (- for standard input), or typed in $EDITOR.
    Add {
        name: String,
        /// The reply text, e.g. "Hi {reviewer|there}, thanks!".
        #[arg(long, value_name = "TEXT", conflicts_with = "from")]
        body: Option<String>,
        /// A whole template file (TOML, as `template show` prints).
        #[arg(long, value_name = "FILE")]
        from: Option<PathBuf>,
    },
    /// Change a template in $EDITOR; it is saved only if it still loads.
    Edit { name: String },
    /// Delete a template.
    Remove { name: String },
}

const STARTER: &str = r#"# A reply template. Placeholders: {reviewer} {app} {version} {market} {title} {rating}
# {support_email} {date}; {reviewer|there} uses "there" when the review has no name.
description = ""
body = """
Hi {reviewer|there}, thank you for your review.
"""

# [variants]            # one body per language, chosen by the review's market or text
# de = """Hallo {reviewer|}, …"""
# [hints]               # to suggest this template for a review
# ratings = [1, 2]
# keywords = ["crash"]
"#;

pub fn run(config: Config, cmd: TemplateCommand) -> Result<ExitCode> {
    let dir = templates::templates_dir(&config)
        .ok_or_else(|| usage("no config directory to keep templates in: set REVIEWDESK_CONFIG or HOME"))?;
    match cmd {
        TemplateCommand::List { format } => list(&dir, format),
        TemplateCommand::Show { name } => {
            check_name(&name).map_err(|e| usage(e.to_string()))?;
            let path = existing(&dir, &name)?;
            let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
            print!("{}", sanitize_text(&text));
            Ok(ExitCode::SUCCESS)
        }
        TemplateCommand::Add { name, body, from } => add(&dir, &name, body, from),
        TemplateCommand::Edit { name } => edit(&dir, &name),
        TemplateCommand::Remove { name } => {
            check_name(&name).map_err(|e| usage(e.to_string()))?;
            let path = existing(&dir, &name)?;
            std::fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
            println!("Removed template {name} ({}).", path.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// What CSV and TSV of `template list` hold, in this order.
const LIST_COLUMNS: [&str; 5] = ["name", "languages", "ratings", "keywords", "description"];

fn list(dir: &Path, format: ExportFormat) -> Result<ExitCode> {
    let all = templates::load_dir(dir).map_err(|e| usage(format!("{e:#}")))?;
    if all.is_empty() {
        eprintln!(
            "No templates in {} yet: add one with `reviewdesk template add NAME` (examples ship in assets/templates).",
            dir.display()
        );
    }
    let objects: Vec<_> = all
        .iter()
        .map(|t| {
            export::to_object(&json!({
                "name": t.name,
                "languages": language_list(t),
                "ratings": t.hints.ratings,
                "keywords": t.hints.keywords,
                "description": t.description,
            }))
        })
        .collect();
    let mut out = std::io::stdout().lock();
    export::write_listing(&mut out, format, &LIST_COLUMNS, &objects, Shape::List, |out| {
        if all.is_empty() {
            return Ok(());
        }
        writeln!(out, "{:<24} {:<12} {:<18} DESCRIPTION", "NAME", "LANGUAGES", "HINTS")?;
        for t in &all {
            writeln!(
                out,
                "{:<24} {:<12} {:<18} {}",
                sanitize_line(&t.name),
                languages(t),
                hints(t),
                sanitize_line(t.description.as_deref().unwrap_or(""))
            )?;
        }
        Ok(())
    })?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// "default" (the body) and each variant's language.
fn language_list(t: &Template) -> Vec<String> {
    let mut l = vec!["default".to_owned()];
    l.extend(t.variants.keys().cloned());
    l
}

fn languages(t: &Template) -> String {
    sanitize_line(&language_list(t).join(","))
}

fn hints(t: &Template) -> String {
    let mut parts = Vec::new();
    if !t.hints.ratings.is_empty() {
        let r: Vec<String> = t.hints.ratings.iter().map(i64::to_string).collect();
        parts.push(format!("★{}", r.join(",")));
    }
    if !t.hints.keywords.is_empty() {
        parts.push(format!("{} words", t.hints.keywords.len()));
    }
    parts.join(" ")
}

fn existing(dir: &Path, name: &str) -> Result<PathBuf> {
    let path = template_path(dir, name);
    if !path.exists() {
        let all = templates::load_dir(dir).unwrap_or_default();
        return Err(usage(format!("{:#}", templates::find(&all, name).unwrap_err())));
    }
    Ok(path)
}

fn add(dir: &Path, name: &str, body: Option<String>, from: Option<PathBuf>) -> Result<ExitCode> {
    check_name(name).map_err(|e| usage(e.to_string()))?;
    let path = template_path(dir, name);
    if path.exists() {
        return Err(usage(format!(
            "template {name} exists already ({}): change it with `reviewdesk template edit {name}`",
            path.display()
        )));
    }
    let source = match (body, from) {
        (Some(body), _) => format!("body = {}\n", toml_string(&body)),
        (None, Some(from)) if from == Path::new("-") => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| usage(format!("cannot read the template from standard input: {e}")))?;
            s
        }
        (None, Some(from)) => std::fs::read_to_string(&from)
            .map_err(|e| usage(format!("cannot read the template file {}: {e}", from.display())))?,
        (None, None) => {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            return edit_file(dir, name, STARTER);
        }
    };
    parse_template(name, &path, &source).map_err(|e| usage(format!("{e:#}")))?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    write_new(&path, &source)?;
    println!("Added template {name} ({}).", path.display());
    Ok(ExitCode::SUCCESS)
}

fn edit(dir: &Path, name: &str) -> Result<ExitCode> {
    check_name(name).map_err(|e| usage(e.to_string()))?;
    let path = existing(dir, name)?;
    let current = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    edit_file(dir, name, &current)
}

/// Edits in a side file (`.NAME.toml.edit`), so the template stays as it was until the edit
/// loads; an edit that does not load is kept there, and the next `edit` reopens it: nothing
/// typed is lost.
fn edit_file(dir: &Path, name: &str, current: &str) -> Result<ExitCode> {
    let path = template_path(dir, name);
    let side = dir.join(format!(".{name}.toml.edit"));
    if !side.exists() {
        std::fs::write(&side, current).with_context(|| format!("cannot write {}", side.display()))?;
    } else {
        eprintln!("Reopening your earlier edit that did not load ({}).", side.display());
    }
    run_editor(&side)?;
    let edited = std::fs::read_to_string(&side).with_context(|| format!("cannot read {}", side.display()))?;
    if let Err(e) = parse_template(name, &path, &edited) {
        return Err(usage(format!(
            "{e:#}; your edit is kept in {}: run `reviewdesk template edit {name}` to fix it",
            side.display()
        )));
    }
    std::fs::rename(&side, &path).with_context(|| format!("cannot save {}", path.display()))?;
    println!("Saved template {name} ({}).", path.display());
    Ok(ExitCode::SUCCESS)
}

/// `$VISUAL`, else `$EDITOR`, else `vi`, started without any REVIEWDESK_* variable.
fn run_editor(file: &Path) -> Result<()> {
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
        .unwrap_or_else(|| "vi".to_owned());
    let mut words = editor.split_whitespace();
    let program = words.next().unwrap_or("vi");
    let status = crate::hardening::child_command(program)
        .args(words)
        .arg(file)
        .status()
        .map_err(|e| {
            usage(format!(
                "cannot start the editor {program:?} ({e}): set EDITOR to an editor that exists"
            ))
        })?;
    if !status.success() {
        anyhow::bail!(
            "the editor {program:?} ended with {status}; the text is kept in {}",
            file.display()
        );
    }
    Ok(())
}

fn write_new(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// A TOML basic string for any text.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}
