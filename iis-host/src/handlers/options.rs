//! IIS's `ProtocolSupportModule` as `OPTIONSVerbHandler` (`path="*"
//! verb="OPTIONS"`, before `StaticFile` in IIS's default handler list)
//! runs it: an `OPTIONS` request is answered `200` with the methods the
//! server supports in `Allow` and `Public`, and no entity.
//!
//! `TRACE` (IIS's `TRACEVerbHandler`) is not emulated.

use super::{Answer, Entity};

/// The methods IIS names for `OPTIONS`.
const METHODS: &str = "OPTIONS, TRACE, GET, HEAD, POST";

/// The answer to `method`, for `OPTIONS` only.
pub(crate) fn answer(method: &str) -> Option<Answer> {
    method.eq_ignore_ascii_case("OPTIONS").then(|| Answer {
        status: 200,
        substatus: 0,
        reason: "OK",
        headers: vec![
            ("Allow", METHODS.to_owned()),
            ("Public", METHODS.to_owned()),
        ],
        entity: Entity::Empty,
    })
}
