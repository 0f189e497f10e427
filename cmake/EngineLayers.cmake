# The engine is a stack of layers, one folder each. A layer is a static library that may use
# only the layers it names (and what those name in turn), and only ones declared before it: so
# the stack has no cycle by construction. gatehouse_check_engine_layers() then has the build read
# every `#include "engine/<folder>/..."` in the engine and fail on one that reaches a layer
# it may not use: the layering is enforced by the build, not by review.

set_property(GLOBAL PROPERTY GATEHOUSE_ENGINE_LAYERS "")

# gatehouse_engine_layer(<folder> [USES <layer>...] [PUBLIC_LIBS <lib>...] [PRIVATE_LIBS <lib>...])
# Defines gatehouse_<folder> for the sources in engine/<folder>/ (added by target_sources).
function(gatehouse_engine_layer name)
    cmake_parse_arguments(ARG "" "" "USES;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
    set(reach "")
    foreach(layer IN LISTS ARG_USES)
        get_property(below GLOBAL PROPERTY GATEHOUSE_LAYER_REACH_${layer} SET)
        if(NOT below)
            message(FATAL_ERROR "engine layer '${name}' uses '${layer}', which is not a layer declared before it")
        endif()
        get_property(below GLOBAL PROPERTY GATEHOUSE_LAYER_REACH_${layer})
        list(APPEND reach ${layer} ${below})
    endforeach()
    list(REMOVE_DUPLICATES reach)
    set_property(GLOBAL PROPERTY GATEHOUSE_LAYER_REACH_${name} "${reach}")
    set_property(GLOBAL APPEND PROPERTY GATEHOUSE_ENGINE_LAYERS ${name})

    list(TRANSFORM ARG_USES PREPEND gatehouse_ OUTPUT_VARIABLE used_targets)
    add_library(gatehouse_${name} STATIC)
    target_include_directories(gatehouse_${name} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(gatehouse_${name}
        PUBLIC Qt6::Core ${used_targets} ${ARG_PUBLIC_LIBS}
        PRIVATE ${ARG_PRIVATE_LIBS})
    gatehouse_set_warnings(gatehouse_${name})
endfunction()

# The check runs at build time (cmake/CheckEngineLayers.cmake), again whenever an engine source
# changes; every engine library waits for it, so a forbidden include fails the build.
function(gatehouse_check_engine_layers)
    get_property(layers GLOBAL PROPERTY GATEHOUSE_ENGINE_LAYERS)
    set(spec "")
    set(sources "")
    foreach(layer IN LISTS layers)
        get_property(reach GLOBAL PROPERTY GATEHOUSE_LAYER_REACH_${layer})
        string(REPLACE ";" "," reach "${reach}")
        list(APPEND spec "${layer}=${reach}")
        file(GLOB layer_sources ${PROJECT_SOURCE_DIR}/engine/${layer}/*.h ${PROJECT_SOURCE_DIR}/engine/${layer}/*.cpp)
        list(APPEND sources ${layer_sources})
    endforeach()
    string(REPLACE ";" ":" spec "${spec}")
    set(stamp ${CMAKE_CURRENT_BINARY_DIR}/engine-layers.checked)
    add_custom_command(OUTPUT ${stamp}
        COMMAND ${CMAKE_COMMAND} -DROOT=${PROJECT_SOURCE_DIR} "-DLAYERS=${spec}"
                -P ${PROJECT_SOURCE_DIR}/cmake/CheckEngineLayers.cmake
        COMMAND ${CMAKE_COMMAND} -E touch ${stamp}
        DEPENDS ${sources} ${PROJECT_SOURCE_DIR}/cmake/CheckEngineLayers.cmake
        COMMENT "Checking the engine's layers"
        VERBATIM)
    add_custom_target(gatehouse_engine_layers DEPENDS ${stamp})
    foreach(layer IN LISTS layers)
        add_dependencies(gatehouse_${layer} gatehouse_engine_layers)
    endforeach()
endfunction()
