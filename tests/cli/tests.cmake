# Command-line usability: usage errors, help, early input checks and the
# warnings of sign, with the exact messages and exit codes.
tufsign_script_test(cli.usage ${CMAKE_CURRENT_LIST_DIR}/usage.sh LABELS cli TIMEOUT 120)
tufsign_script_test(cli.server_messages ${CMAKE_CURRENT_LIST_DIR}/server_messages.sh
  FIXTURES notary LABELS cli TIMEOUT 300)
