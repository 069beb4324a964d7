# lt-train: link fix-ups for the unit-test binaries and the script-level tests.
# test_cli and test_train are built by tests/CMakeLists.txt from tests/cli and
# tests/train; the modules they exercise sit above what lt_cli / lt_train link
# by default while lower modules are still being written, so link them here.
foreach(t test_cli test_train)
  if(TARGET ${t})
    foreach(m lt_train lt_models lt_layers lt_ops lt_autodiff lt_kernels lt_data lt_eval lt_decode)
      if(TARGET ${m})
        target_link_libraries(${t} PRIVATE ${m})
      endif()
    endforeach()
    target_link_libraries(${t} PRIVATE yaml-cpp)
  endif()
endforeach()

# End-to-end: tiny config on a Multi30k subset (loss below the unigram entropy, < 2 min),
# SIGTERM + exact resume, bad-input messages, averaging, --dump-config.
# Skipped (exit 77) when the shared Multi30k corpus is absent.
if(TARGET lt-train)
  add_test(NAME train-e2e
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/train/lt_train_e2e.py
                   $<TARGET_FILE:lt-train> ${CMAKE_SOURCE_DIR})
  set_tests_properties(train-e2e PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900
                       ENVIRONMENT "OMP_NUM_THREADS=2;OMP_WAIT_POLICY=PASSIVE")
endif()
