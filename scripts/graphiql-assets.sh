#!/usr/bin/env bash
# scripts/graphiql-assets.sh — refresh the GraphiQL assets the server embeds
# (server/graphiql/assets), from the npm packages of the pinned versions
# below, so that /graphiql loads with no request leaving the machine
# (sub-district networks are intranets). Run it after changing a version and
# commit the result; the build itself never touches the network.
set -euo pipefail

GRAPHIQL=3.8.3 # the last GraphiQL with a UMD bundle for a plain page
REACT=18.3.1   # React 18 is the last with UMD builds

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
DEST=$ROOT/server/graphiql/assets
WORK=$(mktemp -d)
trap 'rm -rf -- "$WORK"' EXIT
cd "$WORK"
npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" >/dev/null
for pkg in "graphiql-$GRAPHIQL" "react-$REACT" "react-dom-$REACT"; do
	mkdir "$pkg" && tar -xzf "$pkg.tgz" -C "$pkg" --strip-components=1
done
rm -rf -- "$DEST"
mkdir -p "$DEST"
cp "graphiql-$GRAPHIQL/graphiql.min.js" "graphiql-$GRAPHIQL/graphiql.min.css" "$DEST/"
cp "react-$REACT/umd/react.production.min.js" "react-dom-$REACT/umd/react-dom.production.min.js" "$DEST/"
for pkg in "graphiql-$GRAPHIQL" "react-$REACT"; do
	cp "$pkg/LICENSE" "$DEST/LICENSE.${pkg%-*}"
done
printf 'graphiql %s\nreact %s\nreact-dom %s\n' "$GRAPHIQL" "$REACT" "$REACT" >"$DEST/VERSIONS"
echo "graphiql-assets: $DEST"
ls -l "$DEST"
