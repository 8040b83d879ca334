# End-to-end tests of the publish flow: tufsign with keys on SoftHSM2 against
# the fixture notary-server, checked by the notary client and docker.
foreach(type p256 p384 rsa3072 ed25519)
  tufsign_script_test(e2e.keytypes.${type} ${CMAKE_CURRENT_LIST_DIR}/keytypes.sh
    ARGS ${type} FIXTURES notary LABELS e2e TIMEOUT 300)
endforeach()
# NOTE: matches every leak below the PKCS#11 engine's sign call, so it is
# limited to the one test that signs with Ed25519 on SoftHSM.
set_property(TEST e2e.keytypes.ed25519 APPEND PROPERTY ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/lsan.supp:fast_unwind_on_malloc=0")
tufsign_script_test(e2e.client_snapshot ${CMAKE_CURRENT_LIST_DIR}/client_snapshot.sh
  FIXTURES notary LABELS e2e TIMEOUT 300)
tufsign_script_test(e2e.names_custom ${CMAKE_CURRENT_LIST_DIR}/names_custom.sh
  FIXTURES notary LABELS e2e TIMEOUT 300)
tufsign_script_test(e2e.expiry ${CMAKE_CURRENT_LIST_DIR}/expiry.sh
  FIXTURES notary LABELS e2e TIMEOUT 300)
tufsign_script_test(e2e.bad_input ${CMAKE_CURRENT_LIST_DIR}/bad_input.sh
  FIXTURES notary LABELS e2e TIMEOUT 300)
tufsign_script_test(e2e.messages ${CMAKE_CURRENT_LIST_DIR}/messages.sh
  FIXTURES notary LABELS e2e TIMEOUT 300)
tufsign_script_test(e2e.faults ${CMAKE_CURRENT_LIST_DIR}/faults.sh
  FIXTURES notary LABELS e2e TIMEOUT 300)
tufsign_script_test(e2e.concurrent ${CMAKE_CURRENT_LIST_DIR}/concurrent.sh
  FIXTURES notary LABELS e2e TIMEOUT 300)
tufsign_script_test(e2e.notary_repo ${CMAKE_CURRENT_LIST_DIR}/notary_repo.sh
  FIXTURES notary LABELS e2e TIMEOUT 300)
tufsign_script_test(e2e.token_auth ${CMAKE_CURRENT_LIST_DIR}/token_auth.sh
  FIXTURES notary_token LABELS e2e TIMEOUT 300)
tufsign_script_test(e2e.token_calls ${CMAKE_CURRENT_LIST_DIR}/token_calls.sh
  FIXTURES notary LABELS e2e TIMEOUT 300)
set_property(TEST e2e.token_calls APPEND PROPERTY ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/lsan-spy.supp")
tufsign_script_test(e2e.delegations ${CMAKE_CURRENT_LIST_DIR}/delegations.sh
  FIXTURES notary LABELS e2e TIMEOUT 300)
# A root signed only by its new key, uploaded through the library.
add_executable(root_new_key_only ${CMAKE_CURRENT_LIST_DIR}/root_new_key_only.c)
target_compile_definitions(root_new_key_only PRIVATE _GNU_SOURCE)
target_compile_options(root_new_key_only PRIVATE ${TUFSIGN_WARNINGS} -Wno-missing-prototypes)
target_link_libraries(root_new_key_only PRIVATE tufsign_static)
tufsign_script_test(e2e.rotate ${CMAKE_CURRENT_LIST_DIR}/rotate.sh
  ARGS $<TARGET_FILE:root_new_key_only> FIXTURES notary LABELS e2e TIMEOUT 300)
# Signs the digest and size a docker-registry started by the test serves.
tufsign_script_test(e2e.registry ${CMAKE_CURRENT_LIST_DIR}/registry.sh
  FIXTURES notary LABELS e2e TIMEOUT 300)
tufsign_script_test(e2e.rotate_roles ${CMAKE_CURRENT_LIST_DIR}/rotate_roles.sh
  FIXTURES notary LABELS e2e TIMEOUT 300)
tufsign_script_test(e2e.rotate_token ${CMAKE_CURRENT_LIST_DIR}/rotate_token.sh
  FIXTURES notary_token LABELS e2e TIMEOUT 300)
