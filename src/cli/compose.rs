//! What `respond` and `respond --batch` share for templates and the policy check.

use anyhow::Result;

use crate::config::Config;
use crate::policy::{Context, Finding, HistoryIndex, Policy};
use crate::session::usage;
use crate::templates::{self, Template};

use crate::policy::duplicates::HISTORY_LIMIT;

/// The template called `name` from the config's templates folder; a problem is a usage error
/// naming the file and line.
pub(super) fn load_template(config: &Config, name: &str) -> Result<Template> {
    let dir = templates::templates_dir(config)
        .ok_or_else(|| usage("no config directory to keep templates in: set REVIEWDESK_CONFIG or HOME"))?;
    let all = templates::load_dir(&dir).map_err(|e| usage(format!("{e:#}")))?;
    templates::find(&all, name)
        .cloned()
        .map_err(|e| usage(format!("{e:#}")))
}

/// The policy and, when the profile has a local database, its reply history.
pub(super) struct Checker {
    policy: Policy,
    history: Option<HistoryIndex>,
}

impl Checker {
    pub(super) fn new(config: &Config) -> Checker {
        Checker {
            policy: Policy::default(),
            history: history(config),
        }
    }

    pub(super) fn check(
        &self,
        reply: &str,
        review: &str,
        review_text: Option<&str>,
        support_email: Option<&str>,
    ) -> Vec<Finding> {
        self.policy.check(
            reply,
            &Context {
                support_email,
                review: Some(review),
                review_text,
                history: self.history.as_ref(),
            },
        )
    }
}

/// The sent replies of the profile's database, read only if the file exists (a check creates
/// nothing). Without one, canned replies are not looked for: said once on stderr.
fn history(config: &Config) -> Option<HistoryIndex> {
    let profile = super::history::profile_name(config).ok()?;
    let dirs = crate::config::project_dirs()?;
    let path = crate::db::db_path(dirs.data_dir(), &profile).ok()?;
    if std::fs::metadata(&path).map(|m| m.len() == 0).unwrap_or(true) {
        return None;
    }
    match crate::db::Db::open(dirs.data_dir(), &profile).and_then(|(db, _)| db.sent_replies(HISTORY_LIMIT)) {
        Ok(sent) => Some(HistoryIndex::new(&sent)),
        Err(e) => {
            eprintln!("note: the reply history is not checked for canned replies: {e}");
            None
        }
    }
}

/// Findings, one per line, after `prefix` ("line    3  ").
pub(super) fn print_findings(prefix: &str, findings: &[Finding]) {
    for f in findings {
        eprintln!("{prefix}{f}");
    }
}
