//! The notifications a module gets: [`Notification`] (a `CHttpModule`
//! slot) and [`GlobalNotification`] (a `CGlobalModule` slot), both built
//! from iis-sys's notification tables (which iis-module reads too).

use std::fmt;

/// Builds [`Notification`] from iis-sys's table of request notifications.
macro_rules! request_notification_enum {
    ($(
        $variant:ident = $mask:ident:
            $(#[$pre_doc:meta])*
            $hook:ident / $slot:ident ($alias:literal): $provider:ident($raw:ty)
            $(,
                $(#[$post_doc:meta])*
                $post_hook:ident / $post_slot:ident ($post_alias:literal): $post_provider:ident($post_raw:ty)
            )?;
    )*) => {
        /// A request notification of the integrated pipeline (a `CHttpModule` slot).
        #[non_exhaustive]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Notification {
            $(
                #[doc = concat!("`", stringify!($mask), "` / `", stringify!($slot), "`.")]
                $variant,
            )*
            /// `OnAsyncCompletion`, after `PostCompletion` on a pending notification.
            AsyncCompletion,
        }

        impl Notification {
            /// The twelve deterministic stages, in pipeline order: the
            /// notifications with a post-notification.
            pub const STAGES: [Notification; 12] = [$($(
                // Only rows with a post part expand here.
                {
                    let _ = stringify!($post_slot);
                    Notification::$variant
                },
            )?)*];

            /// The `RQ_*` bit of this notification (0 for `AsyncCompletion`, which has none).
            pub fn mask(self) -> u32 {
                use iis_sys::*;
                match self {
                    $(Notification::$variant => $mask,)*
                    Notification::AsyncCompletion => 0,
                }
            }
        }
    };
}

iis_sys::request_notifications!(request_notification_enum);

impl Notification {
    /// Whether the notification has a post-notification (`OnPost…`).
    pub fn has_post(self) -> bool {
        Notification::STAGES.contains(&self)
    }
}

impl fmt::Display for Notification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Builds [`GlobalNotification`] from iis-sys's table of global notifications.
macro_rules! global_notification_enum {
    ($(
        $variant:ident = $mask:ident:
            $(#[$doc:meta])*
            $hook:ident / $slot:ident ($alias:literal) $(: $provider:ident($raw:ty))?;
    )*) => {
        /// A global notification (a `CGlobalModule` slot).
        #[non_exhaustive]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum GlobalNotification {
            $(
                #[doc = concat!("`", stringify!($mask), "` / `", stringify!($slot), "`.")]
                $variant,
            )*
        }

        impl GlobalNotification {
            /// The `GL_*` bit of this notification.
            pub fn mask(self) -> u32 {
                use iis_sys::*;
                match self {
                    $(GlobalNotification::$variant => $mask,)*
                }
            }

            /// The `CGlobalModule` method IIS calls (`OnGlobalRSCAQuery`).
            fn slot(self) -> &'static str {
                match self {
                    $(GlobalNotification::$variant => stringify!($slot),)*
                }
            }
        }
    };
}

iis_sys::global_notifications!(global_notification_enum);

impl fmt::Display for GlobalNotification {
    /// The method name without `OnGlobal` (`RSCAQuery`, `SuspendProcess`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slot = self.slot();
        let name = slot
            .strip_prefix("OnGlobal")
            .or_else(|| slot.strip_prefix("On"))
            .unwrap_or(slot);
        f.write_str(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_notifications_display_as_their_method_without_on_global() {
        assert_eq!(GlobalNotification::RscaQuery.to_string(), "RSCAQuery");
        assert_eq!(
            GlobalNotification::PreBeginRequest.to_string(),
            "PreBeginRequest"
        );
        assert_eq!(
            GlobalNotification::SuspendProcess.to_string(),
            "SuspendProcess"
        );
    }

    #[test]
    fn stages_are_the_notifications_with_a_post_notification() {
        assert_eq!(Notification::STAGES[0], Notification::BeginRequest);
        assert_eq!(Notification::STAGES[11], Notification::EndRequest);
        assert!(Notification::LogRequest.has_post());
        assert!(!Notification::SendResponse.has_post());
        assert_eq!(Notification::MapPath.mask(), iis_sys::RQ_MAP_PATH);
        assert_eq!(Notification::AsyncCompletion.mask(), 0);
    }
}
