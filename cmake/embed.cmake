# Writes OUT, a C++ source defining `std::string_view NAME()` that returns
# the bytes of IN: files the binary serves (the API document) are built in,
# so the server needs nothing beside it.
file(READ "${IN}" content)
string(FIND "${content}" ")tocsin_embed\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} holds the raw-string delimiter")
endif()
file(WRITE "${OUT}.tmp"
  "// Generated from ${IN} by cmake/embed.cmake: do not edit.\n"
  "#include <string_view>\n"
  "namespace tocsin::api {\n"
  "std::string_view ${NAME}() {\n"
  "  static constexpr std::string_view kText = R\"tocsin_embed(${content})tocsin_embed\";\n"
  "  return kText;\n"
  "}\n"
  "}  // namespace tocsin::api\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
