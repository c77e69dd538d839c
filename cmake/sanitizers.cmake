# VMBENCH_SANITIZE: a comma-separated list for -fsanitize= (address,undefined or thread), applied
# to every target of the build, including plugins, since they share the process with the host.
set(VMBENCH_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address,undefined or thread")
if(VMBENCH_SANITIZE)
  add_compile_options(-fsanitize=${VMBENCH_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${VMBENCH_SANITIZE})
  if(VMBENCH_SANITIZE MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # ThreadSanitizer does not model std::atomic_thread_fence, which the packed ring needs where
    # VIRTIO 1.1 asks for a full barrier (event suppression); GCC warns about every use.
    add_compile_options(-Wno-error=tsan)
  endif()
endif()
