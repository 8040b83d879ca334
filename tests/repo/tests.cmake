# Unit tests of the repository module.
tufsign_unit_test(unit_repo_input SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_input.c)
tufsign_unit_test(unit_repo_rotate_options SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_rotate_options.c)
