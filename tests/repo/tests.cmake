# Unit tests of the repository module.
tufsign_unit_test(unit_repo_input SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_input.c)
