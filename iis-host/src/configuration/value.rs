//! Attribute values: the text a file holds, checked and converted as the
//! schema types them.

use super::schema::{AttrType, AttributeSchema};

/// A checked attribute value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Typed {
    String(String),
    Bool(bool),
    Int(i32),
    Uint(u32),
    Int64(i64),
    /// `enum` and `flags`: the number, and the names in schema spelling.
    Enum(u32, String),
    /// 100-ns ticks, as .NET's `TimeSpan` (which IIS's format follows).
    TimeSpan(i64),
}

/// Checks `text` against the attribute's type; the error is IIS's reason.
pub(crate) fn check(schema: &AttributeSchema, text: &str) -> Result<Typed, String> {
    let bad = |what: &str| format!("'{text}' is not a valid {what} value");
    match schema.kind {
        AttrType::String => Ok(Typed::String(text.to_owned())),
        AttrType::Bool => match text.to_ascii_lowercase().as_str() {
            "true" => Ok(Typed::Bool(true)),
            "false" => Ok(Typed::Bool(false)),
            _ => Err(bad("boolean")),
        },
        AttrType::Int => text
            .trim()
            .parse()
            .map(Typed::Int)
            .map_err(|_| bad("integer")),
        AttrType::Uint => text
            .trim()
            .parse()
            .map(Typed::Uint)
            .map_err(|_| bad("unsigned integer")),
        AttrType::Int64 => text
            .trim()
            .parse()
            .map(Typed::Int64)
            .map_err(|_| bad("64-bit integer")),
        AttrType::Enum => schema
            .values
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(text.trim()))
            .map(|(name, v)| Typed::Enum(*v, name.clone()))
            .ok_or_else(|| format!("'{text}' is not one of {}", names(schema))),
        AttrType::Flags => {
            let mut bits = 0;
            let mut spelled = Vec::new();
            for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let Some((name, v)) = schema
                    .values
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(part))
                else {
                    return Err(format!("'{part}' is not one of {}", names(schema)));
                };
                bits |= v;
                spelled.push(name.as_str());
            }
            Ok(Typed::Enum(bits, spelled.join(",")))
        }
        AttrType::TimeSpan => time_span(text.trim())
            .map(Typed::TimeSpan)
            .ok_or_else(|| bad("timeSpan ([-][d.]hh:mm:ss[.fffffff])")),
    }
}

fn names(schema: &AttributeSchema) -> String {
    let names: Vec<&str> = schema.values.iter().map(|(n, _)| n.as_str()).collect();
    names.join(", ")
}

/// `[-][d.]hh:mm:ss[.fffffff]` → ticks.
pub(crate) fn time_span(text: &str) -> Option<i64> {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut parts = text.split(':');
    let (first, minutes, seconds) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (days, hours) = match first.split_once('.') {
        Some((d, h)) => (d.parse::<i64>().ok()?, h.parse::<i64>().ok()?),
        None => (0, first.parse::<i64>().ok()?),
    };
    let minutes: i64 = minutes.parse().ok()?;
    let (seconds, fraction) = match seconds.split_once('.') {
        Some((s, f)) if !f.is_empty() && f.len() <= 7 && f.bytes().all(|b| b.is_ascii_digit()) => (
            s.parse::<i64>().ok()?,
            format!("{f:0<7}").parse::<i64>().ok()?,
        ),
        Some(_) => return None,
        None => (seconds.parse::<i64>().ok()?, 0),
    };
    if hours > 23
        || minutes > 59
        || seconds > 59
        || days < 0
        || hours < 0
        || minutes < 0
        || seconds < 0
    {
        return None;
    }
    let ticks = (((days * 24 + hours) * 60 + minutes) * 60 + seconds)
        .checked_mul(10_000_000)?
        .checked_add(fraction)?;
    Some(if negative { -ticks } else { ticks })
}

/// The text IIS reports as a value's `StringValue`.
pub(crate) fn string_value(typed: &Typed, raw: &str) -> String {
    match typed {
        Typed::Bool(b) => b.to_string(),
        Typed::Enum(_, names) => names.clone(),
        _ => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_spans_parse_like_dotnet() {
        assert_eq!(time_span("00:00:30"), Some(300_000_000));
        assert_eq!(time_span("1.00:00:00"), Some(864_000_000_000));
        assert_eq!(time_span("00:00:00.5"), Some(5_000_000));
        assert_eq!(time_span("-00:01:00"), Some(-600_000_000));
        assert_eq!(time_span("25:00:00"), None);
        assert_eq!(time_span("abc"), None);
    }
}
