// The project's own random numbers. std:: distributions differ between libstdc++ (native) and
// libc++ (Emscripten), so a seed would give different models natively and in the browser; this
// generator and its distributions are specified bit for bit here instead.
#pragma once
#include <cmath>
#include <cstdint>

namespace gs {

// xoshiro256** (Blackman & Vigna), seeded through splitmix64 so that nearby seeds give unrelated
// streams.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& word : state_) word = splitmix64(seed);
  }

  uint64_t next_u64() {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits: exact in double, identical on every platform.
  double uniform() { return (next_u64() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

  // Uniform integer in [0, n) by rejection, so no value is favoured.
  uint64_t below(uint64_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x = next_u64();
    while (x >= limit) x = next_u64();
    return x % n;
  }

  // Standard normal by Marsaglia's polar method (needs only log and sqrt).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = uniform(-1.0, 1.0);
      v = uniform(-1.0, 1.0);
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double factor = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * factor;
    has_spare_ = true;
    return u * factor;
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  uint64_t state_[4];
  double spare_ = 0.0;
  bool has_spare_ = false;
};

// The separate random streams one user seed feeds: model weights, and task data. (Training's
// minibatches take a third, derived from the data stream's seed.)
inline uint64_t model_seed(uint64_t seed) { return seed * 2 + 0; }
inline uint64_t data_seed(uint64_t seed) { return seed * 2 + 1; }
// The data of input sequence q of a seed (the `sequences` key): sequence 0 is the seed's own data
// stream, the others streams of their own (splitmix64 in Rng makes nearby values unrelated).
inline uint64_t sequence_seed(uint64_t seed, int q) {
  return q == 0 ? data_seed(seed) : data_seed(seed) ^ (0x9e3779b97f4a7c15ULL * uint64_t(q));
}

}  // namespace gs
