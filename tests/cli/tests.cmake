# Command-line usability: usage errors, help, early input checks and the
# warnings of sign, with the exact messages and exit codes.
tufsign_script_test(cli.usage ${CMAKE_CURRENT_LIST_DIR}/usage.sh LABELS cli TIMEOUT 120)
