#!/usr/bin/env bash
# with-broken-manifests.sh FILE SED_SCRIPT COMMAND...: run COMMAND against a copy of deploy/k8s in which
# FILE was edited with SED_SCRIPT (PLUGNODE_K8S_DIR points the checks at the copy). For tests showing that
# a check notices one specific mistake in otherwise good manifests.
set -euo pipefail
file=$1 script=$2
shift 2
source_dir=$(cd "$(dirname "$0")/../../../deploy/k8s" && pwd)
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
cp "$source_dir"/*.yaml "$copy"/
sed -i -e "$script" "$copy/$file"
if cmp -s "$source_dir/$file" "$copy/$file"; then
  echo "with-broken-manifests: '$script' changed nothing in $file"
  exit 1
fi
PLUGNODE_K8S_DIR=$copy "$@"
