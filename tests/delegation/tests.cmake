# Unit tests of the delegation inputs; the end-to-end tests are in tests/e2e.
tufsign_unit_test(unit_delegation SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_delegation.c
  LABELS delegation)
