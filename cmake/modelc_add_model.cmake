# modelc_add_model(<target> SPEC <file.yaml> [NAMESPACE <ns>] [OPTIONS <modelc generate flags>...])
#
# Runs `modelc generate` on SPEC at build time (again whenever the spec or the
# modelc tool changes) and defines a static library <target> holding the
# generated model, linked to modelc::runtime. The generated header is named
# after the spec file: SPEC alexnet.yaml -> #include "alexnet.hpp", and the
# class after the spec's `name:` in namespace NAMESPACE (default modelc::gen).
function(modelc_add_model target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "SPEC;NAMESPACE" "OPTIONS")
  if(NOT ARG_SPEC)
    message(FATAL_ERROR "modelc_add_model(${target}): SPEC <file.yaml> is required")
  endif()
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "modelc_add_model(${target}): unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_NAMESPACE)
    set(ARG_NAMESPACE "modelc::gen")
  endif()
  cmake_path(ABSOLUTE_PATH ARG_SPEC BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
             NORMALIZE OUTPUT_VARIABLE spec)
  cmake_path(GET spec STEM stem)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}_modelc")

  add_custom_command(
    OUTPUT "${out}/${stem}.hpp" "${out}/${stem}.cpp"
    COMMAND modelc::modelc generate "${spec}" -o "${out}" --namespace "${ARG_NAMESPACE}" ${ARG_OPTIONS}
    DEPENDS "${spec}" modelc::modelc
    COMMENT "modelc: generating ${stem}.hpp/.cpp from ${ARG_SPEC}"
    VERBATIM)
  add_library(${target} STATIC "${out}/${stem}.cpp" "${out}/${stem}.hpp")
  target_include_directories(${target} PUBLIC "${out}")
  target_link_libraries(${target} PUBLIC modelc::runtime)
  target_compile_features(${target} PUBLIC cxx_std_20)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()
