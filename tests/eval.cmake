# lt-eval against sacreBLEU 2.6.0 (Python API) on generated and real files.
# Needs `pip install sacrebleu==2.6.0`; fails with a clear message without it.
if(TARGET lt-eval)
  add_test(NAME eval_vs_sacrebleu
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/eval_py/test_vs_sacrebleu.py
                   $<TARGET_FILE:lt-eval> ${CMAKE_SOURCE_DIR}/../shared/data)
  set_tests_properties(eval_vs_sacrebleu PROPERTIES TIMEOUT 300)
endif()
