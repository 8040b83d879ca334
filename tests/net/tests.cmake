# Notary client and trust cache tests.
set(TUFSIGN_NET_TESTS ${CMAKE_CURRENT_LIST_DIR})

# Driver that the script tests run against a real notary-server.
add_executable(netcheck ${TUFSIGN_NET_TESTS}/netcheck.c)
target_include_directories(netcheck PRIVATE ${CMAKE_SOURCE_DIR}/src)
target_compile_definitions(netcheck PRIVATE _GNU_SOURCE)
target_compile_options(netcheck PRIVATE ${TUFSIGN_WARNINGS})
target_link_libraries(netcheck PRIVATE tufsign_static)

tufsign_unit_test(unit_trust_cache SOURCES ${TUFSIGN_NET_TESTS}/test_trust_cache.c)
tufsign_unit_test(unit_notary_client SOURCES ${TUFSIGN_NET_TESTS}/test_notary_units.c)

# Against the real notary-server of the fixtures.
tufsign_script_test(net.notary_client ${TUFSIGN_NET_TESTS}/notary_client.sh
  ARGS $<TARGET_FILE:netcheck> FIXTURES notary LABELS net TIMEOUT 300)
tufsign_script_test(net.notary_faults ${TUFSIGN_NET_TESTS}/notary_faults.sh
  ARGS $<TARGET_FILE:netcheck> FIXTURES notary LABELS net TIMEOUT 300)
tufsign_script_test(net.notary_token ${TUFSIGN_NET_TESTS}/notary_token.sh
  ARGS $<TARGET_FILE:netcheck> FIXTURES notary_token LABELS net TIMEOUT 300)
tufsign_script_test(net.notary_mtls ${TUFSIGN_NET_TESTS}/notary_mtls.sh
  ARGS $<TARGET_FILE:netcheck> FIXTURES notary_mtls LABELS net TIMEOUT 120)

# Fuzz target of the client's parsers, replayed over its corpus as a test;
# with TUFSIGN_FUZZ=ON and clang also a libFuzzer binary.
add_executable(fuzz_net_parse_replay ${TUFSIGN_NET_TESTS}/fuzz_net_parse.c
  ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_replay.c)
target_include_directories(fuzz_net_parse_replay PRIVATE ${CMAKE_SOURCE_DIR}/src)
target_compile_definitions(fuzz_net_parse_replay PRIVATE _GNU_SOURCE)
target_compile_options(fuzz_net_parse_replay PRIVATE ${TUFSIGN_WARNINGS})
target_link_libraries(fuzz_net_parse_replay PRIVATE tufsign_static)
add_test(NAME fuzz_net_parse_replay COMMAND fuzz_net_parse_replay ${TUFSIGN_NET_TESTS}/corpus)
set_tests_properties(fuzz_net_parse_replay PROPERTIES LABELS "unit;fuzz")
if(TUFSIGN_FUZZ AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  add_executable(fuzz_net_parse_libfuzzer ${TUFSIGN_NET_TESTS}/fuzz_net_parse.c)
  target_include_directories(fuzz_net_parse_libfuzzer PRIVATE ${CMAKE_SOURCE_DIR}/src)
  target_compile_options(fuzz_net_parse_libfuzzer PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz_net_parse_libfuzzer PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz_net_parse_libfuzzer PRIVATE tufsign_static)
endif()
