# Every program on the one option system (tests/cli/test_programs.py): --help, --version,
# --dump-config round trips, one-line errors and exit code 2, lt-translate's range checks.
if(TARGET lt-translate AND TARGET lt-eval AND TARGET lt-bench)
  add_test(NAME programs
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_programs.py
                   ${CMAKE_BINARY_DIR}/bin)
  set_tests_properties(programs PROPERTIES TIMEOUT 300 ENVIRONMENT "${LT_TEST_ENV}")
endif()
