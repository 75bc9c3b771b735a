#!/usr/bin/env bash
# The GitHub Action's scan step (action.yml). It runs the committed, bundled CLI
# (action/dist/tollgate.mjs) with the runner's own node: nothing is installed or compiled, and
# the caller's Node.js is left as it is. One scan writes everything: the readable report to the
# log, the annotations, the SARIF file for upload-sarif, and (through -f github) the job summary.
#
# Inputs come as environment variables (set by action.yml from the action's inputs):
#   TOLLGATE_PATHS (space-separated), TOLLGATE_CONFIG, TOLLGATE_CHANGED_SINCE, TOLLGATE_SARIF,
#   TOLLGATE_PR_COMMENT (a file for the pull-request comment; empty: none).
# Outputs go to $GITHUB_OUTPUT: exit-code (Tollgate's), sarif-written (true when the file exists).
set -u

fail_setup() {
  echo "::error title=Tollgate::$1"
  exit 1
}

command -v node >/dev/null 2>&1 ||
  fail_setup "Node.js is not on the PATH: Tollgate needs Node.js 20 or later. GitHub-hosted runners have it; on a self-hosted runner or in a container, install Node.js 20+ (or run actions/setup-node before this action)."
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)
case "$major" in '' | *[!0-9]*) major=0 ;; esac
[ "$major" -ge 20 ] ||
  fail_setup "Node.js $(node --version 2>/dev/null) is too old: Tollgate needs Node.js 20 or later. This action uses the node on the PATH and does not change it: install Node.js 20+ (or run actions/setup-node before this action)."

cli="$GITHUB_ACTION_PATH/action/dist/tollgate.mjs"
TOLLGATE_PATHS="${TOLLGATE_PATHS:-.}"
TOLLGATE_SARIF="${TOLLGATE_SARIF:-tollgate.sarif}"
annotations="$(mktemp "${RUNNER_TEMP:-/tmp}/tollgate-annotations.XXXXXX")"
trap 'rm -f "$annotations"' EXIT
# A report left by an earlier run must not be uploaded (or posted) as this run's.
rm -f "$TOLLGATE_SARIF" ${TOLLGATE_PR_COMMENT:+"$TOLLGATE_PR_COMMENT"}

# Word splitting of TOLLGATE_PATHS is intended: several paths may be given.
# shellcheck disable=SC2086
node "$cli" scan $TOLLGATE_PATHS \
  ${TOLLGATE_CONFIG:+--config "$TOLLGATE_CONFIG"} \
  ${TOLLGATE_CHANGED_SINCE:+--changed-since "$TOLLGATE_CHANGED_SINCE"} \
  --no-color --format pretty,github,sarif --output sarif="$TOLLGATE_SARIF" --output github="$annotations" \
  ${TOLLGATE_PR_COMMENT:+--format pr-comment --output pr-comment="$TOLLGATE_PR_COMMENT"}
code=$?
# The workflow commands reach the runner through the log, after the readable report.
cat "$annotations"
echo "exit-code=$code" >>"$GITHUB_OUTPUT"
if [ -f "$TOLLGATE_SARIF" ]; then echo "sarif-written=true" >>"$GITHUB_OUTPUT"; fi
exit 0
