//! The notifications a module subscribes to are exactly the hooks its
//! `#[http_module]` / `#[global_module]` impl block defines.

use iis_module::Registration;
use iis_module::global::GlobalNotifications;
use iis_module::prelude::*;

struct SendOnly;

#[http_module]
impl HttpModule for SendOnly {
    fn on_send_response(&mut self, _: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        Ok(Flow::Continue)
    }
}

struct PreAndPost;

#[http_module]
impl HttpModule for PreAndPost {
    fn on_begin_request(&mut self, _: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        Ok(Flow::Continue)
    }
    fn on_post_authorize_request(&mut self, _: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        Ok(Flow::Continue)
    }
    fn on_map_path(&mut self, _: &mut HttpContext, _: &mut MapPath) -> Result<Flow> {
        Ok(Flow::Continue)
    }
    fn on_async_completion(&mut self, _: &mut HttpContext, _: &mut Completion) -> Result<Flow> {
        Ok(Flow::Continue)
    }
}

struct Generic<T>(T);

#[http_module]
impl<T: Send + 'static> HttpModule for Generic<T> {
    fn on_end_request(&mut self, _: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        Ok(Flow::Continue)
    }
}

struct Lifecycle;

#[global_module]
impl GlobalModule for Lifecycle {
    fn on_application_start(&self, _: &mut ApplicationEvent) -> Result<GlobalFlow> {
        Ok(GlobalFlow::Continue)
    }
    fn on_health_check(&self) -> Result<GlobalFlow> {
        Ok(GlobalFlow::Continue)
    }
}

#[test]
fn request_masks_are_the_implemented_hooks() {
    assert_eq!(
        Registration::request_notifications::<SendOnly>(),
        (
            RequestNotifications::SEND_RESPONSE,
            RequestNotifications::empty()
        )
    );
    assert_eq!(
        Registration::request_notifications::<PreAndPost>(),
        (
            RequestNotifications::BEGIN_REQUEST | RequestNotifications::MAP_PATH,
            RequestNotifications::AUTHORIZE_REQUEST
        )
    );
    assert_eq!(
        Registration::request_notifications::<Generic<u8>>(),
        (
            RequestNotifications::END_REQUEST,
            RequestNotifications::empty()
        )
    );
}

#[test]
fn global_masks_are_the_implemented_hooks() {
    assert_eq!(
        Registration::global_notifications::<Lifecycle>(),
        GlobalNotifications::APPLICATION_START | GlobalNotifications::HEALTH_CHECK
    );
}
