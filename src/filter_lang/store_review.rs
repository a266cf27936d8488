//! The client's reviews ([`crate::store::Review`]) as the filter language reads them: the
//! Store's own field names, so a view's filter means on our side what it means on the Store's.

use chrono::{DateTime, NaiveDateTime};

use super::fields::{Field, HasFields, Val};
use crate::store::Review;

fn date(ts: Option<i64>) -> Option<NaiveDateTime> {
    ts.and_then(|t| DateTime::from_timestamp(t, 0)).map(|d| d.naive_utc())
}

impl HasFields for Review {
    fn field(&self, f: Field) -> Val<'_> {
        use Field::*;
        let num = |v: Option<i64>| Val::Num(v.map(|n| n as f64));
        match f {
            Date => Val::Date(date(self.timestamp)),
            ApplicationId => Val::Str(self.application_id.as_deref()),
            ApplicationName => Val::Str(self.application_name.as_deref()),
            Market => Val::Str(self.market.as_deref()),
            OsVersion => Val::Str(self.os_version.as_deref()),
            DeviceType => Val::Str(self.device_type.as_deref()),
            IsRevised => Val::Bool(self.is_revised),
            PackageVersion => Val::Str(self.package_version.as_deref()),
            DeviceModel => Val::Str(self.device_model.as_deref()),
            ProductFamily => Val::Str(self.product_family.as_deref()),
            DeviceRam => num(self.device_ram.map(i64::from)),
            DeviceScreenResolution => Val::Str(self.device_screen_resolution.as_deref()),
            DeviceStorageCapacity => num(self.device_storage_capacity.map(i64::from)),
            IsTouchEnabled => Val::Bool(self.is_touch_enabled),
            ReviewerName => Val::Str(self.reviewer_name.as_deref()),
            Rating => num(self.rating),
            ReviewTitle => Val::Str(self.review_title.as_deref()),
            ReviewText => Val::Str(self.review_text.as_deref()),
            HelpfulCount => num(self.helpful_count.map(i64::from)),
            NotHelpfulCount => num(self.not_helpful_count.map(i64::from)),
            ResponseDate => Val::Date(date(self.response_timestamp)),
            // An empty response is no response, as `Review::is_answered` has it.
            ResponseText => Val::Str(self.response_text.as_deref().filter(|t| !t.trim().is_empty())),
            Id => Val::Str(self.id.as_deref()),
        }
    }
}
