//! The review fields as the query language names them: which may be filtered with which
//! operators (the §1.3 table), which may be sorted on, and how to read them from a review.

use std::cmp::Ordering;

use chrono::NaiveDateTime;

use super::data::Review;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Date,
    ApplicationId,
    ApplicationName,
    Market,
    OsVersion,
    DeviceType,
    IsRevised,
    PackageVersion,
    DeviceModel,
    ProductFamily,
    DeviceRam,
    DeviceScreenResolution,
    DeviceStorageCapacity,
    IsTouchEnabled,
    ReviewerName,
    Rating,
    ReviewTitle,
    ReviewText,
    HelpfulCount,
    NotHelpfulCount,
    ResponseDate,
    ResponseText,
    Id,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    Contains,
}

impl Op {
    // [INF] operators are matched case-insensitively (`EQ` works like `eq`).
    pub fn parse(word: &str) -> Option<Op> {
        Some(match word.to_ascii_lowercase().as_str() {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "gt" => Op::Gt,
            "lt" => Op::Lt,
            "ge" => Op::Ge,
            "le" => Op::Le,
            "contains" => Op::Contains,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Gt => "gt",
            Op::Lt => "lt",
            Op::Ge => "ge",
            Op::Le => "le",
            Op::Contains => "contains",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Str,
    Num,
    Bool,
    Date,
}

/// A field's value on one review; `None` when the review omits it.
pub enum Val<'a> {
    Str(Option<&'a str>),
    Num(Option<f64>),
    Bool(Option<bool>),
    Date(Option<NaiveDateTime>),
}

const EQ_NE: &[Op] = &[Op::Eq, Op::Ne];
const ORDERED: &[Op] = &[Op::Eq, Op::Ne, Op::Gt, Op::Lt, Op::Ge, Op::Le];
const TEXT: &[Op] = &[Op::Eq, Op::Ne, Op::Contains];

const NAMES: &[(Field, &str)] = &[
    (Field::Date, "date"),
    (Field::ApplicationId, "applicationId"),
    (Field::ApplicationName, "applicationName"),
    (Field::Market, "market"),
    (Field::OsVersion, "osVersion"),
    (Field::DeviceType, "deviceType"),
    (Field::IsRevised, "isRevised"),
    (Field::PackageVersion, "packageVersion"),
    (Field::DeviceModel, "deviceModel"),
    (Field::ProductFamily, "productFamily"),
    (Field::DeviceRam, "deviceRAM"),
    (Field::DeviceScreenResolution, "deviceScreenResolution"),
    (Field::DeviceStorageCapacity, "deviceStorageCapacity"),
    (Field::IsTouchEnabled, "isTouchEnabled"),
    (Field::ReviewerName, "reviewerName"),
    (Field::Rating, "rating"),
    (Field::ReviewTitle, "reviewTitle"),
    (Field::ReviewText, "reviewText"),
    (Field::HelpfulCount, "helpfulCount"),
    (Field::NotHelpfulCount, "notHelpfulCount"),
    (Field::ResponseDate, "responseDate"),
    (Field::ResponseText, "responseText"),
    (Field::Id, "id"),
];

impl Field {
    // [INF] field names are matched case-insensitively (`Market` works like `market`).
    pub fn lookup(name: &str) -> Option<Field> {
        NAMES
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(f, _)| *f)
    }

    pub fn name(self) -> &'static str {
        NAMES.iter().find(|(f, _)| *f == self).map_or("", |(_, n)| n)
    }

    pub fn kind(self) -> Kind {
        use Field::*;
        match self {
            IsRevised | IsTouchEnabled => Kind::Bool,
            DeviceRam | DeviceStorageCapacity | Rating | HelpfulCount | NotHelpfulCount => Kind::Num,
            Date | ResponseDate => Kind::Date,
            _ => Kind::Str,
        }
    }

    /// Operators the filter table allows; empty when the field cannot be filtered on
    /// (`date` is the startDate/endDate range, `applicationId` the parameter).
    pub fn filter_ops(self) -> &'static [Op] {
        use Field::*;
        match self {
            Date | ApplicationId | ApplicationName => &[],
            DeviceRam | DeviceStorageCapacity | Rating => ORDERED,
            ReviewTitle | ReviewText | ResponseText => TEXT,
            _ => EQ_NE,
        }
    }

    /// The documented orderby list: everything but `id`, `applicationId`, `applicationName`.
    pub fn sortable(self) -> bool {
        !matches!(self, Field::Id | Field::ApplicationId | Field::ApplicationName)
    }

    pub fn get(self, r: &Review) -> Val<'_> {
        use Field::*;
        let num = |v: Option<i64>| Val::Num(v.map(|n| n as f64));
        match self {
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

    /// Ascending order on this field.
    // [INF] an omitted value sorts before every present one (SQL's NULLS FIRST for asc);
    // strings compare ordinally.
    fn compare(self, a: &Review, b: &Review) -> Ordering {
        match (self.get(a), self.get(b)) {
            (Val::Str(x), Val::Str(y)) => x.cmp(&y),
            (Val::Num(x), Val::Num(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
            (Val::Bool(x), Val::Bool(y)) => x.cmp(&y),
            (Val::Date(x), Val::Date(y)) => x.cmp(&y),
            _ => Ordering::Equal,
        }
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
            let o = k.field.compare(a, b);
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
