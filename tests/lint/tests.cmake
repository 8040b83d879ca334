# Source checks: banned C library calls and clang-format.
tufsign_script_test(lint.banned_functions ${CMAKE_CURRENT_LIST_DIR}/banned_functions.sh
  LABELS lint TIMEOUT 60)
tufsign_script_test(lint.clang_format ${CMAKE_CURRENT_LIST_DIR}/clang_format.sh
  LABELS lint TIMEOUT 300)
