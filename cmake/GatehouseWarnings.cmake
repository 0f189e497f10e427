# Warnings for every project target; -Werror only when GATEHOUSE_WERROR is on (the CI presets).
function(gatehouse_set_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wold-style-cast -Wnon-virtual-dtor)
    if(GATEHOUSE_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
    target_compile_definitions(${target} PRIVATE
        QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII QT_NO_URL_CAST_FROM_STRING
        QT_NO_KEYWORDS QT_DISABLE_DEPRECATED_UP_TO=0x060400)
endfunction()
