//! [`LogRecord`]: the W3C log entry of a request.

/// `LogRecord` from iis-sys's table of `HTTP_LOG_FIELDS_DATA`'s fields
/// ([`iis_sys::log_fields!`], which iis-module reads too).
macro_rules! log_record {
    (
        wide { $($(#[$wdoc:meta])* $wide:ident: $wptr:ident, $wlen:ident, $wwhat:literal;)* }
        narrow { $($(#[$ndoc:meta])* $narrow:ident: $nptr:ident, $nlen:ident, $nwhat:literal;)* }
        value { $($(#[$vdoc:meta])* $value:ident: $vfield:ident: $vty:ty;)* }
    ) => {
        /// The log entry IIS writes for a request: the fields of http.h's
        /// `HTTP_LOG_FIELDS_DATA`, which iis-host prepares at the final send
        /// (`ISendResponseProvider::GetReadyToLogData` is `TRUE` there and
        /// `GetLogData` returns them), as SendResponse modules left them
        /// with `SetLogData`.
        ///
        /// Each field's docs name its W3C log-file field first; the narrow
        /// fields are the bytes the log would hold. iis-host fills
        /// `s-computername` from
        /// [`HostConfig::computer_name`](crate::HostConfig::computer_name).
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct LogRecord {
            $($(#[$wdoc])* pub $wide: String,)*
            $($(#[$ndoc])* pub $narrow: Vec<u8>,)*
            $($(#[$vdoc])* pub $value: $vty,)*
        }
    };
}
iis_sys::log_fields!(log_record);
