function(renkei_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                         -Wnon-virtual-dtor -Wold-style-cast -Wimplicit-fallthrough)
  if(RENKEI_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
