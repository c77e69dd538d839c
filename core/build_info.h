// Facts about this vmbench build, recorded in every run's context.

#ifndef VMBENCH_CORE_BUILD_INFO_H_
#define VMBENCH_CORE_BUILD_INFO_H_

namespace vmbench {

// The project version, e.g. "0.1.0".
extern const char* const kVmbenchVersion;
// The CMake build type, e.g. "Release".
extern const char* const kBuildType;
// `git describe --always --dirty` of the source tree at build time; "" outside a git checkout.
// Regenerated on every build, so it does not go stale between configures.
extern const char* const kGitRevision;

}  // namespace vmbench

#endif  // VMBENCH_CORE_BUILD_INFO_H_
