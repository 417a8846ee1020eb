//! The shape of most request samples: read one value and answer it as the
//! response body, `<label><value>`, written as two chunks (the samples'
//! `WriteResponseMessage`), then finish the request.

use iis_module::prelude::*;

/// What a sample does to the response before writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prelude {
    /// Nothing: the body is appended to what is there.
    Nothing,
    /// `Clear()`.
    Clear,
    /// `Clear()` and `Content-Type: text/plain`.
    PlainText,
}

/// Writes `label` then `value`, as two entity chunks.
pub fn write_message(cx: &mut HttpContext, label: &str, value: &str) -> Result<()> {
    let response = cx.response();
    response.write(label.as_bytes())?;
    response.write(value.as_bytes())
}

/// Applies `prelude` to the response.
pub fn prepare(cx: &mut HttpContext, prelude: Prelude) -> Result<()> {
    if prelude != Prelude::Nothing {
        cx.response().clear();
    }
    if prelude == Prelude::PlainText {
        cx.response().set_header(CONTENT_TYPE, "text/plain")?;
    }
    Ok(())
}

/// Reads the value a sample reports, or `None` to let the request continue.
pub type Reader = fn(&mut HttpContext) -> Result<Option<String>>;

/// A sample that reports one value at `BeginRequest`.
#[derive(Clone, Copy)]
pub struct BeginRequestReport {
    /// The text before the value.
    pub label: &'static str,
    /// What happens to the response first.
    pub prelude: Prelude,
    /// The value.
    pub read: Reader,
}

#[http_module]
impl HttpModule for BeginRequestReport {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        report(cx, self.label, self.prelude, self.read)
    }
}

/// A sample that reports one value at `SendResponse`.
#[derive(Clone, Copy)]
pub struct SendResponseReport {
    /// The text before the value.
    pub label: &'static str,
    /// What happens to the response first.
    pub prelude: Prelude,
    /// The value.
    pub read: Reader,
}

#[http_module]
impl HttpModule for SendResponseReport {
    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        report(cx, self.label, self.prelude, self.read)
    }
}

fn report(cx: &mut HttpContext, label: &str, prelude: Prelude, read: Reader) -> Result<Flow> {
    let Some(value) = read(cx)? else {
        return Ok(Flow::Continue);
    };
    prepare(cx, prelude)?;
    write_message(cx, label, &value)?;
    Ok(Flow::FinishRequest)
}

/// The worker process a request module runs in.
pub fn server(cx: &HttpContext) -> Result<HttpServer> {
    cx.server()
        .ok_or_else(|| Error::msg("the module was registered without a server"))
}

/// "Yes" or "No".
pub fn yes_no(value: bool) -> String {
    if value { "Yes" } else { "No" }.to_owned()
}
