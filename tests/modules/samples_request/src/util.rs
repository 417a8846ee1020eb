//! What most samples share: the response they build, and how their
//! asynchronous operations completed.

use core::future::poll_fn;
use core::pin::pin;
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

/// Awaits an asynchronous body operation (`write_async`, `flush_async`,
/// `read_body_async`) and tells whether IIS completed it later, through
/// `OnAsyncCompletion`, rather than in the call: the samples'
/// `*pfCompletionExpected`. Such an operation's future is not ready at its
/// first poll; one IIS completes in the call is.
pub(crate) async fn completion<F: Future>(operation: F) -> (F::Output, bool) {
    let mut operation = pin!(operation);
    let mut later = false;
    let output = poll_fn(|cx| {
        let poll = operation.as_mut().poll(cx);
        later |= poll.is_pending();
        poll
    })
    .await;
    (output, later)
}
