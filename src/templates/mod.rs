//! Reply templates: one TOML file per template in the `templates/` folder next to
//! `config.toml` (`~/.config/reviewdesk/templates/crash-fixed.toml`). The file name is the
//! template's name. A file holds:
//!
//! ```toml
//! description = "A crash that the latest update fixes"   # optional
//! body = """
//! Hi {reviewer|there}, thank you for telling us about the crash in {app|the app} {version|}.
//! """
//! [variants]                  # optional: one body per language, chosen by the review's
//! de = """Hallo {reviewer|}…""" # market, else by the language of its text, else `body`
//! [hints]                     # optional: used to suggest the template for a review
//! ratings = [1, 2]
//! keywords = ["crash", "freeze", "absturz"]
//! ```
//!
//! Every body is parsed when the folder is loaded: an unknown placeholder is an error naming
//! the file and the line.

pub mod lang;
pub mod render;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

pub use render::{Body, Placeholder, Rendered, Values};

use crate::config::Config;
use crate::store::Review;

/// One loaded template.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    pub name: String,
    pub description: Option<String>,
    pub body: Body,
    /// Language code → body, e.g. "de".
    pub variants: BTreeMap<String, Body>,
    pub hints: Hints,
    pub path: PathBuf,
}

/// What makes a template likely to fit a review.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Hints {
    /// Star ratings it is meant for; empty = any.
    pub ratings: Vec<i64>,
    /// Words or phrases in the review's title or text (case-insensitive).
    pub keywords: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    description: Option<String>,
    body: toml::Spanned<String>,
    #[serde(default)]
    variants: BTreeMap<String, toml::Spanned<String>>,
    #[serde(default)]
    hints: Hints,
}

/// The folder of templates for this config: `templates/` beside the config file.
pub fn templates_dir(config: &Config) -> Option<PathBuf> {
    let source = config.source.clone().or_else(crate::config::default_config_path)?;
    Some(source.parent().unwrap_or(Path::new(".")).join("templates"))
}

/// A template name is a file name too: letters, digits, `-` and `_`, at most 40.
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.chars().count() <= 40
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        bail!(
            "{:?} is not a usable template name: use 1 to 40 letters, digits, `-` or `_` (such as crash-fixed)",
            crate::sanitize::sanitize_line(name)
        );
    }
    Ok(())
}

/// The file a template of this name lives in.
pub fn template_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.toml"))
}

/// Parses one template file's text; `path` names it in errors.
pub fn parse_template(name: &str, path: &Path, source: &str) -> Result<Template> {
    let file: TemplateFile = toml::from_str(source).map_err(|e| {
        let line = e.span().map(|s| line_at(source, s.start)).unwrap_or(1);
        anyhow::anyhow!(
            "{}:{line}: not a valid template: {}",
            path.display(),
            first_line(&e.to_string())
        )
    })?;
    let parse_body = |spanned: &toml::Spanned<String>| -> Result<Body> {
        Body::parse(spanned.get_ref()).map_err(|e| {
            let span = spanned.span();
            // The placeholder as written, found in the file (line continuations and escapes
            // make the string's own line count differ from the file's).
            let found = e
                .token
                .as_deref()
                .and_then(|t| source.get(span.clone()).and_then(|raw| raw.find(t)))
                .map(|at| line_at(source, span.start + at));
            let line = found.unwrap_or_else(|| {
                // A multi-line string drops the newline right after its opening quotes.
                let skipped = source[span.start..].starts_with("\"\"\"\n") || source[span.start..].starts_with("'''\n");
                line_at(source, span.start) + e.line - 1 + usize::from(skipped)
            });
            anyhow::anyhow!("{}:{line}: {e}", path.display())
        })
    };
    let body = parse_body(&file.body)?;
    if body.source.trim().is_empty() {
        bail!(
            "{}:{}: the body is empty: write the reply in `body = \"\"\"…\"\"\"`",
            path.display(),
            line_at(source, file.body.span().start)
        );
    }
    let mut variants = BTreeMap::new();
    for (lang, spanned) in &file.variants {
        variants.insert(lang.to_ascii_lowercase(), parse_body(spanned)?);
    }
    Ok(Template {
        name: name.to_owned(),
        description: file.description.filter(|d| !d.trim().is_empty()),
        body,
        variants,
        hints: file.hints,
        path: path.to_owned(),
    })
}

fn line_at(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())].matches('\n').count() + 1
}

fn first_line(s: &str) -> &str {
    s.lines().find(|l| !l.trim().is_empty()).unwrap_or(s).trim()
}

/// Every `*.toml` in `dir`, by name. A missing folder is no templates; any file that does not
/// load is an error (naming the file and line), so a typo never silently drops a template.
pub fn load_dir(dir: &Path) -> Result<Vec<Template>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot read the templates folder {}", dir.display())),
    };
    let mut templates = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot read the templates folder {}", dir.display()))?
            .path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let Some(name) = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned) else {
            continue;
        };
        let source = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the template file {}", path.display()))?;
        templates.push(parse_template(&name, &path, &source)?);
    }
    templates.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(templates)
}

/// The template called `name`, or a sentence listing the ones there are.
pub fn find<'a>(templates: &'a [Template], name: &str) -> Result<&'a Template> {
    templates.iter().find(|t| t.name == name).ok_or_else(|| {
        let known: Vec<&str> = templates.iter().map(|t| t.name.as_str()).collect();
        if known.is_empty() {
            anyhow::anyhow!(
                "there is no template {:?}: no templates exist yet (add one with `reviewdesk template add NAME`)",
                crate::sanitize::sanitize_line(name)
            )
        } else {
            anyhow::anyhow!(
                "there is no template {:?}: the templates are {}",
                crate::sanitize::sanitize_line(name),
                known.join(", ")
            )
        }
    })
}

impl Template {
    /// The body for this review, and the variant's language if one was chosen.
    pub fn body_for(&self, review: &Review) -> (&Body, Option<String>) {
        self.body_in(&lang::ReviewLanguage::of(review))
    }

    /// The body for a review whose language is (being) worked out in `language`.
    pub fn body_in(&self, language: &lang::ReviewLanguage<'_>) -> (&Body, Option<String>) {
        if self.variants.is_empty() {
            return (&self.body, None);
        }
        let langs: Vec<&str> = self.variants.keys().map(String::as_str).collect();
        match language.choose(&langs) {
            Some(l) => (&self.variants[&l], Some(l)),
            None => (&self.body, None),
        }
    }

    /// The reply for one review.
    pub fn render_for(&self, review: &Review, support_email: Option<&str>) -> Rendered {
        let (body, _) = self.body_for(review);
        body.render(&Values::for_review(review, support_email))
    }
}

/// One template's fit for a review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    /// Index into the slice given to [`suggest`].
    pub index: usize,
    pub score: u32,
    /// Why, in words: "rating 1", "mentions \"crash\"", "has a de variant".
    pub reasons: Vec<String>,
}

/// Every template, best fit for the review first (ties by name); a score of 0 means no hint
/// matched. A template whose rating hint excludes the review's rating scores 0 whatever else.
pub fn suggest(templates: &[Template], review: &Review) -> Vec<Suggestion> {
    let haystack = format!(
        "{} {}",
        review.review_title.as_deref().unwrap_or(""),
        review.review_text.as_deref().unwrap_or("")
    )
    .to_lowercase();
    // The review's language is guessed once for every template that has variants.
    let language = lang::ReviewLanguage::of(review);
    let mut out: Vec<Suggestion> = templates
        .iter()
        .enumerate()
        .map(|(index, t)| {
            let mut score = 0;
            let mut reasons = Vec::new();
            let rating_ok = match review.rating {
                _ if t.hints.ratings.is_empty() => true,
                Some(r) => t.hints.ratings.contains(&r),
                None => false,
            };
            if !rating_ok {
                return Suggestion {
                    index,
                    score: 0,
                    reasons,
                };
            }
            if !t.hints.ratings.is_empty() {
                score += 2;
                reasons.push(format!("rating {}", review.rating.unwrap_or_default()));
            }
            for k in &t.hints.keywords {
                let k = k.trim();
                // Keywords are mostly written in lower case already: then not copied.
                let k = match k.chars().flat_map(char::to_lowercase).eq(k.chars()) {
                    true => std::borrow::Cow::Borrowed(k),
                    false => std::borrow::Cow::Owned(k.to_lowercase()),
                };
                if !k.is_empty() && haystack.contains(k.as_ref()) {
                    score += 3;
                    reasons.push(format!("mentions {k:?}"));
                }
            }
            if score > 0 {
                if let (_, Some(l)) = t.body_in(&language) {
                    score += 1;
                    reasons.push(format!("has a {l} variant"));
                }
            }
            Suggestion { index, score, reasons }
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| templates[a.index].name.cmp(&templates[b.index].name))
    });
    out
}

#[cfg(test)]
mod tests;
