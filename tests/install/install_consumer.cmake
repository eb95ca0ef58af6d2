# cmake -P script behind the install_consumer test (see CMakeLists.txt here).
# Inputs (-D): CORDON_BINARY_DIR CONSUMER_SOURCE_DIR WORK_DIR INSTALL_LIBDIR CONFIG
#              GENERATOR CXX_COMPILER CONSUMER_FLAGS PKG_CONFIG
cmake_minimum_required(VERSION 3.25)

foreach(var CORDON_BINARY_DIR CONSUMER_SOURCE_DIR WORK_DIR INSTALL_LIBDIR GENERATOR CXX_COMPILER PKG_CONFIG)
  if("${${var}}" STREQUAL "")
    message(FATAL_ERROR "install_consumer.cmake: ${var} is not set")
  endif()
endforeach()

# Runs a command, echoing it; stops the test with its output when it fails.
function(run what)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "WORKING_DIRECTORY" "COMMAND")
  message(STATUS "[install_consumer] ${what}: ${arg_COMMAND}")
  if(NOT arg_WORKING_DIRECTORY)
    set(arg_WORKING_DIRECTORY ${WORK_DIR})
  endif()
  execute_process(COMMAND ${arg_COMMAND} WORKING_DIRECTORY ${arg_WORKING_DIRECTORY}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "[install_consumer] ${what} failed (${rc}):\n${out}")
  endif()
  message(STATUS "${out}")
endfunction()

set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

# (a) Install the current build into the scratch prefix.
set(config_args "")
if(CONFIG)
  set(config_args --config ${CONFIG})
endif()
run("install" COMMAND ${CMAKE_COMMAND} --install ${CORDON_BINARY_DIR} --prefix ${prefix} ${config_args})

# (b) find_package(cordon) from that prefix only.
set(build_type ${CONFIG})
if(NOT build_type)
  set(build_type Release)
endif()
run("configure consumer" COMMAND ${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${WORK_DIR}/build -G ${GENERATOR}
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=${build_type}
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    -DCMAKE_CXX_FLAGS=${CONSUMER_FLAGS} -DCMAKE_EXE_LINKER_FLAGS=${CONSUMER_FLAGS})
# Make sure it was this prefix's cordon, not one installed elsewhere on the machine.
file(STRINGS ${WORK_DIR}/build/CMakeCache.txt found_dir REGEX "^cordon_DIR:")
string(FIND "${found_dir}" "${prefix}/" at)
if(NOT at GREATER -1)
  message(FATAL_ERROR "[install_consumer] the consumer found another cordon: ${found_dir}")
endif()
run("build consumer" COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build ${config_args})
if(EXISTS ${WORK_DIR}/build/consumer)
  set(consumer ${WORK_DIR}/build/consumer)
else()
  set(consumer ${WORK_DIR}/build/${CONFIG}/consumer)  # multi-config generators
endif()
run("run consumer (CMake)" COMMAND ${consumer})

# (c) pkg-config --static, compiled by hand.
set(ENV{PKG_CONFIG_PATH} ${prefix}/${INSTALL_LIBDIR}/pkgconfig)
execute_process(COMMAND ${PKG_CONFIG} --cflags --libs --static cordon
                RESULT_VARIABLE rc OUTPUT_VARIABLE pc_flags ERROR_VARIABLE pc_error
                OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "[install_consumer] pkg-config cordon failed: ${pc_error}")
endif()
message(STATUS "[install_consumer] pkg-config --cflags --libs --static cordon: ${pc_flags}")
string(FIND "${pc_flags}" "-I${prefix}/" at)
if(NOT at GREATER -1)
  message(FATAL_ERROR "[install_consumer] cordon.pc does not point into ${prefix}: ${pc_flags}")
endif()
separate_arguments(pc_flags UNIX_COMMAND "${pc_flags}")
separate_arguments(extra_flags UNIX_COMMAND "${CONSUMER_FLAGS}")
run("compile consumer (pkg-config)" COMMAND ${CXX_COMPILER} ${extra_flags} ${CONSUMER_SOURCE_DIR}/main.cpp
    -o ${WORK_DIR}/consumer_pc ${pc_flags})
# A shared cordon lives in the scratch prefix, which is on no search path.
set(ENV{LD_LIBRARY_PATH} "${prefix}/${INSTALL_LIBDIR}:$ENV{LD_LIBRARY_PATH}")
run("run consumer (pkg-config)" COMMAND ${WORK_DIR}/consumer_pc)

message(STATUS "[install_consumer] passed")
