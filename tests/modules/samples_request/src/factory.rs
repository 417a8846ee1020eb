//! Samples whose module instances get more than a plain constructor: the
//! factory's `IModuleAllocator`, and a user the module authenticates.

use crate::util::{plain_text, write_message};
use iis_module::prelude::*;
use iis_module::request::{AuthenticatedUser, ModuleAllocator, PoolBuffer};

/// `IModuleAllocatorAllocateMemory`: each instance gets 1 KB of request
/// memory from the factory's allocator and answers with the message it
/// keeps there.
pub(crate) struct AllocatorMessage {
    buffer: PoolBuffer,
}

impl AllocatorMessage {
    /// What the factory does for each request.
    pub(crate) fn make(allocator: &mut ModuleAllocator<'_>) -> Result<Self> {
        Ok(Self {
            buffer: allocator.allocate(1024)?,
        })
    }
}

#[http_module]
impl HttpModule for AllocatorMessage {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let Some(mut bytes) = self.buffer.lock() else {
            return Ok(Flow::Continue);
        };
        let message = b"Hello World!";
        bytes[..message.len()].copy_from_slice(message);
        bytes[message.len()] = 0;
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        let text = String::from_utf8_lossy(&bytes[..end]).into_owned();
        drop(bytes);
        plain_text(cx)?;
        write_message(cx, "Message: ", &text)?;
        Ok(Flow::FinishRequest)
    }
}

/// `IAuthenticationProvider` (SetUser.cpp): first at AuthenticateRequest,
/// a request without a user gets `ValidUser`; at SendResponse the response
/// becomes an XML description of the request's user.
pub(crate) struct ValidUser;

/// `CConvert::ToString(HANDLE)` (a user variable is a pointer, shown alike).
fn handle_text(handle: *mut core::ffi::c_void) -> &'static str {
    match handle as isize {
        0 => "NULL",
        -1 => "INVALID_HANDLE_VALUE",
        _ => "valid",
    }
}

/// An XML attribute value, escaped as MSXML writes it.
fn attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[http_module]
impl HttpModule for ValidUser {
    fn on_authenticate_request(
        &mut self,
        cx: &mut HttpContext,
        provider: &mut Authentication,
    ) -> Result<Flow> {
        if cx.user().is_none() {
            let mut user = AuthenticatedUser::new("ValidUser", "Anonymous");
            user.password = String::new();
            provider.set_user(user)?;
        }
        Ok(Flow::Continue)
    }

    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        let Some(user) = cx.user() else {
            return Ok(Flow::Continue);
        };
        let mut xml = format!(
            "<user authType=\"{}\" impersonationToken=\"{}\" passWord=\"[hidden]\" primaryToken=\"{}\" remoteName=\"{}\" userName=\"{}\" userVariable=\"{}\" supportsRoles=\"{}\"",
            attribute(&user.authentication_type()?),
            handle_text(user.impersonation_token().0),
            handle_text(user.primary_token().0),
            attribute(&user.remote_name()?),
            attribute(&user.name()?),
            handle_text(user.user_variable("SID")?),
            user.supports_is_in_role(),
        );
        if user.supports_is_in_role() {
            let (in_role, code) = match user.is_in_role("Unknown") {
                Ok(in_role) => (in_role, 0),
                Err(error) => (false, error.hresult().0),
            };
            xml.push_str(&format!(" isInRole=\"{in_role}\" isInRoleCode=\"{code}\""));
        }
        xml.push_str("/>\r\n");
        let response = cx.response();
        response.set_header(CONTENT_TYPE, "text/xml")?;
        response.clear();
        response.write(format!("<?xml version=\"1.0\"?>{xml}").as_bytes())?;
        Ok(Flow::Continue)
    }
}
