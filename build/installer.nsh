; NSIS additions to GRC Console's installer (electron-builder `nsis.include`).
; Silent per-machine install for IT, with the central server's address:
;   grc-console-x.y.z-x64.exe /S /SERVERURL=https://grc.ville.fr /D=C:\Apps\GRC Console
; /SERVERURL writes the machine configuration (%ProgramData%\GRC Console\config.json) when
; there is none yet; an existing one, or a GPO, is never overwritten. https:// only.
!include "LogicLib.nsh"
!include "FileFunc.nsh"

!macro customInstall
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/SERVERURL=" $R1
  ${IfNot} ${Errors}
    StrCpy $R2 $R1 8
    ${If} $R2 == "https://"
      SetShellVarContext all
      CreateDirectory "$APPDATA\GRC Console"
      ${IfNot} ${FileExists} "$APPDATA\GRC Console\config.json"
        FileOpen $R3 "$APPDATA\GRC Console\config.json" w
        FileWrite $R3 '{"sync":{"serverUrl":"$R1"}}$\r$\n'
        FileClose $R3
      ${EndIf}
    ${Else}
      DetailPrint "GRC Console : /SERVERURL ignoré, une adresse https:// est attendue."
    ${EndIf}
  ${EndIf}
!macroend
