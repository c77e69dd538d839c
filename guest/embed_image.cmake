# Turns the flat guest image into a C++ source file (no xxd needed).
#
#   cmake -DINPUT=guest.bin -DOUTPUT=guest_image.cc -DTEMPLATE=guest_image.cc.in
#         -DMAGIC=0x47424D56 -DMAX_SIZE=<bytes> -P embed_image.cmake
#
# Fails if the image does not start with the image header's magic (little-endian) or is larger
# than MAX_SIZE, so a broken image never reaches the host. The output is rewritten only when it
# changes, so an unchanged image does not recompile anything.
foreach(variable INPUT OUTPUT TEMPLATE MAGIC MAX_SIZE)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "embed_image.cmake: -D${variable}=... is required")
  endif()
endforeach()

file(SIZE "${INPUT}" size)
if(size LESS 32)
  message(FATAL_ERROR "embed_image.cmake: ${INPUT} is ${size} bytes, too small for an image header")
endif()
if(size GREATER MAX_SIZE)
  message(FATAL_ERROR "embed_image.cmake: ${INPUT} is ${size} bytes, more than the ${MAX_SIZE} "
                      "bytes between VMB_IMAGE_GPA and VMB_IMAGE_LIMIT")
endif()

file(READ "${INPUT}" hex HEX)

# The magic is a little-endian u32: 0x47424D56 is stored as 56 4d 42 47.
string(TOLOWER "${MAGIC}" magic)
string(REGEX REPLACE "^0x(..)(..)(..)(..)$" "\\4\\3\\2\\1" expected_magic "${magic}")
string(SUBSTRING "${hex}" 0 8 actual_magic)
if(NOT actual_magic STREQUAL expected_magic)
  message(FATAL_ERROR "embed_image.cmake: ${INPUT} starts with bytes ${actual_magic}, not the "
                      "image header magic ${expected_magic}: the header is not first")
endif()

# 16 bytes a line: "0x56, 0x4d, ...".
string(REGEX REPLACE "(..)" "0x\\1, " bytes "${hex}")
string(REGEX REPLACE "((0x.., ){16})" "\\1\n" bytes "${bytes}")
string(REGEX REPLACE " \n" "\n    " bytes "    ${bytes}")
string(REGEX REPLACE " +$" "" bytes "${bytes}")

set(GUEST_IMAGE_BYTES "${bytes}")
set(GUEST_IMAGE_SIZE "${size}")
get_filename_component(GUEST_IMAGE_SOURCE "${INPUT}" NAME)
configure_file("${TEMPLATE}" "${OUTPUT}" @ONLY)
