# Tests of the signing engines and the token commands, on fresh SoftHSM
# tokens, with a fault-injecting PKCS#11 module wrapped around SoftHSM.
pkg_check_modules(ENGINES_P11KIT REQUIRED IMPORTED_TARGET p11-kit-1)

# The wrapper module is loaded by path, like any PKCS#11 module.
add_library(tufsign_fault_pkcs11 MODULE ${CMAKE_CURRENT_LIST_DIR}/fault_module.c)
target_include_directories(tufsign_fault_pkcs11 PRIVATE ${ENGINES_P11KIT_INCLUDE_DIRS})
target_compile_options(tufsign_fault_pkcs11 PRIVATE ${TUFSIGN_WARNINGS} -Wno-missing-prototypes)
target_link_libraries(tufsign_fault_pkcs11 PRIVATE ${CMAKE_DL_LIBS})
set_target_properties(tufsign_fault_pkcs11 PROPERTIES PREFIX "")

add_executable(engine_sign ${CMAKE_CURRENT_LIST_DIR}/engine_sign.c)
target_include_directories(engine_sign PRIVATE ${CMAKE_SOURCE_DIR}/src)
target_compile_definitions(engine_sign PRIVATE _GNU_SOURCE)
target_compile_options(engine_sign PRIVATE ${TUFSIGN_WARNINGS} -Wno-missing-prototypes)
target_link_libraries(engine_sign PRIVATE tufsign_static ${CMAKE_DL_LIBS})

tufsign_unit_test(unit_engines SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_engines.c
  LABELS engines)

set(ENGINES_TEST_ARGS $<TARGET_FILE:engine_sign> $<TARGET_FILE:tufsign_fault_pkcs11>)
foreach(script keygen pin select faults discovery file mechanisms cert)
  tufsign_script_test(engines_${script} ${CMAKE_CURRENT_LIST_DIR}/${script}.sh
    ARGS ${ENGINES_TEST_ARGS} LABELS engines TIMEOUT 300)
  set_property(TEST engines_${script} APPEND PROPERTY ENVIRONMENT
    "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/lsan.supp:fast_unwind_on_malloc=0")
endforeach()
