//! The `IHttpFileInfo` samples: at `SendResponse`, for a request that maps
//! to a file, the response is replaced by what IIS's file cache knows of
//! the file; and `IHttpServerGetFileInfo`, which opens a file through the
//! server's file cache at `BeginRequest`.

use crate::report::{Prelude, prepare, write_message};
use iis_module::iis_sys::HANDLE;
use iis_module::prelude::*;
use iis_module::server::{FileInfo, HandleState};
use std::time::{SystemTime, UNIX_EPOCH};

/// One line group of the `IHttpFileInfo/*.cpp` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Line {
    /// `Access` (the HRESULT of `AccessCheck`, in decimal).
    Access,
    /// `File Changed`.
    Changed,
    /// `Attributes`, `Read only`, `Hidden`, `Archive`.
    Attributes,
    /// `ETag`, `ETag Value` (its length).
    ETag,
    /// `File Buffer`.
    Buffer,
    /// `File Handle`.
    Handle,
    /// `File Path`.
    Path,
    /// `Cache Allowed`, `Time-to-Live`.
    CacheAllowed,
    /// `Last Modified String`.
    LastModifiedString,
    /// `Last Modified Time`.
    LastModifiedTime,
    /// `Context`.
    Context,
    /// `Size`.
    Size,
    /// `VR Path`.
    VrPath,
    /// `VR Token`.
    VrToken,
}

/// `IHttpFileInfo.cpp`: every line, in its order.
pub const ALL: [Line; 14] = [
    Line::Access,
    Line::Changed,
    Line::Attributes,
    Line::ETag,
    Line::Buffer,
    Line::Handle,
    Line::Path,
    Line::CacheAllowed,
    Line::LastModifiedString,
    Line::LastModifiedTime,
    Line::Context,
    Line::Size,
    Line::VrPath,
    Line::VrToken,
];

fn boolean(value: bool) -> String {
    if value { "true" } else { "false" }.to_owned()
}

fn or_null(value: Option<String>) -> String {
    value.unwrap_or_else(|| "NULL".to_owned())
}

/// (year, month, day, hour, minute) of `time`, in UTC (iis-host's time
/// zone; the samples convert to the server's local time).
fn civil(time: SystemTime) -> (i64, u32, u32, u64, u64) {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, secs % 86_400 / 3600, secs % 3600 / 60)
}

/// The `name:  value` lines of `lines` for `file`, read as `token`'s user.
fn report(
    file: &FileInfo<'_>,
    token: HANDLE,
    lines: &[Line],
) -> Result<Vec<(&'static str, String)>> {
    let mut out = Vec::new();
    for line in lines {
        match line {
            Line::Access => {
                let hr = file.access_check(token).err().map_or(0, |e| e.hresult().0);
                out.push(("Access", hr.to_string()));
            }
            Line::Changed => out.push(("File Changed", boolean(file.has_changed(token)))),
            Line::Attributes => {
                let attributes = file.attributes();
                out.push(("Attributes", attributes.to_string()));
                out.push(("Read only", boolean(attributes & FileInfo::READONLY != 0)));
                out.push(("Hidden", boolean(attributes & FileInfo::HIDDEN != 0)));
                out.push(("Archive", boolean(attributes & FileInfo::ARCHIVE != 0)));
            }
            Line::ETag => {
                let etag = file.etag()?;
                let len = etag.as_ref().map_or(0, String::len);
                out.push(("ETag", or_null(etag)));
                out.push(("ETag Value", len.to_string()));
            }
            Line::Buffer => out.push((
                "File Buffer",
                or_null(
                    file.file_buffer()
                        .map(|b| String::from_utf8_lossy(b).into_owned()),
                ),
            )),
            Line::Handle => out.push((
                "File Handle",
                HandleState::of(file.file_handle()).to_string(),
            )),
            Line::Path => out.push(("File Path", or_null(file.path()?))),
            Line::CacheAllowed => {
                let (allowed, seconds) = file.http_cache_allowed();
                out.push(("Cache Allowed", boolean(allowed)));
                out.push(("Time-to-Live", seconds.to_string()));
            }
            Line::LastModifiedString => {
                out.push((
                    "Last Modified String",
                    or_null(file.last_modified_string()?),
                ));
            }
            Line::LastModifiedTime => {
                let text = file.last_modified().map_or_else(
                    || "NULL".to_owned(),
                    |time| {
                        let (y, mo, d, h, mi) = civil(time);
                        format!("{mo}/{d}/{y}  {h}:{mi}")
                    },
                );
                out.push(("Last Modified Time", text));
            }
            Line::Context => out.push(("Context", boolean(file.has_context_container()))),
            Line::Size => out.push(("Size", (file.size() as u32).to_string())),
            Line::VrPath => out.push(("VR Path", or_null(file.vr_path()?))),
            Line::VrToken => out.push(("VR Token", HandleState::of(file.vr_token()).to_string())),
        }
    }
    Ok(out)
}

/// An `IHttpFileInfo/*.cpp` sample reporting `lines`.
#[derive(Clone, Copy)]
pub struct FileReport(pub &'static [Line]);

#[http_module]
impl HttpModule for FileReport {
    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        let token = cx
            .user()
            .map_or(HANDLE(core::ptr::null_mut()), |u| u.primary_token());
        let lines = {
            let Some(file) = cx.file_info() else {
                return Ok(Flow::Continue);
            };
            report(&file, token, self.0)
        };
        prepare(cx, Prelude::PlainText)?;
        let written = lines.and_then(|lines| {
            lines.iter().try_for_each(|(name, value)| {
                let response = cx.response();
                response.write(format!("{name}:  {value}").as_bytes())?;
                response.write(b"\r\n")
            })
        });
        if let Err(error) = written {
            cx.response().set_status_detail(
                StatusCode::INTERNAL_SERVER_ERROR,
                0,
                &error.to_string(),
                false,
            )?;
        }
        Ok(Flow::FinishRequest)
    }
}

/// What an `IHttpFileInfoGet*` sample answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Single {
    /// `IHttpFileInfoGetAttributes`.
    Attributes,
    /// `IHttpFileInfoGetETag`.
    ETag,
    /// `IHttpFileInfoGetFilePath`.
    FilePath,
    /// `IHttpFileInfoGetLastModifiedString`.
    LastModifiedString,
    /// `IHttpFileInfoGetLastModifiedTime`.
    LastModifiedTime,
    /// `IHttpFileInfoGetSize`.
    Size,
}

/// An `IHttpFileInfoGet*` sample.
#[derive(Clone, Copy)]
pub struct FileAnswer(pub Single);

#[http_module]
impl HttpModule for FileAnswer {
    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        let messages: Vec<(&str, String)> = {
            let Some(file) = cx.file_info() else {
                return Ok(Flow::Continue);
            };
            let yes_no = |set: bool| if set { "Yes" } else { "No" }.to_owned();
            match self.0 {
                Single::Attributes => {
                    let a = file.attributes();
                    vec![
                        ("\nRead only: ", yes_no(a & FileInfo::READONLY != 0)),
                        ("\nHidden: ", yes_no(a & FileInfo::HIDDEN != 0)),
                        ("\nArchive: ", yes_no(a & FileInfo::ARCHIVE != 0)),
                    ]
                }
                Single::ETag => file.etag()?.map(|e| ("ETag: ", e)).into_iter().collect(),
                Single::FilePath => match file.path()? {
                    Some(path) => vec![("File path: ", path)],
                    None => return Ok(Flow::Continue),
                },
                Single::LastModifiedString => match file.last_modified_string()? {
                    Some(text) => vec![("Last modified: ", text)],
                    // The sample has cleared the response and continues.
                    None => Vec::new(),
                },
                Single::LastModifiedTime => {
                    let (y, mo, d, h, mi) = file.last_modified().map_or((1601, 1, 1, 0, 0), civil);
                    vec![(
                        "Last modified: ",
                        format!("{mo:02}/{d:02}/{y}  {h:02}:{mi:02}"),
                    )]
                }
                Single::Size => vec![("File size: ", (file.size() as u32).to_string())],
            }
        };
        prepare(cx, Prelude::PlainText)?;
        for (label, value) in &messages {
            write_message(cx, label, value)?;
        }
        if self.0 == Single::LastModifiedString && messages.is_empty() {
            return Ok(Flow::Continue);
        }
        Ok(Flow::FinishRequest)
    }
}

/// `IHttpServerGetFileInfo`: maps `/example/default.asp`, opens it through
/// the server's file cache and answers its ETag.
pub struct ServerFileInfo;

#[http_module]
impl HttpModule for ServerFileInfo {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        let url = "/example/default.asp";
        let path = cx.map_path(url)?;
        let server = crate::report::server(cx)?;
        let Ok(file) = server.file_info(&path, Some(url)) else {
            return Ok(Flow::Continue);
        };
        let Some(etag) = file.etag()? else {
            return Ok(Flow::Continue);
        };
        drop(file);
        prepare(cx, Prelude::PlainText)?;
        write_message(cx, "ETag: ", &etag)?;
        Ok(Flow::FinishRequest)
    }
}

/// Registers the file-info sample called `name`, if it is one.
pub fn register(name: &str, module: &mut Registration) -> Option<Result<()>> {
    let single = match name {
        "IHttpFileInfoGetAttributes" => Some(Single::Attributes),
        "IHttpFileInfoGetETag" => Some(Single::ETag),
        "IHttpFileInfoGetFilePath" => Some(Single::FilePath),
        "IHttpFileInfoGetLastModifiedString" => Some(Single::LastModifiedString),
        "IHttpFileInfoGetLastModifiedTime" => Some(Single::LastModifiedTime),
        "IHttpFileInfoGetSize" => Some(Single::Size),
        _ => None,
    };
    if let Some(single) = single {
        return Some(module.request_module(move || FileAnswer(single)));
    }
    let lines: &'static [Line] = match name {
        "IHttpFileInfo/AccessCheck" => &[Line::Access],
        "IHttpFileInfo/CheckIfFileHasChanged" => &[Line::Changed],
        "IHttpFileInfo/GetAttributes" => &[Line::Attributes],
        "IHttpFileInfo/GetETag" => &[Line::ETag],
        "IHttpFileInfo/GetFileBuffer" => &[Line::Buffer],
        "IHttpFileInfo/GetFileHandle" => &[Line::Handle],
        "IHttpFileInfo/GetFilePath" => &[Line::Path],
        "IHttpFileInfo/GetHttpCacheAllowed" => &[Line::CacheAllowed],
        "IHttpFileInfo/GetLastModifiedString" => &[Line::LastModifiedString],
        "IHttpFileInfo/GetLastModifiedTime" => &[Line::LastModifiedTime],
        "IHttpFileInfo/GetModuleContextContainer" => &[Line::Context],
        "IHttpFileInfo/GetSize" => &[Line::Size],
        "IHttpFileInfo/GetVrPath" => &[Line::VrPath],
        "IHttpFileInfo/GetVrToken" => &[Line::VrToken],
        "IHttpFileInfo" => &ALL,
        "IHttpServerGetFileInfo" => return Some(module.request_module(|| ServerFileInfo)),
        _ => return None,
    };
    Some(module.request_module(move || FileReport(lines)))
}
