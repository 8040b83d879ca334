# Metadata core: canonical JSON, role documents, keys, certificates and
# verification.
set(TUFSIGN_META_TEST_DIR ${CMAKE_CURRENT_LIST_DIR})
add_library(tufsign_soft_signer STATIC ${TUFSIGN_META_TEST_DIR}/soft_signer.c)
target_include_directories(tufsign_soft_signer PUBLIC ${TUFSIGN_META_TEST_DIR})
target_compile_definitions(tufsign_soft_signer PRIVATE _GNU_SOURCE)
target_compile_options(tufsign_soft_signer PRIVATE ${TUFSIGN_WARNINGS})
target_link_libraries(tufsign_soft_signer PUBLIC tufsign_static)

tufsign_unit_test(meta_vectors SOURCES ${TUFSIGN_META_TEST_DIR}/test_vectors.c)
target_link_libraries(meta_vectors PRIVATE tufsign_soft_signer)

tufsign_unit_test(meta_cases SOURCES ${TUFSIGN_META_TEST_DIR}/test_cases.c)

tufsign_unit_test(meta_verify SOURCES ${TUFSIGN_META_TEST_DIR}/test_verify.c)
target_link_libraries(meta_verify PRIVATE tufsign_soft_signer)

tufsign_unit_test(meta_roundtrip SOURCES ${TUFSIGN_META_TEST_DIR}/test_roundtrip.c)

# Metadata published by the real notary client, verified and re-serialized.
add_executable(meta_notary_check ${TUFSIGN_META_TEST_DIR}/notary_check.c)
target_include_directories(meta_notary_check PRIVATE ${CMAKE_SOURCE_DIR}/src)
target_compile_definitions(meta_notary_check PRIVATE _GNU_SOURCE)
target_compile_options(meta_notary_check PRIVATE ${TUFSIGN_WARNINGS} -Wno-missing-prototypes)
target_link_libraries(meta_notary_check PRIVATE tufsign_static)
tufsign_script_test(meta_notary_roundtrip ${TUFSIGN_META_TEST_DIR}/notary_roundtrip.sh
  ARGS $<TARGET_FILE:meta_notary_check> FIXTURES notary LABELS "notary" TIMEOUT 300)

tufsign_unit_test(meta_nomem SOURCES ${TUFSIGN_META_TEST_DIR}/test_nomem.c)
target_link_options(meta_nomem PRIVATE -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc)
