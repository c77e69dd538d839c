// A fixed-size bitset of allocator slots with word-at-a-time range updates and
// searches (64-bit words, std::countr_zero). Used by BufferPool for its
// used-slot and run-start maps and by RecyclePool for its allocated map.

#ifndef VMBENCH_SUITES_VIRTQ_SLOT_BITMAP_H_
#define VMBENCH_SUITES_VIRTQ_SLOT_BITMAP_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vmbench::virtq {

// `size()` bits, all clear after construction. Indices must be < size()
// unless stated otherwise; searches return size() when nothing is found.
class SlotBitmap {
 public:
  // An empty bitmap.
  SlotBitmap() = default;
  // A bitmap of `bits` clear bits.
  explicit SlotBitmap(std::size_t bits);

  // Number of bits.
  std::size_t size() const { return bits_; }

  // Whether bit `index` is set.
  bool Test(std::size_t index) const {
    return (words_[index / kWordBits] >> (index % kWordBits)) & 1U;
  }
  // Sets bit `index`.
  void Set(std::size_t index) { words_[index / kWordBits] |= Bit(index); }
  // Clears bit `index`.
  void Clear(std::size_t index) { words_[index / kWordBits] &= ~Bit(index); }

  // Sets bits [begin, begin + count); requires begin + count <= size().
  void SetRange(std::size_t begin, std::size_t count);
  // Clears bits [begin, begin + count); requires begin + count <= size().
  void ClearRange(std::size_t begin, std::size_t count);
  // Clears every bit.
  void ClearAll();

  // Lowest set bit at or after `from` (any `from`), or size().
  std::size_t FindNextSet(std::size_t from) const { return FindNextSet(from, bits_); }
  // Lowest set bit in [from, limit), or `limit` when there is none (limit <= size()). Bounding
  // the search keeps a caller that only cares about a short range from scanning the whole map.
  std::size_t FindNextSet(std::size_t from, std::size_t limit) const;
  // Lowest clear bit at or after `from` (any `from`), or size().
  std::size_t FindNextClear(std::size_t from) const;
  // First fit: the lowest index i with bits [i, i + count) all clear, or
  // size() if there is none. `count` must be > 0.
  std::size_t FindClearRun(std::size_t count) const;

 private:
  static constexpr std::size_t kWordBits = 64;

  static std::uint64_t Bit(std::size_t index) { return std::uint64_t{1} << (index % kWordBits); }

  std::vector<std::uint64_t> words_;
  std::size_t bits_ = 0;
};

}  // namespace vmbench::virtq

#endif  // VMBENCH_SUITES_VIRTQ_SLOT_BITMAP_H_
