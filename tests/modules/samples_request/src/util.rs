//! What most samples share: the response they build.

use iis_module::prelude::*;

/// Clears the buffered body and makes the response `text/plain`, as most
/// samples do before writing.
pub(crate) fn plain_text(cx: &mut HttpContext) -> Result<()> {
    let response = cx.response();
    response.clear();
    response.set_header(CONTENT_TYPE, "text/plain")
}

/// Writes `name` then `value`, one entity chunk each (the samples'
/// `WriteResponseMessage`).
pub(crate) fn write_message(cx: &mut HttpContext, name: &str, value: &str) -> Result<()> {
    let response = cx.response();
    response.write(name.as_bytes())?;
    response.write(value.as_bytes())
}
