#!/bin/bash
# deb/rpm post-install of GRC Console (electron-builder fills ${executable} and
# ${sanitizedProductName}). It starts nothing: IT deploys the configuration first.

# The command on the PATH.
ln -sf '/opt/${sanitizedProductName}/${executable}' '/usr/bin/${executable}'

# Chromium's sandbox: user namespaces when the kernel allows them, else the SUID helper.
if [[ -L /proc/self/ns/user ]] && unshare --user true 2>/dev/null; then
  chmod 0755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
else
  chmod 4755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
fi

# The machine configuration's folder: IT drops config.json there (docs/deployment.md).
# Readable by all (the console reads it as the agent), writable by root only.
install -d -m 0755 /etc/grc-console

if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database /usr/share/applications || true
fi
exit 0
