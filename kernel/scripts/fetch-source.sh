#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian's linux-source-7.3 package (pinned version, sha256-checked) and
# unpack the pristine tree.  The tree appears under $PRISTINE_DIR only once it
# is complete: a failed download, a checksum mismatch or an interrupted unpack
# leaves nothing a later run would mistake for a good tree.
set -euo pipefail

. "$(dirname "$0")/env.sh"

die() { echo "fetch-source: error: $*" >&2; exit 1; }

if [ -f "$PRISTINE_DIR/.complete" ]; then
	exit 0
fi

# Debian publishes linux-source-7.3 in trixie-backports.  Add that suite in
# its own file with a pin priority below 100 so that nothing is ever upgraded
# or installed from it unless asked for by exact version.
SOURCES=/etc/apt/sources.list.d/mptcp-rs-trixie-backports.sources
PREFS=/etc/apt/preferences.d/mptcp-rs-trixie-backports
if [ ! -f "$SOURCES" ]; then
	cat >"$SOURCES" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	cat >"$PREFS" <<PIN
Package: *
Pin: release n=trixie-backports
Pin-Priority: 50
PIN
	apt-get update -qq
fi

deb_dir=$CACHE_DIR/debs
deb=$deb_dir/${KERNEL_DEB_PACKAGE}_${KERNEL_DEB_VERSION//:/%3a}_all.deb
mkdir -p "$deb_dir"

verify() { echo "$KERNEL_DEB_SHA256  $1" | sha256sum --quiet -c - 2>/dev/null; }

if [ ! -f "$deb" ] || ! verify "$deb"; then
	rm -f "$deb"
	tmp=$(mktemp -d "$deb_dir/.download.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	if ! (cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root "$KERNEL_DEB_PACKAGE=$KERNEL_DEB_VERSION"); then
		apt-get update -qq || true
		(cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root "$KERNEL_DEB_PACKAGE=$KERNEL_DEB_VERSION") ||
			die "cannot download $KERNEL_DEB_PACKAGE=$KERNEL_DEB_VERSION from trixie-backports.
  If that version has left the archive, pick the current one with
    apt-cache policy $KERNEL_DEB_PACKAGE
  and run again with KERNEL_DEB_VERSION=<version> KERNEL_DEB_SHA256=<sha256 of the .deb>."
	fi
	got=$(ls "$tmp"/*.deb)
	verify "$got" || die "sha256 mismatch for $(basename "$got"):
  expected $KERNEL_DEB_SHA256
  got      $(sha256sum "$got" | cut -d' ' -f1)"
	mv "$got" "$deb"
fi

# Unpack into a scratch directory next to the target, then rename into place.
parent=$(dirname "$PRISTINE_DIR")
mkdir -p "$parent"
rm -rf "$parent"/.unpack.*
scratch=$(mktemp -d "$parent/.unpack.XXXXXX")
echo "fetch-source: unpacking $(basename "$deb")"
dpkg-deb -x "$deb" "$scratch/deb"
tarball=$(ls "$scratch"/deb/usr/src/linux-source-*.tar.xz 2>/dev/null | head -n1)
[ -n "$tarball" ] || die "no linux-source tarball inside $(basename "$deb")"
tar -C "$scratch" -xf "$tarball"
top=$(find "$scratch" -mindepth 1 -maxdepth 1 -type d -name 'linux-source-*' | head -n1)
[ -n "$top" ] && [ -f "$top/Makefile" ] || die "unexpected layout in $(basename "$tarball")"
grep -q "^VERSION = ${KERNEL_VERSION%%.*}\$" "$top/Makefile" || die "tarball is not Linux $KERNEL_VERSION"
touch "$top/.complete"
rm -rf "$PRISTINE_DIR"
mv "$top" "$PRISTINE_DIR"
rm -rf "$scratch"
echo "fetch-source: pristine tree at $PRISTINE_DIR"
