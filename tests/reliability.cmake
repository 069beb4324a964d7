# Reliability against the real programs (docs/reliability.md): bad inputs of every program,
# and crash-safe checkpoints (kill -9 trials, disk full, two trainers, SIGTERM/SIGINT).
# Self-contained (a synthetic corpus), seconds on 2 cores; a long kill -9 run:
#   python3 tests/reliability/crash_safety.py build/bin/lt-train --trials 300
if(TARGET lt-train AND TARGET lt-translate AND TARGET lt-eval AND TARGET lt-convert)
  add_test(NAME reliability-bad-inputs
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/reliability/bad_inputs.py
                   $<TARGET_FILE_DIR:lt-train>)
  add_test(NAME reliability-crash-safety
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/reliability/crash_safety.py
                   $<TARGET_FILE:lt-train> --trials 30)
  set_tests_properties(reliability-bad-inputs reliability-crash-safety PROPERTIES
                       TIMEOUT 600 ENVIRONMENT "OMP_NUM_THREADS=1;OMP_WAIT_POLICY=PASSIVE")
endif()
