//! Reading the emulator's reviews as the query language names their fields, and `orderby`.
//! The field table itself is shared with the client: `crate::filter_lang::fields`.

use std::cmp::Ordering;

pub use crate::filter_lang::fields::{Field, HasFields, Val};

use super::data::Review;

impl HasFields for Review {
    fn field(&self, f: Field) -> Val<'_> {
        let r = self;
        use Field::*;
        let num = |v: Option<i64>| Val::Num(v.map(|n| n as f64));
        match f {
            Date => Val::Date(Some(r.date)),
            ApplicationId => Val::Str(Some(&r.application_id)),
            ApplicationName => Val::Str(Some(&r.application_name)),
            Market => Val::Str(r.market.as_deref()),
            OsVersion => Val::Str(r.os_version.as_deref()),
            DeviceType => Val::Str(r.device_type.as_deref()),
            IsRevised => Val::Bool(Some(r.is_revised)),
            PackageVersion => Val::Str(r.package_version.as_deref()),
            DeviceModel => Val::Str(r.device_model.as_deref()),
            ProductFamily => Val::Str(r.product_family.as_deref()),
            DeviceRam => num(r.device_ram),
            DeviceScreenResolution => Val::Str(r.device_screen_resolution.as_deref()),
            DeviceStorageCapacity => num(r.device_storage_capacity),
            IsTouchEnabled => Val::Bool(r.is_touch_enabled),
            ReviewerName => Val::Str(r.reviewer_name.as_deref()),
            Rating => num(Some(i64::from(r.rating))),
            ReviewTitle => Val::Str(r.review_title.as_deref()),
            ReviewText => Val::Str(r.review_text.as_deref()),
            HelpfulCount => num(Some(i64::from(r.helpful_count))),
            NotHelpfulCount => num(Some(i64::from(r.not_helpful_count))),
            ResponseDate => Val::Date(r.response_date),
            ResponseText => Val::Str(r.response_text.as_deref()),
            Id => Val::Str(Some(&r.id)),
        }
    }
}

/// Ascending order on this field.
// [INF] an omitted value sorts before every present one (SQL's NULLS FIRST for asc);
// strings compare ordinally.
fn compare_on(field: Field, a: &Review, b: &Review) -> Ordering {
    match (a.field(field), b.field(field)) {
        (Val::Str(x), Val::Str(y)) => x.cmp(&y),
        (Val::Num(x), Val::Num(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        (Val::Bool(x), Val::Bool(y)) => x.cmp(&y),
        (Val::Date(x), Val::Date(y)) => x.cmp(&y),
        _ => Ordering::Equal,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SortKey {
    pub field: Field,
    pub descending: bool,
}

/// `field [asc|desc],field [asc|desc],...`; the order defaults to `asc`.
pub fn parse_orderby(raw: &str) -> Result<Vec<SortKey>, String> {
    let mut keys = Vec::new();
    for part in raw.split(',') {
        let words: Vec<&str> = part.split_whitespace().collect();
        let (name, dir) = match words.as_slice() {
            [name] => (*name, None),
            [name, dir] => (*name, Some(*dir)),
            [] => return Err(format!("Invalid orderby: empty sort key in '{raw}'")),
            _ => return Err(format!("Invalid orderby: cannot parse '{}'", part.trim())),
        };
        let field = Field::lookup(name)
            .filter(|f| f.sortable())
            .ok_or_else(|| format!("Invalid orderby: '{name}' is not a supported orderby field"))?;
        let descending = match dir.map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(_) => {
                return Err(format!(
                    "Invalid orderby: '{}' is not a sort direction (use asc or desc)",
                    dir.unwrap_or_default()
                ));
            }
        };
        keys.push(SortKey { field, descending });
    }
    Ok(keys)
}

/// Orders by the keys, then (so pages are stable) newest first, then by id.
// [INF] with no orderby the order is date descending (newest first); the tie-breakers are an
// emulator choice.
pub fn compare(keys: &[SortKey], a: &Review, b: &Review) -> Ordering {
    keys.iter()
        .map(|k| {
            let o = compare_on(k.field, a, b);
            if k.descending { o.reverse() } else { o }
        })
        .find(|o| o.is_ne())
        .unwrap_or_else(|| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orderby_parses_fields_and_directions() {
        let keys = parse_orderby("date,market desc, rating ASC").unwrap();
        assert_eq!(
            keys,
            vec![
                SortKey {
                    field: Field::Date,
                    descending: false
                },
                SortKey {
                    field: Field::Market,
                    descending: true
                },
                SortKey {
                    field: Field::Rating,
                    descending: false
                },
            ]
        );
        assert_eq!(parse_orderby("deviceRAM desc").unwrap()[0].field, Field::DeviceRam);
    }

    #[test]
    fn orderby_rejects_undocumented_fields() {
        for bad in ["id", "applicationId", "applicationName desc", "stars"] {
            let err = parse_orderby(bad).unwrap_err();
            let name = bad.split(' ').next().unwrap();
            assert!(err.contains(&format!("'{name}'")), "{err}");
        }
        assert!(parse_orderby("date sideways").unwrap_err().contains("sideways"));
        assert!(parse_orderby("date,,market").is_err());
        assert!(parse_orderby("date desc asc").is_err());
    }

    #[test]
    fn filter_table_matches_reference() {
        use crate::filter_lang::fields::{EQ_NE, ORDERED, TEXT};
        assert_eq!(Field::Market.filter_ops(), EQ_NE);
        assert_eq!(Field::Rating.filter_ops(), ORDERED);
        assert_eq!(Field::DeviceStorageCapacity.filter_ops(), ORDERED);
        assert_eq!(Field::HelpfulCount.filter_ops(), EQ_NE);
        assert_eq!(Field::ResponseText.filter_ops(), TEXT);
        assert!(Field::Date.filter_ops().is_empty());
        assert_eq!(Field::lookup("DEVICERAM"), Some(Field::DeviceRam));
        assert_eq!(Field::DeviceRam.name(), "deviceRAM");
    }
}
