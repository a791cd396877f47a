#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine with the .NET 10 SDK. Installs headless Chromium
# (Debian package) when missing: one test renders the clearing report in a real browser.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "warning: could not install chromium; the browser test will fail" >&2
fi
dotnet build Grouper.sln -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet test Grouper.sln -c Release --no-build -nologo "$@"
