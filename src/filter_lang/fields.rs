//! The review fields as the Store's query language names them: which may be filtered with
//! which operators (the §1.3 table), which may be sorted on, and their values on a review of
//! any shape ([`HasFields`]: the emulator's own reviews and the client's `store::Review`).

use chrono::NaiveDateTime;

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

pub(crate) const EQ_NE: &[Op] = &[Op::Eq, Op::Ne];
pub(crate) const ORDERED: &[Op] = &[Op::Eq, Op::Ne, Op::Gt, Op::Lt, Op::Ge, Op::Le];
pub(crate) const TEXT: &[Op] = &[Op::Eq, Op::Ne, Op::Contains];

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
}

/// A review the filter language can read.
pub trait HasFields {
    /// The field's value; `None` inside when the review omits it.
    fn field(&self, f: Field) -> Val<'_>;
}
