# Report module (lt-eval cost / plot): the unit tests need the config reader (src/cli) and
# the real beam search (src/decode), which sit beside/above src/report; link them here.
if(TARGET test_report)
  foreach(m lt_cli lt_decode lt_models lt_data)
    if(TARGET ${m})
      target_link_libraries(test_report PRIVATE ${m})
    endif()
  endforeach()
endif()
# Through the real program: the paper's cost rows within 1%, output formats, --measure,
# results file + plot, bad inputs (seconds on 2 cores).
if(TARGET lt-eval)
  add_test(NAME report-cost
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/report/test_cost_command.py
                   $<TARGET_FILE:lt-eval> ${CMAKE_SOURCE_DIR})
  set_tests_properties(report-cost PROPERTIES TIMEOUT 300 ENVIRONMENT "OMP_NUM_THREADS=2;OMP_WAIT_POLICY=PASSIVE")
endif()
