#!/usr/bin/env bash
# What is published is what works: `npm pack` (its prepack builds the bundle), install the
# tarball into an empty directory, then as a user would: `npx meshbot --help`,
# `npx meshbot sandbox --json` (one line of addresses, the API server answers, SIGTERM to meshbot
# stops it with exit 0 and no kubeconfig left) and `npx meshbot demo` (the stale-endpoints verdict).
# Prints "pack smoke: ok" or why not.
set -uo pipefail
cd "$(dirname "$0")/.."
fail() { echo "pack smoke: FAILED: $*"; exit 1; }

work=$(mktemp -d)
# The meshbot process npx started (npm exec runs it as a grandchild), by its command line.
meshbot_pid() {
  for d in /proc/[0-9]*; do
    if tr '\0' ' ' 2>/dev/null <"$d/cmdline" | grep -q "$work/app/node_modules/.bin/meshbot sandbox"; then
      echo "${d#/proc/}"
    fi
  done
}
cleanup() {
  if [ -n "${pid:-}" ]; then
    for p in $(meshbot_pid); do kill "$p" 2>/dev/null; done
    kill "$pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

tarball=$(npm pack --silent --pack-destination "$work" 2>"$work/pack.err" | tail -n1)
[ -n "$tarball" ] && [ -f "$work/$tarball" ] || fail "npm pack: $(cat "$work/pack.err")"
tar -tzf "$work/$tarball" >"$work/contents" || fail "cannot list $tarball"
for f in package/bin/meshbot.js package/dist/meshbot.js package/proto/destination.proto package/scenarios/emojivoto.yaml; do
  grep -qx "$f" "$work/contents" || fail "$f is not in $tarball"
done
grep -q '^package/src/' "$work/contents" && fail "$tarball ships src/"
for f in runbooks/*; do # runbooks/ is read at run time, like scenarios/ (when the checkout has any)
  [ -f "$f" ] || continue
  grep -qx "package/$f" "$work/contents" || fail "$f is not in $tarball"
done

mkdir "$work/app"
cd "$work/app" || fail "no $work/app"
echo '{"name":"meshbot-pack-smoke","private":true}' >package.json
npm install --no-audit --no-fund --loglevel=error "$work/$tarball" >install.log 2>&1 ||
  fail "installing $tarball: $(cat install.log)"

npx --no-install meshbot --help >help.out 2>&1 || fail "npx meshbot --help: $(cat help.out)"
grep -q '^  endpoints|ep ' help.out || fail "npx meshbot --help lists no endpoints command: $(cat help.out)"

npx --no-install meshbot sandbox --json --pod-ready-delay 0 >sandbox.out 2>sandbox.err &
pid=$!
for _ in $(seq 1 300); do
  [ -s sandbox.out ] && break
  kill -0 "$pid" 2>/dev/null || fail "npx meshbot sandbox exited before printing its addresses: $(cat sandbox.err)"
  sleep 0.1
done
api=$(node -e 'process.stdout.write(JSON.parse(process.argv[1]).apiServer)' "$(head -n1 sandbox.out)") ||
  fail "npx meshbot sandbox --json printed no JSON line within 30 s: $(cat sandbox.out sandbox.err)"
curl -fsS "$api/version" >/dev/null || fail "the packed sandbox's API server $api does not answer"
# SIGTERM goes to meshbot itself, as a process manager sends it: npm exec does not pass a
# SIGTERM it receives on to its child (npm exits 143 and leaves the command running).
child=$(meshbot_pid)
[ -n "$child" ] || fail "cannot find the meshbot process under npx"
kill -TERM "$child"
wait "$pid"; rc=$?
pid=
[ "$rc" -eq 0 ] || fail "npx meshbot sandbox: exit code $rc after SIGTERM (expected 0): $(cat sandbox.err)"
kubeconfig=$(node -e 'process.stdout.write(JSON.parse(process.argv[1]).kubeconfig)' "$(head -n1 sandbox.out)")
[ -e "$kubeconfig" ] && fail "npx meshbot sandbox left its kubeconfig $kubeconfig behind"

timeout 300 npx --no-install meshbot demo >demo.out 2>&1 || fail "npx meshbot demo: $(cat demo.out)"
grep -q 'most likely a deleted pod' demo.out || fail "npx meshbot demo gave no verdict: $(cat demo.out)"
echo "pack smoke: ok"
