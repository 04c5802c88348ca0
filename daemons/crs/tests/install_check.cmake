# SPDX-License-Identifier: GPL-2.0
# Installs the mlog-crs component into a scratch prefix and runs the copy.
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --component mlog-crs
  --prefix ${PREFIX} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${status}): ${out}${err}")
endif()
set(installed ${PREFIX}/${BINDIR}/mlog-crs)
if(NOT EXISTS ${installed})
  message(FATAL_ERROR "mlog-crs was not installed to ${installed}")
endif()
execute_process(COMMAND ${installed} --algorithm both ${TRACE}
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
file(READ ${EXPECTED} want)
if(NOT status EQUAL 0 OR NOT out STREQUAL want)
  message(FATAL_ERROR "installed mlog-crs gave status ${status}:\n${out}${err}")
endif()
file(REMOVE_RECURSE ${PREFIX})
