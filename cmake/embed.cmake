# Writes OUT, a C++ source defining `std::string_view NAME()` that returns
# the bytes of IN: files the binary serves (the API document) are built in,
# so the server needs nothing beside it. The bytes go in as a char array:
# a string literal over 64 KiB is beyond what compilers must accept (clang
# -Wpedantic refuses it).
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
# One line per 32 bytes keeps the generated file readable by tools.
string(REGEX REPLACE "(('\\\\x[0-9a-f][0-9a-f]',){32})" "\\1\n" bytes "${bytes}")
file(WRITE "${OUT}.tmp"
  "// Generated from ${IN} by cmake/embed.cmake: do not edit.\n"
  "#include <string_view>\n"
  "namespace tocsin::api {\n"
  "namespace {\n"
  "constexpr char kBytes[${size} + 1] = {\n${bytes}'\\0'};\n"
  "}  // namespace\n"
  "std::string_view ${NAME}() {\n"
  "  return std::string_view(kBytes, ${size});\n"
  "}\n"
  "}  // namespace tocsin::api\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
