#!/usr/bin/env bash
# Installs everything gradscope needs on a fresh Debian 12 machine (as root), idempotently:
# Debian packages only when missing, third-party sources via `apt-get source` into a cache
# outside the repo, SDL2 built for wasm once, and the npm test tools from the lock file.
#   scripts/setup.sh native   -> what `make test` needs to build and run the native suite
#   scripts/setup.sh web      -> what building the web app needs
#   scripts/setup.sh all      -> both, plus the browser test tools
#   scripts/setup.sh sanitize -> `make sanitize`: the native build with GCC's ASan + UBSan runtimes
#   scripts/setup.sh fuzz     -> `make fuzz`: clang 14 and its libFuzzer (GCC has none)
set -euo pipefail

what="${1:-all}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
cache="${GRADSCOPE_CACHE:-$HOME/.cache/gradscope}"
imgui_version="1.86"
sdl_version="2.26.5"

log() { echo "[setup] $*"; }

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

apt_updated=0
apt_install() {  # installs the named Debian packages that are not installed yet
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ $apt_updated = 0 ]; then $SUDO apt-get update -qq; apt_updated=1; fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

native_packages=(build-essential cmake libeigen3-dev doctest-dev nlohmann-json3-dev)
web_packages=(emscripten node-acorn libeigen3-dev nlohmann-json3-dev fonts-dejavu-core
  fonts-inter xz-utils dpkg-dev)
browser_packages=(chromium fonts-dejavu-core)
sanitize_packages=("${native_packages[@]}" libasan8 libubsan1)
fuzz_packages=(cmake clang-14 libclang-rt-14-dev libeigen3-dev)

# --- third-party sources (Dear ImGui, SDL2) from Debian's archive, unpacked in the cache ---
fetch_sources() {
  local src="$cache/src"
  if [ -f "$src/imgui-$imgui_version/imgui.cpp" ] && [ -f "$src/SDL2-$sdl_version/CMakeLists.txt" ]; then
    return 0
  fi
  if ! grep -rqs "^Types: deb-src" /etc/apt/sources.list.d/; then
    log "adding a deb-src entry for Debian's archive"
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
      | $SUDO tee /etc/apt/sources.list.d/debian-src.sources >/dev/null
    $SUDO apt-get update -qq; apt_updated=1
  fi
  mkdir -p "$src"
  (
    cd "$src"
    if [ ! -f "imgui-$imgui_version/imgui.cpp" ]; then
      apt-get source --download-only "imgui=$imgui_version*" >/dev/null 2>&1 \
        || apt-get source --download-only imgui
      rm -rf "imgui-$imgui_version"; mkdir "imgui-$imgui_version"
      tar -xf imgui_"$imgui_version"*.orig.tar.* -C "imgui-$imgui_version" --strip-components=1
    fi
    if [ ! -f "SDL2-$sdl_version/CMakeLists.txt" ]; then
      apt-get source --download-only libsdl2
      rm -rf "SDL2-$sdl_version"; mkdir "SDL2-$sdl_version"
      tar -xf libsdl2_"$sdl_version"*.orig.tar.* -C "SDL2-$sdl_version" --strip-components=1
    fi
  )
}

# --- SDL2 for wasm, built once with only the subsystems the app uses (video, events) ---
build_sdl2_wasm() {
  local prefix="$cache/sdl2-$sdl_version-wasm"
  [ -f "$prefix/lib/libSDL2.a" ] && return 0
  log "building SDL2 $sdl_version for wasm (once; cached in $prefix)"
  local build="$cache/build-sdl2-wasm"
  rm -rf "$build"
  export NODE_PATH=/usr/share/nodejs
  emcmake cmake "$cache/src/SDL2-$sdl_version" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DSDL_SHARED=OFF -DSDL_STATIC=ON -DSDL_TEST=OFF -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DSDL_AUDIO=OFF -DSDL_JOYSTICK=OFF -DSDL_HAPTIC=OFF -DSDL_SENSOR=OFF -DSDL_POWER=OFF \
    -DSDL_FILESYSTEM=OFF -DSDL_LOCALE=OFF -DSDL_MISC=OFF -DSDL_HIDAPI=OFF -DSDL_ATOMIC=ON \
    -DSDL_THREADS=OFF -DSDL_TIMERS=ON -DSDL_LOADSO=OFF -DSDL_CPUINFO=ON -DSDL_FILE=OFF \
    -DSDL_RENDER=OFF -DSDL_VIDEO=ON -DSDL_EVENTS=ON -DSDL_PTHREADS=OFF >"$cache/sdl2-cmake.log"
  emmake make -C "$build" -j"$(nproc)" install >"$cache/sdl2-build.log"
  rm -rf "$build"
}

# playwright-core from the committed lock file; never a browser download (Debian's chromium is
# used). Reinstalled only when the lock file differs from the one last installed.
npm_tools() {
  # Node.js runs the browser tests; a machine without it gets Debian's (emscripten needs it too).
  command -v npm >/dev/null || apt_install nodejs npm
  local e2e="$repo/tests/e2e" stamp="$repo/tests/e2e/node_modules/.installed-lock.json"
  if [ ! -d "$e2e/node_modules/playwright-core" ] || ! cmp -s "$e2e/package-lock.json" "$stamp"; then
    log "installing browser test tools (npm ci)"
    (cd "$e2e" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
    cp "$e2e/package-lock.json" "$stamp"
  fi
}

case "$what" in
  native) apt_install "${native_packages[@]}" ;;
  web) apt_install "${web_packages[@]}"; fetch_sources; build_sdl2_wasm ;;
  browser) apt_install "${browser_packages[@]}"; npm_tools ;;
  sanitize) apt_install "${sanitize_packages[@]}" ;;
  fuzz) apt_install "${fuzz_packages[@]}" ;;
  all)
    apt_install "${native_packages[@]}" "${web_packages[@]}" "${browser_packages[@]}"
    fetch_sources; build_sdl2_wasm; npm_tools ;;
  *) echo "usage: scripts/setup.sh [native|web|browser|all|sanitize|fuzz]" >&2; exit 2 ;;
esac
