// Intentionally empty. With -msse4.2, Eigen includes <mmintrin.h>, which Emscripten 3.1.6 lacks
// (and clang's x86 one does not compile for wasm). Eigen needs nothing from it: its SSE packets
// map onto Emscripten's SSE-on-wasm-SIMD headers (xmmintrin.h ... nmmintrin.h). See docs/ARCHITECTURE.md.
#pragma once
