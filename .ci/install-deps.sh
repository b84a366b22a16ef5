#!/bin/sh
# Installs the Debian packages the extension-host and UI tests need (Debian 12, Node 20 assumed):
# Chromium to show the workbench, and what installing code-server from npm needs offline
# (ripgrep instead of a GitHub download, Kerberos headers and a compiler for its native modules);
# tinyproxy, the HTTP proxy the proxy tests run requests through, and openssl for their test certificate.
# Idempotent: does nothing, and needs no root, when everything is present.
set -eu

missing=""
for package in chromium ripgrep libkrb5-dev fonts-dejavu-core tinyproxy openssl; do
	if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $package"
	fi
done
# node-gyp compiles node-pty and kerberos; any working toolchain on PATH will do.
for tool in make g++ python3; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done

if [ -z "$missing" ]; then
	echo "install-deps: all test dependencies are present."
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "install-deps: need root or sudo to install:$missing" >&2
	exit 1
fi

echo "install-deps: installing$missing"
# `env` because sudo does not pass the caller's environment on.
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086 # one word per package
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
# Debian's tinyproxy package starts a system service on port 8888; the tests start their own,
# so one installed just now is turned off (one the machine already had is left alone).
case " $missing " in
*" tinyproxy "*)
	if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled --quiet tinyproxy 2>/dev/null; then
		$sudo systemctl disable --now tinyproxy || true
	fi
	;;
esac
