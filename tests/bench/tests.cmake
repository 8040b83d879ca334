# Benchmark programs: built with the tests, run by hand (see bench_sign.sh);
# they are not CTest tests because their numbers depend on the machine.
if(TUFSIGN_BUILD_BENCH)
  add_executable(bench_sign ${CMAKE_CURRENT_LIST_DIR}/bench_sign.c)
  target_compile_definitions(bench_sign PRIVATE _GNU_SOURCE)
  target_compile_options(bench_sign PRIVATE ${TUFSIGN_WARNINGS} -Wno-missing-prototypes)
  target_link_libraries(bench_sign PRIVATE tufsign_static)
endif()

# Metadata core benchmark; run with: cmake --build <build> --target bench-meta
if(TUFSIGN_BUILD_BENCH)
  add_executable(bench_meta ${CMAKE_CURRENT_LIST_DIR}/bench_meta.c)
  target_compile_definitions(bench_meta PRIVATE _GNU_SOURCE)
  target_compile_options(bench_meta PRIVATE ${TUFSIGN_WARNINGS} -Wno-missing-prototypes)
  target_link_libraries(bench_meta PRIVATE tufsign_static)
  add_custom_target(bench-meta COMMAND bench_meta DEPENDS bench_meta USES_TERMINAL
    COMMENT "Benchmarking the metadata core")
endif()
