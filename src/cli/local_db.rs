//! The profile's local database, for the commands that create it when it is missing (the
//! Commerce export's cache, the import's journal). What opening it had to say (a new or a
//! replaced file) goes to standard error.

use anyhow::{Context, Result};

use crate::config::project_dirs;
use crate::db::Db;

pub(super) fn open_or_create(name: &str) -> Result<Db> {
    let dirs = project_dirs().context("no home directory to keep the local database in")?;
    let (db, report) = Db::open(dirs.data_dir(), name)?;
    if let Some(m) = report.message() {
        eprintln!("note: {m}");
    }
    Ok(db)
}
