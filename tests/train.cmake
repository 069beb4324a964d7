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
