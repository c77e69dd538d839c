# Run at build time (cmake -P) by the vmbench_git_revision target: writes OUTPUT, a .cc file that
# defines vmbench::kGitRevision, only when the revision changed, so nothing recompiles otherwise.
# Inputs: SOURCE_DIR, OUTPUT.
find_package(Git QUIET)
set(revision "")
if(GIT_FOUND)
  execute_process(
    COMMAND ${GIT_EXECUTABLE} describe --always --dirty --abbrev=12
    WORKING_DIRECTORY ${SOURCE_DIR}
    OUTPUT_VARIABLE revision
    OUTPUT_STRIP_TRAILING_WHITESPACE
    ERROR_QUIET RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    set(revision "")
  endif()
endif()
set(content "// Generated at build time by cmake/git_revision.cmake.
#include \"build_info.h\"

namespace vmbench {

const char* const kGitRevision = \"${revision}\";

}  // namespace vmbench
")
if(EXISTS ${OUTPUT})
  file(READ ${OUTPUT} old)
endif()
if(NOT "${old}" STREQUAL "${content}")
  file(WRITE ${OUTPUT} "${content}")
endif()
