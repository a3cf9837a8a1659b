# Helpers that keep every CMakeLists.txt in the tree to a few lines.
#
#   sluice_library(NAME storage SRCS a.cc b.cc DEPS sluice::base)  -> sluice::storage
#   sluice_executable(NAME sluice-gateway SRCS main.cc DEPS sluice::gateway)
#   sluice_test(NAME storage_test LABELS unit SRCS t.cc DEPS sluice::storage)
#
# Our own code builds with -Wall -Wextra -Werror; generated code (protobuf,
# the Kafka codec) is compiled by the same helpers but may opt out with
# NO_WERROR.

set(SLUICE_WARNINGS -Wall -Wextra -Werror)

# Test code (not the product libraries the tests link) compiles with -Og in
# the optimized build types: a third less compile time for the test sources
# than -O2, and debuggable; the code under test keeps the build type's flags.
# It comes after CMAKE_CXX_FLAGS_<CONFIG> on the command line, so it wins.
set(SLUICE_TEST_OPTIMIZATION $<$<NOT:$<CONFIG:Debug>>:-Og>)

# Adds every direct child directory of the current source dir that has a
# CMakeLists.txt, in name order, so a new component needs no edit upstream.
function(sluice_add_subdirectories)
  file(GLOB children LIST_DIRECTORIES true RELATIVE "${CMAKE_CURRENT_SOURCE_DIR}" "${CMAKE_CURRENT_SOURCE_DIR}/*")
  list(SORT children)
  foreach(child IN LISTS children)
    if(IS_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}/${child}" AND EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/${child}/CMakeLists.txt")
      add_subdirectory(${child})
    endif()
  endforeach()
endfunction()

function(sluice_library)
  cmake_parse_arguments(ARG "NO_WERROR;INTERFACE" "NAME" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  set(target sluice_${ARG_NAME})
  if(ARG_INTERFACE)
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/gen)
    target_link_libraries(${target} INTERFACE ${ARG_DEPS})
  else()
    add_library(${target} STATIC ${ARG_SRCS})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/gen)
    target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
    if(NOT ARG_NO_WERROR)
      target_compile_options(${target} PRIVATE ${SLUICE_WARNINGS})
    endif()
  endif()
  add_library(sluice::${ARG_NAME} ALIAS ${target})
endfunction()

function(sluice_executable)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/gen)
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS})
  target_compile_options(${ARG_NAME} PRIVATE ${SLUICE_WARNINGS})
endfunction()

# A Boost.Test executable registered with ctest under the given labels
# (unit, integration, conformance, chaos, fuzz).
function(sluice_test)
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SRCS;DEPS;LABELS;ARGS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  set_target_properties(${ARG_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/gen)
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} Boost::unit_test_framework)
  # Boost's CMake config defines BOOST_UNIT_TEST_FRAMEWORK_DYN_LINK, which
  # Boost.Test ignores; without BOOST_TEST_DYN_LINK there is no main().
  target_compile_definitions(${ARG_NAME} PRIVATE BOOST_TEST_DYN_LINK)
  target_compile_options(${ARG_NAME} PRIVATE ${SLUICE_WARNINGS} ${SLUICE_TEST_OPTIMIZATION})
  add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME} ${ARG_ARGS})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  set_tests_properties(${ARG_NAME} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
endfunction()

# A test written as a script (Python conformance/integration tests). Runs
# with the build's bin/ directory in SLUICE_BIN so it can start the services.
function(sluice_script_test)
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "COMMAND;LABELS" ${ARGN})
  add_test(NAME ${ARG_NAME} COMMAND ${ARG_COMMAND})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  set_tests_properties(${ARG_NAME} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "SLUICE_BIN=${PROJECT_BINARY_DIR}/bin;SLUICE_SOURCE=${PROJECT_SOURCE_DIR}")
endfunction()
