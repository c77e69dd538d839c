#include "slot_bitmap.h"

#include <algorithm>
#include <bit>

namespace vmbench::virtq {

SlotBitmap::SlotBitmap(std::size_t bits)
    : words_((bits + kWordBits - 1) / kWordBits), bits_(bits) {}

namespace {

// Mask of bits [lo, hi) inside one word, 0 <= lo < hi <= 64.
std::uint64_t WordMask(std::size_t lo, std::size_t hi) {
  const std::uint64_t upper = hi == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << hi) - 1;
  return upper & (~std::uint64_t{0} << lo);
}

}  // namespace

void SlotBitmap::SetRange(std::size_t begin, std::size_t count) {
  std::size_t end = begin + count;
  while (begin < end) {
    const std::size_t word = begin / kWordBits;
    const std::size_t lo = begin % kWordBits;
    const std::size_t hi = std::min<std::size_t>(kWordBits, lo + (end - begin));
    words_[word] |= WordMask(lo, hi);
    begin += hi - lo;
  }
}

void SlotBitmap::ClearRange(std::size_t begin, std::size_t count) {
  std::size_t end = begin + count;
  while (begin < end) {
    const std::size_t word = begin / kWordBits;
    const std::size_t lo = begin % kWordBits;
    const std::size_t hi = std::min<std::size_t>(kWordBits, lo + (end - begin));
    words_[word] &= ~WordMask(lo, hi);
    begin += hi - lo;
  }
}

void SlotBitmap::ClearAll() { std::fill(words_.begin(), words_.end(), 0); }

std::size_t SlotBitmap::FindNextSet(std::size_t from, std::size_t limit) const {
  if (from >= limit) return limit;
  std::size_t word = from / kWordBits;
  const std::size_t last_word = (limit - 1) / kWordBits;
  std::uint64_t bits = words_[word] & (~std::uint64_t{0} << (from % kWordBits));
  while (bits == 0) {
    if (++word > last_word) return limit;
    bits = words_[word];
  }
  // Padding bits past bits_ are never set; a hit past `limit` in its last word is clamped.
  return std::min(limit, word * kWordBits + static_cast<std::size_t>(std::countr_zero(bits)));
}

std::size_t SlotBitmap::FindNextClear(std::size_t from) const {
  if (from >= bits_) return bits_;
  std::size_t word = from / kWordBits;
  std::uint64_t bits = ~words_[word] & (~std::uint64_t{0} << (from % kWordBits));
  while (bits == 0) {
    if (++word == words_.size()) return bits_;
    bits = ~words_[word];
  }
  // Padding bits are clear and would look free; clamp them away.
  return std::min(bits_, word * kWordBits + static_cast<std::size_t>(std::countr_zero(bits)));
}

std::size_t SlotBitmap::FindClearRun(std::size_t count) const {
  // Jumping from each free bit to the next used bit visits every maximal free
  // run once, so the scan costs O(words + runs) instead of O(bits * count).
  std::size_t start = FindNextClear(0);
  while (start < bits_ && bits_ - start >= count) {
    const std::size_t stop = FindNextSet(start);
    if (stop - start >= count) return start;
    start = FindNextClear(stop);
  }
  return bits_;
}

}  // namespace vmbench::virtq
