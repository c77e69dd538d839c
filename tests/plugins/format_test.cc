#include "vmbench/plugin/format.h"

#include <catch2/catch.hpp>
#include <sstream>

namespace vmbench {
namespace {

TEST_CASE("durations get three significant digits and a human unit", "[format]") {
  CHECK(FormatDuration(1.234) == "1.23 ns");
  CHECK(FormatDuration(12.34) == "12.3 ns");
  CHECK(FormatDuration(999.4) == "999 ns");
  CHECK(FormatDuration(999.6) == "1.00 µs");
  CHECK(FormatDuration(1500) == "1.50 µs");
  CHECK(FormatDuration(250e6) == "250 ms");
  CHECK(FormatDuration(3e9) == "3.00 s");
  CHECK(FormatDuration(1.0 / 0.0) == "n/a");
}

TEST_CASE("throughput uses binary units for bytes and decimal units for elements", "[format]") {
  CHECK(FormatThroughput({Throughput::Kind::kBytes, 1024}, 1000) == "977 MiB/s");
  CHECK(FormatThroughput({Throughput::Kind::kBytes, 1ULL << 30}, 1e9) == "1.00 GiB/s");
  CHECK(FormatThroughput({Throughput::Kind::kElements, 1}, 10) == "100 M/s");
  CHECK(FormatThroughput({Throughput::Kind::kElements, 100}, 1e9) == "100 /s");
  CHECK(FormatThroughput({Throughput::Kind::kNone, 0}, 10).empty());
  CHECK(FormatThroughput({Throughput::Kind::kBytes, 10}, 0).empty());
}

TEST_CASE("text tables align columns by code points", "[format]") {
  TextTable table({"NAME", "TIME"}, {TextTable::Align::kLeft, TextTable::Align::kRight});
  table.AddRow({"a", "1.00 µs"});
  table.AddRow({"longer", "5 ns"});
  std::ostringstream out;
  table.Print(out);
  CHECK(out.str() ==
        "NAME       TIME\n"
        "------  -------\n"
        "a       1.00 µs\n"
        "longer     5 ns\n");
}

}  // namespace
}  // namespace vmbench
