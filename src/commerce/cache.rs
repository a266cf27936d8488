//! A downloaded export into the profile's database, where the terminal UI reads it: the one
//! copy of a site's reviews is the `reviews` table under the site's source ID
//! (`site:<profile>`), each review as [`to_review`] shapes it. `commerce export` and the import's
//! verification of lost answers both come through here, so what they read is what the UI shows.
//!
//! Memory stays flat whatever the site's size: reviews are written in batches as they are read,
//! and the ones no longer exported are found by their fetch stamp, not by a set of every ID.

use std::path::Path;

use super::listed::to_review;
use super::parse::FileFormat;
use super::{CommerceError, CommerceReview};
use crate::db::{CachedReview, Db};
use crate::provider::site_source_id;

/// Reviews per transaction: about 5 ms of write lock each, so the TUI's reads are not held up.
const BATCH: usize = 1000;

/// What was read and cached.
#[derive(Debug)]
pub struct Cached {
    pub format: FileFormat,
    pub count: u64,
    /// Cached reviews that this export no longer has, now marked gone (never deleted).
    pub vanished: usize,
}

/// Reads the export at `file`, hands each review to `each` (to write it out, to count it) and
/// caches it for `profile`'s site. `each` refusing stops the read with its reason.
pub fn cache_export(
    db: &mut Db,
    profile: &str,
    file: &Path,
    mut each: impl FnMut(&CommerceReview) -> Result<(), String>,
) -> Result<Cached, CommerceError> {
    let app = site_source_id(profile);
    let stamp = db
        .site_fetch_stamp(&app, chrono::Utc::now().timestamp())
        .map_err(db_error)?;
    let mut batch: Vec<CachedReview> = Vec::with_capacity(BATCH);
    let mut failure = None;
    let flush = |db: &mut Db, batch: &mut Vec<CachedReview>| -> Result<(), CommerceError> {
        db.upsert_reviews(&app, batch, stamp).map_err(db_error)?;
        batch.clear();
        Ok(())
    };
    let read = super::export::read_export(file, |r| {
        each(&r)?;
        if let Some(cached) = CachedReview::of(&to_review(&r)) {
            batch.push(cached);
        }
        if batch.len() >= BATCH {
            flush(db, &mut batch).map_err(|e| {
                failure = Some(e);
                "the local cache could not be written".to_owned()
            })?;
        }
        Ok(())
    });
    let (format, count) = read.map_err(|e| failure.take().unwrap_or(e))?;
    flush(db, &mut batch)?;
    let vanished = db.site_mark_unseen(&app, stamp).map_err(db_error)?;
    Ok(Cached {
        format,
        count,
        vanished,
    })
}

fn db_error(e: crate::db::DbError) -> CommerceError {
    CommerceError::Cache(e.to_string())
}
