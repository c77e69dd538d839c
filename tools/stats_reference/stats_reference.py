#!/usr/bin/python3
"""Independent reference values for vmbench's statistics and comparison tests.

Written from the textbook definitions with the Python standard library only (no scipy), and
deliberately by other methods than core/statistics.cc, so that the expected numbers in
tests/core/statistics_test.cc and tests/core/comparison_test.cc are not the C++ code checking
itself:

  * U is counted pair by pair (C++: from mid-ranks);
  * the exact null distribution of U comes from the Mann-Whitney (1947) recurrence
    f(m, n, k) = f(m - 1, n, k - n) + f(m, n - 1, k), checked against brute-force enumeration
    (C++: coefficients of the Gaussian binomial polynomial);
  * the normal tail is 0.5 * erfc(z / sqrt(2));
  * mt19937_64 is implemented here from the constants in the C++ standard ([rand.predef]), and
    checked against the value the standard mandates for its 10000th output.

Usage (every command prints one value per line, floats with repr() so that all 17 digits show):

  stats_reference.py selftest
  stats_reference.py describe X...
  stats_reference.py quantile P X...
  stats_reference.py mwu --a X,X,... --b X,X,... [--no-continuity] [--max-exact N]
  stats_reference.py exact-counts M N
  stats_reference.py holm P...
  stats_reference.py mt64 --seed S --count N
  stats_reference.py uniform-index --seed S --n N --count C
  stats_reference.py bootstrap-median --seed S [--resamples R] [--level L] X...
  stats_reference.py bootstrap-ratio --seed S [--resamples R] [--level L] --a X,... --b X,...
  stats_reference.py seed-for-id --seed S --id ID
"""

import argparse
import functools
import itertools
import math
import statistics
import sys

MASK64 = (1 << 64) - 1


# ---------------------------------------------------------------- descriptive statistics


def median(xs):
    return statistics.median(xs)  # (a + b) / 2 for an even count, as in the C++ code


def mad(xs):
    m = median(xs)
    return median([abs(x - m) for x in xs])


def quantile7(sorted_xs, p):
    """Hyndman & Fan (1996) type 7 (R's default): linear interpolation between order statistics
    at h = (n - 1) p. The C++ code uses the same arithmetic, x[i] + f * (x[i+1] - x[i])."""
    n = len(sorted_xs)
    h = (n - 1) * p
    i = math.floor(h)
    if i >= n - 1:
        return sorted_xs[n - 1]
    f = h - i
    lo, hi = sorted_xs[i], sorted_xs[i + 1]
    if f == 0 or lo == hi:
        return lo
    return lo + f * (hi - lo)


def describe(xs):
    n = len(xs)
    mean = statistics.fmean(xs)
    sd = statistics.stdev(xs) if n > 1 else 0.0
    return {
        "count": n,
        "median": median(xs),
        "mean": mean,
        "stddev": sd,
        "mad": mad(xs),
        "scaled_mad": 1.4826 * mad(xs),
        "min": min(xs),
        "max": max(xs),
        "cv": sd / mean,
    }


# ---------------------------------------------------------------- Mann-Whitney U


@functools.lru_cache(maxsize=None)
def _f(m, n, k):
    """Number of arrangements of m a's and n b's with exactly k pairs (a, b) where a > b.
    Mann & Whitney (1947), eq. (1): the largest element is either an a (beating all n b's) or a
    b (beating nothing)."""
    if k < 0:
        return 0
    if m == 0 or n == 0:
        return 1 if k == 0 else 0
    return _f(m - 1, n, k - n) + _f(m, n - 1, k)


def exact_counts(m, n):
    return [_f(m, n, k) for k in range(m * n + 1)]


def brute_force_counts(m, n):
    counts = [0] * (m * n + 1)
    for a_ranks in itertools.combinations(range(m + n), m):
        a_set = set(a_ranks)
        b_ranks = [r for r in range(m + n) if r not in a_set]
        counts[sum(1 for a in a_ranks for b in b_ranks if a > b)] += 1
    return counts


def mwu(a, b, continuity=True, max_exact=20):
    n1, n2 = len(a), len(b)
    u = sum((1.0 if x > y else 0.5 if x == y else 0.0) for x in a for y in b)
    combined = list(a) + list(b)
    ties = len(set(combined)) != len(combined)
    if not ties and n1 <= max_exact and n2 <= max_exact:
        counts = exact_counts(n1, n2)
        total = sum(counts)
        assert total == math.comb(n1 + n2, n1)
        k = int(u)
        lower = sum(counts[: k + 1])
        upper = sum(counts[k:])
        p = min(1.0, 2 * min(lower, upper) / total)
        return {"u": u, "z": 0.0, "p": p, "method": "exact"}
    n = n1 + n2
    tie_sum = sum(t**3 - t for t in (combined.count(v) for v in set(combined)))
    var = n1 * n2 / 12.0 * ((n + 1) - tie_sum / (n * (n - 1)))
    mu = n1 * n2 / 2.0
    d = abs(u - mu)
    if continuity:
        d = max(d - 0.5, 0.0)
    if var <= 0:
        return {"u": u, "z": 0.0, "p": 1.0, "method": "normal"}
    z = math.copysign(d / math.sqrt(var), u - mu) if d > 0 else 0.0
    p = min(1.0, math.erfc(abs(z) / math.sqrt(2.0)))
    return {"u": u, "z": z, "p": p, "method": "normal"}


# ---------------------------------------------------------------- Holm-Bonferroni


def holm(ps):
    """Holm (1979): adjusted p_(i) = max over j <= i of min(1, (m - j + 1) p_(j))."""
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    out = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * ps[i]))
        out[i] = running
    return out


# ---------------------------------------------------------------- mt19937_64 and the bootstrap


class MT19937_64:
    """std::mt19937_64 from the parameters of [rand.predef] in the C++ standard."""

    W, N, M, R = 64, 312, 156, 31
    A = 0xB5026F5AA96619E9
    U, D = 29, 0x5555555555555555
    S, B = 17, 0x71D67FFFEDA60000
    T, C = 37, 0xFFF7EEE000000000
    L = 43
    F = 6364136223846793005

    def __init__(self, seed):
        self.mt = [0] * self.N
        self.mt[0] = seed & MASK64
        for i in range(1, self.N):
            prev = self.mt[i - 1]
            self.mt[i] = (self.F * (prev ^ (prev >> (self.W - 2))) + i) & MASK64
        self.index = self.N

    def _twist(self):
        upper = (~((1 << self.R) - 1)) & MASK64
        lower = (1 << self.R) - 1
        for i in range(self.N):
            y = (self.mt[i] & upper) | (self.mt[(i + 1) % self.N] & lower)
            v = self.mt[(i + self.M) % self.N] ^ (y >> 1)
            if y & 1:
                v ^= self.A
            self.mt[i] = v
        self.index = 0

    def __call__(self):
        if self.index >= self.N:
            self._twist()
        y = self.mt[self.index]
        self.index += 1
        y ^= (y >> self.U) & self.D
        y ^= (y << self.S) & self.B & MASK64
        y ^= (y << self.T) & self.C & MASK64
        y ^= y >> self.L
        return y & MASK64


def uniform_index(gen, n):
    """Rejection sampling on 64-bit words: accept x >= 2^64 mod n, return x mod n. The accepted
    range holds a whole number of copies of [0, n), so every index is equally likely."""
    threshold = (1 << 64) % n
    while True:
        x = gen()
        if x >= threshold:
            return x % n


def _resample_median(gen, xs):
    return median([xs[uniform_index(gen, len(xs))] for _ in range(len(xs))])


def _interval(stats_list, level):
    s = sorted(stats_list)
    return quantile7(s, (1 - level) / 2), quantile7(s, (1 + level) / 2)


def bootstrap_median(xs, seed, resamples=10000, level=0.95):
    gen = MT19937_64(seed)
    meds = [_resample_median(gen, xs) for _ in range(resamples)]
    lo, hi = _interval(meds, level)
    return median(xs), lo, hi


def bootstrap_ratio(a, b, seed, resamples=10000, level=0.95):
    gen = MT19937_64(seed)
    ratios = []
    for _ in range(resamples):
        ma = _resample_median(gen, a)  # baseline first, then candidate, from one stream
        mb = _resample_median(gen, b)
        ratios.append(mb / ma if ma != 0 else math.inf)
    lo, hi = _interval(ratios, level)
    return median(b) / median(a), lo, hi


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for byte in text.encode("utf-8"):
        h ^= byte
        h = (h * 0x100000001B3) & MASK64
    return h


def splitmix64(x):
    """Steele, Lea & Flood (2014) SplitMix64 finalizer, one step."""
    z = (x + 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def seed_for_id(seed, bench_id):
    return splitmix64(seed ^ fnv1a64(bench_id))


# ---------------------------------------------------------------- command line


def _floats(text):
    return [float(v) for v in text.split(",") if v]


def _selftest():
    gen = MT19937_64(5489)
    for _ in range(9999):
        gen()
    assert gen() == 9981545732273789042, "mt19937_64 10000th output ([rand.predef])"
    for m in range(1, 7):
        for n in range(1, 7):
            assert exact_counts(m, n) == brute_force_counts(m, n), (m, n)
    assert abs(mwu([1, 2, 3], [4, 5, 6])["p"] - 0.1) < 1e-15
    print("ok")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("selftest")
    p = sub.add_parser("describe")
    p.add_argument("xs", type=float, nargs="+")
    p = sub.add_parser("quantile")
    p.add_argument("p", type=float)
    p.add_argument("xs", type=float, nargs="+")
    p = sub.add_parser("mwu")
    p.add_argument("--a", required=True)
    p.add_argument("--b", required=True)
    p.add_argument("--no-continuity", action="store_true")
    p.add_argument("--max-exact", type=int, default=20)
    p = sub.add_parser("exact-counts")
    p.add_argument("m", type=int)
    p.add_argument("n", type=int)
    p = sub.add_parser("holm")
    p.add_argument("ps", type=float, nargs="+")
    p = sub.add_parser("mt64")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--count", type=int, default=5)
    p = sub.add_parser("uniform-index")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--n", type=int, required=True)
    p.add_argument("--count", type=int, default=10)
    for name in ("bootstrap-median", "bootstrap-ratio"):
        p = sub.add_parser(name)
        p.add_argument("--seed", type=int, required=True)
        p.add_argument("--resamples", type=int, default=10000)
        p.add_argument("--level", type=float, default=0.95)
        if name == "bootstrap-median":
            p.add_argument("xs", type=float, nargs="+")
        else:
            p.add_argument("--a", required=True)
            p.add_argument("--b", required=True)
    p = sub.add_parser("seed-for-id")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--id", required=True)
    args = parser.parse_args(argv)

    if args.cmd == "selftest":
        _selftest()
    elif args.cmd == "describe":
        for key, value in describe(args.xs).items():
            print(key, repr(value))
    elif args.cmd == "quantile":
        print(repr(quantile7(sorted(args.xs), args.p)))
    elif args.cmd == "mwu":
        r = mwu(_floats(args.a), _floats(args.b), not args.no_continuity, args.max_exact)
        for key, value in r.items():
            print(key, repr(value))
    elif args.cmd == "exact-counts":
        print(" ".join(str(c) for c in exact_counts(args.m, args.n)))
    elif args.cmd == "holm":
        print(" ".join(repr(v) for v in holm(args.ps)))
    elif args.cmd == "mt64":
        gen = MT19937_64(args.seed)
        for _ in range(args.count):
            print(gen())
    elif args.cmd == "uniform-index":
        gen = MT19937_64(args.seed)
        print(" ".join(str(uniform_index(gen, args.n)) for _ in range(args.count)))
    elif args.cmd == "bootstrap-median":
        print(" ".join(repr(v) for v in bootstrap_median(args.xs, args.seed, args.resamples,
                                                          args.level)))
    elif args.cmd == "bootstrap-ratio":
        print(" ".join(repr(v) for v in bootstrap_ratio(_floats(args.a), _floats(args.b),
                                                         args.seed, args.resamples,
                                                         args.level)))
    elif args.cmd == "seed-for-id":
        print(seed_for_id(args.seed, args.id))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
