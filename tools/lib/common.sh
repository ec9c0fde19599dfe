# Sourced by the scripts in tools/: finds JDK 25 and the repository, never relying on PATH's java.
# shellcheck shell=bash

XLB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
XLB_JDK_MIN=25

die() { printf 'xlb: %s\n' "$*" >&2; exit 1; }

java_major() { # JAVA_BIN -> major version, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}

# Sets JAVA_HOME to a JDK >= 25: $XLB_JAVA_HOME if set, else Temurin 25 where Debian puts it,
# else the newest JDK under /usr/lib/jvm that is new enough.
find_jdk() {
  local candidates=() c v
  [[ -n ${XLB_JAVA_HOME:-} ]] && candidates+=("$XLB_JAVA_HOME")
  candidates+=(/usr/lib/jvm/temurin-25-jdk-amd64)
  while IFS= read -r c; do candidates+=("$c"); done < <(ls -d /usr/lib/jvm/*/ 2>/dev/null | sed 's:/$::' | sort -rV)
  for c in "${candidates[@]}"; do
    [[ -x $c/bin/java && -x $c/bin/javac ]] || continue
    v=$(java_major "$c/bin/java")
    if [[ -n $v && $v -ge $XLB_JDK_MIN ]]; then
      export JAVA_HOME=$c
      return 0
    fi
  done
  die "no JDK ${XLB_JDK_MIN} or newer found (looked at \$XLB_JAVA_HOME and /usr/lib/jvm): install Temurin ${XLB_JDK_MIN} (https://adoptium.net/installation/linux/) or point XLB_JAVA_HOME at one"
}

# Maven runs on the JDK found above; the toolchains plugin in pom.xml checks it again for javac
# and the test JVMs. Maven 3.8's bundled guava calls sun.misc.Unsafe, which JDK 25 warns about.
mvn_cmd() {
  find_jdk
  command -v mvn >/dev/null 2>&1 || die "mvn not found: install the Debian package 'maven' (sudo tools/setup)"
  MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" mvn -B -f "$XLB_ROOT/pom.xml" "$@"
}

is_root() { [[ $(id -u) -eq 0 ]]; }

package_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# Installs the Debian packages named that are missing (as root). Daemons that packages start on
# install (nginx, keepalived, prometheus, libvirtd) are not wanted outside tests: policy-rc.d
# keeps them from starting meanwhile.
ensure_packages() {
  local missing=() p policy=/usr/sbin/policy-rc.d created=0 rc=0
  for p in "$@"; do package_installed "$p" || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  is_root || die "missing Debian packages ${missing[*]}: run as root (sudo) to install them"
  echo "xlb setup: installing ${missing[*]}" >&2
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created=1
  fi
  { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } || rc=$?
  ((created)) && rm -f "$policy"
  ((rc == 0)) || die "apt-get install ${missing[*]} failed"
}
