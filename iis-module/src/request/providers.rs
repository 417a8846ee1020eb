//! The typed event providers IIS passes to request notifications.
//!
//! Each is a borrowed view for one notification; `as_raw` reaches the C++
//! provider for calls the safe API does not wrap.

use crate::ffi;
use crate::glue::provider::{Provider, provider};
use crate::server::FileInfoRef;
use crate::{Error, HttpContext, Result};
use core::marker::PhantomData;
use core::ptr::NonNull;
use iis_sys::RequestNotifications;
use iis_sys::{
    IAuthenticationProvider, ICustomNotificationProvider, IHttpCompletionInfo, IHttpEventProvider,
    IMapHandlerProvider, IMapPathProvider, IReadEntityProvider, ISendResponseProvider, Ref,
};
use windows_core::HRESULT;

provider! {
    /// The plain event provider (`IHttpEventProvider`) of most notifications.
    Event => IHttpEventProvider
}

provider! {
    /// `IAuthenticationProvider`: what `on_authenticate_request` gets.
    Authentication => IAuthenticationProvider
}

impl Authentication {
    /// Makes `user` the request's user (`SetUser`): later modules see it
    /// through [`HttpContext::user`](crate::HttpContext::user). IIS owns
    /// it from now on and drops it when the request is done with it.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a string with NUL.
    #[doc(alias = "SetUser")]
    pub fn set_user(&mut self, user: super::AuthenticatedUser) -> Result<()> {
        let user = super::user::new_user(user)?;
        // SAFETY: a live user object whose one reference passes to IIS,
        // which releases it with DereferenceUser.
        unsafe { self.iface().SetUser(user.as_ptr()) };
        Ok(())
    }
}

provider! {
    /// `IMapHandlerProvider`: what `on_map_request_handler` gets.
    MapHandler => IMapHandlerProvider
}

impl MapHandler {
    /// Sets the script name the handler will see.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a name with NUL; [`Error::Server`].
    #[doc(alias = "SetScriptName")]
    pub fn set_script_name(&mut self, name: &str) -> Result<()> {
        let name = ffi::WideBuf::<1024>::new(name, "script name")?;
        // IIS copies the name; the buffer only needs to live for the call.
        let hr = self.iface().SetScriptName(name.as_wstr());
        Error::check("IMapHandlerProvider::SetScriptName", hr)
    }

    /// Makes `file` the request's file: what
    /// [`HttpContext::file_info`](crate::HttpContext::file_info) returns from
    /// now on, and the file the static-file handler serves.
    ///
    /// The reference `file` holds passes to IIS, which releases it when the
    /// request is done with it. IIS documents `SetFileInfo` as setting the
    /// file info of the current request and mentions no release by the
    /// caller, and its sample hands over the reference
    /// `IHttpServer::GetFileInfo` gave it without releasing it; keeping the
    /// reference alive this way can at worst leak it, never leave IIS with a
    /// released file. (The method's own reference page marks it
    /// unsupported.) `cx` is borrowed mutably so that no file info borrowed
    /// from it ([`HttpContext::file_info`](crate::HttpContext::file_info))
    /// outlives the replacement, which IIS may release.
    #[doc(alias = "SetFileInfo")]
    pub fn set_file_info(&mut self, cx: &mut HttpContext, file: FileInfoRef) {
        let _ = cx; // only borrowed: see above
        let file = file.into_raw();
        // SAFETY: `file` is a live file info whose reference passes to IIS
        // with the call.
        unsafe { self.iface().SetFileInfo(file.as_ptr()) }
    }
}

provider! {
    /// `ISendResponseProvider`: what `on_send_response` gets.
    SendResponse => ISendResponseProvider
}

impl SendResponse {
    /// Whether IIS is sending the headers in this call (the first send).
    #[doc(alias = "GetHeadersBeingSent")]
    pub fn headers_being_sent(&self) -> bool {
        self.iface().GetHeadersBeingSent().as_bool()
    }

    /// The `HTTP_SEND_RESPONSE_FLAG_*` flags of this send.
    #[doc(alias = "GetFlags")]
    pub fn flags(&self) -> u32 {
        self.iface().GetFlags()
    }

    /// Replaces the `HTTP_SEND_RESPONSE_FLAG_*` flags of this send.
    #[doc(alias = "SetFlags")]
    pub fn set_flags(&mut self, flags: u32) {
        self.iface().SetFlags(flags)
    }

    /// Whether the log data of the request is ready (the final send).
    #[doc(alias = "GetReadyToLogData")]
    pub fn ready_to_log(&self) -> bool {
        self.iface().GetReadyToLogData().as_bool()
    }
}

provider! {
    /// `IMapPathProvider`: what `on_map_path` gets.
    MapPath => IMapPathProvider
}

impl MapPath {
    /// The URL being mapped.
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetUrl")]
    pub fn url(&self) -> Result<String> {
        Ok(ffi::wstr_to_string(self.iface().GetUrl(), "URL")?.unwrap_or_default())
    }

    /// The physical path IIS mapped the URL to.
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetPhysicalPath")]
    pub fn physical_path(&self) -> Result<String> {
        let path = self.iface().GetPhysicalPath();
        // SAFETY: NUL-terminated or null.
        Ok(unsafe { ffi::wide_to_string(path, "physical path") }?.unwrap_or_default())
    }

    /// Maps the URL to another physical path.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for NUL; [`Error::TooLong`]; [`Error::Server`].
    #[doc(alias = "SetPhysicalPath")]
    pub fn set_physical_path(&mut self, path: &str) -> Result<()> {
        let path = ffi::WideBuf::<1024>::new(path, "physical path")?;
        // IIS copies the path; the buffer only needs to live for the call.
        let hr = self.iface().SetPhysicalPath(path.as_wstr());
        Error::check("IMapPathProvider::SetPhysicalPath", hr)
    }
}

provider! {
    /// `IReadEntityProvider`: what `on_read_entity` gets.
    ReadEntity => IReadEntityProvider
}

impl ReadEntity {
    /// The entity bytes just read.
    #[doc(alias = "GetEntity")]
    pub fn entity(&self) -> &[u8] {
        let mut buffer = core::ptr::null_mut();
        let (mut len, mut capacity) = (0u32, 0u32);
        self.iface().GetEntity(&mut buffer, &mut len, &mut capacity);
        // SAFETY: IIS gives a buffer with `len` valid bytes for the notification.
        unsafe { ffi::bytes(windows_core::PCSTR(buffer.cast()), len as usize) }.unwrap_or_default()
    }

    /// The size of the reader's buffer the entity was read into
    /// (`GetEntity`'s `pcbBuffer`).
    #[doc(alias = "GetEntity")]
    pub fn buffer_len(&self) -> usize {
        let mut buffer = core::ptr::null_mut();
        let (mut len, mut capacity) = (0u32, 0u32);
        self.iface().GetEntity(&mut buffer, &mut len, &mut capacity);
        capacity as usize
    }

    /// Replaces the entity bytes the reader gets with `bytes`
    /// (`SetEntity`), copied into the request memory of `cx`.
    ///
    /// # Errors
    /// [`Error::TooLong`] above 4 GiB.
    #[doc(alias = "SetEntity")]
    pub fn set_entity(&mut self, cx: &HttpContext, bytes: &[u8]) -> Result<()> {
        let len = u32::try_from(bytes.len()).map_err(|_| Error::TooLong {
            what: "entity",
            len: bytes.len(),
            max: u32::MAX as usize,
        })?;
        let copy = cx.pool().copy(bytes, "entity")?;
        // SAFETY: the buffer is request memory holding `len` bytes, alive
        // until the request ends.
        unsafe { self.iface().SetEntity(copy.as_ptr().cast(), len, len) };
        Ok(())
    }
}

provider! {
    /// `ICustomNotificationProvider`: what `on_custom_request_notification`
    /// (and the global custom notification) gets.
    CustomNotification => ICustomNotificationProvider
}

impl CustomNotification {
    /// The notification's type string, as the raising module defined it.
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "QueryNotificationType")]
    pub fn notification_type(&self) -> Result<String> {
        let kind = self.iface().QueryNotificationType();
        Ok(ffi::wstr_to_string(kind, "notification type")?.unwrap_or_default())
    }
}

/// What `on_async_completion` gets: which notification completed and the
/// `IHttpCompletionInfo` of the operation.
#[derive(Debug)]
pub struct Completion {
    info: Option<NonNull<IHttpCompletionInfo>>,
    event: Option<Event>,
    notification: RequestNotifications,
    post: bool,
}

impl Completion {
    /// # Safety
    /// The pointers are null or live for the notification.
    pub(crate) unsafe fn new(
        info: *mut IHttpCompletionInfo,
        event: *mut IHttpEventProvider,
        notification: u32,
        post: bool,
    ) -> Self {
        Self {
            info: NonNull::new(info),
            // SAFETY: live for the notification per the contract.
            event: unsafe { Ref::from_raw(event) }.map(Event::new),
            notification: RequestNotifications::from_bits_retain(notification),
            post,
        }
    }

    /// The notification that was pending.
    pub fn notification(&self) -> RequestNotifications {
        self.notification
    }

    /// Whether it was the post-notification.
    pub fn is_post(&self) -> bool {
        self.post
    }

    /// The completion info, live for the notification (`new`'s contract).
    fn info(&self) -> Option<Ref<'_, IHttpCompletionInfo>> {
        // SAFETY: `new`'s contract: null or live for the notification, which
        // outlives `self`.
        self.info.map(|i| unsafe { Ref::from_non_null(i) })
    }

    /// Bytes transferred by the completed operation (what `post` passed).
    #[doc(alias = "GetCompletionBytes")]
    pub fn bytes(&self) -> u32 {
        self.info().map_or(0, |i| i.GetCompletionBytes())
    }

    /// The status of the completed operation.
    #[doc(alias = "GetCompletionStatus")]
    pub fn status(&self) -> HRESULT {
        self.info().map_or(HRESULT(0), |i| i.GetCompletionStatus())
    }

    /// The event provider of the completed notification, if IIS gave one.
    pub fn event(&mut self) -> Option<&mut Event> {
        self.event.as_mut()
    }
}
