//! Parser of `iis-sys/abi/httpserv-vtables.md`, the authoritative MSVC slot
//! table of every polymorphic class in httpserv.h.

/// One vtable slot as the table gives it.
#[derive(Debug, Clone)]
pub struct Slot {
    /// 0-based slot index from the vfptr.
    pub index: usize,
    /// C++ method name (`~CHttpModule` for the scalar deleting destructor).
    pub method: String,
    /// `true` for `const` member functions.
    pub is_const: bool,
    /// Return type, header spelling.
    pub returns: String,
    /// Parameter types, header spelling, in order.
    pub params: Vec<String>,
    /// The class whose declaration created the slot.
    pub introduced_by: String,
}

/// One class with its full table (inherited slots included).
#[derive(Debug, Clone)]
pub struct Class {
    /// C++ class name.
    pub name: String,
    /// Direct base class, if any.
    pub base: Option<String>,
    /// `__declspec(uuid)` of the class, if it has one.
    pub uuid: Option<String>,
    /// Every slot, in slot order.
    pub slots: Vec<Slot>,
}

/// Parses every `## Name (base: …) — N slots` section of the table.
pub fn parse(text: &str) -> Result<Vec<Class>, String> {
    let mut classes: Vec<Class> = Vec::new();
    let mut declared_slots = Vec::new();
    for line in text.lines() {
        if let Some(head) = line.strip_prefix("## ") {
            let Some((name, rest)) = head.split_once(" (base: ") else {
                continue;
            };
            let (base, count) = rest
                .split_once(") — ")
                .ok_or_else(|| format!("bad class heading: {line}"))?;
            let count: usize = count
                .trim_end_matches(" slots")
                .parse()
                .map_err(|_| format!("bad slot count: {line}"))?;
            declared_slots.push(count);
            classes.push(Class {
                name: name.to_string(),
                base: (base != "none").then(|| base.to_string()),
                uuid: None,
                slots: Vec::new(),
            });
        } else if let Some(class) = classes.last_mut() {
            if let Some(uuid) = line.strip_prefix("uuid `") {
                class.uuid = Some(uuid.trim_end_matches('`').to_string());
            } else if let Some(slot) = parse_row(line)? {
                class.slots.push(slot);
            }
        }
    }
    for (class, count) in classes.iter().zip(declared_slots) {
        if class.slots.len() != count {
            return Err(format!(
                "{} declares {count} slots but lists {}",
                class.name,
                class.slots.len()
            ));
        }
        for (i, slot) in class.slots.iter().enumerate() {
            if slot.index != i {
                return Err(format!("{}: slot {} out of order", class.name, slot.index));
            }
        }
    }
    Ok(classes)
}

fn parse_row(line: &str) -> Result<Option<Slot>, String> {
    let cells: Vec<&str> = line.split('|').map(str::trim).collect();
    // "| slot | method | const? | returns | parameters | introduced by | pure? |"
    if cells.len() != 9 {
        return Ok(None);
    }
    let Ok(index) = cells[1].parse::<usize>() else {
        return Ok(None);
    };
    let method = cells[2]
        .split_whitespace()
        .next()
        .ok_or_else(|| format!("empty method: {line}"))?
        .to_string();
    let params = match cells[5] {
        "(none)" => Vec::new(),
        // The destructor's hidden MSVC parameter, described in prose.
        _ if method.starts_with('~') => vec!["unsigned int flags".to_string()],
        p => split_params(p),
    };
    Ok(Some(Slot {
        index,
        method,
        is_const: cells[3] == "const",
        returns: cells[4].to_string(),
        params,
        introduced_by: cells[6].to_string(),
    }))
}

/// Splits a parameter list on the commas that are not inside `[…]`.
fn split_params(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    for ch in list.chars() {
        match ch {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(cur.trim().to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    out.push(cur.trim().to_string());
    out
}
