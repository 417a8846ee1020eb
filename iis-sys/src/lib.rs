//! Raw bindings (being generated).
