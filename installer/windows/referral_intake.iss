; Inno Setup script for Referral Intake (Windows). Not built on this project's Linux machines.
; Build: python installer/build.py  (runs iscc with /DAppVersion and /DSourceDir)
; Installs per machine, adds a Start-menu entry and an uninstaller. User data lives in
; %LOCALAPPDATA%\ReferralIntake (platformdirs) and QSettings, never in {app}, so uninstalling
; leaves every clinic database and its key file where they are.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\ReferralIntake"
#endif

[Setup]
AppId={{6F3C2B1E-7A44-4C1B-9E55-2D8B1F0A9C31}
AppName=Referral Intake
AppVersion={#AppVersion}
AppPublisher=Referral Intake
DefaultDirName={autopf}\Referral Intake
DefaultGroupName=Referral Intake
PrivilegesRequired=admin
ArchitecturesInstallIn64BitMode=x64compatible
OutputBaseFilename=ReferralIntake-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
UninstallDisplayIcon={app}\ReferralIntake.exe

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: recursesubdirs createallsubdirs ignoreversion

[Icons]
Name: "{group}\Referral Intake"; Filename: "{app}\ReferralIntake.exe"
Name: "{group}\Uninstall Referral Intake"; Filename: "{uninstallexe}"

[UninstallDelete]
; Only what the installer put in {app}; user data folders are deliberately not listed.
Type: filesandordirs; Name: "{app}\_internal"
