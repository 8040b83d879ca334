# Notary client and trust cache tests.
set(TUFSIGN_NET_TESTS ${CMAKE_CURRENT_LIST_DIR})

# Driver that the script tests run against a real notary-server.
add_executable(netcheck ${TUFSIGN_NET_TESTS}/netcheck.c)
target_include_directories(netcheck PRIVATE ${CMAKE_SOURCE_DIR}/src)
target_compile_definitions(netcheck PRIVATE _GNU_SOURCE)
target_compile_options(netcheck PRIVATE ${TUFSIGN_WARNINGS})
target_link_libraries(netcheck PRIVATE tufsign_static)

tufsign_unit_test(unit_trust_cache SOURCES ${TUFSIGN_NET_TESTS}/test_trust_cache.c)
