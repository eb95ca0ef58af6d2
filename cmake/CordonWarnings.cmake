# Warning flags for cordon's own targets (not for consumers).
add_library(cordon_warnings INTERFACE)
target_compile_options(cordon_warnings INTERFACE -Wall -Wextra -Wshadow -Wnon-virtual-dtor
                       $<$<BOOL:${CORDON_WERROR}>:-Werror>)
