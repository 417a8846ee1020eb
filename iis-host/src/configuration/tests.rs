use super::*;

const SCHEMA: &str = r#"<configSchema>
  <sectionSchema name="system.webServer/demo">
    <attribute name="enabled" type="bool" defaultValue="true" />
    <attribute name="mode" type="enum" defaultValue="Append">
      <enum name="Append" value="0" /><enum name="Replace" value="1" />
    </attribute>
    <collection addElement="add" removeElement="remove" clearElement="clear">
      <attribute name="name" type="string" required="true" isUniqueKey="true" />
      <attribute name="value" type="string" />
    </collection>
  </sectionSchema>
</configSchema>"#;

const APPHOST_XML: &str = r#"<configuration>
  <configSections>
    <sectionGroup name="system.webServer">
      <section name="demo" overrideModeDefault="Allow" />
    </sectionGroup>
  </configSections>
  <system.webServer>
    <demo><add name="A" value="1" /><add name="B" value="2" /></demo>
  </system.webServer>
  <location path="Site/locked" overrideMode="Deny">
    <system.webServer><demo mode="Replace" /></system.webServer>
  </location>
</configuration>"#;

struct Tree(PathBuf);

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn setup(name: &str, files: &[(&str, &str)]) -> (Tree, Sources) {
    let root = std::env::temp_dir().join(format!("iis-host-config-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("site")).unwrap();
    std::fs::write(root.join("applicationHost.config"), APPHOST_XML).unwrap();
    for (path, text) in files {
        let p = root.join("site").join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let mut schemas = Schemas::default();
    schemas.add_file("demo_schema.xml", SCHEMA).unwrap();
    let sources = Sources {
        watched: Default::default(),
        merged: Default::default(),
        application_host: Some(root.join("applicationHost.config")),
        schemas,
        site_name: "Site".to_owned(),
        physical_path: root.join("site"),
    };
    (Tree(root), sources)
}

fn names(node: &Node) -> Vec<String> {
    node.entries
        .as_ref()
        .unwrap()
        .iter()
        .map(|e| format!("{}={}", e.props[0].text(), e.props[1].text()))
        .collect()
}

#[test]
fn apphost_values_and_schema_defaults_apply_everywhere() {
    let (_t, s) = setup("defaults", &[]);
    let node = s
        .section("system.webServer/demo", "MACHINE/WEBROOT/APPHOST/Site/x")
        .unwrap();
    assert_eq!(node.props[0].text(), "true");
    assert!(node.props[0].raw.is_none());
    assert_eq!(names(&node), ["A=1", "B=2"]);
}

#[test]
fn web_config_levels_add_remove_and_clear() {
    let (_t, s) = setup(
        "levels",
        &[
            (
                "web.config",
                r#"<configuration><system.webServer><demo enabled="false"><remove name="a" /><add name="C" value="3" /></demo></system.webServer>
               <location path="sub/deeper"><system.webServer><demo mode="Replace" /></system.webServer></location></configuration>"#,
            ),
            (
                "sub/web.config",
                r#"<configuration><system.webServer><demo><clear /><add name="D" value="4" /></demo></system.webServer></configuration>"#,
            ),
        ],
    );
    let root = s
        .section("system.webServer/demo", "MACHINE/WEBROOT/APPHOST/Site")
        .unwrap();
    assert_eq!(root.props[0].text(), "false");
    assert_eq!(names(&root), ["B=2", "C=3"]);
    let sub = s
        .section("system.webServer/demo", "MACHINE/WEBROOT/APPHOST/Site/sub")
        .unwrap();
    assert_eq!(names(&sub), ["D=4"]);
    assert_eq!(sub.props[1].text(), "Append");
    let deeper = s
        .section(
            "system.webServer/demo",
            "MACHINE/WEBROOT/APPHOST/Site/sub/deeper",
        )
        .unwrap();
    assert_eq!(deeper.props[1].text(), "Replace");
    assert_eq!(deeper.props[0].text(), "false");
}

#[test]
fn duplicate_add_unknown_attribute_and_locked_sections_fail() {
    let (_t, s) = setup(
        "faults",
        &[
            (
                "web.config",
                r#"<configuration><system.webServer><demo><add name="a" /></demo></system.webServer></configuration>"#,
            ),
            (
                "bad/web.config",
                r#"<configuration><system.webServer><demo colour="red" /></system.webServer></configuration>"#,
            ),
            (
                "locked/web.config",
                r#"<configuration><system.webServer><demo /></system.webServer></configuration>"#,
            ),
        ],
    );
    let dup = s
        .section("system.webServer/demo", "MACHINE/WEBROOT/APPHOST/Site")
        .unwrap_err();
    assert_eq!(dup.hr, HRESULT_ERROR_ALREADY_EXISTS);
    let bad = s
        .section("system.webServer/demo", "MACHINE/WEBROOT/APPHOST/Site/bad")
        .unwrap_err();
    assert_eq!(
        bad.hr, HRESULT_ERROR_ALREADY_EXISTS,
        "the parent's duplicate comes first"
    );
    let (_t2, s2) = setup(
        "faults2",
        &[
            (
                "bad/web.config",
                r#"<configuration><system.webServer><demo colour="red" /></system.webServer></configuration>"#,
            ),
            (
                "locked/web.config",
                r#"<configuration><system.webServer><demo /></system.webServer></configuration>"#,
            ),
        ],
    );
    let bad = s2
        .section("system.webServer/demo", "MACHINE/WEBROOT/APPHOST/Site/bad")
        .unwrap_err();
    assert_eq!((bad.hr, bad.line), (HRESULT_ERROR_INVALID_DATA, 1));
    assert!(bad.message.contains("colour"), "{bad}");
    let locked = s2
        .section(
            "system.webServer/demo",
            "MACHINE/WEBROOT/APPHOST/Site/locked",
        )
        .unwrap_err();
    assert_eq!(locked.hr, HRESULT_ERROR_LOCK_VIOLATION);
    let unknown = s2
        .section("system.webServer/nope", "MACHINE/WEBROOT/APPHOST/Site")
        .unwrap_err();
    assert_eq!(unknown.hr, E_INVALIDARG);
}

#[test]
fn a_merged_section_is_kept_until_a_file_it_came_from_changes() {
    let (t, s) = setup(
        "kept",
        &[(
            "web.config",
            r#"<configuration><system.webServer><demo><add name="C" value="3" /></demo></system.webServer></configuration>"#,
        )],
    );
    let read = || {
        s.section("system.webServer/demo", "MACHINE/WEBROOT/APPHOST/Site")
            .unwrap()
    };
    let first = read();
    assert!(Arc::ptr_eq(&first, &read()), "merged once, then kept");
    assert!(s.changed().is_empty());
    std::fs::write(
        t.0.join("site/web.config"),
        r#"<configuration><system.webServer><demo><clear /><add name="D" value="4" /></demo></system.webServer></configuration>"#,
    )
    .unwrap();
    assert_eq!(s.changed(), ["MACHINE/WEBROOT/APPHOST/Site"]);
    let second = read();
    assert!(!Arc::ptr_eq(&first, &second));
    assert_eq!(names(&second), ["D=4"]);
}
