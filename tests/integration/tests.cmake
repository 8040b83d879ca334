# Integration tests against the real peers: SoftHSM2, notary-server, the
# notary client and docker trust inspect.
tufsign_script_test(integration.softhsm_token ${CMAKE_CURRENT_LIST_DIR}/softhsm_token.sh
  LABELS integration TIMEOUT 120)
tufsign_script_test(integration.notary_oracles ${CMAKE_CURRENT_LIST_DIR}/notary_oracles.sh
  ARGS plain FIXTURES notary LABELS integration TIMEOUT 300)
tufsign_script_test(integration.notary_oracles_token ${CMAKE_CURRENT_LIST_DIR}/notary_oracles.sh
  ARGS token FIXTURES notary_token LABELS integration TIMEOUT 300)
tufsign_script_test(integration.notary_oracles_mtls ${CMAKE_CURRENT_LIST_DIR}/notary_oracles.sh
  ARGS mtls FIXTURES notary_mtls LABELS integration TIMEOUT 300)
tufsign_script_test(integration.token_list ${CMAKE_CURRENT_LIST_DIR}/token_list.sh
  FIXTURES softhsm LABELS integration TIMEOUT 120)
