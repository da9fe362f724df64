# Project-wide settings and the two helpers every CMakeLists.txt uses:
#   sc_add_library(NAME SRCS ... DEPS ...)   -> target NAME, alias sc::NAME
#   sc_add_test(NAME SRCS ... DEPS ... LABELS ...)
# Compiler flags live on the INTERFACE target sc_settings so that third-party
# code never sees them.

add_library(sc_settings INTERFACE)
target_compile_features(sc_settings INTERFACE cxx_std_20)
target_include_directories(sc_settings INTERFACE ${PROJECT_SOURCE_DIR})
target_compile_options(sc_settings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wformat=2
  -Wnon-virtual-dtor -Wold-style-cast -Werror)
# GCC 12's optimiser reports false -Wmaybe-uninitialized (std::optional
# of string, GCC PR 105562) and -Wrestrict (string concatenation, GCC PR
# 105329) in standard headers; they stay warnings-as-errors in dev builds.
target_compile_options(sc_settings INTERFACE
  $<$<AND:$<NOT:$<CONFIG:Debug>>,$<CXX_COMPILER_ID:GNU>>:-Wno-maybe-uninitialized -Wno-restrict>)
target_compile_definitions(sc_settings INTERFACE
  SPDLOG_FMT_EXTERNAL
  SC_VERSION="${PROJECT_VERSION}")

if(SC_SANITIZE)
  set(_sc_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(sc_settings INTERFACE ${_sc_san})
  target_link_options(sc_settings INTERFACE ${_sc_san})
endif()
if(SC_FUZZ)
  # Coverage instrumentation for every library the fuzz targets link; the
  # targets themselves add -fsanitize=fuzzer (libFuzzer's main).
  target_compile_options(sc_settings INTERFACE -fsanitize=fuzzer-no-link)
endif()
if(SC_CRASHPOINTS)
  target_compile_definitions(sc_settings INTERFACE SC_ENABLE_CRASHPOINTS=1)
endif()

function(sc_add_library NAME)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_library(${NAME} STATIC ${ARG_SRCS})
  target_link_libraries(${NAME} PUBLIC sc_settings ${ARG_DEPS})
  add_library(sc::${NAME} ALIAS ${NAME})
endfunction()

function(sc_add_test NAME)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${NAME} ${ARG_SRCS})
  target_link_libraries(${NAME} PRIVATE sc_settings ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${NAME}
    PROPERTIES LABELS "${ARG_LABELS}"
    DISCOVERY_TIMEOUT 60)
endfunction()
