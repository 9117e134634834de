# cmake -DINPUT=FILE -DOUTPUT=HEADER -DNAME=kName -DNAMESPACE=ns -P AuriteEmbedFile.cmake
# Writes HEADER with FILE's bytes as `inline constexpr std::string_view NAME`, so a
# document the program serves is the one in the source tree, byte for byte, with no
# file to find at run time. Bytes, not a raw string literal: any content is safe.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
get_filename_component(input_name "${INPUT}" NAME)
file(WRITE "${OUTPUT}.tmp"
"// Generated at build time from ${input_name} (cmake/AuriteEmbedFile.cmake); do not edit.
#pragma once

#include <string_view>

namespace ${NAMESPACE} {

inline constexpr char ${NAME}Bytes[] = {
    ${bytes}'\\0'};
inline constexpr std::string_view ${NAME}(${NAME}Bytes, ${size});

}  // namespace ${NAMESPACE}
")
# Only a changed header makes its users compile again.
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
