# The install tree: files in place, and consumers built with pkg-config and
# with find_package(tufsign).
tufsign_script_test(install.tree ${CMAKE_CURRENT_LIST_DIR}/install.sh
  LABELS install TIMEOUT 300)
tufsign_script_test(install.hardening ${CMAKE_CURRENT_LIST_DIR}/hardening.sh
  LABELS install TIMEOUT 60)
