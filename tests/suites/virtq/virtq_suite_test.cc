// The `virtq` suite plugin as the runner sees it: the ids are byte-identical to the reference
// (shared/reference/hyperlight-benchmarks.md section 4) and every benchmark body runs cleanly.

#include <catch2/catch.hpp>

#include "registry.h"
#include "runner.h"
#include "test_support.h"

namespace vmbench {
namespace {

std::vector<std::string> ExpectedIds() {
  std::vector<std::string> ids;
  for (const char* size : {"64", "128", "256", "512", "1024", "1500", "4096"}) {
    ids.push_back(std::string("alloc_single/") + size);
  }
  for (const char* size : {"256", "1500", "4096"}) ids.push_back(std::string("alloc_lifo/") + size);
  ids.push_back("alloc_fragmented/fragmented_256");
  for (const char* size : {"256", "1500", "4096"}) ids.push_back(std::string("free/") + size);
  ids.push_back("free_list_reuse/lifo_pattern");
  ids.push_back("free_list_reuse/fifo_pattern");
  for (const char* size : {"8192", "65536", "262144"}) {
    ids.push_back(std::string("segmented_payload/") + size);
  }
  for (const char* f :
       {"alloc_dealloc_4096", "alloc_dealloc_128", "alloc_dealloc_1500", "alloc_sg_64k"}) {
    ids.push_back(std::string("recycle_pool/") + f);
  }
  for (const char* group :
       {"virtq_readonly_allocator_strategy", "virtq_readwrite_allocator_strategy"}) {
    for (const char* size : {"8192", "65536", "262144"}) {
      for (const char* strategy : {"buffer_pool_run", "buffer_pool_run_fragmented",
                                   "recycle_pool_segmented", "recycle_pool_segmented_fragmented"}) {
        ids.push_back(std::string(group) + "/" + strategy + "/" + size);
      }
    }
  }
  return ids;
}

Registry LoadBuiltins() {
  std::vector<Rejection> rejections;
  Registry registry = Registry::Build(
      ScanPlugins(PluginSearchPath{{vmbench::testing::PluginDir()}, "", {}}), &rejections);
  REQUIRE(rejections.empty());
  return registry;
}

TEST_CASE("virtq ids are the reference ids in the reference order", "[virtq][suite]") {
  const Registry registry = LoadBuiltins();
  RunOptions options;
  options.suites = {"virtq"};
  absl::StatusOr<std::vector<SelectedBenchmark>> selection =
      SelectBenchmarks(registry, options, nullptr);
  REQUIRE(selection.ok());
  std::vector<std::string> ids;
  for (const SelectedBenchmark& b : *selection) ids.push_back(b.spec.id.ToString());
  CHECK(ids == ExpectedIds());
  // from_parameter ids have no function part; the strategy groups have all three.
  CHECK((*selection)[0].spec.id == BenchmarkId{"alloc_single", "", "64"});
  CHECK((*selection).back().spec.throughput == Throughput{Throughput::Kind::kBytes, 2 * 262144});
  CHECK_FALSE(registry.FindSuite("virtq")->NeedsHypervisor());
}

TEST_CASE("virtq rejects options it does not know", "[virtq][suite]") {
  const Registry registry = LoadBuiltins();
  RunOptions options;
  options.suites = {"virtq"};
  options.suite_options["virtq"]["size"] = "1";
  absl::StatusOr<std::vector<SelectedBenchmark>> selection =
      SelectBenchmarks(registry, options, nullptr);
  REQUIRE_FALSE(selection.ok());
  CHECK(selection.status().message() ==
        "suite 'virtq': unknown option 'size' (the virtq suite takes none)");
}

TEST_CASE("every virtq benchmark runs without error", "[virtq][suite]") {
  const Registry registry = LoadBuiltins();
  RunOptions options;
  options.suites = {"virtq"};
  options.repetitions = 1;
  options.min_time_s = 0.0001;
  absl::StatusOr<std::vector<SelectedBenchmark>> selection =
      SelectBenchmarks(registry, options, nullptr);
  REQUIRE(selection.ok());
  const RunResult run =
      RunBenchmarks(*selection, HypervisorChoice{nullptr, "none", ""}, options, nullptr);
  REQUIRE(run.benchmarks.size() == ExpectedIds().size());
  for (const BenchmarkResult& b : run.benchmarks) {
    INFO(b.id.ToString() << ": " << b.message);
    CHECK(b.status == BenchmarkStatus::kOk);
    CHECK(b.repetitions.size() == 1);
    CHECK(b.summary.median_ns > 0);
  }
}

}  // namespace
}  // namespace vmbench
