#include "cpu_topology.h"

#include <sched.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"

namespace vmbench {
namespace {

// A fake /sys/devices/system/cpu in a fresh temporary folder, removed at the end of the test.
class FakeSysfs {
 public:
  FakeSysfs() {
    static int counter = 0;
    root_ = std::filesystem::temp_directory_path() /
            absl::StrCat("vmbench_cpu_topology_test_", getpid(), "_", ++counter);
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  ~FakeSysfs() { std::filesystem::remove_all(root_); }
  FakeSysfs(const FakeSysfs&) = delete;
  FakeSysfs& operator=(const FakeSysfs&) = delete;

  // Writes `online` as the kernel does, with a trailing newline.
  void Online(const std::string& list) { Write(root_ / "online", list); }

  // Creates cpuN/topology with its package and core ids.
  void Cpu(int cpu, int package, int core) {
    const std::filesystem::path topology = root_ / absl::StrCat("cpu", cpu) / "topology";
    std::filesystem::create_directories(topology);
    Write(topology / "physical_package_id", absl::StrCat(package));
    Write(topology / "core_id", absl::StrCat(core));
  }

  const std::filesystem::path& path() const { return root_; }
  std::string root() const { return root_.string(); }

 private:
  static void Write(const std::filesystem::path& path, const std::string& value) {
    std::ofstream(path) << value << "\n";
  }

  std::filesystem::path root_;
};

TEST_CASE("CPU lists are parsed as the kernel prints them", "[cpu_topology]") {
  CHECK(*ParseCpuList("0-3,5,8-9\n") == std::vector<int>{0, 1, 2, 3, 5, 8, 9});
  CHECK(*ParseCpuList("0") == std::vector<int>{0});
  CHECK(*ParseCpuList("4,0-1,1") == std::vector<int>{0, 1, 4});
  CHECK(ParseCpuList("").status().message() == "CPU list '': is empty");
  CHECK(ParseCpuList("0-").status().message() ==
        "CPU list '0-': '0-' is not a CPU number or range");
  CHECK(ParseCpuList("1,,2").status().message() ==
        "CPU list '1,,2': '' is not a CPU number or range");
  CHECK(ParseCpuList("a").status().message() == "CPU list 'a': 'a' is not a CPU number or range");
  CHECK(ParseCpuList("-1").status().message() ==
        "CPU list '-1': '-1' is not a CPU number or range");
  CHECK(ParseCpuList("3-1").status().message() == "CPU list '3-1': range '3-1' is descending");
  CHECK(ParseCpuList("0-99999").status().message() ==
        "CPU list '0-99999': CPU 99999 is above 65535");
  CHECK(ParseCpuList("0-7:2/4").status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("SMT siblings form one physical core", "[cpu_topology]") {
  // Linux numbers the second thread of each core after all the first threads: cpu0/cpu2 share core
  // 0 and cpu1/cpu3 share core 1.
  FakeSysfs sys;
  sys.Online("0-3");
  sys.Cpu(0, 0, 0);
  sys.Cpu(1, 0, 1);
  sys.Cpu(2, 0, 0);
  sys.Cpu(3, 0, 1);
  absl::StatusOr<std::vector<PhysicalCore>> cores = ReadTopology(sys.root());
  REQUIRE(cores.ok());
  CHECK(*cores == std::vector<PhysicalCore>{{0, 0, {0, 2}}, {0, 1, {1, 3}}});
  CHECK(*PickCpus(*cores, 2) == std::vector<int>{0, 1});
  absl::StatusOr<std::vector<int>> too_many = PickCpus(*cores, 3);
  REQUIRE_FALSE(too_many.ok());
  CHECK(too_many.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(too_many.status().message() == "-j 3 is more than the 2 physical cores available");
  CHECK(PickCpus(*cores, 0).status().message() == "-j 0 must be at least 1");
}

TEST_CASE("equal core ids in two packages are two cores", "[cpu_topology]") {
  FakeSysfs sys;
  sys.Online("0-3");
  sys.Cpu(0, 0, 0);
  sys.Cpu(1, 0, 1);
  sys.Cpu(2, 1, 0);
  sys.Cpu(3, 1, 1);
  absl::StatusOr<std::vector<PhysicalCore>> cores = ReadTopology(sys.root());
  REQUIRE(cores.ok());
  CHECK(*cores == std::vector<PhysicalCore>{{0, 0, {0}}, {0, 1, {1}}, {1, 0, {2}}, {1, 1, {3}}});
  CHECK(*PickCpus(*cores, 4) == std::vector<int>{0, 1, 2, 3});
}

TEST_CASE("offline CPUs and CPUs outside the allowed mask are left out", "[cpu_topology]") {
  FakeSysfs sys;
  // cpu1 is offline: its folder exists but its topology files do not, as after a hot-unplug.
  sys.Online("0,2-3\n");
  sys.Cpu(0, 0, 0);
  std::filesystem::create_directories(sys.path() / "cpu1");
  sys.Cpu(2, 0, 2);
  sys.Cpu(3, 0, 3);
  absl::StatusOr<std::vector<PhysicalCore>> cores = ReadTopology(sys.root());
  REQUIRE(cores.ok());
  CHECK(*cores == std::vector<PhysicalCore>{{0, 0, {0}}, {0, 2, {2}}, {0, 3, {3}}});

  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  CPU_SET(2, &allowed);
  CPU_SET(3, &allowed);
  cores = ReadTopology(sys.root(), &allowed);
  REQUIRE(cores.ok());
  CHECK(*cores == std::vector<PhysicalCore>{{0, 2, {2}}, {0, 3, {3}}});
  CHECK(PickCpus(*cores, 3).status().message() ==
        "-j 3 is more than the 2 physical cores available");

  CPU_ZERO(&allowed);
  CPU_SET(1, &allowed);
  absl::StatusOr<std::vector<PhysicalCore>> none = ReadTopology(sys.root(), &allowed);
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(std::string(none.status().message()), Catch::Contains("no usable CPU in "));
}

TEST_CASE("a partly allowed core keeps only its allowed siblings", "[cpu_topology]") {
  FakeSysfs sys;
  sys.Online("0-3");
  sys.Cpu(0, 0, 0);
  sys.Cpu(1, 0, 1);
  sys.Cpu(2, 0, 0);
  sys.Cpu(3, 0, 1);
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  CPU_SET(2, &allowed);
  CPU_SET(1, &allowed);
  absl::StatusOr<std::vector<PhysicalCore>> cores = ReadTopology(sys.root(), &allowed);
  REQUIRE(cores.ok());
  CHECK(*cores == std::vector<PhysicalCore>{{0, 1, {1}}, {0, 0, {2}}});
  CHECK(*PickCpus(*cores, 2) == std::vector<int>{1, 2});
}

TEST_CASE("missing and malformed sysfs files are errors naming the file", "[cpu_topology]") {
  FakeSysfs sys;
  absl::StatusOr<std::vector<PhysicalCore>> cores = ReadTopology(sys.root());
  REQUIRE_FALSE(cores.ok());
  CHECK(cores.status().code() == absl::StatusCode::kNotFound);
  CHECK(cores.status().message() ==
        absl::StrCat("reading CPU topology: cannot open ", sys.root(), "/online"));

  sys.Online("0-1,");
  cores = ReadTopology(sys.root());
  REQUIRE_FALSE(cores.ok());
  CHECK(cores.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(cores.status().message() ==
        absl::StrCat("reading CPU topology: ", sys.root(),
                     "/online: CPU list '0-1,': '' is not a CPU number or range"));

  sys.Online("0-1");
  sys.Cpu(0, 0, 0);
  cores = ReadTopology(sys.root());
  REQUIRE_FALSE(cores.ok());
  CHECK(cores.status().message() == absl::StrCat("reading CPU topology: cannot open ", sys.root(),
                                                 "/cpu1/topology/physical_package_id"));

  sys.Cpu(1, 0, 1);
  std::ofstream(sys.path() / "cpu1/topology/core_id") << "one\n";
  cores = ReadTopology(sys.root());
  REQUIRE_FALSE(cores.ok());
  CHECK(cores.status().message() ==
        absl::StrCat("reading CPU topology: ", sys.root(),
                     "/cpu1/topology/core_id: 'one' is not an integer"));
}

TEST_CASE("this machine has at least one physical core to pin to", "[cpu_topology]") {
  absl::StatusOr<std::vector<PhysicalCore>> cores = ReadTopology();
  REQUIRE(cores.ok());
  REQUIRE_FALSE(cores->empty());
  cpu_set_t mask;
  CPU_ZERO(&mask);
  REQUIRE(sched_getaffinity(0, sizeof(mask), &mask) == 0);
  int cpus = 0;
  for (const PhysicalCore& core : *cores) {
    REQUIRE_FALSE(core.cpus.empty());
    for (int cpu : core.cpus) {
      CHECK(CPU_ISSET(cpu, &mask));
      ++cpus;
    }
  }
  CHECK(cpus <= CPU_COUNT(&mask));

  // Pinning narrows this test thread's mask; the original mask is restored afterwards.
  absl::StatusOr<std::vector<int>> picked = PickCpus(*cores, 1);
  REQUIRE(picked.ok());
  REQUIRE(PinCurrentThreadTo(picked->front()).ok());
  CHECK(sched_getcpu() == picked->front());
  REQUIRE(sched_setaffinity(0, sizeof(mask), &mask) == 0);

  CHECK(PinCurrentThreadTo(-1).message() == "cannot pin to CPU -1: no such CPU");
  // The kernel refuses a mask with no online CPU in it.
  const absl::Status offline = PinCurrentThreadTo(65535);
  CHECK(offline.code() == absl::StatusCode::kInvalidArgument);
  CHECK(offline.message() == "cannot pin to CPU 65535: Invalid argument");
}

}  // namespace
}  // namespace vmbench
