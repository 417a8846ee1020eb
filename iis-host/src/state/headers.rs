//! [`HeaderList`]: a request's or response's headers, with IIS's
//! `SetHeader` semantics, and [`Side`], which numbering a header id uses.

use iis_sys::{HTTP_REQUEST_HEADER_NAMES, HTTP_RESPONSE_HEADER_NAMES};

/// Which header numbering an id belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// `HttpHeaderRequestMaximum` = 41 ids.
    Request,
    /// `HttpHeaderResponseMaximum` = 30 ids.
    Response,
}

impl Side {
    /// The known header names, indexed by `HTTP_HEADER_ID` (iis-sys' tables).
    fn names(self) -> &'static [&'static str] {
        match self {
            Side::Request => &HTTP_REQUEST_HEADER_NAMES,
            Side::Response => &HTTP_RESPONSE_HEADER_NAMES,
        }
    }

    /// The number of known headers (`HttpHeaderRequestMaximum` / `HttpHeaderResponseMaximum`).
    pub(crate) fn known_count(self) -> usize {
        self.names().len()
    }

    /// The canonical name of known header `id`, `None` when out of range.
    pub(crate) fn name(self, id: i32) -> Option<&'static str> {
        self.names().get(usize::try_from(id).ok()?).copied()
    }

    /// The id of a known header name (case-insensitive), `None` for unknown headers.
    pub(crate) fn id(self, name: &str) -> Option<i32> {
        (0..self.known_count() as i32).find(|&id| {
            self.name(id)
                .is_some_and(|known| known.eq_ignore_ascii_case(name))
        })
    }
}

/// The most bytes (name and value) of an entry kept for reuse
/// ([`HeaderList::recycle`]).
const SPARE_ENTRY_BYTES: usize = 256;

/// The most entries kept for reuse.
const SPARE_ENTRIES: usize = 32;

/// An ordered header list with the IIS `SetHeader` semantics.
#[derive(Debug, Default)]
pub(crate) struct HeaderList {
    pub(crate) entries: Vec<(String, Vec<u8>)>,
    /// Emptied entries whose buffers new entries reuse (left by the
    /// previous request on the connection).
    spare: Vec<(String, Vec<u8>)>,
}

impl HeaderList {
    /// A list with these entries.
    pub(crate) fn from_entries(entries: Vec<(String, Vec<u8>)>) -> Self {
        HeaderList {
            entries,
            spare: Vec::new(),
        }
    }

    /// Appends a field, in a spare entry's buffers when there is one.
    pub(crate) fn push(&mut self, name: &str, value: &[u8]) {
        let entry = match self.spare.pop() {
            Some((mut spare_name, mut spare_value)) => {
                spare_name.clear();
                spare_name.push_str(name);
                spare_value.clear();
                spare_value.extend_from_slice(value);
                (spare_name, spare_value)
            }
            None => (name.to_owned(), value.to_vec()),
        };
        self.entries.push(entry);
    }

    /// Empties the list for the next request on the connection; its
    /// entries' buffers (the small ones) are kept for [`push`](Self::push)
    /// to reuse.
    pub(crate) fn recycle(&mut self) {
        let small = |(name, value): &(String, Vec<u8>)| {
            name.capacity() + value.capacity() <= SPARE_ENTRY_BYTES
        };
        self.spare.extend(self.entries.drain(..).filter(small));
        self.spare.truncate(SPARE_ENTRIES);
        if self.entries.capacity() > SPARE_ENTRIES {
            self.entries = Vec::new();
        }
    }

    /// The value IIS returns for `name`: the values of every field of that
    /// name joined with `", "` (one field: its value), `None` when absent.
    pub(crate) fn get(&self, name: &str) -> Option<Vec<u8>> {
        let mut values = self
            .entries
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice());
        let first = values.next()?;
        let mut joined = first.to_vec();
        for more in values {
            joined.extend_from_slice(b", ");
            joined.extend_from_slice(more);
        }
        Some(joined)
    }

    /// `SetHeader`: with `replace`, the value replaces every field of that
    /// name (keeping the position of the first); without, it is appended: to
    /// the existing value after `", "` for a known single-valued header, as a
    /// separate field for `Set-Cookie` and unknown headers (as IIS keeps them
    /// in its unknown-header list).
    pub(crate) fn set(&mut self, side: Side, name: &str, value: &[u8], replace: bool) {
        let position = self
            .entries
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name));
        match position {
            None => self.push(name, value),
            Some(first) if replace => {
                let existing = &mut self.entries[first].1;
                existing.clear();
                existing.extend_from_slice(value);
                let mut index = 0;
                self.entries.retain(|(n, _)| {
                    let keep = index <= first || !n.eq_ignore_ascii_case(name);
                    index += 1;
                    keep
                });
            }
            Some(first) => {
                let separate = side.id(name).is_none() || name.eq_ignore_ascii_case("Set-Cookie");
                if separate {
                    self.push(name, value);
                } else {
                    let existing = &mut self.entries[first].1;
                    if existing.is_empty() {
                        existing.extend_from_slice(value);
                    } else {
                        existing.extend_from_slice(b", ");
                        existing.extend_from_slice(value);
                    }
                }
            }
        }
    }

    /// `DeleteHeader`: removes every field of that name; whether any was there.
    pub(crate) fn delete(&mut self, name: &str) -> bool {
        let before = self.entries.len();
        self.entries.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        before != self.entries.len()
    }
}
