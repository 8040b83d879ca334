# Unit tests of the library's base modules.
tufsign_unit_test(unit_base SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_base.c)
