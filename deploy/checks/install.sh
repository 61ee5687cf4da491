#!/usr/bin/env bash
# install.sh: install the pinned npm packages of the deploy checks (package-lock.json) into
# deploy/checks/node_modules with `npm ci`, once per change of the lock file. Serialised with flock, so the
# normal and the ASan build trees may run their suites at the same time.
set -euo pipefail
cd "$(dirname "$0")"
exec 9>.install.lock
flock 9
stamp=node_modules/.plugnode-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "node $(node --version), npm $(npm --version): npm ci in $PWD"
npm ci --no-audit --no-fund --loglevel=error
echo "$want" >"$stamp"
