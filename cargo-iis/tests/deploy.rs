//! `cargo iis deploy`: the folder, scripts and configuration fragment it
//! writes for x64 and x86 builds (DLLs built here with MinGW-w64).

mod support;

use std::path::Path;

use support::{GCC_X64, GCC_X86, build_dll, cargo_iis, have, temp_dir, text};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .replace("\r\n", "\n")
}

#[test]
fn x64_and_x86_builds_get_their_bitness_for_one_site_path() {
    if !have(GCC_X64) || !have(GCC_X86) {
        return;
    }
    let dir = temp_dir("deploy-both");
    std::fs::create_dir_all(dir.join("x64")).unwrap();
    std::fs::create_dir_all(dir.join("x86")).unwrap();
    build_dll(GCC_X64, &dir.join("x64"), "my_module.dll", &[]);
    build_dll(
        GCC_X86,
        &dir.join("x86"),
        "my_module.dll",
        &["-Wl,--kill-at"],
    );
    std::fs::write(
        dir.join("schema.xml"),
        "<configSchema>\n  <sectionSchema name=\"system.webServer/myModule\">\n    <attribute name=\"enabled\" type=\"bool\" defaultValue=\"true\" />\n  </sectionSchema>\n</configSchema>\n",
    )
    .unwrap();
    let output = cargo_iis(
        &dir,
        &[
            "deploy",
            "--dll",
            "x86/my_module.dll",
            "--dll",
            "x64/my_module.dll",
            "--name",
            "MyModule",
            "--version",
            "1.2.0",
            "--schema",
            "schema.xml",
            "--site",
            "Default Web Site",
            "--path",
            "/app",
            "--out",
            "out",
        ],
    );
    assert!(output.status.success(), "{}", text(&output));
    let out = dir.join("out");

    // The DLLs in the versioned folder, one per bitness, and the schema.
    for file in [
        "x64/my_module.dll",
        "x86/my_module.dll",
        "MyModule_schema.xml",
    ] {
        assert!(out.join("MyModule-1.2.0").join(file).is_file(), "{file}");
    }
    // Windows line endings.
    assert!(
        std::fs::read_to_string(out.join("install.ps1"))
            .unwrap()
            .contains("\r\n")
    );

    let install = read(&out.join("install.ps1"));
    for expected in [
        "#Requires -RunAsAdministrator",
        "[string]$InstallRoot = (Join-Path $env:ProgramFiles 'MyModule')",
        "$Source = Join-Path $PSScriptRoot 'MyModule-1.2.0'",
        "$AppCmd = (Join-Path $env:windir 'system32\\inetsrv\\appcmd.exe')",
        "$Location = 'Default Web Site/app'",
        // A new folder when this version's is there (and maybe loaded).
        "while (Test-Path $Target) {",
        "icacls $Target /grant 'IIS_IUSRS:(OI)(CI)RX'",
        "Register-Module 'MyModule' (Join-Path $Target 'x64\\my_module.dll') 'bitness64'\n",
        "Register-Module 'MyModule32' (Join-Path $Target 'x86\\my_module.dll') 'bitness32'\n",
        "\"/+[name='$Module',image='$Image',preCondition='$Precondition']\" /commit:apphost",
        // An existing registration is pointed at the new folder.
        "\"/[name='$Module'].image:$Image\"",
        "Enable-Module 'MyModule' 'bitness64'\n",
        "Enable-Module 'MyModule32' 'bitness32'\n",
        "Copy-Item -Path (Join-Path $Target 'MyModule_schema.xml') -Destination $SchemaDir -Force",
        "$Group = $Xml.SelectSingleNode('/configuration/configSections/sectionGroup[@name=\"system.webServer\"]')",
        "$Section.SetAttribute('name', 'myModule')",
    ] {
        assert!(
            install.contains(expected),
            "install.ps1 lacks {expected:?}:\n{install}"
        );
    }
    assert!(!install.contains("{{"), "{install}");

    let uninstall = read(&out.join("uninstall.ps1"));
    for expected in [
        "& $AppCmd set config @scope -section:system.webServer/modules \"/-[name='MyModule']\" /commit:apphost | Out-Null",
        "& $AppCmd set config @scope -section:system.webServer/modules \"/-[name='MyModule32']\" /commit:apphost | Out-Null",
        "& $AppCmd set config -section:system.webServer/globalModules \"/-[name='MyModule']\" /commit:apphost | Out-Null",
        "& $AppCmd set config -section:system.webServer/globalModules \"/-[name='MyModule32']\" /commit:apphost | Out-Null",
        "/configuration/configSections/sectionGroup[@name=\"system.webServer\"]/section[@name='myModule']",
        "Remove-Item -Recurse -Force $InstallRoot",
    ] {
        assert!(
            uninstall.contains(expected),
            "uninstall.ps1 lacks {expected:?}:\n{uninstall}"
        );
    }

    assert_eq!(
        read(&out.join("applicationHost.fragment.xml")),
        r#"<!-- The applicationHost.config entries install.ps1 makes for MyModule 1.2.0 (IIS),
     with the DLLs installed under C:\Program Files\MyModule\1.2.0. -->
<configuration>
  <configSections>
    <sectionGroup name="system.webServer">
      <section name="myModule" overrideModeDefault="Allow" />
    </sectionGroup>
  </configSections>
  <system.webServer>
    <globalModules>
      <add name="MyModule" image="C:\Program Files\MyModule\1.2.0\x64\my_module.dll" preCondition="bitness64" />
      <add name="MyModule32" image="C:\Program Files\MyModule\1.2.0\x86\my_module.dll" preCondition="bitness32" />
    </globalModules>
  </system.webServer>
  <location path="Default Web Site/app">
    <system.webServer>
      <modules>
        <add name="MyModule" preCondition="bitness64" />
        <add name="MyModule32" preCondition="bitness32" />
      </modules>
    </system.webServer>
  </location>
</configuration>
"#
    );

    let appcmd = read(&out.join("appcmd.txt"));
    for expected in [
        r#"%windir%\system32\inetsrv\appcmd.exe set config -section:system.webServer/globalModules /+"[name='MyModule',image='C:\Program Files\MyModule\1.2.0\x64\my_module.dll',preCondition='bitness64']" /commit:apphost"#,
        r#"%windir%\system32\inetsrv\appcmd.exe set config -section:system.webServer/globalModules /+"[name='MyModule32',image='C:\Program Files\MyModule\1.2.0\x86\my_module.dll',preCondition='bitness32']" /commit:apphost"#,
        r#"%windir%\system32\inetsrv\appcmd.exe set config "Default Web Site/app" -section:system.webServer/modules /+"[name='MyModule',preCondition='bitness64']" /commit:apphost"#,
        r#"%windir%\system32\inetsrv\appcmd.exe set config -section:system.webServer/globalModules /-"[name='MyModule32']" /commit:apphost"#,
    ] {
        assert!(
            appcmd.contains(expected),
            "appcmd.txt lacks {expected:?}:\n{appcmd}"
        );
    }
}

#[test]
fn an_x64_build_for_iis_express_is_enabled_at_the_server_level() {
    if !have(GCC_X64) {
        return;
    }
    let dir = temp_dir("deploy-express");
    build_dll(GCC_X64, &dir, "my_module.dll", &[]);
    let output = cargo_iis(
        &dir,
        &[
            "deploy",
            "--dll",
            "my_module.dll",
            "--name",
            "MyModule",
            "--version",
            "0.1.0",
            "--iis-express",
            "--out",
            "out",
        ],
    );
    assert!(output.status.success(), "{}", text(&output));
    let out = dir.join("out");
    assert!(!out.join("MyModule-0.1.0/x86").exists());

    let install = read(&out.join("install.ps1"));
    for expected in [
        "[string]$InstallRoot = (Join-Path $env:LOCALAPPDATA 'MyModule')",
        "$AppCmd = (Join-Path $env:ProgramFiles 'IIS Express\\appcmd.exe')",
        "$Location = $null",
        "Register-Module 'MyModule' (Join-Path $Target 'x64\\my_module.dll') 'bitness64'\n",
        "# IIS Express runs as you: no permissions to grant.",
    ] {
        assert!(
            install.contains(expected),
            "install.ps1 lacks {expected:?}:\n{install}"
        );
    }
    for absent in [
        "#Requires -RunAsAdministrator",
        "bitness32",
        "MyModule32",
        "icacls",
        "SchemaDir",
    ] {
        assert!(
            !install.contains(absent),
            "install.ps1 has {absent:?}:\n{install}"
        );
    }
    assert_eq!(
        read(&out.join("applicationHost.fragment.xml")),
        r#"<!-- The applicationHost.config entries install.ps1 makes for MyModule 0.1.0 (IIS Express),
     with the DLLs installed under %LOCALAPPDATA%\MyModule\0.1.0. -->
<configuration>
  <system.webServer>
    <globalModules>
      <add name="MyModule" image="%LOCALAPPDATA%\MyModule\0.1.0\x64\my_module.dll" preCondition="bitness64" />
    </globalModules>
    <modules>
      <add name="MyModule" preCondition="bitness64" />
    </modules>
  </system.webServer>
</configuration>
"#
    );
    let appcmd = read(&out.join("appcmd.txt"));
    assert!(appcmd.contains(
        r#""%ProgramFiles%\IIS Express\appcmd.exe" set config -section:system.webServer/modules /+"[name='MyModule',preCondition='bitness64']" /commit:apphost"#
    ), "{appcmd}");
}

#[test]
fn a_dll_doctor_refuses_is_not_deployed() {
    if !have(GCC_X64) {
        return;
    }
    let dir = temp_dir("deploy-refused");
    build_dll(GCC_X64, &dir, "no_export.dll", &["-DNO_EXPORT"]);
    let output = cargo_iis(
        &dir,
        &[
            "deploy",
            "--dll",
            "no_export.dll",
            "--name",
            "M",
            "--version",
            "1",
            "--out",
            "out",
        ],
    );
    let report = text(&output);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(
        report.contains("does not export RegisterModule"),
        "{report}"
    );
    assert!(!dir.join("out").exists());
}
