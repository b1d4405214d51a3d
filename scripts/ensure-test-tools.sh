#!/usr/bin/env bash
# What the test suite needs besides npm packages, installed when missing: Debian's
# `prometheus` (the metrics tests run a real server on loopback) and `kubectl` (the sandbox's
# compatibility and manifests tests drive the real client). Runs before `npm test` (pretest)
# and in CI. Installing needs root (or sudo) and Debian's apt; without them it says what to
# install and fails, instead of letting the tests fail one by one.
set -uo pipefail

missing=()
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v kubectl >/dev/null 2>&1 || missing+=(kubectl)
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
    echo "The tests need ${missing[*]} (Debian packages). Install them as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests need ${missing[*]}, and this machine has no apt-get to install them with. Install them, then run npm test again." >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "installing ${missing[*]} (Debian packages) for the tests" >&2
"${sudo[@]}" apt-get update -qq || { echo "apt-get update failed" >&2; exit 1; }
for pkg in "${missing[@]}"; do
  case "$pkg" in
    prometheus)
      "${sudo[@]}" apt-get install -y -qq --no-install-recommends prometheus >/dev/null ||
        { echo "could not install prometheus" >&2; exit 1; } ;;
    kubectl)
      # Debian names the client kubectl in newer releases, kubernetes-client in older ones.
      "${sudo[@]}" apt-get install -y -qq kubectl >/dev/null 2>&1 ||
        "${sudo[@]}" apt-get install -y -qq kubernetes-client >/dev/null ||
        { echo "could not install kubectl" >&2; exit 1; } ;;
  esac
done
