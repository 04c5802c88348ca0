# SPDX-License-Identifier: GPL-2.0
# Runs mlog-crs on one trace; checks the exit status, that stdout matches the
# .expected file exactly, and that a failing run names a line number.
separate_arguments(args UNIX_COMMAND "${ARGS}")
execute_process(COMMAND ${DRIVER} ${args} ${TRACE}
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status STREQUAL "${STATUS}")
  message(FATAL_ERROR "exit status ${status}, expected ${STATUS}\nstdout:\n${out}\nstderr:\n${err}")
endif()
if(EXPECTED)
  file(READ ${EXPECTED} want)
else()
  set(want "")
endif()
if(NOT out STREQUAL want)
  message(FATAL_ERROR "stdout differs\n--- got:\n${out}--- expected:\n${want}")
endif()
if(NOT STATUS EQUAL 0 AND NOT err MATCHES "\\.trace:[0-9]+: ")
  message(FATAL_ERROR "diagnostic does not name the line: ${err}")
endif()
message(STATUS "ok: ${out}${err}")
