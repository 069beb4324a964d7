# Script-level test of the data prepare scripts (bash; skipped when the shared
# corpora are absent).
add_test(NAME data-prepare
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/data/prepare_scripts_test.sh ${CMAKE_SOURCE_DIR})
set_tests_properties(data-prepare PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)
