//! An export end to end, for the CLI, the verification of lost import answers, and the
//! benchmark: Export All Reviews, the download to a file, and reading it back review by review.

use std::io::{BufRead, BufReader, Seek};

use super::parse::{FileFormat, Record, detect, for_each_record};
use super::{CommerceClient, CommerceError, CommerceReview, DownloadProgress, ExportTicket};

/// Export All Reviews, then the download into `file`. An expired link is asked for again once.
pub async fn fetch_export(
    client: &CommerceClient,
    file: &mut std::fs::File,
    progress: DownloadProgress<'_>,
) -> Result<(ExportTicket, u64), CommerceError> {
    let mut last = None;
    for attempt in 0..2 {
        let ticket = client.request_export().await?;
        if ticket.expired() && attempt == 0 {
            tracing::info!("the export link had expired on arrival; asking again");
            continue;
        }
        let disk = |e: std::io::Error| CommerceError::Disk {
            path: "a temporary file".into(),
            source: e,
        };
        file.set_len(0).map_err(disk)?;
        file.rewind().map_err(disk)?;
        match client.download(&ticket, file, progress).await {
            Ok(n) => return Ok((ticket, n)),
            Err(e @ CommerceError::SasExpired { .. }) => {
                tracing::info!("the export link expired before the download; asking again");
                last = Some(e);
            }
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or(CommerceError::SasExpired {
        expires: "a time already past".into(),
    }))
}

/// Reads a downloaded export, one review at a time.
pub fn read_export(
    path: &std::path::Path,
    each: impl FnMut(CommerceReview) -> Result<(), String>,
) -> Result<(FileFormat, u64), CommerceError> {
    let file = std::fs::File::open(path).map_err(|e| CommerceError::Disk {
        path: path.display().to_string(),
        source: e,
    })?;
    read_export_from(BufReader::with_capacity(1 << 18, file), each)
}

/// [`read_export`] of bytes already in memory (the fuzz target's entry point).
pub fn read_export_bytes(
    bytes: &[u8],
    each: impl FnMut(CommerceReview) -> Result<(), String>,
) -> Result<(FileFormat, u64), CommerceError> {
    read_export_from(bytes, each)
}

fn read_export_from<R: BufRead>(
    mut reader: R,
    mut each: impl FnMut(CommerceReview) -> Result<(), String>,
) -> Result<(FileFormat, u64), CommerceError> {
    let head = reader.fill_buf().map(<[u8]>::to_vec).unwrap_or_default();
    let format = detect(&head).map_err(CommerceError::Format)?;
    let n = for_each_record(format, reader, |record| {
        let review = match record {
            Record::Csv { fields, .. } => {
                CommerceReview::from_record(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            }
            Record::Json { object, .. } => CommerceReview::from_json(object),
        };
        each(review)
    })
    .map_err(CommerceError::Format)?;
    Ok((format, n))
}
