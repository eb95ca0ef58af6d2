# libsodium and mbedTLS' crypto library, as imported targets. Used by the build
# and, installed, by cordonConfig.cmake (a static cordon needs them at link time).
find_package(PkgConfig REQUIRED)
if(NOT TARGET cordon_deps::sodium)
  pkg_check_modules(CORDON_SODIUM REQUIRED IMPORTED_TARGET libsodium)
  add_library(cordon_deps::sodium INTERFACE IMPORTED)
  target_link_libraries(cordon_deps::sodium INTERFACE PkgConfig::CORDON_SODIUM)
endif()
if(NOT TARGET cordon_deps::mbedcrypto)
  find_path(CORDON_MBEDTLS_INCLUDE_DIR mbedtls/version.h REQUIRED)
  find_library(CORDON_MBEDCRYPTO_LIBRARY mbedcrypto REQUIRED)
  add_library(cordon_deps::mbedcrypto UNKNOWN IMPORTED)
  set_target_properties(cordon_deps::mbedcrypto PROPERTIES
    IMPORTED_LOCATION "${CORDON_MBEDCRYPTO_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${CORDON_MBEDTLS_INCLUDE_DIR}")
endif()
