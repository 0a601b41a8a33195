#!/usr/bin/env bash
# Java for the Spark tests and `backspasm screen --engine spark` (Spark 4 needs Java 17 or later):
# Debian's headless JRE, installed only when no such java is on the PATH. Safe to run again,
# needs no terminal; as a user who cannot apt-get, it says so and the Spark tests skip.
set -euo pipefail

java_major() {
  command -v java >/dev/null 2>&1 || { echo 0; return; }
  java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1
}

major=$(java_major)
if [ "${major:-0}" -ge 17 ] 2>/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "java-deps: Java 17+ is missing and this user cannot apt-get install it; the Spark tests will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends default-jre-headless </dev/null >/dev/null
major=$(java_major)
if [ "${major:-0}" -lt 17 ] 2>/dev/null; then
  echo "java-deps: installed Java $major, but Spark needs 17 or later" >&2
  exit 1
fi
