# Through the real program: the paper's cost rows within 1%, output formats, --measure,
# results file + plot, bad inputs (seconds on 2 cores).
if(TARGET lt-eval)
  add_test(NAME report-cost
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/report/test_cost_command.py
                   $<TARGET_FILE:lt-eval> ${CMAKE_SOURCE_DIR})
  set_tests_properties(report-cost PROPERTIES TIMEOUT 300 ENVIRONMENT "OMP_NUM_THREADS=2;OMP_WAIT_POLICY=PASSIVE")
endif()
