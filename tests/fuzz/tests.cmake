# Fuzz targets of the metadata core. Each target always builds with the
# replay main so its corpus runs as an ordinary test; with TUFSIGN_FUZZ=ON
# and clang it also builds as a libFuzzer binary (<name>_libfuzzer).
set(TUFSIGN_FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR})
if(TUFSIGN_FUZZ AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  # coverage feedback from the library code, not only from the harness
  target_compile_options(tufsign_objects PRIVATE -fsanitize=fuzzer-no-link)
endif()
foreach(target meta_parse canon verify)
  set(name fuzz_${target})
  add_executable(${name}_replay ${TUFSIGN_FUZZ_DIR}/${name}.c ${TUFSIGN_FUZZ_DIR}/fuzz_replay.c)
  target_compile_definitions(${name}_replay PRIVATE _GNU_SOURCE)
  target_compile_options(${name}_replay PRIVATE ${TUFSIGN_WARNINGS})
  target_link_libraries(${name}_replay PRIVATE tufsign_static)
  add_test(NAME ${name}_replay COMMAND ${name}_replay ${TUFSIGN_FUZZ_DIR}/corpus/${target})
  set_tests_properties(${name}_replay PROPERTIES LABELS "unit;fuzz")
  if(TUFSIGN_FUZZ AND CMAKE_C_COMPILER_ID MATCHES "Clang")
    add_executable(${name}_libfuzzer ${TUFSIGN_FUZZ_DIR}/${name}.c)
    target_compile_options(${name}_libfuzzer PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${name}_libfuzzer PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${name}_libfuzzer PRIVATE tufsign_static)
  endif()
endforeach()
