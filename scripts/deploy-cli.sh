#!/bin/sh
# The production folder of the sfn-bullmq CLI: the package as packed (its `files`), its production
# dependencies only, and our workspace packages as packed (dist, no tests). The Dockerfile's final
# stage is this folder; the consumer suite runs the CLI from the same folder, so both see one layout.
# Usage: scripts/deploy-cli.sh <outdir>   (after `pnpm build`; <outdir> must not exist or be empty)
set -eu
if [ "$#" -ne 1 ]; then
  echo "usage: scripts/deploy-cli.sh <outdir>" >&2
  exit 2
fi
case "$1" in
  /*) out="$1" ;;
  *) out="$PWD/$1" ;;
esac
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
for built in apps/cli/dist/cli.js apps/example-worker/dist/main.js packages/bridge/dist/cjs/index.js; do
  if [ ! -f "$built" ]; then
    echo "scripts/deploy-cli.sh: $built is missing; run 'pnpm build' first" >&2
    exit 1
  fi
done
# --legacy: pnpm 10 otherwise wants inject-workspace-packages for the whole workspace, which would
# stop a rebuilt package from being seen by its dependents during development.
pnpm --filter sfn-bullmq deploy --prod --legacy "$out"
