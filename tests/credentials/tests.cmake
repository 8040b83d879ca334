# Registry credentials from docker credential helpers, against the
# token-auth fixture server.
tufsign_script_test(credentials.credential_helper
  ${CMAKE_CURRENT_LIST_DIR}/credential_helper.sh
  FIXTURES notary_token LABELS e2e TIMEOUT 120)
tufsign_script_test(credentials.credential_helper_faults
  ${CMAKE_CURRENT_LIST_DIR}/credential_helper_faults.sh
  FIXTURES notary_token LABELS e2e TIMEOUT 120)
# How the docker config picks a helper or an auths entry, without a server.
tufsign_unit_test(unit_docker_config SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_docker_config.c)
