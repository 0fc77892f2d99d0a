#!/usr/bin/env bash
# Writes the site's notices file: the licence of every third-party work compiled into app.wasm
# and compute.wasm, taken from the files their sources and Debian packages ship (nothing of theirs
# is kept in this repository).
#   scripts/notices.sh OUT.txt
set -euo pipefail
out="$1"
cache="${GRADSCOPE_CACHE:-$HOME/.cache/gradscope}"

# name | licence | where its text is
parts=(
  "Dear ImGui 1.86|MIT|$cache/src/imgui-1.86/LICENSE.txt"
  "SDL 2.26.5|zlib|$cache/src/SDL2-2.26.5/LICENSE.txt"
  "nlohmann/json|MIT|/usr/share/doc/nlohmann-json3-dev/copyright"
  "Eigen 3.4|MPL-2.0|/usr/share/doc/libeigen3-dev/copyright"
  "Eigen 3.4: the Mozilla Public License 2.0 in full|MPL-2.0|/usr/share/common-licenses/MPL-2.0"
  "Inter (the user-interface font)|SIL Open Font License 1.1|/usr/share/doc/fonts-inter/copyright"
  "Emscripten's runtime libraries compiled into the .wasm files (musl, libc++, libc++abi, compiler-rt, dlmalloc)|MIT, Apache-2.0 with LLVM exception, and others, as listed|/usr/share/doc/emscripten/copyright"
)

{
  echo "gradscope is MIT-licensed (see LICENSE in its repository). The site embeds the works below;"
  echo "each licence text is reproduced as its authors or Debian's packagers ship it."
  for part in "${parts[@]}"; do
    IFS='|' read -r name licence file <<<"$part"
    [ -f "$file" ] || { echo "notices: missing $file (run scripts/setup.sh web)" >&2; exit 1; }
    printf '\n%s\n%s (%s)\n%s\n\n' "$(printf '=%.0s' {1..78})" "$name" "$licence" "$(printf '=%.0s' {1..78})"
    cat "$file"
  done
} >"$out"
