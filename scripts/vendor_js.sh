#!/usr/bin/env bash
# Re-fetch the front-end files served by the web app, at pinned versions, from the npm registry
# (through `npm pack`, so the registry configured for npm is used). The pages load only these
# files: nothing comes from a CDN, so the dashboard works offline.
#
# usage: scripts/vendor_js.sh            (run from anywhere; needs npm and tar)
set -euo pipefail

VEGA=5.33.1
VEGA_VIEW=5.16.1  # for the license text of vega (see below)
VEGA_INTERPRETER=1.2.1  # evaluates Vega expressions without eval (the pages' CSP forbids it)
VEGA_LITE=5.23.0
VEGA_EMBED=6.29.0
HTMX=2.0.11

here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/src/socialpulse/interfaces/web/static/vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

fetch() {  # name version -> unpacked package folder
    local name="$1" version="$2"
    (cd "$tmp" && npm pack --silent "$name@$version" >/dev/null)
    local tgz
    tgz="$(ls "$tmp"/*.tgz)"  # one at a time: each tarball is unpacked and removed
    mkdir -p "$tmp/$name"
    tar -xzf "$tgz" -C "$tmp/$name" --strip-components=1
    rm -f "$tgz"
}

mkdir -p "$dest"
rm -f "$dest"/*.js "$dest"/*LICENSE*

fetch vega "$VEGA"
cp "$tmp/vega/build/vega.min.js" "$dest/vega.min.js"
# the vega package ships no LICENSE file; vega-view (a dependency of this vega release, from the
# same monorepo) carries the same BSD-3-Clause text and copyright
fetch vega-view "$VEGA_VIEW"
cp "$tmp/vega-view/LICENSE" "$dest/vega.LICENSE"

# from the same monorepo, with no LICENSE file either: the same text applies
fetch vega-interpreter "$VEGA_INTERPRETER"
cp "$tmp/vega-interpreter/build/vega-interpreter.min.js" "$dest/vega-interpreter.min.js"
cp "$tmp/vega-view/LICENSE" "$dest/vega-interpreter.LICENSE"

fetch vega-lite "$VEGA_LITE"
cp "$tmp/vega-lite/build/vega-lite.min.js" "$dest/vega-lite.min.js"
cp "$tmp/vega-lite/LICENSE" "$dest/vega-lite.LICENSE"

fetch vega-embed "$VEGA_EMBED"
cp "$tmp/vega-embed/build/vega-embed.min.js" "$dest/vega-embed.min.js"
cp "$tmp/vega-embed/LICENSE" "$dest/vega-embed.LICENSE"

fetch htmx.org "$HTMX"
cp "$tmp/htmx.org/dist/htmx.min.js" "$dest/htmx.min.js"
cp "$tmp/htmx.org/LICENSE" "$dest/htmx.LICENSE"

cat > "$dest/VERSIONS" <<VERSIONS
vega $VEGA
vega-interpreter $VEGA_INTERPRETER
vega-lite $VEGA_LITE
vega-embed $VEGA_EMBED
htmx.org $HTMX
VERSIONS
echo "vendored into $dest:"
cat "$dest/VERSIONS"
