//! Windows security values IIS hands out: token handles (`HANDLE`) and SIDs
//! (`PSID`), and `IHttpTokenEntry`, the token cache's entry.

use core::fmt;
use core::marker::PhantomData;
use iis_sys::Ref;
use iis_sys::{HANDLE, IHttpTokenEntry, PSID};

/// What a `HANDLE` IIS returned is, as the samples print it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HandleState {
    /// `NULL`.
    Null,
    /// `INVALID_HANDLE_VALUE` (-1).
    Invalid,
    /// Anything else.
    Valid,
}

impl HandleState {
    /// Classifies `handle`.
    pub fn of(handle: HANDLE) -> Self {
        if handle.0.is_null() {
            HandleState::Null
        } else if handle.0 as isize == -1 {
            HandleState::Invalid
        } else {
            HandleState::Valid
        }
    }

    /// `NULL`, `INVALID_HANDLE_VALUE` or `valid`.
    pub fn as_str(self) -> &'static str {
        match self {
            HandleState::Null => "NULL",
            HandleState::Invalid => "INVALID_HANDLE_VALUE",
            HandleState::Valid => "valid",
        }
    }
}

impl fmt::Display for HandleState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A security identifier copied out of IIS (`SID`): its binary form, and
/// `S-1-5-…` through `Display` (as `ConvertSidToStringSid` writes it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sid {
    bytes: Vec<u8>,
}

/// `SID_MAX_SUB_AUTHORITIES`.
const MAX_SUB_AUTHORITIES: u8 = 15;

impl Sid {
    /// A copy of the SID at `sid`, or `None` if it is not a valid SID
    /// (what `IsValidSid` checks: revision 1, at most 15 sub-authorities).
    ///
    /// # Safety
    /// `sid` is null or points at a SID header (8 bytes) followed by its
    /// sub-authorities, as IIS returns it.
    pub(crate) unsafe fn copy(sid: PSID) -> Option<Self> {
        let p = sid.0.cast::<u8>();
        if p.is_null() {
            return None;
        }
        // SAFETY: a SID starts with 8 readable header bytes.
        let header = unsafe { core::slice::from_raw_parts(p, 8) };
        let (revision, count) = (header[0], header[1]);
        if revision != 1 || count > MAX_SUB_AUTHORITIES {
            return None;
        }
        let len = 8 + 4 * usize::from(count);
        // SAFETY: a valid SID has `count` 4-byte sub-authorities after the
        // header.
        let bytes = unsafe { core::slice::from_raw_parts(p, len) }.to_vec();
        Some(Self { bytes })
    }

    /// A SID from its binary form, if valid.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let (&revision, &count) = (bytes.first()?, bytes.get(1)?);
        if revision != 1 || count > MAX_SUB_AUTHORITIES || bytes.len() != 8 + 4 * usize::from(count)
        {
            return None;
        }
        Some(Self {
            bytes: bytes.to_vec(),
        })
    }

    /// The binary form.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Display for Sid {
    /// `S-1-<authority>-<sub>-…`; the authority in hex (`0x…`) when it does
    /// not fit 32 bits, as `ConvertSidToStringSid` does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let authority = self.bytes[2..8]
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        write!(f, "S-{}-", self.bytes[0])?;
        if authority >> 32 == 0 {
            write!(f, "{authority}")?;
        } else {
            write!(f, "0x{authority:012X}")?;
        }
        for sub in self.bytes[8..].chunks_exact(4) {
            write!(
                f,
                "-{}",
                u32::from_le_bytes([sub[0], sub[1], sub[2], sub[3]])
            )?;
        }
        Ok(())
    }
}

/// An entry of IIS's token cache (`IHttpTokenEntry`): a logged-on user's
/// tokens and SID.
#[derive(Debug)]
pub struct TokenEntry<'a> {
    raw: Ref<'a, IHttpTokenEntry>,
    _owner: PhantomData<(&'a (), *mut ())>,
}

impl<'a> TokenEntry<'a> {
    pub(crate) fn new(raw: Ref<'a, IHttpTokenEntry>) -> Self {
        Self {
            raw,
            _owner: PhantomData,
        }
    }

    /// The raw `IHttpTokenEntry`.
    pub fn as_raw(&self) -> *mut IHttpTokenEntry {
        self.raw.as_ptr()
    }

    /// The impersonation token.
    #[doc(alias = "GetImpersonationToken")]
    pub fn impersonation_token(&self) -> HANDLE {
        self.raw.GetImpersonationToken()
    }

    /// The primary token.
    #[doc(alias = "GetPrimaryToken")]
    pub fn primary_token(&self) -> HANDLE {
        self.raw.GetPrimaryToken()
    }

    /// The user's SID: `None` if IIS has none, `Some(None)` if it is not a
    /// valid SID.
    #[doc(alias = "GetSid")]
    pub fn sid(&self) -> Option<Option<Sid>> {
        let sid = self.raw.GetSid();
        if sid.0.is_null() {
            return None;
        }
        // SAFETY: IIS returns the entry's SID, valid while the entry lives.
        Some(unsafe { Sid::copy(sid) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sids_render_as_convert_sid_to_string_sid_does() {
        // S-1-5-21-1-2-3-500
        let mut bytes = vec![1, 5, 0, 0, 0, 0, 0, 5];
        for sub in [21u32, 1, 2, 3, 500] {
            bytes.extend_from_slice(&sub.to_le_bytes());
        }
        let sid = Sid::from_bytes(&bytes).expect("valid");
        assert_eq!(sid.to_string(), "S-1-5-21-1-2-3-500");
        assert!(Sid::from_bytes(&bytes[..9]).is_none());
        assert_eq!(
            HandleState::of(HANDLE(core::ptr::null_mut())),
            HandleState::Null
        );
        assert_eq!(
            HandleState::of(HANDLE(-1isize as *mut _)).as_str(),
            "INVALID_HANDLE_VALUE"
        );
    }
}
