//! The `IHttpUser` samples: at `SendResponse`, when the request has a user,
//! the response becomes an XML element `<user …/>` with the attributes the
//! sample reads (holding a reference on the user meanwhile), and the
//! request continues.

use crate::xml::{Element, boolean};
use iis_module::prelude::*;
use iis_module::{
    HRESULT,
    server::{HandleState, HttpUser},
};

/// One attribute group of `<user>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// `authType`.
    AuthenticationType,
    /// `impersonationToken`.
    ImpersonationToken,
    /// `passWord` (always `[hidden]`).
    Password,
    /// `primaryToken`.
    PrimaryToken,
    /// `remoteName`.
    RemoteName,
    /// `userName`.
    UserName,
    /// `userVariable` (the SID variable, as a handle's state).
    UserVariable,
    /// `supportsRoles`, and `isInRole`/`isInRoleCode` for role `Unknown`.
    Roles,
}

/// What `IHttpUser.cpp` writes, in its order.
pub const ALL: [Part; 8] = [
    Part::AuthenticationType,
    Part::ImpersonationToken,
    Part::Password,
    Part::PrimaryToken,
    Part::RemoteName,
    Part::UserName,
    Part::UserVariable,
    Part::Roles,
];

fn element(user: &HttpUser<'_>, parts: &[Part]) -> Result<Element> {
    let mut element = Element::new("user");
    for part in parts {
        match part {
            Part::AuthenticationType => {
                element.attribute("authType", user.authentication_type()?);
            }
            Part::ImpersonationToken => {
                element.attribute(
                    "impersonationToken",
                    HandleState::of(user.impersonation_token()).as_str(),
                );
            }
            Part::Password => {
                // Read, never shown.
                let _ = user.password()?;
                element.attribute("passWord", "[hidden]");
            }
            Part::PrimaryToken => {
                element.attribute(
                    "primaryToken",
                    HandleState::of(user.primary_token()).as_str(),
                );
            }
            Part::RemoteName => {
                element.attribute("remoteName", user.remote_name()?);
            }
            Part::UserName => {
                element.attribute("userName", user.name()?);
            }
            Part::UserVariable => {
                let sid = user.user_variable("SID")?;
                let state = HandleState::of(iis_module::iis_sys::HANDLE(sid));
                element.attribute("userVariable", state.as_str());
            }
            Part::Roles => {
                let supported = user.supports_is_in_role();
                element.attribute("supportsRoles", boolean(supported));
                if supported {
                    let (member, code) = match user.is_in_role("Unknown") {
                        Ok(member) => (member, HRESULT(0)),
                        Err(e) => (false, e.hresult()),
                    };
                    element.attribute("isInRole", boolean(member));
                    element.attribute("isInRoleCode", code.0.to_string());
                }
            }
        }
    }
    Ok(element)
}

/// An `IHttpUser` sample writing `parts`.
#[derive(Clone, Copy)]
pub struct UserDocument(pub &'static [Part]);

#[http_module]
impl HttpModule for UserDocument {
    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        let document = {
            let Some(user) = cx.user() else {
                return Ok(Flow::Continue);
            };
            let _reference = user.reference();
            element(&user, self.0).map(|e| e.document())
        };
        let response = cx.response();
        match document {
            Ok(document) => {
                response.set_header(CONTENT_TYPE, "text/xml")?;
                response.clear();
                response.write(document.as_bytes())?;
            }
            Err(error) => {
                response.set_status_detail(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    0,
                    &error.to_string(),
                    false,
                )?;
            }
        }
        Ok(Flow::Continue)
    }
}

/// Registers the user sample called `name`, if it is one.
pub fn register(name: &str, module: &mut Registration) -> Option<Result<()>> {
    let parts: &'static [Part] = match name {
        "IHttpUser/GetAuthenticationType" => &[Part::AuthenticationType],
        "IHttpUser/GetImpersonationToken" => &[Part::ImpersonationToken],
        "IHttpUser/GetPassword" => &[Part::Password],
        "IHttpUser/GetPrimaryToken" => &[Part::PrimaryToken],
        "IHttpUser/GetRemoteUserName" => &[Part::RemoteName],
        "IHttpUser/GetUserName" => &[Part::UserName],
        "IHttpUser/GetUserVariable" => &[Part::UserVariable],
        "IHttpUser/IsInRole" | "IHttpUser/SupportsIsInRole" => &[Part::Roles],
        "IHttpUser" => &ALL,
        _ => return None,
    };
    Some(module.request_module(move || UserDocument(parts)))
}
