# Regenerates every spec in specs/ twice into a scratch folder and fails when
# the two runs differ (generation must be byte-identical) or when generated/
# differs from what the compiler emits today.
# Usage: cmake -DMODELC=<modelc> -DSOURCE_DIR=<repo> -DWORK_DIR=<scratch> -P check_generated.cmake
file(REMOVE_RECURSE "${WORK_DIR}")
file(GLOB specs "${SOURCE_DIR}/specs/*.yaml")
set(failed "")
foreach(spec IN LISTS specs)
  foreach(run a b)
    execute_process(COMMAND "${MODELC}" generate "${spec}" -o "${WORK_DIR}/${run}"
                    RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "modelc generate ${spec} failed:\n${err}")
    endif()
  endforeach()
  cmake_path(GET spec STEM stem)
  foreach(ext hpp cpp)
    execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files
                    "${WORK_DIR}/a/${stem}.${ext}" "${WORK_DIR}/b/${stem}.${ext}" RESULT_VARIABLE same)
    if(NOT same EQUAL 0)
      list(APPEND failed "${stem}.${ext}: two runs of modelc generate differ")
    endif()
    execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files
                    "${WORK_DIR}/a/${stem}.${ext}" "${SOURCE_DIR}/generated/${stem}.${ext}"
                    RESULT_VARIABLE same)
    if(NOT same EQUAL 0)
      list(APPEND failed "generated/${stem}.${ext} is stale: run scripts/regenerate.sh")
    endif()
  endforeach()
endforeach()
if(failed)
  list(JOIN failed "\n  " text)
  message(FATAL_ERROR "generated code check failed:\n  ${text}")
endif()
list(LENGTH specs n)
message(STATUS "generated/ matches modelc generate for ${n} specs; generation is byte-identical")
