#!/usr/bin/env bash
# Smoke test of the built `meshbot sandbox` binary (run after `npm run build`), under the node
# on PATH or MESHBOT_NODE (CI also runs it under Node 24):
# --json prints one line of addresses once ready; the API server answers through the
# kubeconfig; the admin API answers; SIGTERM stops it with exit 0; a bad scenario exits 2
# with the validation message and no stack trace. Prints "sandbox smoke: ok" or why not.
set -uo pipefail
cd "$(dirname "$0")/.."
CLI=${MESHBOT_CLI:-bin/meshbot.js}
NODE=${MESHBOT_NODE:-node}
fail() { echo "sandbox smoke: FAILED: $*"; exit 1; }
[ -f "$CLI" ] && [ -f dist/meshbot.js ] || fail "$CLI or dist/meshbot.js not found (run npm run build first)"

out=$(mktemp); err=$(mktemp); bad=$(mktemp --suffix=.yaml)
trap 'rm -f "$out" "$err" "$bad"; [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null' EXIT

"$NODE" "$CLI" sandbox --json --pod-ready-delay 0 >"$out" 2>"$err" &
pid=$!
for _ in $(seq 1 300); do
  [ -s "$out" ] && break
  kill -0 "$pid" 2>/dev/null || fail "exited before printing its addresses: $(cat "$err")"
  sleep 0.1
done
line=$(head -n1 "$out")
[ -n "$line" ] || fail "no JSON line within 30 s"
field() { node -e 'const o=JSON.parse(process.argv[1]); process.stdout.write(String(o[process.argv[2]] ?? ""))' "$line" "$1"; }
api=$(field apiServer); kubeconfig=$(field kubeconfig); admin=$(field admin); destination=$(field destination)
[[ "$destination" =~ ^127\.0\.0\.1:[0-9]+$ ]] || fail "bad destination address: $destination"
curl -fsS "$api/version" >/dev/null || fail "API server $api does not answer"
curl -fsS "$admin/healthz" | grep -q '"ok"' || fail "admin API $admin does not answer"
if command -v kubectl >/dev/null 2>&1; then
  pods=$(KUBECONFIG=$kubeconfig kubectl get pods -n emojivoto --no-headers 2>&1)
  grep -q Running <<<"$pods" || fail "kubectl sees no running pods: $pods"
fi
kill -TERM "$pid"
wait "$pid"; rc=$?
pid=
[ "$rc" -eq 0 ] || fail "exit code $rc after SIGTERM (expected 0)"
[ -e "$kubeconfig" ] && fail "temporary kubeconfig $kubeconfig left behind"

printf 'name: bad\ndeployments:\n  - name: web\n    namespace: emojivoto\n    replicas: three\n' >"$bad"
"$NODE" "$CLI" sandbox --scenario "$bad" --json >"$out" 2>"$err"; rc=$?
[ "$rc" -eq 2 ] || fail "bad scenario: exit code $rc (expected 2)"
grep -q 'deployments\[0\].replicas: expected a whole number >= 0, got "three"' "$err" || fail "bad scenario message: $(cat "$err")"
grep -q '^\s*at ' "$err" && fail "bad scenario printed a stack trace"
echo "sandbox smoke: ok"
