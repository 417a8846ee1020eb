//! The `system.webServer/configuredHeaders` section: which response headers
//! to add, set per site and per path like any IIS section.
//!
//! ```xml
//! <configuredHeaders enabled="true" existing="Replace" statusClasses="Success,Redirect">
//!   <hsts enabled="true" maxAge="365.00:00:00" includeSubDomains="true" />
//!   <headers>
//!     <add name="X-Frame-Options" value="DENY" />
//!     <remove name="X-Powered-By" />
//!     <clear />
//!   </headers>
//! </configuredHeaders>
//! ```

use iis_module::config::{
    AttributeSchema, AttributeType, CollectionSchema, ConfigElement, ConfigEnum, ConfigError,
    ConfigSection, ElementSchema,
};
use std::time::Duration;

/// What to do when the response already has one of the headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Leave the response's value.
    Keep,
    /// Overwrite it.
    Replace,
}

impl ConfigEnum for Existing {
    const VALUES: &'static [(&'static str, u32)] = &[("Keep", 0), ("Replace", 1)];

    fn from_value(value: u32) -> Option<Self> {
        match value {
            0 => Some(Existing::Keep),
            1 => Some(Existing::Replace),
            _ => None,
        }
    }
}

/// The status classes the headers are added to (`flags`).
pub mod status_class {
    /// 1xx and 2xx.
    pub const SUCCESS: u32 = 1;
    /// 3xx.
    pub const REDIRECT: u32 = 2;
    /// 4xx.
    pub const CLIENT_ERROR: u32 = 4;
    /// 5xx.
    pub const SERVER_ERROR: u32 = 8;
    /// The flag names and bits, as the schema declares them.
    pub const VALUES: &[(&str, u32)] = &[
        ("Success", SUCCESS),
        ("Redirect", REDIRECT),
        ("ClientError", CLIENT_ERROR),
        ("ServerError", SERVER_ERROR),
    ];
}

/// `<hsts>`: the `Strict-Transport-Security` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hsts {
    /// `enabled` (default false).
    pub enabled: bool,
    /// `maxAge` (default one year).
    pub max_age: Duration,
    /// `includeSubDomains` (default false).
    pub include_subdomains: bool,
}

impl Hsts {
    /// The header value.
    pub fn header_value(&self) -> String {
        let mut value = format!("max-age={}", self.max_age.as_secs());
        if self.include_subdomains {
            value.push_str("; includeSubDomains");
        }
        value
    }
}

/// The effective `configuredHeaders` section of a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfiguredHeaders {
    /// `enabled` (default true).
    pub enabled: bool,
    /// `existing` (default `Replace`).
    pub existing: Existing,
    /// `statusClasses`, the OR of [`status_class`] bits (default all).
    pub status_classes: u32,
    /// `<hsts>`.
    pub hsts: Hsts,
    /// `<headers>`: name and value, in effective order.
    pub headers: Vec<(String, String)>,
}

impl ConfiguredHeaders {
    /// Whether the headers go on a response with this status code.
    pub fn applies_to(&self, status: u16) -> bool {
        let class = match status {
            100..=299 => status_class::SUCCESS,
            300..=399 => status_class::REDIRECT,
            400..=499 => status_class::CLIENT_ERROR,
            _ => status_class::SERVER_ERROR,
        };
        self.enabled && self.status_classes & class != 0
    }
}

impl ConfigSection for ConfiguredHeaders {
    const NAME: &'static str = "system.webServer/configuredHeaders";

    fn schema() -> ElementSchema {
        ElementSchema::new()
            .attribute(AttributeSchema::new("enabled", AttributeType::Bool).default_value("true"))
            .attribute(
                AttributeSchema::new("existing", AttributeType::Enum)
                    .default_value("Replace")
                    .values(Existing::VALUES),
            )
            .attribute(
                AttributeSchema::new("statusClasses", AttributeType::Flags)
                    .default_value("Success,Redirect,ClientError,ServerError")
                    .values(status_class::VALUES),
            )
            .element(
                "hsts",
                ElementSchema::new()
                    .attribute(
                        AttributeSchema::new("enabled", AttributeType::Bool).default_value("false"),
                    )
                    .attribute(
                        AttributeSchema::new("maxAge", AttributeType::TimeSpan)
                            .default_value("365.00:00:00"),
                    )
                    .attribute(
                        AttributeSchema::new("includeSubDomains", AttributeType::Bool)
                            .default_value("false"),
                    ),
            )
            .element(
                "headers",
                ElementSchema::new().collection(
                    CollectionSchema::new("add")
                        .remove("remove")
                        .clear("clear")
                        .attribute(
                            AttributeSchema::new("name", AttributeType::String)
                                .required()
                                .unique_key(),
                        )
                        .attribute(
                            AttributeSchema::new("value", AttributeType::String).default_value(""),
                        ),
                ),
            )
    }

    fn from_element(section: &ConfigElement) -> Result<Self, ConfigError> {
        let hsts = section.child("hsts")?;
        let headers = section
            .child("headers")?
            .entries()?
            .iter()
            .map(|entry| Ok((entry.string("name")?, entry.string("value")?)))
            .collect::<Result<_, ConfigError>>()?;
        Ok(ConfiguredHeaders {
            enabled: section.bool("enabled")?,
            existing: section.enumeration("existing")?,
            status_classes: section.flags("statusClasses")?,
            hsts: Hsts {
                enabled: hsts.bool("enabled")?,
                max_age: hsts.time_span("maxAge")?,
                include_subdomains: hsts.bool("includeSubDomains")?,
            },
            headers,
        })
    }
}
